/*
 * transport_http.c — the sinks' deliveries on the core's libcurl-multi
 * driver (core/http_client.h): webhook, WeCom and DingTalk POSTs and SMTP
 * mail, on the loop thread, no thread per request, connections reused.
 *
 * E-mail: smtp:// URLs get STARTTLS and refuse to go on without it (the
 * driver's LW_TLS_REQUIRED); smtps:// is TLS from the first byte.  Secrets
 * (SMTP password, signed URLs) never appear in messages: the driver scrubs
 * its errors and ours name the sink only.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/alerts_int.h"
#include "net/http_client.h"

struct send {
	lw_alert_sent_cb cb;
	void *ud;
	char sink[72];
	int smtp, robot;
};

static void on_done(void *ud, struct lw_http_resp *r)
{
	struct send *s = ud;
	char detail[256] = "";
	int rc = LW_EIO;

	if (r->result != 0) {
		rc = r->result == LW_ECANCELED ? LW_ECANCELED : LW_EIO;
		snprintf(detail, sizeof detail, "sink %s: %s", s->sink,
			 r->error && r->error[0] ? r->error : lw_strerror(r->result));
	} else if (s->smtp) {
		rc = 0; /* libcurl checks every SMTP reply up to the end of DATA */
	} else if (r->status < 200 || r->status > 299) {
		snprintf(detail, sizeof detail, "sink %s: HTTP status %ld", s->sink, r->status);
	} else if (s->robot) {
		/* WeCom and DingTalk answer 200 with {"errcode":N,"errmsg":...}. */
		json_t *doc = json_loadb(r->body, r->body_len, 0, NULL);
		json_t *ec = json_object_get(doc, "errcode");
		const char *msg = json_string_value(json_object_get(doc, "errmsg"));
		if (ec && json_integer_value(ec) != 0)
			snprintf(detail, sizeof detail, "sink %s: robot errcode %lld: %.120s", s->sink,
				 (long long)json_integer_value(ec), msg ? msg : "");
		else
			rc = 0;
		json_decref(doc);
	} else {
		rc = 0;
	}
	s->cb(s->ud, rc, rc ? detail : NULL);
	free(s);
}

int lw_alert_send(struct lw_http_driver *drv, const struct lw_alert_sink *sink,
		  const struct lw_outbox_msg *m, lw_alert_sent_cb cb, void *ud, struct lw_err *e)
{
	struct lw_http_req req = {.struct_size = sizeof req};
	struct send *s;
	char idhdr[64];
	const char *hdrs[] = {"Content-Type: application/json; charset=utf-8", idhdr, NULL};
	const char **rcpt = NULL;
	int rc;

	if (!drv)
		return lw_err_set(e, LW_EINVAL, "sink %s: no HTTP driver", sink->name);
	if (!(s = calloc(1, sizeof *s)))
		return lw_err_set(e, LW_ENOMEM, "out of memory");
	s->cb = cb;
	s->ud = ud;
	snprintf(s->sink, sizeof s->sink, "%s", sink->name);
	s->smtp = m->smtp;
	s->robot = sink->type == LW_SINK_WECOM || sink->type == LW_SINK_DINGTALK;
	req.url = m->url;
	req.body = m->body;
	req.body_len = strlen(m->body);
	req.ca_file = sink->ca_file;
	req.timeout_ms = sink->timeout_ms > 0 ? sink->timeout_ms : 10000;
	req.max_size = 65536; /* robots answer a few bytes */
	if (m->smtp) {
		if (!(rcpt = calloc(sink->nto + 1, sizeof *rcpt))) {
			free(s);
			return lw_err_set(e, LW_ENOMEM, "out of memory");
		}
		for (size_t i = 0; i < sink->nto; i++)
			rcpt[i] = sink->to[i];
		req.method = LW_HTTP_MAIL;
		req.mail_from = sink->from;
		req.mail_rcpt = rcpt;
		req.username = sink->username;
		req.password = sink->password;
	} else {
		snprintf(idhdr, sizeof idhdr, "X-Litwatch-Notification-Id: %lld", (long long)m->o.id);
		req.method = LW_HTTP_POST;
		req.headers = hdrs;
	}
	rc = lw_http_request(drv, &req, on_done, s, NULL, e);
	free(rcpt);
	if (rc != 0)
		free(s);
	return rc;
}
