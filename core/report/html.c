/*
 * html.c — the bulletin as one self-contained HTML file: no script, no
 * external font, stylesheet or image (offices are offline intranets with
 * old browsers), a Content-Security-Policy that would refuse them anyway,
 * charts as inline SVG (svg.c), print styles for A4 landscape with table
 * headers repeated on every page, and tables that scroll sideways on a
 * phone.  Every text is escaped for HTML, whatever its origin.
 */
#include <stdio.h>
#include <string.h>

#include "report/report_int.h"
#include "report/svg.h"

static const char css[] =
	"body{font-family:\"Microsoft YaHei\",\"PingFang SC\",\"Noto Sans CJK SC\",\"WenQuanYi Micro Hei\",SimSun,sans-serif;"
	"margin:16px;color:#222;line-height:1.5}"
	"h1{font-size:22px;text-align:center;margin:8px 0}h2{font-size:17px;border-left:4px solid #1f4e79;"
	"padding-left:8px;margin-top:28px}"
	".en{color:#777;font-weight:normal;font-size:85%}"
	".meta{text-align:center;color:#555;font-size:13px}"
	".warn{border:2px solid #c00;background:#fff0f0;color:#900;padding:8px 12px;margin:12px 0}"
	".wrap{overflow-x:auto;-webkit-overflow-scrolling:touch}"
	"table{border-collapse:collapse;font-size:13px;margin:6px 0}"
	"th,td{border:1px solid #999;padding:3px 6px;white-space:nowrap}"
	"th{background:#dce6f1}td.n{text-align:right}"
	"tr.top td{background:#fde9d9}tr.growth td{background:#fff2cc}"
	".bar{display:inline-block;height:9px;background:#4f81bd;vertical-align:middle;margin-left:4px}"
	"svg{max-width:100%;height:auto}"
	"@page{size:A4 landscape;margin:12mm}"
	"@media print{body{margin:0}.wrap{overflow:visible}thead{display:table-header-group}"
	"tr{page-break-inside:avoid}h2{page-break-after:avoid}}"
	"@media (max-width:600px){body{margin:6px}h1{font-size:18px}}";

void lw_html_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
	}
}

static void heading(FILE *f, const char *zh, const char *en)
{
	fputs("<h2>", f);
	lw_html_text(f, zh);
	fputs(" <span class=\"en\">", f);
	lw_html_text(f, en);
	fputs("</span></h2>\n", f);
}

static void table(FILE *f, json_t *doc, const struct lw_rtable *t, json_t *rows, int ranking)
{
	char buf[256];
	json_t *r;
	size_t i;

	heading(f, t->zh, t->en);
	if (!json_array_size(rows)) {
		fputs("<p>无 <span class=\"en\">none</span></p>\n", f);
		return;
	}
	fputs("<div class=\"wrap\"><table>\n<thead><tr>", f);
	for (size_t c = 0; c < t->ncols; c++) {
		fputs("<th>", f);
		lw_html_text(f, ranking && !strcmp(t->cols[c].key, "group") ? lw_report_group_zh(doc)
									    : t->cols[c].zh);
		fputs("<br><span class=\"en\">", f);
		lw_html_text(f, t->cols[c].en);
		fputs("</span></th>", f);
	}
	fputs("</tr></thead>\n<tbody>\n", f);
	json_array_foreach(rows, i, r) {
		const char *cls = !ranking ? NULL
				  : json_is_true(json_object_get(r, "not_excellent")) ? "top"
				  : json_is_true(json_object_get(r, "highest_growth")) ? "growth"
										       : NULL;
		fprintf(f, "<tr%s%s%s>", cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "");
		for (size_t c = 0; c < t->ncols; c++) {
			const struct lw_rcol *col = &t->cols[c];
			fputs(col->kind == LW_RCOL_TEXT ? "<td>" : "<td class=\"n\">", f);
			lw_html_text(f, lw_report_cell_text(r, col, buf, sizeof buf));
			if (ranking && !strcmp(col->key, "loss_rate")) {
				json_t *v = lw_rcol_value(r, col);
				if (json_is_number(v))
					fprintf(f, "<span class=\"bar\" style=\"width:%dpx\"></span>",
						(int)(json_number_value(v) * 0.6 + 0.5));
			}
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table></div>\n", f);
}

static void headline(FILE *f, json_t *doc)
{
	static const struct {
		const char *zh, *en, *key;
	} cols[] = {
		{"本期", "period", "period"},
		{"上年同期", "same period last year", "same_period_last_year"},
		{"同比变化", "change", "change_on_last_year"},
		{"上期", "previous period", "previous_period"},
		{"环比变化", "change", "change_on_previous_period"},
		{"本年累计", "year to date", "year_to_date"},
	};
	json_t *h = json_object_get(doc, "headline");
	char buf[64];

	heading(f, "主要指标", "headline");
	fputs("<div class=\"wrap\"><table>\n<thead><tr><th>指标<br><span class=\"en\">figure</span></th>", f);
	for (size_t c = 0; c < sizeof cols / sizeof *cols; c++)
		fprintf(f, "<th>%s<br><span class=\"en\">%s</span></th>", cols[c].zh, cols[c].en);
	fputs("</tr></thead>\n<tbody>\n", f);
	for (size_t k = 0; k < lw_nrheadlines; k++) {
		const struct lw_rheadline *l = &lw_rheadlines[k];
		fprintf(f, "<tr><td>%s <span class=\"en\">%s</span></td>", l->zh, l->en);
		for (size_t c = 0; c < sizeof cols / sizeof *cols; c++) {
			int change = !strncmp(cols[c].key, "change", 6);
			struct lw_rcol col = {l->zh, l->en, l->key, l->kind, 0};
			char key[64];
			snprintf(key, sizeof key, "%s%s", l->key,
				 change && l->kind == LW_RCOL_RATE ? "_points" : "");
			col.key = key;
			if (change && l->kind == LW_RCOL_RATE)
				col.kind = LW_RCOL_POINTS;
			lw_report_cell_text(json_object_get(h, cols[c].key), &col, buf, sizeof buf);
			if (change && l->kind == LW_RCOL_INT && buf[0] != '-' && strcmp(buf, "0"))
				fputs("<td class=\"n\">+", f);
			else
				fputs("<td class=\"n\">", f);
			lw_html_text(f, buf);
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table></div>\n", f);
}

static void completeness(FILE *f, json_t *doc)
{
	json_t *c = json_object_get(doc, "completeness"), *v;
	size_t i;

	heading(f, "数据完整性", "data completeness");
	if (!json_array_size(json_object_get(c, "silent_agencies"))) {
		fputs("<p>各单位本期均已报送数据。<span class=\"en\">Every agency sent data this "
		      "period.</span></p>\n", f);
	} else {
		fputs("<p>本期未报送数据的单位 <span class=\"en\">agencies that sent no report this "
		      "period</span>：</p>\n<ul>\n", f);
		json_array_foreach(json_object_get(c, "silent_agencies"), i, v) {
			fputs("<li>", f);
			lw_html_text(f, json_string_value(v));
			fputs("</li>\n", f);
		}
		fputs("</ul>\n", f);
	}
	table(f, doc, &lw_rtable_sources, json_object_get(c, "sources"), 0);
}

int lw_report_write_html(json_t *doc, FILE *f, struct lw_err *e)
{
	json_t *c = json_object_get(doc, "completeness"), *rules = json_object_get(doc, "rules");
	char title[256], p[64];

	lw_bulletin_title(doc, title, sizeof title);
	fputs("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>", f);
	lw_html_text(f, title);
	fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>", css);
	lw_html_text(f, title);
	fputs("</h1>\n<p class=\"meta\">", f);
	lw_html_text(f, lw_report_period_zh(json_object_get(doc, "period"), p, sizeof p));
	fprintf(f, "（%s 至 %s） · 上年同期 %s · 舍入 %s · 被告改变行政行为后撤诉%s计入败诉 · "
		   "排名最低审结 %lld 件</p>\n",
		lw_rj_str(json_object_get(doc, "period"), "start"),
		lw_rj_str(json_object_get(doc, "period"), "last"),
		lw_rj_str(json_object_get(doc, "same_period_last_year"), "label"),
		!strcmp(lw_rj_str(rules, "rounding") ? lw_rj_str(rules, "rounding") : "", "truncate")
			? "截断 truncate"
			: "四舍五入 half-up",
		json_is_true(json_object_get(rules, "withdrawn_after_change_is_loss")) ? "" : "不",
		lw_rj_int(rules, "min_concluded"));
	if (!json_is_true(json_object_get(c, "complete")))
		fprintf(f, "<div class=\"warn\"><b>数据不完整</b>：%zu 个单位本期未报送数据，以下数字可能"
			   "偏低，详见“数据完整性”。<br><span class=\"en\">Incomplete data: %zu agencies "
			   "sent no report this period; the figures below may be low.</span></div>\n",
			json_array_size(json_object_get(c, "silent_agencies")),
			json_array_size(json_object_get(c, "silent_agencies")));
	headline(f, doc);
	heading(f, "败诉率与月度新收", "charts");
	lw_svg_loss_rate_bars(f, doc);
	lw_svg_monthly_lines(f, doc);
	table(f, doc, &lw_rtable_ranking, json_object_get(doc, "groups"), 1);
	fprintf(f, "<p>说明：败诉率排名需本期审结不少于 %lld 件；本年累计败诉率前 %lld 名标注“不得评为优秀”"
		   "（浅红），发案增长最高者浅黄。并列时依次比较败诉件数、新收件数、单位名称。"
		   "<br><span class=\"en\">Ranked on loss rate with at least %lld concluded; the annual "
		   "top %lld are flagged (red), the highest growth yellow.  Ties: lost, then filed, "
		   "then name.</span></p>\n",
		lw_rj_int(rules, "min_concluded"), lw_rj_int(rules, "flag_top"),
		lw_rj_int(rules, "min_concluded"), lw_rj_int(rules, "flag_top"));
	table(f, doc, &lw_rtable_lost, json_object_get(doc, "lost_cases"), 0);
	table(f, doc, &lw_rtable_hotline, json_object_get(json_object_get(doc, "hotline"), "agencies"), 0);
	fprintf(f, "<p>未关联单位的涉执法诉求 <span class=\"en\">work orders without an agency</span>："
		   "%lld</p>\n",
		lw_rj_int(json_object_get(doc, "hotline"), "unassigned"));
	table(f, doc, &lw_rtable_on_time, json_object_get(json_object_get(doc, "deadlines"), "agencies"),
	      0);
	table(f, doc, &lw_rtable_late,
	      json_object_get(json_object_get(doc, "deadlines"), "late_or_overdue"), 0);
	completeness(f, doc);
	fputs("</body>\n</html>\n", f);
	if (ferror(f))
		return lw_err_set(e, LW_EIO, "HTML: write failed");
	return 0;
}
