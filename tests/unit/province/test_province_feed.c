/* Unit tests for core/province's county side: the triggers of schema 11 log
 * every change (insert, update, delete, key change, cascade) in the same
 * transaction — and nothing when the transaction rolls back, nor before a
 * push was configured; a reseed enqueues every row once per key; pruning;
 * the lag; and the COPY text encoding of SQLite values. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "province/province_int.h"
#include "wh_test_util.h"

struct fx {
	char dir[256], db[320];
	struct lw_wh *wh;
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

static void exec(struct lw_wh *wh, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(lw_wh_db(wh), sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
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

#define ADD_CASE(no)                                                                               \
	"INSERT INTO cases (case_no, case_no_raw, source) VALUES ('" no "', '" no "', 't');"

static void test_nothing_logged_before_a_push_is_configured(void **state)
{
	struct fx *f = *state;
	int on = 1;
	exec(f->wh, ADD_CASE("A1") "INSERT INTO agencies (name) VALUES ('县公安局');");
	assert_int_equal(lw_feed_enabled(f->wh, &on, &(struct lw_err){0}), 0);
	assert_false(on);
	assert_int_equal(count(f->wh, "SELECT count(*) FROM province_feed"), 0);
}

static void test_reseed_enqueues_every_key_once_then_triggers_log_changes(void **state)
{
	struct fx *f = *state;
	struct lw_err e = {0};
	int64_t last = 0, rows = 0, secs = -1, from = -1, to = -1;
	int on = 0;

	exec(f->wh, ADD_CASE("A1") ADD_CASE("A2") "INSERT INTO agencies (id, name) VALUES (7, '县公安局');"
		    "INSERT INTO case_defendants (case_no, agency_id, source) VALUES ('A1', 7, 't');"
		    "INSERT INTO agencies (id, name) VALUES (8, '县城管局');"
		    "INSERT INTO case_defendants (case_no, agency_id, source) VALUES ('A1', 8, 't');");
	assert_int_equal(lw_feed_reseed(f->wh, &from, &to, &e), 0);
	assert_int_equal(from, 0); /* the seed is exactly (0, 5] */
	assert_int_equal(to, 5);
	assert_int_equal(lw_feed_enabled(f->wh, &on, &e), 0);
	assert_true(on);
	/* 2 cases, 2 agencies, 1 case of defendants (two rows, one key). */
	assert_int_equal(count(f->wh, "SELECT count(*) FROM province_feed"), 5);
	assert_int_equal(count(f->wh, "SELECT count(*) FROM province_feed WHERE tbl = "
				      "'case_defendants' AND k = 'A1'"), 1);
	assert_int_equal(count(f->wh, "SELECT typeof(k) = 'integer' FROM province_feed WHERE tbl = "
				      "'agencies' LIMIT 1"), 1);
	assert_int_equal(lw_feed_last_seq(f->wh, &last, &e), 0);
	assert_int_equal(last, 5);

	/* Insert, update, key change, delete with its cascade. */
	exec(f->wh, ADD_CASE("A3") "UPDATE cases SET cause = 'x' WHERE case_no = 'A2';"
		    "UPDATE cases SET case_no = 'A4' WHERE case_no = 'A3';"
		    "DELETE FROM cases WHERE case_no = 'A1';");
	assert_int_equal(count(f->wh, "SELECT count(*) FROM province_feed WHERE seq > 5 AND tbl = "
				      "'cases'"), 1 + 1 + 2 + 1);
	assert_int_equal(count(f->wh, "SELECT count(*) FROM province_feed WHERE seq > 5 AND tbl = "
				      "'cases' AND k IN ('A3', 'A4')"), 3);
	assert_int_equal(count(f->wh, "SELECT count(*) FROM province_feed WHERE seq > 5 AND tbl = "
				      "'case_defendants' AND k = 'A1'"), 2); /* both rows cascaded */

	/* A rolled-back change leaves no feed row. */
	exec(f->wh, "BEGIN;" ADD_CASE("R1") "ROLLBACK;");
	assert_int_equal(count(f->wh, "SELECT count(*) FROM province_feed WHERE k = 'R1'"), 0);

	assert_int_equal(lw_feed_lag(f->wh, 5, &rows, &secs, &e), 0);
	assert_int_equal(rows, 7);
	assert_true(secs >= 0 && secs < 60);
	lw_feed_prune(f->wh, 9);
	assert_int_equal(count(f->wh, "SELECT count(*) FROM province_feed"), 3);
	assert_int_equal(count(f->wh, "SELECT min(seq) FROM province_feed"), 10);
	/* Numbers are never given twice, even after pruning everything. */
	lw_feed_prune(f->wh, 100);
	exec(f->wh, ADD_CASE("A5"));
	assert_int_equal(count(f->wh, "SELECT seq FROM province_feed"), 13);
	/* A second seed starts after every number given. */
	assert_int_equal(lw_feed_reseed(f->wh, &from, &to, &e), 0);
	assert_int_equal(from, 13);
	assert_int_equal(to, 13 + count(f->wh, "SELECT count(*) FROM province_feed WHERE seq > 13"));
}

static void test_every_table_that_goes_up_has_triggers(void **state)
{
	struct fx *f = *state;
	struct lw_err e = {0};
	char sql[160];
	/* None before a push is configured: imports pay nothing for it. */
	assert_int_equal(count(f->wh, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
				      "AND name LIKE 'province_feed_%'"), 0);
	int64_t from, to;
	assert_int_equal(lw_feed_reseed(f->wh, &from, &to, &e), 0);
	for (int i = 0; i < lw_prov_ntables; i++) {
		snprintf(sql, sizeof sql, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
					  "AND tbl_name = '%s'", lw_prov_tables[i].name);
		assert_int_equal(count(f->wh, sql), lw_prov_tables[i].fed ? 3 : 0);
	}
}

static void test_copy_text_encoding(void **state)
{
	struct fx *f = *state;
	sqlite3_stmt *st = NULL;
	struct lw_strbuf b = {0};

	assert_int_equal(sqlite3_prepare_v2(lw_wh_db(f->wh),
					    "SELECT NULL, 42, -7, 0.5, 'a\\b\tc\nd\re', '工单', '', 0, "
					    "-9223372036854775807 - 1, 9223372036854775807", -1,
					    &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	for (int i = 0; i < 10; i++) {
		if (i)
			lw_pgbuf_put(&b, "|", 1);
		assert_int_equal(lw_pgbuf_value(&b, st, i), 0);
	}
	assert_string_equal(b.p, "\\N|42|-7|0.5|a\\\\b\\tc\\nd\\re|工单||0|-9223372036854775808|"
				 "9223372036854775807");
	sqlite3_finalize(st);
	b.len = 0;
	assert_int_equal(lw_pgbuf_ident(&b, "we\"ird"), 0);
	assert_string_equal(b.p, "\"we\"\"ird\"");
	free(b.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_nothing_logged_before_a_push_is_configured, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_reseed_enqueues_every_key_once_then_triggers_log_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_table_that_goes_up_has_triggers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_copy_text_encoding, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
