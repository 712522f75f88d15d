/*
 * push.c — one batch of the change feed into PostgreSQL, in one
 * transaction (docs/province.md, "What a batch does"):
 *   1. the batch is the feed rows (mark, new]: at most batch_rows of them,
 *      read in one SQLite read transaction (a consistent snapshot);
 *   2. per table, the batch's keys and the current rows of those keys are
 *      COPYed into temporary tables (lw_keys_<t>, lw_stage_<t>);
 *   3. rows of those keys the county no longer has are deleted, the others
 *      inserted or updated (ON CONFLICT (county, key) DO UPDATE, only when
 *      a value differs: a retried batch writes nothing);
 *   4. the county's mark moves from the old to the new value — only if it
 *      still is the old one (a second warehouse pushing the same county is
 *      refused) — and the transaction commits.
 * A failure anywhere rolls the whole batch back; it is retried from the
 * mark PostgreSQL holds.
 *
 * The seed of a new county (struct lw_pg, seed_from/seed_to) takes a short
 * cut: the province had no row of the county when the seed was enqueued,
 * and the seed names every key once, so no key of a seed batch is at the
 * province and nothing is to delete: each batch is COPYed straight into
 * the county's partition, with the mark, in one transaction, as above.
 * Should a key be there after all, the COPY fails on the primary key, the
 * batch rolls back, and it and the rest go the staged way.  Measured on
 * 1 M work orders and 100 000 cases (docs/province.md): the first push
 * took 20 s staged and upserted, 11 s COPYed straight in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "province/province_int.h"

#define FLUSH_BYTES (256 * 1024)
/* Rows per batch of a new county's seed, when batch_rows is smaller:
 * fewer, larger transactions (measured: see docs/province.md). */
#define SEED_BATCH_ROWS 50000

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "a, b, c" of table ti's columns, each prefixed (e.g. "x.") and quoted. */
static int col_list(struct lw_strbuf *b, const struct lw_prov_cols *c, const char *prefix,
		    const char *fmt_eq)
{
	int rc = 0;
	for (int i = 0; !rc && i < c->n; i++) {
		if (i)
			rc = lw_pgbuf_put(b, ", ", 2);
		if (fmt_eq) { /* "c" = EXCLUDED."c" */
			rc = rc ? rc : lw_pgbuf_ident(b, c->name[i]);
			rc = rc ? rc : lw_pgbuf_put(b, fmt_eq, strlen(fmt_eq));
		}
		if (prefix)
			rc = rc ? rc : lw_pgbuf_put(b, prefix, strlen(prefix));
		rc = rc ? rc : lw_pgbuf_ident(b, c->name[i]);
	}
	return rc;
}

static int temp_tables(struct lw_pg *pg, const struct lw_prov_table *t, struct lw_err *e)
{
	char sql[512];
	snprintf(sql, sizeof sql,
		 "CREATE TEMP TABLE IF NOT EXISTS lw_stage_%s (LIKE litwatch.%s) ON COMMIT DELETE ROWS;"
		 "CREATE TEMP TABLE IF NOT EXISTS lw_keys_%s ON COMMIT DELETE ROWS AS "
		 "SELECT %s AS k FROM litwatch.%s WITH NO DATA",
		 t->name, t->name, t->name, t->key, t->name);
	return lw_pg_exec(pg, sql, e);
}

/* Test hook (tests/e2e/test_province.py): LW_PROVINCE_TEST_PAUSE_MS holds
 * every COPY of a batch open that long after its rows, so that a fault lands mid-COPY
 * for sure.  Unset in production: no pause. */
static void test_pause(void)
{
	static int ms = -1;
	if (ms < 0) {
		const char *v = getenv("LW_PROVINCE_TEST_PAUSE_MS");
		ms = v ? atoi(v) : 0;
	}
	if (ms > 0)
		nanosleep(&(struct timespec){ms / 1000, (long)(ms % 1000) * 1000000L}, NULL);
}

static int stream(struct lw_pg *pg, sqlite3_stmt *st, int ncols, int fed, int64_t *nrows,
		  struct lw_err *e)
{
	struct lw_strbuf b = {0};
	int rc = 0, s;

	while (!rc && (s = sqlite3_step(st)) == SQLITE_ROW) {
		rc = lw_pgbuf_put(&b, pg->county, strlen(pg->county));
		for (int i = 0; !rc && i < ncols; i++) {
			rc = lw_pgbuf_put(&b, "\t", 1);
			rc = rc ? rc : lw_pgbuf_value(&b, st, i);
		}
		rc = rc ? rc : lw_pgbuf_put(&b, "\n", 1);
		if (rc)
			rc = lw_err_set(e, LW_ENOMEM, "out of memory");
		(*nrows)++;
		if (!rc && b.len >= FLUSH_BYTES) {
			rc = lw_pg_copy_put(pg, b.p, b.len, e);
			b.len = 0;
		}
	}
	if (!rc && s != SQLITE_DONE)
		rc = lw_err_set(e, LW_EDB, "warehouse: %s", sqlite3_errmsg(sqlite3_db_handle(st)));
	if (!rc)
		rc = lw_pg_copy_put(pg, b.p, b.len, e);
	if (!rc && fed && PQflush(pg->conn) == 0)
		test_pause();
	free(b.p);
	return rc;
}

/* COPY the statement's rows into table `into` (with the county first). */
static int copy_rows(struct lw_pg *pg, int ti, sqlite3_stmt *st, const char *into, int64_t *nrows,
		     struct lw_err *e)
{
	const struct lw_prov_table *t = &lw_prov_tables[ti];
	struct lw_strbuf b = {0};
	char head[128];
	int rc;

	snprintf(head, sizeof head, "COPY %s (county, ", into);
	if (lw_pgbuf_put(&b, head, strlen(head)) || col_list(&b, &pg->cols[ti], NULL, NULL) ||
	    lw_pgbuf_put(&b, ") FROM STDIN", 12)) {
		free(b.p);
		return lw_err_set(e, LW_ENOMEM, "out of memory");
	}
	rc = lw_pg_copy_begin(pg, b.p, e);
	free(b.p);
	if (rc)
		return rc;
	rc = stream(pg, st, pg->cols[ti].n, t->fed, nrows, e);
	if (rc) {
		PQputCopyEnd(pg->conn, "litwatch: batch abandoned");
		PGresult *res;
		while ((res = PQgetResult(pg->conn)))
			PQclear(res);
		return rc;
	}
	return lw_pg_copy_end(pg, e);
}

/* COPY the statement's rows into lw_stage_<t> (with the county first). */
int lw_push_stage(struct lw_pg *pg, int ti, sqlite3_stmt *st, int64_t *nrows, struct lw_err *e)
{
	const struct lw_prov_table *t = &lw_prov_tables[ti];
	char into[96];
	int rc;

	if ((rc = temp_tables(pg, t, e)))
		return rc;
	snprintf(into, sizeof into, "pg_temp.lw_stage_%s", t->name);
	return copy_rows(pg, ti, st, into, nrows, e);
}

static int stage_keys(struct lw_pg *pg, const struct lw_prov_table *t, sqlite3_stmt *st,
		      int64_t *nkeys, struct lw_err *e)
{
	char sql[128];
	struct lw_strbuf b = {0};
	int rc, s;

	*nkeys = 0;
	snprintf(sql, sizeof sql, "COPY pg_temp.lw_keys_%s (k) FROM STDIN", t->name);
	if ((rc = lw_pg_copy_begin(pg, sql, e)))
		return rc;
	while (!rc && (s = sqlite3_step(st)) == SQLITE_ROW) {
		rc = lw_pgbuf_value(&b, st, 0) || lw_pgbuf_put(&b, "\n", 1) ? LW_ENOMEM : 0;
		(*nkeys)++;
		if (!rc && b.len >= FLUSH_BYTES) {
			rc = lw_pg_copy_put(pg, b.p, b.len, e);
			b.len = 0;
		}
	}
	if (!rc)
		rc = lw_pg_copy_put(pg, b.p, b.len, e);
	free(b.p);
	if (rc) {
		PGresult *res;
		PQputCopyEnd(pg->conn, "litwatch: batch abandoned");
		while ((res = PQgetResult(pg->conn)))
			PQclear(res);
		return e->code ? rc : lw_err_set(e, rc, "out of memory");
	}
	return lw_pg_copy_end(pg, e);
}

/* Steps 3 of the file comment for table ti; nkeys: rows in lw_keys_<t>. */
static int apply(struct lw_pg *pg, int ti, int64_t nkeys, struct lw_err *e)
{
	const struct lw_prov_table *t = &lw_prov_tables[ti];
	const struct lw_prov_cols *c = &pg->cols[ti];
	const char *v[1] = {pg->county};
	struct lw_strbuf b = {0};
	char tmp[512];
	int rc = 0;

	/* Delete the rows of the batch's keys that are not staged. */
	snprintf(tmp, sizeof tmp,
		 "DELETE FROM litwatch.%s x USING pg_temp.lw_keys_%s k WHERE x.county = $1 AND "
		 "x.%s = k.k",
		 t->name, t->name, t->key);
	rc = lw_pgbuf_put(&b, tmp, strlen(tmp));
	if (!rc && t->pk && !lw_prov_single_key(t)) {
		char pk[128], *save = NULL;
		snprintf(pk, sizeof pk, "%s", t->pk);
		snprintf(tmp, sizeof tmp, " AND NOT EXISTS (SELECT 1 FROM pg_temp.lw_stage_%s s WHERE true",
			 t->name);
		rc = lw_pgbuf_put(&b, tmp, strlen(tmp));
		for (char *col = strtok_r(pk, ", ", &save); !rc && col;
		     col = strtok_r(NULL, ", ", &save)) {
			snprintf(tmp, sizeof tmp, " AND s.%s = x.%s", col, col);
			rc = lw_pgbuf_put(&b, tmp, strlen(tmp));
		}
		rc = rc ? rc : lw_pgbuf_put(&b, ")", 1);
	}
	if (rc || (nkeys > 0 && (rc = lw_pg_params(pg, b.p, 1, v, NULL, e))))
		goto out;
	/* Insert, or update what differs. */
	b.len = 0;
	snprintf(tmp, sizeof tmp, "INSERT INTO litwatch.%s AS x (county, ", t->name);
	rc = lw_pgbuf_put(&b, tmp, strlen(tmp)) || col_list(&b, c, NULL, NULL) ||
	     lw_pgbuf_put(&b, ") SELECT county, ", 17) || col_list(&b, c, NULL, NULL);
	snprintf(tmp, sizeof tmp, " FROM pg_temp.lw_stage_%s", t->name);
	rc = rc || lw_pgbuf_put(&b, tmp, strlen(tmp));
	if (!rc && t->pk) {
		snprintf(tmp, sizeof tmp, " ON CONFLICT (county, %s) DO UPDATE SET ", t->pk);
		rc = lw_pgbuf_put(&b, tmp, strlen(tmp)) || col_list(&b, c, "EXCLUDED.", " = ") ||
		     lw_pgbuf_put(&b, " WHERE (", 8) || col_list(&b, c, "x.", NULL) ||
		     lw_pgbuf_put(&b, ") IS DISTINCT FROM (", 20) || col_list(&b, c, "EXCLUDED.", NULL) ||
		     lw_pgbuf_put(&b, ")", 1);
	}
	if (rc)
		rc = lw_err_set(e, LW_ENOMEM, "out of memory");
	else
		rc = lw_pg_exec(pg, b.p, e);
out:
	if (rc == LW_ENOMEM && !e->code)
		lw_err_set(e, LW_ENOMEM, "out of memory");
	free(b.p);
	return rc;
}

static int read_mark(struct lw_pg *pg, int64_t *hwm, struct lw_err *e)
{
	const char *v[1] = {pg->county};
	PGresult *res = NULL;
	int rc = lw_pg_params(pg, "SELECT hwm FROM litwatch.counties WHERE county = $1", 1, v, &res, e);
	if (rc)
		return rc;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return lw_err_set(e, LW_EIO, "province: county %s is no longer registered "
					     "(removed at the province?); reconnecting", pg->county);
	}
	*hwm = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return 0;
}

/* The last sequence number of the batch after hwm (0: the feed is drained). */
static int batch_end(struct lw_wh *wh, int64_t hwm, int64_t rows, int64_t *end, struct lw_err *e)
{
	sqlite3_stmt *st = NULL;
	int rc = lw_wh_stmt(wh, "SELECT COALESCE(max(seq), 0) FROM (SELECT seq FROM province_feed "
				"WHERE seq > :h ORDER BY seq LIMIT :n)", &st, e);
	if (rc || (rc = lw_wh_bind_int64(st, ":h", hwm, e)) || (rc = lw_wh_bind_int64(st, ":n", rows, e)))
		return rc;
	*end = 0;
	if ((rc = lw_wh_step(wh, st, e)) == 1) {
		*end = sqlite3_column_int64(st, 0);
		rc = 0;
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

/* The keys statement of table t for feed rows (?1, ?2].  A table keyed by
 * its key alone (tickets, cases, ...) sends only the keys the county no
 * longer has: every other key of the batch is staged with its row, and the
 * upsert covers it.  Measured on a first push of 200 000 work orders, the
 * DELETE over every key of every batch was a third of PostgreSQL's time,
 * deleting nothing.  A table with more rows per key (case_defendants)
 * sends every key: its rows not staged are the ones to delete. */
static int keys_sql(const struct lw_prov_table *t, char *buf, size_t len)
{
	if (lw_prov_single_key(t))
		return snprintf(buf, len,
				"SELECT DISTINCT f.k FROM province_feed f WHERE f.tbl = '%s' AND f.seq > ?1 "
				"AND f.seq <= ?2 AND NOT EXISTS (SELECT 1 FROM %s x WHERE x.%s = f.k)",
				t->name, t->name, t->key);
	return snprintf(buf, len,
			"SELECT DISTINCT k FROM province_feed WHERE tbl = '%s' AND seq > ?1 AND "
			"seq <= ?2", t->name);
}

static int prepare(sqlite3 *db, const char *sql, int64_t hwm, int64_t end, sqlite3_stmt **st,
		   struct lw_err *e)
{
	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
		return lw_err_set(e, LW_EDB, "warehouse: %s", sqlite3_errmsg(db));
	sqlite3_bind_int64(*st, 1, hwm);
	sqlite3_bind_int64(*st, 2, end);
	return 0;
}

static int one_table(struct lw_pg *pg, struct lw_wh *wh, int ti, int64_t hwm, int64_t end,
		     int seed, int64_t *nrows, struct lw_err *e)
{
	const struct lw_prov_table *t = &lw_prov_tables[ti];
	sqlite3 *db = lw_wh_db(wh);
	sqlite3_stmt *any = NULL, *keys = NULL, *rows = NULL;
	struct lw_strbuf b = {0};
	int64_t nkeys = 0;
	char tmp[512];
	int rc;

	snprintf(tmp, sizeof tmp, "SELECT 1 FROM province_feed WHERE tbl = '%s' AND seq > ?1 AND "
				  "seq <= ?2 LIMIT 1", t->name);
	if ((rc = prepare(db, tmp, hwm, end, &any, e)))
		return rc;
	rc = sqlite3_step(any);
	sqlite3_finalize(any);
	if (rc != SQLITE_ROW) /* nothing of this table in the batch */
		return rc == SQLITE_DONE ? 0 : lw_err_set(e, LW_EDB, "warehouse: %s", sqlite3_errmsg(db));
	keys_sql(t, tmp, sizeof tmp);
	if (!seed && (rc = prepare(db, tmp, hwm, end, &keys, e)))
		return rc;
	rc = lw_pgbuf_put(&b, "SELECT ", 7) || col_list(&b, &pg->cols[ti], seed ? "x." : NULL, NULL);
	if (seed) /* each key once: follow the feed, in the seed's (key) order */
		snprintf(tmp, sizeof tmp, " FROM province_feed f JOIN %s x ON x.%s = f.k WHERE f.tbl = "
					  "'%s' AND f.seq > ?1 AND f.seq <= ?2", t->name, t->key, t->name);
	else /* a key may come more than once: once each */
		snprintf(tmp, sizeof tmp, " FROM %s WHERE %s IN (SELECT k FROM province_feed WHERE "
					  "tbl = '%s' AND seq > ?1 AND seq <= ?2)", t->name, t->key, t->name);
	rc = rc || lw_pgbuf_put(&b, tmp, strlen(tmp));
	if (rc)
		rc = lw_err_set(e, LW_ENOMEM, "out of memory");
	else
		rc = prepare(db, b.p, hwm, end, &rows, e);
	free(b.p);
	if (!rc && seed) {
		/* The seed of a new county: the rows go straight into the
		 * county's partition (see the file comment). */
		if (t->partitioned)
			snprintf(tmp, sizeof tmp, "litwatch.%s_%s", t->name, pg->county);
		else
			snprintf(tmp, sizeof tmp, "litwatch.%s", t->name);
		rc = copy_rows(pg, ti, rows, tmp, nrows, e);
	} else if (!rc && !(rc = temp_tables(pg, t, e)) && !(rc = stage_keys(pg, t, keys, &nkeys, e)) &&
	    !(rc = lw_push_stage(pg, ti, rows, nrows, e))) {
		/* ANALYZE what the DELETE joins: without statistics on
		 * temporary tables the planner may scan the county's whole
		 * partition for every batch (a first push then slows down as
		 * it grows).  Nothing to delete: no DELETE, no ANALYZE. */
		if (nkeys > 0) {
			if (lw_prov_single_key(t))
				snprintf(tmp, sizeof tmp, "ANALYZE pg_temp.lw_keys_%s", t->name);
			else
				snprintf(tmp, sizeof tmp,
					 "ANALYZE pg_temp.lw_keys_%s; ANALYZE pg_temp.lw_stage_%s",
					 t->name, t->name);
			rc = lw_pg_exec(pg, tmp, e);
		}
		if (!rc)
			rc = apply(pg, ti, nkeys, e);
	}
	sqlite3_finalize(keys);
	sqlite3_finalize(rows);
	return rc;
}

static int one_batch(struct lw_pg *pg, struct lw_wh *wh, int64_t hwm, int64_t end, int seed,
		     int64_t *nrows, struct lw_err *e)
{
	char a[24], b[24], n[24];
	const char *v[4] = {pg->county, a, b, n};
	PGresult *res = NULL;
	int rc;

	if ((rc = lw_pg_exec(pg, "BEGIN", e)))
		return rc;
	for (int i = 0; i < lw_prov_ntables && !rc; i++)
		if (lw_prov_tables[i].fed)
			rc = one_table(pg, wh, i, hwm, end, seed, nrows, e);
	if (!rc) {
		snprintf(a, sizeof a, "%lld", (long long)hwm);
		snprintf(b, sizeof b, "%lld", (long long)end);
		snprintf(n, sizeof n, "%lld", (long long)*nrows);
		rc = lw_pg_params(pg, "UPDATE litwatch.counties SET hwm = $3, pushed_at = now(), "
				      "rows_pushed = rows_pushed + $4 WHERE county = $1 AND hwm = $2",
				  4, v, &res, e);
	}
	if (!rc && strcmp(PQcmdTuples(res), "1"))
		rc = lw_err_set(e, LW_EIO, "province: county %s's mark moved during the batch: is "
					   "a second warehouse pushing the same county?", pg->county);
	if (res)
		PQclear(res);
	if (!rc)
		rc = lw_pg_exec(pg, "COMMIT", e);
	else
		lw_pg_exec(pg, "ROLLBACK", &(struct lw_err){0});
	return rc;
}

int lw_pg_push(struct lw_pg *pg, struct lw_wh *wh, int64_t batch_rows, int64_t budget_ms,
	       const volatile int *stop, struct lw_push_state *st, struct lw_err *e)
{
	int64_t until = now_ms() + budget_ms;
	int rc;

	st->batches = st->rows_pushed = 0;
	if ((rc = read_mark(pg, &st->hwm, e)))
		return rc;
	while (!*stop) {
		int64_t end = 0, n = 0;
		int seed = pg->seed_to > st->hwm && st->hwm >= pg->seed_from;
		if ((rc = lw_wh_begin_read(wh, e)))
			break;
		rc = batch_end(wh, st->hwm, seed && batch_rows < SEED_BATCH_ROWS ? SEED_BATCH_ROWS
										: batch_rows, &end, e);
		if (seed && end > pg->seed_to)
			end = pg->seed_to; /* a seed batch holds seed rows only */
		if (!rc && end > 0)
			rc = one_batch(pg, wh, st->hwm, end, seed, &n, e);
		lw_wh_rollback(wh); /* ends the read transaction */
		if (rc && seed) {
			/* Whatever failed (a key there after all, the link),
			 * the batch is retried the careful way. */
			lw_log(LW_LOG_NOTICE, "province", "county %s: first push batch failed; the rest "
			       "goes up as upserts", pg->county);
			pg->seed_to = 0;
		}
		if (rc || end == 0)
			break;
		st->hwm = end;
		st->rows_pushed += n;
		st->batches++;
		if (now_ms() >= until)
			break;
	}
	lw_feed_prune(wh, st->hwm);
	{
		struct lw_err e2 = {0};
		lw_feed_last_seq(wh, &st->local_seq, &e2);
		lw_feed_lag(wh, st->hwm, &st->lag_rows, &st->lag_seconds, &e2);
	}
	return rc;
}
