/*
 * obligations.h — the stored obligations (table `obligations`, one row per
 * case × rule × defendant agency) and what the dashboard, the bulletin, the
 * CLI and the alert engine read of them.
 *
 * What is stored does not depend on the clock: waiting, open, met, late,
 * unknown.  An open obligation is `due` or `overdue` only as of a date,
 * decided when read (`passed` for an informational rule past its date), so
 * a stored row never goes stale as days pass; only the case's dates, the
 * rules or the holiday calendar change it, and each of those recomputes it.
 *
 * Threads: like struct lw_wh, one thread at a time per connection.  All
 * writes run inside the caller's transaction when one is open.
 */
#ifndef LW_DEADLINES_OBLIGATIONS_H
#define LW_DEADLINES_OBLIGATIONS_H

#include <stddef.h>
#include <stdint.h>

#include "deadlines/deadlines.h"
#include "warehouse/warehouse.h"

/* Recompute the obligations of every case the import import_id inserted or
 * changed, inside the import's open transaction (so they commit with its
 * rows).  *n (may be NULL) receives the number of cases recomputed. */
int lw_obligations_recompute_import(struct lw_wh *wh, const struct lw_dl_conf *conf,
				    int64_t import_id, size_t *n, struct lw_err *e);

/* Recompute one case (its rows replaced). */
int lw_obligations_recompute_case(struct lw_wh *wh, const struct lw_dl_conf *conf,
				  const char *case_no, struct lw_err *e);

/* Recompute every case after the rules or the calendar changed (daemon
 * start and reload, `litwatch deadlines`): rows of rules no longer
 * configured go.  Its own write transaction unless one is open. */
int lw_obligations_recompute_all(struct lw_wh *wh, const struct lw_dl_conf *conf, size_t *n,
				 struct lw_err *e);

/* One obligation as of a date. */
struct lw_ob_row {
	const char *case_no, *agency, *rule; /* agency "" when the case names none */
	const char *start, *due, *done;      /* ISO dates, "" when none */
	const char *state;    /* waiting|due|overdue|met|late|unknown|passed */
	int days_left;        /* due: working days after as_of up to the due date; else -1 */
	int days_late;        /* late: calendar days after due; overdue: as_of - due; else -1 */
	const char *note;     /* unknown: "calendar missing for 2028"; else "" */
	int informational;    /* the rule has no `done` field */
};

struct lw_ob_filter {
	const char *agency; /* NULL: all */
	const char *state;  /* NULL: all; else one of the states above */
	const char *rule;   /* NULL: all */
	const char *case_no; /* NULL: all */
};

/* Call fn for every obligation matching f as of as_of (an ISO date), in
 * order of due date, agency, case.  Strings are valid during the call only.
 * conf may be NULL: due rows then have days_left -1 (no calendar).
 * A nonzero return of fn stops the walk and is returned. */
typedef int (*lw_ob_fn)(void *ud, const struct lw_ob_row *row);
int lw_obligations_each(struct lw_wh *wh, const struct lw_dl_conf *conf, const char *as_of,
			const struct lw_ob_filter *f, lw_ob_fn fn, void *ud, struct lw_err *e);

/* On-time figures of one agency for the bulletin's 按时报备率 section:
 * obligations with a `done` field whose due date falls in the period. */
struct lw_ob_on_time {
	const char *agency;
	int64_t met, late, overdue, open; /* open: not done, not yet due at as_of */
	double rate;                      /* met / (met + late + overdue); NaN when 0/0 */
};

/* For every agency with an obligation due in [from, to) (ISO dates), as of
 * as_of: fn once, by agency name.  For the bulletin (another issue) and the
 * dashboard. */
typedef int (*lw_on_time_fn)(void *ud, const struct lw_ob_on_time *t);
int lw_obligations_on_time(struct lw_wh *wh, const char *from, const char *to, const char *as_of,
			   lw_on_time_fn fn, void *ud, struct lw_err *e);

#endif
