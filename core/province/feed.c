/*
 * feed.c — the county side of the push: the change feed of schema 11
 * (core/warehouse/schema.c, table province_feed, written by triggers —
 * created here when a push is first configured — in the transaction of
 * every change to a table that goes up).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "province/province_int.h"

/* The tables that go up, in the order a batch applies them (no foreign keys
 * at the province: the order only keeps a batch's statements readable). */
const struct lw_prov_table lw_prov_tables[] = {
	{"imports", "id", "id", 0, 1},
	{"agencies", "id", "id", 0, 1},
	{"cases", "case_no", "case_no", 1, 1},
	{"case_defendants", "case_no", "case_no, agency_id", 1, 1},
	{"tickets", "ticket_no", "ticket_no", 1, 1},
	{"alerts", "id", "id", 0, 1},
	{"obligations", "case_no", NULL, 1, 1},
	{"outcomes", "code", "code", 0, 0},
};
const int lw_prov_ntables = (int)(sizeof lw_prov_tables / sizeof lw_prov_tables[0]);

int lw_prov_single_key(const struct lw_prov_table *t)
{
	return t->pk && !strcmp(t->pk, t->key);
}

static int one_int(struct lw_wh *wh, const char *sql, int64_t *out, struct lw_err *e)
{
	sqlite3_stmt *st = NULL;
	int rc = lw_wh_stmt(wh, sql, &st, e);
	if (rc)
		return rc;
	*out = 0;
	rc = lw_wh_step(wh, st, e);
	if (rc == 1) {
		*out = sqlite3_column_int64(st, 0);
		rc = 0;
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

int lw_feed_enabled(struct lw_wh *wh, int *yes, struct lw_err *e)
{
	int64_t n = 0;
	int rc = one_int(wh, "SELECT count(*) FROM meta WHERE key = 'province_feed'", &n, e);
	*yes = n > 0;
	return rc;
}

/* The triggers that write the feed, created with the first reseed (in its
 * transaction): before a push is configured no table has them, so imports
 * pay nothing for a feature they do not use. */
#define FEED_TRIGGERS(t, k)                                                                        \
	"CREATE TRIGGER IF NOT EXISTS province_feed_" t "_ins AFTER INSERT ON " t " BEGIN\n"        \
	"  INSERT INTO province_feed (tbl, k) VALUES ('" t "', NEW." k ");\nEND;\n"                \
	"CREATE TRIGGER IF NOT EXISTS province_feed_" t "_upd AFTER UPDATE ON " t " BEGIN\n"        \
	"  INSERT INTO province_feed (tbl, k) VALUES ('" t "', NEW." k ");\n"                      \
	"  INSERT INTO province_feed (tbl, k) SELECT '" t "', OLD." k " WHERE OLD." k              \
	" IS NOT NEW." k ";\nEND;\n"                                                                \
	"CREATE TRIGGER IF NOT EXISTS province_feed_" t "_del AFTER DELETE ON " t " BEGIN\n"        \
	"  INSERT INTO province_feed (tbl, k) VALUES ('" t "', OLD." k ");\nEND;\n"
static const char feed_triggers[] =
	FEED_TRIGGERS("imports", "id")
	FEED_TRIGGERS("agencies", "id")
	FEED_TRIGGERS("cases", "case_no")
	FEED_TRIGGERS("case_defendants", "case_no")
	FEED_TRIGGERS("tickets", "ticket_no")
	FEED_TRIGGERS("alerts", "id")
	FEED_TRIGGERS("obligations", "case_no");

int lw_feed_reseed(struct lw_wh *wh, int64_t *from, int64_t *to, struct lw_err *e)
{
	/* The statements are built from this file's table list only. */
	char sql[256];
	int rc;

	if ((rc = lw_wh_begin_immediate(wh, e)) != 0)
		return rc;
	if ((rc = lw_feed_last_seq(wh, from, e)) != 0) {
		lw_wh_rollback(wh);
		return rc;
	}
	rc = sqlite3_exec(lw_wh_db(wh), feed_triggers, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(lw_wh_db(wh),
				  "INSERT OR REPLACE INTO meta (key, value) VALUES ('province_feed', "
				  "strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
				  NULL, NULL, NULL);
	for (int i = 0; rc == SQLITE_OK && i < lw_prov_ntables; i++) {
		const struct lw_prov_table *t = &lw_prov_tables[i];
		if (!t->fed)
			continue;
		/* A table keyed by its key alone has each key once already:
		 * DISTINCT would only sort a million keys into a temporary
		 * B-tree. */
		snprintf(sql, sizeof sql, "INSERT INTO province_feed (tbl, k) SELECT %s'%s', %s FROM %s",
			 lw_prov_single_key(t) ? "" : "DISTINCT ", t->name, t->key, t->name);
		rc = sqlite3_exec(lw_wh_db(wh), sql, NULL, NULL, NULL);
	}
	if (rc != SQLITE_OK) {
		lw_err_set(e, LW_EDB, "%s: cannot enqueue the county's rows for the province: %s",
			   lw_wh_path(wh), sqlite3_errmsg(lw_wh_db(wh)));
		lw_wh_rollback(wh);
		return LW_EDB;
	}
	if ((rc = lw_feed_last_seq(wh, to, e)) != 0) {
		lw_wh_rollback(wh);
		return rc;
	}
	return lw_wh_commit(wh, e);
}

int lw_feed_last_seq(struct lw_wh *wh, int64_t *seq, struct lw_err *e)
{
	return one_int(wh, "SELECT COALESCE(max(seq), 0) FROM sqlite_sequence WHERE name = 'province_feed'",
		       seq, e);
}

int lw_feed_lag(struct lw_wh *wh, int64_t hwm, int64_t *rows, int64_t *secs, struct lw_err *e)
{
	sqlite3_stmt *st = NULL;
	int rc = lw_wh_stmt(wh, "SELECT count(*), min(at) FROM province_feed WHERE seq > :hwm", &st, e);

	*rows = *secs = 0;
	if (rc || (rc = lw_wh_bind_int64(st, ":hwm", hwm, e)))
		return rc;
	rc = lw_wh_step(wh, st, e);
	if (rc == 1) {
		*rows = sqlite3_column_int64(st, 0);
		if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
			int64_t age = (int64_t)time(NULL) - sqlite3_column_int64(st, 1);
			*secs = age > 0 ? age : 0;
		}
		rc = 0;
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

void lw_feed_prune(struct lw_wh *wh, int64_t hwm)
{
	struct lw_err e = {0};
	sqlite3_stmt *st = NULL;

	if (lw_wh_begin_immediate(wh, &e) != 0)
		return;
	if (lw_wh_stmt(wh, "DELETE FROM province_feed WHERE seq <= :hwm", &st, &e) ||
	    lw_wh_bind_int64(st, ":hwm", hwm, &e) || lw_wh_step(wh, st, &e) < 0) {
		if (st)
			sqlite3_reset(st);
		lw_wh_rollback(wh);
		return;
	}
	sqlite3_reset(st);
	lw_wh_commit(wh, &e);
}
