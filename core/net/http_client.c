/*
 * http_client.c — libcurl multi on the libuv loop (see http_client.h).
 *
 * The glue follows curl's docs/examples/multi-uv.c: libcurl tells us which
 * sockets to watch (socket callback -> uv_poll start/stop) and when to call
 * it back (timer callback -> one uv_timer); we report readiness with
 * curl_multi_socket_action and collect finished transfers with
 * curl_multi_info_read.  A second uv timer ("defer") delivers cancelled
 * calls' callbacks on a later loop turn, so that no callback ever runs
 * inside lw_http_cancel() or lw_http_driver_close().
 */
#include "net/http_client.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "net/http_util.h"

#define DEF_CONNECT_MS 10000
#define DEF_TIMEOUT_MS 120000
#define DEF_MAX_SIZE (64 * 1024 * 1024)

struct sock_ctx {
	uv_poll_t poll;
	curl_socket_t fd;
	struct lw_http_driver *drv;
	struct sock_ctx *prev, *next;
};

enum call_state { CALL_ACTIVE, CALL_CANCELLED };

struct lw_http_call {
	struct lw_http_driver *drv;
	CURL *easy;
	enum call_state state;
	enum lw_http_method method;
	struct curl_slist *headers, *rcpt;
	const char *token; /* points into the Authorization entry of headers */
	char *upload;      /* mail message */
	size_t upload_len, upload_off;
	char *url_safe;    /* redacted, for messages */
	char *body;
	size_t len, cap, max;
	int over_limit;
	lw_http_done_cb cb;
	void *ud;
	char errbuf[CURL_ERROR_SIZE];
	struct lw_http_call *prev, *next; /* in drv->calls or drv->cancelled */
};

struct lw_http_driver {
	uv_loop_t *loop;
	CURLM *multi;
	CURLSH *share;
	uv_timer_t timer; /* libcurl's time-outs */
	uv_timer_t defer; /* callbacks of cancelled calls */
	struct sock_ctx *socks;
	struct lw_http_call *calls;     /* transfers in the multi handle */
	struct lw_http_call *cancelled; /* awaiting their callback */
	size_t ncalls;
	int closing, closed_multi, handles_open;
	void (*close_cb)(void *);
	void *close_ud;
};

/* ---- lists ---- */

static void call_link(struct lw_http_call **head, struct lw_http_call *c)
{
	c->prev = NULL;
	c->next = *head;
	if (*head)
		(*head)->prev = c;
	*head = c;
}

static void call_unlink(struct lw_http_call **head, struct lw_http_call *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		*head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->prev = c->next = NULL;
}

/* ---- freeing a call (wipes secrets) ---- */

static void wipe_list(struct curl_slist *l)
{
	for (; l; l = l->next)
		explicit_bzero(l->data, strlen(l->data));
}

static void call_free(struct lw_http_call *c)
{
	if (c->easy) {
		if (c->drv->multi)
			curl_multi_remove_handle(c->drv->multi, c->easy);
		curl_easy_cleanup(c->easy);
	}
	wipe_list(c->headers);
	curl_slist_free_all(c->headers);
	curl_slist_free_all(c->rcpt);
	free(c->upload);
	free(c->url_safe);
	free(c->body);
	free(c);
}

/* ---- completion ---- */

static void maybe_finish_close(struct lw_http_driver *drv);

static int curl_retryable(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

/* Copy one response header's value (the last response's). */
static char *header_dup(CURL *easy, const char *name)
{
	struct curl_header *h;

	if (curl_easy_header(easy, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK)
		return NULL;
	return strdup(h->value);
}

/* Replace every occurrence of secret in msg by "***". */
static void scrub(char *msg, size_t cap, const char *secret)
{
	size_t n;
	char *p;

	if (!secret || !*secret)
		return;
	n = strlen(secret);
	while ((p = strstr(msg, secret)) != NULL) {
		size_t rest = strlen(p + n);
		if (n >= 3) {
			memcpy(p, "***", 3);
			memmove(p + 3, p + n, rest + 1);
		} else {
			memset(p, '*', n);
		}
		(void)cap;
	}
}

static const char *method_name(enum lw_http_method m)
{
	return m == LW_HTTP_POST ? "POST" : m == LW_HTTP_MAIL ? "MAIL" : "GET";
}

/* Fill resp, run the callback, free the call.  rc is libcurl's result, or
 * ignored when the call was cancelled. */
static void complete(struct lw_http_call *c, CURLcode rc)
{
	struct lw_http_driver *drv = c->drv;
	struct lw_http_resp r = {0};
	char msg[LW_ERR_MSG_MAX] = "";
	char *etag = NULL, *lm = NULL, *ct = NULL, *ra = NULL;
	curl_off_t total = 0;

	r.retry_after_s = -1;
	if (c->state == CALL_CANCELLED) {
		call_unlink(&drv->cancelled, c);
		r.result = LW_ECANCELED;
		snprintf(msg, sizeof msg, "%s %s: cancelled", method_name(c->method), c->url_safe);
	} else {
		call_unlink(&drv->calls, c);
		curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &r.status);
		curl_easy_getinfo(c->easy, CURLINFO_NUM_CONNECTS, &r.num_connects);
		curl_easy_getinfo(c->easy, CURLINFO_TOTAL_TIME_T, &total);
		r.elapsed_ms = (int64_t)(total / 1000);
		r.curl_code = (int)rc;
		if (c->method != LW_HTTP_MAIL) {
			etag = header_dup(c->easy, "ETag");
			lm = header_dup(c->easy, "Last-Modified");
			ct = header_dup(c->easy, "Content-Type");
			ra = header_dup(c->easy, "Retry-After");
			if (ra)
				r.retry_after_s = lw_retry_after_parse(ra, (int64_t)time(NULL));
		}
		if (rc == CURLE_OK) {
			r.result = 0;
			if (!c->body)
				c->body = calloc(1, 1);
			if (!c->body) {
				r.result = LW_ENOMEM;
				snprintf(msg, sizeof msg, "%s %s: out of memory",
					 method_name(c->method), c->url_safe);
			}
			if (c->method == LW_HTTP_MAIL)
				r.retryable = r.status >= 400 && r.status < 500;
			else
				r.retryable = r.status == 408 || r.status == 429 || r.status >= 500;
		} else if (c->over_limit || rc == CURLE_FILESIZE_EXCEEDED) {
			r.result = LW_ELIMIT;
			snprintf(msg, sizeof msg, "%s %s: response larger than the limit of %zu bytes; "
				 "aborted", method_name(c->method), c->url_safe, c->max);
		} else {
			r.result = LW_EIO;
			r.retryable = curl_retryable(rc) ||
				(c->method == LW_HTTP_MAIL && r.status >= 400 && r.status < 500);
			snprintf(msg, sizeof msg, "%s %s: %s", method_name(c->method), c->url_safe,
				 c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc));
			if (r.status)
				snprintf(msg + strlen(msg), sizeof msg - strlen(msg),
					 " (last reply %ld)", r.status);
		}
	}
	scrub(msg, sizeof msg, c->token);
	r.error = msg;
	r.etag = etag;
	r.last_modified = lm;
	r.content_type = ct;
	if (r.result == 0) {
		r.body = c->body;
		r.body_len = c->len;
		c->body = NULL;
	}
	drv->ncalls--;
	c->cb(c->ud, &r);
	free(r.body); /* NULL when the callback took it */
	free(etag);
	free(lm);
	free(ct);
	free(ra);
	call_free(c);
	maybe_finish_close(drv);
}

static void check_done(struct lw_http_driver *drv)
{
	CURLMsg *m;
	int left;

	while (drv->multi && (m = curl_multi_info_read(drv->multi, &left)) != NULL) {
		struct lw_http_call *c = NULL;
		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&c);
		/* read the result before the message is gone */
		CURLcode rc = m->data.result;
		curl_multi_remove_handle(drv->multi, c->easy);
		complete(c, rc);
	}
}

/* ---- libcurl <-> libuv glue ---- */

static void on_sock_closed(uv_handle_t *h)
{
	struct sock_ctx *s = h->data;
	struct lw_http_driver *drv = s->drv;

	free(s);
	drv->handles_open--;
	maybe_finish_close(drv);
}

static void sock_close(struct sock_ctx *s)
{
	struct lw_http_driver *drv = s->drv;

	if (s->prev)
		s->prev->next = s->next;
	else
		drv->socks = s->next;
	if (s->next)
		s->next->prev = s->prev;
	uv_close((uv_handle_t *)&s->poll, on_sock_closed);
}

static void on_poll(uv_poll_t *p, int status, int events)
{
	struct sock_ctx *s = p->data;
	struct lw_http_driver *drv = s->drv;
	int flags = 0, running;

	if (status < 0)
		flags = CURL_CSELECT_ERR;
	if (events & UV_READABLE)
		flags |= CURL_CSELECT_IN;
	if (events & UV_WRITABLE)
		flags |= CURL_CSELECT_OUT;
	curl_multi_socket_action(drv->multi, s->fd, flags, &running);
	check_done(drv);
}

static int on_curl_socket(CURL *easy, curl_socket_t fd, int action, void *userp, void *socketp)
{
	struct lw_http_driver *drv = userp;
	struct sock_ctx *s = socketp;
	int events = 0;

	if (action == CURL_POLL_REMOVE) {
		if (s) {
			uv_poll_stop(&s->poll);
			curl_multi_assign(drv->multi, fd, NULL);
			sock_close(s);
		}
		return 0;
	}
	if (!s) {
		s = calloc(1, sizeof *s);
		if (!s)
			return -1;
		if (uv_poll_init_socket(drv->loop, &s->poll, fd) != 0) {
			free(s);
			return -1;
		}
		s->fd = fd;
		s->drv = drv;
		s->poll.data = s;
		s->next = drv->socks;
		if (s->next)
			s->next->prev = s;
		drv->socks = s;
		drv->handles_open++;
		curl_multi_assign(drv->multi, fd, s);
	}
	if (action & CURL_POLL_IN)
		events |= UV_READABLE;
	if (action & CURL_POLL_OUT)
		events |= UV_WRITABLE;
	uv_poll_start(&s->poll, events, on_poll);
	return 0;
}

static void on_timer(uv_timer_t *t)
{
	struct lw_http_driver *drv = t->data;
	int running;

	curl_multi_socket_action(drv->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(drv);
}

static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
	struct lw_http_driver *drv = userp;

	if (timeout_ms < 0)
		uv_timer_stop(&drv->timer);
	else
		uv_timer_start(&drv->timer, on_timer, (uint64_t)timeout_ms, 0);
	return 0;
}

static void on_defer(uv_timer_t *t)
{
	struct lw_http_driver *drv = t->data;

	while (drv->cancelled)
		complete(drv->cancelled, CURLE_OK);
	maybe_finish_close(drv);
}

/* ---- driver ---- */

int lw_http_driver_new(uv_loop_t *loop, struct lw_http_driver **out, struct lw_err *err)
{
	struct lw_http_driver *drv;

	*out = NULL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return lw_err_set(err, LW_EIO, "libcurl failed to initialise");
	drv = calloc(1, sizeof *drv);
	if (!drv)
		goto nomem;
	drv->loop = loop;
	drv->multi = curl_multi_init();
	drv->share = curl_share_init();
	if (!drv->multi || !drv->share)
		goto nomem;
	/* DNS answers and TLS sessions are shared by all requests; the
	 * multi handle's own cache already shares connections. */
	curl_share_setopt(drv->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(drv->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	curl_multi_setopt(drv->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
	curl_multi_setopt(drv->multi, CURLMOPT_SOCKETDATA, drv);
	curl_multi_setopt(drv->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
	curl_multi_setopt(drv->multi, CURLMOPT_TIMERDATA, drv);
	curl_multi_setopt(drv->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 8L);
	uv_timer_init(loop, &drv->timer);
	uv_timer_init(loop, &drv->defer);
	drv->timer.data = drv->defer.data = drv;
	/* The timers stay referenced: a transfer waiting on libcurl's timer
	 * (no socket yet) must keep uv_run alive.  Idle, both are stopped and
	 * so keep nothing alive. */
	drv->handles_open = 2;
	*out = drv;
	return 0;
nomem:
	if (drv) {
		if (drv->multi)
			curl_multi_cleanup(drv->multi);
		if (drv->share)
			curl_share_cleanup(drv->share);
		free(drv);
	}
	curl_global_cleanup();
	return lw_err_set(err, LW_ENOMEM, "out of memory creating the HTTP client");
}

size_t lw_http_in_flight(const struct lw_http_driver *drv)
{
	return drv ? drv->ncalls : 0;
}

static void on_timer_closed(uv_handle_t *h)
{
	struct lw_http_driver *drv = h->data;

	drv->handles_open--;
	maybe_finish_close(drv);
}

/* Once closing and no call is left: close libcurl and every uv handle;
 * free the driver when the last handle's close callback has run. */
static void maybe_finish_close(struct lw_http_driver *drv)
{
	if (!drv->closing || drv->ncalls > 0)
		return;
	if (!drv->closed_multi) {
		drv->closed_multi = 1;
		for (struct sock_ctx *s = drv->socks; s; s = s->next)
			uv_poll_stop(&s->poll);
		/* May call on_curl_socket(REMOVE) for cached connections. */
		curl_multi_cleanup(drv->multi);
		drv->multi = NULL;
		curl_share_cleanup(drv->share);
		drv->share = NULL;
		while (drv->socks)
			sock_close(drv->socks);
		uv_close((uv_handle_t *)&drv->timer, on_timer_closed);
		uv_close((uv_handle_t *)&drv->defer, on_timer_closed);
		return;
	}
	if (drv->handles_open == 0) {
		void (*cb)(void *) = drv->close_cb;
		void *ud = drv->close_ud;
		free(drv);
		curl_global_cleanup();
		if (cb)
			cb(ud);
	}
}

void lw_http_cancel(struct lw_http_call *c)
{
	struct lw_http_driver *drv;

	if (!c || c->state != CALL_ACTIVE)
		return;
	drv = c->drv;
	curl_multi_remove_handle(drv->multi, c->easy);
	call_unlink(&drv->calls, c);
	c->state = CALL_CANCELLED;
	call_link(&drv->cancelled, c);
	uv_timer_start(&drv->defer, on_defer, 0, 0);
}

void lw_http_abort(struct lw_http_call *c)
{
	struct lw_http_driver *drv;

	if (!c)
		return;
	drv = c->drv;
	call_unlink(c->state == CALL_ACTIVE ? &drv->calls : &drv->cancelled, c);
	drv->ncalls--;
	call_free(c);
	if (drv->closing)
		uv_timer_start(&drv->defer, on_defer, 0, 0); /* finish the close there */
}

void lw_http_driver_close(struct lw_http_driver *drv, void (*cb)(void *), void *ud)
{
	if (!drv || drv->closing)
		return;
	drv->closing = 1;
	drv->close_cb = cb;
	drv->close_ud = ud;
	while (drv->calls)
		lw_http_cancel(drv->calls);
	/* Finish on a later loop turn, never inside this call. */
	uv_timer_start(&drv->defer, on_defer, 0, 0);
}

/* ---- requests ---- */

static size_t on_write(char *data, size_t size, size_t n, void *ud)
{
	struct lw_http_call *c = ud;
	size_t len = size * n;

	if (len > c->max - c->len) {
		c->over_limit = 1;
		return 0; /* abort: CURLE_WRITE_ERROR */
	}
	if (c->len + len + 1 > c->cap) {
		size_t cap = c->cap ? c->cap : 16384;
		char *b;
		while (cap < c->len + len + 1)
			cap *= 2;
		if (cap > c->max + 1)
			cap = c->max + 1;
		b = realloc(c->body, cap);
		if (!b)
			return 0;
		c->body = b;
		c->cap = cap;
	}
	memcpy(c->body + c->len, data, len);
	c->len += len;
	c->body[c->len] = '\0';
	return len;
}

static size_t on_read(char *buf, size_t size, size_t n, void *ud)
{
	struct lw_http_call *c = ud;
	size_t len = size * n, left = c->upload_len - c->upload_off;

	if (len > left)
		len = left;
	memcpy(buf, c->upload + c->upload_off, len);
	c->upload_off += len;
	return len;
}

static int has_scheme(const char *url, const char *s)
{
	size_t n = strlen(s);
	return !strncasecmp(url, s, n);
}

static int has_crlf(const char *s)
{
	return s && strpbrk(s, "\r\n") != NULL;
}

/* The URL's host is 127.0.0.1, ::1 or localhost. */
static int is_loopback(const char *url)
{
	CURLU *u = curl_url();
	char *host = NULL;
	int yes = 0;

	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
		yes = !strcmp(host, "127.0.0.1") || !strcmp(host, "[::1]") ||
		      !strcasecmp(host, "localhost");
	curl_free(host);
	curl_url_cleanup(u);
	return yes;
}

static int append(struct curl_slist **l, const char *s)
{
	struct curl_slist *n = curl_slist_append(*l, s);
	if (!n)
		return -1;
	*l = n;
	return 0;
}

/* Headers: the caller's, conditional ones, and the bearer token last so
 * that c->token can point into its copy. */
static int build_headers(struct lw_http_call *c, const struct lw_http_req *req,
			 struct lw_err *err)
{
	char line[1024];

	for (const char *const *h = req->headers; h && *h; h++) {
		if (has_crlf(*h) || !strchr(*h, ':'))
			return lw_err_set(err, LW_EINVAL, "%s: header \"%.60s\" is not one "
					  "\"Name: value\" line", c->url_safe, *h);
		if (append(&c->headers, *h))
			return LW_ENOMEM;
	}
	if (req->if_none_match) {
		if (has_crlf(req->if_none_match) ||
		    snprintf(line, sizeof line, "If-None-Match: %s", req->if_none_match) >=
		    (int)sizeof line)
			return lw_err_set(err, LW_EINVAL, "%s: bad If-None-Match value", c->url_safe);
		if (append(&c->headers, line))
			return LW_ENOMEM;
	}
	if (req->if_modified_since) {
		if (has_crlf(req->if_modified_since) ||
		    snprintf(line, sizeof line, "If-Modified-Since: %s", req->if_modified_since) >=
		    (int)sizeof line)
			return lw_err_set(err, LW_EINVAL, "%s: bad If-Modified-Since value",
					  c->url_safe);
		if (append(&c->headers, line))
			return LW_ENOMEM;
	}
	if (req->bearer_token && *req->bearer_token) {
		static const char pfx[] = "Authorization: Bearer ";
		size_t n = strlen(req->bearer_token);
		char *tmp;
		struct curl_slist *last;
		if (has_crlf(req->bearer_token))
			return lw_err_set(err, LW_EINVAL, "%s: the bearer token contains a line "
					  "break (check the token file)", c->url_safe);
		tmp = malloc(sizeof pfx + n);
		if (!tmp)
			return LW_ENOMEM;
		memcpy(tmp, pfx, sizeof pfx - 1);
		memcpy(tmp + sizeof pfx - 1, req->bearer_token, n + 1);
		if (append(&c->headers, tmp)) {
			explicit_bzero(tmp, sizeof pfx + n);
			free(tmp);
			return LW_ENOMEM;
		}
		explicit_bzero(tmp, sizeof pfx + n);
		free(tmp);
		for (last = c->headers; last->next; last = last->next)
			;
		c->token = last->data + sizeof pfx - 1;
	}
	return 0;
}

static int setup_mail(struct lw_http_call *c, const struct lw_http_req *req, struct lw_err *err)
{
	CURL *e = c->easy;

	if (!has_scheme(req->url, "smtp://") && !has_scheme(req->url, "smtps://"))
		return lw_err_set(err, LW_EINVAL, "%s: mail needs an smtp:// or smtps:// URL",
				  c->url_safe);
	if (!req->mail_from || !req->mail_rcpt || !req->mail_rcpt[0])
		return lw_err_set(err, LW_EINVAL, "%s: mail needs a sender and at least one "
				  "recipient", c->url_safe);
	if (req->tls == LW_TLS_NONE_LOOPBACK && !is_loopback(req->url))
		return lw_err_set(err, LW_EINVAL, "%s: mail without TLS is allowed to 127.0.0.1, "
				  "::1 or localhost only", c->url_safe);
	for (const char *const *r = req->mail_rcpt; *r; r++) {
		if (has_crlf(*r))
			return lw_err_set(err, LW_EINVAL, "%s: bad recipient", c->url_safe);
		if (append(&c->rcpt, *r))
			return LW_ENOMEM;
	}
	if (has_crlf(req->mail_from))
		return lw_err_set(err, LW_EINVAL, "%s: bad sender", c->url_safe);
	c->upload = malloc(req->body_len ? req->body_len : 1);
	if (!c->upload)
		return LW_ENOMEM;
	if (req->body_len)
		memcpy(c->upload, req->body, req->body_len);
	c->upload_len = req->body_len;
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(e, CURLOPT_MAIL_FROM, req->mail_from);
	curl_easy_setopt(e, CURLOPT_MAIL_RCPT, c->rcpt);
	curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(e, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(e, CURLOPT_READDATA, c);
	curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)req->body_len);
	curl_easy_setopt(e, CURLOPT_USE_SSL, req->tls == LW_TLS_NONE_LOOPBACK ?
			 (long)CURLUSESSL_NONE : (long)CURLUSESSL_ALL);
	if (req->username)
		curl_easy_setopt(e, CURLOPT_USERNAME, req->username);
	if (req->password)
		curl_easy_setopt(e, CURLOPT_PASSWORD, req->password);
	return 0;
}

static int setup_http(struct lw_http_call *c, const struct lw_http_req *req, struct lw_err *err)
{
	CURL *e = c->easy;
	int rc;

	if (!has_scheme(req->url, "http://") && !has_scheme(req->url, "https://"))
		return lw_err_set(err, LW_EINVAL, "%s: only http:// and https:// URLs are allowed",
				  c->url_safe);
	if ((rc = build_headers(c, req, err)) != 0)
		return rc == LW_ENOMEM ? lw_err_set(err, rc, "out of memory") : rc;
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, c->headers);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->max);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, ""); /* what libcurl can decode */
	if (req->follow_redirects) {
		curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
		curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	}
	if (req->method == LW_HTTP_POST) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
		curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, req->body_len ? req->body : "");
	}
	return 0;
}

int lw_http_request(struct lw_http_driver *drv, const struct lw_http_req *reqp,
		    lw_http_done_cb cb, void *ud, struct lw_http_call **out, struct lw_err *err)
{
	struct lw_http_req r = {0}, *req = &r;
	struct lw_http_call *c = NULL;
	CURL *e;
	int rc;

	if (out)
		*out = NULL;
	/* Read only the fields the caller's struct_size covers (a plugin
	 * built against an older header has a shorter struct). */
	if (reqp && reqp->struct_size >= sizeof reqp->struct_size)
		memcpy(&r, reqp, reqp->struct_size < sizeof r ? reqp->struct_size : sizeof r);
	if (!drv || !cb || !req->url)
		return lw_err_set(err, LW_EINVAL, "HTTP request without a URL or a callback "
				  "(or struct_size not set)");
	if (drv->closing)
		return lw_err_set(err, LW_ECANCELED, "HTTP client is shutting down");
	if (req->method > LW_HTTP_MAIL)
		return lw_err_set(err, LW_EINVAL, "HTTP request: unknown method %d", (int)req->method);
	c = calloc(1, sizeof *c);
	if (!c || !(c->url_safe = lw_url_redact(req->url, NULL)) || !(c->easy = curl_easy_init())) {
		rc = lw_err_set(err, LW_ENOMEM, "out of memory");
		goto fail;
	}
	c->drv = drv;
	c->cb = cb;
	c->ud = ud;
	c->method = req->method;
	c->max = req->max_size > 0 ? (size_t)req->max_size : DEF_MAX_SIZE;
	e = c->easy;
	curl_easy_setopt(e, CURLOPT_PRIVATE, c);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_SHARE, drv->share);
	if (curl_easy_setopt(e, CURLOPT_URL, req->url) != CURLE_OK) {
		rc = lw_err_set(err, LW_EINVAL, "%s: not a valid URL", c->url_safe);
		goto fail;
	}
	/* Verification is never turned off; ca_file replaces the store. */
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (req->ca_file)
		curl_easy_setopt(e, CURLOPT_CAINFO, req->ca_file);
	/* "" disables proxies, including ones from the environment. */
	curl_easy_setopt(e, CURLOPT_PROXY, req->proxy ? req->proxy : "");
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
			 (long)(req->connect_timeout_ms > 0 ? req->connect_timeout_ms : DEF_CONNECT_MS));
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
			 (long)(req->timeout_ms > 0 ? req->timeout_ms : DEF_TIMEOUT_MS));
	if (req->low_speed_time_ms > 0 && req->low_speed_limit > 0) {
		curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, (long)req->low_speed_limit);
		curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME,
				 (long)((req->low_speed_time_ms + 999) / 1000));
	}
	rc = req->method == LW_HTTP_MAIL ? setup_mail(c, req, err) : setup_http(c, req, err);
	if (rc != 0) {
		if (rc == LW_ENOMEM)
			lw_err_set(err, rc, "out of memory");
		goto fail;
	}
	if (curl_multi_add_handle(drv->multi, e) != CURLM_OK) {
		rc = lw_err_set(err, LW_ENOMEM, "%s: libcurl refused the transfer", c->url_safe);
		goto fail;
	}
	call_link(&drv->calls, c);
	drv->ncalls++;
	if (out)
		*out = c;
	return 0;
fail:
	if (c) {
		c->drv = drv;
		call_free(c);
	}
	return rc;
}
