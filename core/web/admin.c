/*
 * admin.c — the admin's buttons: poll a source now and reload the
 * configuration.  Both are what the daemon already does (POST
 * /sources/NAME/poll, SIGHUP), reached through the host callbacks of
 * web.h on the loop thread, where the daemon's state lives: the page's
 * work checks the role and the CSRF token and writes the audit row on the
 * thread pool, then the loop does the action (lw_web_loop_finish).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/web_int.h"

static int source_name_ok(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      strchr("._-", *s)))
			return 0;
	return 1;
}

void lw_web_admin_post(struct lw_web_req *rq, enum lw_web_loop_action a)
{
	const char *action = a == LW_WEB_LOOP_POLL ? "poll" : "reload";
	char source[80] = "";

	if (a == LW_WEB_LOOP_POLL)
		lw_form_get(rq->body, "source", source, sizeof source);
	if (rq->role < LW_ROLE_ADMIN) {
		lw_web_audit(rq, NULL, action, source, "refused: role", 0);
		lw_web_text(rq, 403, "only admins poll sources and reload\n");
		return;
	}
	if ((a == LW_WEB_LOOP_POLL && (!rq->w->host.poll || !source_name_ok(source))) ||
	    (a == LW_WEB_LOOP_RELOAD && !rq->w->host.reload)) {
		lw_web_audit(rq, NULL, action, source, "refused: not offered", 0);
		lw_web_text(rq, 400, "not offered by this daemon, or not a source name\n");
		return;
	}
	lw_web_audit(rq, NULL, action, source, "requested", 1);
	rq->loop_action = a;
	snprintf(rq->loop_arg, sizeof rq->loop_arg, "%s", source);
	lw_web_redirect(rq, rq->en ? "/ui/sources?lang=en" : "/ui/sources", NULL);
}

void lw_web_loop_finish(struct lw_web_req *rq)
{
	struct lw_web_host *h = &rq->w->host;

	if (rq->loop_action == LW_WEB_LOOP_POLL && h->poll) {
		char msg[300] = "";
		int status = h->poll(h->ud, rq->loop_arg, msg, sizeof msg);
		/* 202: polling or merged into a poll under way; back to the page.
		 * Anything else says why, as the API does. */
		if (status != 202) {
			free(rq->reply.headers);
			rq->reply.headers = NULL;
			lw_web_text(rq, status, msg);
		}
	} else if (rq->loop_action == LW_WEB_LOOP_RELOAD && h->reload) {
		h->reload(h->ud);
	}
}
