/*
 * farrington.c — Farrington flexible (Noufaily et al. 2013) as
 * surveillance::farringtonFlexible 1.20.3 computes it, for series without
 * dates (periods 1..n, R's epochAsDate = FALSE) and without population
 * offset.
 *
 * For each period k: the reference values are the windows k-i*freq +/- w
 * (i = 1..b) and, with noPeriods > 1, the stretches between them cut into
 * noPeriods-1 seasonal factor levels (R's blocks(), including its handling
 * of empty blocks); the last pastWeeksNotIncluded+1 periods are left out.
 * A quasi-Poisson GLM (glm.c) with time trend is fitted, refitted with
 * Anscombe-residual weights, and the trend is kept only if significant, b >=
 * 3 and the prediction does not extrapolate past the largest reference
 * count.  The bound is the delta-method one (power transform 2/3, 1/2,
 * none) or a negative-binomial / Poisson quantile (nbPlugin, muan).  A
 * bound needs at least limit54[1] cases in the last limit54[2] periods.
 *
 * Index conventions follow R (1-based) inside this file so that the code can
 * be read side by side with R's.
 */
#include "detect/detect.h"
#include "detect/detect_int.h"
#include "detect/distrib.h"
#include "detect/glm.h"
#include "detect/rsem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void lw_farrington_opts_init(struct lw_farrington_opts *o, unsigned freq)
{
	o->freq = freq;
	o->b = 5;
	o->w = 3;
	o->reweight = 1;
	o->weights_threshold = 2.58;
	o->trend = 1;
	o->p_threshold_trend = 0.05;
	o->limit54_cases = 5;
	o->limit54_periods = 4;
	o->powertrans = LW_POW_2_3;
	o->no_periods = 1;
	o->past_weeks_not_included = -1;
	o->threshold_method = LW_THR_DELTA;
	o->alpha = 0.05;
}

static int check_opts(const struct lw_farrington_opts *o, struct lw_err *err)
{
	if (o->freq < 2)
		return lw_err_set(err, LW_EINVAL, "Farrington needs freq >= 2 (12 monthly, 52 weekly)");
	if (o->b < 1)
		return lw_err_set(err, LW_EINVAL, "Farrington b must be >= 1");
	if (o->w >= o->freq)
		return lw_err_set(err, LW_EINVAL, "Farrington w (%u) must be smaller than freq (%u)",
				  o->w, o->freq);
	if (o->no_periods < 1 || o->no_periods > LW_GLM_MAXP - 2)
		return lw_err_set(err, LW_EINVAL, "Farrington noPeriods must be 1..%d", LW_GLM_MAXP - 2);
	if (o->limit54_periods < 1 || !(o->limit54_cases >= 0))
		return lw_err_set(err, LW_EINVAL,
				  "The limit54 arguments are out of bounds: cases >= 0 and period > 0.");
	if (!(o->alpha > 0 && o->alpha < 1))
		return lw_err_set(err, LW_EINVAL, "Farrington alpha must be in (0, 1)");
	return 0;
}

int lw_farrington_default_range(size_t n, const struct lw_farrington_opts *o, size_t *from,
				size_t *to, struct lw_err *err)
{
	int rc = check_opts(o, err);
	size_t f;

	if (rc)
		return rc;
	f = (size_t)o->freq * o->b + o->w;
	if (n <= f)
		return lw_err_set(err, LW_EINVAL,
				  "Farrington with freq %u, b %u, w %u needs more than %zu periods, the "
				  "series has %zu",
				  o->freq, o->b, o->w, f, n);
	*from = f;
	*to = n - 1;
	return 0;
}

/* R's `v[a:b] <- val` on v[1..n] (0 = NA): a:b may run downwards, index 0
 * is ignored, mixing negative and positive indices is R's error. */
static int r_assign(int *v, long n, long a, long b, int val)
{
	long lo = a < b ? a : b, hi = a < b ? b : a;

	if (lo < 0 && hi > 0)
		return -1;
	for (long i = lo; i <= hi; i++)
		if (i >= 1 && i <= n)
			v[i] = val;
	return 0;
}

/* R's blocks(): seasonal factor of each period for evaluating period k. */
static int blocks(int *vf, long n, long k, const struct lw_farrington_opts *o)
{
	long w = o->w, p = o->no_periods, freq = o->freq;

	for (long i = 0; i <= n; i++)
		vf[i] = 0;
	if (r_assign(vf, n, k - w, k, (int)p))
		return -1;
	for (long i = 1; i <= (long)o->b; i++) {
		long ref_prev = k - (i - 1) * freq, ref = k - i * freq;
		if (r_assign(vf, n, ref - w, ref + w, (int)p))
			return -1;
		if (p == 1)
			continue;
		long period = ref_prev - 2 * w - 1 - ref;
		if (period < p - (2 * w + 1))
			return -2;
		long len = period / (p - 1), rest = period % (p - 1);
		if (rest < 0) { /* R's %/% and %% floor */
			rest += p - 1;
			len -= 1;
		}
		long cum = 0;
		for (long j = 1; j <= p - 1; j++) {
			long lj = len + (j <= rest ? 1 : 0);
			if (r_assign(vf, n, ref + w + 1 + cum, ref + w + 1 + cum + lj - 1, (int)j))
				return -1;
			cum += lj;
		}
	}
	return 0;
}

/* The reference data of one period: GLM design and response. */
struct refdata {
	size_t m;     /* rows */
	size_t p;     /* columns: intercept, wtime, factor dummies */
	double *X;    /* m x LW_GLM_MAXP, row-major with stride pmax */
	double *y;
	double *wtime;
	int *level;   /* seasonal level of each row */
	int levels[LW_GLM_MAXP]; /* distinct levels present, ascending */
	size_t nlevels;
};

/* Build X for the model with or without the trend into Xout (m x p). */
static size_t design(const struct refdata *d, int trend, double *Xout)
{
	size_t p = 1 + (trend ? 1 : 0) + (d->nlevels > 1 ? d->nlevels - 1 : 0);

	for (size_t i = 0; i < d->m; i++) {
		double *r = Xout + i * p;
		size_t c = 0;
		r[c++] = 1;
		if (trend)
			r[c++] = d->wtime[i];
		for (size_t l = 1; l < d->nlevels; l++)
			r[c++] = d->level[i] == d->levels[l];
	}
	return p;
}

/* Covariates of the period being evaluated (wtime k, level noPeriods). */
static void newdata(const struct refdata *d, int trend, long k, int level, double *x0)
{
	size_t c = 0;

	x0[c++] = 1;
	if (trend)
		x0[c++] = (double)k;
	for (size_t l = 1; l < d->nlevels; l++)
		x0[c++] = level == d->levels[l];
}

struct model {
	struct lw_glm glm;
	int trend;
	double phi;
};

/* R's algo.farrington.fitGLM.flexible.  Returns 1 with a model, 0 for NULL
 * (no convergence), negative on error. */
static int fit_flexible(const struct refdata *d, int trend, const struct lw_farrington_opts *o,
			double *X, double *mu, double *hat, double *omega, struct model *mod)
{
	size_t p = design(d, trend, X);
	int rc = lw_glm_quasipoisson(X, d->m, p, d->y, NULL, &mod->glm, mu, hat);

	if (rc)
		return rc;
	mod->trend = trend;
	if (!mod->glm.converged) {
		if (trend) {
			p = design(d, 0, X);
			mod->trend = 0;
			if ((rc = lw_glm_quasipoisson(X, d->m, p, d->y, NULL, &mod->glm, mu, hat)))
				return rc;
		}
		if (!mod->glm.converged)
			return 0;
	}
	mod->phi = lw_r_pmax(mod->glm.dispersion, 1);
	if (o->reweight) {
		/* Anscombe residuals and Farrington's weights */
		double thr = o->weights_threshold, sum = 0, gamma;
		for (size_t i = 0; i < d->m; i++) {
			double a = 1.5 * (pow(d->y[i], 2.0 / 3) * pow(mu[i], -1.0 / 6) - sqrt(mu[i]));
			omega[i] = a / sqrt(mod->phi * (1 - hat[i]));
		}
		for (size_t i = 0; i < d->m; i++)
			sum += omega[i] > thr ? pow(omega[i], -2) : 1;
		gamma = (double)d->m / sum;
		for (size_t i = 0; i < d->m; i++)
			omega[i] = omega[i] > thr ? gamma * pow(omega[i], -2) : gamma;
		if ((rc = lw_glm_quasipoisson(X, d->m, p, d->y, omega, &mod->glm, mu, hat)))
			return rc;
		mod->phi = lw_r_pmax(mod->glm.dispersion, 1);
		/*
		 * R then sets model$weights <- omega, overwriting the working
		 * weights (omega * mu) with the prior ones.  Every later
		 * summary.glm() / predict.glm() on the model (trend p-value, se of
		 * the prediction) therefore uses sum(omega ((y - mu) / mu)^2) / df
		 * as dispersion.  phi (above) is unaffected.  We reproduce it.
		 */
		double s2 = 0;
		for (size_t i = 0; i < d->m; i++) {
			double r = (d->y[i] - mu[i]) / mu[i];
			if (omega[i] > 0)
				s2 += omega[i] * r * r;
		}
		mod->glm.dispersion = mod->glm.df_resid > 0 ? s2 / mod->glm.df_resid : NAN;
	}
	return 1;
}

/* One evaluation point (R's k, 1-based).  Fills expected, upper, alarm. */
static int evaluate(const double *x, long n, long k, const struct lw_farrington_opts *o,
		    int *vf, struct refdata *d, double *X, double *mu, double *hat, double *omega,
		    double z, double *expected, double *upper, signed char *alarm,
		    struct lw_err *err)
{
	struct model mod;
	long pw = o->past_weeks_not_included < 0 ? (long)o->w : o->past_weeks_not_included;
	int rc, level_now = (int)o->no_periods;

	if (k - (long)o->b * (long)o->freq < 1)
		return lw_err_set(err, LW_EINVAL,
				  "period %ld: some reference time points did not exist; decrease b "
				  "or postpone the range",
				  k);
	rc = blocks(vf, n, k, o);
	if (rc == -2)
		return lw_err_set(err, LW_EINVAL, "noPeriods %u: number of factors too big",
				  o->no_periods);
	if (rc || r_assign(vf, n, k - pw, k, 0))
		return lw_err_set(err, LW_EINVAL,
				  "period %ld: the windows reach before the first period; postpone "
				  "the range",
				  k);
	d->m = 0;
	d->nlevels = 0;
	for (long i = 1; i <= n; i++) {
		if (!vf[i] || isnan(x[i - 1]))
			continue;
		d->y[d->m] = x[i - 1];
		d->wtime[d->m] = (double)i;
		d->level[d->m] = vf[i];
		d->m++;
		size_t l;
		for (l = 0; l < d->nlevels && d->levels[l] != vf[i]; l++)
			;
		if (l == d->nlevels)
			d->levels[d->nlevels++] = vf[i];
	}
	/* factor levels sort ascending; the first is the baseline */
	for (size_t a = 1; a < d->nlevels; a++)
		for (size_t b = a; b > 0 && d->levels[b - 1] > d->levels[b]; b--) {
			int t = d->levels[b];
			d->levels[b] = d->levels[b - 1];
			d->levels[b - 1] = t;
		}
	*expected = NAN;
	*upper = NAN;
	*alarm = LW_ALARM_NA;
	if (d->m == 0)
		return 0;

	rc = fit_flexible(d, o->trend, o, X, mu, hat, omega, &mod);
	if (rc < 0)
		return lw_err_set(err, rc, "out of memory in the GLM");
	if (rc == 0)
		return 0; /* R: no convergence, NA */
	double x0[LW_GLM_MAXP], eta0, se0;
	if (mod.trend) {
		newdata(d, 1, k, level_now, x0);
		lw_glm_predict_link(&mod.glm, x0, &eta0, &se0);
		double fit = exp(eta0) > 2.220446049250313e-16 ? exp(eta0) : 2.220446049250313e-16;
		double pval = lw_glm_coef_pvalue(&mod.glm, 1), ymax = 0;
		for (size_t i = 0; i < d->m; i++)
			ymax = d->y[i] > ymax ? d->y[i] : ymax;
		int do_trend = o->b >= 3 && pval < o->p_threshold_trend && fit <= ymax;
		if (!do_trend) {
			rc = fit_flexible(d, 0, o, X, mu, hat, omega, &mod);
			if (rc < 0)
				return lw_err_set(err, rc, "out of memory in the GLM");
			if (rc == 0)
				return 0;
		}
	}
	newdata(d, mod.trend, k, level_now, x0);
	lw_glm_predict_link(&mod.glm, x0, &eta0, &se0);

	double y = x[k - 1], ub = NAN, pred;
	if (o->threshold_method == LW_THR_DELTA) {
		double mu0 = exp(eta0) > 2.220446049250313e-16 ? exp(eta0) : 2.220446049250313e-16;
		double se_mu = se0 * mu0, tau = mod.phi + se_mu * se_mu / mu0, se, e;
		switch (o->powertrans) {
		case LW_POW_NONE:
			se = sqrt(mu0 * tau), e = 1;
			break;
		case LW_POW_1_2:
			se = sqrt(0.25 * tau), e = 0.5;
			break;
		default:
			se = sqrt(4.0 / 9 * pow(mu0, 1.0 / 3) * tau), e = 2.0 / 3;
		}
		double lo = pow(pow(mu0, e) - z * se, 1 / e), hi = pow(pow(mu0, e) + z * se, 1 / e);
		/* R: sort(c(lo, hi), na.last = FALSE)[2] */
		ub = isnan(lo) ? hi : isnan(hi) ? lo : (lo > hi ? lo : hi);
		pred = mu0;
	} else {
		double mq = o->threshold_method == LW_THR_NBPLUGIN ? exp(eta0) : exp(eta0 + se0 * z);
		if (isinf(mq))
			ub = NAN;
		else if (mod.phi > 1)
			ub = lw_qnbinom(1 - o->alpha, mq / (mod.phi - 1), 1 / mod.phi);
		else
			ub = lw_qpois(1 - o->alpha, mq);
		pred = eta0; /* R scores against the linear predictor here */
	}
	double score = isnan(ub) ? NAN : (y - pred) / (ub - pred);

	/* enough cases: sum of the last limit54[2] periods >= limit54[1] */
	long a = k - (long)o->limit54_periods + 1;
	double sum = 0;
	for (long i = a < 1 ? 1 : a; i <= k; i++)
		sum += x[i - 1];
	int enough = isnan(sum) ? -1 : sum >= o->limit54_cases;
	if (enough != 1) {
		*alarm = LW_ALARM_NO; /* X is NA: !is.na(X) && ... is FALSE */
		*upper = NAN;
		*expected = NAN;
		return 0;
	}
	*upper = ub;
	if (isnan(score) || !(score > 1))
		*alarm = LW_ALARM_NO;
	else
		*alarm = isnan(y) ? LW_ALARM_NA : y != 0 ? LW_ALARM_YES : LW_ALARM_NO;
	if (!isnan(ub))
		*expected = o->threshold_method == LW_THR_DELTA ? pred : exp(pred);
	return 0;
}

int lw_farrington(const double *counts, size_t n, size_t from, size_t to,
		  const struct lw_farrington_opts *o, struct lw_detect_result *out,
		  struct lw_err *err)
{
	struct refdata d = {0};
	int *vf = NULL, rc;
	double *X = NULL, *mu = NULL, *hat = NULL, *omega = NULL, z;

	if ((rc = check_opts(o, err)) || (rc = lw_detect_check_range(n, from, to, err)))
		return rc;
	if ((rc = lw_detect_result_alloc(out, to - from + 1, err)))
		return rc;
	vf = malloc((n + 1) * sizeof *vf);
	X = malloc(n * LW_GLM_MAXP * sizeof *X);
	mu = malloc(n * sizeof *mu);
	hat = malloc(n * sizeof *hat);
	omega = malloc(n * sizeof *omega);
	d.y = malloc(n * sizeof *d.y);
	d.wtime = malloc(n * sizeof *d.wtime);
	d.level = malloc(n * sizeof *d.level);
	if (!vf || !X || !mu || !hat || !omega || !d.y || !d.wtime || !d.level) {
		rc = lw_err_set(err, LW_ENOMEM, "out of memory for Farrington on %zu periods", n);
		goto out;
	}
	z = lw_qnorm(1 - o->alpha, 0, 1);
	for (size_t t = from; t <= to; t++) {
		size_t i = t - from;
		rc = evaluate(counts, (long)n, (long)t + 1, o, vf, &d, X, mu, hat, omega, z,
			      &out->expected[i], &out->upperbound[i], &out->alarm[i], err);
		if (rc)
			goto out;
	}
out:
	if (rc)
		lw_detect_result_free(out);
	free(vf), free(X), free(mu), free(hat), free(omega);
	free(d.y), free(d.wtime), free(d.level);
	return rc;
}
