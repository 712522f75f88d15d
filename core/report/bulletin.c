/*
 * bulletin.c — the bulletin document (report.h), data only: every number
 * an output shows is here, and nothing an output only displays.
 *
 *   period, same_period_last_year, previous_period, year_to_date   periods
 *   rules        rounding, loss rule, minimum concluded, flagged top N
 *   headline     the total of each period, and the change on last year
 *   groups       every group (every agency, zero or not) with its
 *                figures, its ranks and its flags
 *   lost_cases   一案一复盘
 *   hotline      12345 enforcement work orders beside the suits filed
 *   completeness agencies that sent nothing, each source's last import
 *   monthly_filed  filed per month, this year and last year
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deadlines/obligations.h"
#include "report/report.h"

static json_t *period_json(const struct lw_fig_period *p)
{
	return json_pack("{s:s, s:s, s:s, s:i}", "label", p->label, "start", p->start, "last",
			 p->last, "months", p->months);
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *rank_json(int r)
{
	return r > 0 ? json_integer(r) : json_null();
}

/* Change of `what` from b to a: counts as differences, rates in points
 * (hundredths exact, as published: 2.78 - 2.50 = 0.28). */
static json_t *change_json(const struct lw_fig_row *a, const struct lw_fig_row *b)
{
	json_t *o = json_object();
	struct {
		const char *k;
		struct lw_rate x, y;
	} rates[] = {
		{"loss_rate_points", a->r.loss, b->r.loss},
		{"withdrawn_mediated_rate_points", a->r.withdrawn_mediated, b->r.withdrawn_mediated},
		{"head_appearance_rate_points", a->r.head_appearance, b->r.head_appearance},
	};

	json_object_set_new(o, "filed", json_integer(a->c.filed - b->c.filed));
	json_object_set_new(o, "concluded", json_integer(a->c.concluded - b->c.concluded));
	json_object_set_new(o, "lost", json_integer(a->c.lost - b->c.lost));
	json_object_set_new(o, "withdrawn_mediated", json_integer(a->c.withdrawn + a->c.mediated -
								    b->c.withdrawn - b->c.mediated));
	for (size_t i = 0; i < sizeof rates / sizeof *rates; i++) {
		struct lw_rate d = {rates[i].x.defined && rates[i].y.defined,
				    rates[i].x.hundredths - rates[i].y.hundredths};
		if (!d.defined)
			d.hundredths = 0;
		json_object_set_new(o, rates[i].k, lw_fig_rate_json(d));
	}
	return o;
}

static int groups_json(const struct lw_fig_table *t, const struct lw_fig_table *ytd,
		       const struct lw_bulletin_opts *o, json_t *out, struct lw_err *e)
{
	int *rl = calloc(t->n + 1, sizeof *rl), *rg = calloc(t->n + 1, sizeof *rg);
	int *al = calloc(ytd->n + 1, sizeof *al), *ag = calloc(ytd->n + 1, sizeof *ag);
	int rc = 0;

	if (!rl || !rg || !al || !ag || lw_fig_rank_loss_rate(t->rows, t->n, o->min_concluded, rl) ||
	    lw_fig_rank_filed_growth(t->rows, t->n, rg) ||
	    lw_fig_rank_loss_rate(ytd->rows, ytd->n, o->min_concluded, al) ||
	    lw_fig_rank_filed_growth(ytd->rows, ytd->n, ag)) {
		rc = lw_err_set(e, LW_ENOMEM, "bulletin: out of memory");
		goto out;
	}
	for (size_t i = 0; i < t->n; i++) {
		const struct lw_fig_row *r = &t->rows[i], *y = NULL;
		json_t *g = json_object(), *f = lw_fig_row_json(r), *yj;
		int arank = 0, grank = 0;

		for (size_t k = 0; k < ytd->n; k++)
			if (!strcmp(ytd->rows[k].group, r->group)) {
				y = &ytd->rows[k];
				arank = al[k];
				grank = ag[k];
			}
		json_object_set_new(g, "group", json_string(r->group));
		json_object_update(g, f);
		json_decref(f);
		json_object_set_new(g, "loss_rate_rank", rank_json(rl[i]));
		json_object_set_new(g, "filed_growth_rank", rank_json(rg[i]));
		if (y) {
			yj = lw_fig_row_json(y);
		} else {
			struct lw_fig_row zero = {0}; /* rates undefined: null */
			yj = lw_fig_row_json(&zero);
		}
		json_object_set_new(yj, "loss_rate_rank", rank_json(arank));
		json_object_set_new(yj, "filed_growth_rank", rank_json(grank));
		json_object_set_new(g, "year_to_date", yj);
		json_object_set_new(g, "not_excellent",
				    json_boolean(arank > 0 && (unsigned)arank <= o->flag_top));
		json_object_set_new(g, "highest_growth", json_boolean(grank == 1));
		json_array_append_new(out, g);
	}
out:
	free(rl);
	free(rg);
	free(al);
	free(ag);
	return rc;
}

/* Rank order: ranked groups by loss-rate rank, then the others by name
 * (the table leaders read, and the range the XLSX bar chart covers). */
static int by_rank(const void *pa, const void *pb)
{
	json_t *a = *(json_t *const *)pa, *b = *(json_t *const *)pb;
	json_t *ra = json_object_get(a, "loss_rate_rank"), *rb = json_object_get(b, "loss_rate_rank");

	if (json_is_integer(ra) != json_is_integer(rb))
		return json_is_integer(ra) ? -1 : 1;
	if (json_is_integer(ra))
		return json_integer_value(ra) < json_integer_value(rb) ? -1 : 1;
	return strcmp(json_string_value(json_object_get(a, "group")),
		      json_string_value(json_object_get(b, "group")));
}

static int sort_groups(json_t *groups, struct lw_err *e)
{
	size_t n = json_array_size(groups);
	json_t **v = malloc((n ? n : 1) * sizeof *v);

	if (!v)
		return lw_err_set(e, LW_ENOMEM, "bulletin: out of memory");
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(groups, i));
	qsort(v, n, sizeof *v, by_rank);
	json_array_clear(groups);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(groups, v[i]);
	free(v);
	return 0;
}

static int lists_json(struct lw_wh *wh, const struct lw_bulletin_opts *o,
		      const struct lw_fig_table *agencies, json_t *doc, struct lw_err *e)
{
	struct lw_fig_lost_case *lc = NULL;
	struct lw_fig_hotline *h = NULL;
	struct lw_fig_completeness c = {0};
	size_t nlc = 0, nh = 0;
	long long unassigned = 0;
	json_t *a;
	int rc;

	if ((rc = lw_figures_lost_cases(wh, &o->period, o->withdrawn_is_loss, &lc, &nlc, e)) ||
	    (rc = lw_figures_hotline(wh, &o->period, &h, &nh, &unassigned, e)) ||
	    (rc = lw_figures_completeness(wh, &o->period, o->known_agencies, &c, e)))
		goto out;
	a = json_array();
	for (size_t i = 0; i < nlc; i++)
		json_array_append_new(
			a, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "case_no",
				     str_or_null(lc[i].case_no), "agency", str_or_null(lc[i].agency),
				     "cause", str_or_null(lc[i].cause), "act_type",
				     str_or_null(lc[i].act_type), "outcome", str_or_null(lc[i].outcome),
				     "outcome_label", str_or_null(lc[i].outcome_label),
				     "concluded_date", str_or_null(lc[i].concluded_date)));
	json_object_set_new(doc, "lost_cases", a);
	a = json_array();
	for (size_t i = 0; i < nh; i++) {
		const struct lw_fig_row *r = lw_fig_table_find(agencies, h[i].agency ? h[i].agency : "");
		json_array_append_new(
			a, json_pack("{s:o, s:I, s:I, s:I, s:I}", "agency", str_or_null(h[i].agency),
				     "enforcement", (json_int_t)h[i].enforcement, "complaints",
				     (json_int_t)h[i].complaints, "enforcement_last_year",
				     (json_int_t)h[i].enforcement_last_year, "suits_filed",
				     (json_int_t)(r ? r->c.filed : 0)));
	}
	json_object_set_new(doc, "hotline",
			    json_pack("{s:o, s:I}", "agencies", a, "unassigned", (json_int_t)unassigned));
	{
		json_t *silent = json_array(), *src = json_array();
		for (size_t i = 0; i < c.nsilent; i++)
			json_array_append_new(silent, json_string(c.silent[i]));
		for (size_t i = 0; i < c.nsources; i++)
			json_array_append_new(
				src, json_pack("{s:o, s:o, s:o, s:I}", "source",
					       str_or_null(c.sources[i].source), "last_import",
					       str_or_null(c.sources[i].last_import), "last_status",
					       str_or_null(c.sources[i].last_status), "imports",
					       (json_int_t)c.sources[i].imports));
		json_object_set_new(doc, "completeness",
				    json_pack("{s:b, s:I, s:o, s:o}", "complete",
					      c.nsilent == 0 && c.nsources > 0, "agencies",
					      (json_int_t)c.nagencies, "silent_agencies", silent,
					      "sources", src));
	}
out:
	lw_fig_lost_cases_free(lc, nlc);
	lw_fig_hotline_free(h, nh);
	lw_fig_completeness_free(&c);
	return rc;
}

/* ---- 时限: the on-time rate and what was late or is overdue ---- */

struct dl_ctx {
	json_t *agencies, *items;
	const struct lw_fig_period *p;
	enum lw_rounding rounding;
};

static int on_time_row(void *ud, const struct lw_ob_on_time *t)
{
	struct dl_ctx *c = ud;
	struct lw_rate r = lw_rate_percent(t->met, t->met + t->late + t->overdue, c->rounding);

	return json_array_append_new(
		c->agencies,
		json_pack("{s:s, s:I, s:I, s:I, s:I, s:o}", "agency", t->agency, "met",
			  (json_int_t)t->met, "late", (json_int_t)t->late, "overdue",
			  (json_int_t)t->overdue, "open", (json_int_t)t->open, "on_time_rate",
			  lw_fig_rate_json(r))) ? LW_ENOMEM : 0;
}

static int late_row(void *ud, const struct lw_ob_row *r)
{
	struct dl_ctx *c = ud;

	/* Only what fell due in the period. */
	if (strcmp(r->due, c->p->start) < 0 || strcmp(r->due, c->p->end) >= 0)
		return 0;
	return json_array_append_new(
		c->items,
		json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:i}", "case_no", r->case_no, "agency",
			  r->agency, "rule", r->rule, "due", r->due, "done",
			  *r->done ? json_string(r->done) : json_null(), "state", r->state,
			  "days_late", r->days_late)) ? LW_ENOMEM : 0;
}

/* The obligations due in the period, as of its end (a bulletin has no clock):
 * per agency met / late / overdue and 按时报备率, and each late or overdue one. */
static int deadlines_json(struct lw_wh *wh, const struct lw_bulletin_opts *o, json_t *doc,
			  struct lw_err *e)
{
	static const struct lw_ob_filter late = {.state = "late"}, overdue = {.state = "overdue"};
	struct dl_ctx c = {json_array(), json_array(), &o->period, o->rounding};
	int rc;

	if ((rc = lw_obligations_on_time(wh, o->period.start, o->period.end, o->period.end,
					 on_time_row, &c, e)) ||
	    (rc = lw_obligations_each(wh, NULL, o->period.end, &late, late_row, &c, e)) ||
	    (rc = lw_obligations_each(wh, NULL, o->period.end, &overdue, late_row, &c, e))) {
		json_decref(c.agencies);
		json_decref(c.items);
		return rc;
	}
	json_object_set_new(doc, "deadlines",
			    json_pack("{s:o, s:o}", "agencies", c.agencies, "late_or_overdue", c.items));
	return 0;
}

static int monthly_json(struct lw_wh *wh, const struct lw_fig_period *p, json_t *doc,
			struct lw_err *e)
{
	struct lw_fig_period ytd, year, last;
	long long cur[12], prev[12];
	json_t *a = json_array(), *b = json_array();
	int rc;

	lw_fig_period_year_to_end(p, &ytd);
	lw_fig_period_make(ytd.year, 1, 12, &year);
	lw_fig_period_last_year(&year, &last);
	if ((rc = lw_figures_filed_monthly(wh, &year, cur, e)) ||
	    (rc = lw_figures_filed_monthly(wh, &last, prev, e))) {
		json_decref(a);
		json_decref(b);
		return rc;
	}
	for (int i = 0; i < 12; i++) {
		/* Months after the period are not "zero": they have not happened. */
		json_array_append_new(a, i < ytd.months ? json_integer(cur[i]) : json_null());
		json_array_append_new(b, json_integer(prev[i]));
	}
	json_object_set_new(doc, "monthly_filed",
			    json_pack("{s:i, s:o, s:o}", "year", ytd.year, "this_year", a,
				      "last_year", b));
	return 0;
}

int lw_bulletin_build(struct lw_wh *wh, const struct lw_bulletin_opts *o, json_t **out,
		      struct lw_err *e)
{
	struct lw_fig_period ly, prev, ytd;
	struct lw_fig_table t = {0}, tly = {0}, tprev = {0}, tytd = {0}, tag = {0};
	struct lw_fig_opts fo = {o->rounding, o->withdrawn_is_loss, 1, o->known_agencies};
	json_t *doc = NULL, *groups;
	int rc, began = 0;

	*out = NULL;
	lw_fig_period_last_year(&o->period, &ly);
	lw_fig_period_previous(&o->period, &prev);
	lw_fig_period_year_to_end(&o->period, &ytd);
	if (!lw_wh_in_transaction(wh)) {
		if ((rc = lw_wh_begin_read(wh, e)) != 0)
			return rc;
		began = 1;
	}
	if ((rc = lw_figures_compute(wh, o->by, &o->period, &fo, &t, e)) ||
	    (rc = lw_figures_compute(wh, o->by, &ly, &fo, &tly, e)) ||
	    (rc = lw_figures_compute(wh, o->by, &prev, &fo, &tprev, e)) ||
	    (rc = lw_figures_compute(wh, o->by, &ytd, &fo, &tytd, e)) ||
	    (o->by != LW_FIG_BY_AGENCY &&
	     (rc = lw_figures_compute(wh, LW_FIG_BY_AGENCY, &o->period, &fo, &tag, e))))
		goto out;
	doc = json_object();
	json_object_set_new(doc, "bulletin", json_string("litwatch.bulletin/1"));
	json_object_set_new(doc, "title", str_or_null(o->title));
	json_object_set_new(doc, "period", period_json(&o->period));
	json_object_set_new(doc, "same_period_last_year", period_json(&ly));
	json_object_set_new(doc, "previous_period", period_json(&prev));
	json_object_set_new(doc, "year_to_date", period_json(&ytd));
	json_object_set_new(doc, "by", json_string(lw_fig_by_name(o->by)));
	json_object_set_new(doc, "rules",
			    json_pack("{s:s, s:b, s:I, s:i}", "rounding", lw_rounding_name(o->rounding),
				      "withdrawn_after_change_is_loss", o->withdrawn_is_loss,
				      "min_concluded", (json_int_t)o->min_concluded, "flag_top",
				      (int)o->flag_top));
	json_object_set_new(doc, "headline",
			    json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "period",
				      lw_fig_row_json(&t.total), "same_period_last_year",
				      lw_fig_row_json(&tly.total), "previous_period",
				      lw_fig_row_json(&tprev.total), "year_to_date",
				      lw_fig_row_json(&tytd.total), "change_on_last_year",
				      change_json(&t.total, &tly.total), "change_on_previous_period",
				      change_json(&t.total, &tprev.total)));
	groups = json_array();
	json_object_set_new(doc, "groups", groups);
	if ((rc = groups_json(&t, &tytd, o, groups, e)) || (rc = sort_groups(groups, e)) ||
	    (rc = lists_json(wh, o, o->by == LW_FIG_BY_AGENCY ? &t : &tag, doc, e)) ||
	    (rc = monthly_json(wh, &o->period, doc, e)) || (rc = deadlines_json(wh, o, doc, e)))
		goto out;
	*out = doc;
	doc = NULL;
out:
	if (began)
		lw_wh_rollback(wh);
	json_decref(doc);
	lw_fig_table_free(&t);
	lw_fig_table_free(&tly);
	lw_fig_table_free(&tprev);
	lw_fig_table_free(&tytd);
	lw_fig_table_free(&tag);
	return rc;
}
