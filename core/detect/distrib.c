/*
 * distrib.c — normal quantile, incomplete beta/gamma and the Poisson and
 * negative-binomial CDFs and quantiles used by the detectors (see distrib.h
 * for why these are not taken from a library).
 */
#include "detect/distrib.h"

#include <float.h>
#include <math.h>

/* AS 241 (Wichura 1988), PPND16, as in R's nmath/qnorm.c. */
double lw_qnorm(double p, double mu, double sigma)
{
	double q, r, val;

	if (isnan(p) || isnan(mu) || isnan(sigma))
		return p + mu + sigma;
	if (p < 0 || p > 1 || sigma < 0)
		return NAN;
	if (p == 0)
		return -INFINITY;
	if (p == 1)
		return INFINITY;
	if (sigma == 0)
		return mu;
	q = p - 0.5;
	if (fabs(q) <= .425) {
		r = .180625 - q * q;
		val = q * (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r +
				67265.770927008700853) * r + 45921.953931549871457) * r +
			      13731.693765509461125) * r + 1971.5909503065514427) * r +
			    133.14166789178437745) * r + 3.387132872796366608) /
		      (((((((r * 5226.495278852545925 + 28729.085735721942674) * r +
			    39307.89580009271061) * r + 21213.794301586595867) * r +
			  5394.1960214247511077) * r + 687.1870074920579083) * r +
			42.313330701600911252) * r + 1.);
		return mu + sigma * val;
	}
	r = q < 0 ? p : 1 - p;
	r = sqrt(-log(r));
	if (r <= 5.) {
		r += -1.6;
		val = (((((((r * 7.7454501427834140764e-4 + .0227238449892691845833) * r +
			    .24178072517745061177) * r + 1.27045825245236838258) * r +
			  3.64784832476320460504) * r + 5.7694972214606914055) * r +
			4.6303378461565452959) * r + 1.42343711074968357734) /
		      (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r +
			    .0151986665636164571966) * r + .14810397642748007459) * r +
			  .68976733498510000455) * r + 1.6763848301838038494) * r +
			2.05319162663775882187) * r + 1.);
	} else {
		r += -5.;
		val = (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r +
			    .0012426609473880784386) * r + .026532189526576123093) * r +
			  .29656057182850489123) * r + 1.7848265399172913358) * r +
			5.4637849111641143699) * r + 6.6579046435011037772) /
		      (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r +
			    1.8463183175100546818e-5) * r + 7.868691311456132591e-4) * r +
			  .0148753612908506148525) * r + .13692988092273580531) * r +
			.59983220655588793769) * r + 1.);
	}
	if (q < 0.0)
		val = -val;
	return mu + sigma * val;
}

/* Continued fraction of the incomplete beta (modified Lentz). */
static double betacf(double a, double b, double x)
{
	const double tiny = 1e-300, eps = 1e-16;
	double qab = a + b, qap = a + 1, qam = a - 1;
	double c = 1, d = 1 - qab * x / qap, h;

	if (fabs(d) < tiny)
		d = tiny;
	d = 1 / d;
	h = d;
	for (int m = 1; m <= 200000; m++) {
		int m2 = 2 * m;
		double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
		d = 1 + aa * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1 / d;
		h *= d * c;
		aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
		d = 1 + aa * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1 / d;
		double del = d * c;
		h *= del;
		if (fabs(del - 1) < eps)
			break;
	}
	return h;
}

double lw_pbeta(double x, double a, double b)
{
	double lbt;

	if (isnan(x) || isnan(a) || isnan(b) || a <= 0 || b <= 0)
		return NAN;
	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	lbt = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
	if (x < (a + 1) / (a + b + 2))
		return exp(lbt) * betacf(a, b, x) / a;
	return 1 - exp(lbt) * betacf(b, a, 1 - x) / b;
}

double lw_pt_two_sided(double t, double df)
{
	if (isnan(t) || isnan(df) || df <= 0)
		return NAN;
	if (isinf(t))
		return 0;
	return lw_pbeta(df / (df + t * t), df / 2, 0.5);
}

/* Regularised lower incomplete gamma P(a, x). */
static double pgamma_lower(double a, double x)
{
	double lpre;

	if (x <= 0)
		return 0;
	lpre = a * log(x) - x - lgamma(a);
	if (x < a + 1) { /* series */
		double ap = a, sum = 1 / a, del = sum;
		for (int n = 0; n < 100000; n++) {
			ap += 1;
			del *= x / ap;
			sum += del;
			if (fabs(del) < fabs(sum) * 1e-17)
				break;
		}
		return sum * exp(lpre);
	}
	/* continued fraction for Q, Lentz */
	double b = x + 1 - a, c = 1 / 1e-300, d = 1 / b, h = d;
	for (int i = 1; i < 100000; i++) {
		double an = -i * (i - a);
		b += 2;
		d = an * d + b;
		if (fabs(d) < 1e-300)
			d = 1e-300;
		c = b + an / c;
		if (fabs(c) < 1e-300)
			c = 1e-300;
		d = 1 / d;
		double del = d * c;
		h *= del;
		if (fabs(del - 1) < 1e-16)
			break;
	}
	return 1 - exp(lpre) * h;
}

double lw_ppois(double x, double lambda)
{
	if (isnan(x) || isnan(lambda) || lambda < 0)
		return NAN;
	if (x < 0)
		return 0;
	if (lambda == 0)
		return 1;
	x = floor(x + 1e-7);
	return 1 - pgamma_lower(x + 1, lambda);
}

double lw_pnbinom(double x, double size, double prob)
{
	if (isnan(x) || isnan(size) || isnan(prob) || prob <= 0 || prob > 1 || size < 0)
		return NAN;
	if (x < 0)
		return 0;
	if (size == 0 || prob == 1)
		return 1;
	x = floor(x + 1e-7);
	return lw_pbeta(prob, size, x + 1);
}

/* Smallest y >= 0 with cdf(y) >= p, starting the search at guess. */
static double discrete_search(double p, double guess, double (*cdf)(double, double, double),
			      double a1, double a2)
{
	double y = guess < 0 ? 0 : guess;

	p *= 1 - 64 * DBL_EPSILON; /* R's fuzz for left continuity */
	if (cdf(y, a1, a2) >= p) {
		while (y > 0 && cdf(y - 1, a1, a2) >= p)
			y -= 1;
	} else {
		do
			y += 1;
		while (cdf(y, a1, a2) < p);
	}
	return y;
}

static double ppois2(double x, double lambda, double unused)
{
	(void)unused;
	return lw_ppois(x, lambda);
}

double lw_qpois(double p, double lambda)
{
	double sigma, gamma, z;

	if (isnan(p) || isnan(lambda) || lambda < 0 || p < 0 || p > 1)
		return NAN;
	if (lambda == 0 || p == 0)
		return 0;
	if (p == 1 || isinf(lambda))
		return INFINITY;
	sigma = sqrt(lambda);
	gamma = 1.0 / sigma;
	z = lw_qnorm(p, 0, 1);
	return discrete_search(p, floor(lambda + sigma * (z + gamma * (z * z - 1) / 6) + 0.5),
			       ppois2, lambda, 0);
}

double lw_qnbinom(double p, double size, double prob)
{
	double Q, P, mu, sigma, gamma, z;

	if (isnan(p) || isnan(size) || isnan(prob) || prob <= 0 || prob > 1 || size < 0 ||
	    p < 0 || p > 1)
		return NAN;
	if (prob == 1 || size == 0 || p == 0)
		return 0;
	if (p == 1)
		return INFINITY;
	Q = 1.0 / prob;
	P = (1.0 - prob) * Q;
	mu = size * P;
	sigma = sqrt(size * P * Q);
	gamma = (Q + P) / sigma;
	z = lw_qnorm(p, 0, 1);
	return discrete_search(p, floor(mu + sigma * (z + gamma * (z * z - 1) / 6) + 0.5),
			       lw_pnbinom, size, prob);
}
