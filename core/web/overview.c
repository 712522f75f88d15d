/*
 * overview.c — 总览 Overview: this quarter and this year against the same
 * period last year (from core/figures), the agencies by risk grade, and
 * the firing alerts.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "deadlines/obligations.h"
#include "figures/figures.h"
#include "web/web_int.h"
#include "web/web_sql.h"

/* One measure against its thresholds: the grade (1 yellow .. 3 red) or 0. */
static int grade_of(const struct lw_risk_measure *m, double v)
{
	int g = 0;
	for (int i = 0; i < LW_RISK_GRADES; i++)
		if (m->at[i] >= 0 && v >= m->at[i])
			g = i + 1;
	return g;
}

static const char *const grade_class[] = {"none", "yellow", "orange", "red"};

static const char *grade_text(struct lw_web_req *rq, int g)
{
	static const char *const zh[] = {"-", "黄", "橙", "红"}, *const en[] = {"-", "yellow",
										 "orange", "red"};
	return rq->en ? en[g] : zh[g];
}

struct count_ud {
	json_t *by; /* agency -> count */
};

static int count_overdue(void *ud, const struct lw_ob_row *r)
{
	json_t *by = ((struct count_ud *)ud)->by;
	json_t *v = json_object_get(by, r->agency);
	json_object_set_new(by, r->agency, json_integer(v ? json_integer_value(v) + 1 : 1));
	return 0;
}

/* The risk table: every agency's measures, their grades and the worst. */
static void risk_table(struct lw_web_req *rq, struct lw_wh *wh, struct lw_strbuf *b,
		       const struct lw_fig_table *t, const struct lw_fig_period *p)
{
	const struct lw_dashboard_conf *d = &rq->s->dash;
	struct count_ud overdue = {json_object()};
	json_t *firing = json_object();
	struct lw_ob_filter f = {.state = "overdue"};
	struct lw_fig_hotline *h = NULL;
	struct lw_err err = {0};
	sqlite3_stmt *st;
	long long unassigned = 0;
	size_t nh = 0;
	char today[11];

	lw_web_today(today);
	lw_obligations_each(wh, rq->s->deadlines, today, &f, count_overdue, &overdue, &err);
	if (lw_wh_stmt(wh, lw_wsql_firing_by_agency, &st, &err) == 0)
		while (lw_wh_step(wh, st, &err) == 1)
			json_object_set_new(firing, (const char *)sqlite3_column_text(st, 0),
					    json_integer(sqlite3_column_int64(st, 1)));
	lw_figures_hotline(wh, p, &h, &nh, &unassigned, &err);
	lw_strbuf_printf(b, "<h2>%s %s</h2><table id=\"risk\">", LW_T(rq, "风险等级", "Risk grade"),
			 p->label);
	lw_buf_head(rq, b, "单位", "Agency", "败诉率%", "Loss rate %", "逾期义务", "Overdue obligations",
		    "触发预警", "Firing alerts", "12345执法类工单同比%", "12345 enforcement YoY %",
		    "等级", "Grade", NULL);
	for (size_t i = 0; i < t->n; i++) {
		const struct lw_fig_row *r = &t->rows[i];
		long long od = json_integer_value(json_object_get(overdue.by, r->group));
		long long fa = json_integer_value(json_object_get(firing, r->group));
		const struct lw_fig_hotline *hl = NULL;
		char lr[32], gr[32] = "n/a";
		int g = 0, gl = 0, gc = 0;
		for (size_t k = 0; k < nh; k++)
			if (!strcmp(h[k].agency, r->group))
				hl = &h[k];
		if (r->r.loss.defined && r->c.concluded >= d->min_concluded)
			gl = grade_of(&d->loss_rate, (double)r->r.loss.hundredths / 100.0);
		if (hl && hl->enforcement_last_year > 0) {
			double growth = 100.0 * (double)(hl->enforcement - hl->enforcement_last_year) /
					(double)hl->enforcement_last_year;
			snprintf(gr, sizeof gr, "%.2f", growth);
			if (hl->enforcement >= d->min_complaints)
				gc = grade_of(&d->complaints_growth, growth);
		}
		g = gl;
		if (grade_of(&d->overdue, (double)od) > g)
			g = grade_of(&d->overdue, (double)od);
		if (grade_of(&d->firing, (double)fa) > g)
			g = grade_of(&d->firing, (double)fa);
		if (gc > g)
			g = gc;
		lw_strbuf_printf(b, "<tr class=\"%s\"><td>", grade_class[g]);
		lw_buf_agency_link(rq, b, r->group);
		lw_strbuf_printf(b, "</td><td class=\"n\">%s</td><td class=\"n\">%lld</td><td "
				    "class=\"n\">%lld</td><td class=\"n\">%s</td><td class=\"grade\">%s"
				    "</td></tr>\n",
				 lw_rate_format(r->r.loss, lr, sizeof lr), od, fa, gr, grade_text(rq, g));
	}
	lw_buf_put(b, "</table>");
	lw_strbuf_printf(b, "<p class=\"note\">%s</p>",
			 LW_T(rq, "阈值见配置 dashboard.risk（docs/dashboard.md）。",
			      "Thresholds: the configuration's dashboard.risk (docs/dashboard.md)."));
	lw_fig_hotline_free(h, nh);
	json_decref(overdue.by);
	json_decref(firing);
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
	struct lw_fig_opts fo = {rq->s->rounding, rq->s->withdrawn_is_loss, 1, rq->s->known_agencies};
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
	if (lw_fig_period_parse(rq->period[0] ? rq->period : q, today, &p[0], &err) != 0) {
		lw_web_message(rq, 400, "期间应为 2024、2024H1、2024Q3、2024-07 或 ytd。",
			       "period: expected 2024, 2024H1, 2024Q3, 2024-07 or ytd.");
		return;
	}
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
	lw_buf_put(&b, "</table>");
	risk_table(rq, wh, &b, &t[0], &p[0]);
	{
		/* Due this week: today and the six days after (Beijing). */
		time_t wk = time(NULL) + 8 * 3600 + 6 * 86400;
		struct tm tm;
		char until[16];
		gmtime_r(&wk, &tm);
		strftime(until, sizeof until, "%Y-%m-%d", &tm);
		lw_strbuf_printf(&b, "<h2>%s</h2>", LW_T(rq, "本周到期的时限", "Deadlines due this week"));
		lw_web_obligations_table(rq, wh, &b, "due-week", NULL, "due", NULL, today, until, 100);
	}
	lw_strbuf_printf(&b, "<h2>%s</h2><ul id=\"firing\">", LW_T(rq, "正在触发的预警",
								      "Firing alerts"));
	if (sqlite3_prepare_v2(lw_wh_db(wh), "SELECT id, rule, period, coalesce(summary, '') FROM "
			       "alerts WHERE state = 'firing' ORDER BY id DESC LIMIT 50", -1, &st, NULL) == SQLITE_OK)
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
	lw_strbuf_printf(&b, "</ul><p><a href=\"/ui/alerts?state=firing%s\">%s</a></p>", LW_LANG_A(rq),
			 LW_T(rq, "全部正在触发的预警（最近 50 条见上）",
			      "every firing alert (the latest 50 above)"));
	lw_page_end(rq, &b);
	lw_page_reply(rq, &b, 200);
out:
	for (int i = 0; i < 4; i++)
		lw_fig_table_free(&t[i]);
	lw_wh_close(wh);
}
