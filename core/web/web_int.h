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

/* The settings a page reads, replaced whole on reload (lw_web_reconfigure)
 * and reference counted: a page keeps the ones it started with. */
struct lw_web_set {
	int refs; /* guarded by lw_web.mu */
	unsigned gen; /* a new number for each settings (part of a kept page's key) */
	int withdrawn_is_loss;
	enum lw_rounding rounding;
	json_t *known_agencies;
	char *data_dir, *profile_dir;
	struct lw_alerts_conf *rules; /* the detect rules (own parse), or NULL */
	struct lw_dl_conf *deadlines; /* a reference, or NULL */
	struct lw_dashboard_conf dash;
};

struct lw_web {
	uv_loop_t *loop;
	char *warehouse, *users_file;
	int tls, idle_s;
	struct lw_web_host host;
	struct lw_web_set *set; /* the current settings */
	pthread_mutex_t mu; /* guards refs, users, sessions, fails, idle_s, set */
	/* cache.c: pages kept while the warehouse's data_version stays */
	pthread_mutex_t cache_mu; /* guards what follows */
	pthread_cond_t cache_cv;  /* a page was built */
	struct lw_web_page *pages;
	size_t cache_bytes;
	uint64_t cache_tick;
	struct lw_wh *version_wh; /* our own read-only connection for PRAGMA data_version */
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

/* What a page asks the loop to do once it is built (admin actions run on
 * the loop, where the daemon's state lives). */
enum lw_web_loop_action { LW_WEB_LOOP_NONE, LW_WEB_LOOP_POLL, LW_WEB_LOOP_RELOAD };

/* One request, copied off the loop for a page built on the thread pool. */
struct lw_web_req {
	struct lw_web *w;
	struct lw_web_set *s; /* the settings this page started with (a reference) */
	char *method, *url, *cookie, *authorization, *body, *remote;
	char period[40], sort[24], dir[8], lang[8], next[200], q[200];
	/* the search and detail pages' arguments (query string, URL-decoded) */
	char agency[200], case_no[100], cause[200], outcome[40], from[16], to[16], page[12],
	     id[24], state[16], name[200];
	int en; /* ?lang=en */
	char *status_json; /* /ui/sources: the daemon's /status, taken on the loop; or NULL */
	enum lw_web_loop_action loop_action;
	/* cache.c: the page this request builds for others, and where its
	 * content lies in the page (set by lw_page_begin / lw_page_end) */
	struct lw_web_page *building;
	size_t content_from, content_to;
	char title[200];
	char loop_arg[80]; /* the source to poll */
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

/* Path and query of this page with lang=en kept: "?lang=en" or "" (for
 * the first argument) and "&amp;lang=en" or "" (for a later one). */
#define LW_LANG_Q(rq) ((rq)->en ? "?lang=en" : "")
#define LW_LANG_A(rq) ((rq)->en ? "&amp;lang=en" : "")
/* s percent-encoded for a URL's query (every byte but unreserved ones). */
void lw_buf_url(struct lw_strbuf *b, const char *s);
/* A table's heading row: <tr><th>..</th>...</tr>, labels Chinese or
 * English by rq (pairs zh, en; NULL ends). */
void lw_buf_head(struct lw_web_req *rq, struct lw_strbuf *b, ...);
/* A form's hidden CSRF field of rq's session. */
void lw_buf_csrf(struct lw_web_req *rq, struct lw_strbuf *b);
/* A page of text (an explanation, an error) in the page frame. */
void lw_web_message(struct lw_web_req *rq, int status, const char *zh, const char *en);
/* A writer connection for an action, or NULL with a 503 reply set. */
struct lw_wh *lw_web_open_rw(struct lw_web_req *rq);
/* Today in Beijing ("YYYY-MM-DD"). */
void lw_web_today(char out[11]);

/* cache.c: 1 when rq was answered with a kept page; 0 when the caller
 * builds it (and lw_page_reply keeps it for the next requests). */
int lw_web_cache_serve(struct lw_web_req *rq);
/* The page rq built (html[content_from..content_to), or NULL: not kept). */
void lw_web_cache_done(struct lw_web_req *rq, const char *html, size_t len);
void lw_web_cache_free(struct lw_web *w);

/* style.c: 1 and *reply set when url is the stylesheet's; 0 otherwise. */
int lw_web_style(const char *url, struct lw_http_reply *reply);

/* The pages. */
void lw_web_overview(struct lw_web_req *rq);
void lw_web_ranking(struct lw_web_req *rq);
void lw_web_ranking_download(struct lw_web_req *rq, const char *format);
void lw_web_alerts(struct lw_web_req *rq);
void lw_web_alerts_post(struct lw_web_req *rq, const char *action);
void lw_web_api_stats(struct lw_web_req *rq);
void lw_web_agency(struct lw_web_req *rq);
/* chart.c: every series of agency as a chart with its detector's band.
 * 0, or LW_ENOMEM. */
int lw_web_agency_charts(struct lw_web_req *rq, struct lw_wh *wh, struct lw_strbuf *b,
			 const char *agency);
/* A link to the agency page of name (escaped). */
void lw_buf_agency_link(struct lw_web_req *rq, struct lw_strbuf *b, const char *name);
/* A link to the case page of case_no (escaped). */
void lw_buf_case_link(struct lw_web_req *rq, struct lw_strbuf *b, const char *case_no);
void lw_web_cases(struct lw_web_req *rq);
void lw_web_case(struct lw_web_req *rq);
void lw_web_silences_post(struct lw_web_req *rq, const char *action);
/* The silence form of alert id (analysts). */
void lw_web_silence_form(struct lw_web_req *rq, struct lw_strbuf *b, long long id);
void lw_web_silences_section(struct lw_web_req *rq, struct lw_wh *wh, struct lw_strbuf *b);
void lw_web_deadlines(struct lw_web_req *rq);
/* The obligations of agency (NULL: all) in state (NULL: due, overdue and
 * late) as a table of id table_id; at most limit rows.  With case_no, that
 * case's obligations in every state.  Returns the rows shown, or -1 on an
 * error (said in the page). */
int lw_web_obligations_table(struct lw_web_req *rq, struct lw_wh *wh, struct lw_strbuf *b,
			     const char *table_id, const char *agency, const char *state,
			     const char *case_no, const char *from, const char *to, int limit);
void lw_web_sources(struct lw_web_req *rq);
/* The file name of an import's origin, without the server's folders. */
void lw_web_import_file(struct lw_strbuf *b, const char *origin);
void lw_web_import(struct lw_web_req *rq);
void lw_web_alias_post(struct lw_web_req *rq);
/* The form mapping held name to agency (NULL: a field to type it in); only
 * for analysts and admins (nothing otherwise). */
void lw_web_alias_form(struct lw_web_req *rq, struct lw_strbuf *b, const char *held,
		       const char *agency);
void lw_web_admin_post(struct lw_web_req *rq, enum lw_web_loop_action a);
/* On the loop thread, after the page's work: do rq->loop_action. */
void lw_web_loop_finish(struct lw_web_req *rq);

#endif
