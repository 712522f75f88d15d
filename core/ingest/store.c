/*
 * store.c — the import pipeline's SQL, in one place (see store.h).
 *
 * The statements for `cases` and `tickets` are assembled once, at
 * lw_store_new, from the constant column lists in mapper.c, so that the
 * column list has a single source of truth; no value is ever put into SQL
 * text (all values are bound parameters).
 */
#include "ingest/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ingest/agencies.h"
#include "ingest/store_int.h"
#include "warehouse/warehouse.h"

static const char *case_name(int c)
{
	return lw_case_col_name((enum lw_case_col)c);
}

static const char *ticket_name(int c)
{
	return lw_ticket_col_name((enum lw_ticket_col)c);
}

/* Build the three statements of a table from its column list. */
static int build_sql(struct table_sql *t)
{
	size_t cap = 4096;
	char *sel = malloc(cap), *ins = malloc(cap), *upd = malloc(cap);
	size_t s = 0, i = 0, u = 0;

	if (!sel || !ins || !upd) {
		free(sel);
		free(ins);
		free(upd);
		return LW_ENOMEM;
	}
	s += (size_t)snprintf(sel + s, cap - s, "SELECT ");
	i += (size_t)snprintf(ins + i, cap - i, "INSERT INTO %s (%s, source, import_id, source_row, "
			      "first_import_id", t->table, t->key);
	u += (size_t)snprintf(upd + u, cap - u, "UPDATE %s SET import_id = :import_id, source_row = "
			      ":source_row%s", t->table, t->stamped ? ", updated_at = :now" : "");
	for (int c = 0; c < t->ncols; c++) {
		s += (size_t)snprintf(sel + s, cap - s, "%s, ", t->colname(c));
		i += (size_t)snprintf(ins + i, cap - i, ", %s", t->colname(c));
		u += (size_t)snprintf(upd + u, cap - u, ", %s = :c%d", t->colname(c), c);
	}
	if (t->stamped)
		i += (size_t)snprintf(ins + i, cap - i, ", first_seen, updated_at");
	s += (size_t)snprintf(sel + s, cap - s, "source FROM %s WHERE %s = :key", t->table, t->key);
	i += (size_t)snprintf(ins + i, cap - i, ") VALUES (:key, :source, :import_id, :source_row, "
			      ":import_id");
	for (int c = 0; c < t->ncols; c++)
		i += (size_t)snprintf(ins + i, cap - i, ", :c%d", c);
	/* The import's start time, bound once per row instead of a DEFAULT
	 * that formats the clock twice per row. */
	if (t->stamped)
		i += (size_t)snprintf(ins + i, cap - i, ", :now, :now");
	i += (size_t)snprintf(ins + i, cap - i, ") ON CONFLICT(%s) DO NOTHING", t->key);
	u += (size_t)snprintf(upd + u, cap - u, " WHERE %s = :key", t->key);
	t->select = sel;
	t->insert = ins;
	t->update = upd;
	return 0;
}

int lw_store_new(struct lw_wh *wh, const char *const *precedence, size_t nprecedence,
		 struct lw_store **out, struct lw_err *e)
{
	struct lw_store *st = calloc(1, sizeof *st);

	*out = NULL;
	if (!st)
		return lw_err_set(e, LW_ENOMEM, "out of memory");
	st->wh = wh;
	st->t[LW_TARGET_CASES] = (struct table_sql){.table = "cases", .key = "case_no",
						    .ncols = LW_CC__COUNT, .colname = case_name,
						    .stamped = 1};
	st->t[LW_TARGET_TICKETS] = (struct table_sql){.table = "tickets", .key = "ticket_no",
						      .ncols = LW_TC__COUNT, .colname = ticket_name};
	if (build_sql(&st->t[0]) || build_sql(&st->t[1]) ||
	    !(st->prec = calloc(nprecedence + 1, sizeof *st->prec))) {
		lw_store_free(st);
		return lw_err_set(e, LW_ENOMEM, "out of memory");
	}
	/* The inserts are the store's own statements, not the warehouse's
	 * cached ones: try_insert keeps their bindings from row to row, which
	 * another user of a shared statement would clear.  It binds by
	 * position: make sure the positions hold. */
	for (int i = 0; i < 2; i++) {
		sqlite3_stmt *s = NULL;
		int rc = sqlite3_prepare_v3(lw_wh_db(wh), st->t[i].insert, -1,
					    SQLITE_PREPARE_PERSISTENT, &s, NULL);
		st->t[i].insert_st = s;
		if (rc != SQLITE_OK) {
			rc = lw_err_set(e, LW_EDB, "cannot prepare the insert into %s: %s",
					st->t[i].table, sqlite3_errmsg(lw_wh_db(wh)));
			lw_store_free(st);
			return rc;
		}
		if (sqlite3_bind_parameter_index(s, ":key") != 1 ||
		    sqlite3_bind_parameter_index(s, ":source_row") != 4 ||
		    sqlite3_bind_parameter_index(s, ":c0") != 5 ||
		    sqlite3_bind_parameter_index(s, ":now") != (st->t[i].stamped ? 5 + st->t[i].ncols : 0)) {
			lw_store_free(st);
			return lw_err_set(e, LW_EDB, "insert parameters out of order");
		}
	}
	{
		int rc = lw_store_window_init(st, e);
		if (rc != 0) {
			lw_store_free(st);
			return rc;
		}
	}
	for (size_t i = 0; i < nprecedence; i++) {
		if (!(st->prec[i] = strdup(precedence[i]))) {
			lw_store_free(st);
			return lw_err_set(e, LW_ENOMEM, "out of memory");
		}
		st->nprec++;
	}
	*out = st;
	return 0;
}

void lw_store_free(struct lw_store *st)
{
	if (!st)
		return;
	free(st->peer_source);
	free(st->peer_origin);
	for (int i = 0; i < 2; i++) {
		sqlite3_finalize(st->t[i].insert_st);
		free(st->t[i].select);
		free(st->t[i].insert);
		free(st->t[i].update);
	}
	for (size_t i = 0; i < st->nprec; i++)
		free(st->prec[i]);
	free(st->prec);
	lw_store_bulk_free(st);
	lw_store_window_free(st);
	free(st);
}

static size_t rank(const struct lw_store *st, const char *source)
{
	for (size_t i = 0; i < st->nprec; i++)
		if (!strcmp(st->prec[i], source))
			return i;
	return st->nprec;
}

/* ---- imports, rejects, cursors ---- */

const char *lw_store_notice(const struct lw_store *st)
{
	return st->notice[0] ? st->notice : NULL;
}

const char *lw_store_peer_notice(const struct lw_store *st, const char **source,
				 const char **origin)
{
	if (!st->peer[0])
		return NULL;
	*source = st->peer_source;
	*origin = st->peer_origin;
	return st->peer;
}

void lw_store_set_resolver(struct lw_store *st, struct lw_resolver *res)
{
	st->res = res;
}

int lw_store_agencies_finish(struct lw_store *st, int64_t import_id, uint64_t *held_rows,
			     struct lw_err *e)
{
	*held_rows = 0;
	return st->res ? lw_resolver_finish(st->res, import_id, st->now, held_rows, e) : 0;
}

/* The agency of name: through the resolver (0: held), or created. */
static int agency_id(struct lw_store *st, const char *name, int64_t *id, struct lw_err *e)
{
	sqlite3_stmt *s;
	int rc;

	if (st->res)
		return lw_resolver_id(st->res, name, id, e);
	if ((rc = lw_wh_stmt(st->wh, "INSERT INTO agencies (name) VALUES (:name) ON CONFLICT(name) "
			     "DO UPDATE SET name = excluded.name RETURNING id", &s, e)) ||
	    (rc = lw_wh_bind_text(s, ":name", name, e)))
		return rc;
	if ((rc = lw_wh_step(st->wh, s, e)) == 1)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc < 0 ? rc : 0;
}

int lw_store_each_alias(struct lw_store *st,
			int (*fn)(const char *alias, const char *canonical, void *ud), void *ud,
			struct lw_err *e)
{
	sqlite3_stmt *s;
	int rc;

	if ((rc = lw_wh_stmt(st->wh, "SELECT a.alias, g.name FROM agency_aliases a JOIN agencies g "
			     "ON g.id = a.agency_id", &s, e)) != 0)
		return rc;
	while ((rc = lw_wh_step(st->wh, s, e)) == 1) {
		if ((rc = fn((const char *)sqlite3_column_text(s, 0),
			     (const char *)sqlite3_column_text(s, 1), ud)) != 0)
			break;
	}
	sqlite3_reset(s);
	return rc < 0 ? rc : 0;
}

/* ---- upserts ---- */

static int bind_col(sqlite3_stmt *s, const char *name, enum lw_target t, int c, const char *v,
		    struct lw_err *e)
{
	if (!v)
		return lw_wh_bind_null(s, name, e);
	if (lw_rec_col_is_int(t, c))
		return lw_wh_bind_int64(s, name, strtoll(v, NULL, 10), e);
	return lw_wh_bind_text(s, name, v, e);
}

static int add_conflict(struct lw_store *st, const char *table, const char *key,
			const char *field, const char *kept, const char *src_kept,
			const char *other, const char *src_other, int64_t import_id, uint32_t row,
			struct lw_err *e)
{
	sqlite3_stmt *s;
	int rc;

	if ((rc = lw_wh_stmt(st->wh, "INSERT INTO conflicts (table_name, row_key, field, value_kept, "
			     "source_kept, value_other, source_other, import_id, source_row) VALUES "
			     "(:t, :k, :f, :vk, :sk, :vo, :so, :imp, :row)", &s, e)) != 0)
		return rc;
	if ((rc = lw_wh_bind_text(s, ":t", table, e)) || (rc = lw_wh_bind_text(s, ":k", key, e)) ||
	    (rc = lw_wh_bind_text(s, ":f", field, e)) ||
	    (rc = kept ? lw_wh_bind_text(s, ":vk", kept, e) : lw_wh_bind_null(s, ":vk", e)) ||
	    (rc = lw_wh_bind_text(s, ":sk", src_kept, e)) ||
	    (rc = other ? lw_wh_bind_text(s, ":vo", other, e) : lw_wh_bind_null(s, ":vo", e)) ||
	    (rc = lw_wh_bind_text(s, ":so", src_other, e)) ||
	    (rc = lw_wh_bind_int64(s, ":imp", import_id, e)) ||
	    (rc = lw_wh_bind_int64(s, ":row", row, e)))
		return rc;
	rc = lw_wh_step(st->wh, s, e);
	return rc < 0 ? rc : 0;
}

static int set_provenance(struct lw_store *st, const char *table, const char *key,
			  const char *field, const char *source, int64_t import_id, uint32_t row,
			  int remove, struct lw_err *e)
{
	sqlite3_stmt *s;
	int rc;

	if (remove)
		rc = lw_wh_stmt(st->wh, "DELETE FROM field_provenance WHERE table_name = :t AND "
				"row_key = :k AND field = :f", &s, e);
	else
		rc = lw_wh_stmt(st->wh, "INSERT OR REPLACE INTO field_provenance (table_name, row_key, "
				"field, source, import_id, source_row) VALUES (:t, :k, :f, :s, :imp, "
				":row)", &s, e);
	if (rc || (rc = lw_wh_bind_text(s, ":t", table, e)) || (rc = lw_wh_bind_text(s, ":k", key, e)) ||
	    (rc = lw_wh_bind_text(s, ":f", field, e)))
		return rc;
	if (!remove && ((rc = lw_wh_bind_text(s, ":s", source, e)) ||
			(rc = lw_wh_bind_int64(s, ":imp", import_id, e)) ||
			(rc = lw_wh_bind_int64(s, ":row", row, e))))
		return rc;
	rc = lw_wh_step(st->wh, s, e);
	return rc < 0 ? rc : 0;
}

/* Source of each field of an existing row (field_provenance, else the
 * row's source).  fsrc[c] receives malloc'd names or NULL. */
static int load_provenance(struct lw_store *st, const struct table_sql *t, const char *key,
			   char **fsrc, struct lw_err *e)
{
	sqlite3_stmt *s;
	int rc;

	if ((rc = lw_wh_stmt(st->wh, "SELECT field, source FROM field_provenance WHERE table_name = "
			     ":t AND row_key = :k", &s, e)) ||
	    (rc = lw_wh_bind_text(s, ":t", t->table, e)) || (rc = lw_wh_bind_text(s, ":k", key, e)))
		return rc;
	while ((rc = lw_wh_step(st->wh, s, e)) == 1) {
		const char *f = (const char *)sqlite3_column_text(s, 0);
		for (int c = 0; c < t->ncols; c++)
			if (!strcmp(t->colname(c), f)) {
				free(fsrc[c]);
				fsrc[c] = strdup((const char *)sqlite3_column_text(s, 1));
			}
	}
	sqlite3_reset(s);
	return rc < 0 ? rc : 0;
}

/* A stored "pending" outcome is no information: a later record fills it. */
static int is_empty(const struct table_sql *t, int c, const char *v)
{
	if (!v)
		return 1;
	return t == NULL ? 0 : (!strcmp(t->table, "cases") && c == LW_CC_OUTCOME &&
				!strcmp(v, "pending"));
}

/* Resolve a case's defendants before its row savepoint: an agency created
 * inside it would be rolled back with a failed row while the resolver
 * still knew its id. */
static int defendant_ids(struct lw_store *st, struct lw_record *r, struct lw_err *e)
{
	int rc;

	if (r->nagencies > r->capids) {
		int64_t *t = realloc(r->agency_ids, r->nagencies * sizeof *t);
		if (!t)
			return lw_err_set(e, LW_ENOMEM, "out of memory");
		r->agency_ids = t;
		r->capids = r->nagencies;
	}
	for (size_t i = 0; i < r->nagencies; i++)
		if ((rc = agency_id(st, r->agencies[i], &r->agency_ids[i], e)) != 0)
			return rc;
	return 0;
}

/* Another agency is already the case's principal defendant (被告): a
 * disagreement over who was sued is a conflict, never a second principal.
 * The stored one stays; the conflict names both, and the clerk's report
 * says so (lw_store_notice).  *other: 1 when there was one. */
static int principal_conflict(struct lw_store *st, const char *source, int64_t import_id,
			      const struct lw_record *r, int64_t aid, int *other, struct lw_err *e)
{
	sqlite3_stmt *s;
	char *was = NULL, *was_src = NULL;
	int rc;

	*other = 0;
	if ((rc = lw_wh_stmt(st->wh, "SELECT d.agency_id, g.name, d.source, i.origin FROM "
			     "case_defendants d JOIN agencies g ON g.id = d.agency_id LEFT JOIN imports i "
			     "ON i.id = d.import_id WHERE d.case_no = :k AND d.role = 'principal'", &s,
			     e)) ||
	    (rc = lw_wh_bind_text(s, ":k", r->key, e)))
		return rc;
	int differs = 0;

	if ((rc = lw_wh_step(st->wh, s, e)) == 1 && sqlite3_column_int64(s, 0) != aid) {
		const char *origin = (const char *)sqlite3_column_text(s, 3);
		differs = 1;
		was = strdup((const char *)sqlite3_column_text(s, 1));
		was_src = strdup((const char *)sqlite3_column_text(s, 2));
		free(st->peer_source);
		free(st->peer_origin);
		st->peer_source = was_src ? strdup(was_src) : NULL;
		st->peer_origin = origin ? strdup(origin) : NULL;
	}
	sqlite3_reset(s);
	if (rc < 0)
		return rc;
	if (!differs || !was || !was_src) {
		free(was);
		free(was_src);
		return differs ? lw_err_set(e, LW_ENOMEM, "out of memory") : 0;
	}
	*other = 1;
	rc = add_conflict(st, "case_defendants", r->key, "principal", was, was_src, r->agencies[0],
			  source, import_id, r->row, e);
	snprintf(st->notice, sizeof st->notice,
		 "案件 %s 此前报送的被告是「%s」，本文件填的是「%s」，已记录为冲突，请与司法局核实 / case %s "
		 "was reported before with defendant %s, this file names %s: recorded as a conflict for "
		 "the justice bureau to settle", r->key, was, r->agencies[0], r->key, was,
		 r->agencies[0]);
	/* The clerk of the earlier file hears it too (lw_store_peer_notice). */
	snprintf(st->peer, sizeof st->peer,
		 "贵单位此前报送的案件 %s（被告「%s」），另一份文件填的被告是「%s」，已记录为冲突，请与司法局核实 / "
		 "case %s, which you reported with defendant %s, was reported by another file with "
		 "defendant %s: recorded as a conflict for the justice bureau to settle",
		 r->key, was, r->agencies[0], r->key, was, r->agencies[0]);
	free(was);
	free(was_src);
	return rc;
}

/* existed: the case was stored before this record (a merge); only then can
 * another principal defendant be there already. */
static int upsert_defendants(struct lw_store *st, const char *source, int64_t import_id,
			     const struct lw_record *r, int existed, int *changed, struct lw_err *e)
{
	for (size_t i = 0; i < r->nagencies; i++) {
		sqlite3_stmt *s;
		int64_t aid = r->agency_ids[i];
		int rc, other;
		other = 0;
		if (i == 0 && aid && existed &&
		    (rc = principal_conflict(st, source, import_id, r, aid, &other, e)))
			return rc;
		if (other)
			continue; /* the case keeps its principal defendant; the conflict says who else */
		/* A held name waits, with everything needed to move it later. */
		if ((rc = lw_wh_stmt(st->wh, aid ? "INSERT OR IGNORE INTO case_defendants (case_no, "
				     "agency_id, role, name_raw, source, import_id, source_row) VALUES "
				     "(:k, :a, :role, :raw, :s, :imp, :row)"
				     : "INSERT OR IGNORE INTO case_defendants_unresolved (case_no, name, "
				     "role, name_raw, source, import_id, source_row) VALUES (:k, :a, "
				     ":role, :raw, :s, :imp, :row)", &s, e)) != 0)
			return rc;
		if ((rc = lw_wh_bind_text(s, ":k", r->key, e)) ||
		    (rc = aid ? lw_wh_bind_int64(s, ":a", aid, e) : lw_wh_bind_text(s, ":a", r->agencies[i], e)) ||
		    (rc = lw_wh_bind_text(s, ":role", i ? "co-defendant" : "principal", e)) ||
		    (rc = lw_wh_bind_text(s, ":raw", r->agencies_raw[i], e)) ||
		    (rc = lw_wh_bind_text(s, ":s", source, e)) ||
		    (rc = lw_wh_bind_int64(s, ":imp", import_id, e)) ||
		    (rc = lw_wh_bind_int64(s, ":row", r->row, e)))
			return rc;
		if ((rc = lw_wh_step(st->wh, s, e)) < 0)
			return rc;
		if (sqlite3_changes(lw_wh_db(st->wh)) > 0)
			*changed = 1;
	}
	return 0;
}

/* A work order's 承办单位 as agencies.id, into the record's agency_id. */
/* The agency work order r names, through the resolver: *id (0: held, or
 * none named). */
static int ticket_agency(struct lw_store *st, const struct lw_record *r, int64_t *id,
			 struct lw_err *e)
{
	*id = 0;
	return r->nagencies == 0 ? 0 : agency_id(st, r->agencies[0], id, e);
}

/* Work order r is about to be stored with agency id. */
static void set_ticket_agency(struct lw_store *st, struct lw_record *r, int64_t id)
{
	/* try_insert binds the integer; the text is written only for merge()
	 * (lw_store_upsert_resolved), which compares and binds values as text. */
	st->ticket_agency = id;
	st->agency_id[0] = '\0';
	r->val[LW_TC_AGENCY_ID] = id ? st->agency_id : NULL;
}

/* Run one statement with no result (savepoints). */
static int exec(struct lw_store *st, const char *sql, struct lw_err *e)
{
	sqlite3_stmt *s;
	int rc = lw_wh_stmt(st->wh, sql, &s, e);
	if (rc == 0)
		rc = lw_wh_step(st->wh, s, e);
	return rc < 0 ? rc : 0;
}

/* Bind the file's constants (source, import, start time) into t's insert,
 * unless they are bound already. */
static int bind_constants(struct lw_store *st, struct table_sql *t, const char *source,
			  int64_t import_id)
{
	sqlite3_stmt *s = t->insert_st;

	if (t->bound_import == import_id && !strcmp(t->bound_source, source) &&
	    (!t->stamped || !strcmp(t->bound_now, st->now)))
		return 0;
	t->bound_import = 0;
	if (sqlite3_bind_text(s, 2, source, -1, SQLITE_TRANSIENT) ||
	    sqlite3_bind_int64(s, 3, import_id) ||
	    (t->stamped && sqlite3_bind_text(s, 5 + t->ncols, st->now, -1, SQLITE_TRANSIENT)))
		return -1;
	/* A source too long to remember is bound again each row. */
	if (strlen(source) < sizeof t->bound_source) {
		snprintf(t->bound_source, sizeof t->bound_source, "%s", source);
		snprintf(t->bound_now, sizeof t->bound_now, "%s", st->now);
		t->bound_import = import_id;
	}
	return 0;
}

/* Insert a new row.  *inserted = 0 when the key exists already. */
static int try_insert(struct lw_store *st, struct table_sql *t, const char *source,
		      int64_t import_id, const struct lw_record *r, int *inserted, struct lw_err *e)
{
	sqlite3_stmt *s;
	int rc;

	/* The hot path of a big import binds by position: binding by name
	 * searches the parameter list each time (measured: 5% of an import).
	 * Positions follow the generated SQL: :key 1, :source 2, :import_id 3,
	 * :source_row 4, :c0 5, ... (checked in lw_store_new).  The statement
	 * is the one prepared there, not looked up by its text per row.  A
	 * binding stays until replaced, so the file's constants are bound once
	 * and a column NULL in the row before is not bound NULL again (27
	 * binds a work order were ~8% of the writer thread; now ~17). */
	s = t->insert_st;
	if (bind_constants(st, t, source, import_id) != 0 ||
	    sqlite3_bind_text(s, 1, r->key, r->measured ? (int)r->keylen : -1, SQLITE_STATIC) ||
	    sqlite3_bind_int64(s, 4, r->row)) {
		t->bound_import = 0;
		t->null_bound = 0;
		return lw_err_set(e, LW_EDB, "cannot bind an insert into %s", t->table);
	}
	for (int c = 0; c < t->ncols; c++) {
		const char *v = r->val[c];
		uint64_t bit = (uint64_t)1 << c;
		/* A bound NULL would override the column's DEFAULT. */
		if (!v && r->target == LW_TARGET_CASES && c == LW_CC_OUTCOME)
			v = "pending";
		if (!v) {
			if (t->null_bound & bit)
				continue;
			rc = sqlite3_bind_null(s, 5 + c);
		} else if (r->target == LW_TARGET_TICKETS && c == LW_TC_AGENCY_ID)
			rc = sqlite3_bind_int64(s, 5 + c, st->ticket_agency);
		else if (lw_rec_col_is_int(r->target, c))
			rc = sqlite3_bind_int64(s, 5 + c, strtoll(v, NULL, 10));
		else /* measured: the mapper's value, not "pending" put in its place */
			rc = sqlite3_bind_text(s, 5 + c, v,
					       r->measured && v == r->val[c] ? (int)r->vlen[c] : -1,
					       SQLITE_STATIC);
		if (rc != SQLITE_OK) {
			t->bound_import = 0;
			t->null_bound = 0;
			return lw_err_set(e, LW_EDB, "cannot bind %s.%s", t->table, t->colname(c));
		}
		if (v)
			t->null_bound &= ~bit;
		else
			t->null_bound |= bit;
	}
	if ((rc = lw_wh_step(st->wh, s, e)) < 0)
		return rc;
	*inserted = sqlite3_changes(lw_wh_db(st->wh)) > 0;
	return 0;
}

/* Merge r into the stored row (it exists). */
static int merge(struct lw_store *st, const struct table_sql *t, const char *source,
		 int64_t import_id, const struct lw_record *r, enum lw_upsert *what,
		 struct lw_err *e)
{
	char *cur[LW_REC_MAX_COLS] = {0}, *fsrc[LW_REC_MAX_COLS] = {0}, *row_source = NULL;
	const char *newv[LW_REC_MAX_COLS] = {0};
	sqlite3_stmt *s;
	int rc, found, changed = 0;

	if ((rc = lw_wh_stmt(st->wh, t->select, &s, e)) || (rc = lw_wh_bind_text(s, ":key", r->key, e)))
		return rc;
	found = lw_wh_step(st->wh, s, e);
	if (found < 0)
		return found;
	if (found == 0) {
		sqlite3_reset(s);
		return lw_err_set(e, LW_EDB, "%s %s vanished during the import", t->table, r->key);
	}
	for (int c = 0; c < t->ncols; c++) {
		const char *v = (const char *)sqlite3_column_text(s, c);
		cur[c] = v ? strdup(v) : NULL;
	}
	row_source = strdup((const char *)sqlite3_column_text(s, t->ncols));
	sqlite3_reset(s);

	/* Field by field: precedence decides, both values are kept. */
	if ((rc = load_provenance(st, t, r->key, fsrc, e)) != 0)
		goto out;
	for (int c = 0; c < t->ncols; c++) {
		const char *in = r->val[c], *was = cur[c];
		const char *was_src = fsrc[c] ? fsrc[c] : row_source;
		int take = 0;
		newv[c] = was;
		if (!in || (was && !strcmp(in, was)))
			continue;
		if (is_empty(t, c, was) || !strcmp(was_src, source))
			take = 1;
		else if (rank(st, source) < rank(st, was_src))
			take = 1;
		if (!is_empty(t, c, was) && strcmp(was_src, source)) {
			/* Two sources disagree: keep both values. */
			rc = take ? add_conflict(st, t->table, r->key, t->colname(c), in, source, was,
						 was_src, import_id, r->row, e)
				  : add_conflict(st, t->table, r->key, t->colname(c), was, was_src, in,
						 source, import_id, r->row, e);
			if (rc)
				goto out;
		}
		if (!take)
			continue;
		newv[c] = in;
		changed = 1;
		if ((rc = set_provenance(st, t->table, r->key, t->colname(c), source, import_id, r->row,
					 !strcmp(source, row_source), e)) != 0)
			goto out;
	}
	if (r->target == LW_TARGET_CASES &&
	    (rc = upsert_defendants(st, source, import_id, r, 1, &changed, e)) != 0)
		goto out;
	*what = changed ? LW_UPSERT_UPDATED : LW_UPSERT_UNCHANGED;
	if (!changed) {
		rc = 0;
		goto out;
	}
	if ((rc = lw_wh_stmt(st->wh, t->update, &s, e)) || (rc = lw_wh_bind_text(s, ":key", r->key, e)) ||
	    (t->stamped && (rc = lw_wh_bind_text(s, ":now", st->now, e))) ||
	    (rc = lw_wh_bind_int64(s, ":import_id", import_id, e)) ||
	    (rc = lw_wh_bind_int64(s, ":source_row", r->row, e)))
		goto out;
	for (int c = 0; c < t->ncols; c++) {
		char name[16];
		snprintf(name, sizeof name, ":c%d", c);
		if ((rc = bind_col(s, name, r->target, c, newv[c], e)) != 0)
			goto out;
	}
	rc = lw_wh_step(st->wh, s, e);
	rc = rc < 0 ? rc : 0;
out:
	for (int c = 0; c < t->ncols; c++) {
		free(cur[c]);
		free(fsrc[c]);
	}
	free(row_source);
	return rc;
}

int lw_store_resolve(struct lw_store *st, struct lw_record *r, int64_t *agency,
		     struct lw_err *e)
{
	int rc;

	*agency = 0;
	if ((rc = r->target == LW_TARGET_TICKETS ? ticket_agency(st, r, agency, e)
						   : defendant_ids(st, r, e)) != 0)
		return rc;
	if (!st->bulk)
		return 0;
	st->window_unvouched += r->target == LW_TARGET_TICKETS && !lw_store_window_vouches(st, r);
	return lw_store_bulk_note(st, r, e);
}

int lw_store_upsert(struct lw_store *st, const char *source, int64_t import_id,
		    struct lw_record *r, enum lw_upsert *what, struct lw_err *e)
{
	int64_t agency;
	int rc = lw_store_resolve(st, r, &agency, e);

	return rc ? rc : lw_store_upsert_resolved(st, source, import_id, r, agency, what, e);
}

int lw_store_upsert_resolved(struct lw_store *st, const char *source, int64_t import_id,
			     struct lw_record *r, int64_t agency, enum lw_upsert *what,
			     struct lw_err *e)
{
	struct table_sql *t = &st->t[r->target];
	int rc, inserted = 0, atomic = r->target == LW_TARGET_CASES;

	st->notice[0] = st->peer[0] = '\0';
	if (r->target == LW_TARGET_TICKETS)
		set_ticket_agency(st, r, agency);

	/* A new ticket is one INSERT, atomic by itself: most rows of a big
	 * hotline export take this path with no savepoint and no SELECT.
	 * Cases (defendants) and merges write several rows: a savepoint makes
	 * the record land whole or not at all. */
	if (atomic && (rc = exec(st, "SAVEPOINT lw_row", e)) != 0)
		return rc;
	if ((rc = try_insert(st, t, source, import_id, r, &inserted, e)) != 0)
		goto fail;
	if (inserted) {
		int changed = 0;
		*what = LW_UPSERT_INSERTED;
		if (r->target == LW_TARGET_CASES &&
		    (rc = upsert_defendants(st, source, import_id, r, 0, &changed, e)) != 0)
			goto fail;
	} else {
		if (!atomic && (rc = exec(st, "SAVEPOINT lw_row", e)) != 0)
			return rc;
		atomic = 1;
		if (r->target == LW_TARGET_TICKETS && st->ticket_agency)
			snprintf(st->agency_id, sizeof st->agency_id, "%lld", (long long)st->ticket_agency);
		if ((rc = merge(st, t, source, import_id, r, what, e)) != 0)
			goto fail;
	}
	if (atomic && (rc = exec(st, "RELEASE lw_row", NULL)) != 0)
		return lw_err_set(e, rc, "cannot release the row savepoint");
	return 0;
fail:
	if (atomic) {
		exec(st, "ROLLBACK TO lw_row", NULL);
		exec(st, "RELEASE lw_row", NULL);
	}
	return rc;
}
