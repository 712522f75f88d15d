/*
 * obligations.c — the obligations' SQL, in one place, and their
 * recomputation from the cases (see obligations.h).
 */
#include "deadlines/obligations.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char sql_case[] =
	"SELECT filed_date, concluded_date, papers_received_date, reported_date,\n"
	"       defence_filed_date, judgment_received_date, loss_report_date,\n"
	"       rectification_date, type_code, outcome, agency_lost\n"
	"  FROM cases WHERE case_no = :case_no";
static const char sql_defendants[] =
	"SELECT agency_id FROM case_defendants WHERE case_no = :case_no ORDER BY agency_id";
static const char sql_delete_case[] = "DELETE FROM obligations WHERE case_no = :case_no";
static const char sql_insert[] =
	"INSERT INTO obligations (case_no, rule, agency_id, calendar, informational, start_date,\n"
	"                         due_date, done_date, status, days_late, note, computed_at)\n"
	"VALUES (:case_no, :rule, :agency_id, :calendar, :informational, :start, :due, :done,\n"
	"        :status, :days_late, :note, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))";
static const char sql_import_cases[] =
	"SELECT case_no FROM cases WHERE import_id = :import_id ORDER BY case_no";
static const char sql_all_cases[] = "SELECT case_no FROM cases ORDER BY case_no";
static const char sql_delete_all[] = "DELETE FROM obligations";
/* Every filter is optional: a NULL parameter matches everything.  The
 * time-dependent state is decided here, as of :as_of. */
static const char sql_each[] =
	"SELECT o.case_no, coalesce(a.name, ''), o.rule, coalesce(o.start_date, ''),\n"
	"       coalesce(o.due_date, ''), coalesce(o.done_date, ''),\n"
	"       CASE WHEN o.status <> 'open' THEN o.status\n"
	"            WHEN o.due_date >= :as_of THEN 'due'\n"
	"            WHEN o.informational THEN 'passed'\n"
	"            ELSE 'overdue' END AS state,\n"
	"       o.days_late, coalesce(o.note, ''), o.informational,\n"
	"       CAST(julianday(:as_of) - julianday(o.due_date) AS INTEGER)\n"
	"  FROM obligations o LEFT JOIN agencies a ON a.id = o.agency_id\n"
	" WHERE (:agency IS NULL OR a.name = :agency)\n"
	"   AND (:rule IS NULL OR o.rule = :rule)\n"
	"   AND (:case_no IS NULL OR o.case_no = :case_no)\n"
	"   AND (:state IS NULL OR state = :state)\n"
	" ORDER BY o.due_date IS NULL, o.due_date, a.name, o.case_no, o.rule";
static const char sql_on_time[] =
	"SELECT coalesce(a.name, ''),\n"
	"       sum(o.status = 'met'), sum(o.status = 'late'),\n"
	"       sum(o.status = 'open' AND o.due_date < :as_of),\n"
	"       sum(o.status = 'open' AND o.due_date >= :as_of)\n"
	"  FROM obligations o LEFT JOIN agencies a ON a.id = o.agency_id\n"
	" WHERE o.informational = 0 AND o.due_date >= :from AND o.due_date < :to\n"
	" GROUP BY 1 ORDER BY 1";

static int bind_opt(sqlite3_stmt *st, const char *name, const char *v, struct lw_err *e)
{
	return v && *v ? lw_wh_bind_text(st, name, v, e) : lw_wh_bind_null(st, name, e);
}

static char *col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	return s ? strdup((const char *)s) : NULL;
}

struct case_row {
	char *date[LW_DL_FIELD_COUNT];
	char *type_code, *outcome;
	int agency_lost;
	int64_t *agencies;
	size_t nagencies;
};

static void case_row_free(struct case_row *c)
{
	for (int i = 0; i < LW_DL_FIELD_COUNT; i++)
		free(c->date[i]);
	free(c->type_code);
	free(c->outcome);
	free(c->agencies);
}

/* Read the case; *found 0 when it is gone. */
static int load_case(struct lw_wh *wh, const char *case_no, struct case_row *c, int *found,
		     struct lw_err *e)
{
	sqlite3_stmt *st;
	int rc;

	memset(c, 0, sizeof *c);
	if ((rc = lw_wh_stmt(wh, sql_case, &st, e)) || (rc = lw_wh_bind_text(st, ":case_no", case_no, e)) ||
	    (rc = lw_wh_step(wh, st, e)) < 0)
		return rc;
	if (!(*found = rc))
		return 0;
	for (int i = 0; i < LW_DL_FIELD_COUNT; i++)
		c->date[i] = col_dup(st, i);
	c->type_code = col_dup(st, 8);
	c->outcome = col_dup(st, 9);
	c->agency_lost = sqlite3_column_type(st, 10) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 10);
	sqlite3_reset(st);
	if ((rc = lw_wh_stmt(wh, sql_defendants, &st, e)) ||
	    (rc = lw_wh_bind_text(st, ":case_no", case_no, e)))
		return rc;
	while ((rc = lw_wh_step(wh, st, e)) == 1) {
		int64_t *t = realloc(c->agencies, (c->nagencies + 1) * sizeof *t);
		if (!t) {
			sqlite3_reset(st);
			return lw_err_set(e, LW_ENOMEM, "out of memory");
		}
		c->agencies = t;
		c->agencies[c->nagencies++] = sqlite3_column_int64(st, 0);
	}
	return rc;
}

static int insert(struct lw_wh *wh, const char *case_no, const struct lw_dl_rule *r,
		  int64_t agency_id, const struct lw_obligation *ob, struct lw_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = lw_wh_stmt(wh, sql_insert, &st, e)) ||
	    (rc = lw_wh_bind_text(st, ":case_no", case_no, e)) ||
	    (rc = lw_wh_bind_text(st, ":rule", r->name, e)) ||
	    (rc = agency_id ? lw_wh_bind_int64(st, ":agency_id", agency_id, e)
			    : lw_wh_bind_null(st, ":agency_id", e)) ||
	    (rc = lw_wh_bind_text(st, ":calendar", r->calendar == LW_DL_WORKING ? "working" : "calendar",
				  e)) ||
	    (rc = lw_wh_bind_int64(st, ":informational", r->done < 0, e)) ||
	    (rc = bind_opt(st, ":start", ob->start, e)) || (rc = bind_opt(st, ":due", ob->due, e)) ||
	    (rc = bind_opt(st, ":done", ob->done, e)) ||
	    (rc = lw_wh_bind_text(st, ":status", lw_ob_status_name(ob->status), e)) ||
	    (rc = ob->status == LW_OB_LATE ? lw_wh_bind_int64(st, ":days_late", ob->days_late, e)
					   : lw_wh_bind_null(st, ":days_late", e)) ||
	    (rc = bind_opt(st, ":note", ob->note, e)) || (rc = lw_wh_step(wh, st, e)) < 0)
		return rc;
	return 0;
}

int lw_obligations_recompute_case(struct lw_wh *wh, const struct lw_dl_conf *conf,
				  const char *case_no, struct lw_err *e)
{
	struct case_row c;
	struct lw_dl_case dc = {0};
	sqlite3_stmt *st;
	int rc, found = 0;

	if ((rc = lw_wh_stmt(wh, sql_delete_case, &st, e)) ||
	    (rc = lw_wh_bind_text(st, ":case_no", case_no, e)) || (rc = lw_wh_step(wh, st, e)) < 0)
		return rc;
	if ((rc = load_case(wh, case_no, &c, &found, e)) != 0 || !found)
		goto out;
	for (int i = 0; i < LW_DL_FIELD_COUNT; i++)
		dc.date[i] = c.date[i];
	dc.type_code = c.type_code;
	dc.outcome = c.outcome;
	dc.agency_lost = c.agency_lost;
	for (size_t i = 0; i < conf->nrules; i++) {
		const struct lw_dl_rule *r = &conf->rules[i];
		struct lw_obligation ob;
		if (!lw_dl_applies(r, &dc))
			continue;
		lw_dl_compute(r, conf->cal, &dc, &ob); /* a bad date is stored as unknown */
		/* Each defendant (co-defendants too) owes it: each is named. */
		for (size_t k = 0; k < (c.nagencies ? c.nagencies : 1); k++)
			if ((rc = insert(wh, case_no, r, c.nagencies ? c.agencies[k] : 0, &ob, e)) != 0)
				goto out;
	}
out:
	case_row_free(&c);
	return rc;
}

/* Recompute the cases a query lists (collected first: the recomputation
 * runs other statements on the same connection). */
static int recompute_listed(struct lw_wh *wh, const struct lw_dl_conf *conf, const char *sql,
			    int64_t import_id, size_t *count, struct lw_err *e)
{
	char **keys = NULL;
	size_t n = 0;
	sqlite3_stmt *st;
	int rc;

	if ((rc = lw_wh_stmt(wh, sql, &st, e)) ||
	    (import_id && (rc = lw_wh_bind_int64(st, ":import_id", import_id, e))))
		return rc;
	while ((rc = lw_wh_step(wh, st, e)) == 1) {
		char **t = realloc(keys, (n + 1) * sizeof *t);
		if (!t || !(t[n] = col_dup(st, 0))) {
			keys = t ? t : keys;
			sqlite3_reset(st);
			rc = lw_err_set(e, LW_ENOMEM, "out of memory");
			break;
		}
		keys = t;
		n++;
	}
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = lw_obligations_recompute_case(wh, conf, keys[i], e);
	for (size_t i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
	if (count)
		*count = rc == 0 ? n : 0;
	return rc;
}

int lw_obligations_recompute_import(struct lw_wh *wh, const struct lw_dl_conf *conf,
				    int64_t import_id, size_t *n, struct lw_err *e)
{
	return recompute_listed(wh, conf, sql_import_cases, import_id, n, e);
}

int lw_obligations_recompute_all(struct lw_wh *wh, const struct lw_dl_conf *conf, size_t *n,
				 struct lw_err *e)
{
	int own = !lw_wh_in_transaction(wh), rc;
	sqlite3_stmt *st;

	if (own && (rc = lw_wh_begin_immediate(wh, e)) != 0)
		return rc;
	if ((rc = lw_wh_stmt(wh, sql_delete_all, &st, e)) || (rc = lw_wh_step(wh, st, e)) < 0 ||
	    (rc = recompute_listed(wh, conf, sql_all_cases, 0, n, e)) != 0) {
		if (own)
			lw_wh_rollback(wh);
		return rc < 0 ? rc : LW_EDB;
	}
	return own ? lw_wh_commit(wh, e) : 0;
}

static int col_int_or(sqlite3_stmt *st, int i, int def)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? def : sqlite3_column_int(st, i);
}

int lw_obligations_each(struct lw_wh *wh, const struct lw_dl_conf *conf, const char *as_of,
			const struct lw_ob_filter *f, lw_ob_fn fn, void *ud, struct lw_err *e)
{
	static const struct lw_ob_filter none = {0};
	struct lw_date today;
	sqlite3_stmt *st;
	int rc;

	f = f ? f : &none;
	if (lw_date_parse(as_of, LW_DATE_NO_SERIAL, &today, NULL) != 0)
		return lw_err_set(e, LW_EINVAL, "as-of date \"%s\" is not a date", as_of);
	if ((rc = lw_wh_stmt(wh, sql_each, &st, e)) || (rc = lw_wh_bind_text(st, ":as_of", as_of, e)) ||
	    (rc = bind_opt(st, ":agency", f->agency, e)) || (rc = bind_opt(st, ":rule", f->rule, e)) ||
	    (rc = bind_opt(st, ":state", f->state, e)) ||
	    (rc = bind_opt(st, ":case_no", f->case_no, e)))
		return rc;
	while ((rc = lw_wh_step(wh, st, e)) == 1) {
		struct lw_ob_row r;
		char note[128];
		r.case_no = (const char *)sqlite3_column_text(st, 0);
		r.agency = (const char *)sqlite3_column_text(st, 1);
		r.rule = (const char *)sqlite3_column_text(st, 2);
		r.start = (const char *)sqlite3_column_text(st, 3);
		r.due = (const char *)sqlite3_column_text(st, 4);
		r.done = (const char *)sqlite3_column_text(st, 5);
		r.state = (const char *)sqlite3_column_text(st, 6);
		r.days_late = col_int_or(st, 7, -1);
		r.note = (const char *)sqlite3_column_text(st, 8);
		r.informational = sqlite3_column_int(st, 9);
		r.days_left = -1;
		if (!strcmp(r.state, "overdue"))
			r.days_late = sqlite3_column_int(st, 10);
		if (!strcmp(r.state, "due")) {
			struct lw_date due;
			struct lw_err we = {0};
			if (lw_date_parse(r.due, LW_DATE_NO_SERIAL, &due, NULL) == 0 &&
			    conf && lw_dl_workdays_between(conf->cal, &today, &due, &r.days_left, &we) != 0) {
				/* The due date is known but not the working days up to it. */
				r.days_left = -1;
				snprintf(note, sizeof note, "%.120s", we.msg);
				r.note = note;
			}
		}
		if ((rc = fn(ud, &r)) != 0) {
			sqlite3_reset(st);
			return rc;
		}
	}
	return rc < 0 ? rc : 0;
}

int lw_obligations_on_time(struct lw_wh *wh, const char *from, const char *to, const char *as_of,
			   lw_on_time_fn fn, void *ud, struct lw_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = lw_wh_stmt(wh, sql_on_time, &st, e)) || (rc = lw_wh_bind_text(st, ":from", from, e)) ||
	    (rc = lw_wh_bind_text(st, ":to", to, e)) || (rc = lw_wh_bind_text(st, ":as_of", as_of, e)))
		return rc;
	while ((rc = lw_wh_step(wh, st, e)) == 1) {
		struct lw_ob_on_time t;
		int64_t denom;
		t.agency = (const char *)sqlite3_column_text(st, 0);
		t.met = sqlite3_column_int64(st, 1);
		t.late = sqlite3_column_int64(st, 2);
		t.overdue = sqlite3_column_int64(st, 3);
		t.open = sqlite3_column_int64(st, 4);
		denom = t.met + t.late + t.overdue;
		t.rate = denom ? (double)t.met / (double)denom : NAN;
		if ((rc = fn(ud, &t)) != 0) {
			sqlite3_reset(st);
			return rc;
		}
	}
	return rc < 0 ? rc : 0;
}
