/*
 * alerts.c — 预警 Alerts: firing, pending and resolved alerts; analysts
 * acknowledge them (core/alerts' lw_alert_ack, as `litwatch alerts ack`)
 * and close them with an outcome and a note (alert_reviews).  Every action
 * lands in web_audit.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alerts/alerts.h"
#include "web/web_int.h"

static const char list_sql[] =
	"SELECT a.id, a.rule, a.period, a.state, coalesce(a.summary, ''), coalesce(a.acked_by, ''), "
	"coalesce(r.outcome, ''), coalesce(r.note, '') FROM alerts a LEFT JOIN alert_reviews r "
	"ON r.alert_id = a.id WHERE :state = '' OR a.state = :state "
	"ORDER BY a.state = 'firing' DESC, a.id DESC LIMIT 500";
static const char close_sql[] =
	"INSERT INTO alert_reviews (alert_id, outcome, note, closed_by) VALUES (:id, :outcome, "
	":note, :by) ON CONFLICT(alert_id) DO UPDATE SET outcome = excluded.outcome, "
	"note = excluded.note, closed_by = excluded.closed_by, closed_at = excluded.closed_at";

void lw_web_alerts(struct lw_web_req *rq)
{
	struct lw_strbuf b = {0};
	sqlite3_stmt *st = NULL;
	struct lw_wh *wh;
	int act = rq->role >= LW_ROLE_ANALYST;

	static const char *const states[][3] = {{"", "全部", "all"}, {"firing", "触发中", "firing"},
						{"pending", "待定", "pending"},
						{"resolved", "已恢复", "resolved"}};
	size_t k;

	for (k = 0; k < 4 && strcmp(states[k][0], rq->state); k++)
		;
	if (k == 4) {
		lw_web_message(rq, 400, "状态应为 firing、pending 或 resolved。",
			       "state: expected firing, pending or resolved.");
		return;
	}
	if (!(wh = lw_web_open_ro(rq)))
		return;
	lw_page_begin(rq, &b, LW_T(rq, "预警", "Alerts"));
	lw_buf_put(&b, "<p id=\"state-filter\">");
	for (size_t i = 0; i < 4; i++)
		lw_strbuf_printf(&b, "<a id=\"state-%s\" href=\"/ui/alerts?state=%s%s\"%s>%s</a> ",
				 i ? states[i][0] : "all", states[i][0], LW_LANG_A(rq),
				 i == k ? " class=\"current\"" : "", LW_T(rq, states[i][1], states[i][2]));
	lw_buf_put(&b, "</p>");
	lw_strbuf_printf(&b, "<table id=\"alerts\"><tr><th>#</th><th>%s</th><th>%s</th><th>%s</th>"
		      "<th>%s</th><th>%s</th><th>%s</th>", LW_T(rq, "规则", "Rule"),
		      LW_T(rq, "期间", "Period"), LW_T(rq, "状态", "State"),
		      LW_T(rq, "摘要", "Summary"), LW_T(rq, "确认", "Acknowledged"),
		      LW_T(rq, "结论", "Closed"));
	lw_strbuf_printf(&b, "<th>%s</th></tr>", LW_T(rq, "静默", "Silence"));
	if (sqlite3_prepare_v2(lw_wh_db(wh), list_sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":state"), rq->state, -1,
			      SQLITE_TRANSIENT) == SQLITE_OK)
		while (sqlite3_step(st) == SQLITE_ROW) {
			long long id = sqlite3_column_int64(st, 0);
			const char *acked = (const char *)sqlite3_column_text(st, 5);
			const char *outcome = (const char *)sqlite3_column_text(st, 6);
			lw_strbuf_printf(&b, "<tr id=\"alert-%lld\"><td>%lld</td>", id, id);
			for (int c = 1; c <= 4; c++) {
				lw_buf_put(&b, "<td>");
				lw_buf_esc(&b, (const char *)sqlite3_column_text(st, c));
				lw_buf_put(&b, "</td>");
			}
			lw_buf_put(&b, "<td class=\"acked\">");
			lw_buf_esc(&b, acked);
			if (!*acked && act)
				lw_strbuf_printf(&b, "<form method=\"post\" action=\"/ui/alerts/ack\"><input "
					      "type=\"hidden\" name=\"csrf\" value=\"%s\"><input "
					      "type=\"hidden\" name=\"id\" value=\"%lld\"><button "
					      "id=\"ack-%lld\">%s</button></form>", rq->sess.csrf, id, id,
					      LW_T(rq, "确认", "Acknowledge"));
			lw_buf_put(&b, "</td><td class=\"closed\">");
			lw_buf_esc(&b, outcome);
			if (!*outcome && act)
				lw_strbuf_printf(&b, "<form method=\"post\" action=\"/ui/alerts/close\">"
					      "<input type=\"hidden\" name=\"csrf\" value=\"%s\"><input "
					      "type=\"hidden\" name=\"id\" value=\"%lld\"><select "
					      "name=\"outcome\" id=\"outcome-%lld\"><option value=\"confirmed\">"
					      "%s</option><option value=\"not_real\">%s</option><option "
					      "value=\"data_error\">%s</option></select><input name=\"note\" "
					      "id=\"note-%lld\"><button id=\"close-%lld\">%s</button></form>",
					      rq->sess.csrf, id, id, LW_T(rq, "确认属实", "confirmed"),
					      LW_T(rq, "并非真实上升", "not a real rise"),
					      LW_T(rq, "数据错误", "data error"), id, id,
					      LW_T(rq, "关闭", "Close"));
			lw_buf_put(&b, "</td><td class=\"silence\">");
			if (act && strcmp((const char *)sqlite3_column_text(st, 3), "resolved"))
				lw_web_silence_form(rq, &b, id);
			lw_buf_put(&b, "</td></tr>\n");
		}
	sqlite3_finalize(st);
	lw_buf_put(&b, "</table>");
	lw_web_silences_section(rq, wh, &b);
	lw_page_end(rq, &b);
	lw_page_reply(rq, &b, 200);
	lw_wh_close(wh);
}

void lw_web_alerts_post(struct lw_web_req *rq, const char *action)
{
	char id_text[32], outcome[32], note[1000], detail[1100];
	struct lw_err err = {0};
	struct lw_wh *wh = NULL;
	long long id;
	int rc = 0;

	lw_form_get(rq->body, "id", id_text, sizeof id_text);
	id = atoll(id_text);
	lw_form_get(rq->body, "outcome", outcome, sizeof outcome);
	lw_form_get(rq->body, "note", note, sizeof note);
	if (rq->role < LW_ROLE_ANALYST) {
		lw_web_audit(rq, NULL, action, id_text, "refused: role", 0);
		lw_web_text(rq, 403, "only analysts and admins act on alerts\n");
		return;
	}
	if (lw_wh_open(rq->w->warehouse, LW_WH_WRITER | LW_WH_CHECKED, &wh, &err) != 0) {
		lw_web_text(rq, 503, err.msg);
		return;
	}
	if (!strcmp(action, "ack")) {
		rc = lw_alert_ack(wh, id, rq->user, (int64_t)time(NULL), &err);
		detail[0] = '\0';
	} else {
		sqlite3_stmt *st = NULL;
		sqlite3 *db = lw_wh_db(wh);
		snprintf(detail, sizeof detail, "%s: %s", outcome, note);
		rc = sqlite3_prepare_v2(db, close_sql, -1, &st, NULL) == SQLITE_OK ? 0 : LW_EDB;
		if (!rc) {
			sqlite3_bind_int64(st, 1, id);
			sqlite3_bind_text(st, 2, outcome, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(st, 3, note, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(st, 4, rq->user, -1, SQLITE_TRANSIENT);
			if (sqlite3_step(st) != SQLITE_DONE) {
				rc = LW_EDB;
				snprintf(err.msg, sizeof err.msg, "%s", sqlite3_errmsg(db));
			}
		}
		sqlite3_finalize(st);
	}
	lw_web_audit(rq, wh, action, id_text, rc ? err.msg : detail, !rc);
	lw_wh_close(wh);
	if (rc) {
		lw_web_text(rq, rc == LW_ENOENT ? 404 : 400, err.msg);
		return;
	}
	lw_web_redirect(rq, rq->en ? "/ui/alerts?lang=en" : "/ui/alerts", NULL);
}
