/*
 * glm.h — quasi-Poisson GLM with log link fitted by IRLS exactly as R's
 * glm.fit does it (start mu = y + 0.1, deviance convergence 1e-8, at most
 * 25 iterations, aliased columns dropped by a QR with R's tolerance), plus
 * what Farrington needs from summary.glm / predict.glm / hatvalues.
 * Internal to core/detect.
 */
#ifndef LW_DETECT_GLM_H
#define LW_DETECT_GLM_H

#include <stddef.h>

#define LW_GLM_MAXP 64

struct lw_glm {
	size_t n, p;
	int converged;
	size_t rank;
	int aliased[LW_GLM_MAXP];
	double beta[LW_GLM_MAXP];          /* NaN where aliased */
	double rinv[LW_GLM_MAXP * LW_GLM_MAXP]; /* R^-1 (rank x rank, row-major) of the
						 last weighted QR, non-aliased columns */
	size_t cols[LW_GLM_MAXP];          /* non-aliased column numbers */
	double dispersion;                 /* summary.glm()$dispersion (NaN if df 0) */
	double df_resid;
};

/* Fit y ~ X (n x p, row-major; column 0 is the intercept) with prior weights
 * w (NULL = 1).  mu (n) receives the fitted values, hat (n, may be NULL) the
 * hat values of the final weighted QR.  Returns 0, or LW_ENOMEM / LW_EINVAL
 * (p too large).  Non-convergence is not an error: see fit->converged. */
int lw_glm_quasipoisson(const double *X, size_t n, size_t p, const double *y, const double *w,
			struct lw_glm *fit, double *mu, double *hat);

/* predict.glm(se.fit = TRUE) at covariates x0 (p values): linear predictor
 * and its standard error (scaled by sqrt(dispersion)). */
void lw_glm_predict_link(const struct lw_glm *fit, const double *x0, double *eta, double *se);

/* summary.glm p-value (t test, df_resid) of coefficient j; NaN if aliased. */
double lw_glm_coef_pvalue(const struct lw_glm *fit, size_t j);

#endif
