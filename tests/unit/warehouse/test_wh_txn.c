/* Unit tests for the warehouse at work: WAL and pragmas, one writer at a time
 * (a second one gets LW_EBUSY), readers beside a writer, all-or-nothing
 * transactions, the statement cache, constraint errors, maintenance, the
 * outbox/alert uniqueness the alerts module relies on, and writes that start
 * going to the disk as they grow (writeback.c) without changing what lands. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "warehouse/schema.h"
#include "warehouse/warehouse.h"
#include "warehouse/writeback.h"
#include "wh_test_util.h"

struct fx {
	char dir[256];
	char db[320];
	struct lw_wh *wh; /* the writer, open on a fresh file */
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct lw_err e = {0};
	wh_tmpdir(f->dir);
	snprintf(f->db, sizeof f->db, "%s/warehouse.db", f->dir);
	if (lw_wh_open(f->db, LW_WH_WRITER | LW_WH_CREATE, &f->wh, &e) != 0) {
		fprintf(stderr, "setup: %s\n", e.msg);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	lw_wh_close(f->wh);
	wh_rmdir(f->dir, "warehouse.db");
	free(f);
	return 0;
}

static int64_t count(struct lw_wh *wh, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t n = -1;
	assert_int_equal(sqlite3_prepare_v2(lw_wh_db(wh), sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void text1(struct lw_wh *wh, const char *sql, char *out, size_t cap)
{
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(lw_wh_db(wh), sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The statements these tests run, as a module would keep them. */
static const char sql_add_import[] =
	"INSERT INTO imports (source, origin, status) VALUES (:source, :origin, 'running')";
static const char sql_add_agency[] = "INSERT INTO agencies (name) VALUES (:name)";
static const char sql_add_case[] =
	"INSERT INTO cases (case_no, case_no_raw, filed_date, source, import_id, source_row) "
	"VALUES (:case_no, :case_no, :filed, 'test', :import_id, :row)";

static int add_agency(struct lw_wh *wh, const char *name, struct lw_err *e)
{
	sqlite3_stmt *st;
	int rc = lw_wh_stmt(wh, sql_add_agency, &st, e);
	if (!rc)
		rc = lw_wh_bind_text(st, ":name", name, e);
	return rc ? rc : lw_wh_step(wh, st, e);
}

static void writer_is_wal_with_full_sync_foreign_keys_and_busy_timeout(void **state)
{
	struct fx *f = *state;
	char mode[16];

	text1(f->wh, "PRAGMA journal_mode", mode, sizeof mode);
	assert_string_equal(mode, "wal");
	assert_int_equal(count(f->wh, "PRAGMA synchronous"), 2); /* FULL */
	assert_int_equal(count(f->wh, "PRAGMA foreign_keys"), 1);
	assert_int_equal(count(f->wh, "PRAGMA busy_timeout"), LW_WH_BUSY_TIMEOUT_DEFAULT_MS);
}

static void second_writer_gets_ebusy_after_the_busy_timeout(void **state)
{
	struct fx *f = *state;
	struct lw_wh_options o = {.flags = LW_WH_WRITER, .busy_timeout_ms = 300};
	struct lw_err e = {0};
	struct lw_wh *two = NULL;
	double t0, waited;

	assert_int_equal(lw_wh_begin_immediate(f->wh, &e), 0);
	assert_int_equal(add_agency(f->wh, "市自然资源和规划局", &e), 0);

	/* An up-to-date file opens without the write lock... */
	if (lw_wh_open_opts(f->db, &o, &two, &e) != 0)
		fail_msg("second open: %s", e.msg);
	assert_int_equal(count(two, "PRAGMA busy_timeout"), 300);
	/* ...but its transaction waits the busy timeout, then gives up. */
	t0 = now_s();
	assert_int_equal(lw_wh_begin_immediate(two, &e), LW_EBUSY);
	waited = now_s() - t0;
	if (waited < 0.25 || waited > 5)
		fail_msg("expected to wait ~0.3 s for the lock, waited %.3f s", waited);
	if (!strstr(e.msg, "second litwatchd"))
		fail_msg("expected advice about a second writer, got \"%s\"", e.msg);
	assert_false(lw_wh_in_transaction(two));

	/* The first writer's work is intact and commits; then the second can write. */
	assert_int_equal(lw_wh_commit(f->wh, &e), 0);
	assert_int_equal(lw_wh_begin_immediate(two, &e), 0);
	assert_int_equal(add_agency(two, "市市场监督管理局", &e), 0);
	assert_int_equal(lw_wh_commit(two, &e), 0);
	assert_int_equal(count(f->wh, "SELECT count(*) FROM agencies"), 2);
	lw_wh_close(two);
}

static void writer_open_that_must_migrate_gets_ebusy_while_another_holds_the_lock(void **state)
{
	struct fx *f = *state;
	struct lw_wh_options o = {.flags = LW_WH_WRITER, .busy_timeout_ms = 200};
	struct lw_err e = {0};
	struct lw_wh *two = NULL;
	char p[400];
	sqlite3 *raw = NULL;

	/* A v1 file in WAL mode, write-locked by some other connection. */
	snprintf(p, sizeof p, "%s/old.db", f->dir);
	assert_int_equal(sqlite3_open(p, &raw), SQLITE_OK);
	assert_int_equal(lw_wh_schema_apply(raw, p, 1, &e), 0);
	assert_int_equal(sqlite3_exec(raw, "PRAGMA journal_mode = WAL; BEGIN IMMEDIATE;",
				      NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(lw_wh_open_opts(p, &o, &two, &e), LW_EBUSY);
	assert_null(two);
	assert_non_null(strstr(e.msg, p));
	sqlite3_exec(raw, "ROLLBACK", NULL, NULL, NULL);
	/* Once free, the same open upgrades it. */
	assert_int_equal(lw_wh_open_opts(p, &o, &two, &e), 0);
	assert_int_equal(lw_wh_schema_version(two), lw_wh_schema_latest());
	lw_wh_close(two);
	sqlite3_close(raw);
	wh_unlink_db(f->dir, "old.db");
}

static void reader_sees_last_commit_while_writer_holds_a_transaction(void **state)
{
	struct fx *f = *state;
	struct lw_wh_options o = {.flags = LW_WH_READONLY, .busy_timeout_ms = 100};
	struct lw_err e = {0};
	struct lw_wh *ro = NULL;

	assert_int_equal(add_agency(f->wh, "市司法局", &e), 0);
	assert_int_equal(lw_wh_begin_immediate(f->wh, &e), 0);
	assert_int_equal(add_agency(f->wh, "市公安局", &e), 0);
	if (lw_wh_open_opts(f->db, &o, &ro, &e) != 0)
		fail_msg("reader open: %s", e.msg);
	assert_int_equal(count(ro, "SELECT count(*) FROM agencies"), 1); /* not blocked */
	assert_int_equal(lw_wh_commit(f->wh, &e), 0);
	assert_int_equal(count(ro, "SELECT count(*) FROM agencies"), 2);
	lw_wh_close(ro);
}

static void transaction_rolls_back_whole_when_a_row_fails(void **state)
{
	struct fx *f = *state;
	struct lw_err e = {0};
	sqlite3_stmt *st;
	int64_t import_id;

	assert_int_equal(lw_wh_begin_immediate(f->wh, &e), 0);
	assert_int_equal(lw_wh_stmt(f->wh, sql_add_import, &st, &e), 0);
	assert_int_equal(lw_wh_bind_text(st, ":source", "inbox", &e), 0);
	assert_int_equal(lw_wh_bind_text(st, ":origin", "/srv/inbox/a.xlsx", &e), 0);
	assert_int_equal(lw_wh_step(f->wh, st, &e), 0);
	import_id = sqlite3_last_insert_rowid(lw_wh_db(f->wh));
	static const char *dates[] = {"2024-01-15", "2024-02-01", "2024-02-30"}; /* 3rd bad */
	int rc = 0;
	for (int i = 0; i < 3 && rc == 0; i++) {
		char no[64];
		snprintf(no, sizeof no, "(2024)鄂9004行初%d号", i + 1);
		assert_int_equal(lw_wh_stmt(f->wh, sql_add_case, &st, &e), 0);
		assert_int_equal(lw_wh_bind_text(st, ":case_no", no, &e), 0);
		assert_int_equal(lw_wh_bind_text(st, ":filed", dates[i], &e), 0);
		assert_int_equal(lw_wh_bind_int64(st, ":import_id", import_id, &e), 0);
		assert_int_equal(lw_wh_bind_int64(st, ":row", i + 2, &e), 0);
		rc = lw_wh_step(f->wh, st, &e);
	}
	assert_int_equal(rc, LW_EINVAL); /* CHECK: date(filed_date) IS filed_date */
	assert_non_null(strstr(e.msg, "CHECK constraint failed"));
	lw_wh_rollback(f->wh);
	assert_false(lw_wh_in_transaction(f->wh));
	assert_int_equal(count(f->wh, "SELECT count(*) FROM imports"), 0);
	assert_int_equal(count(f->wh, "SELECT count(*) FROM cases"), 0);
}

static void closing_with_an_open_transaction_keeps_nothing(void **state)
{
	struct fx *f = *state;
	struct lw_err e = {0};

	assert_int_equal(lw_wh_begin_immediate(f->wh, &e), 0);
	assert_int_equal(add_agency(f->wh, "市司法局", &e), 0);
	lw_wh_close(f->wh);
	assert_int_equal(lw_wh_open(f->db, LW_WH_WRITER, &f->wh, &e), 0);
	assert_int_equal(count(f->wh, "SELECT count(*) FROM agencies"), 0);
}

static void transaction_misuse_is_reported_not_ignored(void **state)
{
	struct fx *f = *state;
	struct lw_err e = {0};

	assert_int_equal(lw_wh_commit(f->wh, &e), LW_EINVAL);
	assert_int_equal(lw_wh_begin_immediate(f->wh, &e), 0);
	assert_int_equal(lw_wh_begin_immediate(f->wh, &e), LW_EINVAL);
	assert_non_null(strstr(e.msg, "already open"));
	assert_true(lw_wh_in_transaction(f->wh));
	lw_wh_rollback(f->wh);
	lw_wh_rollback(f->wh); /* harmless */
	assert_int_equal(lw_wh_begin_read(f->wh, &e), 0);
	assert_int_equal(lw_wh_commit(f->wh, &e), 0);
}

static void statement_cache_returns_the_same_statement_reset_and_unbound(void **state)
{
	struct fx *f = *state;
	struct lw_err e = {0};
	sqlite3_stmt *a, *b;
	char copy[sizeof sql_add_agency];

	assert_int_equal(lw_wh_stmt(f->wh, sql_add_agency, &a, &e), 0);
	assert_int_equal(lw_wh_bind_text(a, ":name", "市司法局", &e), 0);
	memcpy(copy, sql_add_agency, sizeof copy); /* same text, other pointer */
	assert_int_equal(lw_wh_stmt(f->wh, copy, &b, &e), 0);
	assert_ptr_equal(a, b);
	/* Bindings were cleared: name is NULL and violates NOT NULL. */
	assert_int_equal(lw_wh_step(f->wh, b, &e), LW_EINVAL);
	assert_non_null(strstr(e.msg, "NOT NULL"));
	assert_int_equal(lw_wh_bind_text(b, ":nosuch", "x", &e), LW_EINVAL);
	assert_non_null(strstr(e.msg, "has no parameter :nosuch"));
	assert_int_equal(lw_wh_stmt(f->wh, "SELEC nonsense", &a, &e), LW_EDB);
	assert_non_null(strstr(e.msg, "cannot prepare \"SELEC nonsense\""));
	assert_null(a);
}

static void step_maps_constraint_kinds_to_distinct_codes(void **state)
{
	struct fx *f = *state;
	struct lw_err e = {0};
	sqlite3_stmt *st;

	assert_int_equal(add_agency(f->wh, "市司法局", &e), 0);
	assert_int_equal(add_agency(f->wh, "市司法局", &e), LW_EEXIST);
	assert_non_null(strstr(e.msg, "UNIQUE"));
	/* A defendant that is no agency: foreign key. */
	assert_int_equal(lw_wh_stmt(f->wh,
		"INSERT INTO case_defendants (case_no, agency_id, source) "
		"VALUES (:case_no, :agency_id, 'test')", &st, &e), 0);
	assert_int_equal(lw_wh_bind_text(st, ":case_no", "(2024)鄂9004行初1号", &e), 0);
	assert_int_equal(lw_wh_bind_int64(st, ":agency_id", 42, &e), 0);
	assert_int_equal(lw_wh_step(f->wh, st, &e), LW_EINVAL);
	assert_non_null(strstr(e.msg, "FOREIGN KEY"));
	/* Personal data columns only take a 64-hex HMAC, never a phone number. */
	assert_int_equal(lw_wh_stmt(f->wh,
		"INSERT INTO tickets (ticket_no, caller_hash, source) VALUES (:no, :h, 'test')",
		&st, &e), 0);
	assert_int_equal(lw_wh_bind_text(st, ":no", "GD1", &e), 0);
	assert_int_equal(lw_wh_bind_text(st, ":h", "13812345678", &e), 0);
	assert_int_equal(lw_wh_step(f->wh, st, &e), LW_EINVAL);
	/* Local times must be 'YYYY-MM-DD HH:MM:SS'. */
	assert_int_equal(sqlite3_exec(lw_wh_db(f->wh),
		"INSERT INTO tickets (ticket_no, received_at, source) VALUES ('GD2', '2024/5/6', 't')",
		NULL, NULL, NULL) & 0xff, SQLITE_CONSTRAINT);
	assert_int_equal(sqlite3_exec(lw_wh_db(f->wh),
		"INSERT INTO tickets (ticket_no, received_at, source) "
		"VALUES ('GD2', '2024-05-06 08:30:00', 't')", NULL, NULL, NULL), SQLITE_OK);
}

static void outbox_and_alert_identity_refuse_duplicates(void **state)
{
	struct fx *f = *state;
	sqlite3 *db = lw_wh_db(f->wh);

	assert_int_equal(sqlite3_exec(db,
		"INSERT INTO alerts (rule, labels, period, fingerprint, state) VALUES "
		"  ('loss_rate', '{\"agency\":\"市司法局\"}', '2024Q1', 'fp1', 'pending');"
		"INSERT INTO alert_transitions (alert_id, from_state, to_state) VALUES (1, 'pending', 'firing');"
		"INSERT INTO notifications (sink, dedup_key, payload) VALUES ('webhook', 'g1:t1', '{}');",
		NULL, NULL, NULL), SQLITE_OK);
	/* Re-evaluating after a crash produces the same identities: ignored. */
	assert_int_equal(sqlite3_exec(db,
		"INSERT OR IGNORE INTO notifications (sink, dedup_key, payload) VALUES ('webhook', 'g1:t1', '{}');"
		"INSERT INTO alerts (rule, labels, period, fingerprint, state) VALUES "
		"  ('loss_rate', '{}', '2024Q1', 'fp1', 'pending') "
		"  ON CONFLICT (fingerprint) DO UPDATE SET holds = holds + 1;",
		NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(count(f->wh, "SELECT count(*) FROM notifications"), 1);
	assert_int_equal(count(f->wh, "SELECT holds FROM alerts WHERE fingerprint = 'fp1'"), 1);
	/* A sent notification must say when. */
	assert_int_equal(sqlite3_exec(db, "UPDATE notifications SET state = 'sent'", NULL, NULL,
				      NULL) & 0xff, SQLITE_CONSTRAINT);
}

static void integrity_check_is_ok_and_checkpoint_truncates_the_wal(void **state)
{
	struct fx *f = *state;
	struct lw_err e = {0};
	char *text = NULL, wal[400], *w;
	size_t n = 99;

	assert_int_equal(add_agency(f->wh, "市司法局", &e), 0);
	assert_int_equal(lw_wh_integrity_check(f->wh, &text, &e), 0);
	assert_string_equal(text, "ok");
	free(text);
	assert_int_equal(lw_wh_checkpoint(f->wh, &e), 0);
	snprintf(wal, sizeof wal, "%s-wal", f->db);
	w = wh_slurp(wal, &n);
	assert_non_null(w);
	assert_int_equal(n, 0);
	free(w);
	/* A dangling reference (written with foreign keys off) is reported. */
	assert_int_equal(sqlite3_exec(lw_wh_db(f->wh),
		"PRAGMA foreign_keys = OFF;"
		"INSERT INTO agency_aliases (alias, agency_id, origin) VALUES ('司法局', 77, 'config');"
		"PRAGMA foreign_keys = ON;", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(lw_wh_integrity_check(f->wh, &text, &e), 0);
	if (!strstr(text, "foreign key: agency_aliases"))
		fail_msg("expected a foreign key problem, got \"%s\"", text);
	free(text);
}

/* A transaction of 24 MiB (past the page cache: spilled to the WAL while
 * it runs, so the write-back kicks in many times) lands whole, through the
 * checkpoint, on Linux with the counting installed. */
static void big_writes_land_whole_with_writeback(void **state)
{
	struct fx *f = *state;
	struct lw_err e = {0};
	char *text = NULL, v[64];
	sqlite3 *db = lw_wh_db(f->wh);

#ifdef __linux__
	assert_true(lw_wh_writeback_installed());
#endif
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE big (k INTEGER PRIMARY KEY, b BLOB);"
				      "BEGIN; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
				      "FROM n WHERE i < 3072) INSERT INTO big SELECT i, "
				      "randomblob(8192) FROM n; COMMIT", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(lw_wh_checkpoint(f->wh, &e), 0);
	text1(f->wh, "SELECT count(*) || ' ' || sum(length(b)) FROM big", v, sizeof v);
	assert_string_equal(v, "3072 25165824");
	assert_int_equal(lw_wh_integrity_check(f->wh, &text, &e), 0);
	assert_string_equal(text, "ok");
	free(text);
}

static void backup_copies_the_last_commit_while_a_write_is_in_progress(void **state)
{
	struct fx *f = *state;
	struct lw_wh_options o = {.flags = LW_WH_READONLY};
	struct lw_err e = {0};
	struct lw_wh *ro = NULL, *bk = NULL;
	char dest[400];

	assert_int_equal(add_agency(f->wh, "市司法局", &e), 0);
	assert_int_equal(lw_wh_begin_immediate(f->wh, &e), 0);
	assert_int_equal(add_agency(f->wh, "市公安局", &e), 0); /* not committed */
	assert_int_equal(lw_wh_open_opts(f->db, &o, &ro, &e), 0);
	snprintf(dest, sizeof dest, "%s/backup.db", f->dir);
	if (lw_wh_backup(ro, dest, &e) != 0)
		fail_msg("backup: %s", e.msg);
	assert_int_equal(lw_wh_backup(ro, dest, &e), LW_EEXIST);
	lw_wh_close(ro);
	assert_int_equal(lw_wh_commit(f->wh, &e), 0);

	/* The copy is a warehouse of the same version with the committed row. */
	if (lw_wh_open(dest, LW_WH_READONLY, &bk, &e) != 0)
		fail_msg("open backup: %s", e.msg);
	assert_int_equal(lw_wh_schema_version(bk), lw_wh_schema_latest());
	assert_int_equal(count(bk, "SELECT count(*) FROM agencies"), 1);
	lw_wh_close(bk);
	wh_unlink_db(f->dir, "backup.db");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(writer_is_wal_with_full_sync_foreign_keys_and_busy_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(second_writer_gets_ebusy_after_the_busy_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(writer_open_that_must_migrate_gets_ebusy_while_another_holds_the_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(reader_sees_last_commit_while_writer_holds_a_transaction, setup, teardown),
		cmocka_unit_test_setup_teardown(transaction_rolls_back_whole_when_a_row_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(closing_with_an_open_transaction_keeps_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(transaction_misuse_is_reported_not_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(statement_cache_returns_the_same_statement_reset_and_unbound, setup, teardown),
		cmocka_unit_test_setup_teardown(step_maps_constraint_kinds_to_distinct_codes, setup, teardown),
		cmocka_unit_test_setup_teardown(outbox_and_alert_identity_refuse_duplicates, setup, teardown),
		cmocka_unit_test_setup_teardown(integrity_check_is_ok_and_checkpoint_truncates_the_wal, setup, teardown),
		cmocka_unit_test_setup_teardown(backup_copies_the_last_commit_while_a_write_is_in_progress, setup, teardown),
		cmocka_unit_test_setup_teardown(big_writes_land_whole_with_writeback, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
