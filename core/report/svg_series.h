/*
 * svg_series.h — a count series as an inline SVG chart: the counts as a
 * line, a detector's band (from its expected count up to its upper bound)
 * shaded behind it, and the periods where the detector alarmed marked.
 * Written with the HTML bulletin's SVG conventions (svg.c: plain SVG 1.1,
 * every text escaped with lw_html_text) so the dashboard and the bulletin
 * draw alike.
 */
#ifndef LW_REPORT_SVG_SERIES_H
#define LW_REPORT_SVG_SERIES_H

#include <stddef.h>
#include <stdio.h>

struct lw_svg_series {
	const char *title;           /* shown above the chart; escaped */
	const char *id;              /* the svg element's id (no markup), or NULL */
	size_t n;                    /* periods, oldest first */
	const double *v;             /* the counts */
	const double *expected;      /* NaN: none; the array may be NULL */
	const double *upper;         /* the alarm threshold; NaN: none; may be NULL */
	const int *alarm;            /* nonzero: the detector alarmed; may be NULL */
	const char *const *labels;   /* the period of each index ("2024-06") */
};

/* Write the chart of s to f.  Nothing when s->n is 0. */
void lw_svg_series_band(FILE *f, const struct lw_svg_series *s);

#endif
