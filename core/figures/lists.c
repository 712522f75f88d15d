/*
 * lists.c — the bulletin's figures beyond the per-group table: filed per
 * month, lost cases (一案一复盘), 12345 work orders beside suits (诉源治理)
 * and data completeness (figures.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figures/figures_int.h"

static char *dup_col(sqlite3_stmt *st, int i, int *oom)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	char *d;

	if (!s)
		return NULL;
	if (!(d = strdup(s)))
		*oom = 1;
	return d;
}

static int grow(void **p, size_t *cap, size_t n, size_t size)
{
	void *np;
	size_t nc;

	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : 16;
	if (!(np = realloc(*p, nc * size)))
		return LW_ENOMEM;
	*p = np;
	*cap = nc;
	return 0;
}

static int bind_span(sqlite3_stmt *st, const struct lw_fig_period *p, int last_year,
		     struct lw_err *e)
{
	struct lw_fig_period ly;
	int rc;

	if ((rc = lw_wh_bind_text(st, ":s", p->start, e)) || (rc = lw_wh_bind_text(st, ":e", p->end, e)))
		return rc;
	if (!last_year)
		return 0;
	lw_fig_period_last_year(p, &ly);
	if ((rc = lw_wh_bind_text(st, ":ps", ly.start, e)) || (rc = lw_wh_bind_text(st, ":pe", ly.end, e)))
		return rc;
	return 0;
}

int lw_figures_filed_monthly(struct lw_wh *wh, const struct lw_fig_period *p, long long *counts,
			     struct lw_err *e)
{
	sqlite3_stmt *st;
	int rc;

	for (int i = 0; i < p->months; i++)
		counts[i] = 0;
	if ((rc = lw_wh_stmt(wh, lw_figsql_filed_monthly, &st, e)) || (rc = bind_span(st, p, 0, e)))
		return rc;
	while ((rc = lw_wh_step(wh, st, e)) == 1) {
		const char *ym = (const char *)sqlite3_column_text(st, 0);
		int y, m, i;
		if (!ym || sscanf(ym, "%4d-%2d", &y, &m) != 2)
			continue;
		i = (y * 12 + m) - (p->year * 12 + p->month);
		if (i >= 0 && i < p->months)
			counts[i] = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

int lw_figures_data_start(struct lw_wh *wh, char day[11], struct lw_err *e)
{
	sqlite3_stmt *st;
	int rc;

	day[0] = '\0';
	if ((rc = lw_wh_stmt(wh, lw_figsql_data_start, &st, e)) != 0)
		return rc;
	if ((rc = lw_wh_step(wh, st, e)) == 1 && sqlite3_column_text(st, 0))
		snprintf(day, 11, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

void lw_fig_lost_cases_free(struct lw_fig_lost_case *c, size_t n)
{
	for (size_t i = 0; c && i < n; i++) {
		free(c[i].case_no);
		free(c[i].agency);
		free(c[i].cause);
		free(c[i].act_type);
		free(c[i].outcome);
		free(c[i].outcome_label);
		free(c[i].concluded_date);
	}
	free(c);
}

int lw_figures_lost_cases(struct lw_wh *wh, const struct lw_fig_period *p, int withdrawn_is_loss,
			  struct lw_fig_lost_case **out, size_t *n, struct lw_err *e)
{
	struct lw_fig_lost_case *v = NULL;
	size_t cap = 0, k = 0;
	sqlite3_stmt *st;
	int rc, oom = 0;

	*out = NULL;
	*n = 0;
	if ((rc = lw_wh_stmt(wh, lw_figsql_lost_cases, &st, e)) || (rc = bind_span(st, p, 0, e)) ||
	    (rc = lw_wh_bind_int64(st, ":wcl", withdrawn_is_loss ? 1 : 0, e)))
		return rc;
	while ((rc = lw_wh_step(wh, st, e)) == 1) {
		if (grow((void **)&v, &cap, k, sizeof *v)) {
			oom = 1;
			break;
		}
		v[k].case_no = dup_col(st, 0, &oom);
		v[k].agency = dup_col(st, 1, &oom);
		v[k].cause = dup_col(st, 2, &oom);
		v[k].act_type = dup_col(st, 3, &oom);
		v[k].outcome = dup_col(st, 4, &oom);
		v[k].outcome_label = dup_col(st, 5, &oom);
		v[k].concluded_date = dup_col(st, 6, &oom);
		k++;
	}
	sqlite3_reset(st);
	if (oom)
		rc = lw_err_set(e, LW_ENOMEM, "lost cases: out of memory");
	if (rc < 0) {
		lw_fig_lost_cases_free(v, k);
		return rc;
	}
	*out = v;
	*n = k;
	return 0;
}

void lw_fig_hotline_free(struct lw_fig_hotline *h, size_t n)
{
	for (size_t i = 0; h && i < n; i++)
		free(h[i].agency);
	free(h);
}

int lw_figures_hotline(struct lw_wh *wh, const struct lw_fig_period *p, struct lw_fig_hotline **out,
		       size_t *n, long long *unassigned, struct lw_err *e)
{
	struct lw_fig_hotline *v = NULL;
	size_t cap = 0, k = 0;
	sqlite3_stmt *st;
	int rc, oom = 0;

	*out = NULL;
	*n = 0;
	*unassigned = 0;
	if ((rc = lw_wh_stmt(wh, lw_figsql_hotline, &st, e)) || (rc = bind_span(st, p, 1, e)))
		return rc;
	while ((rc = lw_wh_step(wh, st, e)) == 1) {
		if (grow((void **)&v, &cap, k, sizeof *v)) {
			oom = 1;
			break;
		}
		v[k].agency = dup_col(st, 0, &oom);
		v[k].enforcement = sqlite3_column_int64(st, 1);
		v[k].complaints = sqlite3_column_int64(st, 2);
		v[k].enforcement_last_year = sqlite3_column_int64(st, 3);
		k++;
	}
	sqlite3_reset(st);
	if (rc >= 0 && !oom) {
		if ((rc = lw_wh_stmt(wh, lw_figsql_hotline_unassigned, &st, e)) == 0 &&
		    (rc = bind_span(st, p, 0, e)) == 0 && (rc = lw_wh_step(wh, st, e)) == 1)
			*unassigned = sqlite3_column_int64(st, 0);
		if (rc == 0 || rc == 1)
			sqlite3_reset(st);
	}
	if (oom)
		rc = lw_err_set(e, LW_ENOMEM, "12345 figures: out of memory");
	if (rc < 0) {
		lw_fig_hotline_free(v, k);
		return rc;
	}
	*out = v;
	*n = k;
	return 0;
}

void lw_fig_completeness_free(struct lw_fig_completeness *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nsilent; i++)
		free(c->silent[i]);
	free(c->silent);
	for (size_t i = 0; i < c->nsources; i++) {
		free(c->sources[i].source);
		free(c->sources[i].last_import);
		free(c->sources[i].last_status);
	}
	free(c->sources);
	memset(c, 0, sizeof *c);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Configured agencies the warehouse does not know yet: silent too. */
static int add_known(struct lw_wh *wh, json_t *known, struct lw_fig_completeness *out, size_t *cap,
		     struct lw_err *e)
{
	static const char sql[] = "SELECT 1 FROM agencies WHERE name = :name";
	const char *name;
	json_t *v;
	int rc;

	json_object_foreach(known, name, v) {
		sqlite3_stmt *st;
		if ((rc = lw_wh_stmt(wh, sql, &st, e)) || (rc = lw_wh_bind_text(st, ":name", name, e)))
			return rc;
		rc = lw_wh_step(wh, st, e);
		sqlite3_reset(st);
		if (rc < 0)
			return rc;
		if (rc == 1)
			continue;
		if (grow((void **)&out->silent, cap, out->nsilent, sizeof *out->silent) ||
		    !(out->silent[out->nsilent] = strdup(name)))
			return lw_err_set(e, LW_ENOMEM, "completeness: out of memory");
		out->nsilent++;
		out->nagencies++;
	}
	qsort(out->silent, out->nsilent, sizeof *out->silent, cmp_str);
	return 0;
}

int lw_figures_completeness(struct lw_wh *wh, const struct lw_fig_period *p, json_t *known,
			    struct lw_fig_completeness *out, struct lw_err *e)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int64_t since = -1;
	int rc, oom = 0;

	memset(out, 0, sizeof *out);
	if ((rc = lw_wh_stmt(wh, lw_figsql_first_import_since, &st, e)) ||
	    (rc = lw_wh_bind_text(st, ":s", p->start, e)))
		return rc;
	if ((rc = lw_wh_step(wh, st, e)) == 1 && sqlite3_column_type(st, 0) != SQLITE_NULL)
		since = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	if ((rc = lw_wh_stmt(wh, lw_figsql_silent_agencies, &st, e)) ||
	    (rc = since < 0 ? lw_wh_bind_null(st, ":since", e) : lw_wh_bind_int64(st, ":since", since, e)))
		return rc;
	while ((rc = lw_wh_step(wh, st, e)) == 1) {
		if (grow((void **)&out->silent, &cap, out->nsilent, sizeof *out->silent)) {
			oom = 1;
			break;
		}
		out->silent[out->nsilent] = dup_col(st, 0, &oom);
		if (out->silent[out->nsilent])
			out->nsilent++;
	}
	sqlite3_reset(st);
	if (rc >= 0 && !oom && (rc = lw_wh_stmt(wh, lw_figsql_agency_count, &st, e)) == 0) {
		if ((rc = lw_wh_step(wh, st, e)) == 1)
			out->nagencies = (size_t)sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	if (rc >= 0 && !oom && known)
		rc = add_known(wh, known, out, &cap, e);
	cap = 0;
	if (rc >= 0 && !oom && (rc = lw_wh_stmt(wh, lw_figsql_sources, &st, e)) == 0) {
		while ((rc = lw_wh_step(wh, st, e)) == 1) {
			struct lw_fig_source *s;
			if (grow((void **)&out->sources, &cap, out->nsources, sizeof *s)) {
				oom = 1;
				break;
			}
			s = &out->sources[out->nsources++];
			s->source = dup_col(st, 0, &oom);
			s->last_import = dup_col(st, 2, &oom);
			s->last_status = dup_col(st, 3, &oom);
			s->imports = sqlite3_column_int64(st, 4);
		}
		sqlite3_reset(st);
	}
	if (oom)
		rc = lw_err_set(e, LW_ENOMEM, "completeness: out of memory");
	if (rc < 0) {
		lw_fig_completeness_free(out);
		return rc;
	}
	return 0;
}
