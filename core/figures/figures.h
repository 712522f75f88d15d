/*
 * core/figures/: the official figures (design.md §6, §9), computed once for
 * every output: `litwatch stats`, the bulletin (core/report/), the alert
 * rules and the dashboard.
 *
 * figures.h — per-group counts and rates for a period, the ranking rules
 * of the quarterly bulletin (季度通报), and the other figures the bulletin
 * publishes (lost cases, 12345 work orders beside suits, data
 * completeness, filed per month).
 *
 * Counting rules (docs/domain-rules.md §7, docs/reports.md):
 * - filed (新收) by filing date; concluded, lost, withdrawn, mediated by
 *   conclusion date; head appearance over hearings of cases concluded in
 *   the period;
 * - co-defendants (共同被告) each count the case in their own line; the
 *   total counts each case once, and is never one of the groups;
 * - rates in exact integer arithmetic (domain/rates.h), rounding a setting.
 *
 * Every function reads through the caller's connection (inside its
 * transaction, if any) and keeps no state.  Strings in results are owned by
 * the result (free with its _free function).
 */
#ifndef LW_FIGURES_H
#define LW_FIGURES_H

#include <stddef.h>

#include <jansson.h>

#include "base/err.h"
#include "domain/rates.h"
#include "figures/period.h"
#include "warehouse/warehouse.h"

enum lw_fig_by { LW_FIG_BY_AGENCY = 0, LW_FIG_BY_DOMAIN, LW_FIG_BY_ACT, LW_FIG_BY_COURT };

/* "agency" | "domain" | "act" | "court" -> *out; LW_EINVAL otherwise. */
int lw_fig_by_parse(const char *name, enum lw_fig_by *out, struct lw_err *e);
const char *lw_fig_by_name(enum lw_fig_by by);

struct lw_fig_opts {
	enum lw_rounding rounding;
	int withdrawn_is_loss; /* 被告改变行政行为后撤诉 counts as a loss */
	int every_agency;      /* by agency: list agencies without a case too (zeros) */
	json_t *known_agencies; /* with every_agency: names (object keys) that are agencies
				   even before a row names them (the configuration's
				   "agencies"); may be NULL */
};

struct lw_fig_row {
	char *group;           /* agency name, domain, act, court; "" for the total */
	struct lw_counts c;    /* c.filed_prev_year: filed in the same period last year */
	struct lw_rates r;
};

struct lw_fig_table {
	struct lw_fig_period period;
	enum lw_fig_by by;
	size_t n;
	struct lw_fig_row *rows;  /* sorted by group (code point order) */
	struct lw_fig_row total;  /* every case once */
};

/* The figures of period p grouped by `by`.  Groups with nothing in the
 * period nor in the same period last year are left out, except agencies
 * when opts->every_agency (a zero is a result).  *out filled (free with
 * lw_fig_table_free).  Errors: LW_EDB, LW_ENOMEM, LW_EINVAL (the warehouse
 * holds inconsistent counts). */
int lw_figures_compute(struct lw_wh *wh, enum lw_fig_by by, const struct lw_fig_period *p,
		       const struct lw_fig_opts *opts, struct lw_fig_table *out, struct lw_err *e);
void lw_fig_table_free(struct lw_fig_table *t);
/* Print t as `litwatch stats` does: format "table", "csv" or "json"
 * (by_name: the grouping's name in the table's heading). */
void lw_fig_table_print(const struct lw_fig_table *t, const char *by_name,
			const struct lw_fig_opts *opts, const char *format);
/* The row of group name, or NULL. */
const struct lw_fig_row *lw_fig_table_find(const struct lw_fig_table *t, const char *group);

/* A rate as JSON: percent as a number (2.78), null when undefined. */
json_t *lw_fig_rate_json(struct lw_rate r);
/* The counts and rates of row as a JSON object (data only; no "group"). */
json_t *lw_fig_row_json(const struct lw_fig_row *row);

/* ---- ranking (量化排名) -------------------------------------------------- */

/* Ranks by loss rate, highest first: rank[i] for rows[i] is 1.. or 0 when
 * not ranked (fewer than min_concluded concluded, or no concluded case).
 * Ties on the rate go to more lost cases, then more filed, then the name
 * (code point order): ranks are unique.  Errors: LW_ENOMEM. */
int lw_fig_rank_loss_rate(const struct lw_fig_row *rows, size_t n, long long min_concluded,
			  int *rank);
/* Ranks by year-over-year growth of filed cases, highest first; 0 when
 * the growth is undefined (none filed in the same period last year).
 * Same tie rules. */
int lw_fig_rank_filed_growth(const struct lw_fig_row *rows, size_t n, int *rank);

/* ---- the bulletin's other figures ---------------------------------------- */

/* Cases filed per month of p (each case once): counts[i] for month i;
 * counts has p->months entries. */
int lw_figures_filed_monthly(struct lw_wh *wh, const struct lw_fig_period *p,
			     long long *counts, struct lw_err *e);

/* The first filing date in the warehouse ("YYYY-MM-DD") into day (11
 * bytes), or "" when no case has one.  Since that day the warehouse has
 * data: a month without suits after it is 0, not "no data". */
int lw_figures_data_start(struct lw_wh *wh, char day[11], struct lw_err *e);

/* One lost case of the period (一案一复盘). */
struct lw_fig_lost_case {
	char *case_no, *agency, *cause, *act_type, *outcome, *outcome_label, *concluded_date;
};
/* Every case concluded in p as a loss, one row per defendant agency,
 * ordered by conclusion date, case number, agency.  *out malloc'd (free
 * with lw_fig_lost_cases_free). */
int lw_figures_lost_cases(struct lw_wh *wh, const struct lw_fig_period *p, int withdrawn_is_loss,
			  struct lw_fig_lost_case **out, size_t *n, struct lw_err *e);
void lw_fig_lost_cases_free(struct lw_fig_lost_case *c, size_t n);

/* 12345 work orders concerning law enforcement (tickets.law_enforcement =
 * 1) per agency (tickets.agency_id), received in p and in the same period
 * last year, and how many of them are complaints or reports (投诉/举报). */
struct lw_fig_hotline {
	char *agency;
	long long enforcement, complaints, enforcement_last_year;
};
/* Every agency, ordered by name; tickets with no agency are not counted
 * here (they are in *unassigned). */
int lw_figures_hotline(struct lw_wh *wh, const struct lw_fig_period *p,
		       struct lw_fig_hotline **out, size_t *n, long long *unassigned,
		       struct lw_err *e);
void lw_fig_hotline_free(struct lw_fig_hotline *h, size_t n);

/* Data completeness.  An agency has reported for p when a case it is sued
 * in was written by an import started on or after p's first day (12345
 * work orders come from the platform, not from the agencies); every
 * source's last import is listed with its time (UTC). */
struct lw_fig_source {
	char *source, *last_import, *last_status;
	long long imports;
};
struct lw_fig_completeness {
	char **silent;      /* agencies that sent nothing since p began, by name */
	size_t nsilent;
	size_t nagencies;
	struct lw_fig_source *sources;
	size_t nsources;
};
/* known_agencies as in struct lw_fig_opts: a configured agency nothing has
 * named yet has sent nothing. */
int lw_figures_completeness(struct lw_wh *wh, const struct lw_fig_period *p,
			    json_t *known_agencies, struct lw_fig_completeness *out,
			    struct lw_err *e);
void lw_fig_completeness_free(struct lw_fig_completeness *c);

#endif
