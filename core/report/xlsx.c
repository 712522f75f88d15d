/*
 * xlsx.c — the bulletin as an Excel workbook through libxlsxwriter: what
 * leaders open.
 *
 *   通报        title, the data-completeness warning on the first page, the
 *               headline against last year and the previous period, and
 *               two native charts: loss rate by group (bar, from 排名) and
 *               filed per month this year against last year (line, from 月度)
 *   排名        every group in rank order; the annual top N rows (不得评为优秀)
 *               highlighted by a conditional format, a data bar on the loss
 *               rate
 *   败诉案件, 12345与诉讼, 数据完整性, 月度
 *
 * Every sheet: Chinese headers with the English row below, frozen, rates as
 * numbers formatted 0.00%, A4 landscape, header rows repeated on every
 * printed page, one page wide.  Text from outside is always a string cell,
 * never a formula; one that would read as a formula once edited
 * (lw_cell_is_formula_like) is written behind an apostrophe, as in the CSV.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xlsxwriter.h>

#include "base/export.h"
#include "report/report_int.h"

struct fmts {
	lxw_format *title, *head, *head_en, *text, *num, *pct, *points, *signed_num, *warn, *meta,
		*flag, *growth, *label;
};

static void put_text(lxw_worksheet *ws, int r, int c, const char *s, lxw_format *f)
{
	if (!s) {
		worksheet_write_blank(ws, (lxw_row_t)r, (lxw_col_t)c, f);
	} else if (lw_cell_is_formula_like(s)) {
		size_t n = strlen(s) + 2;
		char *q = malloc(n);
		if (q) {
			snprintf(q, n, "'%s", s);
			worksheet_write_string(ws, (lxw_row_t)r, (lxw_col_t)c, q, f);
			free(q);
		}
	} else {
		worksheet_write_string(ws, (lxw_row_t)r, (lxw_col_t)c, s, f);
	}
}

static void put_value(lxw_worksheet *ws, int r, int c, json_t *v, enum lw_rcol_kind kind,
		      const struct fmts *F)
{
	lxw_row_t row = (lxw_row_t)r;
	lxw_col_t col = (lxw_col_t)c;

	switch (kind) {
	case LW_RCOL_TEXT:
		put_text(ws, r, c, json_string_value(v), F->text);
		break;
	case LW_RCOL_INT:
	case LW_RCOL_RANK:
		if (json_is_integer(v))
			worksheet_write_number(ws, row, col, (double)json_integer_value(v), F->num);
		else
			worksheet_write_blank(ws, row, col, F->num);
		break;
	case LW_RCOL_RATE:
		if (json_is_number(v))
			worksheet_write_number(ws, row, col, json_number_value(v) / 100.0, F->pct);
		else
			worksheet_write_string(ws, row, col, "—", F->num);
		break;
	case LW_RCOL_POINTS:
		if (json_is_number(v))
			worksheet_write_number(ws, row, col, json_number_value(v), F->points);
		else
			worksheet_write_string(ws, row, col, "—", F->num);
		break;
	case LW_RCOL_FLAG:
		worksheet_write_string(ws, row, col, json_is_true(v) ? "是" : "", F->text);
		break;
	}
}

static void page_setup(lxw_worksheet *ws, int header_rows)
{
	worksheet_set_landscape(ws);
	worksheet_set_paper(ws, 9); /* A4 */
	worksheet_fit_to_pages(ws, 1, 0);
	worksheet_set_margins(ws, 0.4, 0.4, 0.6, 0.6);
	worksheet_set_footer(ws, "&C第 &P 页，共 &N 页");
	if (header_rows > 0)
		worksheet_repeat_rows(ws, 0, (lxw_row_t)(header_rows - 1));
}

/* A table sheet: headers in rows 0 (Chinese) and 1 (English), data from 2.
 * Returns the number of data rows. */
static size_t table_sheet(lxw_workbook *wb, json_t *doc, const struct lw_rtable *t, json_t *rows,
			  const struct fmts *F, lxw_worksheet **out)
{
	lxw_worksheet *ws = workbook_add_worksheet(wb, t->sheet);
	int ranking = t == &lw_rtable_ranking;
	json_t *r;
	size_t i;

	*out = ws;
	for (size_t c = 0; c < t->ncols; c++) {
		const char *zh = ranking && !strcmp(t->cols[c].key, "group") ? lw_report_group_zh(doc)
									     : t->cols[c].zh;
		worksheet_write_string(ws, 0, (lxw_col_t)c, zh, F->head);
		worksheet_write_string(ws, 1, (lxw_col_t)c, t->cols[c].en, F->head_en);
		worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, t->cols[c].width, NULL);
	}
	worksheet_set_row(ws, 0, 30, NULL);
	json_array_foreach(rows, i, r)
		for (size_t c = 0; c < t->ncols; c++)
			put_value(ws, (int)i + 2, (int)c, lw_rcol_value(r, &t->cols[c]), t->cols[c].kind,
				  F);
	worksheet_freeze_panes(ws, 2, ranking ? 2 : 1);
	page_setup(ws, 2);
	if (json_array_size(rows))
		worksheet_autofilter(ws, 1, 0, (lxw_row_t)(json_array_size(rows) + 1),
				     (lxw_col_t)(t->ncols - 1));
	return json_array_size(rows);
}

static int col_of(const struct lw_rtable *t, const char *key)
{
	for (size_t c = 0; c < t->ncols; c++)
		if (!strcmp(t->cols[c].key, key))
			return (int)c;
	return 0;
}

static void col_name(int c, char *buf)
{
	if (c < 26)
		snprintf(buf, 4, "%c", 'A' + c);
	else
		snprintf(buf, 4, "%c%c", 'A' + c / 26 - 1, 'A' + c % 26);
}

static void ranking_formats(lxw_worksheet *ws, size_t n, const struct fmts *F)
{
	const struct lw_rtable *t = &lw_rtable_ranking;
	int flag = col_of(t, "not_excellent"), growth = col_of(t, "highest_growth");
	int rate = col_of(t, "loss_rate");
	lxw_conditional_format cf;
	char a[4], formula[64];
	lxw_row_t last = (lxw_row_t)(n + 1);

	if (!n)
		return;
	memset(&cf, 0, sizeof cf);
	col_name(flag, a);
	snprintf(formula, sizeof formula, "=$%s3=\"是\"", a);
	cf.type = LXW_CONDITIONAL_TYPE_FORMULA;
	cf.value_string = formula;
	cf.format = F->flag;
	worksheet_conditional_format_range(ws, 2, 0, last, (lxw_col_t)(t->ncols - 1), &cf);
	memset(&cf, 0, sizeof cf);
	col_name(growth, a);
	snprintf(formula, sizeof formula, "=$%s3=\"是\"", a);
	cf.type = LXW_CONDITIONAL_TYPE_FORMULA;
	cf.value_string = formula;
	cf.format = F->growth;
	worksheet_conditional_format_range(ws, 2, 0, last, (lxw_col_t)(t->ncols - 1), &cf);
	memset(&cf, 0, sizeof cf);
	cf.type = LXW_CONDITIONAL_DATA_BAR;
	cf.bar_color = 0xC0504D;
	cf.bar_solid = LXW_TRUE;
	worksheet_conditional_format_range(ws, 2, (lxw_col_t)rate, last, (lxw_col_t)rate, &cf);
}

static void summary_sheet(lxw_workbook *wb, lxw_worksheet *ws, json_t *doc, const struct fmts *F,
			  size_t nranked, int *row_out)
{
	static const struct {
		const char *zh, *en, *key;
	} cols[] = {
		{"本期", "period", "period"},
		{"上年同期", "same period last year", "same_period_last_year"},
		{"同比变化", "change on last year", "change_on_last_year"},
		{"上期", "previous period", "previous_period"},
		{"环比变化", "change on previous period", "change_on_previous_period"},
		{"本年累计", "year to date", "year_to_date"},
	};
	json_t *h = json_object_get(doc, "headline"), *c = json_object_get(doc, "completeness");
	json_t *rules = json_object_get(doc, "rules");
	char title[256], p[64], line[512];
	int r = 0;

	(void)wb;
	(void)nranked;
	lw_bulletin_title(doc, title, sizeof title);
	worksheet_merge_range(ws, 0, 0, 0, 6, title, F->title);
	worksheet_set_row(ws, 0, 28, NULL);
	lw_report_period_zh(json_object_get(doc, "period"), p, sizeof p);
	snprintf(line, sizeof line, "%s（%s 至 %s）；上年同期 %s；舍入：%s；被告改变行政行为后撤诉%s计入败诉；"
				    "排名最低审结 %lld 件",
		 p, lw_rj_str(json_object_get(doc, "period"), "start"),
		 lw_rj_str(json_object_get(doc, "period"), "last"),
		 lw_rj_str(json_object_get(doc, "same_period_last_year"), "label"),
		 !strcmp(lw_rj_str(rules, "rounding") ? lw_rj_str(rules, "rounding") : "", "truncate")
			 ? "截断"
			 : "四舍五入",
		 json_is_true(json_object_get(rules, "withdrawn_after_change_is_loss")) ? "" : "不",
		 lw_rj_int(rules, "min_concluded"));
	worksheet_merge_range(ws, 1, 0, 1, 6, line, F->meta);
	r = 2;
	if (!json_is_true(json_object_get(c, "complete"))) {
		snprintf(line, sizeof line, "数据不完整：%zu 个单位本期未报送数据，数字可能偏低，详见“数据完整性”。"
					    " Incomplete data: %zu agencies sent no report.",
			 json_array_size(json_object_get(c, "silent_agencies")),
			 json_array_size(json_object_get(c, "silent_agencies")));
		worksheet_merge_range(ws, 2, 0, 2, 6, line, F->warn);
		worksheet_set_row(ws, 2, 32, NULL);
		r = 3;
	}
	r++;
	worksheet_write_string(ws, (lxw_row_t)r, 0, "指标 figure", F->head);
	for (size_t k = 0; k < sizeof cols / sizeof *cols; k++) {
		snprintf(line, sizeof line, "%s %s", cols[k].zh, cols[k].en);
		worksheet_write_string(ws, (lxw_row_t)r, (lxw_col_t)(k + 1), line, F->head);
	}
	for (size_t k = 0; k < lw_nrheadlines; k++) {
		const struct lw_rheadline *l = &lw_rheadlines[k];
		r++;
		snprintf(line, sizeof line, "%s %s", l->zh, l->en);
		worksheet_write_string(ws, (lxw_row_t)r, 0, line, F->label);
		for (size_t j = 0; j < sizeof cols / sizeof *cols; j++) {
			int change = !strncmp(cols[j].key, "change", 6);
			char key[64];
			json_t *v;
			snprintf(key, sizeof key, "%s%s", l->key,
				 change && l->kind == LW_RCOL_RATE ? "_points" : "");
			v = json_object_get(json_object_get(h, cols[j].key), key);
			if (change && l->kind == LW_RCOL_INT && json_is_integer(v))
				worksheet_write_number(ws, (lxw_row_t)r, (lxw_col_t)(j + 1),
						       (double)json_integer_value(v), F->signed_num);
			else
				put_value(ws, r, (int)j + 1, v,
					  change && l->kind == LW_RCOL_RATE ? LW_RCOL_POINTS : l->kind, F);
		}
	}
	worksheet_set_column(ws, 0, 0, 30, NULL);
	worksheet_set_column(ws, 1, 6, 16, NULL);
	page_setup(ws, 0);
	*row_out = r + 2;
}

static void charts(lxw_workbook *wb, lxw_worksheet *ws, int row, size_t nranked)
{
	const struct lw_rtable *t = &lw_rtable_ranking;
	int gc = col_of(t, "group"), rc = col_of(t, "loss_rate");
	lxw_chart *bar, *line;
	lxw_chart_series *s;
	lxw_chart_options opt = {.x_scale = 1.6, .y_scale = 1.3};

	if (nranked) {
		bar = workbook_add_chart(wb, LXW_CHART_BAR);
		s = chart_add_series(bar, NULL, NULL);
		chart_series_set_categories(s, lw_rtable_ranking.sheet, 2, (lxw_col_t)gc,
					    (lxw_row_t)(nranked + 1), (lxw_col_t)gc);
		chart_series_set_values(s, lw_rtable_ranking.sheet, 2, (lxw_col_t)rc,
					(lxw_row_t)(nranked + 1), (lxw_col_t)rc);
		chart_series_set_name(s, "败诉率 loss rate");
		chart_title_set_name(bar, "败诉率排名 loss rate by rank");
		chart_axis_set_num_format(bar->x_axis, "0.00%");
		chart_axis_set_reverse(bar->y_axis); /* rank 1 at the top */
		chart_legend_set_position(bar, LXW_CHART_LEGEND_NONE);
		worksheet_insert_chart_opt(ws, (lxw_row_t)row, 0, bar, &opt);
	}
	line = workbook_add_chart(wb, LXW_CHART_LINE);
	for (int k = 0; k < 2; k++) {
		s = chart_add_series(line, NULL, NULL);
		chart_series_set_categories(s, "月度", 1, 0, 12, 0);
		chart_series_set_values(s, "月度", 1, (lxw_col_t)(1 + k), 12, (lxw_col_t)(1 + k));
		chart_series_set_name_range(s, "月度", 0, (lxw_col_t)(1 + k));
	}
	chart_title_set_name(line, "月度新收案件 filed per month");
	chart_legend_set_position(line, LXW_CHART_LEGEND_BOTTOM);
	worksheet_insert_chart_opt(ws, (lxw_row_t)(row + (nranked ? 22 : 0)), 0, line, &opt);
}

static void monthly_sheet(lxw_workbook *wb, json_t *doc, const struct fmts *F)
{
	lxw_worksheet *ws = workbook_add_worksheet(wb, "月度");
	json_t *m = json_object_get(doc, "monthly_filed");
	char h[64];

	worksheet_write_string(ws, 0, 0, "月份 month", F->head);
	snprintf(h, sizeof h, "%lld年", lw_rj_int(m, "year"));
	worksheet_write_string(ws, 0, 1, h, F->head);
	snprintf(h, sizeof h, "%lld年", lw_rj_int(m, "year") - 1);
	worksheet_write_string(ws, 0, 2, h, F->head);
	for (int i = 0; i < 12; i++) {
		json_t *a = json_array_get(json_object_get(m, "this_year"), (size_t)i);
		snprintf(h, sizeof h, "%d月", i + 1);
		worksheet_write_string(ws, (lxw_row_t)(i + 1), 0, h, F->text);
		if (json_is_integer(a))
			worksheet_write_number(ws, (lxw_row_t)(i + 1), 1, (double)json_integer_value(a),
					       F->num);
		worksheet_write_number(ws, (lxw_row_t)(i + 1), 2,
				       (double)json_integer_value(json_array_get(
					       json_object_get(m, "last_year"), (size_t)i)),
				       F->num);
	}
	worksheet_set_column(ws, 0, 2, 12, NULL);
	worksheet_freeze_panes(ws, 1, 0);
	page_setup(ws, 1);
}

static void completeness_sheet(lxw_workbook *wb, json_t *doc, const struct fmts *F)
{
	json_t *c = json_object_get(doc, "completeness"), *v;
	lxw_worksheet *ws;
	size_t n, i;
	int r;

	n = table_sheet(wb, doc, &lw_rtable_sources, json_object_get(c, "sources"), F, &ws);
	r = (int)n + 3;
	worksheet_write_string(ws, (lxw_row_t)r++, 0, "本期未报送数据的单位 agencies that sent no report",
			       F->head);
	json_array_foreach(json_object_get(c, "silent_agencies"), i, v)
		put_text(ws, r++, 0, json_string_value(v), F->warn);
	if (!json_array_size(json_object_get(c, "silent_agencies")))
		worksheet_write_string(ws, (lxw_row_t)r, 0, "无 none", F->text);
}

static lxw_format *fmt(lxw_workbook *wb)
{
	lxw_format *f = workbook_add_format(wb);
	format_set_font_name(f, "宋体");
	format_set_font_size(f, 11);
	return f;
}

int lw_report_write_xlsx(json_t *doc, const char *path, struct lw_err *e)
{
	lxw_workbook *wb = workbook_new(path);
	lxw_doc_properties props = {0};
	lxw_worksheet *summary, *ws;
	struct fmts F;
	char title[256];
	size_t nranked = 0, i;
	json_t *g;
	int row;
	struct tm tm = {0};
	lxw_error err;

	if (!wb)
		return lw_err_set(e, LW_EIO, "%s: cannot create the workbook", path);
	F.title = fmt(wb);
	format_set_bold(F.title);
	format_set_font_size(F.title, 16);
	format_set_align(F.title, LXW_ALIGN_CENTER);
	F.head = fmt(wb);
	format_set_bold(F.head);
	format_set_bg_color(F.head, 0xDCE6F1);
	format_set_border(F.head, LXW_BORDER_THIN);
	format_set_text_wrap(F.head);
	format_set_align(F.head, LXW_ALIGN_CENTER);
	format_set_align(F.head, LXW_ALIGN_VERTICAL_CENTER);
	F.head_en = fmt(wb);
	format_set_font_size(F.head_en, 9);
	format_set_font_color(F.head_en, 0x666666);
	format_set_bg_color(F.head_en, 0xDCE6F1);
	format_set_border(F.head_en, LXW_BORDER_THIN);
	format_set_text_wrap(F.head_en);
	F.text = fmt(wb);
	format_set_border(F.text, LXW_BORDER_THIN);
	F.label = fmt(wb);
	format_set_border(F.label, LXW_BORDER_THIN);
	format_set_bold(F.label);
	F.num = fmt(wb);
	format_set_border(F.num, LXW_BORDER_THIN);
	format_set_num_format(F.num, "0");
	F.signed_num = fmt(wb);
	format_set_border(F.signed_num, LXW_BORDER_THIN);
	format_set_num_format(F.signed_num, "+0;-0;0");
	F.pct = fmt(wb);
	format_set_border(F.pct, LXW_BORDER_THIN);
	format_set_num_format(F.pct, "0.00%");
	F.points = fmt(wb);
	format_set_border(F.points, LXW_BORDER_THIN);
	format_set_num_format(F.points, "+0.00\"个百分点\";-0.00\"个百分点\";0.00\"个百分点\"");
	F.warn = fmt(wb);
	format_set_bold(F.warn);
	format_set_font_color(F.warn, 0x9C0006);
	format_set_bg_color(F.warn, 0xFFC7CE);
	format_set_text_wrap(F.warn);
	F.meta = fmt(wb);
	format_set_font_color(F.meta, 0x555555);
	format_set_align(F.meta, LXW_ALIGN_CENTER);
	F.flag = workbook_add_format(wb);
	format_set_bg_color(F.flag, 0xFDE9D9);
	format_set_font_color(F.flag, 0x9C0006);
	F.growth = workbook_add_format(wb);
	format_set_bg_color(F.growth, 0xFFF2CC);

	lw_bulletin_title(doc, title, sizeof title);
	props.title = title;
	props.author = "litwatch";
	props.subject = "行政诉讼案件情况通报 administrative litigation bulletin";
	/* No clock in the file: the creation date is the period's last day. */
	if (sscanf(lw_rj_str(json_object_get(doc, "period"), "last") ? lw_rj_str(json_object_get(doc, "period"), "last") : "",
		   "%d-%d-%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) == 3) {
		tm.tm_year -= 1900;
		tm.tm_mon -= 1;
		props.created = timegm(&tm);
	}
	workbook_set_properties(wb, &props);

	summary = workbook_add_worksheet(wb, "通报");
	json_array_foreach(json_object_get(doc, "groups"), i, g)
		nranked += json_is_integer(json_object_get(g, "loss_rate_rank"));
	summary_sheet(wb, summary, doc, &F, nranked, &row);
	table_sheet(wb, doc, &lw_rtable_ranking, json_object_get(doc, "groups"), &F, &ws);
	ranking_formats(ws, json_array_size(json_object_get(doc, "groups")), &F);
	table_sheet(wb, doc, &lw_rtable_lost, json_object_get(doc, "lost_cases"), &F, &ws);
	table_sheet(wb, doc, &lw_rtable_hotline,
		    json_object_get(json_object_get(doc, "hotline"), "agencies"), &F, &ws);
	table_sheet(wb, doc, &lw_rtable_on_time,
		    json_object_get(json_object_get(doc, "deadlines"), "agencies"), &F, &ws);
	table_sheet(wb, doc, &lw_rtable_late,
		    json_object_get(json_object_get(doc, "deadlines"), "late_or_overdue"), &F, &ws);
	completeness_sheet(wb, doc, &F);
	monthly_sheet(wb, doc, &F);
	charts(wb, summary, row, nranked);
	if ((err = workbook_close(wb)) != LXW_NO_ERROR)
		return lw_err_set(e, LW_EIO, "%s: %s", path, lxw_strerror(err));
	return 0;
}
