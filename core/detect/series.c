/*
 * series.c — reader of the count series given to `litwatch detect` (one
 * count per line, or `period,count`).  Outside input: fuzzed by
 * tests/fuzz/fuzz_series.c.
 */
#include "detect/detect_cli.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_LEN 256

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Parse one line into *v; returns 1 for a count, 0 for nothing, -1 bad. */
static int parse_line(const char *p, size_t len, double *v, const char **why)
{
	char buf[LINE_MAX_LEN + 1], *s, *e, *comma, *end;

	if (memchr(p, '#', len))
		len = (size_t)((const char *)memchr(p, '#', len) - p);
	while (len && is_space(p[len - 1]))
		len--;
	while (len && is_space(*p))
		p++, len--;
	if (!len)
		return 0;
	if (len > LINE_MAX_LEN) {
		*why = "line too long";
		return -1;
	}
	if (memchr(p, '\0', len)) {
		*why = "NUL byte";
		return -1;
	}
	memcpy(buf, p, len);
	buf[len] = '\0';
	s = buf;
	comma = strchr(s, ',');
	if (comma) {
		if (strchr(comma + 1, ',')) {
			*why = "expected `count` or `period,count`, found more than two fields";
			return -1;
		}
		s = comma + 1;
	}
	while (is_space(*s))
		s++;
	e = s + strlen(s);
	while (e > s && is_space(e[-1]))
		*--e = '\0';
	if (!*s) {
		*why = "missing count";
		return -1;
	}
	if (!strcmp(s, "NA")) {
		*v = NAN;
		return 1;
	}
	errno = 0;
	*v = strtod(s, &end);
	if (end == s || *end || errno == ERANGE || !isfinite(*v)) {
		*why = "the count is not a number";
		return -1;
	}
	if (*v < 0) {
		*why = "a count cannot be negative";
		return -1;
	}
	return 1;
}

int lw_detect_series_parse(const char *text, size_t len, double **counts, size_t *n,
			   struct lw_err *err)
{
	size_t cap = 0, cnt = 0, line = 0, pos = 0;
	double *a = NULL, v;

	*counts = NULL;
	*n = 0;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - (text + pos)) : len - pos;
		const char *why = "";
		int r;

		line++;
		r = parse_line(text + pos, l, &v, &why);
		pos += l + (nl ? 1 : 0);
		if (r < 0) {
			free(a);
			return lw_err_set(err, LW_EFORMAT, "line %zu: %s", line, why);
		}
		if (r == 0)
			continue;
		if (cnt == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			double *na = realloc(a, ncap * sizeof *na);
			if (!na) {
				free(a);
				return lw_err_set(err, LW_ENOMEM, "out of memory reading the series");
			}
			a = na;
			cap = ncap;
		}
		a[cnt++] = v;
	}
	if (!cnt) {
		free(a);
		return lw_err_set(err, LW_EFORMAT, "the series is empty (no count found)");
	}
	*counts = a;
	*n = cnt;
	return 0;
}
