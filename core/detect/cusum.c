/*
 * cusum.c — Poisson CUSUM as surveillance::algo.cusum 1.20.3 computes it:
 * standardise each count with the in-control mean m, accumulate
 * S_t = max(0, S_{t-1} + z_t - k), alarm when S_t >= h.  The upper bound is
 * the count that would have brought S_t to h (for the standard transform
 * ceiling(sqrt(m) (h + k - S_{t-1}) + m)); R replaces NA and negative bounds
 * by 0, so a CUSUM bound is never NA.
 *
 * litwatch adds `reset`: after an alarm the sum restarts at 0, so that a
 * sustained rise alarms again only when it keeps rising (R never resets).
 * m = "glm" (a seasonal Poisson GLM for m) and trans "anscombeNegBin" are not
 * implemented.
 */
#include "detect/detect.h"
#include "detect/detect_int.h"
#include "detect/rsem.h"

#include <math.h>

void lw_cusum_opts_init(struct lw_cusum_opts *o)
{
	o->k = 1.04;
	o->h = 2.26;
	o->m_given = 0;
	o->m = 0;
	o->trans = LW_CUSUM_STANDARD;
	o->alpha = 0.1;
	o->reset = 0;
}

static double standardise(const struct lw_cusum_opts *o, double x, double m)
{
	switch (o->trans) {
	case LW_CUSUM_ROSSI:
		return (x - 3 * m + 2 * sqrt(x * m)) / (2 * sqrt(m));
	case LW_CUSUM_ANSCOMBE:
		return 1.5 * (pow(x, 2.0 / 3) - pow(m, 2.0 / 3)) / pow(m, 1.0 / 6);
	case LW_CUSUM_ANSCOMBE2ND:
		return (pow(x, 2.0 / 3) - (pow(m, 2.0 / 3) - pow(m, -1.0 / 3) / 9)) /
		       (2.0 / 3 * pow(m, 1.0 / 6));
	case LW_CUSUM_PEARSON_NB:
		return (x - m) / sqrt(m + o->alpha * m * m);
	case LW_CUSUM_NONE:
		return x;
	case LW_CUSUM_STANDARD:
	default:
		return (x - m) / sqrt(m);
	}
}

/* Bound given the previous sum ctm1 and the current sum ct. */
static double bound(const struct lw_cusum_opts *o, double m, double ctm1, double ct)
{
	double h = o->h, k = o->k, v;

	switch (o->trans) {
	case LW_CUSUM_ROSSI:
		return 2 * h * sqrt(m) + 2 * k * sqrt(m) - 2 * ctm1 * sqrt(m) + 5 * m -
		       2 * sqrt(4 * m * m + 2 * pow(m, 1.5) * h + 2 * pow(m, 1.5) * k -
				2 * pow(m, 1.5) * ctm1);
	case LW_CUSUM_ANSCOMBE:
		v = 2.0 / 3 * pow(m, 1.0 / 6) * (h + k - ctm1) + pow(m, 2.0 / 3);
		return isnan(v) ? NAN : v < 0 ? 0 : pow(v, 1.5);
	case LW_CUSUM_ANSCOMBE2ND:
		v = 2.0 / 3 * pow(m, 1.0 / 6) * (h + k - ctm1) +
		    (pow(m, 2.0 / 3) - pow(m, 1.0 / 3) / 9);
		return isnan(v) ? NAN : v < 0 ? 0 : pow(v, 1.5);
	case LW_CUSUM_PEARSON_NB:
		return sqrt(m + o->alpha * m * m) * (h + k - ctm1) + m;
	case LW_CUSUM_NONE:
		return h - ct;
	case LW_CUSUM_STANDARD:
	default:
		return ceil(sqrt(m) * (h + k - ctm1) + m);
	}
}

int lw_cusum(const double *counts, size_t n, size_t from, size_t to,
	     const struct lw_cusum_opts *o, struct lw_detect_result *out, struct lw_err *err)
{
	double m, s = 0;
	int rc;

	if ((rc = lw_detect_check_range(n, from, to, err)))
		return rc;
	if (isnan(o->k) || isnan(o->h))
		return lw_err_set(err, LW_EINVAL, "CUSUM k and h must be numbers");
	if (o->m_given)
		m = o->m;
	else /* R: mean(observed[1:(range[1]-1)]); 1:0 selects observed[1] */
		m = lw_r_mean(counts, from == 0 ? 1 : from);
	if ((rc = lw_detect_result_alloc(out, to - from + 1, err)))
		return rc;
	for (size_t t = from; t <= to; t++) {
		size_t i = t - from;
		double ctm1 = s, ub;

		s = lw_r_pmax(0, s + (standardise(o, counts[t], m) - o->k));
		out->alarm[i] = isnan(s) ? LW_ALARM_NA : s >= o->h ? LW_ALARM_YES : LW_ALARM_NO;
		ub = bound(o, m, ctm1, s);
		out->upperbound[i] = (isnan(ub) || ub < 0) ? 0 : ub;
		out->expected[i] = m;
		if (o->reset && out->alarm[i] == LW_ALARM_YES)
			s = 0;
	}
	return 0;
}
