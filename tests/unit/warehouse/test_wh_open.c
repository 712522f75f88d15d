/* Unit tests for warehouse opening: creation, upgrade from the committed v1
 * fixture, and every refusal (newer schema, not SQLite, another
 * application's SQLite, read-only on an older file, missing paths). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "warehouse/schema.h"
#include "warehouse/warehouse.h"
#include "wh_test_util.h"

#define V1_FIXTURE LW_TEST_FIXTURES "/warehouse/v1.db"

struct fx {
	char dir[256];
	char db[320];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	wh_tmpdir(f->dir);
	snprintf(f->db, sizeof f->db, "%s/warehouse.db", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
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

static void raw_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void assert_msg_has(const struct lw_err *e, const char *needle)
{
	if (!strstr(e->msg, needle))
		fail_msg("expected the message to contain \"%s\", got \"%s\"", needle, e->msg);
}

static void create_makes_wal_file_with_our_application_id_and_latest_schema(void **state)
{
	struct fx *f = *state;
	struct lw_err e = {0};
	struct lw_wh *wh = NULL;

	assert_int_equal(lw_wh_open(f->db, LW_WH_WRITER | LW_WH_CREATE, &wh, &e), 0);
	assert_int_equal(lw_wh_schema_version(wh), lw_wh_schema_latest());
	assert_true(lw_wh_schema_latest() >= 2);
	assert_int_equal(count(wh, "PRAGMA application_id"), LW_WH_APPLICATION_ID);
	assert_int_equal(count(wh, "SELECT count(*) FROM sqlite_schema WHERE name IN "
			 "('cases','tickets','agencies','agency_aliases','imports','rejects',"
			 "'conflicts','cursors','alerts','silences','notifications')"), 11);
	/* v1: 8 loss outcomes; v3 adds lost_unspecified (败诉 without detail). */
	assert_int_equal(count(wh, "SELECT count(*) FROM outcomes WHERE loss = 1"), 9);
	assert_string_equal(lw_wh_path(wh), f->db);
	/* New files get 16 KiB pages (faster big imports, warehouse.c). */
	assert_int_equal(count(wh, "PRAGMA page_size"), 16384);
	lw_wh_close(wh);
	/* Reopening an up-to-date file is a no-op upgrade. */
	assert_int_equal(lw_wh_open(f->db, LW_WH_WRITER, &wh, &e), 0);
	assert_int_equal(lw_wh_schema_version(wh), lw_wh_schema_latest());
	lw_wh_close(wh);
}

static void writer_cache_is_the_default_until_the_setting_gives_another(void **state)
{
	struct fx *f = *state;
	struct lw_err e = {0};
	struct lw_wh *wh = NULL;

	assert_int_equal(lw_wh_open(f->db, LW_WH_WRITER | LW_WH_CREATE, &wh, &e), 0);
	/* PRAGMA cache_size reads back negative: KiB. */
	assert_int_equal(count(wh, "PRAGMA cache_size"), -(LW_WH_CACHE_DEFAULT_BYTES / 1024));
	assert_int_equal(lw_wh_set_cache(wh, 64 << 20, &e), 0);
	assert_int_equal(count(wh, "PRAGMA cache_size"), -65536);
	assert_int_equal(lw_wh_set_cache(wh, 0, &e), 0);
	assert_int_equal(count(wh, "PRAGMA cache_size"), -(LW_WH_CACHE_DEFAULT_BYTES / 1024));
	assert_int_equal(lw_wh_set_cache(wh, -1, &e), LW_EINVAL);
	lw_wh_close(wh);
}

static void create_refuses_missing_parent_directory_and_names_it(void **state)
{
	struct fx *f = *state;
	struct lw_err e = {0};
	struct lw_wh *wh = (void *)1;
	char p[400];

	snprintf(p, sizeof p, "%s/no-such-dir/warehouse.db", f->dir);
	assert_int_equal(lw_wh_open(p, LW_WH_WRITER | LW_WH_CREATE, &wh, &e), LW_ENOENT);
	assert_null(wh);
	assert_msg_has(&e, "no-such-dir does not exist");
	assert_false(wh_exists(p));
}

static void open_without_create_refuses_a_missing_file(void **state)
{
	struct fx *f = *state;
	struct lw_err e = {0};
	struct lw_wh *wh = NULL;

	assert_int_equal(lw_wh_open(f->db, LW_WH_WRITER, &wh, &e), LW_ENOENT);
	assert_msg_has(&e, f->db);
	assert_int_equal(lw_wh_open(f->db, LW_WH_READONLY, &wh, &e), LW_ENOENT);
	assert_msg_has(&e, "run litwatchd once");
	assert_false(wh_exists(f->db));
}

static void bad_flag_combinations_are_refused(void **state)
{
	struct fx *f = *state;
	struct lw_err e = {0};
	struct lw_wh *wh = NULL;

	assert_int_equal(lw_wh_open(f->db, 0, &wh, &e), LW_EINVAL);
	assert_int_equal(lw_wh_open(f->db, LW_WH_WRITER | LW_WH_READONLY, &wh, &e), LW_EINVAL);
	assert_int_equal(lw_wh_open(f->db, LW_WH_READONLY | LW_WH_CREATE, &wh, &e), LW_EINVAL);
	assert_int_equal(lw_wh_open(f->dir, LW_WH_WRITER, &wh, &e), LW_EINVAL);
	assert_msg_has(&e, "not a regular file");
}

static void v1_fixture_upgrades_to_latest_with_rows_intact(void **state)
{
	struct fx *f = *state;
	struct lw_err e = {0};
	struct lw_wh *wh = NULL;
	sqlite3_stmt *st = NULL;
	char *check = NULL;

	assert_int_equal(wh_copy(V1_FIXTURE, f->db), 0);
	if (lw_wh_open(f->db, LW_WH_WRITER, &wh, &e) != 0)
		fail_msg("open: %s", e.msg);
	assert_int_equal(lw_wh_schema_version(wh), lw_wh_schema_latest());
	/* Every v1 row is still there. */
	assert_int_equal(count(wh, "SELECT count(*) FROM imports"), 2);
	assert_int_equal(count(wh, "SELECT count(*) FROM agencies"), 3);
	assert_int_equal(count(wh, "SELECT count(*) FROM agency_aliases"), 2);
	assert_int_equal(count(wh, "SELECT count(*) FROM cases"), 3);
	assert_int_equal(count(wh, "SELECT count(*) FROM case_defendants"), 4);
	assert_int_equal(count(wh, "SELECT count(*) FROM tickets"), 2);
	assert_int_equal(count(wh, "SELECT count(*) FROM rejects"), 1);
	assert_int_equal(count(wh, "SELECT count(*) FROM conflicts"), 1);
	assert_int_equal(count(wh, "SELECT count(*) FROM cursors"), 1);
	assert_int_equal(count(wh, "SELECT count(*) FROM alerts"), 1);
	assert_int_equal(count(wh, "SELECT count(*) FROM meta WHERE key = 'created_at' "
			 "AND value = '2024-04-01T08:00:00Z'"), 1);
	/* ... with their values. */
	assert_int_equal(sqlite3_prepare_v2(lw_wh_db(wh),
		"SELECT case_no_raw, outcome, agency_lost, concluded_date FROM cases "
		"WHERE case_no = '(2024)鄂9004行初15号'", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal(sqlite3_column_text(st, 0), "（2024）鄂9004行初１５号");
	assert_string_equal(sqlite3_column_text(st, 1), "revoked");
	assert_int_equal(sqlite3_column_int(st, 2), 1);
	assert_string_equal(sqlite3_column_text(st, 3), "2024-03-20");
	sqlite3_finalize(st);
	/* v6: tickets keep their times through the import that brought them. */
	assert_int_equal(count(wh, "SELECT count(*) FROM pragma_table_info('tickets') "
			 "WHERE name IN ('first_seen', 'updated_at')"), 0);
	assert_int_equal(count(wh, "SELECT count(*) FROM ticket_provenance WHERE ticket_no = "
			 "'GD20240301000123' AND first_seen = '2024-04-01T09:00:00Z' "
			 "AND updated_at = '2024-04-01T09:00:00Z' AND source = 'hotline'"), 1);
	/* v6 and the category index's removal: one secondary index is left. */
	assert_int_equal(count(wh, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND "
			 "tbl_name = 'tickets' AND name NOT LIKE 'sqlite_%'"), 1);
	assert_int_equal(count(wh, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND "
			 "name = 'tickets_agency_received'"), 1);
	/* The v2 tables exist and take rows that refer to v1 rows. */
	assert_int_equal(sqlite3_exec(lw_wh_db(wh),
		"INSERT INTO alert_transitions (alert_id, from_state, to_state) VALUES (1, 'pending', 'firing');"
		"INSERT INTO notifications (sink, dedup_key, payload) VALUES ('log', 'a1:t1', '{}');"
		"INSERT INTO notification_alerts VALUES (last_insert_rowid(), 1);"
		"INSERT INTO silences (matchers, starts_at, ends_at, created_by) VALUES "
		"  ('[]', '2024-04-01T00:00:00Z', '2024-04-02T00:00:00Z', 'analyst');",
		NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(lw_wh_integrity_check(wh, &check, &e), 0);
	assert_string_equal(check, "ok");
	free(check);
	lw_wh_close(wh);
}

static void failed_upgrade_step_is_rolled_back_whole_and_leaves_the_previous_version(void **state)
{
	struct fx *f = *state;
	struct lw_err e = {0};
	struct lw_wh *wh = NULL;

	/* Someone created a table that step 2 also creates: step 2 fails. */
	assert_int_equal(wh_copy(V1_FIXTURE, f->db), 0);
	raw_exec(f->db, "CREATE TABLE notifications (x);");
	assert_int_equal(lw_wh_open(f->db, LW_WH_WRITER, &wh, &e), LW_EDB);
	assert_null(wh);
	assert_msg_has(&e, "schema migration 1 -> 2 failed");
	assert_msg_has(&e, "left at version 1");
	/* Nothing of step 2 stayed (silences comes before notifications). */
	raw_exec(f->db, "DROP TABLE notifications;");
	{
		sqlite3 *db = NULL;
		sqlite3_stmt *st = NULL;
		assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(db,
			"SELECT (SELECT user_version FROM pragma_user_version),"
			"       (SELECT count(*) FROM sqlite_schema WHERE name = 'silences'),"
			"       (SELECT count(*) FROM cases)", -1, &st, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(st, 0), 1);
		assert_int_equal(sqlite3_column_int(st, 1), 0);
		assert_int_equal(sqlite3_column_int(st, 2), 3);
		sqlite3_finalize(st);
		sqlite3_close(db);
	}
	/* With the obstacle gone, the upgrade goes through. */
	assert_int_equal(lw_wh_open(f->db, LW_WH_WRITER, &wh, &e), 0);
	assert_int_equal(lw_wh_schema_version(wh), lw_wh_schema_latest());
	lw_wh_close(wh);
}

/* Collect "type name sql" of every schema object, sorted, as one text. */
static char *schema_text(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	char *buf = calloc(1, 1);
	size_t len = 0;

	assert_int_equal(sqlite3_prepare_v2(db,
		"SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_schema "
		"ORDER BY type, name", -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		size_t n = strlen(t);
		buf = realloc(buf, len + n + 2);
		memcpy(buf + len, t, n);
		len += n;
		buf[len++] = '\n';
		buf[len] = '\0';
	}
	sqlite3_finalize(st);
	return buf;
}

static void v1_fixture_schema_matches_migration_1(void **state)
{
	struct fx *f = *state;
	struct lw_err e = {0};
	sqlite3 *fresh = NULL, *fixture = NULL;
	char *a, *b;

	assert_int_equal(sqlite3_open(f->db, &fresh), SQLITE_OK);
	assert_int_equal(lw_wh_schema_apply(fresh, f->db, 1, &e), 0);
	/* A copy: even a read-only open of a WAL file makes -wal/-shm beside it. */
	char copy[400];
	snprintf(copy, sizeof copy, "%s/fixture.db", f->dir);
	assert_int_equal(wh_copy(V1_FIXTURE, copy), 0);
	assert_int_equal(sqlite3_open_v2(copy, &fixture, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	a = schema_text(fresh);
	b = schema_text(fixture);
	if (strcmp(a, b) != 0)
		fail_msg("migration 1 no longer builds the schema of the committed v1 fixture; "
			 "released migrations must not change (add a new step instead).\n"
			 "--- fixture:\n%s\n--- migration 1 today:\n%s", b, a);
	free(a);
	free(b);
	sqlite3_close(fresh);
	sqlite3_close(fixture);
	wh_unlink_db(f->dir, "fixture.db");
}

static void newer_schema_is_refused_with_upgrade_advice_and_left_unchanged(void **state)
{
	struct fx *f = *state;
	struct lw_err e = {0};
	struct lw_wh *wh = NULL;
	char *before, *after, want[640];
	size_t nb, na;

	assert_int_equal(lw_wh_open(f->db, LW_WH_WRITER | LW_WH_CREATE, &wh, &e), 0);
	lw_wh_close(wh);
	raw_exec(f->db, "PRAGMA user_version = 99; PRAGMA journal_mode = DELETE;");
	before = wh_slurp(f->db, &nb);
	assert_int_equal(lw_wh_open(f->db, LW_WH_WRITER, &wh, &e), LW_EVERSION);
	assert_null(wh);
	snprintf(want, sizeof want, "%s: written by a newer litwatch (schema 99, this binary "
		 "knows up to %d); upgrade litwatch or restore a backup", f->db,
		 lw_wh_schema_latest());
	assert_string_equal(e.msg, want);
	assert_int_equal(lw_wh_open(f->db, LW_WH_READONLY, &wh, &e), LW_EVERSION);
	assert_string_equal(e.msg, want);
	after = wh_slurp(f->db, &na);
	assert_int_equal(na, nb);
	assert_memory_equal(before, after, nb);
	free(before);
	free(after);
}

static void non_sqlite_file_is_refused_and_not_touched(void **state)
{
	struct fx *f = *state;
	struct lw_err e = {0};
	struct lw_wh *wh = NULL;
	static const char text[] = "案号,被告\n(2024)鄂9004行初15号,市自然资源局\n"
				   "this is a CSV file that someone named warehouse.db, long enough "
				   "to fill more than the SQLite header of one hundred bytes......\n";
	char *after;
	size_t n;

	assert_int_equal(wh_write(f->db, text, sizeof text - 1), 0);
	assert_int_equal(lw_wh_open(f->db, LW_WH_WRITER | LW_WH_CREATE, &wh, &e), LW_EFORMAT);
	assert_msg_has(&e, "is not an SQLite database");
	assert_int_equal(lw_wh_open(f->db, LW_WH_READONLY, &wh, &e), LW_EFORMAT);
	after = wh_slurp(f->db, &n);
	assert_int_equal(n, sizeof text - 1);
	assert_memory_equal(after, text, n);
	free(after);
}

static void sqlite_file_of_another_application_is_refused(void **state)
{
	struct fx *f = *state;
	struct lw_err e = {0};
	struct lw_wh *wh = NULL;

	/* No application_id, but tables: someone's own database. */
	raw_exec(f->db, "CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT);");
	assert_int_equal(lw_wh_open(f->db, LW_WH_WRITER, &wh, &e), LW_EFORMAT);
	assert_msg_has(&e, "another application (application_id 0, 1 schema objects)");
	assert_msg_has(&e, "not a litwatch warehouse");
	/* Another application's id, even with no tables (e.g. a fresh GeoPackage). */
	raw_exec(f->db, "DROP TABLE moz_places; PRAGMA application_id = 1196444487;");
	assert_int_equal(lw_wh_open(f->db, LW_WH_WRITER, &wh, &e), LW_EFORMAT);
	assert_msg_has(&e, "application_id 1196444487");
	assert_int_equal(lw_wh_open(f->db, LW_WH_READONLY, &wh, &e), LW_EFORMAT);
}

static void readonly_open_of_older_file_refuses_with_advice_and_writes_nothing(void **state)
{
	struct fx *f = *state;
	struct lw_err e = {0};
	struct lw_wh *wh = NULL;
	char *before, *after, wal[400];
	size_t nb, na;

	assert_int_equal(wh_copy(V1_FIXTURE, f->db), 0);
	before = wh_slurp(f->db, &nb);
	assert_int_equal(lw_wh_open(f->db, LW_WH_READONLY, &wh, &e), LW_EVERSION);
	assert_null(wh);
	assert_msg_has(&e, "schema 1 is older");
	assert_msg_has(&e, "run litwatchd once to upgrade it");
	after = wh_slurp(f->db, &na);
	assert_int_equal(na, nb);
	assert_memory_equal(before, after, nb);
	/* SQLite may create the -wal/-shm companions for a reader of a WAL
	 * file, but no frame may be written to the log. */
	snprintf(wal, sizeof wal, "%s-wal", f->db);
	if (wh_exists(wal)) {
		char *w = wh_slurp(wal, &na);
		assert_non_null(w);
		assert_int_equal(na, 0);
		free(w);
	}
	free(before);
	free(after);
}

static void readonly_open_reads_but_never_writes(void **state)
{
	struct fx *f = *state;
	struct lw_err e = {0};
	struct lw_wh *wh = NULL, *ro = NULL;
	sqlite3_stmt *st = NULL;
	char *before, *after;
	size_t nb, na;

	assert_int_equal(lw_wh_open(f->db, LW_WH_WRITER | LW_WH_CREATE, &wh, &e), 0);
	assert_int_equal(sqlite3_exec(lw_wh_db(wh),
		"INSERT INTO agencies (name) VALUES ('市司法局')", NULL, NULL, NULL), SQLITE_OK);
	lw_wh_close(wh); /* last connection: checkpoints the WAL into the file */
	before = wh_slurp(f->db, &nb);

	if (lw_wh_open(f->db, LW_WH_READONLY, &ro, &e) != 0)
		fail_msg("read-only open: %s", e.msg);
	assert_int_equal(count(ro, "SELECT count(*) FROM agencies"), 1);
	/* Writes fail, through the API and through the raw connection. */
	assert_int_equal(lw_wh_begin_immediate(ro, &e), LW_EPERM);
	assert_int_equal(lw_wh_stmt(ro, "INSERT INTO agencies (name) VALUES (:name)", &st, &e), 0);
	assert_int_equal(lw_wh_bind_text(st, ":name", "市公安局", &e), 0);
	assert_true(lw_wh_step(ro, st, &e) < 0);
	assert_int_equal(count(ro, "SELECT count(*) FROM agencies"), 1);
	lw_wh_close(ro);

	after = wh_slurp(f->db, &na);
	assert_int_equal(na, nb);
	assert_memory_equal(before, after, nb);
	free(before);
	free(after);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(create_makes_wal_file_with_our_application_id_and_latest_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(writer_cache_is_the_default_until_the_setting_gives_another, setup, teardown),
		cmocka_unit_test_setup_teardown(create_refuses_missing_parent_directory_and_names_it, setup, teardown),
		cmocka_unit_test_setup_teardown(open_without_create_refuses_a_missing_file, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_flag_combinations_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(v1_fixture_upgrades_to_latest_with_rows_intact, setup, teardown),
		cmocka_unit_test_setup_teardown(v1_fixture_schema_matches_migration_1, setup, teardown),
		cmocka_unit_test_setup_teardown(failed_upgrade_step_is_rolled_back_whole_and_leaves_the_previous_version, setup, teardown),
		cmocka_unit_test_setup_teardown(newer_schema_is_refused_with_upgrade_advice_and_left_unchanged, setup, teardown),
		cmocka_unit_test_setup_teardown(non_sqlite_file_is_refused_and_not_touched, setup, teardown),
		cmocka_unit_test_setup_teardown(sqlite_file_of_another_application_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(readonly_open_of_older_file_refuses_with_advice_and_writes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(readonly_open_reads_but_never_writes, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
