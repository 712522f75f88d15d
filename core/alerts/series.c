/*
 * series.c — count series read from the warehouse (design.md §7): filed
 * cases per month (overall, per agency, per domain, per type of act),
 * losses per quarter per agency, 12345 tickets per ISO week per category ×
 * agency and per topic.
 *
 * Dense: every period from a series' first data up to the period of "now"
 * has a value, 0 when no row fell in it.  Before its first data a series
 * has no entries at all ("no data", not zero).  The SQL is in sql.c.
 *
 * Filed-case series start where the warehouse's case data starts
 * (figures/figures.h: lw_figures_data_start), not at the group's own first
 * suit: once the sources have reported for a month, an agency without a
 * suit that month had 0, and the year-over-year rule must see it (issue
 * 13 §4: the agency with +210 % was missed because its first months were
 * "no data").
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/alerts_int.h"
#include "figures/figures.h"

void lw_series_set_free(struct lw_series_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++) {
		json_decref(set->s[i].labels);
		free(set->s[i].v);
		free(set->s[i].aux);
	}
	free(set->s);
	memset(set, 0, sizeof *set);
}

static int same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* Start a new series for keys (k1, k2) whose first data is `first`. */
static struct lw_series *series_new(struct lw_series_set *set, size_t *cap, const char *k1,
				    const char *k2, int64_t first, int with_aux)
{
	struct lw_series *s;
	size_t n = (size_t)(set->last - first + 1);

	if (set->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		struct lw_series *t = realloc(set->s, nc * sizeof *t);
		if (!t)
			return NULL;
		set->s = t;
		*cap = nc;
	}
	s = &set->s[set->n];
	memset(s, 0, sizeof *s);
	s->labels = json_object();
	s->v = calloc(n, sizeof *s->v);
	s->aux = with_aux ? calloc(n, sizeof *s->aux) : NULL;
	if (!s->labels || !s->v || (with_aux && !s->aux) ||
	    (lw_series_kinds[set->kind].k1 &&
	     json_object_set_new(s->labels, lw_series_kinds[set->kind].k1, json_string(k1 ? k1 : ""))) ||
	    (lw_series_kinds[set->kind].k2 &&
	     json_object_set_new(s->labels, lw_series_kinds[set->kind].k2, json_string(k2 ? k2 : "")))) {
		json_decref(s->labels);
		free(s->v);
		free(s->aux);
		return NULL;
	}
	s->first = first;
	s->n = n;
	set->n++;
	return s;
}

/* Both loads: every series of kind, or only agency's (agency != NULL). */
static int load(struct lw_wh *wh, enum lw_series_kind kind, int64_t now, int withdrawn_is_loss,
		const char *agency, struct lw_series_set *out, struct lw_err *e)
{
	int64_t today = lw_beijing_day(now);
	char end[16], *k1 = NULL, *k2 = NULL;
	struct lw_series *cur = NULL;
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc, with_aux = kind == LW_SERIES_LOST_QUARTERLY_AGENCY;
	int filed = kind <= LW_SERIES_FILED_MONTHLY_ACT_TYPE;
	int64_t data_start = INT64_MAX;

	memset(out, 0, sizeof *out);
	if ((unsigned)kind >= LW_SERIES_KIND_COUNT)
		return lw_err_set(e, LW_EINVAL, "unknown series kind %d", (int)kind);
	out->kind = kind;
	out->freq = lw_series_kinds[kind].freq;
	out->last = lw_period_of_day(out->freq, today);
	lw_day_format(today, end, sizeof end);
	if (filed) {
		char first[11];
		int64_t day;
		if ((rc = lw_figures_data_start(wh, first, e)) != 0)
			return rc;
		if (first[0] && lw_day_parse(first, &day) == 0)
			data_start = lw_period_of_day(out->freq, day);
	}
	if (agency && !lw_alsql_series_agency[kind])
		return lw_err_set(e, LW_EINVAL, "series %s: not a series by agency",
				  lw_series_kinds[kind].name);
	if ((rc = lw_wh_stmt(wh, agency ? lw_alsql_series_agency[kind] : lw_alsql_series[kind], &st,
			     e)) != 0 ||
	    (rc = lw_wh_bind_text(st, ":end", end, e)) != 0 ||
	    (agency && (rc = lw_wh_bind_text(st, ":agency", agency, e)) != 0) ||
	    (with_aux && (rc = lw_wh_bind_int64(st, ":withdrawn_is_loss", withdrawn_is_loss ? 1 : 0,
						e)) != 0))
		goto fail;
	/* Rows come ordered by keys then day: one series after another. */
	while ((rc = lw_wh_step(wh, st, e)) == 1) {
		const char *a = (const char *)sqlite3_column_text(st, 0);
		const char *b = (const char *)sqlite3_column_text(st, 1);
		int64_t day, p;

		if (lw_day_parse((const char *)sqlite3_column_text(st, 2), &day) != 0)
			continue; /* the schema's CHECKs make this unreachable */
		p = lw_period_of_day(out->freq, day);
		if (p > out->last)
			continue;
		if (!cur || !same(a, k1) || !same(b, k2)) {
			free(k1);
			free(k2);
			k1 = a ? strdup(a) : NULL;
			k2 = b ? strdup(b) : NULL;
			if ((a && !k1) || (b && !k2) ||
			    !(cur = series_new(out, &cap, a, b, p < data_start ? p : data_start,
					       with_aux))) {
				rc = lw_err_set(e, LW_ENOMEM, "series %s: out of memory",
						lw_series_kinds[kind].name);
				goto fail;
			}
		}
		cur->v[p - cur->first] += (double)sqlite3_column_int64(st, with_aux ? 4 : 3);
		if (with_aux)
			cur->aux[p - cur->first] += (double)sqlite3_column_int64(st, 3);
	}
	if (rc < 0)
		goto fail;
	free(k1);
	free(k2);
	return 0;
fail:
	if (st)
		sqlite3_reset(st);
	free(k1);
	free(k2);
	lw_series_set_free(out);
	return rc;
}

int lw_series_load(struct lw_wh *wh, enum lw_series_kind kind, int64_t now,
		   int withdrawn_is_loss, struct lw_series_set *out, struct lw_err *e)
{
	return load(wh, kind, now, withdrawn_is_loss, NULL, out, e);
}

int lw_series_load_agency(struct lw_wh *wh, enum lw_series_kind kind, int64_t now,
			  int withdrawn_is_loss, const char *agency, struct lw_series_set *out,
			  struct lw_err *e)
{
	return load(wh, kind, now, withdrawn_is_loss, agency, out, e);
}
