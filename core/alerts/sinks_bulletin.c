/*
 * sinks_bulletin.c — a scheduled bulletin for each kind of sink (alerts.h:
 * lw_sink_render_bulletin).  E-mail: multipart/mixed, the summary as
 * UTF-8 text and the XLSX attached (base64); WeCom / DingTalk robots: the
 * markdown message type with the summary and the top 3; webhook: JSON.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/alerts_int.h"

#define BOUNDARY "litwatch-bulletin-6f1c2a"
/* Attachments above this are not mailed (mail servers refuse them). */
#define ATTACH_MAX (20u << 20)

static char *slurp(const char *path, size_t *len, struct lw_err *e)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f) {
		lw_err_set(e, LW_EIO, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && (size_t)n <= ATTACH_MAX &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) &&
	    fread(buf, 1, (size_t)n, f) == (size_t)n) {
		*len = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
		lw_err_set(e, LW_EIO, "%s: cannot read the attachment (at most %u MiB)", path,
			   ATTACH_MAX >> 20);
	}
	fclose(f);
	return buf;
}

/* RFC 2047 subject: encoded words of at most 45 bytes of UTF-8 each (cut
 * between characters), folded onto continuation lines. */
static void put_subject(FILE *m, const char *t)
{
	size_t len = strlen(t), at = 0;

	fputs("Subject:", m);
	while (at < len) {
		size_t n = len - at > 45 ? 45 : len - at;
		char *w;
		while (n > 0 && at + n < len && ((unsigned char)t[at + n] & 0xC0) == 0x80)
			n--; /* do not cut a character */
		if (!n)
			n = len - at;
		w = lw_b64((const unsigned char *)t + at, n);
		fprintf(m, "%s=?UTF-8?B?%s?=", at ? "\r\n " : " ", w ? w : "");
		free(w);
		at += n;
	}
	fputs("\r\n", m);
}

static char *email(const struct lw_alert_sink *sink, const struct lw_bulletin_msg *b,
		   struct lw_err *e)
{
	char *text = lw_b64((const unsigned char *)b->markdown, strlen(b->markdown));
	char *att = NULL, *data = NULL, *out = NULL;
	size_t alen = 0, cap;
	FILE *m;

	if (b->attach_path && (data = slurp(b->attach_path, &alen, e)) &&
	    !(att = lw_b64((const unsigned char *)data, alen)))
		lw_err_set(e, LW_ENOMEM, "out of memory");
	free(data);
	if (!text || (b->attach_path && !att)) {
		if (!text)
			lw_err_set(e, LW_ENOMEM, "out of memory");
		goto out;
	}
	if (!(m = open_memstream(&out, &cap))) {
		lw_err_set(e, LW_ENOMEM, "out of memory");
		goto out;
	}
	fprintf(m, "From: %s\r\nTo: ", sink->from);
	for (size_t i = 0; i < sink->nto; i++)
		fprintf(m, "%s%s", i ? ", " : "", sink->to[i]);
	fputs("\r\n", m);
	put_subject(m, b->title);
	fprintf(m, "Message-ID: <litwatch-bulletin-%s-%s@litwatch>\r\n"
		   "X-Litwatch-Bulletin: %s %s\r\n"
		   "MIME-Version: 1.0\r\n"
		   "Content-Type: multipart/mixed; boundary=\"" BOUNDARY "\"\r\n\r\n"
		   "--" BOUNDARY "\r\n"
		   "Content-Type: text/plain; charset=UTF-8\r\n"
		   "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n",
		b->name, b->period, b->name, b->period, text);
	if (att)
		fprintf(m, "--" BOUNDARY "\r\n"
			   "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;"
			   " name=\"%s\"\r\n"
			   "Content-Disposition: attachment; filename=\"%s\"\r\n"
			   "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n",
			b->attach_name, b->attach_name, att);
	fprintf(m, "--" BOUNDARY "--\r\n");
	if (fclose(m) != 0) {
		free(out);
		out = NULL;
		lw_err_set(e, LW_ENOMEM, "out of memory");
	}
out:
	free(text);
	free(att);
	return out;
}

int lw_sink_render_bulletin(const struct lw_alert_sink *sink, const struct lw_bulletin_msg *b,
			    int64_t now_ms, struct lw_outbox_msg *m, struct lw_err *e)
{
	json_t *doc = NULL;

	memset(m, 0, sizeof *m);
	snprintf(m->o.sink, sizeof m->o.sink, "%s", sink->name);
	switch (sink->type) {
	case LW_SINK_LOG:
		m->log = 1;
		return 0;
	case LW_SINK_EMAIL:
		if (!(m->body = email(sink, b, e)))
			return e->code ? e->code : LW_ENOMEM;
		m->smtp = 1;
		break;
	case LW_SINK_WECOM:
		doc = json_pack("{s:s, s:{s:s}}", "msgtype", "markdown", "markdown", "content",
				b->markdown);
		break;
	case LW_SINK_DINGTALK:
		doc = json_pack("{s:s, s:{s:s, s:s}}", "msgtype", "markdown", "markdown", "title",
				b->title, "text", b->markdown);
		break;
	case LW_SINK_WEBHOOK:
		doc = json_pack("{s:s, s:s, s:s, s:s}", "bulletin", b->name, "period", b->period,
				"title", b->title, "markdown", b->markdown);
		break;
	}
	if (doc) {
		m->body = lw_json_canon(doc);
		json_decref(doc);
		if (!m->body)
			return lw_err_set(e, LW_ENOMEM, "out of memory");
	}
	if (sink->url) {
		if (sink->type == LW_SINK_DINGTALK && sink->secret) {
			char *sign = lw_dingtalk_sign(sink->secret, now_ms);
			size_t len = strlen(sink->url) + (sign ? strlen(sign) : 0) + 64;
			if (sign && (m->url = malloc(len)))
				snprintf(m->url, len, "%s%ctimestamp=%lld&sign=%s", sink->url,
					 strchr(sink->url, '?') ? '&' : '?', (long long)now_ms, sign);
			free(sign);
		} else {
			m->url = strdup(sink->url);
		}
		if (!m->url) {
			free(m->body);
			m->body = NULL;
			return lw_err_set(e, LW_ENOMEM, "out of memory");
		}
	}
	return 0;
}
