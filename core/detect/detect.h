/*
 * core/detect/: the statistical detectors (EARS, Farrington, CUSUM) on a
 * count series, checked against R's surveillance package.
 *
 * detect.h — outbreak / rise detectors on a count series, matching R's
 * `surveillance` package 1.20.3 (earsC, farringtonFlexible, algo.cusum).
 *
 * Every detector is a pure function of a series: no I/O, no globals, safe to
 * call from several threads at once.  The series is an array of counts, one
 * per period, regularly spaced (month, week...), index 0 = oldest period.
 * A count may be NaN for "no data" (R's NA); the methods treat it as R does.
 *
 * Indices `from` and `to` are 0-based and inclusive: the detector evaluates
 * periods from..to (R's control$range is from+1..to+1).  The result arrays
 * hold to-from+1 entries, entry i for period from+i.
 *
 * Ownership: on success the detector allocates out->expected, out->upperbound
 * and out->alarm with malloc; the caller owns them and releases them with
 * lw_detect_result_free().  On failure *out is left empty (all NULL) and
 * *err (if not NULL) names the problem.
 */
#ifndef LW_DETECT_H
#define LW_DETECT_H

#include <stddef.h>

#include "base/err.h"

/* Alarm values.  LW_ALARM_NA is where R's alarm is NA (no bound could be
 * computed, e.g. the Farrington GLM did not converge). */
#define LW_ALARM_NO 0
#define LW_ALARM_YES 1
#define LW_ALARM_NA (-1)

struct lw_detect_result {
	size_t n;               /* to - from + 1 */
	double *expected;       /* method's expected count; NaN = NA */
	double *upperbound;     /* alarm threshold; NaN = NA */
	signed char *alarm;     /* LW_ALARM_NO / LW_ALARM_YES / LW_ALARM_NA */
};

/* Free the arrays of *r (not r itself) and zero it.  NULL-safe. */
void lw_detect_result_free(struct lw_detect_result *r);

/* ---- EARS C1 / C2 / C3 (surveillance::earsC) ---------------------------- */

enum lw_ears_method { LW_EARS_C1 = 1, LW_EARS_C2 = 2, LW_EARS_C3 = 3 };

struct lw_ears_opts {
	enum lw_ears_method method;
	unsigned baseline; /* reference periods, >= 3; R default 7 */
	double alpha;      /* R default 0.001 for C1/C2, 0.025 for C3 */
	double min_sigma;  /* floor of the standard deviation, >= 0; default 0 */
};

/* Fill *o with R's defaults for `method`. */
void lw_ears_opts_init(struct lw_ears_opts *o, enum lw_ears_method method);

/* R's default range: from = baseline (C1), baseline+2 (C2), baseline+4 (C3)
 * (0-based), to = n-1.  Returns LW_EINVAL when the series is too short. */
int lw_ears_default_range(size_t n, const struct lw_ears_opts *o, size_t *from,
			  size_t *to, struct lw_err *err);

/* Evaluate EARS on counts[0..n-1] for periods from..to.  expected is the
 * baseline mean (C1, C2) or NA (C3, which R defines as a bound only).
 * Errors: LW_EINVAL (bad option, range outside the series or too early for
 * the baseline), LW_ENOMEM. */
int lw_ears(const double *counts, size_t n, size_t from, size_t to,
	    const struct lw_ears_opts *o, struct lw_detect_result *out,
	    struct lw_err *err);

/* ---- Poisson CUSUM (surveillance::algo.cusum) -------------------------- */

enum lw_cusum_trans {
	LW_CUSUM_STANDARD,    /* (x - m) / sqrt(m)            (R default) */
	LW_CUSUM_ROSSI,       /* Rossi's approximate normal transform */
	LW_CUSUM_ANSCOMBE,    /* Anscombe residual */
	LW_CUSUM_ANSCOMBE2ND, /* second-order Anscombe */
	LW_CUSUM_PEARSON_NB,  /* (x - m) / sqrt(m + alpha m^2) */
	LW_CUSUM_NONE,        /* raw counts */
};

struct lw_cusum_opts {
	double k;         /* reference value, R default 1.04 */
	double h;         /* decision interval, R default 2.26 */
	int m_given;      /* 0: m = mean of counts[0..from-1] (R's m = NULL) */
	double m;         /* the in-control mean when m_given */
	enum lw_cusum_trans trans;
	double alpha;     /* negative-binomial dispersion for PEARSON_NB; 0.1 */
	int reset;        /* litwatch extension: the sum restarts at 0 after an
			     alarm (R never resets); default 0 */
};

void lw_cusum_opts_init(struct lw_cusum_opts *o);

/* Evaluate the CUSUM over from..to (R's range; the in-control mean is taken
 * from counts[0..from-1], or counts[0] when from = 0, as R does).
 * expected = m.  upperbound is R's: the smallest count that would alarm
 * (standard: ceiling), never NA (R sets NA/negative bounds to 0).
 * Errors: LW_EINVAL, LW_ENOMEM. */
int lw_cusum(const double *counts, size_t n, size_t from, size_t to,
	     const struct lw_cusum_opts *o, struct lw_detect_result *out,
	     struct lw_err *err);

/* ---- Farrington flexible (surveillance::farringtonFlexible) ------------ */

enum lw_farr_powertrans { LW_POW_2_3, LW_POW_1_2, LW_POW_NONE };
enum lw_farr_threshold { LW_THR_DELTA, LW_THR_NBPLUGIN, LW_THR_MUAN };

struct lw_farrington_opts {
	unsigned freq;              /* periods per year: 12, 52, ... */
	unsigned b;                 /* years back, R default 5 */
	unsigned w;                 /* half window, R default 3; < freq */
	int reweight;               /* default 1 */
	double weights_threshold;   /* default 2.58 */
	int trend;                  /* default 1 */
	double p_threshold_trend;   /* default 0.05 */
	double limit54_cases;       /* default 5 */
	unsigned limit54_periods;   /* default 4 */
	enum lw_farr_powertrans powertrans; /* default 2/3 */
	unsigned no_periods;        /* default 1 */
	int past_weeks_not_included; /* -1 = R's NULL = w */
	enum lw_farr_threshold threshold_method; /* default delta */
	double alpha;               /* default 0.05 */
};

void lw_farrington_opts_init(struct lw_farrington_opts *o, unsigned freq);

/* R's default range: from = freq*b + w (0-based), to = n-1. */
int lw_farrington_default_range(size_t n, const struct lw_farrington_opts *o,
				size_t *from, size_t *to, struct lw_err *err);

/* Evaluate Farrington flexible over from..to.  Needs from >= freq*b (the
 * oldest reference period exists) and from >= freq*b + w - 1 (R's window
 * indexing).  expected is R's control$expected (NA when no bound).
 * Errors: LW_EINVAL, LW_ENOMEM. */
int lw_farrington(const double *counts, size_t n, size_t from, size_t to,
		  const struct lw_farrington_opts *o, struct lw_detect_result *out,
		  struct lw_err *err);

#endif
