/*
 * svg_series.c — a count series with a detector's band (svg_series.h).
 */
#include <math.h>
#include <stdio.h>

#include "report/svg.h"
#include "report/svg_series.h"

#define X0 48
#define Y0 190
#define W 640
#define H 160

static double x_of(const struct lw_svg_series *s, size_t i)
{
	return s->n > 1 ? X0 + (double)i * W / (double)(s->n - 1) : X0 + W / 2.0;
}

static double y_of(double v, double max)
{
	return Y0 - v * H / max;
}

static int finite_at(const double *a, size_t i)
{
	return a && isfinite(a[i]);
}

/* The band: one polygon per run of periods that have an upper bound, from
 * the expected count (0 when the method has none) up to the bound. */
static void band(FILE *f, const struct lw_svg_series *s, double max)
{
	size_t i = 0, j;

	while (i < s->n) {
		if (!finite_at(s->upper, i)) {
			i++;
			continue;
		}
		for (j = i; j < s->n && finite_at(s->upper, j); j++)
			;
		fputs("<polygon class=\"band\" fill=\"#f3d9a4\" stroke=\"#d9a441\" stroke-width=\"0.5\" "
		      "points=\"", f);
		for (size_t k = i; k < j; k++)
			fprintf(f, "%.1f,%.1f ", x_of(s, k), y_of(fmax(s->upper[k], 0), max));
		for (size_t k = j; k-- > i;)
			fprintf(f, "%.1f,%.1f ", x_of(s, k),
				y_of(finite_at(s->expected, k) ? fmax(s->expected[k], 0) : 0, max));
		fputs("\"/>\n", f);
		i = j;
	}
}

void lw_svg_series_band(FILE *f, const struct lw_svg_series *s)
{
	double max = 1;
	size_t step, alarms = 0;

	if (!s->n)
		return;
	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i] > max)
			max = s->v[i];
		if (finite_at(s->upper, i) && s->upper[i] > max)
			max = s->upper[i];
	}
	max = ceil(max * 1.05);
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		   "viewBox=\"0 0 %d %d\" role=\"img\"", X0 + W + 20, Y0 + 40, X0 + W + 20, Y0 + 40);
	if (s->id)
		fprintf(f, " id=\"%s\"", s->id);
	fputs(" aria-label=\"", f);
	lw_html_text(f, s->title);
	fputs("\">\n<text x=\"0\" y=\"14\" font-size=\"13\" font-weight=\"bold\">", f);
	lw_html_text(f, s->title);
	fprintf(f, "</text>\n<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>"
		   "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n"
		   "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%.0f</text>"
		   "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">0</text>\n",
		X0, Y0, X0 + W, Y0, X0, Y0, X0, Y0 - H, X0 - 4, Y0 - H + 4, max, X0 - 4, Y0 + 4);
	band(f, s, max);
	fputs("<polyline class=\"count\" fill=\"none\" stroke=\"#1f4e79\" stroke-width=\"1.5\" "
	      "points=\"", f);
	for (size_t i = 0; i < s->n; i++)
		fprintf(f, "%.1f,%.1f ", x_of(s, i), y_of(s->v[i], max));
	fputs("\"/>\n", f);
	for (size_t i = 0; s->alarm && i < s->n; i++)
		if (s->alarm[i]) {
			fprintf(f, "<circle class=\"alarm\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#c0504d\">"
				   "<title>", x_of(s, i), y_of(s->v[i], max));
			lw_html_text(f, s->labels ? s->labels[i] : "");
			fprintf(f, ": %.0f</title></circle>\n", s->v[i]);
			alarms++;
		}
	/* About eight period labels along the axis, the last one always. */
	step = s->n > 8 ? (s->n + 7) / 8 : 1;
	for (size_t i = 0; s->labels && i < s->n; i++)
		if ((s->n - 1 - i) % step == 0) {
			fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\">",
				x_of(s, i), Y0 + 14);
			lw_html_text(f, s->labels[i]);
			fputs("</text>", f);
		}
	fprintf(f, "\n<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"3\" fill=\"#1f4e79\"/><text x=\"%d\" "
		   "y=\"%d\" font-size=\"11\">数量 count</text><rect x=\"%d\" y=\"%d\" width=\"12\" "
		   "height=\"8\" fill=\"#f3d9a4\"/><text x=\"%d\" y=\"%d\" font-size=\"11\">检测上界 "
		   "detector's band</text><circle cx=\"%d\" cy=\"%d\" r=\"4\" fill=\"#c0504d\"/><text "
		   "x=\"%d\" y=\"%d\" font-size=\"11\">报警 alarm (%zu)</text>\n</svg>\n",
		X0, Y0 + 28, X0 + 16, Y0 + 32, X0 + 120, Y0 + 25, X0 + 136, Y0 + 32, X0 + 300, Y0 + 29,
		X0 + 310, Y0 + 32, alarms);
}
