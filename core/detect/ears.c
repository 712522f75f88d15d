/*
 * ears.c — EARS C1, C2 and C3 (CDC's Early Aberration Reporting System) as
 * surveillance::earsC 1.20.3 computes them.
 *
 * C1: the baseline is the `baseline` periods just before t; bound =
 *     mean + z(1-alpha) * max(sd, minSigma).
 * C2: the same with a guard band of two periods (t-baseline-2 .. t-3).
 * C3: R's code (which differs from its documentation, where C3 is a sum of
 *     C2 statistics) gives the bound
 *       x_t + max(sd_t, minSigma) * (z - (max(0, C2_{t-2} - 1) + max(0, C2_{t-1} - 1)))
 *     floored at 0, with C2_s = (x_s - mean_s) / max(sd_s, minSigma).  A
 *     range of a single period is an error in R (replacement length): here too.
 */
#include "detect/detect.h"
#include "detect/detect_int.h"
#include "detect/distrib.h"
#include "detect/rsem.h"

#include <math.h>
#include <stdlib.h>

void lw_ears_opts_init(struct lw_ears_opts *o, enum lw_ears_method method)
{
	o->method = method;
	o->baseline = 7;
	o->alpha = method == LW_EARS_C3 ? 0.025 : 0.001;
	o->min_sigma = 0;
}

/* Largest lag used by a method (R's maxLag). */
static size_t max_lag(const struct lw_ears_opts *o)
{
	return o->baseline + (o->method == LW_EARS_C1 ? 0 : o->method == LW_EARS_C2 ? 2 : 4);
}

static int check_opts(const struct lw_ears_opts *o, struct lw_err *err)
{
	if (o->method != LW_EARS_C1 && o->method != LW_EARS_C2 && o->method != LW_EARS_C3)
		return lw_err_set(err, LW_EINVAL, "EARS method must be C1, C2 or C3");
	if (o->baseline < 3)
		return lw_err_set(err, LW_EINVAL, "EARS baseline %u: the minimum is 3", o->baseline);
	if (!(o->min_sigma >= 0))
		return lw_err_set(err, LW_EINVAL, "EARS minSigma must be >= 0");
	if (!(o->alpha > 0 && o->alpha < 1))
		return lw_err_set(err, LW_EINVAL, "EARS alpha must be in (0, 1)");
	return 0;
}

int lw_ears_default_range(size_t n, const struct lw_ears_opts *o, size_t *from,
			  size_t *to, struct lw_err *err)
{
	int rc = check_opts(o, err);

	if (rc)
		return rc;
	if (n <= max_lag(o))
		return lw_err_set(err, LW_EINVAL,
				  "EARS C%d with baseline %u needs more than %zu periods, the series has %zu",
				  (int)o->method, o->baseline, max_lag(o), n);
	*from = max_lag(o);
	*to = n - 1;
	return 0;
}

/* Mean and sd of the reference values of period t for C1 (lag 1..baseline)
 * or C2/C3 (lag 3..baseline+2). */
static void reference(const double *x, size_t t, const struct lw_ears_opts *o, double *mean,
		      double *sd)
{
	size_t guard = o->method == LW_EARS_C1 ? 0 : 2;
	const double *ref = x + t - guard - o->baseline;

	*mean = lw_r_mean(ref, o->baseline);
	*sd = lw_r_sd(ref, o->baseline);
}

int lw_ears(const double *counts, size_t n, size_t from, size_t to,
	    const struct lw_ears_opts *o, struct lw_detect_result *out, struct lw_err *err)
{
	double z, mean, sd;
	int rc;

	if ((rc = check_opts(o, err)) || (rc = lw_detect_check_range(n, from, to, err)))
		return rc;
	if (from < max_lag(o))
		return lw_err_set(err, LW_EINVAL,
				  "EARS C%d: the range starts at period %zu but needs %zu earlier periods "
				  "(start at %zu or later)",
				  (int)o->method, from + 1, max_lag(o), max_lag(o) + 1);
	if (o->method == LW_EARS_C3 && from == to) /* R stops: replacement length */
		return lw_err_set(err, LW_EINVAL, "EARS C3 needs a range of at least two periods");
	if ((rc = lw_detect_result_alloc(out, to - from + 1, err)))
		return rc;
	z = lw_qnorm(1 - o->alpha, 0, 1);

	if (o->method != LW_EARS_C3) {
		for (size_t t = from; t <= to; t++) {
			size_t i = t - from;
			reference(counts, t, o, &mean, &sd);
			out->expected[i] = mean;
			out->upperbound[i] = mean + z * lw_r_pmax(sd, o->min_sigma);
			out->alarm[i] = lw_detect_r_gt(counts[t], out->upperbound[i]);
		}
		return 0;
	}

	/* C3: C2 statistics from from-2 on. */
	size_t nc2 = to - from + 3;
	double *c2 = malloc(nc2 * sizeof *c2);
	if (!c2) {
		lw_detect_result_free(out);
		return lw_err_set(err, LW_ENOMEM, "out of memory");
	}
	for (size_t s = from - 2; s <= to; s++) {
		reference(counts, s, o, &mean, &sd);
		c2[s - (from - 2)] = (counts[s] - mean) / lw_r_pmax(sd, o->min_sigma);
	}
	for (size_t t = from; t <= to; t++) {
		size_t i = t - from;
		double lag2 = lw_r_pmax(0, c2[i] - 1), lag1 = lw_r_pmax(0, c2[i + 1] - 1), ub;

		reference(counts, t, o, &mean, &sd);
		ub = counts[t] + lw_r_pmax(sd, o->min_sigma) * (z - (lag2 + lag1));
		out->upperbound[i] = lw_r_pmax(0, ub);
		out->alarm[i] = lw_detect_r_gt(counts[t], out->upperbound[i]);
	}
	free(c2);
	return 0;
}
