/*
 * units.c — parsing of configuration durations and sizes (see units.h).
 */
#include "base/units.h"

#include <string.h>

#include "base/err.h"

/* Read a run of decimal digits into *v; returns the number of digits, 0 on
 * none or overflow past INT64_MAX. */
static int read_uint(const char **p, int64_t *v)
{
	int n = 0;
	int64_t x = 0;

	while (**p >= '0' && **p <= '9') {
		int d = **p - '0';
		if (x > (INT64_MAX - d) / 10)
			return 0;
		x = x * 10 + d;
		(*p)++;
		n++;
	}
	*v = x;
	return n;
}

int lw_parse_duration(const char *text, int64_t *ms)
{
	static const struct { const char *unit; int64_t ms; } units[] = {
		{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {"d", 86400000},
	};
	const char *p = text;
	int64_t total = 0;

	if (!text || !*text)
		return LW_EINVAL;
	while (*p) {
		int64_t v, mul = 0;
		size_t ulen = 0;
		if (!read_uint(&p, &v))
			return LW_EINVAL;
		/* "ms" must be tried before "m". */
		for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
			size_t l = strlen(units[i].unit);
			if (!strncmp(p, units[i].unit, l) && l > ulen) {
				ulen = l;
				mul = units[i].ms;
			}
		}
		if (!ulen)
			return LW_EINVAL;
		p += ulen;
		if (v > (INT64_MAX - total) / mul)
			return LW_EINVAL;
		total += v * mul;
	}
	*ms = total;
	return 0;
}

int lw_parse_size(const char *text, int64_t *bytes)
{
	static const struct { const char *unit; int64_t mul; } units[] = {
		{"B", 1},
		{"KB", 1000}, {"MB", 1000000}, {"GB", 1000000000}, {"TB", 1000000000000},
		{"KiB", 1024}, {"MiB", 1048576}, {"GiB", 1073741824}, {"TiB", 1099511627776},
	};
	const char *p = text;
	int64_t v, mul = 1;

	if (!text || !read_uint(&p, &v))
		return LW_EINVAL;
	if (*p) {
		size_t i, n = sizeof units / sizeof units[0];
		for (i = 0; i < n; i++)
			if (!strcmp(p, units[i].unit))
				break;
		if (i == n)
			return LW_EINVAL;
		mul = units[i].mul;
	}
	if (v > INT64_MAX / mul)
		return LW_EINVAL;
	*bytes = v * mul;
	return 0;
}
