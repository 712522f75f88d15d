/*
 * distrib.h — the few probability functions the detectors need, written to
 * agree with R's nmath (qnorm is AS 241 exactly as R implements it; the
 * discrete quantiles use R's definition: smallest x with F(x) >= p).
 *
 * Why not a library: Debian's libgsl has no negative-binomial quantile and
 * its qnorm is a different algorithm (differences in the last bits would
 * move Farrington bounds by more than we want to explain); Rmath is not
 * packaged as a standalone library in Debian 12.  These are ~200 lines.
 *
 * All functions are pure and thread-safe; NaN in, NaN out.
 */
#ifndef LW_DETECT_DISTRIB_H
#define LW_DETECT_DISTRIB_H

/* Normal quantile: qnorm(p, mu, sigma), lower tail. */
double lw_qnorm(double p, double mu, double sigma);

/* Regularised incomplete beta I_x(a, b), a, b > 0, 0 <= x <= 1. */
double lw_pbeta(double x, double a, double b);

/* Two-sided p-value of a Student t statistic: 2 * pt(-|t|, df). */
double lw_pt_two_sided(double t, double df);

/* Poisson CDF P(X <= x), lambda >= 0. */
double lw_ppois(double x, double lambda);

/* Negative binomial CDF P(X <= x) for R's (size, prob) parametrisation. */
double lw_pnbinom(double x, double size, double prob);

/* Quantiles: smallest integer x with F(x) >= p (R's qpois / qnbinom). */
double lw_qpois(double p, double lambda);
double lw_qnbinom(double p, double size, double prob);

#endif
