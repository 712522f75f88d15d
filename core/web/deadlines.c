/*
 * deadlines.c — 时限 Deadlines: obligations due, overdue and late, by
 * agency, as core/deadlines decides them as of today (lw_obligations_each,
 * lw_obligations_on_time); the same table on the agency page and, for the
 * coming week, on the overview.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/alerts.h"
#include "deadlines/obligations.h"
#include "web/web_int.h"

struct walk {
	struct lw_web_req *rq;
	struct lw_strbuf *b;
	const char *from, *to; /* due dates kept, inclusive; NULL: any */
	const char *agency;    /* given: no agency column */
	int limit, shown, more;
};

static const char *state_label(struct lw_web_req *rq, const char *st)
{
	static const char *const map[][3] = {
		{"waiting", "待起算", "waiting"}, {"due", "未到期", "due"},
		{"overdue", "已逾期", "overdue"}, {"met", "按时", "met"},
		{"late", "迟办", "late"},        {"unknown", "无法计算", "unknown"},
		{"passed", "已过", "passed"},
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (!strcmp(map[i][0], st))
			return rq->en ? map[i][2] : map[i][1];
	return st;
}

static int row(void *ud, const struct lw_ob_row *r)
{
	struct walk *w = ud;
	struct lw_strbuf *b = w->b;

	if (w->from && strcmp(r->due, w->from) < 0)
		return 0;
	if (w->to && strcmp(r->due, w->to) > 0)
		return 0;
	if (w->shown >= w->limit) {
		w->more = 1;
		return 1; /* stops the walk */
	}
	w->shown++;
	lw_strbuf_printf(b, "<tr class=\"ob-%s\"><td>", r->state);
	lw_buf_case_link(w->rq, b, r->case_no);
	lw_buf_put(b, "</td>");
	if (!w->agency) {
		lw_buf_put(b, "<td>");
		if (*r->agency)
			lw_buf_agency_link(w->rq, b, r->agency);
		lw_buf_put(b, "</td>");
	}
	lw_buf_put(b, "<td>");
	lw_buf_esc(b, r->rule);
	lw_buf_put(b, "</td><td>");
	lw_buf_esc(b, r->due);
	lw_buf_put(b, "</td><td>");
	lw_buf_esc(b, r->done);
	lw_strbuf_printf(b, "</td><td class=\"state\">%s</td><td class=\"n\">", state_label(w->rq, r->state));
	if (r->days_left >= 0)
		lw_strbuf_printf(b, "%s %d", LW_T(w->rq, "剩", "left"), r->days_left);
	else if (r->days_late >= 0)
		lw_strbuf_printf(b, "%s %d", LW_T(w->rq, "超", "late"), r->days_late);
	lw_buf_put(b, "</td></tr>\n");
	return 0;
}

int lw_web_obligations_table(struct lw_web_req *rq, struct lw_wh *wh, struct lw_strbuf *b,
			     const char *table_id, const char *agency, const char *state,
			     const char *case_no, const char *from, const char *to, int limit)
{
	static const char *const states[] = {"overdue", "due", "late"};
	struct walk w = {rq, b, from, to, agency, limit, 0, 0};
	struct lw_err err = {0};
	char today[11];

	lw_web_today(today);
	lw_strbuf_printf(b, "<table id=\"%s\"><tr><th>%s</th>", table_id,
			 LW_T(rq, "案号", "Case number"));
	if (!agency)
		lw_strbuf_printf(b, "<th>%s</th>", LW_T(rq, "机关", "Agency"));
	lw_strbuf_printf(b, "<th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>",
			 LW_T(rq, "规则", "Rule"), LW_T(rq, "期限", "Due"),
			 LW_T(rq, "办结", "Done"), LW_T(rq, "状态", "State"),
			 LW_T(rq, "天数", "Days"));
	for (size_t i = 0; i < sizeof states / sizeof states[0] && !w.more; i++) {
		struct lw_ob_filter f = {agency, case_no ? state : state ? state : states[i], NULL,
					 case_no};
		int rc;
		if ((state || case_no) && i > 0)
			break;
		rc = lw_obligations_each(wh, rq->s->deadlines, today, &f, row, &w, &err);
		if (rc < 0) {
			lw_buf_put(b, "</table><p class=\"err\">");
			lw_buf_esc(b, err.msg);
			lw_buf_put(b, "</p>");
			return -1;
		}
	}
	lw_buf_put(b, "</table>");
	if (w.more)
		lw_strbuf_printf(b, "<p class=\"note\">%s %d</p>",
				 LW_T(rq, "仅显示前", "Showing the first"), limit);
	else if (!w.shown)
		lw_strbuf_printf(b, "<p class=\"note\">%s</p>", LW_T(rq, "没有。", "None."));
	return w.shown;
}

struct summary {
	struct lw_web_req *rq;
	struct lw_strbuf *b;
};

static int on_time(void *ud, const struct lw_ob_on_time *t)
{
	struct summary *s = ud;
	char rate[16] = "-";

	if (t->met + t->late + t->overdue > 0)
		snprintf(rate, sizeof rate, "%.2f", 100.0 * t->rate);
	lw_buf_put(s->b, "<tr><td>");
	if (*t->agency)
		lw_buf_agency_link(s->rq, s->b, t->agency);
	lw_strbuf_printf(s->b, "</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td><td "
			       "class=\"n\">%lld</td><td class=\"n\">%lld</td><td class=\"n\">%s</td></tr>\n",
			 (long long)t->open, (long long)t->overdue, (long long)t->late,
			 (long long)t->met, rate);
	return 0;
}

void lw_web_deadlines(struct lw_web_req *rq)
{
	struct lw_strbuf b = {0};
	struct lw_err err = {0};
	struct summary s = {rq, &b};
	struct lw_wh *wh;
	char today[11], from[16], to[24];
	const char *state = NULL;

	if (rq->state[0]) {
		if (strcmp(rq->state, "due") && strcmp(rq->state, "overdue") &&
		    strcmp(rq->state, "late")) {
			lw_web_message(rq, 400, "状态应为 due、overdue 或 late。",
				       "state: expected due, overdue or late.");
			return;
		}
		state = rq->state;
	}
	if (!(wh = lw_web_open_ro(rq)))
		return;
	lw_web_today(today);
	/* The summary covers obligations due this year so far and to come. */
	snprintf(from, sizeof from, "%.4s-01-01", today);
	snprintf(to, sizeof to, "%04d-01-01", (atoi(today) + 1) % 10000);
	lw_page_begin(rq, &b, LW_T(rq, "时限", "Deadlines"));
	lw_strbuf_printf(&b, "<form method=\"get\" action=\"/ui/deadlines\"><label>%s <input "
			     "name=\"agency\" value=\"", LW_T(rq, "机关", "Agency"));
	lw_buf_esc(&b, rq->agency);
	lw_strbuf_printf(&b, "\"></label> <label>%s <select name=\"state\"><option value=\"\">%s"
			     "</option><option value=\"overdue\"%s>%s</option><option value=\"due\"%s>"
			     "%s</option><option value=\"late\"%s>%s</option></select></label>%s"
			     "<button>%s</button></form>",
			 LW_T(rq, "状态", "State"), LW_T(rq, "全部", "all"),
			 state && !strcmp(state, "overdue") ? " selected" : "",
			 LW_T(rq, "已逾期", "overdue"), state && !strcmp(state, "due") ? " selected" : "",
			 LW_T(rq, "未到期", "due"), state && !strcmp(state, "late") ? " selected" : "",
			 LW_T(rq, "迟办", "late"),
			 rq->en ? "<input type=\"hidden\" name=\"lang\" value=\"en\">" : "",
			 LW_T(rq, "查看", "Show"));
	lw_strbuf_printf(&b, "<h2>%s %.4s</h2><table id=\"deadline-agencies\">",
			 LW_T(rq, "各机关（期限在本年）", "By agency (due this year)"), today);
	lw_buf_head(rq, &b, "机关", "Agency", "未到期", "Due", "已逾期", "Overdue", "迟办", "Late",
		    "按时", "Met", "按时率%", "On time %", NULL);
	if (lw_obligations_on_time(wh, from, to, today, on_time, &s, &err) < 0) {
		lw_buf_put(&b, "</table><p class=\"err\">");
		lw_buf_esc(&b, err.msg);
		lw_buf_put(&b, "</p>");
	} else {
		lw_buf_put(&b, "</table>");
	}
	lw_strbuf_printf(&b, "<h2>%s</h2>", LW_T(rq, "义务（先逾期，再未到期，再迟办）",
						 "Obligations (overdue, then due, then late)"));
	lw_web_obligations_table(rq, wh, &b, "obligations", rq->agency[0] ? rq->agency : NULL, state,
				 NULL, NULL, NULL, 500);
	lw_page_end(rq, &b);
	lw_page_reply(rq, &b, 200);
	lw_wh_close(wh);
}
