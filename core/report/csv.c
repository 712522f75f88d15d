/*
 * csv.c — the bulletin as CSV: UTF-8 with a BOM (Excel on Chinese Windows
 * shows garbage without it), CRLF, Chinese headers with the English name
 * beside, one section after another separated by an empty line, and every
 * text that came from outside written through lw_csv_put_text (never a
 * formula).  Rates are numbers in percent ("2.78"), empty when undefined.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/export.h"
#include "report/report_int.h"

static void header_cell(FILE *f, const char *zh, const char *en, int first, int percent)
{
	char buf[160];

	snprintf(buf, sizeof buf, "%s %s%s", zh, en, percent ? " (%)" : "");
	if (!first)
		fputc(',', f);
	lw_csv_put_text(f, buf);
}

static void value(FILE *f, json_t *v, enum lw_rcol_kind kind)
{
	switch (kind) {
	case LW_RCOL_TEXT:
		lw_csv_put_text(f, json_string_value(v));
		break;
	case LW_RCOL_INT:
	case LW_RCOL_RANK:
		if (json_is_integer(v))
			fprintf(f, "%lld", (long long)json_integer_value(v));
		break;
	case LW_RCOL_RATE:
	case LW_RCOL_POINTS:
		if (json_is_number(v)) {
			long long h = llround(json_number_value(v) * 100.0);
			fprintf(f, "%s%lld.%02lld", h < 0 ? "-" : "", (h < 0 ? -h : h) / 100,
				(h < 0 ? -h : h) % 100);
		}
		break;
	case LW_RCOL_FLAG:
		fputs(json_is_true(v) ? "是" : "", f);
		break;
	}
}

static void section(FILE *f, const char *zh, const char *en)
{
	char buf[200];

	snprintf(buf, sizeof buf, "【%s】 %s", zh, en);
	lw_csv_put_text(f, buf);
	fputs("\r\n", f);
}

static void table(FILE *f, json_t *doc, const struct lw_rtable *t, json_t *rows)
{
	json_t *r;
	size_t i;

	section(f, t->zh, t->en);
	for (size_t c = 0; c < t->ncols; c++) {
		const char *zh = t->cols[c].zh;
		if (t == &lw_rtable_ranking && !strcmp(t->cols[c].key, "group"))
			zh = lw_report_group_zh(doc);
		header_cell(f, zh, t->cols[c].en, c == 0, t->cols[c].kind == LW_RCOL_RATE);
	}
	fputs("\r\n", f);
	json_array_foreach(rows, i, r) {
		for (size_t c = 0; c < t->ncols; c++) {
			if (c)
				fputc(',', f);
			value(f, lw_rcol_value(r, &t->cols[c]), t->cols[c].kind);
		}
		fputs("\r\n", f);
	}
	fputs("\r\n", f);
}

int lw_report_write_csv(json_t *doc, FILE *f, struct lw_err *e)
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
	json_t *h = json_object_get(doc, "headline"), *cpl = json_object_get(doc, "completeness"), *v;
	json_t *mon = json_object_get(doc, "monthly_filed");
	char title[256];
	size_t i;

	fputs("\xef\xbb\xbf", f);
	lw_bulletin_title(doc, title, sizeof title);
	lw_csv_put_text(f, title);
	fputs("\r\n", f);
	fprintf(f, "期间 period,%s,%s,%s\r\n", lw_rj_str(json_object_get(doc, "period"), "label"),
		lw_rj_str(json_object_get(doc, "period"), "start"),
		lw_rj_str(json_object_get(doc, "period"), "last"));
	fprintf(f, "上年同期 same period last year,%s\r\n上期 previous period,%s\r\n本年累计 year to date,%s\r\n",
		lw_rj_str(json_object_get(doc, "same_period_last_year"), "label"),
		lw_rj_str(json_object_get(doc, "previous_period"), "label"),
		lw_rj_str(json_object_get(doc, "year_to_date"), "label"));
	fprintf(f, "舍入 rounding,%s\r\n被告改变行政行为后撤诉计入败诉 withdrawn after change is loss,%s\r\n"
		   "排名最低审结数 min concluded,%lld\r\n不得评为优秀名额 flagged top,%lld\r\n",
		lw_rj_str(json_object_get(doc, "rules"), "rounding"),
		json_is_true(json_object_get(json_object_get(doc, "rules"),
					     "withdrawn_after_change_is_loss"))
			? "是"
			: "否",
		lw_rj_int(json_object_get(doc, "rules"), "min_concluded"),
		lw_rj_int(json_object_get(doc, "rules"), "flag_top"));
	fprintf(f, "数据完整 data complete,%s\r\n\r\n",
		json_is_true(json_object_get(cpl, "complete")) ? "是" : "否（见数据完整性 see completeness）");

	section(f, "主要指标", "headline");
	fputs("指标 figure", f);
	for (size_t c = 0; c < sizeof cols / sizeof *cols; c++) {
		fputc(',', f);
		header_cell(f, cols[c].zh, cols[c].en, 1, 0);
	}
	fputs("\r\n", f);
	for (size_t k = 0; k < lw_nrheadlines; k++) {
		const struct lw_rheadline *l = &lw_rheadlines[k];
		header_cell(f, l->zh, l->en, 1, l->kind == LW_RCOL_RATE);
		for (size_t c = 0; c < sizeof cols / sizeof *cols; c++) {
			int change = !strncmp(cols[c].key, "change", 6);
			char key[64];
			fputc(',', f);
			snprintf(key, sizeof key, "%s%s", l->key, change && l->kind == LW_RCOL_RATE ? "_points" : "");
			v = json_object_get(json_object_get(h, cols[c].key), key);
			value(f, v, l->kind == LW_RCOL_RATE && change ? LW_RCOL_POINTS : l->kind);
		}
		fputs("\r\n", f);
	}
	fputs("\r\n", f);

	table(f, doc, &lw_rtable_ranking, json_object_get(doc, "groups"));
	table(f, doc, &lw_rtable_lost, json_object_get(doc, "lost_cases"));
	table(f, doc, &lw_rtable_hotline, json_object_get(json_object_get(doc, "hotline"), "agencies"));
	fprintf(f, "未关联单位的涉执法诉求 enforcement work orders without an agency,%lld\r\n\r\n",
		lw_rj_int(json_object_get(doc, "hotline"), "unassigned"));
	table(f, doc, &lw_rtable_on_time, json_object_get(json_object_get(doc, "deadlines"), "agencies"));
	table(f, doc, &lw_rtable_late,
	      json_object_get(json_object_get(doc, "deadlines"), "late_or_overdue"));

	section(f, "本期未报送数据的单位", "agencies that sent no report this period");
	fputs("单位 agency\r\n", f);
	json_array_foreach(json_object_get(cpl, "silent_agencies"), i, v) {
		lw_csv_put_text(f, json_string_value(v));
		fputs("\r\n", f);
	}
	fputs("\r\n", f);
	table(f, doc, &lw_rtable_sources, json_object_get(cpl, "sources"));

	section(f, "月度新收案件", "filed per month");
	fprintf(f, "月份 month,%lld年 this year,%lld年 last year\r\n", lw_rj_int(mon, "year"),
		lw_rj_int(mon, "year") - 1);
	for (i = 0; i < 12; i++) {
		fprintf(f, "%zu月,", i + 1);
		value(f, json_array_get(json_object_get(mon, "this_year"), i), LW_RCOL_INT);
		fputc(',', f);
		value(f, json_array_get(json_object_get(mon, "last_year"), i), LW_RCOL_INT);
		fputs("\r\n", f);
	}
	if (ferror(f))
		return lw_err_set(e, LW_EIO, "CSV: write failed");
	return 0;
}
