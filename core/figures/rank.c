/*
 * rank.c — the ranking rules of the quarterly bulletin (量化排名).
 *
 * Rank 1 is the highest rate (the worst loss rate, the steepest growth of
 * filed cases), as the programmes publish it.  Equal rates go to the agency
 * with more lost cases, then more filed cases, then to the name in code
 * point order, so every ranked agency has a rank of its own and the same
 * warehouse always gives the same order.
 */
#include <stdlib.h>
#include <string.h>

#include "figures/figures.h"

struct item {
	const struct lw_fig_row *row;
	long long key;
	size_t i;
};

static int cmp(const void *pa, const void *pb)
{
	const struct item *a = pa, *b = pb;

	if (a->key != b->key)
		return a->key > b->key ? -1 : 1;
	if (a->row->c.lost != b->row->c.lost)
		return a->row->c.lost > b->row->c.lost ? -1 : 1;
	if (a->row->c.filed != b->row->c.filed)
		return a->row->c.filed > b->row->c.filed ? -1 : 1;
	return strcmp(a->row->group, b->row->group);
}

/* which: 0 loss rate, 1 filed growth. */
static int rank_by(const struct lw_fig_row *rows, size_t n, int which, long long min_concluded,
		   int *rank)
{
	struct item *it = malloc((n ? n : 1) * sizeof *it);
	size_t m = 0;

	if (!it)
		return LW_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct lw_rate *r = which ? &rows[i].r.yoy_filed_growth : &rows[i].r.loss;
		rank[i] = 0;
		if (!r->defined || (!which && rows[i].c.concluded < min_concluded))
			continue;
		it[m].row = &rows[i];
		/* The rate as published (rounded): two agencies shown at 2.77 %
		 * are a tie, decided by rules a reader can check in the table. */
		it[m].key = r->hundredths;
		it[m].i = i;
		m++;
	}
	qsort(it, m, sizeof *it, cmp);
	for (size_t k = 0; k < m; k++)
		rank[it[k].i] = (int)k + 1;
	free(it);
	return 0;
}

int lw_fig_rank_loss_rate(const struct lw_fig_row *rows, size_t n, long long min_concluded,
			  int *rank)
{
	return rank_by(rows, n, 0, min_concluded < 1 ? 1 : min_concluded, rank);
}

int lw_fig_rank_filed_growth(const struct lw_fig_row *rows, size_t n, int *rank)
{
	return rank_by(rows, n, 1, 0, rank);
}
