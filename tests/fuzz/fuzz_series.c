/*
 * fuzz_series.c — fuzz target for the series reader of `litwatch detect`
 * (outside input) and, on what it accepts, the EARS and CUSUM detectors
 * (NA handling, ranges at the edges of short series).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "detect/detect_cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	double *x = NULL;
	size_t n, from, to;
	struct lw_err err = {0};
	struct lw_detect_result r = {0};

	if (lw_detect_series_parse((const char *)data, size, &x, &n, &err))
		return 0;
	for (int m = LW_EARS_C1; m <= LW_EARS_C3; m++) {
		struct lw_ears_opts o;
		lw_ears_opts_init(&o, (enum lw_ears_method)m);
		o.baseline = 3 + (unsigned)(n % 5);
		if (!lw_ears_default_range(n, &o, &from, &to, &err) &&
		    !lw_ears(x, n, from, to, &o, &r, &err))
			lw_detect_result_free(&r);
	}
	struct lw_cusum_opts c;
	lw_cusum_opts_init(&c);
	c.trans = (enum lw_cusum_trans)(n % 6);
	c.reset = (int)(n & 1);
	if (!lw_cusum(x, n, n / 2, n - 1, &c, &r, &err))
		lw_detect_result_free(&r);
	free(x);
	return 0;
}
