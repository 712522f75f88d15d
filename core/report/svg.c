/*
 * svg.c — inline SVG charts (svg.h).  Plain SVG 1.1 elements only (rect,
 * polyline, line, text): what old intranet browsers draw.
 */
#include <stdio.h>
#include <string.h>

#include "report/report_int.h"
#include "report/svg.h"

void lw_svg_loss_rate_bars(FILE *f, json_t *doc)
{
	json_t *groups = json_object_get(doc, "groups"), *g;
	size_t i, n = 0, k = 0;
	double max = 0;
	const int left = 230, width = 460, row = 20;

	json_array_foreach(groups, i, g)
		if (json_is_integer(json_object_get(g, "loss_rate_rank"))) {
			double v = json_number_value(json_object_get(g, "loss_rate"));
			n++;
			if (v > max)
				max = v;
		}
	if (!n) {
		fputs("<p>本期没有达到最低审结数的单位，无败诉率排名图。<span class=\"en\">No group reached "
		      "the minimum of concluded cases.</span></p>\n", f);
		return;
	}
	if (max <= 0)
		max = 1;
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%zu\" "
		   "viewBox=\"0 0 %d %zu\" role=\"img\" aria-label=\"败诉率 loss rate\">\n"
		   "<text x=\"0\" y=\"14\" font-size=\"14\" font-weight=\"bold\">败诉率（按排名）"
		   "loss rate by rank</text>\n",
		left + width + 70, n * row + 30, left + width + 70, n * row + 30);
	for (int rank = 1; (size_t)rank <= n; rank++)
		json_array_foreach(groups, i, g) {
			double v;
			char buf[32];
			if (json_integer_value(json_object_get(g, "loss_rate_rank")) != rank)
				continue;
			v = json_number_value(json_object_get(g, "loss_rate"));
			fprintf(f, "<text x=\"%d\" y=\"%zu\" font-size=\"12\" text-anchor=\"end\">", left - 6,
				30 + k * row + 13);
			lw_html_text(f, lw_rj_str(g, "group"));
			fprintf(f, "</text><rect x=\"%d\" y=\"%zu\" width=\"%.1f\" height=\"14\" fill=\"%s\"/>"
				   "<text x=\"%.1f\" y=\"%zu\" font-size=\"11\">%s</text>\n",
				left, 30 + k * row + 2, v / max * width,
				json_is_true(json_object_get(g, "not_excellent")) ? "#c0504d" : "#4f81bd",
				left + v / max * width + 4, 30 + k * row + 13,
				lw_report_rate_text(json_object_get(g, "loss_rate"), 0, buf, sizeof buf));
			k++;
		}
	fputs("</svg>\n", f);
}

void lw_svg_monthly_lines(FILE *f, json_t *doc)
{
	json_t *m = json_object_get(doc, "monthly_filed");
	json_t *a = json_object_get(m, "this_year"), *b = json_object_get(m, "last_year");
	const int x0 = 50, y0 = 230, w = 600, h = 190;
	long long max = 1;
	long long year = lw_rj_int(m, "year");

	for (size_t i = 0; i < 12; i++) {
		if (json_integer_value(json_array_get(a, i)) > max)
			max = json_integer_value(json_array_get(a, i));
		if (json_integer_value(json_array_get(b, i)) > max)
			max = json_integer_value(json_array_get(b, i));
	}
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"700\" height=\"280\" "
		   "viewBox=\"0 0 700 280\" role=\"img\" aria-label=\"月度新收 filed per month\">\n"
		   "<text x=\"0\" y=\"14\" font-size=\"14\" font-weight=\"bold\">月度新收案件 filed per "
		   "month：%lld年 与 %lld年</text>\n"
		   "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>"
		   "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n"
		   "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%lld</text>"
		   "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">0</text>\n",
		year, year - 1, x0, y0, x0 + w, y0, x0, y0, x0, y0 - h, x0 - 4, y0 - h + 4, max, x0 - 4,
		y0 + 4);
	for (int i = 0; i < 12; i++)
		fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%d月</text>",
			x0 + 25 + i * 50, y0 + 16, i + 1);
	fputc('\n', f);
	for (int s = 0; s < 2; s++) {
		json_t *v = s ? b : a;
		fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s points=\"",
			s ? "#9bbb59" : "#1f4e79", s ? " stroke-dasharray=\"5,3\"" : "");
		for (int i = 0; i < 12; i++)
			if (json_is_integer(json_array_get(v, (size_t)i)))
				fprintf(f, "%d,%.1f ", x0 + 25 + i * 50,
					y0 - (double)json_integer_value(json_array_get(v, (size_t)i)) * h / max);
		fputs("\"/>\n", f);
	}
	fprintf(f, "<rect x=\"480\" y=\"26\" width=\"14\" height=\"4\" fill=\"#1f4e79\"/><text x=\"500\" "
		   "y=\"32\" font-size=\"12\">%lld年 this year</text>"
		   "<rect x=\"480\" y=\"42\" width=\"14\" height=\"4\" fill=\"#9bbb59\"/><text x=\"500\" "
		   "y=\"48\" font-size=\"12\">%lld年 last year</text>\n</svg>\n",
		year, year - 1);
}
