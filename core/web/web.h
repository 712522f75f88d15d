/*
 * core/web/: the dashboard litwatchd serves (docs/dashboard.md): server-
 * rendered HTML pages in Chinese first (English with ?lang=en), logins,
 * roles, CSRF tokens, an audit table, and a small JSON API for scripts.
 *
 * web.h — the entry the status API's handler calls.  Every page is built
 * on libuv's thread pool (uv_queue_work) through its own read-only
 * warehouse connection, so a page never blocks the loop and never holds
 * the writer; an action (acknowledge, close) opens a short write
 * transaction of its own, as the CLI does.
 */
#ifndef LW_WEB_H
#define LW_WEB_H

#include <jansson.h>
#include <uv.h>

#include "base/err.h"
#include "config/dashboard.h"
#include "domain/rates.h"
#include "net/httpd.h"

struct lw_web;
struct lw_dl_conf;

/* What the daemon lends the dashboard.  Every callback runs on the loop
 * thread, during lw_web_handle or when a page's work is done; any may be
 * NULL (the page then says the daemon does not offer it). */
struct lw_web_host {
	void *ud;
	/* The /status document (JSON, malloc'd), or NULL. */
	char *(*status)(void *ud);
	/* Poll source now, as POST /sources/NAME/poll does: the HTTP status
	 * that endpoint answers (202, 404, 409, 429...), its text into msg. */
	int (*poll)(void *ud, const char *source, char *msg, size_t cap);
	/* Reload the configuration, as SIGHUP does (asynchronously). */
	void (*reload)(void *ud);
};

struct lw_web_conf {
	const char *warehouse;  /* the SQLite file */
	const char *users_file; /* NULL: no logins; loopback only, read-only */
	int tls;                /* the session cookie is Secure */
	enum lw_rounding rounding;
	int withdrawn_is_loss;
	json_t *known_agencies; /* the configuration's "agencies", or NULL */
	int idle_timeout_s;     /* a session expires after this long unused; 0: the
				   dashboard section's (default 30 min) */
	const char *data_dir;   /* base of relative files named by detect */
	const char *profile_dir; /* mapping profiles (the alias form opens the pipeline) */
	json_t *detect;         /* the configuration's "detect" section, or NULL: the
				   agency page draws its series without a band */
	struct lw_dl_conf *deadlines; /* obligations' calendar (a reference is taken), or NULL */
	const struct lw_dashboard_conf *dashboard; /* risk thresholds; NULL: defaults */
	const struct lw_web_host *host; /* NULL: no sources' state, no admin actions */
};

/* Everything in conf is copied (or referenced).  Reads the users file
 * (LW_ENOENT etc.). */
int lw_web_new(uv_loop_t *loop, const struct lw_web_conf *conf, struct lw_web **out,
	       struct lw_err *e);
/* On the loop thread, after a reload: the settings of conf replace the
 * old ones for pages started from now on (pages under way keep theirs);
 * sessions stay.  The users file and TLS are not re-read here. */
int lw_web_reconfigure(struct lw_web *w, const struct lw_web_conf *conf, struct lw_err *e);
/* Free when the last page in flight is done; NULL accepted. */
void lw_web_free(struct lw_web *w);

/* On the loop thread: 1 when rq is the dashboard's ("/", "/ui/...",
 * "/api/..."): the reply is then deferred (lw_http_defer) or set; 0 when
 * it is not, and *reply untouched. */
int lw_web_handle(struct lw_web *w, const struct lw_http_request *rq, struct lw_http_reply *reply);

#endif
