/*
 * rates.h — the official rates of the "double decrease" (双下降) programme,
 * computed as the justice bureau (司法局) publishes them.
 *
 *   loss rate 败诉率                     = lost ÷ concluded
 *   mediation/withdrawal rate 调撤率      = (withdrawn + mediated) ÷ concluded
 *   head appearance rate 负责人出庭应诉率 = hearings the head attended ÷ hearings
 *   year-over-year growth of filed 发案量同比增长 = (filed − last year) ÷ last year
 *
 * All in percent with 2 decimals, computed in exact integer arithmetic (no
 * floating point): a rate is an integer number of hundredths of a percent.
 * Rounding is half-up (四舍五入) by default, or truncation (截断, as some
 * bulletins publish: Qianjiang 2023, 1 ÷ 36 = 2.777… → 2.78 or 2.77).
 * Negative growth rounds symmetrically: −2.775 → −2.78 half-up, −2.77
 * truncated (half away from zero / toward zero), so a fall and a rise of the
 * same size print the same digits.  A rate over zero cases is undefined and
 * says so (defined = 0), never 0 and never NaN.
 */
#ifndef LW_DOMAIN_RATES_H
#define LW_DOMAIN_RATES_H

#include <stddef.h>

#include "base/err.h"

enum lw_rounding {
	LW_ROUND_HALF_UP = 0, /* 四舍五入, half away from zero */
	LW_ROUND_TRUNCATE,    /* 截断, toward zero */
};

/* "half-up" or "truncate" → *out.  LW_EINVAL with the accepted names. */
int lw_rounding_parse(const char *name, enum lw_rounding *out, struct lw_err *e);
/* "half-up" / "truncate"; static. */
const char *lw_rounding_name(enum lw_rounding mode);

struct lw_rate {
	int defined;          /* 0 when the denominator was 0: print as n/a, store NULL */
	long long hundredths; /* percent × 100: 278 means 2.78 %; 0 when !defined */
};

/* Largest count accepted (so that count × 10000 cannot overflow). */
#define LW_RATE_COUNT_MAX 100000000000000LL

/* num ÷ den as percent with 2 decimals.  den == 0 gives an undefined rate;
 * num may be negative (growth); |num|, den <= LW_RATE_COUNT_MAX, den >= 0
 * (the caller checks, see lw_rates_compute). */
struct lw_rate lw_rate_percent(long long num, long long den, enum lw_rounding mode);

/* Shorthand: 败诉率 = lost ÷ concluded. */
struct lw_rate lw_loss_rate(long long lost, long long concluded, enum lw_rounding mode);

/* "2.78", "-3.40", "100.00"; "n/a" when undefined.  buf of cap bytes
 * (32 is always enough).  Returns buf. */
char *lw_rate_format(struct lw_rate r, char *buf, size_t cap);

/* Counts of one group (agency, domain, act, court) for one period. */
struct lw_counts {
	long long filed;           /* 新收: filed in the period (by filing date) */
	long long concluded;       /* 审结: concluded in the period (by conclusion date) */
	long long lost;            /* 败诉 among concluded */
	long long withdrawn;       /* 撤诉 among concluded */
	long long mediated;        /* 调解 among concluded */
	long long hearings;        /* 开庭 hearings held */
	long long head_attended;   /* hearings the agency head (负责人) attended */
	long long filed_prev_year; /* filed in the same period a year earlier */
};

struct lw_rates {
	struct lw_rate loss;               /* 败诉率 */
	struct lw_rate withdrawn_mediated; /* 调撤率 */
	struct lw_rate head_appearance;    /* 负责人出庭应诉率 */
	struct lw_rate yoy_filed_growth;   /* 发案量同比增长率 */
};

/* Compute every rate of *c.  LW_EINVAL when counts are negative, above
 * LW_RATE_COUNT_MAX, or inconsistent (lost or withdrawn + mediated more than
 * concluded, head_attended more than hearings): the message names them. */
int lw_rates_compute(const struct lw_counts *c, enum lw_rounding mode, struct lw_rates *out, struct lw_err *e);

#endif
