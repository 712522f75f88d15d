/*
 * numfmt.c — numeric cells as the user sees them: plain decimals (a phone
 * number 13812345678 stays digits, never 1.38E+10, and 15 never becomes
 * "15.0") and serial dates turned into ISO text by their number format.
 *
 * Excel stores a date as a day count ("serial") and only the cell's number
 * format says it is a date.  Two epochs exist: the 1900 system (Windows;
 * day 1 = 1900-01-01 and, to stay compatible with Lotus 1-2-3, a fictitious
 * 1900-02-29 as day 60) and the 1904 system (old Mac workbooks; day 0 =
 * 1904-01-01).
 */
#include "read/read_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum lw_numkind builtin_kind(int id)
{
	if ((id >= 14 && id <= 17) || id == 27 || id == 28 || id == 29 || id == 30 ||
	    id == 31 || id == 34 || id == 35 || id == 36 || (id >= 50 && id <= 58))
		return LW_NUM_DATE; /* 27-36, 50-58: the zh-CN built-ins (yyyy"年"m"月"d"日") */
	if (id == 22)
		return LW_NUM_DATETIME;
	if ((id >= 18 && id <= 21) || (id >= 45 && id <= 47) || id == 32 || id == 33)
		return LW_NUM_TIME;
	return LW_NUM_PLAIN;
}

enum lw_numkind lw_numfmt_kind(int id, const char *code)
{
	int y = 0, m = 0, d = 0, h = 0, s = 0;
	const char *p;

	if (!code || !*code)
		return builtin_kind(id);
	/* Only the first section (positive numbers) matters; literals in
	 * quotes, escaped or padding characters and [Red]/[$-804] tags are not
	 * format letters, but [h]/[mm]/[ss] (elapsed time) are. */
	for (p = code; *p && *p != ';'; p++) {
		switch (*p) {
		case '"':
			p++;
			while (*p && *p != '"')
				p++;
			if (!*p)
				goto done;
			break;
		case '\\': case '_': case '*':
			if (!p[1])
				goto done;
			p++;
			break;
		case '[':
			if (p[1] == 'h' || p[1] == 'H')
				h = 1;
			else if (p[1] == 's' || p[1] == 'S')
				s = 1;
			else if (p[1] == 'm' || p[1] == 'M')
				h = 1; /* [mm] elapsed minutes */
			while (*p && *p != ']')
				p++;
			if (!*p)
				goto done;
			break;
		case 'y': case 'Y': y = 1; break;
		case 'd': case 'D': d = 1; break;
		case 'm': case 'M': m = 1; break;
		case 'h': case 'H': h = 1; break;
		case 's': case 'S': s = 1; break;
		case 'A': case 'a': /* AM/PM, A/P: not months */
			if (!strncmp(p, "AM/PM", 5) || !strncmp(p, "am/pm", 5))
				p += 4;
			else if (!strncmp(p, "A/P", 3) || !strncmp(p, "a/p", 3))
				p += 2;
			break;
		case 'G': case 'g':
			if (!strncmp(p + 1, "eneral", 6))
				p += 6;
			break;
		default:
			break;
		}
	}
done:;
	int date = y || d || (m && !h && !s);
	int time = h || s;
	if (date && time)
		return LW_NUM_DATETIME;
	if (date)
		return LW_NUM_DATE;
	if (time)
		return LW_NUM_TIME;
	return LW_NUM_PLAIN;
}

size_t lw_fmt_number(double v, char *out)
{
	char e[40], digits[24];
	int prec, exp, nd = 0, neg;
	size_t n = 0;
	char *p;

	if (isnan(v) || isinf(v))
		return (size_t)sprintf(out, "#NUM!");
	if (v == 0)
		return (size_t)sprintf(out, "0");
	if (v == floor(v) && fabs(v) < 1e21) /* integers print exactly */
		return (size_t)sprintf(out, "%.0f", v);
	/* Shortest precision that reads back as the same double. */
	for (prec = 1; prec <= 17; prec++) {
		snprintf(e, sizeof e, "%.*e", prec - 1, v);
		if (strtod(e, NULL) == v)
			break;
	}
	neg = e[0] == '-';
	for (p = e + neg; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9')
			digits[nd++] = *p;
	exp = atoi(p + 1); /* value = 0.d1d2.. * 10^(exp+1) */
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	if (neg)
		out[n++] = '-';
	if (exp < 0) {
		out[n++] = '0';
		out[n++] = '.';
		for (int i = 0; i < -exp - 1; i++)
			out[n++] = '0';
		memcpy(out + n, digits, (size_t)nd);
		n += (size_t)nd;
	} else {
		for (int i = 0; i <= exp; i++)
			out[n++] = i < nd ? digits[i] : '0';
		if (nd > exp + 1) {
			out[n++] = '.';
			memcpy(out + n, digits + exp + 1, (size_t)(nd - exp - 1));
			n += (size_t)(nd - exp - 1);
		}
	}
	out[n] = '\0';
	return n;
}

/* Days since 1970-01-01 -> civil date (H. Hinnant's algorithm). */
static void civil_from_days(long long z, int *y, unsigned *m, unsigned *d)
{
	z += 719468;
	long long era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long long yy = (long long)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yy + (*m <= 2));
}

size_t lw_fmt_serial(double serial, int date1904, enum lw_numkind kind, char out[32])
{
	long long secs, days, sod;
	int y;
	unsigned mo, d;

	if (!(serial >= 0) || serial > 2958466.0) /* past 9999-12-31: Excel shows ##### */
		return 0;
	secs = llround(serial * 86400.0);
	days = secs / 86400;
	sod = secs % 86400;
	if (kind == LW_NUM_TIME)
		return (size_t)snprintf(out, 32, "%02lld:%02lld:%02lld", sod / 3600, sod / 60 % 60,
					sod % 60);
	if (date1904) {
		civil_from_days(days - 24107, &y, &mo, &d); /* 1904-01-01 is day -24107 of 1970 */
	} else if (days == 60) {
		y = 1900, mo = 2, d = 29; /* the Lotus leap-year bug, kept for fidelity */
	} else if (days == 0) {
		y = 1900, mo = 1, d = 0; /* Excel shows 1900-01-00 for day 0 */
	} else {
		/* day 1 = 1900-01-01 = -25567; after day 60 one fictitious day is skipped */
		civil_from_days(days - 25568 - (days > 60), &y, &mo, &d);
	}
	if (kind == LW_NUM_DATE && y >= 0 && y <= 9999) { /* hot: one per date cell */
		out[0] = (char)('0' + y / 1000);
		out[1] = (char)('0' + y / 100 % 10);
		out[2] = (char)('0' + y / 10 % 10);
		out[3] = (char)('0' + y % 10);
		out[4] = '-';
		out[5] = (char)('0' + mo / 10);
		out[6] = (char)('0' + mo % 10);
		out[7] = '-';
		out[8] = (char)('0' + d / 10);
		out[9] = (char)('0' + d % 10);
		out[10] = '\0';
		return 10;
	}
	if (kind == LW_NUM_DATE)
		return (size_t)snprintf(out, 32, "%04d-%02u-%02u", y, mo, d);
	return (size_t)snprintf(out, 32, "%04d-%02u-%02u %02lld:%02lld:%02lld", y, mo, d, sod / 3600,
				sod / 60 % 60, sod % 60);
}
