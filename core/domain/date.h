/*
 * date.h — calendar dates and times as they arrive in court feeds, agency
 * spreadsheets and 12345 exports, and the arithmetic the rates need.
 *
 * Dates are proleptic Gregorian, local time (China Standard Time, UTC+8);
 * no time zone conversion is ever done.  Pure functions; working days
 * (工作日) with the official exception days are in workdays.h.
 */
#ifndef LW_DOMAIN_DATE_H
#define LW_DOMAIN_DATE_H

#include "base/err.h"

struct lw_date {
	int y, m, d;       /* 1900 <= y <= 2199, month 1..12, day 1..31 */
	int has_time;      /* 0: a date only; h/min/s are then 0 */
	int h, min, s;     /* 0..23, 0..59, 0..59 */
};

/* Flags of lw_date_parse. */
enum {
	LW_DATE_EXCEL_1904 = 1 << 0, /* Excel serials use the 1904 date system (old Mac workbooks) */
	LW_DATE_NO_SERIAL = 1 << 1,  /* refuse bare numbers as Excel serials */
};

/* Size of a buffer that holds any lw_date_format_iso output. */
#define LW_DATE_ISO_MAX 20

/*
 * Parse text (NUL-terminated UTF-8, not kept) into *out.  Accepted:
 *   2024-05-06  2024/5/6  2024.5.6  20240506  2024年5月6日  2024年5月6号
 *   二〇二四年五月六日 (〇/○/零, 十, 十一, 二十一, 三十一; 元月 = January)
 *   each optionally followed (after a space, 'T' or nothing) by a time
 *   14:30  14:30:05  14:30:05.123  14时30分  14时30分5秒  14点30分
 *   and an optional +08:00 / +0800 (other offsets are refused);
 *   Excel serial numbers such as 45418 or 45418.5 (1900 system, or 1904
 *   with LW_DATE_EXCEL_1904) unless LW_DATE_NO_SERIAL.
 * Year-first only: 05/06/2024 is ambiguous and refused.  Impossible dates
 * (2023-02-29, 2024-04-31, month 13) are refused.  Returns 0, or
 * LW_EFORMAT with a message such as `date "2024-13-01": month 13 out of range`.
 */
int lw_date_parse(const char *text, unsigned flags, struct lw_date *out, struct lw_err *e);

/* Why the last lw_date_parse on this thread refused its text, in the words
 * a clerk acts on ("月份 13 不存在", "2月没有30日（2024年2月只有29天）"), or
 * a general hint when there is no specific one.  Like errno: valid until
 * the next lw_date_parse on the same thread. */
const char *lw_date_reason_zh(void);

/* Convert an Excel serial (whole days and seconds into the day, 0..86399)
 * to a date.  1900 system: 1 = 1900-01-01; 60 is Excel's non-existent
 * 1900-02-29 and is refused; 61 = 1900-03-01.  1904 system: 0 = 1904-01-01.
 * has_time is set when seconds > 0. */
int lw_date_from_excel(long serial, long seconds, int system_1904, struct lw_date *out, struct lw_err *e);

/* Nonzero when y-m-d is a real Gregorian date. */
int lw_date_valid(int y, int m, int d);

/* Days since 1970-01-01 (negative before) of the date part of *dt. */
long lw_date_to_days(const struct lw_date *dt);

/* The date (has_time = 0) of a day number from lw_date_to_days. */
void lw_date_from_days(long days, struct lw_date *out);

/* ISO weekday: 1 = Monday … 7 = Sunday. */
int lw_date_weekday(const struct lw_date *dt);

/* Month index y*12 + (m-1): consecutive months differ by 1. */
long lw_date_month_index(const struct lw_date *dt);

/* Quarter of the year, 1..4 (第一季度 = Jan-Mar). */
int lw_date_quarter(const struct lw_date *dt);

/* ISO 8601 week: *iso_year (may differ from dt->y near New Year) and
 * *week 1..53. */
void lw_date_iso_week(const struct lw_date *dt, int *iso_year, int *week);

/* Write "YYYY-MM-DD", or "YYYY-MM-DDTHH:MM:SS" when has_time, into buf
 * (at least LW_DATE_ISO_MAX bytes).  Returns buf. */
char *lw_date_format_iso(const struct lw_date *dt, char *buf);

/* Compare two dates (with times; a date without time sorts as 00:00:00):
 * <0, 0, >0. */
int lw_date_cmp(const struct lw_date *a, const struct lw_date *b);

#endif
