/*
 * silences.c — silencing from the alerts page: an analyst silences an
 * alert for a period with a reason (core/alerts' lw_silence_add, as
 * `litwatch alerts silence` does: the alert's own labels become the
 * matchers, so exactly its series is silenced), or ends a silence
 * (lw_silence_expire); the list of silences, active, pending and ended.
 * Every action lands in web_audit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alerts/alerts.h"
#include "base/units.h"
#include "web/web_int.h"
#include "web/web_sql.h"

#define MAX_MATCHERS 16

void lw_web_silence_form(struct lw_web_req *rq, struct lw_strbuf *b, long long id)
{
	lw_strbuf_printf(b, "<form method=\"post\" action=\"/ui/alerts/silence\" class=\"silence\">");
	lw_buf_csrf(rq, b);
	lw_strbuf_printf(b, "<input type=\"hidden\" name=\"id\" value=\"%lld\"><select name=\"for\" "
			    "id=\"for-%lld\"><option value=\"2h\">2 %s</option><option value=\"1d\">1 %s"
			    "</option><option value=\"7d\" selected>7 %s</option><option value=\"30d\">"
			    "30 %s</option></select><input name=\"reason\" id=\"reason-%lld\" required "
			    "placeholder=\"%s\"><button id=\"silence-%lld\">%s</button></form>",
			 id, id, LW_T(rq, "小时", "hours"), LW_T(rq, "天", "day"), LW_T(rq, "天", "days"),
			 LW_T(rq, "天", "days"), id, LW_T(rq, "原因", "reason"), id,
			 LW_T(rq, "静默", "Silence"));
}

void lw_web_silences_section(struct lw_web_req *rq, struct lw_wh *wh, struct lw_strbuf *b)
{
	struct lw_err err = {0};
	sqlite3_stmt *st;
	char now[24];

	lw_utc_format((int64_t)time(NULL), now, sizeof now);
	lw_strbuf_printf(b, "<h2>%s</h2><table id=\"silences\">", LW_T(rq, "静默", "Silences"));
	lw_buf_head(rq, b, "#", "#", "匹配", "Matchers", "开始", "Starts", "结束", "Ends", "设置人",
		    "By", "原因", "Reason", "状态", "State", "", "", NULL);
	if (lw_wh_stmt(wh, lw_wsql_silences, &st, &err) == 0 &&
	    lw_wh_bind_text(st, ":now", now, &err) == 0)
		while (lw_wh_step(wh, st, &err) == 1) {
			long long id = sqlite3_column_int64(st, 0);
			const char *state = (const char *)sqlite3_column_text(st, 7);
			json_t *m = json_loads((const char *)sqlite3_column_text(st, 1), 0, NULL), *x;
			size_t i;
			lw_strbuf_printf(b, "<tr id=\"silence-row-%lld\"><td>%lld</td><td>", id, id);
			json_array_foreach(m, i, x) {
				lw_buf_esc(b, json_string_value(json_object_get(x, "name")));
				lw_buf_put(b, json_is_true(json_object_get(x, "negate")) ? "!=" : "=");
				lw_buf_esc(b, json_string_value(json_object_get(x, "value")));
				lw_buf_put(b, " ");
			}
			json_decref(m);
			for (int c = 2; c <= 5; c++) {
				lw_buf_put(b, "</td><td>");
				lw_buf_esc(b, (const char *)sqlite3_column_text(st, c));
			}
			lw_strbuf_printf(b, "</td><td class=\"state\">%s</td><td>",
					 !strcmp(state, "active") ? LW_T(rq, "生效中", "active") :
					 !strcmp(state, "pending") ? LW_T(rq, "未开始", "pending") :
					 LW_T(rq, "已结束", "ended"));
			if (strcmp(state, "ended") && rq->role >= LW_ROLE_ANALYST) {
				lw_buf_put(b, "<form method=\"post\" action=\"/ui/alerts/unsilence\">");
				lw_buf_csrf(rq, b);
				lw_strbuf_printf(b, "<input type=\"hidden\" name=\"id\" value=\"%lld\"><button "
						    "id=\"unsilence-%lld\">%s</button></form>", id, id,
						 LW_T(rq, "结束静默", "End"));
			}
			lw_buf_put(b, "</td></tr>\n");
		}
	lw_buf_put(b, "</table>");
}

/* The alert's labels as matchers name=value (its rule too, when the
 * labels do not carry it).  Returns how many, or -1. */
static int alert_matchers(struct lw_wh *wh, long long id, struct lw_matcher *m,
			  struct lw_err *err)
{
	sqlite3_stmt *st;
	json_t *labels, *v;
	const char *k;
	int n = 0;

	if (lw_wh_stmt(wh, lw_wsql_alert_for_silence, &st, err) != 0 ||
	    lw_wh_bind_int64(st, ":id", id, err) != 0)
		return -1;
	if (lw_wh_step(wh, st, err) != 1) {
		lw_err_set(err, LW_ENOENT, "no alert #%lld", id);
		return -1;
	}
	labels = json_loads((const char *)sqlite3_column_text(st, 1), 0, NULL);
	if (!json_object_get(labels, "rule")) {
		m[n].name = strdup("rule");
		m[n].value = strdup((const char *)sqlite3_column_text(st, 0));
		m[n++].negate = 0;
	}
	sqlite3_reset(st);
	json_object_foreach(labels, k, v) {
		if (!json_is_string(v) || !strcmp(k, "severity") || n >= MAX_MATCHERS)
			continue;
		m[n].name = strdup(k);
		m[n].value = strdup(json_string_value(v));
		m[n++].negate = 0;
	}
	json_decref(labels);
	for (int i = 0; i < n; i++)
		if (!m[i].name || !m[i].value) {
			lw_err_set(err, LW_ENOMEM, "out of memory");
			return -1;
		}
	return n;
}

void lw_web_silences_post(struct lw_web_req *rq, const char *action)
{
	struct lw_matcher m[MAX_MATCHERS + 1];
	char id_text[32], dur[16], reason[500], detail[600];
	struct lw_err err = {0};
	struct lw_wh *wh;
	int64_t ms = 0, now = (int64_t)time(NULL), sid = 0;
	long long id;
	int n = 0, rc;

	memset(m, 0, sizeof m);
	lw_form_get(rq->body, "id", id_text, sizeof id_text);
	lw_form_get(rq->body, "for", dur, sizeof dur);
	lw_form_get(rq->body, "reason", reason, sizeof reason);
	id = atoll(id_text);
	snprintf(detail, sizeof detail, "%s: %s", dur, reason);
	if (rq->role < LW_ROLE_ANALYST) {
		lw_web_audit(rq, NULL, action, id_text, "refused: role", 0);
		lw_web_text(rq, 403, "only analysts and admins silence alerts\n");
		return;
	}
	if (!strcmp(action, "silence") &&
	    (lw_parse_duration(dur, &ms) != 0 || ms < 60000 || ms > 90LL * 86400000 || !*reason)) {
		lw_web_audit(rq, NULL, action, id_text, "refused: a period of 1 minute to 90 days "
				  "and a reason are needed", 0);
		lw_web_message(rq, 400, "静默需要 1 分钟至 90 天的期限和原因。",
			       "A silence needs a period of 1 minute to 90 days and a reason.");
		return;
	}
	if (!(wh = lw_web_open_rw(rq)))
		return;
	if (!strcmp(action, "silence")) {
		if ((n = alert_matchers(wh, id, m, &err)) < 0)
			rc = err.code ? err.code : LW_EDB;
		else if (n == 0)
			rc = lw_err_set(&err, LW_EINVAL, "alert #%lld has no labels to match", id);
		else
			rc = lw_silence_add(wh, m, (size_t)n, now, now + ms / 1000, rq->user, reason,
					    &sid, &err);
		if (!rc)
			snprintf(detail, sizeof detail, "silence #%lld for %s: %s", (long long)sid, dur,
				 reason);
	} else {
		rc = lw_silence_expire(wh, id, now, &err);
		detail[0] = '\0';
	}
	for (int i = 0; i <= MAX_MATCHERS; i++)
		lw_matcher_clear(&m[i]);
	lw_web_audit(rq, wh, action, id_text, rc ? err.msg : detail, !rc);
	lw_wh_close(wh);
	if (rc) {
		lw_web_text(rq, rc == LW_ENOENT ? 404 : 400, err.msg);
		return;
	}
	lw_web_redirect(rq, rq->en ? "/ui/alerts?lang=en#silences" : "/ui/alerts#silences", NULL);
}
