/*
 * date.c — parse dates and times in their Chinese office spellings and do
 * the calendar arithmetic the periods need (see date.h).
 *
 * Parsing runs in two steps.  First the text is translated to a small ASCII
 * language: full-width folded, Chinese numerals (二〇二四, 十一) turned into
 * digits, and the unit characters 年 月 日/号 时/点 分 秒 into the markers
 * Y M D H I S.  Then one grammar reads that ASCII form, so 2024年5月6日,
 * 二〇二四年五月六日 and ２０２４年５月６日 share one code path.
 */
#include "domain/date.h"

#include <stdio.h>
#include <string.h>

#include "base/text.h"

#define INPUT_MAX 128
#define Y_MIN 1900
#define Y_MAX 2199

int lw_date_valid(int y, int m, int d)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (m < 1 || m > 12 || d < 1)
		return 0;
	return d <= mdays[m - 1] + (m == 2 && leap);
}

static int month_days(int y, int m)
{
	int d = 28;
	while (d < 31 && lw_date_valid(y, m, d + 1))
		d++;
	return d;
}

/* Howard Hinnant's days_from_civil / civil_from_days. */
static long days_from_civil(long y, int m, int d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

long lw_date_to_days(const struct lw_date *dt)
{
	return days_from_civil(dt->y, dt->m, dt->d);
}

void lw_date_from_days(long z, struct lw_date *out)
{
	long era, doe, yoe, y, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	memset(out, 0, sizeof *out);
	out->d = (int)(doy - (153 * mp + 2) / 5 + 1);
	out->m = (int)(mp < 10 ? mp + 3 : mp - 9);
	out->y = (int)(y + (out->m <= 2));
}

int lw_date_weekday(const struct lw_date *dt)
{
	long r = (lw_date_to_days(dt) + 3) % 7; /* 1970-01-01 was a Thursday */
	if (r < 0)
		r += 7;
	return (int)r + 1;
}

long lw_date_month_index(const struct lw_date *dt)
{
	return (long)dt->y * 12 + (dt->m - 1);
}

int lw_date_quarter(const struct lw_date *dt)
{
	return (dt->m - 1) / 3 + 1;
}

void lw_date_iso_week(const struct lw_date *dt, int *iso_year, int *week)
{
	long days = lw_date_to_days(dt);
	long thursday = days - lw_date_weekday(dt) + 4; /* the week belongs to its Thursday's year */
	struct lw_date t;

	lw_date_from_days(thursday, &t);
	*iso_year = t.y;
	*week = (int)((thursday - days_from_civil(t.y, 1, 1)) / 7 + 1);
}

/* Two decimal digits of v % 100 at p. */
static char *put2(char *p, unsigned v)
{
	v %= 100u;
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
	return p + 2;
}

/* Digits written one by one: snprintf was 7% of a 12345 import's reader
 * thread (one per date of every row). */
char *lw_date_format_iso(const struct lw_date *dt, char *buf)
{
	unsigned y = (unsigned)dt->y % 10000u;
	char *p = put2(put2(buf, y / 100), y % 100);

	*p++ = '-';
	p = put2(p, (unsigned)dt->m);
	*p++ = '-';
	p = put2(p, (unsigned)dt->d);
	if (dt->has_time) {
		*p++ = 'T';
		p = put2(p, (unsigned)dt->h);
		*p++ = ':';
		p = put2(p, (unsigned)dt->min);
		*p++ = ':';
		p = put2(p, (unsigned)dt->s);
	}
	*p = '\0';
	return buf;
}

int lw_date_cmp(const struct lw_date *a, const struct lw_date *b)
{
	long da = lw_date_to_days(a), db = lw_date_to_days(b);
	long sa = a->has_time ? a->h * 3600L + a->min * 60L + a->s : 0;
	long sb = b->has_time ? b->h * 3600L + b->min * 60L + b->s : 0;

	if (da != db)
		return da < db ? -1 : 1;
	return sa < sb ? -1 : sa > sb;
}

int lw_date_from_excel(long serial, long seconds, int system_1904, struct lw_date *out, struct lw_err *e)
{
	long days;

	memset(out, 0, sizeof *out);
	if (seconds < 0 || seconds >= 86400)
		return lw_err_set(e, LW_EFORMAT, "Excel date serial %ld: time of day out of range", serial);
	if (system_1904) {
		if (serial < 0 || serial > 2958465)
			return lw_err_set(e, LW_EFORMAT, "Excel date serial %ld out of range 0-2958465 (1904 system)",
					  serial);
		days = days_from_civil(1904, 1, 1) + serial;
	} else {
		/* Excel copied Lotus 1-2-3 in treating 1900 as a leap year: serial
		 * 60 is 1900-02-29, a day that never was; later serials are one
		 * day ahead of a plain count. */
		if (serial == 60)
			return lw_err_set(e, LW_EFORMAT,
					  "Excel date serial 60 is 1900-02-29, a day that does not exist "
					  "(Excel's 1900 leap-year bug)");
		if (serial < 1 || serial > 2958465)
			return lw_err_set(e, LW_EFORMAT, "Excel date serial %ld out of range 1-2958465 (1900 system)",
					  serial);
		days = days_from_civil(1899, 12, 31) + serial - (serial > 60);
	}
	lw_date_from_days(days, out);
	if (out->y > Y_MAX)
		return lw_err_set(e, LW_EFORMAT, "Excel date serial %ld is in year %d, after %d", serial, out->y,
				  Y_MAX);
	if (seconds > 0) {
		out->has_time = 1;
		out->h = (int)(seconds / 3600);
		out->min = (int)(seconds / 60 % 60);
		out->s = (int)(seconds % 60);
	}
	return 0;
}

/* The clerk's reason of the last refusal on this thread (see date.h). */
static _Thread_local char reason_zh[160];

#define ZH(...) snprintf(reason_zh, sizeof reason_zh, __VA_ARGS__)

const char *lw_date_reason_zh(void)
{
	return reason_zh[0] ? reason_zh : "日期格式不对，请写成 2024-05-06 或 2024年5月6日";
}

/* ---- step 1: translate to the ASCII date language ---------------------- */

static int cn_digit(uint32_t cp)
{
	static const uint32_t digits[10] = {0x96F6 /* 零 */, 0x4E00, 0x4E8C, 0x4E09, 0x56DB,
					    0x4E94, 0x516D, 0x4E03, 0x516B, 0x4E5D};
	if (cp == 0x3007 /* 〇 */ || cp == 0x25CB /* ○ */ || cp == 'O' || cp == 'o')
		return 0;
	for (int i = 0; i < 10; i++)
		if (digits[i] == cp)
			return i;
	return -1;
}

#define CP_TEN 0x5341  /* 十 */
#define CP_YUAN 0x5143 /* 元, as in 元月 (January) */

/* Convert a run of Chinese numerals cps[0..n) into decimal digits at *w.
 * Two shapes: digit by digit for years (二〇二四 → 2024), and tens for
 * months and days (十 → 10, 十一 → 11, 二十 → 20, 三十一 → 31). */
static int cn_run(const uint32_t *cps, size_t n, char *t, size_t *w, size_t cap)
{
	size_t ten = n;

	for (size_t i = 0; i < n; i++)
		if (cps[i] == CP_TEN) {
			if (ten != n)
				return -1;
			ten = i;
		}
	if (n == 1 && cps[0] == CP_YUAN) {
		t[(*w)++] = '1';
		return 0;
	}
	if (ten != n) {
		int hi = 1, lo = 0, v;
		if (ten > 1 || n - ten > 2)
			return -1;
		if (ten == 1 && (hi = cn_digit(cps[0])) < 1)
			return -1;
		if (n - ten == 2 && (lo = cn_digit(cps[ten + 1])) < 1)
			return -1;
		v = hi * 10 + lo;
		if (*w + 2 >= cap)
			return -1;
		t[(*w)++] = (char)('0' + v / 10);
		t[(*w)++] = (char)('0' + v % 10);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		int dg = cn_digit(cps[i]);
		if (dg < 0 || *w + 1 >= cap)
			return -1;
		t[(*w)++] = (char)('0' + dg);
	}
	return 0;
}

static char unit_marker(uint32_t cp)
{
	switch (cp) {
	case 0x5E74: return 'Y';           /* 年 year */
	case 0x6708: return 'M';           /* 月 month */
	case 0x65E5: case 0x53F7: return 'D'; /* 日, 号 day */
	case 0x65F6: case 0x70B9: return 'H'; /* 时, 点 hour */
	case 0x5206: return 'I';           /* 分 minute */
	case 0x79D2: return 'S';           /* 秒 second */
	default: return 0;
	}
}

static int is_cn_numeral(uint32_t cp)
{
	return cn_digit(cp) >= 0 || cp == CP_TEN || cp == CP_YUAN;
}

static int translate(const char *src, char *t, size_t cap, struct lw_err *e, const char *orig)
{
	size_t len = strlen(src), r = 0, w = 0;

	while (r < len) {
		uint32_t cp, run[16];
		size_t n = lw_utf8_decode(src + r, len - r, &cp), k = 0;
		char mk;

		if (n == 0)
			return lw_err_set(e, LW_EFORMAT, "date: invalid UTF-8");
		if (cp != 'O' && cp != 'o' && is_cn_numeral(cp)) {
			/* Inside a run of Chinese numerals a Latin O stands for 〇, as
			 * typists write it (二O一二年); alone it is a letter. */
			while (r < len && (n = lw_utf8_decode(src + r, len - r, &cp)) > 0 &&
			       (cp >= 0x80 || (k > 0 && (cp == 'O' || cp == 'o'))) && is_cn_numeral(cp)) {
				if (k == 16)
					return lw_err_set(e, LW_EFORMAT, "date \"%s\": number too long", orig);
				run[k++] = cp;
				r += n;
			}
			if (cn_run(run, k, t, &w, cap) != 0)
				return lw_err_set(e, LW_EFORMAT, "date \"%s\": malformed Chinese numeral", orig);
			continue;
		}
		r += n;
		if (w + 2 >= cap)
			return lw_err_set(e, LW_EFORMAT, "date \"%s\": too long", orig);
		if (cp < 0x80 && cp >= 0x20 && cp != 0x7F)
			t[w++] = cp == 't' ? 'T' : cp == 'z' ? 'Z' : (char)cp;
		else if (cp == 0xA0 || cp == '\t')
			t[w++] = ' ';
		else if ((mk = unit_marker(cp)) != 0)
			t[w++] = mk;
		else
			return lw_err_set(e, LW_EFORMAT, "date \"%s\": unexpected character U+%04X", orig,
					  (unsigned)cp);
	}
	t[w] = '\0';
	return 0;
}

/* ---- step 2: read the ASCII form ------------------------------------- */

static int is_d(char c)
{
	return c >= '0' && c <= '9';
}

/* Read 1..max digits at *p; returns the count (0 if none or more than max). */
static int digits(const char **p, int max, int *val)
{
	const char *s = *p;
	int n = 0, v = 0;

	while (is_d(s[n])) {
		if (n == max)
			return 0;
		v = v * 10 + (s[n] - '0');
		n++;
	}
	*p = s + n;
	*val = v;
	return n;
}

/* Excel serial: 5 to 7 digits, optionally a fraction for the time of day. */
static int parse_serial(const char *t, const char *orig, unsigned flags, struct lw_date *out,
			struct lw_err *e)
{
	long serial = 0, num = 0, den = 1, secs = 0;
	const char *p = t;
	int n = 0, rc;

	while (is_d(*p)) {
		if (n == 7)
			return lw_err_set(e, LW_EFORMAT, "date \"%s\": a bare number of more than 7 digits is not a date",
					  orig);
		serial = serial * 10 + (*p++ - '0');
		n++;
	}
	if (*p == '.') {
		p++;
		for (int k = 0; is_d(*p); p++, k++)
			if (k < 12) {
				num = num * 10 + (*p - '0');
				den *= 10;
			}
	}
	if (*p != '\0' || n == 0)
		return lw_err_set(e, LW_EFORMAT, "date \"%s\": expected year-month-day", orig);
	if (n < 5)
		return lw_err_set(e, LW_EFORMAT,
				  "date \"%s\": a bare number with fewer than 5 digits is not a date "
				  "(Excel serials of dates since 1927 have 5 digits)", orig);
	secs = (num * 86400 + den / 2) / den;
	if (secs == 86400) {
		serial++;
		secs = 0;
	}
	if ((rc = lw_date_from_excel(serial, secs, flags & LW_DATE_EXCEL_1904, out, e)) != 0)
		return lw_err_prefix(e, "date \"%s\"", orig);
	return 0;
}

/* Time of day at *p (after the date): 14:30[:05[.123]] or 14H30I[05S]. */
static int parse_time(const char **pp, struct lw_date *out, const char *orig, struct lw_err *e)
{
	const char *p = *pp;

	if (digits(&p, 2, &out->h) == 0)
		return lw_err_set(e, LW_EFORMAT, "date \"%s\": expected a time such as 14:30 after the date", orig);
	out->has_time = 1;
	if (*p == ':') {
		p++;
		if (digits(&p, 2, &out->min) != 2)
			return lw_err_set(e, LW_EFORMAT, "date \"%s\": expected two digits of minutes", orig);
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &out->s) != 2)
				return lw_err_set(e, LW_EFORMAT, "date \"%s\": expected two digits of seconds", orig);
			if (*p == '.' && is_d(p[1]))
				for (p++; is_d(*p); p++)
					; /* fractions of a second are dropped */
		}
	} else if (*p == 'H') {
		p++;
		if (digits(&p, 2, &out->min) > 0) {
			if (*p == 'I')
				p++;
			if (digits(&p, 2, &out->s) > 0 && *p == 'S')
				p++;
		}
	} else {
		return lw_err_set(e, LW_EFORMAT, "date \"%s\": expected ':' or 时 after the hour", orig);
	}
	if (out->h > 23)
		return ZH("%d 点不存在（小时应为 0–23）", out->h),
		       lw_err_set(e, LW_EFORMAT, "date \"%s\": hour %d out of range", orig, out->h);
	if (out->min > 59)
		return ZH("%d 分不存在（分钟应为 0–59）", out->min),
		       lw_err_set(e, LW_EFORMAT, "date \"%s\": minute %d out of range", orig, out->min);
	if (out->s > 59)
		return ZH("%d 秒不存在（秒应为 0–59）", out->s),
		       lw_err_set(e, LW_EFORMAT, "date \"%s\": second %d out of range", orig, out->s);
	*pp = p;
	return 0;
}

/* Optional UTC offset: Z, +08:00, +0800, +08.  Times are shifted to China
 * Standard Time (UTC+8), the clock every source in this domain means. */
static int parse_offset(const char **pp, struct lw_date *out, const char *orig, struct lw_err *e)
{
	const char *p = *pp;
	int sign, oh = 0, om = 0;
	long secs, days;

	if (*p == '\0')
		return 0;
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (!is_d(p[0]) || !is_d(p[1]))
			return lw_err_set(e, LW_EFORMAT, "date \"%s\": malformed UTC offset", orig);
		oh = (p[0] - '0') * 10 + (p[1] - '0');
		p += 2;
		if (*p == ':')
			p++;
		if (is_d(*p)) {
			if (!is_d(p[1]))
				return lw_err_set(e, LW_EFORMAT, "date \"%s\": malformed UTC offset", orig);
			om = (p[0] - '0') * 10 + (p[1] - '0');
			p += 2;
		}
		if (oh > 14 || om > 59)
			return lw_err_set(e, LW_EFORMAT, "date \"%s\": UTC offset out of range", orig);
		oh *= sign;
		om *= sign;
	} else {
		return 0;
	}
	secs = out->h * 3600L + out->min * 60L + out->s - (oh * 3600L + om * 60L) + 8 * 3600L;
	days = lw_date_to_days(out);
	days += secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	secs = ((secs % 86400) + 86400) % 86400;
	lw_date_from_days(days, out);
	out->has_time = 1;
	out->h = (int)(secs / 3600);
	out->min = (int)(secs / 60 % 60);
	out->s = (int)(secs % 60);
	*pp = p;
	return 0;
}

int lw_date_parse(const char *text, unsigned flags, struct lw_date *out, struct lw_err *e)
{
	char buf[INPUT_MAX + 1], t[INPUT_MAX + 1];
	const char *p;
	size_t len = strlen(text), start, n;
	int y = 0, m = 0, d = 0, rc;

	memset(out, 0, sizeof *out);
	reason_zh[0] = '\0';
	if (len > INPUT_MAX)
		return lw_err_set(e, LW_EFORMAT, "date: %zu bytes is too long for a date", len);
	if (!lw_utf8_valid(text, len, &start))
		return lw_err_set(e, LW_EFORMAT, "date: invalid UTF-8 at byte %zu", start);
	n = lw_trim_span(text, len, &start);
	memcpy(buf, text + start, n);
	buf[n] = '\0';
	lw_fold_fullwidth(buf);
	lw_trim(buf);
	if (buf[0] == '\0')
		return lw_err_set(e, LW_EFORMAT, "date is empty");
	if ((rc = translate(buf, t, sizeof t, e, buf)) != 0)
		return rc;

	p = t;
	n = 0;
	while (is_d(p[n]))
		n++;
	if ((p[n] == '\0' || (p[n] == '.' && strchr(p + n + 1, '.') == NULL && strchr(p + n + 1, ' ') == NULL)) &&
	    n != 8) {
		if (flags & LW_DATE_NO_SERIAL)
			return ZH("只有一个数字，不是日期"),
			       lw_err_set(e, LW_EFORMAT, "date \"%s\": expected year-month-day, got a bare number", buf);
		return parse_serial(t, buf, flags, out, e);
	}
	if (n == 8) { /* 20240506 */
		y = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
		m = (p[4] - '0') * 10 + (p[5] - '0');
		d = (p[6] - '0') * 10 + (p[7] - '0');
		p += 8;
	} else if (n == 4 && (p[4] == '-' || p[4] == '/' || p[4] == '.' || p[4] == 'Y')) {
		char sep = p[4], sep2 = sep == 'Y' ? 'M' : sep;
		p += 4;
		y = (t[0] - '0') * 1000 + (t[1] - '0') * 100 + (t[2] - '0') * 10 + (t[3] - '0');
		p++;
		if (digits(&p, 2, &m) == 0)
			return lw_err_set(e, LW_EFORMAT, "date \"%s\": expected 1 or 2 digits of month", buf);
		if (*p != sep2)
			return lw_err_set(e, LW_EFORMAT, "date \"%s\": expected a day after the month", buf);
		p++;
		if (digits(&p, 2, &d) == 0)
			return lw_err_set(e, LW_EFORMAT, "date \"%s\": expected 1 or 2 digits of day", buf);
		if (sep == 'Y' && *p == 'D')
			p++;
	} else {
		return lw_err_set(e, LW_EFORMAT,
				  "date \"%s\": expected year-month-day such as 2024-05-06, 2024/5/6, "
				  "2024年5月6日 or 20240506", buf);
	}
	if (y < Y_MIN || y > Y_MAX)
		return ZH("年份 %d 超出范围（%d–%d）", y, Y_MIN, Y_MAX),
		       lw_err_set(e, LW_EFORMAT, "date \"%s\": year %d out of range %d-%d", buf, y, Y_MIN, Y_MAX);
	if (m < 1 || m > 12)
		return ZH("月份 %d 不存在", m),
		       lw_err_set(e, LW_EFORMAT, "date \"%s\": month %d out of range", buf, m);
	if (!lw_date_valid(y, m, d))
		return (d >= 1 ? ZH("%d月没有%d日（%d年%d月只有%d天）", m, d, y, m, month_days(y, m))
			       : ZH("%d日不存在", d)),
		       lw_err_set(e, LW_EFORMAT, "date \"%s\": day %d out of range for %04d-%02d (%d days)",
				  buf, d, y, m, month_days(y, m));
	out->y = y;
	out->m = m;
	out->d = d;

	if (*p == ' ' || *p == 'T') {
		while (*p == ' ')
			p++;
		if (*p == 'T')
			p++;
		if (*p == '\0')
			return 0;
		if ((rc = parse_time(&p, out, buf, e)) != 0)
			return rc;
	} else if (is_d(*p)) { /* 2024年5月6日14时30分 */
		if ((rc = parse_time(&p, out, buf, e)) != 0)
			return rc;
	}
	while (*p == ' ')
		p++;
	if ((rc = parse_offset(&p, out, buf, e)) != 0)
		return rc;
	if (*p != '\0')
		return lw_err_set(e, LW_EFORMAT, "date \"%s\": unexpected text after the date", buf);
	if (out->y < Y_MIN || out->y > Y_MAX)
		return lw_err_set(e, LW_EFORMAT, "date \"%s\": year out of range after time zone shift", buf);
	return 0;
}
