/*
 * period.c — parsing and arithmetic of the figures' periods (period.h).
 */
#include "figures/period.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static const char forms[] = "expected 2024, 2024H1, 2024Q3, 2024-07, 2024-01..2024-09 or ytd";

static int days_in_month(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : d[m - 1];
}

static void norm(int *y, int *m)
{
	while (*m > 12) {
		*m -= 12;
		(*y)++;
	}
	while (*m < 1) {
		*m += 12;
		(*y)--;
	}
}

void lw_fig_period_month(const struct lw_fig_period *p, int i, int *y, int *m)
{
	*y = p->year;
	*m = p->month + i;
	norm(y, m);
}

void lw_fig_period_make(int y, int m, int months, struct lw_fig_period *out)
{
	int ly, lm, ey, em;

	norm(&y, &m);
	memset(out, 0, sizeof *out);
	out->year = y;
	out->month = m;
	out->months = months;
	lw_fig_period_month(out, months - 1, &ly, &lm);
	lw_fig_period_month(out, months, &ey, &em);
	/* Years are 1949..2999 (parse checks): the widths below hold. */
	snprintf(out->start, sizeof out->start, "%04u-%02u-01", (unsigned)y % 10000u, (unsigned)m % 100u);
	snprintf(out->end, sizeof out->end, "%04u-%02u-01", (unsigned)ey % 10000u, (unsigned)em % 100u);
	snprintf(out->last, sizeof out->last, "%04u-%02u-%02u", (unsigned)ly % 10000u, (unsigned)lm % 100u,
		 (unsigned)days_in_month(ly, lm) % 100u);
	if (months == 12 && m == 1)
		snprintf(out->label, sizeof out->label, "%04d", y % 10000);
	else if (months == 6 && (m == 1 || m == 7))
		snprintf(out->label, sizeof out->label, "%04dH%d", y % 10000, m == 1 ? 1 : 2);
	else if (months == 3 && m % 3 == 1)
		snprintf(out->label, sizeof out->label, "%04dQ%d", y % 10000, (m + 2) / 3 % 10);
	else if (months == 1)
		snprintf(out->label, sizeof out->label, "%04d-%02d", y % 10000, m % 100);
	else
		snprintf(out->label, sizeof out->label, "%04d-%02d..%04d-%02d", y % 10000, m % 100,
			 ly % 10000, lm % 100);
}

/* "2024-07" at s (exactly 7 characters) -> y, m. */
static int year_month(const char *s, int *y, int *m)
{
	int n = 0;
	if (sscanf(s, "%4d-%2d%n", y, m, &n) != 2 || n != 7 || *m < 1 || *m > 12)
		return -1;
	return 0;
}

int lw_fig_period_parse(const char *text, const char *today, struct lw_fig_period *out,
			struct lw_err *e)
{
	int y = 0, m = 0, y2, m2, n = 0, months = 0, q;
	const char *t = text ? text : "";
	size_t len = strlen(t);

	for (size_t i = 0; i < len; i++) /* digits, '-', '.', H, Q, ytd only */
		if (!strchr("0123456789-.HQytd", t[i]))
			goto bad;
	if (!strcmp(t, "ytd")) {
		if (!today || year_month(today, &y, &m) != 0 || strlen(today) < 10)
			return lw_err_set(e, LW_EINVAL, "period ytd: today's date is unknown");
		months = m;
		m = 1;
	} else if (len == 4 && sscanf(t, "%4d%n", &y, &n) == 1 && n == 4) {
		m = 1;
		months = 12;
	} else if (len == 6 && t[4] == 'H' && (t[5] == '1' || t[5] == '2') &&
		   sscanf(t, "%4d", &y) == 1) {
		m = t[5] == '1' ? 1 : 7;
		months = 6;
	} else if (len == 6 && t[4] == 'Q' && sscanf(t, "%4dQ%1d", &y, &q) == 2 && q >= 1 && q <= 4) {
		m = 3 * (q - 1) + 1;
		months = 3;
	} else if (len == 7 && year_month(t, &y, &m) == 0) {
		months = 1;
	} else if (len == 16 && t[7] == '.' && t[8] == '.' && year_month(t, &y, &m) == 0 &&
		   year_month(t + 9, &y2, &m2) == 0) {
		months = (y2 * 12 + m2) - (y * 12 + m) + 1;
		if (months < 1 || months > LW_FIG_PERIOD_MAX_MONTHS)
			return lw_err_set(e, LW_EINVAL,
					  "period \"%s\": the range must run forward and span at most "
					  "%d months",
					  t, LW_FIG_PERIOD_MAX_MONTHS);
	} else {
		goto bad;
	}
	if (y < 1949 || y > 2998)
		return lw_err_set(e, LW_EINVAL, "period \"%s\": year out of range 1949..2998", t);
	lw_fig_period_make(y, m, months, out);
	return 0;
bad:
	return lw_err_set(e, LW_EINVAL, "period \"%s\": %s", t, forms);
}

void lw_fig_period_last_year(const struct lw_fig_period *p, struct lw_fig_period *out)
{
	lw_fig_period_make(p->year - 1, p->month, p->months, out);
}

void lw_fig_period_previous(const struct lw_fig_period *p, struct lw_fig_period *out)
{
	lw_fig_period_make(p->year, p->month - p->months, p->months, out);
}

void lw_fig_period_year_to_end(const struct lw_fig_period *p, struct lw_fig_period *out)
{
	int ly, lm;

	lw_fig_period_month(p, p->months - 1, &ly, &lm);
	lw_fig_period_make(ly, 1, lm, out);
}

void lw_fig_today(char out[11])
{
	time_t t = time(NULL) + 8 * 3600; /* Beijing has no DST */
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}
