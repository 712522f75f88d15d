/*
 * agency.c — the page of one agency (/ui/agency?name=...): its series as
 * charts with the detector's band (chart.c), its latest cases, its
 * obligations (core/deadlines), its alerts, and the held names that look
 * like it, with the form that maps one to it (sources.c does the mapping).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figures/figures.h"
#include "web/web_int.h"
#include "web/web_sql.h"

#define CASES_SHOWN 50

static void cases(struct lw_web_req *rq, struct lw_wh *wh, struct lw_strbuf *b, int64_t id,
		  const char *name)
{
	struct lw_err err = {0};
	sqlite3_stmt *st;
	long long total = 0;

	if (lw_wh_stmt(wh, lw_wsql_agency_case_count, &st, &err) == 0 &&
	    lw_wh_bind_int64(st, ":id", id, &err) == 0 && lw_wh_step(wh, st, &err) == 1) {
		total = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	lw_strbuf_printf(b, "<h2>%s (%lld)</h2><p><a id=\"all-cases\" href=\"/ui/cases?agency=",
			 LW_T(rq, "案件", "Cases"), total);
	lw_buf_url(b, name);
	lw_strbuf_printf(b, "%s\">%s</a></p><table id=\"cases\">", LW_LANG_A(rq),
			 LW_T(rq, "查询全部案件", "search all its cases"));
	lw_buf_head(rq, b, "案号", "Case number", "立案日期", "Filed", "结案日期", "Concluded",
		    "案由", "Cause", "结果", "Outcome", "被告身份", "Role", NULL);
	if (lw_wh_stmt(wh, lw_wsql_agency_cases, &st, &err) != 0 ||
	    lw_wh_bind_int64(st, ":id", id, &err) != 0 ||
	    lw_wh_bind_int64(st, ":limit", CASES_SHOWN, &err) != 0)
		goto out;
	while (lw_wh_step(wh, st, &err) == 1) {
		lw_buf_put(b, "<tr><td>");
		lw_buf_case_link(rq, b, (const char *)sqlite3_column_text(st, 0));
		for (int c = 1; c <= 3; c++) {
			lw_buf_put(b, "</td><td>");
			lw_buf_esc(b, (const char *)sqlite3_column_text(st, c));
		}
		lw_buf_put(b, "</td><td>");
		lw_buf_esc(b, (const char *)sqlite3_column_text(st, rq->en ? 5 : 4));
		lw_buf_put(b, "</td><td>");
		lw_buf_put(b, !strcmp((const char *)sqlite3_column_text(st, 6), "principal")
				      ? LW_T(rq, "被告", "defendant")
				      : LW_T(rq, "共同被告", "co-defendant"));
		lw_buf_put(b, "</td></tr>\n");
	}
out:
	lw_buf_put(b, "</table>");
	if (total > CASES_SHOWN)
		lw_strbuf_printf(b, "<p class=\"note\">%s %d</p>",
				 LW_T(rq, "仅显示最近立案的", "Showing the latest filed:"), CASES_SHOWN);
	if (err.msg[0])
		lw_strbuf_printf(b, "<p class=\"err\">%s</p>", LW_T(rq, "读取失败", "read failed"));
}

static void alerts(struct lw_web_req *rq, struct lw_wh *wh, struct lw_strbuf *b, const char *name)
{
	struct lw_err err = {0};
	sqlite3_stmt *st;

	lw_strbuf_printf(b, "<h2>%s</h2><table id=\"agency-alerts\">", LW_T(rq, "预警", "Alerts"));
	lw_buf_head(rq, b, "#", "#", "规则", "Rule", "期间", "Period", "状态", "State", "摘要",
		    "Summary", NULL);
	if (lw_wh_stmt(wh, lw_wsql_agency_alerts, &st, &err) == 0 &&
	    lw_wh_bind_text(st, ":name", name, &err) == 0)
		while (lw_wh_step(wh, st, &err) == 1) {
			lw_strbuf_printf(b, "<tr><td><a href=\"/ui/alerts%s#alert-%lld\">%lld</a></td>",
					 LW_LANG_Q(rq), (long long)sqlite3_column_int64(st, 0),
					 (long long)sqlite3_column_int64(st, 0));
			for (int c = 1; c <= 4; c++) {
				lw_buf_put(b, "<td>");
				lw_buf_esc(b, (const char *)sqlite3_column_text(st, c));
				lw_buf_put(b, "</td>");
			}
			lw_buf_put(b, "</tr>\n");
		}
	lw_buf_put(b, "</table>");
}

/* The agency's figures for the period asked (default this quarter), from
 * core/figures as `litwatch stats` computes them. */
static void figures(struct lw_web_req *rq, struct lw_wh *wh, struct lw_strbuf *b, const char *name)
{
	struct lw_fig_opts fo = {rq->s->rounding, rq->s->withdrawn_is_loss, 1, rq->s->known_agencies};
	struct lw_fig_table t = {0};
	struct lw_fig_period p;
	struct lw_err err = {0};
	const struct lw_fig_row *r;
	char today[11], q[16], lr[32], ha[32], yoy[32];

	lw_web_today(today);
	snprintf(q, sizeof q, "%.4sQ%d", today, (atoi(today + 5) - 1) / 3 + 1);
	if (lw_fig_period_parse(rq->period[0] ? rq->period : q, today, &p, &err) != 0 ||
	    lw_figures_compute(wh, LW_FIG_BY_AGENCY, &p, &fo, &t, &err) != 0) {
		lw_buf_put(b, "<p class=\"err\">");
		lw_buf_esc(b, err.msg);
		lw_buf_put(b, "</p>");
		return;
	}
	lw_strbuf_printf(b, "<form method=\"get\" action=\"/ui/agency\"><input type=\"hidden\" "
			    "name=\"name\" value=\"");
	lw_buf_esc(b, name);
	lw_strbuf_printf(b, "\"><label>%s <input name=\"period\" value=\"%s\"></label>%s<button>%s"
			    "</button></form><table id=\"agency-figures\">",
			 LW_T(rq, "期间", "Period"), p.label,
			 rq->en ? "<input type=\"hidden\" name=\"lang\" value=\"en\">" : "",
			 LW_T(rq, "查看", "Show"));
	lw_buf_head(rq, b, "期间", "Period", "新收", "Filed", "审结", "Concluded", "败诉", "Lost",
		    "败诉率%", "Loss rate %", "调撤", "Withdrawn+mediated", "负责人出庭率%",
		    "Head appearance %", "同比%", "YoY %", NULL);
	if ((r = lw_fig_table_find(&t, name)))
		lw_strbuf_printf(b, "<tr><td>%s</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td>"
				    "<td class=\"n\">%lld</td><td class=\"n\">%s</td><td class=\"n\">"
				    "%lld</td><td class=\"n\">%s</td><td class=\"n\">%s</td></tr>",
				 p.label, r->c.filed, r->c.concluded, r->c.lost,
				 lw_rate_format(r->r.loss, lr, sizeof lr),
				 r->c.withdrawn + r->c.mediated,
				 lw_rate_format(r->r.head_appearance, ha, sizeof ha),
				 lw_rate_format(r->r.yoy_filed_growth, yoy, sizeof yoy));
	lw_buf_put(b, "</table>");
	lw_fig_table_free(&t);
}

void lw_web_alias_form(struct lw_web_req *rq, struct lw_strbuf *b, const char *held,
		       const char *agency)
{
	if (rq->role < LW_ROLE_ANALYST)
		return;
	lw_buf_put(b, "<form method=\"post\" action=\"/ui/agencies/alias\" class=\"alias\">");
	lw_buf_csrf(rq, b);
	lw_buf_put(b, "<input type=\"hidden\" name=\"name\" value=\"");
	lw_buf_esc(b, held);
	lw_buf_put(b, "\">");
	if (agency) {
		lw_buf_put(b, "<input type=\"hidden\" name=\"agency\" value=\"");
		lw_buf_esc(b, agency);
		lw_strbuf_printf(b, "\"><button>%s</button>", LW_T(rq, "归入本机关", "Map to this agency"));
	} else {
		lw_strbuf_printf(b, "<input name=\"agency\" list=\"agency-names\" required "
				    "placeholder=\"%s\"><button>%s</button>",
				 LW_T(rq, "机关名称", "agency name"), LW_T(rq, "归入", "Map"));
	}
	lw_buf_put(b, "</form>");
}

static void unresolved(struct lw_web_req *rq, struct lw_wh *wh, struct lw_strbuf *b,
		       const char *name)
{
	struct lw_err err = {0};
	sqlite3_stmt *st;
	/* 市自然资源局 also matches 自然资源局: drop a leading 市 / 县 / 区. */
	const char *shortname = name;

	if (!strncmp(name, "市", 3) || !strncmp(name, "县", 3) || !strncmp(name, "区", 3))
		shortname = name + 3;
	lw_strbuf_printf(b, "<h2>%s</h2><table id=\"agency-unresolved\">",
			 LW_T(rq, "相似的待确认名称", "Unresolved names like it"));
	lw_buf_head(rq, b, "名称", "Name", "出现行数", "Rows", "最近出现", "Last seen", "", "", NULL);
	if (lw_wh_stmt(wh, lw_wsql_agency_unresolved, &st, &err) == 0 &&
	    lw_wh_bind_text(st, ":name", name, &err) == 0 &&
	    lw_wh_bind_text(st, ":short", *shortname ? shortname : name, &err) == 0)
		while (lw_wh_step(wh, st, &err) == 1) {
			const char *held = (const char *)sqlite3_column_text(st, 0);
			lw_buf_put(b, "<tr><td>");
			lw_buf_esc(b, held);
			lw_strbuf_printf(b, "</td><td class=\"n\">%lld</td><td>",
					 (long long)sqlite3_column_int64(st, 1));
			lw_buf_esc(b, (const char *)sqlite3_column_text(st, 2));
			lw_buf_put(b, "</td><td>");
			lw_web_alias_form(rq, b, held, name);
			lw_buf_put(b, "</td></tr>\n");
		}
	lw_buf_put(b, "</table>");
}

void lw_web_agency(struct lw_web_req *rq)
{
	struct lw_strbuf b = {0};
	struct lw_err err = {0};
	sqlite3_stmt *st;
	struct lw_wh *wh;
	int64_t id = 0;
	char name[200] = "";

	if (!(wh = lw_web_open_ro(rq)))
		return;
	if (lw_wh_stmt(wh, lw_wsql_agency, &st, &err) == 0 &&
	    lw_wh_bind_text(st, ":name", rq->name, &err) == 0 && lw_wh_step(wh, st, &err) == 1) {
		id = sqlite3_column_int64(st, 0);
		snprintf(name, sizeof name, "%s", (const char *)sqlite3_column_text(st, 1));
		sqlite3_reset(st);
	}
	if (!id) {
		lw_wh_close(wh);
		lw_web_message(rq, 404, "没有这个机关。", "No such agency.");
		return;
	}
	lw_page_begin(rq, &b, name);
	lw_strbuf_printf(&b, "<p><a href=\"/ui/ranking%s\">%s</a></p><h2>%s</h2>", LW_LANG_Q(rq),
			 LW_T(rq, "返回排名", "Back to the ranking"),
			 LW_T(rq, "统计", "Figures"));
	figures(rq, wh, &b, name);
	lw_strbuf_printf(&b, "<h2>%s</h2>", LW_T(rq, "序列与检测上界", "Series and the detector's band"));
	if (lw_web_agency_charts(rq, wh, &b, name) != 0)
		b.oom = 1;
	cases(rq, wh, &b, id, name);
	lw_strbuf_printf(&b, "<h2>%s</h2>", LW_T(rq, "时限义务（到期、逾期、迟办）",
						 "Obligations (due, overdue, late)"));
	lw_web_obligations_table(rq, wh, &b, "agency-obligations", name, NULL, NULL, NULL, NULL, 200);
	alerts(rq, wh, &b, name);
	unresolved(rq, wh, &b, name);
	lw_page_end(rq, &b);
	lw_page_reply(rq, &b, 200);
	lw_wh_close(wh);
}
