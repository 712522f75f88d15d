/*
 * sinks.c — what each sink receives, rendered from a notification's stored
 * payload (the Alertmanager-like document notify.c queued):
 *
 *   webhook   the document itself plus "notificationId" (receivers drop
 *             repeats by it: delivery is at-least-once);
 *   wecom     {"msgtype":"markdown","markdown":{"content":...}} (企业微信群机器人);
 *   dingtalk  {"msgtype":"markdown","markdown":{"title":...,"text":...}}
 *             (钉钉自定义机器人), URL signed with &timestamp=&sign= when a
 *             secret is set;
 *   email     a whole RFC 5322 message (UTF-8, base64 body) for SMTP;
 *   log       one line.
 *
 * Markdown is in Chinese first, English after, for agency staff.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/alerts_int.h"
#include "base/strbuf.h"

/* WeCom rejects markdown content above 4096 bytes; DingTalk's limit is
 * larger but a phone screen is not. */
#define MD_LIMIT 3800



static const char *s_or(json_t *o, const char *k, const char *def)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : def;
}

/* Markdown shared by WeCom and DingTalk.  title receives a short title. */
static void markdown(json_t *doc, int64_t id, struct lw_strbuf *b, char *title, size_t tlen)
{
	json_t *alerts = json_object_get(doc, "alerts"), *a;
	size_t n = json_array_size(alerts), firing = 0, i, shown = 0;

	json_array_foreach(alerts, i, a)
		firing += !strcmp(s_or(a, "status", ""), "firing");
	snprintf(title, tlen, "litwatch 预警：%zu 条触发，%zu 条恢复", firing, n - firing);
	lw_strbuf_printf(b, "### 【litwatch 预警】%zu 条触发 / %zu firing，%zu 条恢复 / %zu resolved\n",
		firing, firing, n - firing, n - firing);
	json_array_foreach(alerts, i, a) {
		json_t *l = json_object_get(a, "labels");
		int fire = !strcmp(s_or(a, "status", ""), "firing");
		size_t before = b->len;
		lw_strbuf_printf(b, "\n> **%s%s** 规则 rule `%s` · 级别 %s · 期间 %s\n> %s\n",
			fire ? "触发 FIRING" : "恢复 RESOLVED",
			json_is_true(json_object_get(a, "repeat")) ? "（仍在触发 still firing）" : "",
			s_or(l, "rule", "?"), s_or(l, "severity", "?"), s_or(a, "period", "?"),
			s_or(json_object_get(a, "annotations"), "summary", ""));
		if (b->len > MD_LIMIT && shown > 0) {
			b->len = before;
			b->p[b->len] = '\0';
			lw_strbuf_printf(b, "\n……另有 %zu 条，见 `litwatch alerts list` / %zu more\n",
				n - shown, n - shown);
			break;
		}
		shown++;
	}
	lw_strbuf_printf(b, "\n通知编号 notification #%lld · %s\n", (long long)id,
		s_or(doc, "evaluatedAt", ""));
}

char *lw_b64(const unsigned char *in, size_t len)
{
	static const char tbl[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = malloc((len + 2) / 3 * 4 + len / 57 * 2 + 3), *o = out;
	size_t i, col = 0;

	if (!out)
		return NULL;
	for (i = 0; i < len; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (i + 1 < len ? (unsigned)in[i + 1] << 8 : 0) |
			     (i + 2 < len ? in[i + 2] : 0);
		*o++ = tbl[v >> 18 & 63];
		*o++ = tbl[v >> 12 & 63];
		*o++ = i + 1 < len ? tbl[v >> 6 & 63] : '=';
		*o++ = i + 2 < len ? tbl[v & 63] : '=';
		if ((col += 4) == 76 && i + 3 < len) {
			*o++ = '\r';
			*o++ = '\n';
			col = 0;
		}
	}
	*o = '\0';
	return out;
}

static int email(const struct lw_alert_sink *sink, json_t *doc, int64_t id, struct lw_strbuf *b)
{
	struct lw_strbuf text = {0}, md = {0};
	char title[256], *subj = NULL, *body = NULL;
	json_t *a;
	size_t i;

	markdown(doc, id, &md, title, sizeof title); /* for the title */
	free(md.p);
	lw_strbuf_printf(&text, "%s\n\n", title);
	json_array_foreach(json_object_get(doc, "alerts"), i, a) {
		json_t *l = json_object_get(a, "labels");
		lw_strbuf_printf(&text, "[%s] %s %s\n  %s\n  alert #%lld, fingerprint %s\n\n",
			!strcmp(s_or(a, "status", ""), "firing") ? "触发 FIRING" : "恢复 RESOLVED",
			s_or(l, "rule", "?"), s_or(a, "period", "?"),
			s_or(json_object_get(a, "annotations"), "summary", ""),
			(long long)json_integer_value(json_object_get(a, "alertId")),
			s_or(a, "fingerprint", ""));
	}
	lw_strbuf_printf(&text, "litwatch notification #%lld, evaluated %s\n"
		       "查看 / details: litwatch alerts list\n",
		(long long)id, s_or(doc, "evaluatedAt", ""));
	subj = lw_b64((const unsigned char *)title, strlen(title));
	body = text.p ? lw_b64((const unsigned char *)text.p, text.len) : NULL;
	if (!subj || !body || text.oom) {
		free(subj);
		free(body);
		free(text.p);
		return LW_ENOMEM;
	}
	lw_strbuf_printf(b, "From: %s\r\nTo: ", sink->from);
	for (i = 0; i < sink->nto; i++)
		lw_strbuf_printf(b, "%s%s", i ? ", " : "", sink->to[i]);
	lw_strbuf_printf(b, "\r\nSubject: =?UTF-8?B?%s?=\r\n"
		   "Message-ID: <litwatch-notification-%lld@litwatch>\r\n"
		   "X-Litwatch-Notification-Id: %lld\r\n"
		   "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
		   "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n",
		subj, (long long)id, (long long)id, body);
	free(subj);
	free(body);
	free(text.p);
	return 0;
}

int lw_sink_render(const struct lw_alert_sink *sink, int64_t id, const char *payload,
		   int64_t now_ms, char **url, char **body, struct lw_err *e)
{
	json_t *doc = json_loads(payload, 0, NULL), *out = NULL;
	struct lw_strbuf b = {0}, md = {0};
	char title[256];
	int rc = 0;

	*url = *body = NULL;
	if (!doc)
		return lw_err_set(e, LW_EFORMAT, "notification %lld: stored payload is not JSON",
				  (long long)id);
	json_object_set_new(doc, "notificationId", json_integer((json_int_t)id));
	switch (sink->type) {
	case LW_SINK_WEBHOOK:
		*body = lw_json_canon(doc);
		break;
	case LW_SINK_WECOM:
		markdown(doc, id, &md, title, sizeof title);
		out = json_pack("{s:s, s:{s:s}}", "msgtype", "markdown", "markdown", "content",
				md.p ? md.p : "");
		*body = out ? lw_json_canon(out) : NULL;
		break;
	case LW_SINK_DINGTALK:
		markdown(doc, id, &md, title, sizeof title);
		out = json_pack("{s:s, s:{s:s, s:s}}", "msgtype", "markdown", "markdown", "title",
				title, "text", md.p ? md.p : "");
		*body = out ? lw_json_canon(out) : NULL;
		break;
	case LW_SINK_EMAIL:
		if ((rc = email(sink, doc, id, &b)) == 0)
			*body = b.p, b.p = NULL;
		break;
	case LW_SINK_LOG: {
		json_t *a;
		size_t i;
		lw_strbuf_printf(&b, "notification #%lld to %s: %s", (long long)id, sink->name,
			s_or(doc, "status", "?"));
		json_array_foreach(json_object_get(doc, "alerts"), i, a)
			lw_strbuf_printf(&b, "; [%s] %s %s: %s", s_or(a, "status", "?"),
				s_or(json_object_get(a, "labels"), "rule", "?"), s_or(a, "period", "?"),
				s_or(json_object_get(a, "annotations"), "summary", ""));
		*body = b.p;
		b.p = NULL;
		break;
	}
	}
	if (sink->url) {
		if (sink->type == LW_SINK_DINGTALK && sink->secret) {
			char *sign = lw_dingtalk_sign(sink->secret, now_ms);
			size_t len = strlen(sink->url) + (sign ? strlen(sign) : 0) + 64;
			if (sign && (*url = malloc(len)))
				snprintf(*url, len, "%s%ctimestamp=%lld&sign=%s", sink->url,
					 strchr(sink->url, '?') ? '&' : '?', (long long)now_ms, sign);
			free(sign);
		} else {
			*url = strdup(sink->url);
		}
	}
	if (rc == 0 && (!*body || md.oom || b.oom || (sink->url && !*url)))
		rc = LW_ENOMEM;
	if (rc) {
		free(*url);
		free(*body);
		*url = *body = NULL;
		lw_err_set(e, rc, "notification %lld: out of memory", (long long)id);
	}
	free(b.p);
	free(md.p);
	json_decref(out);
	json_decref(doc);
	return rc;
}
