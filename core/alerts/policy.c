/*
 * policy.c — the policy rules (loss-rate, loss-rate-top, yoy-growth) read
 * the official figures (core/figures), not counts of their own.
 *
 * The bulletin, `litwatch stats`, the dashboard and these rules must never
 * disagree about an agency's loss rate or its rank: the rules get the same
 * lost / concluded / filed counts (figures.h counting rules), the rate as
 * published (the configured rounding), and the rank of the bulletin
 * (lw_fig_rank_loss_rate: published rate, then lost, then filed, then
 * name).  An alert that says "rank 3" names the agency the bulletin ranks
 * third for that quarter.
 *
 * Each rule looks at a few periods per evaluation (its lookback, and the
 * periods of its still-active alerts), so the tables are computed per
 * period on demand and cached for the evaluation.  lw_policy_prefetch
 * computes the lookback's tables in the read snapshot, before the write
 * lock is taken (evaluate.c).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/alerts_int.h"

struct lw_policy_entry {
	char label[32];
	struct lw_fig_table t;
};

void lw_policy_init(struct lw_policy *pc, struct lw_wh *wh, const struct lw_alerts_conf *conf)
{
	memset(pc, 0, sizeof *pc);
	pc->wh = wh;
	pc->opts.rounding = conf->rounding;
	pc->opts.withdrawn_is_loss = conf->withdrawn_is_loss;
}

void lw_policy_free(struct lw_policy *pc)
{
	for (size_t i = 0; i < pc->n; i++)
		lw_fig_table_free(&pc->v[i].t);
	free(pc->v);
	memset(pc, 0, sizeof *pc);
}

/* The by-agency table of p, computed once per evaluation. */
static int table_of(struct lw_policy *pc, const struct lw_fig_period *p,
		    const struct lw_fig_table **out, struct lw_err *e)
{
	struct lw_policy_entry *en;
	int rc;

	for (size_t i = 0; i < pc->n; i++)
		if (!strcmp(pc->v[i].label, p->label)) {
			*out = &pc->v[i].t;
			return 0;
		}
	if (pc->n == pc->cap) {
		size_t nc = pc->cap ? pc->cap * 2 : 8;
		struct lw_policy_entry *v = realloc(pc->v, nc * sizeof *v);
		if (!v)
			return lw_err_set(e, LW_ENOMEM, "out of memory");
		pc->v = v;
		pc->cap = nc;
	}
	en = &pc->v[pc->n];
	memset(en, 0, sizeof *en);
	snprintf(en->label, sizeof en->label, "%s", p->label);
	if ((rc = lw_figures_compute(pc->wh, LW_FIG_BY_AGENCY, p, &pc->opts, &en->t, e)) != 0)
		return rc;
	pc->n++;
	*out = &en->t;
	return 0;
}

/* The figures period of alert period `per` (a quarter or a month label,
 * which both modules write the same way: 2024Q3, 2024-07). */
static int period_of(const char *per, struct lw_fig_period *out, struct lw_err *e)
{
	return lw_fig_period_parse(per, NULL, out, e);
}

/* yoy-growth: the `window` months up to month `per`, and the window before. */
static int windows_of(const struct lw_alert_rule *r, const char *per, struct lw_fig_period *cur,
		      struct lw_fig_period *prev, struct lw_err *e)
{
	struct lw_fig_period m;
	int w = (int)r->window, rc;

	if ((rc = period_of(per, &m, e)) != 0)
		return rc;
	lw_fig_period_make(m.year, m.month - w + 1, w, cur);
	lw_fig_period_make(m.year, m.month - 2 * w + 1, w, prev);
	return 0;
}

/* The first month with case data ("YYYY-MM-01"), or "" (none). */
static int data_start(struct lw_policy *pc, struct lw_err *e)
{
	char day[11];
	int rc;

	if (pc->have_start)
		return 0;
	if ((rc = lw_figures_data_start(pc->wh, day, e)) != 0)
		return rc;
	snprintf(pc->start_month, sizeof pc->start_month, "%.7s%s", day, day[0] ? "-01" : "");
	pc->have_start = 1;
	return 0;
}

int lw_policy_prefetch(struct lw_policy *pc, const struct lw_alert_rule *r, enum lw_freq f,
		       int64_t last, struct lw_err *e)
{
	const struct lw_fig_table *t;
	struct lw_fig_period a, b;
	char per[16];
	int rc;

	if (!lw_policy_rule(r))
		return 0;
	if ((rc = data_start(pc, e)) != 0)
		return rc;
	for (unsigned k = 0; k < r->lookback; k++) {
		lw_period_label(f, last - (int64_t)k, per, sizeof per);
		if (r->method == LW_METHOD_YOY_GROWTH) {
			if ((rc = windows_of(r, per, &a, &b, e)) != 0 || (rc = table_of(pc, &a, &t, e)) != 0 ||
			    (r->window != 12 && (rc = table_of(pc, &b, &t, e)) != 0))
				return rc;
		} else if ((rc = period_of(per, &a, e)) != 0 || (rc = table_of(pc, &a, &t, e)) != 0) {
			return rc;
		}
	}
	return 0;
}

int lw_policy_rule(const struct lw_alert_rule *r)
{
	return r->method == LW_METHOD_LOSS_RATE || r->method == LW_METHOD_LOSS_RATE_TOP ||
	       r->method == LW_METHOD_YOY_GROWTH;
}

static const struct lw_counts zero_counts;

static const struct lw_counts *counts_of(const struct lw_fig_table *t, const char *agency)
{
	const struct lw_fig_row *row = lw_fig_table_find(t, agency);
	return row ? &row->c : &zero_counts;
}

/* The published loss rate of agency in t, in percent (NaN: undefined). */
static double published_loss(const struct lw_fig_table *t, const char *agency)
{
	const struct lw_fig_row *row = lw_fig_table_find(t, agency);
	return row && row->r.loss.defined ? (double)row->r.loss.hundredths / 100.0 : NAN;
}

static int loss_rate(struct lw_policy *pc, const struct lw_alert_rule *r, const char *agency,
		     const char *who, const char *per, struct lw_point *pt, struct lw_err *e)
{
	const struct lw_fig_table *t;
	const struct lw_counts *c;
	struct lw_fig_period p;
	int rc;

	if ((rc = period_of(per, &p, e)) != 0 || (rc = table_of(pc, &p, &t, e)) != 0)
		return rc;
	c = counts_of(t, agency);
	pt->value = c->concluded > 0 ? published_loss(t, agency) : 0;
	pt->threshold = r->above_percent;
	pt->expected = (double)c->concluded;
	/* lost/concluded > X %, compared exactly (without dividing): 1 of 10
	 * is never "above 10 %", whatever the rounding shows. */
	pt->verdict = c->concluded >= r->min_count &&
			      (double)c->lost * 100.0 > r->above_percent * (double)c->concluded
			      ? LW_HOLDING : LW_NOT_HOLDING;
	snprintf(pt->summary, sizeof pt->summary,
		 "%s %s 败诉率 %.2f%%（%lld/%lld 件审结），阈值 %g%%（至少 %lld 件）/ loss rate "
		 "%.2f%% (%lld of %lld concluded), threshold %g%% (at least %lld)",
		 who, per, pt->value, c->lost, c->concluded, r->above_percent, (long long)r->min_count,
		 pt->value, c->lost, c->concluded, r->above_percent, (long long)r->min_count);
	return 0;
}

static int loss_rate_top(struct lw_policy *pc, const struct lw_alert_rule *r, const char *agency,
			 const char *who, const char *per, struct lw_point *pt, struct lw_err *e)
{
	const struct lw_fig_table *t;
	const struct lw_fig_row *row;
	struct lw_fig_period p;
	int *rank, rk = 0, rc;

	if ((rc = period_of(per, &p, e)) != 0 || (rc = table_of(pc, &p, &t, e)) != 0)
		return rc;
	if (!(rank = calloc(t->n + 1, sizeof *rank)) ||
	    lw_fig_rank_loss_rate(t->rows, t->n, r->min_count, rank) != 0) {
		free(rank);
		return lw_err_set(e, LW_ENOMEM, "out of memory");
	}
	row = lw_fig_table_find(t, agency);
	if (row)
		rk = rank[row - t->rows];
	free(rank);
	/* The bulletin's rank; an agency without a loss is never "top". */
	pt->verdict = rk > 0 && (unsigned)rk <= r->top && row->c.lost > 0 ? LW_HOLDING
									   : LW_NOT_HOLDING;
	pt->value = row && row->c.concluded > 0 ? published_loss(t, agency) : 0;
	pt->threshold = r->top;
	pt->expected = pt->verdict == LW_HOLDING ? (double)rk : NAN;
	if (rk > 0)
		snprintf(pt->summary, sizeof pt->summary,
			 "%s %s 败诉率 %.2f%%（%lld/%lld），排名第 %d / loss rate %.2f%%, rank %d (top %u)",
			 who, per, pt->value, row->c.lost, row->c.concluded, rk, pt->value, rk, r->top);
	else
		snprintf(pt->summary, sizeof pt->summary,
			 "%s %s 审结不足 %lld 件，不参与排名 / fewer than %lld concluded: not ranked", who,
			 per, (long long)r->min_count, (long long)r->min_count);
	return 0;
}

static int yoy_growth(struct lw_policy *pc, const struct lw_alert_rule *r, const char *agency,
		      const char *who, const char *per, struct lw_point *pt, struct lw_err *e)
{
	const struct lw_fig_table *ta, *tb;
	struct lw_fig_period a, b;
	long long cur, prev;
	int rc;

	if ((rc = windows_of(r, per, &a, &b, e)) != 0 || (rc = data_start(pc, e)) != 0)
		return rc;
	/* The earlier window must lie wholly after the warehouse's first case. */
	if (!pc->start_month[0] || strcmp(b.start, pc->start_month) < 0)
		return 0;
	if ((rc = table_of(pc, &a, &ta, e)) != 0)
		return rc;
	cur = counts_of(ta, agency)->filed;
	/* Twelve months before a 12-month window are its same period last
	 * year, which the window's table has (c.filed_prev_year). */
	if (r->window == 12) {
		prev = counts_of(ta, agency)->filed_prev_year;
	} else {
		if ((rc = table_of(pc, &b, &tb, e)) != 0)
			return rc;
		prev = counts_of(tb, agency)->filed;
	}
	if (prev == 0)
		return 0; /* growth from nothing is undefined */
	pt->value = (double)(cur - prev) * 100.0 / (double)prev;
	pt->threshold = r->above_percent;
	pt->expected = (double)prev;
	pt->verdict = cur >= r->min_count && (double)(cur - prev) * 100.0 > r->above_percent * (double)prev
			      ? LW_HOLDING : LW_NOT_HOLDING;
	snprintf(pt->summary, sizeof pt->summary,
		 "%s 截至 %s 近 %u 个月立案 %lld 件，同比增长 %.1f%%（上年同期 %lld 件），阈值 "
		 "%g%% / filed %lld in %u months to %s, %+.1f%% year on year (%lld before)",
		 who, per, r->window, cur, pt->value, prev, r->above_percent, cur, r->window, per,
		 pt->value, prev);
	return 0;
}

int lw_policy_point(struct lw_policy *pc, const struct lw_alert_rule *r, const char *agency,
		    const char *who, const char *per, struct lw_point *pt, struct lw_err *e)
{
	switch (r->method) {
	case LW_METHOD_LOSS_RATE: return loss_rate(pc, r, agency, who, per, pt, e);
	case LW_METHOD_LOSS_RATE_TOP: return loss_rate_top(pc, r, agency, who, per, pt, e);
	case LW_METHOD_YOY_GROWTH: return yoy_growth(pc, r, agency, who, per, pt, e);
	default: return 0;
	}
}
