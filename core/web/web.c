/*
 * web.c — the dashboard's entry (web.h): copy a request off the loop, build
 * its page on the thread pool, route to the page files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "alerts/alerts.h"
#include "base/log.h"
#include "deadlines/deadlines.h"
#include "web/web_int.h"

static void set_free(struct lw_web_set *s)
{
	json_decref(s->known_agencies);
	free(s->data_dir);
	free(s->profile_dir);
	lw_alerts_conf_free(s->rules);
	lw_dl_conf_unref(s->deadlines);
	free(s);
}

static void set_unref(struct lw_web *w, struct lw_web_set *s)
{
	int last;

	if (!s)
		return;
	pthread_mutex_lock(&w->mu);
	last = --s->refs == 0;
	pthread_mutex_unlock(&w->mu);
	if (last)
		set_free(s);
}

/* The settings of conf, or NULL (ENOMEM or rules that do not parse; the
 * configuration loader has checked them already). */
static struct lw_web_set *set_new(const struct lw_web_conf *conf, struct lw_err *e)
{
	struct lw_web_set *s = calloc(1, sizeof *s);

	if (!s) {
		lw_err_set(e, LW_ENOMEM, "out of memory");
		return NULL;
	}
	static _Atomic unsigned gens;
	s->refs = 1;
	s->gen = ++gens;
	s->withdrawn_is_loss = conf->withdrawn_is_loss;
	s->rounding = conf->rounding;
	s->known_agencies = conf->known_agencies ? json_deep_copy(conf->known_agencies) : NULL;
	s->data_dir = conf->data_dir ? strdup(conf->data_dir) : NULL;
	s->profile_dir = conf->profile_dir ? strdup(conf->profile_dir) : NULL;
	s->deadlines = conf->deadlines ? lw_dl_conf_ref(conf->deadlines) : NULL;
	if (conf->dashboard)
		s->dash = *conf->dashboard;
	else
		lw_dashboard_conf_default(&s->dash);
	if (conf->detect) {
		struct lw_diag diag = {0};
		if (lw_alerts_conf_parse(conf->detect, NULL, conf->data_dir ? conf->data_dir : ".",
					 &s->rules, &diag) != 0) {
			lw_err_set(e, LW_EINVAL, "dashboard: detect: %s",
				   diag.n ? diag.msg[0] : "does not parse");
			lw_diag_free(&diag);
			set_free(s);
			return NULL;
		}
		lw_diag_free(&diag);
	}
	return s;
}

int lw_web_reconfigure(struct lw_web *w, const struct lw_web_conf *conf, struct lw_err *e)
{
	struct lw_web_set *s = set_new(conf, e), *old;

	if (!s)
		return e ? e->code : LW_ENOMEM;
	pthread_mutex_lock(&w->mu);
	old = w->set;
	w->set = s;
	w->idle_s = conf->idle_timeout_s > 0 ? conf->idle_timeout_s : s->dash.idle_timeout_s;
	pthread_mutex_unlock(&w->mu);
	set_unref(w, old);
	return 0;
}

int lw_web_new(uv_loop_t *loop, const struct lw_web_conf *conf, struct lw_web **out,
	       struct lw_err *e)
{
	struct lw_web *w = calloc(1, sizeof *w);

	*out = NULL;
	if (!w)
		return lw_err_set(e, LW_ENOMEM, "out of memory");
	w->loop = loop;
	w->warehouse = strdup(conf->warehouse);
	w->users_file = conf->users_file ? strdup(conf->users_file) : NULL;
	w->tls = conf->tls;
	if (conf->host)
		w->host = *conf->host;
	w->refs = 1;
	pthread_mutex_init(&w->mu, NULL);
	pthread_mutex_init(&w->cache_mu, NULL);
	pthread_cond_init(&w->cache_cv, NULL);
	if (lw_web_reconfigure(w, conf, e) != 0) {
		lw_web_free(w);
		return e ? e->code : LW_ENOMEM;
	}
	if (w->users_file && lw_users_load(w->users_file, 0, &w->users, e) != 0) {
		lw_web_free(w);
		return e ? e->code : LW_EIO;
	}
	/* The hash an unknown name is checked against: a real one, of a
	 * password nobody knows, with the cost parameters of the users file's
	 * first yescrypt hash (`litwatch user` writes them all alike), so both
	 * cost the same: no timing oracle for names. */
	if (w->users_file) {
		unsigned char raw[24];
		char pw[49];
		if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) {
			lw_web_free(w);
			return lw_err_set(e, LW_EIO, "dashboard: no entropy for the login check");
		}
		for (size_t i = 0; i < sizeof raw; i++)
			snprintf(pw + 2 * i, 3, "%02x", raw[i]);
		explicit_bzero(raw, sizeof raw);
		const char *like = NULL;
		for (size_t i = 0; i < w->users.n && !like; i++)
			if (!strncmp(w->users.v[i].hash, "$y$", 3))
				like = w->users.v[i].hash;
		if (lw_password_hash_like(pw, like, w->dummy_hash, sizeof w->dummy_hash, e) != 0) {
			explicit_bzero(pw, sizeof pw);
			lw_web_free(w);
			return e ? e->code : LW_EIO;
		}
		explicit_bzero(pw, sizeof pw);
	}
	*out = w;
	return 0;
}

static void unref(struct lw_web *w)
{
	int last;

	pthread_mutex_lock(&w->mu);
	last = --w->refs == 0;
	pthread_mutex_unlock(&w->mu);
	if (!last)
		return;
	set_unref(w, w->set);
	lw_web_cache_free(w);
	pthread_cond_destroy(&w->cache_cv);
	pthread_mutex_destroy(&w->cache_mu);
	pthread_mutex_destroy(&w->mu);
	lw_users_free(&w->users);
	explicit_bzero(w->sessions, sizeof w->sessions);
	free(w->warehouse);
	free(w->users_file);
	free(w);
}

void lw_web_free(struct lw_web *w)
{
	if (w)
		unref(w);
}

/* ---- forms ---- */

static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

int lw_form_get(const char *body, const char *key, char *out, size_t cap)
{
	size_t kn = strlen(key);

	for (const char *p = body; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL) {
		if (strncmp(p, key, kn) || p[kn] != '=')
			continue;
		size_t o = 0;
		for (p += kn + 1; *p && *p != '&' && o + 1 < cap; p++) {
			if (*p == '+')
				out[o++] = ' ';
			else if (*p == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
				out[o++] = (char)(hexval(p[1]) * 16 + hexval(p[2]));
				p += 2;
			} else
				out[o++] = *p;
		}
		out[o] = '\0';
		return 1;
	}
	if (cap)
		out[0] = '\0';
	return 0;
}

/* ---- replies ---- */

void lw_page_reply(struct lw_web_req *rq, struct lw_strbuf *b, int status)
{
	if (b->oom) {
		free(b->p);
		lw_web_text(rq, 500, "out of memory\n");
		return;
	}
	if (rq->building)
		lw_web_cache_done(rq, status == 200 ? b->p : NULL, b->len);
	rq->reply.status = status;
	rq->reply.content_type = "text/html; charset=utf-8";
	rq->reply.body = b->p ? b->p : strdup("");
	rq->reply.len = b->len;
	/* No script may run but ours (there is none), nothing loads from
	 * elsewhere, no framing (clickjacking). */
	free(rq->reply.headers);
	rq->reply.headers = strdup("Content-Security-Policy: default-src 'none'; style-src "
				   "'self'; img-src 'self' data:; form-action 'self'; "
				   "frame-ancestors 'none'\r\nX-Content-Type-Options: nosniff\r\n"
				   "Referrer-Policy: same-origin\r\n");
}

void lw_web_text(struct lw_web_req *rq, int status, const char *msg)
{
	rq->reply.status = status;
	rq->reply.content_type = "text/plain; charset=utf-8";
	free(rq->reply.body);
	rq->reply.body = strdup(msg);
	rq->reply.len = rq->reply.body ? strlen(rq->reply.body) : 0;
}

void lw_web_redirect(struct lw_web_req *rq, const char *location, const char *cookie)
{
	struct lw_strbuf h = {0};

	if (strpbrk(location, "\r\n") || (cookie && strpbrk(cookie, "\r\n"))) {
		lw_web_text(rq, 400, "bad redirect\n"); /* never split the response */
		return;
	}
	lw_web_text(rq, 303, "see other\n");
	lw_strbuf_printf(&h, "Location: %s\r\n", location);
	if (cookie)
		lw_strbuf_printf(&h, "Set-Cookie: %s\r\n", cookie);
	free(rq->reply.headers);
	rq->reply.headers = h.p;
}

struct lw_wh *lw_web_open_rw(struct lw_web_req *rq)
{
	struct lw_wh *wh = NULL;
	struct lw_err err = {0};

	if (lw_wh_open(rq->w->warehouse, LW_WH_WRITER | LW_WH_CHECKED, &wh, &err) != 0) {
		lw_web_text(rq, 503, err.msg);
		return NULL;
	}
	return wh;
}

struct lw_wh *lw_web_open_ro(struct lw_web_req *rq)
{
	struct lw_wh *wh = NULL;
	struct lw_err err = {0};

	if (lw_wh_open(rq->w->warehouse, LW_WH_READONLY, &wh, &err) != 0) {
		char msg[1100];
		snprintf(msg, sizeof msg, "warehouse: %s\n", err.msg);
		lw_web_text(rq, 503, msg);
		return NULL;
	}
	return wh;
}

/* ---- routing (thread pool) ---- */

static int is_page(const char *url)
{
	return !strcmp(url, "/") || !strncmp(url, "/ui/", 4) || !strcmp(url, "/ui");
}

static void ack(struct lw_web_req *rq) { lw_web_alerts_post(rq, "ack"); }
static void close_alert(struct lw_web_req *rq) { lw_web_alerts_post(rq, "close"); }
static void silence(struct lw_web_req *rq) { lw_web_silences_post(rq, "silence"); }
static void unsilence(struct lw_web_req *rq) { lw_web_silences_post(rq, "unsilence"); }
static void poll(struct lw_web_req *rq) { lw_web_admin_post(rq, LW_WEB_LOOP_POLL); }
static void reload(struct lw_web_req *rq) { lw_web_admin_post(rq, LW_WEB_LOOP_RELOAD); }
static void xlsx(struct lw_web_req *rq) { lw_web_ranking_download(rq, "xlsx"); }
static void csv(struct lw_web_req *rq) { lw_web_ranking_download(rq, "csv"); }
static void html(struct lw_web_req *rq) { lw_web_ranking_download(rq, "html"); }

/* After the login: method, path, page, and whether a built page is kept
 * (cache.c: it only reads the warehouse, and builds in more than a few ms). */
static const struct route {
	int post;
	const char *path;
	void (*fn)(struct lw_web_req *rq);
	int kept;
} routes[] = {
	{1, "/ui/logout", lw_web_logout_post, 0},
	{0, "/ui/", lw_web_overview, 1},
	{0, "/ui/overview", lw_web_overview, 1},
	{0, "/ui/ranking", lw_web_ranking, 1},
	{0, "/ui/ranking.xlsx", xlsx, 0},
	{0, "/ui/ranking.csv", csv, 0},
	{0, "/ui/ranking.html", html, 0},
	{0, "/ui/alerts", lw_web_alerts, 1},
	{1, "/ui/alerts/ack", ack, 0},
	{1, "/ui/alerts/close", close_alert, 0},
	{1, "/ui/alerts/silence", silence, 0},
	{1, "/ui/alerts/unsilence", unsilence, 0},
	{0, "/ui/agency", lw_web_agency, 1},
	{0, "/ui/cases", lw_web_cases, 1},
	{0, "/ui/case", lw_web_case, 1},
	{0, "/ui/deadlines", lw_web_deadlines, 1},
	{0, "/ui/sources", lw_web_sources, 0}, /* the daemon's live state */
	{0, "/ui/import", lw_web_import, 0},
	{1, "/ui/agencies/alias", lw_web_alias_post, 0},
	{1, "/ui/admin/poll", poll, 0},
	{1, "/ui/admin/reload", reload, 0},
	{0, "/api/stats", lw_web_api_stats, 1},
};

static void route(struct lw_web_req *rq)
{
	const char *u = rq->url;
	int post = !strcmp(rq->method, "POST"), rc;

	if (!strcmp(u, "/") || !strcmp(u, "/ui")) {
		lw_web_redirect(rq, "/ui/", NULL);
		return;
	}
	if (!strcmp(u, "/ui/login")) {
		if (post)
			lw_web_login_post(rq);
		else
			lw_web_login_page(rq, NULL);
		return;
	}
	if ((rc = lw_web_auth(rq)) != 0) {
		if (rc == -2) {
			lw_web_text(rq, 429, "too many failed logins for this name: wait 5 minutes\n");
			rq->reply.retry_after_s = LW_WEB_FAIL_WINDOW_S;
		} else if (is_page(u)) {
			/* The path comes URL-decoded: percent-encode it again, so that
			 * no byte of it (CR, LF, &, #) can end the header or the
			 * argument. */
			static const char hex[] = "0123456789ABCDEF";
			char loc[16 + 3 * 200];
			size_t o = snprintf(loc, sizeof loc, "/ui/login?next=");
			for (const unsigned char *p = (const unsigned char *)u; *p && o + 4 < sizeof loc;
			     p++) {
				if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
				    (*p >= '0' && *p <= '9') || strchr("/-._~", *p)) {
					loc[o++] = (char)*p;
				} else {
					loc[o++] = '%';
					loc[o++] = hex[*p >> 4];
					loc[o++] = hex[*p & 15];
				}
			}
			loc[o] = '\0';
			lw_web_redirect(rq, loc, NULL);
		} else {
			lw_web_text(rq, 401, "log in: send a session cookie or HTTP Basic credentials\n");
			free(rq->reply.headers);
			rq->reply.headers = strdup("WWW-Authenticate: Basic realm=\"litwatch\", "
						   "charset=\"UTF-8\"\r\n");
		}
		return;
	}
	if (post && lw_web_csrf_ok(rq) != 0)
		return;
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		const struct route *r = &routes[i];
		if (r->post != post || strcmp(r->path, u))
			continue;
		/* Pages that only read the warehouse are kept until it changes. */
		if (!(r->kept && lw_web_cache_serve(rq)))
			r->fn(rq);
		return;
	}
	lw_web_text(rq, 404, "not found\n");
}

struct job {
	uv_work_t work;
	struct lw_http_pending *pend;
	struct lw_web_req rq;
};

static void free_req(struct lw_web_req *rq)
{
	free(rq->method);
	free(rq->url);
	free(rq->cookie);
	if (rq->authorization)
		explicit_bzero(rq->authorization, strlen(rq->authorization));
	free(rq->authorization);
	if (rq->body)
		explicit_bzero(rq->body, strlen(rq->body));
	free(rq->body);
	free(rq->remote);
	free(rq->status_json);
}

static void on_work(uv_work_t *wk)
{
	struct job *j = wk->data;

	j->rq.reply = (struct lw_http_reply){404, "text/plain; charset=utf-8", NULL, 0, 0, 0, NULL};
	route(&j->rq);
	if (j->rq.building) /* answered without a page (an error): nothing kept */
		lw_web_cache_done(&j->rq, NULL, 0);
}

static void on_done(uv_work_t *wk, int status)
{
	struct job *j = wk->data;

	(void)status;
	if (j->rq.loop_action != LW_WEB_LOOP_NONE)
		lw_web_loop_finish(&j->rq);
	lw_http_complete(j->pend, &j->rq.reply);
	set_unref(j->rq.w, j->rq.s);
	unref(j->rq.w);
	free_req(&j->rq);
	free(j);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void copy_arg(const struct lw_http_request *rq, const char *key, char *out, size_t cap)
{
	const char *v = lw_http_arg(rq, key);

	snprintf(out, cap, "%s", v ? v : "");
}

int lw_web_handle(struct lw_web *w, const struct lw_http_request *rq, struct lw_http_reply *reply)
{
	struct job *j;

	if (!w || !(is_page(rq->url) || !strncmp(rq->url, "/api/", 5)))
		return 0;
	if (strcmp(rq->method, "POST") && lw_web_style(rq->url, reply))
		return 1;
	if (!(j = calloc(1, sizeof *j)) || !(j->pend = lw_http_defer(rq))) {
		free(j);
		reply->status = 503;
		reply->body = strdup("out of memory\n");
		reply->len = reply->body ? strlen(reply->body) : 0;
		return 1;
	}
	j->rq.w = w;
	j->rq.method = strdup(rq->method);
	j->rq.url = strdup(rq->url);
	j->rq.cookie = dup_or_null(rq->cookie);
	j->rq.authorization = dup_or_null(rq->authorization);
	j->rq.body = dup_or_null(rq->body);
	j->rq.remote = strdup(rq->remote ? rq->remote : "");
	copy_arg(rq, "period", j->rq.period, sizeof j->rq.period);
	copy_arg(rq, "sort", j->rq.sort, sizeof j->rq.sort);
	copy_arg(rq, "dir", j->rq.dir, sizeof j->rq.dir);
	copy_arg(rq, "lang", j->rq.lang, sizeof j->rq.lang);
	copy_arg(rq, "next", j->rq.next, sizeof j->rq.next);
	copy_arg(rq, "q", j->rq.q, sizeof j->rq.q);
	copy_arg(rq, "agency", j->rq.agency, sizeof j->rq.agency);
	copy_arg(rq, "case", j->rq.case_no, sizeof j->rq.case_no);
	copy_arg(rq, "cause", j->rq.cause, sizeof j->rq.cause);
	copy_arg(rq, "outcome", j->rq.outcome, sizeof j->rq.outcome);
	copy_arg(rq, "from", j->rq.from, sizeof j->rq.from);
	copy_arg(rq, "to", j->rq.to, sizeof j->rq.to);
	copy_arg(rq, "page", j->rq.page, sizeof j->rq.page);
	copy_arg(rq, "id", j->rq.id, sizeof j->rq.id);
	copy_arg(rq, "state", j->rq.state, sizeof j->rq.state);
	copy_arg(rq, "name", j->rq.name, sizeof j->rq.name);
	j->rq.en = !strcmp(j->rq.lang, "en");
	/* The daemon's state is read here, on the loop, where it lives. */
	if (!strcmp(rq->url, "/ui/sources") && w->host.status)
		j->rq.status_json = w->host.status(w->host.ud);
	pthread_mutex_lock(&w->mu);
	w->refs++;
	j->rq.s = w->set;
	j->rq.s->refs++;
	pthread_mutex_unlock(&w->mu);
	j->work.data = j;
	uv_queue_work(w->loop, &j->work, on_work, on_done);
	return 1;
}
