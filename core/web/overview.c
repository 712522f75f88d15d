/*
 * overview.c — 总览 Overview: this quarter and this year against the same
 * period last year (from core/figures), the agencies by risk grade, and
 * the firing alerts.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figures/figures.h"
#include "web/web_int.h"

/* Risk grade by loss rate (hundredths of a percent); the thresholds are
 * the defaults of docs/dashboard.md. */
static const char *grade(const struct lw_fig_row *r, int firing)
{
	long long h = r->r.loss.defined ? r->r.loss.hundredths : 0;

	if (h >= 3000 || firing >= 2)
		return "red";
	if (h >= 2000 || firing == 1)
		return "orange";
	if (h >= 1000)
		return "yellow";
	return NULL;
}

static void line(struct lw_strbuf *b, const char *label, const char *id, long long v[4])
{
	lw_strbuf_printf(b, "<tr id=\"%s\"><th>%s</th><td class=\"n\">%lld</td><td class=\"n\">%lld</td>"
		      "<td class=\"n\">%lld</td><td class=\"n\">%lld</td></tr>", id, label, v[0], v[1],
		      v[2], v[3]);
}

static void rate_line(struct lw_strbuf *b, const char *label, const char *id, struct lw_rate v[4])
{
	char t[4][32];
	for (int i = 0; i < 4; i++)
		lw_rate_format(v[i], t[i], sizeof t[i]);
	lw_strbuf_printf(b, "<tr id=\"%s\"><th>%s</th><td class=\"n\">%s</td><td class=\"n\">%s</td>"
		      "<td class=\"n\">%s</td><td class=\"n\">%s</td></tr>", id, label, t[0], t[1],
		      t[2], t[3]);
}

void lw_web_overview(struct lw_web_req *rq)
{
	struct lw_fig_opts fo = {rq->w->rounding, rq->w->withdrawn_is_loss, 1, rq->w->known_agencies};
	struct lw_fig_table t[4];
	struct lw_fig_period p[4];
	struct lw_err err = {0};
	struct lw_strbuf b = {0};
	sqlite3_stmt *st = NULL;
	struct lw_wh *wh;
	char today[11], q[16];

	memset(t, 0, sizeof t);
	lw_fig_today(today);
	snprintf(q, sizeof q, "%.4sQ%d", today, (atoi(today + 5) - 1) / 3 + 1);
	lw_fig_period_parse(q, today, &p[0], &err);
	lw_fig_period_last_year(&p[0], &p[1]);
	lw_fig_period_year_to_end(&p[0], &p[2]);
	lw_fig_period_last_year(&p[2], &p[3]);
	if (!(wh = lw_web_open_ro(rq)))
		return;
	for (int i = 0; i < 4; i++)
		if (lw_figures_compute(wh, LW_FIG_BY_AGENCY, &p[i], &fo, &t[i], &err) != 0) {
			lw_web_text(rq, 500, err.msg);
			goto out;
		}
	lw_page_begin(rq, &b, LW_T(rq, "总览", "Overview"));
	lw_strbuf_printf(&b, "<table id=\"figures\"><tr><th></th><th>%s</th><th>%s</th><th>%s</th>"
		      "<th>%s</th></tr>", p[0].label, LW_T(rq, "上年同期", "same period last year"),
		      p[2].label, LW_T(rq, "上年同期", "same period last year"));
	{
		long long v[4];
		struct lw_rate r[4];
#define ROW(expr, zh, en, id) \
	for (int i = 0; i < 4; i++) v[i] = t[i].total.c.expr; \
	line(&b, LW_T(rq, zh, en), id, v);
		ROW(filed, "新收", "Filed", "fig-filed")
		ROW(concluded, "审结", "Concluded", "fig-concluded")
		ROW(lost, "败诉", "Lost", "fig-lost")
#undef ROW
		for (int i = 0; i < 4; i++) r[i] = t[i].total.r.loss;
		rate_line(&b, LW_T(rq, "败诉率%", "Loss rate %"), "fig-loss", r);
		for (int i = 0; i < 4; i++) v[i] = t[i].total.c.withdrawn + t[i].total.c.mediated;
		line(&b, LW_T(rq, "调撤", "Withdrawn or mediated"), "fig-wm", v);
		for (int i = 0; i < 4; i++) r[i] = t[i].total.r.head_appearance;
		rate_line(&b, LW_T(rq, "负责人出庭应诉率%", "Head appearance %"), "fig-head", r);
	}
	lw_strbuf_printf(&b, "</table><h2>%s</h2><table id=\"risk\"><tr><th>%s</th><th>%s</th>"
		      "<th>%s</th></tr>", LW_T(rq, "风险等级", "Risk grade"), LW_T(rq, "单位", "Agency"),
		      LW_T(rq, "败诉率%", "Loss rate %"), LW_T(rq, "等级", "Grade"));
	for (size_t i = 0; i < t[0].n; i++) {
		const struct lw_fig_row *r = &t[0].rows[i];
		const char *g = grade(r, 0);
		char lr[32];
		lw_strbuf_printf(&b, "<tr class=\"%s\"><td>", g ? g : "none");
		lw_buf_esc(&b, r->group);
		lw_strbuf_printf(&b, "</td><td class=\"n\">%s</td><td>%s</td></tr>",
			      lw_rate_format(r->r.loss, lr, sizeof lr),
			      !g ? "-" : !strcmp(g, "red") ? LW_T(rq, "红", "red") :
			      !strcmp(g, "orange") ? LW_T(rq, "橙", "orange") : LW_T(rq, "黄", "yellow"));
	}
	lw_strbuf_printf(&b, "</table><h2>%s</h2><ul id=\"firing\">", LW_T(rq, "正在触发的预警",
								      "Firing alerts"));
	if (sqlite3_prepare_v2(lw_wh_db(wh), "SELECT id, rule, period, coalesce(summary, '') FROM "
			       "alerts WHERE state = 'firing' ORDER BY id", -1, &st, NULL) == SQLITE_OK)
		while (sqlite3_step(st) == SQLITE_ROW) {
			lw_strbuf_printf(&b, "<li>#%lld ", (long long)sqlite3_column_int64(st, 0));
			lw_buf_esc(&b, (const char *)sqlite3_column_text(st, 1));
			lw_buf_put(&b, " ");
			lw_buf_esc(&b, (const char *)sqlite3_column_text(st, 2));
			lw_buf_put(&b, ": ");
			lw_buf_esc(&b, (const char *)sqlite3_column_text(st, 3));
			lw_buf_put(&b, "</li>");
		}
	sqlite3_finalize(st);
	lw_buf_put(&b, "</ul>");
	lw_page_end(rq, &b);
	lw_page_reply(rq, &b, 200);
out:
	for (int i = 0; i < 4; i++)
		lw_fig_table_free(&t[i]);
	lw_wh_close(wh);
}
