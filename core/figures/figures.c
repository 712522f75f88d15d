/*
 * figures.c — counts and rates per group for a period (figures.h).
 */
#include <stdlib.h>
#include <string.h>

#include "figures/figures_int.h"

static const char *const by_names[] = {"agency", "domain", "act", "court"};

int lw_fig_by_parse(const char *name, enum lw_fig_by *out, struct lw_err *e)
{
	for (size_t i = 0; i < sizeof by_names / sizeof *by_names; i++)
		if (name && !strcmp(name, by_names[i])) {
			*out = (enum lw_fig_by)i;
			return 0;
		}
	return lw_err_set(e, LW_EINVAL, "--by \"%s\": expected agency, domain, act or court",
			  name ? name : "");
}

const char *lw_fig_by_name(enum lw_fig_by by)
{
	return (unsigned)by < 4 ? by_names[by] : "?";
}

void lw_fig_table_free(struct lw_fig_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->rows[i].group);
	free(t->rows);
	free(t->total.group);
	memset(t, 0, sizeof *t);
}

const struct lw_fig_row *lw_fig_table_find(const struct lw_fig_table *t, const char *group)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->rows[i].group, group))
			return &t->rows[i];
	return NULL;
}

static int bind_period(sqlite3_stmt *st, const struct lw_fig_period *p, struct lw_err *e)
{
	struct lw_fig_period ly;
	int rc;

	lw_fig_period_last_year(p, &ly);
	if ((rc = lw_wh_bind_text(st, ":s", p->start, e)) || (rc = lw_wh_bind_text(st, ":e", p->end, e)) ||
	    (rc = lw_wh_bind_text(st, ":ps", ly.start, e)) || (rc = lw_wh_bind_text(st, ":pe", ly.end, e)))
		return rc;
	return 0;
}

static int push_row(struct lw_fig_table *t, size_t *cap, const char *group, const struct lw_counts *c,
		    enum lw_rounding mode, struct lw_err *e)
{
	struct lw_fig_row *r;
	int rc;

	if (t->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 32;
		struct lw_fig_row *nr = realloc(t->rows, nc * sizeof *nr);
		if (!nr)
			return lw_err_set(e, LW_ENOMEM, "figures: out of memory");
		t->rows = nr;
		*cap = nc;
	}
	r = &t->rows[t->n];
	memset(r, 0, sizeof *r);
	r->c = *c;
	if ((rc = lw_rates_compute(c, mode, &r->r, e)) != 0)
		return lw_err_prefix(e, "group \"%s\"", group);
	if (!(r->group = strdup(group)))
		return lw_err_set(e, LW_ENOMEM, "figures: out of memory");
	t->n++;
	return 0;
}

static int cmp_group(const void *a, const void *b)
{
	return strcmp(((const struct lw_fig_row *)a)->group, ((const struct lw_fig_row *)b)->group);
}

/* Run one aggregation; rows go to t (total: into t->total). */
static int aggregate(struct lw_wh *wh, const char *sql, const struct lw_fig_period *p,
		     const struct lw_fig_opts *o, struct lw_fig_table *t, size_t *cap, int total,
		     struct lw_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = lw_wh_stmt(wh, sql, &st, e)) || (rc = bind_period(st, p, e)) ||
	    (rc = lw_wh_bind_int64(st, ":wcl", o->withdrawn_is_loss ? 1 : 0, e)))
		return rc;
	while ((rc = lw_wh_step(wh, st, e)) == 1) {
		const char *g = (const char *)sqlite3_column_text(st, 0);
		struct lw_counts c = {
			.filed = sqlite3_column_int64(st, 1),
			.filed_prev_year = sqlite3_column_int64(st, 2),
			.concluded = sqlite3_column_int64(st, 3),
			.lost = sqlite3_column_int64(st, 4),
			.withdrawn = sqlite3_column_int64(st, 5),
			.mediated = sqlite3_column_int64(st, 6),
			.hearings = sqlite3_column_int64(st, 7),
			.head_attended = sqlite3_column_int64(st, 8),
		};
		if (total) {
			t->total.c = c;
			if ((rc = lw_rates_compute(&c, o->rounding, &t->total.r, e)) != 0)
				break;
			continue;
		}
		if (c.filed == 0 && c.concluded == 0 && c.filed_prev_year == 0 && !o->every_agency)
			continue; /* nothing in this period */
		if ((rc = push_row(t, cap, g ? g : "", &c, o->rounding, e)) != 0)
			break;
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

/* Agencies without a case in either period: a zero line each. */
static int add_every_agency(struct lw_wh *wh, const struct lw_fig_opts *o, struct lw_fig_table *t,
			    size_t *cap, struct lw_err *e)
{
	static const struct lw_counts zero;
	sqlite3_stmt *st;
	size_t have = t->n;
	int rc;

	if ((rc = lw_wh_stmt(wh, lw_figsql_agency_names, &st, e)) != 0)
		return rc;
	while ((rc = lw_wh_step(wh, st, e)) == 1) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		struct lw_fig_row key = {.group = (char *)name};
		if (!name || (have && bsearch(&key, t->rows, have, sizeof key, cmp_group)))
			continue;
		if ((rc = push_row(t, cap, name, &zero, o->rounding, e)) != 0)
			break;
	}
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	qsort(t->rows, t->n, sizeof *t->rows, cmp_group);
	if (json_object_size(o->known_agencies)) {
		const char *name;
		json_t *v;
		have = t->n;
		json_object_foreach(o->known_agencies, name, v) {
			struct lw_fig_row key = {.group = (char *)name};
			if (have && bsearch(&key, t->rows, have, sizeof key, cmp_group))
				continue;
			if ((rc = push_row(t, cap, name, &zero, o->rounding, e)) != 0)
				return rc;
		}
		qsort(t->rows, t->n, sizeof *t->rows, cmp_group);
	}
	return 0;
}

int lw_figures_compute(struct lw_wh *wh, enum lw_fig_by by, const struct lw_fig_period *p,
		       const struct lw_fig_opts *opts, struct lw_fig_table *out, struct lw_err *e)
{
	struct lw_fig_opts o = *opts;
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof *out);
	out->period = *p;
	out->by = by;
	if ((unsigned)by >= 4)
		return lw_err_set(e, LW_EINVAL, "figures: unknown grouping %d", (int)by);
	o.every_agency = by == LW_FIG_BY_AGENCY && opts->every_agency;
	if (!(out->total.group = strdup("")))
		return lw_err_set(e, LW_ENOMEM, "figures: out of memory");
	if ((rc = aggregate(wh, lw_figsql_groups[by], p, &o, out, &cap, 0, e)) != 0 ||
	    (o.every_agency && (rc = add_every_agency(wh, &o, out, &cap, e)) != 0) ||
	    (rc = aggregate(wh, lw_figsql_total, p, &o, out, &cap, 1, e)) != 0) {
		lw_fig_table_free(out);
		return rc;
	}
	return 0;
}

json_t *lw_fig_rate_json(struct lw_rate r)
{
	return r.defined ? json_real((double)r.hundredths / 100.0) : json_null();
}

json_t *lw_fig_row_json(const struct lw_fig_row *row)
{
	const struct lw_counts *c = &row->c;
	json_t *o = json_object();

	json_object_set_new(o, "filed", json_integer(c->filed));
	json_object_set_new(o, "concluded", json_integer(c->concluded));
	json_object_set_new(o, "lost", json_integer(c->lost));
	json_object_set_new(o, "loss_rate", lw_fig_rate_json(row->r.loss));
	json_object_set_new(o, "withdrawn", json_integer(c->withdrawn));
	json_object_set_new(o, "mediated", json_integer(c->mediated));
	json_object_set_new(o, "withdrawn_mediated", json_integer(c->withdrawn + c->mediated));
	json_object_set_new(o, "withdrawn_mediated_rate", lw_fig_rate_json(row->r.withdrawn_mediated));
	json_object_set_new(o, "hearings", json_integer(c->hearings));
	json_object_set_new(o, "head_appeared", json_integer(c->head_attended));
	json_object_set_new(o, "head_appearance_rate", lw_fig_rate_json(row->r.head_appearance));
	json_object_set_new(o, "filed_prev_year", json_integer(c->filed_prev_year));
	json_object_set_new(o, "yoy_filed_growth", lw_fig_rate_json(row->r.yoy_filed_growth));
	return o;
}
