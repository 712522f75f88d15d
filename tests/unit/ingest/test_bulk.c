/*
 * Unit tests for store_bulk.c: a work-order file is imported with SQLite's
 * per-row foreign-key checks off, and checks its references itself before
 * the commit.  Through the real pipeline (lw_ingest_file) on a real
 * warehouse: foreign keys are on again after every file, whatever became of
 * it; a category the warehouse does not have fails the file whole, nothing
 * of it stored (without the check the rows would land with a dangling
 * reference).  The insert statement keeps its bindings from row to row
 * (store.c, try_insert): a value absent from a row is NULL in that row,
 * and each file's rows carry that file's source and import.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "dropbox/dropbox.h"
#include "ingest/ingest.h"
#include "warehouse/warehouse.h"
#include "ingest_test_util.h"

struct fix {
	char dir[64], db[96], csv[96], key[96];
	struct lw_wh *wh;
	struct lw_ingest *ing;
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof *f);
	struct lw_wh_options o = {.flags = LW_WH_WRITER | LW_WH_CREATE};
	struct lw_ingest_settings s = {0};
	struct lw_err e = {0};
	FILE *fp;

	snprintf(f->dir, sizeof f->dir, "/tmp/lw-test-bulk-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db, sizeof f->db, "%s/w.db", f->dir);
	snprintf(f->key, sizeof f->key, "%s/pii.key", f->dir);
	assert_non_null(fp = fopen(f->key, "w"));
	fputs("0123456789abcdef0123456789abcdef", fp);
	fclose(fp);
	assert_int_equal(chmod(f->key, 0600), 0);
	if (lw_wh_open_opts(f->db, &o, &f->wh, &e) != 0)
		fail_msg("%s", e.msg);
	s.profile_dir = LW_SOURCE_DIR "/conf/profiles";
	s.pii_key_file = f->key;
	if (lw_ingest_new(f->wh, &s, &f->ing, &e) != 0)
		fail_msg("%s", e.msg);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	char cmd[160];

	lw_ingest_free(f->ing);
	lw_wh_close(f->wh);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* A 12345 export of n work orders, numbered from first, category 求助. */
static const char *export(struct fix *f, const char *name, int first, int n)
{
	FILE *fp;

	snprintf(f->csv, sizeof f->csv, "%s/%s", f->dir, name);
	assert_non_null(fp = fopen(f->csv, "w"));
	fputs("工单编号,来电时间,诉求类型,问题分类,诉求内容,承办单位,工单状态,满意度,来电号码\r\n", fp);
	for (int i = first; i < first + n; i++)
		fprintf(fp, "GD%08d,2024-03-%02d 09:00:00,求助,物业纠纷,市民反映问题,市城市管理局,已办结,满意,"
			"138%08d\r\n", i, 1 + i % 28, i);
	fclose(fp);
	return f->csv;
}

static const char *import_from(struct fix *f, const char *path, const char *profile,
			       const char *source)
{
	struct lw_ingest_file in = {.source = source, .profile = profile, .path = path};
	struct lw_ingest_result res;
	struct lw_err e = {0};
	static char status[16];

	lw_ingest_file(f->ing, &in, &res, &e);
	snprintf(status, sizeof status, "%s", res.status ? res.status : "?");
	lw_ingest_result_clear(&res);
	return status;
}

static const char *import(struct fix *f, const char *path, const char *profile)
{
	return import_from(f, path, profile, "test");
}

static void each_row_and_file_gets_its_own_values(void **state)
{
	struct fix *f = *state;
	FILE *fp;

	snprintf(f->csv, sizeof f->csv, "%s/gaps.csv", f->dir);
	assert_non_null(fp = fopen(f->csv, "w"));
	fputs("工单编号,来电时间,诉求类型,诉求内容,承办单位,满意度,来电号码\r\n", fp);
	for (int i = 0; i < 40; i++) /* every third row without 满意度, 来电号码 */
		if (i % 3 == 1)
			fprintf(fp, "GD%08d,2024-03-01 09:00:00,求助,内容,市城市管理局,,\r\n", i);
		else
			fprintf(fp, "GD%08d,2024-03-01 09:00:00,求助,内容,市城市管理局,满意,138%08d\r\n", i, i);
	fclose(fp);
	assert_string_equal(import_from(f, f->csv, "hotline-12345", "first"), "ok");
	assert_int_equal(one(f->wh, "SELECT count(*) FROM tickets WHERE satisfaction IS NULL"), 13);
	assert_int_equal(one(f->wh, "SELECT count(*) FROM tickets WHERE caller_hash IS NULL"), 13);
	assert_int_equal(one(f->wh, "SELECT count(*) FROM tickets WHERE (satisfaction IS NULL) <> "
			      "(CAST(substr(ticket_no, 3) AS INTEGER) % 3 = 1)"), 0);
	assert_int_equal(one(f->wh, "SELECT count(*) FROM tickets WHERE (caller_hash IS NULL) <> "
			      "(CAST(substr(ticket_no, 3) AS INTEGER) % 3 = 1)"), 0);
	/* a second file, another source: its own source and import */
	assert_string_equal(import_from(f, export(f, "b.csv", 100, 10), "hotline-12345", "second"),
			    "ok");
	assert_int_equal(one(f->wh, "SELECT count(*) FROM tickets WHERE source = 'second' AND "
			      "import_id = (SELECT max(id) FROM imports) AND first_import_id = import_id"),
			 10);
	assert_int_equal(one(f->wh, "SELECT count(*) FROM tickets WHERE source = 'first' AND "
			      "import_id = (SELECT min(id) FROM imports)"), 40);
	assert_int_equal(one(f->wh, "SELECT count(*) FROM tickets WHERE satisfaction IS NULL"), 13);
}

/* The hash is taken while the reader starts (ingest.c): the same bytes are
 * still a duplicate, even under a profile that would refuse them, and a
 * refused file is still recorded with its hash. */
static void duplicates_and_refusals_keep_their_hash(void **state)
{
	struct fix *f = *state;
	const char *csv = export(f, "a.csv", 1, 30);

	assert_string_equal(import(f, csv, "hotline-12345"), "ok");
	assert_string_equal(import(f, csv, "court-cases"), "duplicate");
	assert_string_equal(import(f, export(f, "b.csv", 100, 5), "court-cases"), "rejected");
	assert_int_equal(one(f->wh, "SELECT count(*) FROM imports WHERE status = 'rejected' AND "
			      "length(content_hash) = 64 AND format = 'csv'"), 1);
	assert_int_equal(one(f->wh, "SELECT count(*) FROM imports WHERE status = 'duplicate' AND "
			      "duplicate_of = (SELECT min(id) FROM imports)"), 1);
	assert_int_equal(one(f->wh, "SELECT count(*) FROM tickets"), 30);
}

static void foreign_keys_are_on_after_every_file(void **state)
{
	struct fix *f = *state;

	assert_int_equal(one(f->wh, "PRAGMA foreign_keys"), 1);
	assert_string_equal(import(f, export(f, "a.csv", 1, 50), "hotline-12345"), "ok");
	assert_int_equal(one(f->wh, "PRAGMA foreign_keys"), 1);
	assert_int_equal(one(f->wh, "SELECT count(*) FROM tickets"), 50);
	/* a duplicate, and a file that is no spreadsheet */
	assert_string_equal(import(f, f->csv, "hotline-12345"), "duplicate");
	assert_int_equal(one(f->wh, "PRAGMA foreign_keys"), 1);
	{
		FILE *fp = fopen(f->csv, "w");
		fputs("%PDF-1.4\n", fp);
		fclose(fp);
	}
	assert_string_equal(import(f, f->csv, "hotline-12345"), "rejected");
	assert_int_equal(one(f->wh, "PRAGMA foreign_keys"), 1);
	/* The connection still refuses a dangling reference. */
	assert_int_not_equal(sqlite3_exec(lw_wh_db(f->wh), "INSERT INTO tickets (ticket_no, source, "
					  "agency_id) VALUES ('X1', 'test', 999999)", NULL, NULL, NULL),
			     SQLITE_OK);
}

static void a_missing_category_fails_the_file_whole(void **state)
{
	struct fix *f = *state;

	assert_string_equal(import(f, export(f, "a.csv", 1, 20), "hotline-12345"), "ok");
	/* A damaged warehouse: the category 求助 (help) is gone. */
	assert_int_equal(sqlite3_exec(lw_wh_db(f->wh), "PRAGMA foreign_keys = OFF; DELETE FROM "
				      "ticket_categories WHERE code = 'help'; PRAGMA foreign_keys = ON",
				      NULL, NULL, NULL), SQLITE_OK);
	assert_string_equal(import(f, export(f, "b.csv", 100, 30), "hotline-12345"), "failed");
	assert_int_equal(one(f->wh, "SELECT count(*) FROM tickets"), 20);
	assert_int_equal(one(f->wh, "SELECT count(*) FROM tickets WHERE ticket_no >= 'GD00000100'"), 0);
	assert_int_equal(one(f->wh, "PRAGMA foreign_keys"), 1);
}

static void an_agency_gone_fails_the_file_whole(void **state)
{
	struct fix *f = *state;
	char sql[160];

	assert_string_equal(import(f, export(f, "a.csv", 1, 20), "hotline-12345"), "ok");
	/* The agency the resolver handed out disappears under it (what only a
	 * defect could do): the file must not land pointing at nothing. */
	snprintf(sql, sizeof sql, "CREATE TEMP TRIGGER gone AFTER INSERT ON tickets WHEN "
		 "NEW.ticket_no = 'GD00000105' BEGIN DELETE FROM agencies WHERE id = NEW.agency_id; END");
	assert_int_equal(sqlite3_exec(lw_wh_db(f->wh), sql, NULL, NULL, NULL), SQLITE_OK);
	assert_string_equal(import(f, export(f, "b.csv", 100, 30), "hotline-12345"), "failed");
	assert_int_equal(one(f->wh, "SELECT count(*) FROM tickets"), 20);
	assert_int_equal(one(f->wh, "SELECT count(*) FROM agencies"), 1);
}

/* A file no earlier import had the size of is hashed beside its rows
 * (ingest.c): the imports row still gets the file's SHA-256 and size; and
 * when an earlier import of the same bytes has no size recorded, the file
 * is still a duplicate, found after its rows, which are rolled back. */
static void a_hash_taken_beside_the_rows_is_the_files(void **state)
{
	struct fix *f = *state;
	const char *csv = export(f, "a.csv", 1, 3000);
	char want[65], sql[256];
	int64_t bytes = 0;
	struct lw_err e = {0};

	assert_int_equal(lw_file_sha256(csv, want, &bytes, &e), 0);
	assert_string_equal(import(f, csv, "hotline-12345"), "ok");
	snprintf(sql, sizeof sql, "SELECT count(*) FROM imports WHERE content_hash = '%s' AND bytes = "
		 "%lld AND status = 'ok'", want, (long long)bytes);
	assert_int_equal(one(f->wh, sql), 1);
	/* the same bytes, the size forgotten (as an older row may have it) */
	assert_int_equal(sqlite3_exec(lw_wh_db(f->wh), "UPDATE imports SET bytes = NULL", NULL, NULL,
				      NULL), SQLITE_OK);
	assert_string_equal(import(f, csv, "hotline-12345"), "duplicate");
	assert_int_equal(one(f->wh, "SELECT count(*) FROM tickets"), 3000);
	assert_int_equal(one(f->wh, "SELECT count(*) FROM tickets WHERE import_id <> 1"), 0);
	assert_int_equal(one(f->wh, "SELECT count(*) FROM imports WHERE status = 'duplicate' AND "
			      "duplicate_of = 1"), 1);
	assert_int_equal(one(f->wh, "SELECT count(*) FROM imports"), 2);
	assert_int_equal(one(f->wh, "PRAGMA foreign_keys"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(foreign_keys_are_on_after_every_file, setup, teardown),
		cmocka_unit_test_setup_teardown(each_row_and_file_gets_its_own_values, setup, teardown),
		cmocka_unit_test_setup_teardown(duplicates_and_refusals_keep_their_hash, setup, teardown),
		cmocka_unit_test_setup_teardown(a_missing_category_fails_the_file_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(an_agency_gone_fails_the_file_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(a_hash_taken_beside_the_rows_is_the_files, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
