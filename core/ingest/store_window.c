/*
 * store_window.c — a window of work orders, its new rows stored by one
 * statement (store.h, lw_store_insert_window).
 *
 * Why: one INSERT a row pays SQLite's work per statement every time:
 * starting and ending the statement, opening a cursor on the table and on
 * each index, descending every B-tree from its root.  One INSERT ... SELECT
 * over the window keeps its cursors open from row to row, and an index
 * insert that lands next to the one before it skips the descent.  Measured
 * in SQLite alone on the bench's 300 000 work orders (bench/import), the
 * same rows and table: 0.87 s a row at a time, 0.57 s a window at a time in
 * time order; 1.06 s and 0.85 s for a shuffled export in sorted windows.
 *
 * The rows reach SQLite through an eponymous virtual table, lw_window,
 * whose one argument is the window itself, bound as a pointer
 * (sqlite3_bind_pointer: a pointer no SQL text can forge, as in SQLite's
 * carray).  It reads the caller's records as SQLite asks for each row; no
 * copy of the window is made.
 *
 * INSERT OR IGNORE skips a row whose key is stored already, and a row that
 * breaks a CHECK: both are left to the caller, row by row, which upserts
 * the first kind and rejects the second with its reason, exactly as the
 * row-by-row path does.  Which rows were skipped: none when the statement
 * changed as many rows as it was given (the common case, new work orders);
 * all when it changed none; otherwise each row is looked up by its key and
 * its source row (a window of an export that overlaps an earlier one).
 *
 * Foreign keys are off in bulk (store_bulk.c): a violation cannot abort
 * the statement half-way, and it needs no statement journal.
 *
 * CHECKs: the shape checks of tickets (schema.c, version 5) cost SQLite
 * five calls of length() a row, 0.1 s of 300 000 work orders (0.61 s ->
 * 0.50 s in time order, 0.90 s -> 0.78 s shuffled).  The store knows every
 * value's length already, so it checks the same rules itself, in C, per
 * value (lw_store_window_vouches, asked by lw_store_resolve), and runs the
 * window's statement with SQLite's CHECKs off (PRAGMA
 * ignore_check_constraints, for that statement only) when it vouches for
 * every row of the window.  It vouches only for what surely
 * passes (a rule stricter than the CHECK is safe; a looser one is not), and
 * only when the table's CHECKs are exactly those it knows (checks_known(),
 * at start): a later schema with another CHECK keeps SQLite's checks on.
 * A window with a row it does not vouch for runs with the checks on, as
 * every other statement of the warehouse does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/store_int.h"
#include "warehouse/warehouse.h"

#define MODULE "lw_window"
#define POINTER_TYPE "lw_store_window" /* sqlite3_bind_pointer's type tag */

/* What one run of the statement reads: the window, and the failure of its
 * rec callback (SQLite only sees "error"). */
struct run {
	const struct lw_store_window *w;
	int rc;
	struct lw_err *e;
};

/* Columns of lw_window: the key, the source row, the values (in
 * enum lw_ticket_col order), then the hidden argument. */
enum { COL_KEY, COL_ROW, COL_VAL0, COL_RUN = COL_VAL0 + LW_TC__COUNT };

struct cursor {
	sqlite3_vtab_cursor base;
	struct run *run;
	size_t i;
	const struct lw_record *r;
};

static int w_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
		     sqlite3_vtab **out, char **err)
{
	char sql[512];
	size_t n;
	sqlite3_vtab *v;
	int rc;

	(void)aux;
	(void)argc;
	(void)argv;
	(void)err;
	n = (size_t)snprintf(sql, sizeof sql, "CREATE TABLE x(key, source_row");
	for (int c = 0; c < LW_TC__COUNT; c++)
		n += (size_t)snprintf(sql + n, sizeof sql - n, ", c%d", c);
	snprintf(sql + n, sizeof sql - n, ", run HIDDEN)");
	if ((rc = sqlite3_declare_vtab(db, sql)) != SQLITE_OK)
		return rc;
	/* Only in the store's own statement: never from a view or a trigger. */
	sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
	if (!(v = sqlite3_malloc(sizeof *v)))
		return SQLITE_NOMEM;
	memset(v, 0, sizeof *v);
	*out = v;
	return SQLITE_OK;
}

static int w_disconnect(sqlite3_vtab *v)
{
	sqlite3_free(v);
	return SQLITE_OK;
}

/* The only plan: the argument given, rows in the window's order. */
static int w_best_index(sqlite3_vtab *v, sqlite3_index_info *ix)
{
	(void)v;
	for (int i = 0; i < ix->nConstraint; i++) {
		const struct sqlite3_index_constraint *c = &ix->aConstraint[i];
		if (c->iColumn == COL_RUN && c->op == SQLITE_INDEX_CONSTRAINT_EQ && c->usable) {
			ix->aConstraintUsage[i].argvIndex = 1;
			ix->aConstraintUsage[i].omit = 1;
			ix->estimatedCost = 1;
			ix->estimatedRows = 20000;
			return SQLITE_OK;
		}
	}
	return SQLITE_CONSTRAINT; /* lw_window without its argument */
}

static int w_open(sqlite3_vtab *v, sqlite3_vtab_cursor **out)
{
	struct cursor *c = sqlite3_malloc(sizeof *c);

	(void)v;
	if (!c)
		return SQLITE_NOMEM;
	memset(c, 0, sizeof *c);
	*out = &c->base;
	return SQLITE_OK;
}

static int w_close(sqlite3_vtab_cursor *cur)
{
	sqlite3_free(cur);
	return SQLITE_OK;
}

/* Move to the first row from c->i on that is to be tried, and read it. */
static int settle(struct cursor *c)
{
	const struct lw_store_window *w = c->run->w;

	while (c->i < w->n && w->state[c->i] != LW_WIN_TRY)
		c->i++;
	if (c->i == w->n)
		return SQLITE_OK;
	if ((c->run->rc = w->rec(w->ud, c->i, &c->r, c->run->e)) != 0) {
		c->i = w->n;
		return SQLITE_ERROR;
	}
	return SQLITE_OK;
}

static int w_filter(sqlite3_vtab_cursor *cur, int idx, const char *idxstr, int argc,
		    sqlite3_value **argv)
{
	struct cursor *c = (struct cursor *)cur;

	(void)idx;
	(void)idxstr;
	if (argc != 1 || !(c->run = sqlite3_value_pointer(argv[0], POINTER_TYPE)))
		return SQLITE_ERROR;
	c->i = 0;
	return settle(c);
}

static int w_next(sqlite3_vtab_cursor *cur)
{
	struct cursor *c = (struct cursor *)cur;

	c->i++;
	return settle(c);
}

static int w_eof(sqlite3_vtab_cursor *cur)
{
	struct cursor *c = (struct cursor *)cur;

	return !c->run || c->i >= c->run->w->n;
}

/* The values as try_insert (store.c) binds them, lengths measured by the
 * reader thread. */
static int w_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col)
{
	struct cursor *c = (struct cursor *)cur;
	const struct lw_record *r = c->r;
	const char *v;
	int k = col - COL_VAL0;

	if (col == COL_KEY) {
		sqlite3_result_text(ctx, r->key, r->measured ? (int)r->keylen : -1, SQLITE_STATIC);
		return SQLITE_OK;
	}
	if (col == COL_ROW) {
		sqlite3_result_int64(ctx, r->row);
		return SQLITE_OK;
	}
	if (k < 0 || k >= LW_TC__COUNT) {
		sqlite3_result_null(ctx);
		return SQLITE_OK;
	}
	if (k == LW_TC_AGENCY_ID) {
		int64_t id = c->run->w->agency[c->i];
		if (id)
			sqlite3_result_int64(ctx, id);
		else
			sqlite3_result_null(ctx);
		return SQLITE_OK;
	}
	if (!(v = r->val[k]))
		sqlite3_result_null(ctx);
	else if (lw_rec_col_is_int(LW_TARGET_TICKETS, k))
		sqlite3_result_int64(ctx, strtoll(v, NULL, 10));
	else
		sqlite3_result_text(ctx, v, r->measured ? (int)r->vlen[k] : -1, SQLITE_STATIC);
	return SQLITE_OK;
}

static int w_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid)
{
	*rowid = (sqlite3_int64)((struct cursor *)cur)->i;
	return SQLITE_OK;
}

static const sqlite3_module module = {
	.iVersion = 0,
	.xCreate = NULL, /* eponymous only: no CREATE VIRTUAL TABLE */
	.xConnect = w_connect,
	.xBestIndex = w_best_index,
	.xDisconnect = w_disconnect,
	.xOpen = w_open,
	.xClose = w_close,
	.xFilter = w_filter,
	.xNext = w_next,
	.xEof = w_eof,
	.xColumn = w_column,
	.xRowid = w_rowid,
};

/* ---- the CHECKs the store vouches for ---- */

/* Every CHECK of tickets, as the schema writes them (schema.c, version 5). */
#define LOCAL_SHAPE(c) \
	"CHECK (" c " IS NULL OR (length(" c ") = 19 AND " c \
	" BETWEEN '1900-01-01 00:00:00' AND '2199-12-31 23:59:59'))"
static const char *const known_checks[] = {
	LOCAL_SHAPE("received_at"),
	LOCAL_SHAPE("deadline"),
	LOCAL_SHAPE("closed_at"),
	"CHECK (resolved IS NULL OR resolved IN (0, 1))",
	"CHECK (caller_hash IS NULL OR length(caller_hash) = 64)",
	"CHECK (caller_name_hash IS NULL OR length(caller_name_hash) = 64)",
	"CHECK (law_enforcement IS NULL OR law_enforcement IN (0, 1))",
};

/* 1 when the CHECKs of tickets are known_checks and nothing else. */
static int checks_known(sqlite3 *db)
{
	sqlite3_stmt *s;
	const char *sql;
	size_t found = 0;
	int ok = 0;

	if (sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = "
			       "'tickets'", -1, &s, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(s) == SQLITE_ROW && (sql = (const char *)sqlite3_column_text(s, 0))) {
		for (const char *p = sql; (p = strstr(p, "CHECK")); p++)
			found++;
		ok = found == sizeof known_checks / sizeof known_checks[0];
		for (size_t i = 0; ok && i < sizeof known_checks / sizeof known_checks[0]; i++)
			ok = strstr(sql, known_checks[i]) != NULL;
	}
	sqlite3_finalize(s);
	return ok;
}

/* n bytes of ASCII, no NUL: as many characters as bytes for length(). */
static int ascii(const char *v, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if ((unsigned char)v[i] - 1u >= 0x7fu)
			return 0;
	return 1;
}

static int local_ok(const char *v, uint32_t n)
{
	return !v || (n == 19 && ascii(v, n) && memcmp(v, "1900-01-01 00:00:00", 19) >= 0 &&
		      memcmp(v, "2199-12-31 23:59:59", 19) <= 0);
}

static int hash_ok(const char *v, uint32_t n)
{
	return !v || (n == 64 && ascii(v, n));
}

static int flag_ok(const char *v)
{
	long long x;

	if (!v)
		return 1;
	x = strtoll(v, NULL, 10); /* what w_column binds */
	return x == 0 || x == 1;
}

int lw_store_window_vouches(const struct lw_store *st, const struct lw_record *r)
{
	const char *const *v = (const char *const *)r->val;
	const uint32_t *n = r->vlen;

	return st->window_vouch && r->target == LW_TARGET_TICKETS && r->measured && local_ok(v[LW_TC_RECEIVED_AT], n[LW_TC_RECEIVED_AT]) &&
	       local_ok(v[LW_TC_DEADLINE], n[LW_TC_DEADLINE]) &&
	       local_ok(v[LW_TC_CLOSED_AT], n[LW_TC_CLOSED_AT]) && flag_ok(v[LW_TC_RESOLVED]) &&
	       flag_ok(v[LW_TC_LAW_ENFORCEMENT]) &&
	       hash_ok(v[LW_TC_CALLER_HASH], n[LW_TC_CALLER_HASH]) &&
	       hash_ok(v[LW_TC_CALLER_NAME_HASH], n[LW_TC_CALLER_NAME_HASH]);
}

static int set_checks(sqlite3 *db, int on)
{
	return sqlite3_exec(db, on ? "PRAGMA ignore_check_constraints = 0"
				   : "PRAGMA ignore_check_constraints = 1", NULL, NULL, NULL);
}

int lw_store_window_init(struct lw_store *st, struct lw_err *e)
{
	const struct table_sql *t = &st->t[LW_TARGET_TICKETS];
	size_t cap = 2048, n = 0;
	char *sql = malloc(cap);
	sqlite3 *db = lw_wh_db(st->wh);
	int rc;

	if (!sql)
		return lw_err_set(e, LW_ENOMEM, "out of memory");
	n += (size_t)snprintf(sql + n, cap - n, "INSERT OR IGNORE INTO %s (%s, source, import_id, "
			      "source_row, first_import_id", t->table, t->key);
	for (int c = 0; c < t->ncols; c++)
		n += (size_t)snprintf(sql + n, cap - n, ", %s", t->colname(c));
	n += (size_t)snprintf(sql + n, cap - n, ") SELECT key, ?1, ?2, source_row, ?2");
	for (int c = 0; c < t->ncols; c++)
		n += (size_t)snprintf(sql + n, cap - n, ", c%d", c);
	n += (size_t)snprintf(sql + n, cap - n, " FROM " MODULE "(?3)");
	if (n >= cap) {
		free(sql);
		return lw_err_set(e, LW_EINVAL, "the window insert does not fit");
	}
	/* Registering again (a second store on the connection) replaces the
	 * module by the same one. */
	if ((rc = sqlite3_create_module_v2(db, MODULE, &module, NULL, NULL)) != SQLITE_OK ||
	    (rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st->window_st,
				     NULL)) != SQLITE_OK)
		rc = lw_err_set(e, LW_EDB, "cannot prepare the window insert: %s", sqlite3_errmsg(db));
	free(sql);
	st->window_vouch = rc == 0 && checks_known(db);
	return rc;
}

void lw_store_window_free(struct lw_store *st)
{
	sqlite3_finalize(st->window_st);
	st->window_st = NULL;
}

/* Mark the rows of w that the statement stored, when it stored some of
 * them only: a row is this import's by its key when its source row is. */
static int find_stored(struct lw_store *st, int64_t import_id, const struct lw_store_window *w,
		       struct lw_err *e)
{
	sqlite3_stmt *s;
	int rc;

	if ((rc = lw_wh_stmt(st->wh, "SELECT source_row FROM tickets WHERE ticket_no = :key AND "
			     "import_id = :imp", &s, e)) != 0 ||
	    (rc = lw_wh_bind_int64(s, ":imp", import_id, e)) != 0)
		return rc;
	for (size_t i = 0; i < w->n; i++) {
		const struct lw_record *r;
		if (w->state[i] != LW_WIN_TRY)
			continue;
		if ((rc = w->rec(w->ud, i, &r, e)) != 0 ||
		    (rc = lw_wh_bind_text(s, ":key", r->key, e)) != 0)
			return rc;
		if ((rc = lw_wh_step(st->wh, s, e)) < 0)
			return rc;
		if (rc == 1 && sqlite3_column_int64(s, 0) == (int64_t)r->row)
			w->state[i] = LW_WIN_STORED;
		sqlite3_reset(s);
	}
	return 0;
}

int lw_store_insert_window(struct lw_store *st, const char *source, int64_t import_id,
			   const struct lw_store_window *w, uint64_t *stored, struct lw_err *e)
{
	struct run run = {w, 0, e};
	sqlite3_stmt *s = st->window_st;
	sqlite3 *db = lw_wh_db(st->wh);
	size_t ntry = 0;
	int64_t changed;
	int rc, vouch;

	*stored = 0;
	/* What the rows resolved since the last window allow (store.c). */
	vouch = st->window_vouch && st->window_unvouched == 0;
	st->window_unvouched = 0;
	if (!st->bulk || !s)
		return lw_err_set(e, LW_EINVAL, "a window of work orders outside a work-order file");
	for (size_t i = 0; i < w->n; i++)
		ntry += w->state[i] == LW_WIN_TRY;
	if (ntry == 0)
		return 0;
	/* Before the binding: the PRAGMA expires every statement, this one
	 * included, which SQLite then prepares again (without the CHECKs). */
	if (vouch && set_checks(db, 0) != SQLITE_OK)
		return lw_err_set(e, LW_EDB, "cannot turn CHECKs off: %s", sqlite3_errmsg(db));
	if (sqlite3_bind_text(s, 1, source, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, import_id) != SQLITE_OK ||
	    sqlite3_bind_pointer(s, 3, &run, POINTER_TYPE, NULL) != SQLITE_OK) {
		rc = SQLITE_ERROR;
		run.rc = lw_err_set(e, LW_EDB, "cannot bind the window insert");
	} else if ((rc = sqlite3_step(s)) != SQLITE_DONE && !run.rc) {
		run.rc = lw_err_set(e, LW_EDB, "storing a window of work orders: %s",
				    sqlite3_errmsg(db));
	}
	changed = sqlite3_changes64(db);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s); /* the pointer and the source are this call's */
	/* On again whatever became of the statement: every other statement of
	 * the transaction runs with them. */
	if (vouch && set_checks(db, 1) != SQLITE_OK && !run.rc) {
		run.rc = lw_err_set(e, LW_EDB, "cannot turn CHECKs on again: %s", sqlite3_errmsg(db));
		rc = SQLITE_ERROR;
	}
	if (rc != SQLITE_DONE)
		return run.rc;
	*stored = (uint64_t)changed;
	if ((size_t)changed == ntry) {
		for (size_t i = 0; i < w->n; i++)
			if (w->state[i] == LW_WIN_TRY)
				w->state[i] = LW_WIN_STORED;
		return 0;
	}
	return changed ? find_stored(st, import_id, w, e) : 0;
}
