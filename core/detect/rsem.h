/*
 * rsem.h — R's arithmetic semantics the detectors rely on, so that NA
 * (NaN here) propagates exactly where it does in R: pmax()/max() return NA
 * when an argument is NA (C's fmax would drop it), mean() and sd() are
 * computed as R's summary.c / cov.c do (long double, two passes).
 * Internal to core/detect.
 */
#ifndef LW_DETECT_RSEM_H
#define LW_DETECT_RSEM_H

#include <math.h>
#include <stddef.h>

/* R's pmax(a, b) / max(a, b) for one pair: NA if either is NA. */
static inline double lw_r_pmax(double a, double b)
{
	if (isnan(a) || isnan(b))
		return NAN;
	return a > b ? a : b;
}

/* R's mean(x): long-double sum, then one refinement pass. */
static inline double lw_r_mean(const double *x, size_t n)
{
	long double s = 0, t;

	for (size_t i = 0; i < n; i++)
		s += x[i];
	s /= (long double)n;
	if (isfinite((double)s)) {
		t = 0;
		for (size_t i = 0; i < n; i++)
			t += x[i] - s;
		s += t / (long double)n;
	}
	return (double)s;
}

/* R's sd(x): sqrt of var with denominator n-1; NA for n < 2 or any NA. */
static inline double lw_r_sd(const double *x, size_t n)
{
	long double m, s = 0;

	if (n < 2)
		return NAN;
	m = lw_r_mean(x, n);
	if (isnan((double)m))
		return NAN;
	for (size_t i = 0; i < n; i++)
		s += (x[i] - m) * (x[i] - m);
	return sqrt((double)(s / (long double)(n - 1)));
}

#endif
