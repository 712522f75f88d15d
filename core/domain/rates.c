/*
 * rates.c — the official rates in exact integer arithmetic (see rates.h).
 */
#include "domain/rates.h"

#include <stdio.h>
#include <string.h>

int lw_rounding_parse(const char *name, enum lw_rounding *out, struct lw_err *e)
{
	if (name && (strcmp(name, "half-up") == 0 || strcmp(name, "half_up") == 0)) {
		*out = LW_ROUND_HALF_UP;
		return 0;
	}
	if (name && strcmp(name, "truncate") == 0) {
		*out = LW_ROUND_TRUNCATE;
		return 0;
	}
	return lw_err_set(e, LW_EINVAL, "rounding \"%s\": expected half-up or truncate", name ? name : "");
}

const char *lw_rounding_name(enum lw_rounding mode)
{
	return mode == LW_ROUND_TRUNCATE ? "truncate" : "half-up";
}

struct lw_rate lw_rate_percent(long long num, long long den, enum lw_rounding mode)
{
	struct lw_rate r = {0, 0};
	unsigned long long a, q, rem;
	int neg = (num < 0) != (den < 0);

	if (den == 0)
		return r;
	/* |num| * 10000 / |den|, remainder kept for rounding. */
	a = (unsigned long long)(num < 0 ? -num : num) * 10000ULL;
	q = a / (unsigned long long)(den < 0 ? -den : den);
	rem = a % (unsigned long long)(den < 0 ? -den : den);
	if (mode == LW_ROUND_HALF_UP && 2 * rem >= (unsigned long long)(den < 0 ? -den : den))
		q++;
	r.defined = 1;
	r.hundredths = neg ? -(long long)q : (long long)q;
	return r;
}

struct lw_rate lw_loss_rate(long long lost, long long concluded, enum lw_rounding mode)
{
	return lw_rate_percent(lost, concluded, mode);
}

char *lw_rate_format(struct lw_rate r, char *buf, size_t cap)
{
	unsigned long long a;

	if (!r.defined) {
		snprintf(buf, cap, "n/a");
		return buf;
	}
	a = r.hundredths < 0 ? (unsigned long long)(-r.hundredths) : (unsigned long long)r.hundredths;
	snprintf(buf, cap, "%s%llu.%02llu", r.hundredths < 0 ? "-" : "", a / 100, a % 100);
	return buf;
}

static int check(const char *name, long long v, struct lw_err *e)
{
	if (v < 0 || v > LW_RATE_COUNT_MAX)
		return lw_err_set(e, LW_EINVAL, "count %s = %lld out of range 0..%lld", name, v, LW_RATE_COUNT_MAX);
	return 0;
}

int lw_rates_compute(const struct lw_counts *c, enum lw_rounding mode, struct lw_rates *out, struct lw_err *e)
{
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = check("filed", c->filed, e)) || (rc = check("concluded", c->concluded, e)) ||
	    (rc = check("lost", c->lost, e)) || (rc = check("withdrawn", c->withdrawn, e)) ||
	    (rc = check("mediated", c->mediated, e)) || (rc = check("hearings", c->hearings, e)) ||
	    (rc = check("head_attended", c->head_attended, e)) ||
	    (rc = check("filed_prev_year", c->filed_prev_year, e)))
		return rc;
	if (c->lost > c->concluded)
		return lw_err_set(e, LW_EINVAL, "lost (%lld) is more than concluded (%lld)", c->lost, c->concluded);
	if (c->withdrawn + c->mediated > c->concluded)
		return lw_err_set(e, LW_EINVAL, "withdrawn + mediated (%lld) is more than concluded (%lld)",
				  c->withdrawn + c->mediated, c->concluded);
	if (c->head_attended > c->hearings)
		return lw_err_set(e, LW_EINVAL, "head_attended (%lld) is more than hearings (%lld)", c->head_attended,
				  c->hearings);
	out->loss = lw_rate_percent(c->lost, c->concluded, mode);
	out->withdrawn_mediated = lw_rate_percent(c->withdrawn + c->mediated, c->concluded, mode);
	out->head_appearance = lw_rate_percent(c->head_attended, c->hearings, mode);
	out->yoy_filed_growth = lw_rate_percent(c->filed - c->filed_prev_year, c->filed_prev_year, mode);
	return 0;
}
