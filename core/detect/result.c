/*
 * result.c — allocation and release of struct lw_detect_result (detect.h),
 * shared by the detectors.
 */
#include "detect/detect.h"
#include "detect/detect_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int lw_detect_result_alloc(struct lw_detect_result *r, size_t n, struct lw_err *err)
{
	memset(r, 0, sizeof *r);
	r->expected = malloc(n * sizeof *r->expected);
	r->upperbound = malloc(n * sizeof *r->upperbound);
	r->alarm = malloc(n);
	if (!r->expected || !r->upperbound || !r->alarm) {
		lw_detect_result_free(r);
		return lw_err_set(err, LW_ENOMEM, "out of memory for %zu detector results", n);
	}
	r->n = n;
	for (size_t i = 0; i < n; i++) {
		r->expected[i] = NAN;
		r->upperbound[i] = NAN;
		r->alarm[i] = LW_ALARM_NA;
	}
	return 0;
}

void lw_detect_result_free(struct lw_detect_result *r)
{
	if (!r)
		return;
	free(r->expected);
	free(r->upperbound);
	free(r->alarm);
	memset(r, 0, sizeof *r);
}

int lw_detect_check_range(size_t n, size_t from, size_t to, struct lw_err *err)
{
	if (n == 0)
		return lw_err_set(err, LW_EINVAL, "the series is empty");
	if (from > to || to >= n)
		return lw_err_set(err, LW_EINVAL,
				  "range %zu:%zu is not inside the series of %zu periods (1-based)",
				  from + 1, to + 1, n);
	return 0;
}

signed char lw_detect_r_gt(double x, double bound)
{
	if (isnan(x) || isnan(bound))
		return LW_ALARM_NA;
	return x > bound ? LW_ALARM_YES : LW_ALARM_NO;
}
