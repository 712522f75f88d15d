/*
 * period.h — the periods the official figures are published for (统计期间):
 * a year (2024), a half (2024H1), a quarter (2024Q3), a month (2024-07),
 * year-to-date (ytd: January to the current month) and any month range
 * (2024-01..2024-09, also across a year: 2023-11..2024-02).
 *
 * A period is a whole number of calendar months [start, end) in Beijing
 * civil dates, as the warehouse stores them.  Each has a canonical label:
 * "2024-01..2024-03" is written "2024Q1", so every output names a period
 * the same way (and alert labels agree: 2024Q3).
 */
#ifndef LW_FIGURES_PERIOD_H
#define LW_FIGURES_PERIOD_H

#include "base/err.h"

/* Longest range accepted, in months (ten years). */
#define LW_FIG_PERIOD_MAX_MONTHS 120

struct lw_fig_period {
	int year, month;  /* first month */
	int months;       /* length, 1..LW_FIG_PERIOD_MAX_MONTHS */
	char label[32];   /* canonical: 2024, 2024H1, 2024Q3, 2024-07, 2024-01..2024-09 */
	char start[16];   /* first day, "2024-07-01" */
	char end[16];     /* the day after the last, "2024-10-01" (exclusive) */
	char last[16];    /* the last day, "2024-09-30" */
};

/* Parse text (see above) into *out.  today ("YYYY-MM-DD", Beijing) is used
 * only by "ytd"; it may be NULL otherwise.  LW_EINVAL with the accepted
 * forms in e. */
int lw_fig_period_parse(const char *text, const char *today, struct lw_fig_period *out,
			struct lw_err *e);

/* The period of `months` months from year-month (y, m); canonical label. */
void lw_fig_period_make(int y, int m, int months, struct lw_fig_period *out);

/* The same months a year earlier (上年同期). */
void lw_fig_period_last_year(const struct lw_fig_period *p, struct lw_fig_period *out);
/* The period of the same length just before (上期): 2024Q3 -> 2024Q2. */
void lw_fig_period_previous(const struct lw_fig_period *p, struct lw_fig_period *out);
/* January of p's last year through p's last month (本年累计): the year's
 * cumulative figure.  For 2023-11..2024-02 that is 2024-01..2024-02. */
void lw_fig_period_year_to_end(const struct lw_fig_period *p, struct lw_fig_period *out);

/* Month i (0-based) of p as year and month. */
void lw_fig_period_month(const struct lw_fig_period *p, int i, int *y, int *m);

/* Today's Beijing civil date ("YYYY-MM-DD") into out. */
void lw_fig_today(char out[11]);

#endif
