/*
 * transport_curl.c — the sinks' HTTP and SMTP transport on libcurl's easy
 * interface: synchronous for the CLI, or one transfer per job on libuv's
 * thread pool (uv_queue_work) for the daemon.
 *
 * Why not the core's libcurl-multi driver (core/http_client.h): it was not
 * merged into main when this was written.  The outbox only sees struct
 * lw_alert_transport, so switching to the driver is one new transport.
 *
 * E-mail: smtp:// URLs get STARTTLS and refuse to go on without it
 * (CURLUSESSL_ALL); smtps:// is TLS from the first byte.  Secrets (SMTP
 * password, signed URLs) never appear in messages: errors name the sink.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "alerts_int.h"

#define RESPONSE_MAX 65536

struct curl_tp {
	struct lw_alert_transport base;
	uv_loop_t *loop;
};

struct xfer {
	uv_work_t work;
	char *url, *body, *user, *pass, *ca, *from, **to, sink[72];
	size_t nto, off, rlen;
	char resp[RESPONSE_MAX];
	int64_t id;
	long timeout_ms;
	int smtp, robot;
	lw_alert_sent_cb cb;
	void *ud;
	int rc;
	char detail[256];
};

static void xfer_free(struct xfer *x)
{
	free(x->url);
	free(x->body);
	free(x->user);
	if (x->pass) {
		memset(x->pass, 0, strlen(x->pass));
		free(x->pass);
	}
	free(x->ca);
	free(x->from);
	for (size_t i = 0; i < x->nto; i++)
		free(x->to[i]);
	free(x->to);
	free(x);
}

static size_t on_write(char *p, size_t sz, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t len = sz * n, room = sizeof x->resp - 1 - x->rlen;
	memcpy(x->resp + x->rlen, p, len < room ? len : room);
	x->rlen += len < room ? len : room;
	x->resp[x->rlen] = '\0';
	return len;
}

static size_t on_read(char *p, size_t sz, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t left = strlen(x->body) - x->off, len = sz * n < left ? sz * n : left;
	memcpy(p, x->body + x->off, len);
	x->off += len;
	return len;
}

static void perform(struct xfer *x)
{
	struct curl_slist *hdr = NULL, *rcpt = NULL;
	char idhdr[64], errbuf[CURL_ERROR_SIZE] = "";
	CURL *c = curl_easy_init();
	CURLcode cc;
	long code = 0;

	x->rc = LW_EIO;
	if (!c) {
		snprintf(x->detail, sizeof x->detail, "cannot create a libcurl handle");
		x->rc = LW_ENOMEM;
		return;
	}
	curl_easy_setopt(c, CURLOPT_URL, x->url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, x->timeout_ms);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	if (x->ca)
		curl_easy_setopt(c, CURLOPT_CAINFO, x->ca);
	if (x->smtp) {
#if LIBCURL_VERSION_NUM >= 0x075500
		curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
#endif
		curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
		curl_easy_setopt(c, CURLOPT_MAIL_FROM, x->from);
		for (size_t i = 0; i < x->nto; i++)
			rcpt = curl_slist_append(rcpt, x->to[i]);
		curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
		curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(c, CURLOPT_READDATA, x);
		if (x->user)
			curl_easy_setopt(c, CURLOPT_USERNAME, x->user);
		if (x->pass)
			curl_easy_setopt(c, CURLOPT_PASSWORD, x->pass);
	} else {
#if LIBCURL_VERSION_NUM >= 0x075500
		curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
		snprintf(idhdr, sizeof idhdr, "X-Litwatch-Notification-Id: %lld", (long long)x->id);
		hdr = curl_slist_append(hdr, "Content-Type: application/json; charset=utf-8");
		hdr = curl_slist_append(hdr, idhdr);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, x->body);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	}
	cc = curl_easy_perform(c);
	if (cc != CURLE_OK) {
		/* A cut message is fine: it is a log line. */
		if (snprintf(x->detail, sizeof x->detail, "sink %s: %s", x->sink,
			     errbuf[0] ? errbuf : curl_easy_strerror(cc)) >= (int)sizeof x->detail)
			x->detail[sizeof x->detail - 1] = '\0';
	} else if (!x->smtp && (curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code),
				code < 200 || code > 299)) {
		snprintf(x->detail, sizeof x->detail, "sink %s: HTTP status %ld", x->sink, code);
	} else if (x->robot) {
		/* WeCom and DingTalk answer 200 with {"errcode":N,"errmsg":...}. */
		json_t *r = json_loads(x->resp, 0, NULL);
		json_t *ec = json_object_get(r, "errcode");
		if (ec && json_integer_value(ec) != 0)
			snprintf(x->detail, sizeof x->detail, "sink %s: robot errcode %lld: %.120s",
				 x->sink, (long long)json_integer_value(ec),
				 json_string_value(json_object_get(r, "errmsg"))
					 ? json_string_value(json_object_get(r, "errmsg")) : "");
		else
			x->rc = 0;
		json_decref(r);
	} else {
		x->rc = 0;
	}
	curl_slist_free_all(hdr);
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(c);
}

static void work_cb(uv_work_t *w)
{
	perform((struct xfer *)w->data);
}

static void after_cb(uv_work_t *w, int status)
{
	struct xfer *x = w->data;
	if (status == UV_ECANCELED) {
		x->rc = LW_ECANCELED;
		snprintf(x->detail, sizeof x->detail, "sink %s: cancelled", x->sink);
	}
	x->cb(x->ud, x->rc, x->rc ? x->detail : NULL);
	xfer_free(x);
}

static char *dup(const char *s, int *oom)
{
	char *d = s ? strdup(s) : NULL;
	if (s && !d)
		*oom = 1;
	return d;
}

static int tp_send(struct lw_alert_transport *t, const struct lw_alert_request *req,
		   lw_alert_sent_cb cb, void *ud)
{
	struct curl_tp *tp = (struct curl_tp *)t;
	struct xfer *x = calloc(1, sizeof *x);
	const struct lw_alert_sink *s = req->sink;
	int oom = 0;

	if (!x)
		return LW_ENOMEM;
	x->url = dup(req->url, &oom);
	x->body = dup(req->body, &oom);
	x->user = dup(s->username, &oom);
	x->pass = dup(s->password, &oom);
	x->ca = dup(s->ca_file, &oom);
	x->from = dup(s->from, &oom);
	x->to = calloc(s->nto + 1, sizeof *x->to);
	for (size_t i = 0; x->to && i < s->nto; i++, x->nto++)
		x->to[i] = dup(s->to[i], &oom);
	snprintf(x->sink, sizeof x->sink, "%s", s->name);
	x->id = req->notification_id;
	x->timeout_ms = (long)(s->timeout_ms > 0 ? s->timeout_ms : 10000);
	x->smtp = req->smtp;
	x->robot = s->type == LW_SINK_WECOM || s->type == LW_SINK_DINGTALK;
	x->cb = cb;
	x->ud = ud;
	if (oom || !x->to || !x->url || !x->body) {
		xfer_free(x);
		return LW_ENOMEM;
	}
	if (!tp->loop) {
		perform(x);
		cb(ud, x->rc, x->rc ? x->detail : NULL);
		xfer_free(x);
		return 0;
	}
	x->work.data = x;
	if (uv_queue_work(tp->loop, &x->work, work_cb, after_cb) != 0) {
		xfer_free(x);
		return LW_EIO;
	}
	return 0;
}

static void tp_free(struct lw_alert_transport *t)
{
	free(t);
}

int lw_alert_curl_transport_new(uv_loop_t *loop, struct lw_alert_transport **out,
				struct lw_err *e)
{
	struct curl_tp *tp = calloc(1, sizeof *tp);
	if (!tp)
		return lw_err_set(e, LW_ENOMEM, "out of memory");
	curl_global_init(CURL_GLOBAL_DEFAULT);
	tp->base.send = tp_send;
	tp->base.free = tp_free;
	tp->loop = loop;
	*out = &tp->base;
	return 0;
}
