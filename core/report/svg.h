/*
 * svg.h — the bulletin's charts as inline SVG for the HTML output: loss
 * rate by group (horizontal bars, ranked groups in rank order) and filed
 * cases per month, this year against last year (two lines).  Every text
 * is escaped (lw_html_text).
 */
#ifndef LW_REPORT_SVG_H
#define LW_REPORT_SVG_H

#include <stdio.h>

#include <jansson.h>

/* s escaped for HTML text and attribute values. */
void lw_html_text(FILE *f, const char *s);

void lw_svg_loss_rate_bars(FILE *f, json_t *doc);
void lw_svg_monthly_lines(FILE *f, json_t *doc);

#endif
