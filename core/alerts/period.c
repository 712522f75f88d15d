/*
 * period.c — calendar arithmetic for series: civil days, months, quarters
 * and ISO-8601 weeks, and the UTC stamps the warehouse stores.
 *
 * Civil-day conversion is Howard Hinnant's days_from_civil, exact for the
 * proleptic Gregorian calendar, so no time zone database is involved: the
 * warehouse's dates are Beijing civil dates and Beijing has no DST.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/alerts.h"
#include "alerts/alerts_int.h"

int64_t lw_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void lw_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int64_t floordiv(int64_t a, int64_t b)
{
	return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

int lw_day_parse(const char *s, int64_t *day)
{
	unsigned y, m, d;
	int64_t z, yy;
	unsigned mm, dd;

	if (!s || strlen(s) < 10 || s[4] != '-' || s[7] != '-')
		return LW_EINVAL;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return LW_EINVAL;
	y = (unsigned)atoi(s);
	m = (unsigned)atoi(s + 5);
	d = (unsigned)atoi(s + 8);
	if (m < 1 || m > 12 || d < 1 || d > 31)
		return LW_EINVAL;
	z = lw_days_from_civil(y, m, d);
	lw_civil_from_days(z, &yy, &mm, &dd);
	if (yy != (int64_t)y || mm != m || dd != d)
		return LW_EINVAL;
	*day = z;
	return 0;
}

void lw_day_format(int64_t day, char *buf, size_t len)
{
	int64_t y;
	unsigned m, d;
	lw_civil_from_days(day, &y, &m, &d);
	snprintf(buf, len, "%04lld-%02u-%02u", (long long)y, m, d);
}

int64_t lw_beijing_day(int64_t unix_s)
{
	return floordiv(unix_s + 8 * 3600, 86400);
}

/* ISO week: weeks run Monday..Sunday; day 0 (1970-01-01) was a Thursday,
 * so day+3 is a multiple of 7 exactly on Mondays. */
static int64_t iso_monday(int64_t day)
{
	return day - (day + 3 - floordiv(day + 3, 7) * 7);
}

int64_t lw_period_of_day(enum lw_freq f, int64_t day)
{
	int64_t y;
	unsigned m, d;

	if (f == LW_FREQ_WEEK)
		return floordiv(iso_monday(day) + 3, 7);
	lw_civil_from_days(day, &y, &m, &d);
	if (f == LW_FREQ_QUARTER)
		return y * 4 + (m - 1) / 3;
	return y * 12 + (m - 1);
}

void lw_period_label(enum lw_freq f, int64_t p, char *buf, size_t len)
{
	if (f == LW_FREQ_WEEK) {
		int64_t thursday = p * 7 - 3 + 3, y;
		unsigned m, d;
		/* The ISO year is the year of the week's Thursday. */
		lw_civil_from_days(thursday, &y, &m, &d);
		snprintf(buf, len, "%04lld-W%02lld", (long long)y,
			 (long long)((thursday - lw_days_from_civil(y, 1, 1)) / 7 + 1));
	} else if (f == LW_FREQ_QUARTER) {
		/* 2024Q3: the one quarter label of the stats, the bulletin and
		 * the docs. */
		snprintf(buf, len, "%04lldQ%lld", (long long)floordiv(p, 4),
			 (long long)(p - floordiv(p, 4) * 4 + 1));
	} else {
		snprintf(buf, len, "%04lld-%02lld", (long long)floordiv(p, 12),
			 (long long)(p - floordiv(p, 12) * 12 + 1));
	}
}

int lw_period_parse(enum lw_freq f, const char *s, int64_t *p)
{
	char buf[32];
	int y, k, n = 0, legacy = 0;

	if (!s || strlen(s) > 16)
		return LW_EINVAL;
	if (f == LW_FREQ_WEEK) {
		if (sscanf(s, "%4d-W%2d%n", &y, &k, &n) != 2 || s[n] || k < 1 || k > 53)
			return LW_EINVAL;
		/* Week 1 holds January 4th. */
		*p = floordiv(iso_monday(lw_days_from_civil(y, 1, 4)) + 3, 7) + k - 1;
	} else if (f == LW_FREQ_QUARTER) {
		/* 2024Q3, and 2024-Q3 as labels before schema 7 were written. */
		if ((sscanf(s, "%4dQ%1d%n", &y, &k, &n) != 2 &&
		     (n = 0, legacy = 1, sscanf(s, "%4d-Q%1d%n", &y, &k, &n) != 2)) || s[n] || k < 1 ||
		    k > 4)
			return LW_EINVAL;
		*p = (int64_t)y * 4 + k - 1;
	} else {
		if (sscanf(s, "%4d-%2d%n", &y, &k, &n) != 2 || s[n] || k < 1 || k > 12)
			return LW_EINVAL;
		*p = (int64_t)y * 12 + k - 1;
	}
	lw_period_label(f, *p, buf, sizeof buf);
	/* Written exactly as labelled (no "+24Q1", no " 2024Q1"); a legacy
	 * 2024-Q3 differs from its label only by the dash. */
	if (legacy)
		return strncmp(buf, s, 4) || strcmp(buf + 4, s + 5) ? LW_EINVAL : 0;
	return strcmp(buf, s) ? LW_EINVAL : 0;
}

void lw_utc_format(int64_t t, char *buf, size_t len)
{
	int64_t day = floordiv(t, 86400), sec = t - day * 86400, y;
	unsigned m, d;
	lw_civil_from_days(day, &y, &m, &d);
	snprintf(buf, len, "%04lld-%02u-%02uT%02d:%02d:%02dZ", (long long)y, m, d,
		 (int)(sec / 3600), (int)(sec / 60 % 60), (int)(sec % 60));
}

int lw_utc_parse(const char *s, int64_t *t)
{
	int64_t day;
	int hh, mm, ss, n = 0;

	if (lw_day_parse(s, &day) != 0)
		return LW_EINVAL;
	if (!s[10]) {
		*t = day * 86400;
		return 0;
	}
	if (sscanf(s + 10, "T%2d:%2d:%2dZ%n", &hh, &mm, &ss, &n) != 3 || s[10 + n] ||
	    hh > 23 || mm > 59 || ss > 59 || hh < 0 || mm < 0 || ss < 0)
		return LW_EINVAL;
	*t = day * 86400 + hh * 3600 + mm * 60 + ss;
	return 0;
}
