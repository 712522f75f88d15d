/*
 * ranking.c — 排名 Ranking: the bulletin's table for any period, sorted by
 * any column with plain links (no script), downloads through the same code
 * as `litwatch report`; and GET /api/stats, the figures as JSON for
 * scripts.  Every figure comes from core/figures, never recomputed here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "figures/figures.h"
#include "report/report.h"
#include "web/web_int.h"

/* The period asked for, or this quarter. */
static int get_period(struct lw_web_req *rq, struct lw_fig_period *p)
{
	char today[11], q[16];
	struct lw_err err = {0};

	lw_fig_today(today);
	if (rq->period[0])
		return lw_fig_period_parse(rq->period, today, p, &err);
	snprintf(q, sizeof q, "%.4sQ%d", today, (atoi(today + 5) - 1) / 3 + 1);
	return lw_fig_period_parse(q, today, p, &err);
}

/* The by-agency figures of the period asked for, for the ranking page and
 * /api/stats.  Replies itself and returns -1 when it cannot: a bad period
 * (400), or the warehouse (500: the detail goes to the log, not the
 * page). */
static int agency_figures(struct lw_web_req *rq, const struct lw_fig_opts *fo,
			  struct lw_fig_period *p, struct lw_fig_table *t)
{
	struct lw_err err = {0};
	struct lw_wh *wh;
	int rc;

	if (get_period(rq, p) != 0) {
		lw_web_text(rq, 400, "period: expected 2024, 2024H1, 2024Q3, 2024-07, "
			    "2024-01..2024-09 or ytd\n");
		return -1;
	}
	if (!(wh = lw_web_open_ro(rq)))
		return -1;
	rc = lw_figures_compute(wh, LW_FIG_BY_AGENCY, p, fo, t, &err);
	lw_wh_close(wh);
	if (rc != 0) {
		lw_log(LW_LOG_ERR, "web", "figures of %s: %s", p->label, err.msg);
		lw_web_text(rq, 500, "统计数据暂时无法读取，请稍后再试 / the figures cannot be read "
			    "now; try again later\n");
		return -1;
	}
	return 0;
}

static const char *const cols[] = {"rank", "group", "filed", "concluded", "lost", "loss_rate",
				   "withdrawn_mediated", "head_appearance", "yoy_filed_growth"};

struct sorter {
	const struct lw_fig_row *rows;
	const int *rank;
	int col, desc;
};
/* qsort has no context argument; each pool thread sorts its own page. */
static _Thread_local struct sorter *t_sort;

static long long key_of(const struct sorter *s, int i)
{
	const struct lw_fig_row *r = &s->rows[i];
	switch (s->col) {
	case 0: return s->rank[i] ? s->rank[i] : 1 << 30;
	case 2: return r->c.filed;
	case 3: return r->c.concluded;
	case 4: return r->c.lost;
	case 5: return r->r.loss.defined ? r->r.loss.hundredths : -1;
	case 6: return r->c.withdrawn + r->c.mediated;
	case 7: return r->r.head_appearance.defined ? r->r.head_appearance.hundredths : -1;
	case 8: return r->r.yoy_filed_growth.defined ? r->r.yoy_filed_growth.hundredths : -(1LL << 40);
	default: return 0;
	}
}

static int cmp_rows(const void *a, const void *b)
{
	const struct sorter *s = t_sort;
	int i = *(const int *)a, j = *(const int *)b, c;

	if (s->col == 1)
		c = strcmp(s->rows[i].group, s->rows[j].group);
	else {
		long long x = key_of(s, i), y = key_of(s, j);
		c = x < y ? -1 : x > y;
	}
	if (!c)
		c = strcmp(s->rows[i].group, s->rows[j].group);
	return s->desc ? -c : c;
}

static void cell_rate(struct lw_strbuf *b, struct lw_rate r)
{
	char t[32];
	lw_strbuf_printf(b, "<td class=\"n\">%s</td>", lw_rate_format(r, t, sizeof t));
}

void lw_web_ranking(struct lw_web_req *rq)
{
	static const char *const zh[] = {"名次", "单位", "新收", "审结", "败诉", "败诉率%",
					 "调撤", "负责人出庭率%", "同比%"};
	static const char *const en[] = {"Rank", "Agency", "Filed", "Concluded", "Lost", "Loss %",
					 "Withdrawn+mediated", "Head appearance %", "YoY %"};
	struct lw_fig_opts fo = {rq->s->rounding, rq->s->withdrawn_is_loss, 1, rq->s->known_agencies};
	struct lw_fig_table t = {0};
	struct lw_fig_period p;
	struct lw_strbuf b = {0};
	struct sorter s = {0};
	int *rank = NULL, *order = NULL;
	char title[80];

	if (agency_figures(rq, &fo, &p, &t) != 0)
		return;
	rank = calloc(t.n + 1, sizeof *rank);
	order = calloc(t.n + 1, sizeof *order);
	if (!rank || !order)
		goto out;
	lw_fig_rank_loss_rate(t.rows, t.n, LW_REPORT_MIN_CONCLUDED_DEFAULT, rank);
	for (size_t i = 0; i < t.n; i++)
		order[i] = (int)i;
	s.rows = t.rows;
	s.rank = rank;
	s.desc = !strcmp(rq->dir, "desc");
	for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++)
		if (!strcmp(rq->sort, cols[c]))
			s.col = (int)c;
	t_sort = &s;

	qsort(order, t.n, sizeof *order, cmp_rows);
	snprintf(title, sizeof title, "%s %s", LW_T(rq, "排名", "Ranking"), p.label);
	lw_page_begin(rq, &b, title);
	lw_strbuf_printf(&b, "<form method=\"get\" action=\"/ui/ranking\"><label>%s <input "
		      "name=\"period\" value=\"%s\"></label>%s<button>%s</button></form>",
		      LW_T(rq, "期间", "Period"), p.label,
		      rq->en ? "<input type=\"hidden\" name=\"lang\" value=\"en\">" : "",
		      LW_T(rq, "查看", "Show"));
	lw_strbuf_printf(&b, "<p>%s: <a id=\"dl-xlsx\" href=\"/ui/ranking.xlsx?period=%s\">XLSX</a> "
		      "<a id=\"dl-csv\" href=\"/ui/ranking.csv?period=%s\">CSV</a> "
		      "<a id=\"dl-html\" href=\"/ui/ranking.html?period=%s\">HTML</a></p>",
		      LW_T(rq, "下载", "Download"), p.label, p.label, p.label);
	lw_buf_put(&b, "<table id=\"ranking\"><thead><tr>");
	for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++)
		lw_strbuf_printf(&b, "<th><a id=\"sort-%s\" href=\"/ui/ranking?period=%s&amp;sort=%s&amp;"
			      "dir=%s%s\">%s</a></th>", cols[c], p.label, cols[c],
			      (int)c == s.col && !s.desc ? "desc" : "asc", rq->en ? "&amp;lang=en" : "",
			      rq->en ? en[c] : zh[c]);
	lw_buf_put(&b, "</tr></thead><tbody>");
	for (size_t k = 0; k < t.n; k++) {
		const struct lw_fig_row *r = &t.rows[order[k]];
		lw_buf_put(&b, "<tr><td class=\"n\">");
		if (rank[order[k]])
			lw_strbuf_printf(&b, "%d", rank[order[k]]);
		lw_buf_put(&b, "</td><td class=\"agency\">");
		lw_buf_agency_link(rq, &b, r->group);
		lw_strbuf_printf(&b, "</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td><td "
			      "class=\"n\">%lld</td>", r->c.filed, r->c.concluded, r->c.lost);
		cell_rate(&b, r->r.loss);
		lw_strbuf_printf(&b, "<td class=\"n\">%lld</td>", r->c.withdrawn + r->c.mediated);
		cell_rate(&b, r->r.head_appearance);
		cell_rate(&b, r->r.yoy_filed_growth);
		lw_buf_put(&b, "</tr>\n");
	}
	lw_strbuf_printf(&b, "</tbody><tfoot><tr id=\"total\"><td></td><td>%s</td><td class=\"n\">%lld"
		      "</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td>",
		      LW_T(rq, "合计", "Total"), t.total.c.filed, t.total.c.concluded, t.total.c.lost);
	cell_rate(&b, t.total.r.loss);
	lw_strbuf_printf(&b, "<td class=\"n\">%lld</td>", t.total.c.withdrawn + t.total.c.mediated);
	cell_rate(&b, t.total.r.head_appearance);
	cell_rate(&b, t.total.r.yoy_filed_growth);
	lw_buf_put(&b, "</tr></tfoot></table>");
	lw_page_end(rq, &b);
	lw_page_reply(rq, &b, 200);
out:
	free(rank);
	free(order);
	lw_fig_table_free(&t);
}

void lw_web_ranking_download(struct lw_web_req *rq, const char *format)
{
	struct lw_bulletin_opts o = {0};
	enum lw_report_format f;
	struct lw_err err = {0};
	json_t *doc = NULL;
	struct lw_wh *wh;
	char path[] = "/tmp/litwatch-web-XXXXXX", hdr[200];
	FILE *fp;
	int fd;

	if (get_period(rq, &o.period) != 0 || lw_report_format_parse(format, &f, &err) != 0) {
		lw_web_text(rq, 400, "bad period or format\n");
		return;
	}
	o.by = LW_FIG_BY_AGENCY;
	o.rounding = rq->s->rounding;
	o.withdrawn_is_loss = rq->s->withdrawn_is_loss;
	o.min_concluded = LW_REPORT_MIN_CONCLUDED_DEFAULT;
	o.flag_top = LW_REPORT_FLAG_TOP_DEFAULT;
	o.known_agencies = rq->s->known_agencies;
	if (!(wh = lw_web_open_ro(rq)))
		return;
	if (lw_bulletin_build(wh, &o, &doc, &err) != 0) {
		lw_wh_close(wh);
		lw_web_text(rq, 500, err.msg);
		return;
	}
	lw_wh_close(wh);
	if ((fd = mkstemp(path)) < 0) {
		json_decref(doc);
		lw_web_text(rq, 500, "cannot make a temporary file\n");
		return;
	}
	close(fd);
	if (lw_bulletin_write(doc, f, path, &err) != 0 || !(fp = fopen(path, "rb"))) {
		unlink(path);
		json_decref(doc);
		lw_web_text(rq, 500, err.msg[0] ? err.msg : "cannot write the bulletin\n");
		return;
	}
	json_decref(doc);
	fseek(fp, 0, SEEK_END);
	long n = ftell(fp);
	rewind(fp);
	rq->reply.body = malloc(n > 0 ? (size_t)n : 1);
	rq->reply.len = rq->reply.body ? fread(rq->reply.body, 1, (size_t)(n > 0 ? n : 0), fp) : 0;
	fclose(fp);
	unlink(path);
	rq->reply.status = rq->reply.body ? 200 : 500;
	rq->reply.content_type =
		f == LW_REPORT_XLSX ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" :
		f == LW_REPORT_CSV ? "text/csv; charset=utf-8" : "text/html; charset=utf-8";
	snprintf(hdr, sizeof hdr, "Content-Disposition: attachment; filename=\"%s.%s\"\r\n",
		 o.period.label, format);
	rq->reply.headers = strdup(hdr);
}

void lw_web_api_stats(struct lw_web_req *rq)
{
	struct lw_fig_opts fo = {rq->s->rounding, rq->s->withdrawn_is_loss, 0, NULL};
	struct lw_fig_table t = {0};
	struct lw_fig_period p;
	json_t *doc, *groups;

	if (agency_figures(rq, &fo, &p, &t) != 0)
		return;
	doc = json_object();
	groups = json_array();
	json_object_set_new(doc, "period", json_string(p.label));
	for (size_t i = 0; i < t.n; i++) {
		json_t *o = lw_fig_row_json(&t.rows[i]);
		json_object_set_new(o, "group", json_string(t.rows[i].group));
		json_array_append_new(groups, o);
	}
	json_object_set_new(doc, "groups", groups);
	json_object_set_new(doc, "total", lw_fig_row_json(&t.total));
	rq->reply.body = json_dumps(doc, JSON_INDENT(1) | JSON_REAL_PRECISION(15));
	rq->reply.len = rq->reply.body ? strlen(rq->reply.body) : 0;
	rq->reply.status = rq->reply.body ? 200 : 500;
	rq->reply.content_type = "application/json";
	rq->content_from = 0;
	rq->content_to = rq->reply.len;
	if (rq->building)
		lw_web_cache_done(rq, rq->reply.body, rq->reply.len);
	json_decref(doc);
	lw_fig_table_free(&t);
}
