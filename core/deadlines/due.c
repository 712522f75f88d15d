/*
 * due.c — the two calendars of deadlines.h and the computation of one
 * obligation from a case's dates.  Pure: no I/O, no clock.
 */
#include <stdio.h>
#include <string.h>

#include "deadlines/deadlines.h"

/* Cap on the days a calendar period may be moved on past its last day:
 * the longest run of days off (Spring Festival + a weekend) is 9. */
#define MAX_ROLL 30

static int missing(struct lw_err *e, int year)
{
	return lw_err_set(e, LW_ENOENT, "calendar missing for %d", year);
}

int lw_dl_period_end(const struct lw_holidays *cal, enum lw_dl_calendar kind,
		     const struct lw_date *start, int n, struct lw_date *out, struct lw_err *e)
{
	long day = lw_date_to_days(start);
	struct lw_err we = {0};
	int rc;

	if (n < 0 || n > 100000)
		return lw_err_set(e, LW_EINVAL, "period of %d days out of range", n);
	if (kind == LW_DL_WORKING) {
		if ((rc = lw_workdays_add(cal, start, n, out, &we)) == LW_ENOENT) {
			/* lw_workdays_add stopped on the first day it cannot decide. */
			return missing(e, out->y);
		}
		return rc ? lw_err_set(e, rc, "%s", we.msg) : 0;
	}
	/* Calendar days: 期间开始的日不计算在期间内; 期间届满的最后一日是法定
	 * 休假日的，以法定休假日后的第一日为期间届满的日期.  A make-up working
	 * Saturday (调休) is not a day off. */
	day += n;
	for (int i = 0; i <= MAX_ROLL; i++) {
		lw_date_from_days(day, out);
		if ((rc = lw_is_workday(cal, out, NULL)) == LW_ENOENT)
			return missing(e, out->y);
		if (rc == 1)
			return 0;
		day++;
	}
	return lw_err_set(e, LW_EFORMAT, "more than %d days off in a row after %04d-%02d-%02d: "
				      "the holiday calendar looks wrong", MAX_ROLL, out->y, out->m, out->d);
}

int lw_dl_workdays_between(const struct lw_holidays *cal, const struct lw_date *from,
			   const struct lw_date *to, int *out, struct lw_err *e)
{
	long a = lw_date_to_days(from), b = lw_date_to_days(to);
	int n = 0;

	*out = 0;
	if (b - a > 100000)
		return lw_err_set(e, LW_EINVAL, "range too long");
	for (long d = a + 1; d <= b; d++) {
		struct lw_date x;
		int w;
		lw_date_from_days(d, &x);
		if ((w = lw_is_workday(cal, &x, NULL)) < 0)
			return missing(e, x.y);
		n += w;
	}
	*out = n;
	return 0;
}

int lw_dl_calendar_gap(const struct lw_holidays *cal, const struct lw_date *today, int days)
{
	struct lw_date x;
	lw_date_from_days(lw_date_to_days(today) + days, &x);
	for (int y = today->y; y <= x.y; y++)
		if (!lw_holidays_covers(cal, y))
			return y;
	return 0;
}

const char *lw_ob_status_name(enum lw_ob_status s)
{
	static const char *const names[] = {"waiting", "open", "met", "late", "unknown"};
	return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

static int in_list(char *const *list, size_t n, const char *v)
{
	if (n == 0)
		return 1;
	for (size_t i = 0; v && i < n; i++)
		if (!strcmp(list[i], v))
			return 1;
	return 0;
}

int lw_dl_applies(const struct lw_dl_rule *r, const struct lw_dl_case *c)
{
	if (r->when_lost >= 0 && c->agency_lost != r->when_lost)
		return 0; /* unknown is neither lost nor not lost */
	return in_list(r->type_codes, r->ntype_codes, c->type_code) &&
	       in_list(r->outcomes, r->noutcomes, c->outcome);
}

/* Rulings (裁定) among the outcome codes of the warehouse: an appeal
 * against one is due in 10 days, not 15 (行政诉讼法 art. 85). */
static int is_ruling(const char *outcome)
{
	static const char *const rulings[] = {"dismissed", "withdrawn", "withdrawn_after_change",
					      "transferred", "terminated"};
	for (size_t i = 0; outcome && i < sizeof rulings / sizeof rulings[0]; i++)
		if (!strcmp(outcome, rulings[i]))
			return 1;
	return 0;
}

static int iso_date(const char *s, struct lw_date *d)
{
	if (!s || strlen(s) < 10 || lw_date_parse(s, LW_DATE_NO_SERIAL, d, NULL) != 0)
		return LW_EINVAL;
	d->has_time = 0;
	return 0;
}

int lw_dl_compute(const struct lw_dl_rule *r, const struct lw_holidays *cal,
		  const struct lw_dl_case *c, struct lw_obligation *out)
{
	const char *start = c->date[r->start];
	const char *done = r->done >= 0 ? c->date[r->done] : NULL;
	struct lw_date s, due, d;
	struct lw_err e = {0};
	int n = r->length_ruling > 0 && is_ruling(c->outcome) ? r->length_ruling : r->length;

	memset(out, 0, sizeof *out);
	if (!start || !*start) {
		out->status = LW_OB_WAITING;
		return 0;
	}
	if (iso_date(start, &s) != 0) {
		out->status = LW_OB_UNKNOWN;
		snprintf(out->note, sizeof out->note, "start date \"%.20s\" is not a date", start);
		return LW_EINVAL;
	}
	lw_date_format_iso(&s, out->start);
	if (lw_dl_period_end(cal, r->calendar, &s, n, &due, &e) != 0) {
		out->status = LW_OB_UNKNOWN;
		snprintf(out->note, sizeof out->note, "%.120s", e.msg);
	} else {
		lw_date_format_iso(&due, out->due);
		out->status = LW_OB_OPEN;
	}
	if (!done || !*done)
		return 0;
	if (iso_date(done, &d) != 0) {
		snprintf(out->note, sizeof out->note, "done date \"%.20s\" is not a date", done);
		return LW_EINVAL;
	}
	lw_date_format_iso(&d, out->done);
	if (out->status == LW_OB_UNKNOWN)
		return 0; /* done, but whether in time the calendar cannot say */
	if (lw_date_cmp(&d, &due) <= 0) {
		out->status = LW_OB_MET;
	} else {
		out->status = LW_OB_LATE;
		out->days_late = (int)(lw_date_to_days(&d) - lw_date_to_days(&due));
	}
	return 0;
}
