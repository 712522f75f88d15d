/*
 * web_int.h — what the files of core/web/ share: the request a page sees
 * (copied off the loop), the HTML buffer and escaping, sessions, audit.
 */
#ifndef LW_WEB_INT_H
#define LW_WEB_INT_H

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>

#include "base/strbuf.h"
#include "warehouse/warehouse.h"
#include "web/users.h"
#include "web/web.h"

#define LW_WEB_MAX_SESSIONS 512

struct lw_session {
	char id[65], csrf[65];
	char user[64];
	enum lw_role role;
	int64_t last_used; /* monotonic s; 0: free slot */
};

struct lw_login_fail {
	char key[80]; /* "a:ADDRESS" or "u:NAME" */
	int64_t first; /* monotonic s */
	unsigned count;
};

struct lw_web {
	uv_loop_t *loop;
	char *warehouse, *users_file;
	int tls, idle_s, withdrawn_is_loss;
	enum lw_rounding rounding;
	json_t *known_agencies;
	pthread_mutex_t mu; /* guards refs, users, sessions, fails */
	int refs;
	struct lw_users users;
	char dummy_hash[256]; /* compared for an unknown name (auth.c) */
	struct lw_session sessions[LW_WEB_MAX_SESSIONS];
	struct lw_login_fail fails[128];
};

/* Pages are built in a growing text buffer (base/strbuf.h). */
void lw_buf_put(struct lw_strbuf *b, const char *s);
/* s HTML-escaped (& < > " '): every value from a spreadsheet or feed. */
void lw_buf_esc(struct lw_strbuf *b, const char *s);

/* One request, copied off the loop for a page built on the thread pool. */
struct lw_web_req {
	struct lw_web *w;
	char *method, *url, *cookie, *authorization, *body, *remote;
	char period[40], sort[24], dir[8], lang[8], next[200], q[200];
	int en; /* ?lang=en */
	/* who: filled by lw_web_auth */
	struct lw_session sess; /* a copy; sess.id[0] == 0 with Basic or no users */
	char user[64];
	enum lw_role role;
	struct lw_http_reply reply;
};

/* Chinese, or English under ?lang=en. */
#define LW_T(rq, zh_, en_) ((rq)->en ? (en_) : (zh_))

/* Failed logins per address and per name before a wait, and the window. */
#define LW_WEB_FAIL_MAX 5u
#define LW_WEB_FAIL_WINDOW_S 300

/* Who sent rq: a session cookie, HTTP Basic, or nobody (no users file:
 * viewer "local").  0; -1 when nobody with users configured; -2 when
 * HTTP Basic names a user locked by too many failed logins. */
int lw_web_auth(struct lw_web_req *rq);
/* The login form and its POST, and logout. */
void lw_web_login_page(struct lw_web_req *rq, const char *error);
void lw_web_login_post(struct lw_web_req *rq);
void lw_web_logout_post(struct lw_web_req *rq);
/* A POST's csrf field is the session's (Basic carries no cookie, so it
 * needs none).  0, or -1 with a 403 reply set. */
int lw_web_csrf_ok(struct lw_web_req *rq);

/* Field key of an application/x-www-form-urlencoded body, decoded into
 * out.  1 found, 0 not. */
int lw_form_get(const char *body, const char *key, char *out, size_t cap);

/* Record an action (user, role, address from rq).  Opens its own write
 * connection when wh is NULL.  Failures are logged, never fatal. */
void lw_web_audit(struct lw_web_req *rq, struct lw_wh *wh, const char *action,
		  const char *target, const char *detail, int ok);

/* Page frame: head, navigation (the user, logout form), then body; the end. */
void lw_page_begin(struct lw_web_req *rq, struct lw_strbuf *b, const char *title);
void lw_page_end(struct lw_web_req *rq, struct lw_strbuf *b);
/* Set rq->reply to the HTML in b (taken over), status. */
void lw_page_reply(struct lw_web_req *rq, struct lw_strbuf *b, int status);
void lw_web_text(struct lw_web_req *rq, int status, const char *msg);
void lw_web_redirect(struct lw_web_req *rq, const char *location, const char *cookie);
/* A read-only connection, or NULL with a 500 page set. */
struct lw_wh *lw_web_open_ro(struct lw_web_req *rq);

/* The pages. */
void lw_web_overview(struct lw_web_req *rq);
void lw_web_ranking(struct lw_web_req *rq);
void lw_web_ranking_download(struct lw_web_req *rq, const char *format);
void lw_web_alerts(struct lw_web_req *rq);
void lw_web_alerts_post(struct lw_web_req *rq, const char *action);
void lw_web_api_stats(struct lw_web_req *rq);

#endif
