/*
 * bench_detect.c — the detect benchmark of issue 7: 10,000 monthly series
 * of 10 years, EARS C2 and Farrington flexible (R's defaults) on the last
 * 12 months of each, in one run.  Prints the wall time of each method.
 * Usage: bench_detect [NSERIES]   (default 10000)
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "detect/detect.h"

#define LEN 120

static uint64_t rng = 0x9E3779B97F4A7C15u;

static double unif(void)
{
	rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17; /* xorshift64 */
	return (double)(rng >> 11) / 9007199254740992.0;
}

static double rpois(double mu)
{
	double l = exp(-mu), p = 1;
	int k = 0;

	do {
		k++;
		p *= unif();
	} while (p > l);
	return k - 1;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	size_t nser = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000;
	double *x = malloc(nser * LEN * sizeof *x), t0, t_ears, t_farr;
	struct lw_ears_opts eo;
	struct lw_farrington_opts fo;
	struct lw_detect_result r = {0};
	struct lw_err err = {0};
	long alarms_e = 0, alarms_f = 0, na_f = 0;

	if (!x)
		return 1;
	for (size_t s = 0; s < nser; s++) {
		double level = 0.5 + 40 * unif(), phase = 6.283 * unif();
		for (int t = 0; t < LEN; t++)
			x[s * LEN + t] = rpois(level * exp(0.004 * t + 0.4 * sin(6.283 * t / 12 + phase)));
	}
	lw_ears_opts_init(&eo, LW_EARS_C2);
	lw_farrington_opts_init(&fo, 12);

	t0 = now();
	for (size_t s = 0; s < nser; s++) {
		if (lw_ears(x + s * LEN, LEN, LEN - 12, LEN - 1, &eo, &r, &err))
			return fprintf(stderr, "%s\n", err.msg), 1;
		for (size_t i = 0; i < r.n; i++)
			alarms_e += r.alarm[i] == 1;
		lw_detect_result_free(&r);
	}
	t_ears = now() - t0;

	t0 = now();
	for (size_t s = 0; s < nser; s++) {
		if (lw_farrington(x + s * LEN, LEN, LEN - 12, LEN - 1, &fo, &r, &err))
			return fprintf(stderr, "%s\n", err.msg), 1;
		for (size_t i = 0; i < r.n; i++)
			alarms_f += r.alarm[i] == 1, na_f += isnan(r.upperbound[i]);
		lw_detect_result_free(&r);
	}
	t_farr = now() - t0;

	printf("series %zu x %d months, last 12 evaluated\n", nser, LEN);
	printf("ears-c2     %.3f s  (%.2f us/series, %ld alarms)\n", t_ears, 1e6 * t_ears / nser,
	       alarms_e);
	printf("farrington  %.3f s  (%.1f us/series, %ld alarms, %ld NA bounds)\n", t_farr,
	       1e6 * t_farr / nser, alarms_f, na_f);
	printf("total       %.3f s\n", t_ears + t_farr);
	free(x);
	return 0;
}
