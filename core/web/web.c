/*
 * web.c — the dashboard's entry (web.h): copy a request off the loop, build
 * its page on the thread pool, route to the page files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "base/log.h"
#include "web/web_int.h"

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
	w->idle_s = conf->idle_timeout_s > 0 ? conf->idle_timeout_s : 1800;
	w->rounding = conf->rounding;
	w->withdrawn_is_loss = conf->withdrawn_is_loss;
	w->known_agencies = conf->known_agencies ? json_deep_copy(conf->known_agencies) : NULL;
	w->refs = 1;
	pthread_mutex_init(&w->mu, NULL);
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
	pthread_mutex_destroy(&w->mu);
	lw_users_free(&w->users);
	explicit_bzero(w->sessions, sizeof w->sessions);
	free(w->warehouse);
	free(w->users_file);
	json_decref(w->known_agencies);
	free(w);
}

void lw_web_free(struct lw_web *w)
{
	if (w)
		unref(w);
}

/* ---- buffer and escaping ---- */


void lw_buf_put(struct lw_strbuf *b, const char *s)
{
	lw_strbuf_printf(b, "%s", s);
}

void lw_buf_esc(struct lw_strbuf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': lw_buf_put(b, "&amp;"); break;
		case '<': lw_buf_put(b, "&lt;"); break;
		case '>': lw_buf_put(b, "&gt;"); break;
		case '"': lw_buf_put(b, "&quot;"); break;
		case '\'': lw_buf_put(b, "&#39;"); break;
		default: lw_strbuf_printf(b, "%c", *s);
		}
	}
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
	rq->reply.status = status;
	rq->reply.content_type = "text/html; charset=utf-8";
	rq->reply.body = b->p ? b->p : strdup("");
	rq->reply.len = b->len;
	/* No script may run but ours (there is none), nothing loads from
	 * elsewhere, no framing (clickjacking). */
	free(rq->reply.headers);
	rq->reply.headers = strdup("Content-Security-Policy: default-src 'none'; style-src "
				   "'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
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
	if (post && !strcmp(u, "/ui/logout"))
		lw_web_logout_post(rq);
	else if (!post && (!strcmp(u, "/ui/") || !strcmp(u, "/ui/overview")))
		lw_web_overview(rq);
	else if (!post && !strcmp(u, "/ui/ranking"))
		lw_web_ranking(rq);
	else if (!post && !strcmp(u, "/ui/ranking.xlsx"))
		lw_web_ranking_download(rq, "xlsx");
	else if (!post && !strcmp(u, "/ui/ranking.csv"))
		lw_web_ranking_download(rq, "csv");
	else if (!post && !strcmp(u, "/ui/ranking.html"))
		lw_web_ranking_download(rq, "html");
	else if (!post && !strcmp(u, "/ui/alerts"))
		lw_web_alerts(rq);
	else if (post && !strcmp(u, "/ui/alerts/ack"))
		lw_web_alerts_post(rq, "ack");
	else if (post && !strcmp(u, "/ui/alerts/close"))
		lw_web_alerts_post(rq, "close");
	else if (!post && !strcmp(u, "/api/stats"))
		lw_web_api_stats(rq);
	else
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
}

static void on_work(uv_work_t *wk)
{
	struct job *j = wk->data;

	j->rq.reply = (struct lw_http_reply){404, "text/plain; charset=utf-8", NULL, 0, 0, 0, NULL};
	route(&j->rq);
}

static void on_done(uv_work_t *wk, int status)
{
	struct job *j = wk->data;

	(void)status;
	lw_http_complete(j->pend, &j->rq.reply);
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
	j->rq.en = !strcmp(j->rq.lang, "en");
	pthread_mutex_lock(&w->mu);
	w->refs++;
	pthread_mutex_unlock(&w->mu);
	j->work.data = j;
	uv_queue_work(w->loop, &j->work, on_work, on_done);
	return 1;
}
