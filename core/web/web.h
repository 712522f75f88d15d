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
#include "domain/rates.h"
#include "net/httpd.h"

struct lw_web;

struct lw_web_conf {
	const char *warehouse;  /* the SQLite file */
	const char *users_file; /* NULL: no logins; loopback only, read-only */
	int tls;                /* the session cookie is Secure */
	enum lw_rounding rounding;
	int withdrawn_is_loss;
	json_t *known_agencies; /* the configuration's "agencies", or NULL */
	int idle_timeout_s;     /* a session expires after this long unused; 0: 30 min */
};

/* Everything in conf is copied.  Reads the users file (LW_ENOENT etc.). */
int lw_web_new(uv_loop_t *loop, const struct lw_web_conf *conf, struct lw_web **out,
	       struct lw_err *e);
/* Free when the last page in flight is done; NULL accepted. */
void lw_web_free(struct lw_web *w);

/* On the loop thread: 1 when rq is the dashboard's ("/", "/ui/...",
 * "/api/..."): the reply is then deferred (lw_http_defer) or set; 0 when
 * it is not, and *reply untouched. */
int lw_web_handle(struct lw_web *w, const struct lw_http_request *rq, struct lw_http_reply *reply);

#endif
