/*
 * http_util.c — back-off and Retry-After (see http_util.h); URL redaction
 * lives in base/redact.c, shared with configuration messages.
 */
#include "net/http_util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* splitmix64: tiny, full-period, good enough for jitter. */
static uint64_t next_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t lw_backoff_next(unsigned attempt, uint64_t base_ms, uint64_t cap_ms, uint64_t *rng)
{
	uint64_t ceil = base_ms, r;

	/* base * 2^attempt without overflow: stop doubling at the cap. */
	for (unsigned i = 0; i < attempt && ceil < cap_ms; i++)
		ceil = ceil > UINT64_MAX / 2 ? UINT64_MAX : ceil * 2;
	if (ceil > cap_ms)
		ceil = cap_ms;
	if (ceil == 0)
		return 0;
	r = next_rand(rng);
	return ceil == UINT64_MAX ? r : r % (ceil + 1);
}

uint64_t lw_backoff_honour(uint64_t delay_ms, int64_t retry_after_s, uint64_t max_ms)
{
	if (retry_after_s >= 0) {
		uint64_t ra = (uint64_t)retry_after_s;
		ra = ra > UINT64_MAX / 1000 ? UINT64_MAX : ra * 1000;
		if (ra > delay_ms)
			delay_ms = ra;
	}
	if (max_ms && delay_ms > max_ms)
		delay_ms = max_ms;
	return delay_ms;
}

/* ---- HTTP-date ---- */

static int month_index(const char *p)
{
	static const char m[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	for (int i = 0; i < 12; i++)
		if (!strncmp(p, m + 3 * i, 3))
			return i;
	return -1;
}

/* Read exactly n digits. */
static int digits(const char **pp, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*pp)[i]))
			return -1;
		v = v * 10 + ((*pp)[i] - '0');
	}
	*pp += n;
	*out = v;
	return 0;
}

static int lit(const char **pp, const char *s)
{
	size_t n = strlen(s);
	if (strncmp(*pp, s, n))
		return -1;
	*pp += n;
	return 0;
}

/* "HH:MM:SS" */
static int hms(const char **pp, int *h, int *mi, int *s)
{
	if (digits(pp, 2, h) || lit(pp, ":") || digits(pp, 2, mi) || lit(pp, ":") ||
	    digits(pp, 2, s))
		return -1;
	return *h > 23 || *mi > 59 || *s > 60 ? -1 : 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; Howard Hinnant's
 * days_from_civil), so that no timegm()/TZ is involved. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
	static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : dm[m - 1];
}

int lw_http_date_parse(const char *s, int64_t *unix_s)
{
	const char *p = s;
	int d = 0, mon = -1, y = 0, h = 0, mi = 0, sec = 0;
	const char *comma;

	if (!s)
		return -1;
	while (*p == ' ' || *p == '\t')
		p++;
	comma = strchr(p, ',');
	if (comma && comma - p == 3) {
		/* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" */
		p = comma + 1;
		if (lit(&p, " ") || digits(&p, 2, &d) || lit(&p, " "))
			return -1;
		if ((mon = month_index(p)) < 0)
			return -1;
		p += 3;
		if (lit(&p, " ") || digits(&p, 4, &y) || lit(&p, " ") || hms(&p, &h, &mi, &sec) ||
		    lit(&p, " GMT"))
			return -1;
	} else if (comma && comma - p >= 6 && comma - p <= 9) {
		/* RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT" */
		p = comma + 1;
		if (lit(&p, " ") || digits(&p, 2, &d) || lit(&p, "-"))
			return -1;
		if ((mon = month_index(p)) < 0)
			return -1;
		p += 3;
		if (lit(&p, "-") || digits(&p, 2, &y) || lit(&p, " ") || hms(&p, &h, &mi, &sec) ||
		    lit(&p, " GMT"))
			return -1;
		/* RFC 9110: a two-digit year more than 50 years ahead is in
		 * the past century; with no clock here, read 70-99 as 19xx. */
		y += y >= 70 ? 1900 : 2000;
	} else if (!comma && strlen(p) >= 24) {
		/* asctime: "Sun Nov  6 08:49:37 1994" */
		p += 3;
		if (lit(&p, " "))
			return -1;
		if ((mon = month_index(p)) < 0)
			return -1;
		p += 3;
		if (lit(&p, " "))
			return -1;
		if (*p == ' ') {
			p++;
			if (digits(&p, 1, &d))
				return -1;
		} else if (digits(&p, 2, &d)) {
			return -1;
		}
		if (lit(&p, " ") || hms(&p, &h, &mi, &sec) || lit(&p, " ") || digits(&p, 4, &y))
			return -1;
	} else {
		return -1;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p || y < 1900 || d < 1 || d > days_in_month(y, mon + 1))
		return -1;
	*unix_s = days_from_civil(y, mon + 1, d) * 86400 + h * 3600 + mi * 60 + sec;
	return 0;
}

int64_t lw_retry_after_parse(const char *value, int64_t now_s)
{
	const int64_t max = 10ll * 366 * 86400;
	const char *p = value;
	int64_t v = 0, when;

	if (!p)
		return -1;
	while (*p == ' ' || *p == '\t')
		p++;
	if (isdigit((unsigned char)*p)) {
		while (isdigit((unsigned char)*p)) {
			if (v < max)
				v = v * 10 + (*p - '0');
			p++;
		}
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p)
			return -1;
		return v > max ? max : v;
	}
	if (lw_http_date_parse(p, &when) != 0)
		return -1;
	if (when <= now_s)
		return 0;
	return when - now_s > max ? max : when - now_s;
}
