/*
 * Unit tests for store_window.c: a window of work orders, its new rows
 * stored by one statement, the rest row by row.
 *
 * - The same files, through the real pipeline, into two warehouses, one
 *   stored a window at a time and one row by row (the path cases take):
 *   the warehouses must hold the same thing, row for row and field for
 *   field (work orders, conflicts, provenance, rejects, imports and their
 *   counts, held agency names).  The files mix what a window must tell
 *   apart: new keys, keys stored by an earlier file of another source
 *   (conflicts, precedence), a key repeated within the file (the later row
 *   wins), rows the mapper refuses, unknown agencies held, a file whose
 *   windows are all stored before and one half stored, in shuffled order.
 * - The store's own CHECKs (lw_store_window_vouches): it vouches for the
 *   rows the mapper writes, and never for a value SQLite's CHECK refuses;
 *   a table with a CHECK it does not know gets no vouching at all; a row it
 *   cannot vouch for keeps SQLite's CHECKs for its window; after a window
 *   the warehouse's CHECKs hold again.
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

#include "ingest/ingest.h"
#include "ingest/record.h"
#include "ingest/store.h"
#include "warehouse/warehouse.h"
#include "ingest_test_util.h"

struct side {
	char db[96];
	struct lw_wh *wh;
	struct lw_ingest *ing;
};

struct fix {
	char dir[64], key[96], csv[96];
	struct side win, row; /* a window at a time; row by row */
};

static void open_side(struct fix *f, struct side *s, const char *name, int row_by_row)
{
	static const char *const prec[] = {"county", "hotline"};
	struct lw_wh_options o = {.flags = LW_WH_WRITER | LW_WH_CREATE};
	struct lw_ingest_settings set = {0};
	struct lw_err e = {0};

	snprintf(s->db, sizeof s->db, "%s/%s.db", f->dir, name);
	if (lw_wh_open_opts(s->db, &o, &s->wh, &e) != 0)
		fail_msg("%s", e.msg);
	set.profile_dir = LW_SOURCE_DIR "/conf/profiles";
	set.pii_key_file = f->key;
	set.precedence = prec;
	set.nprecedence = 2;
	set.hold_unknown_agencies = 1;
	set.agencies = json_pack("{s:[s]}", "市城市管理局", "城管局");
	set.row_by_row = row_by_row;
	if (lw_ingest_new(s->wh, &set, &s->ing, &e) != 0)
		fail_msg("%s", e.msg);
	json_decref(set.agencies);
}

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof *f);
	FILE *fp;

	snprintf(f->dir, sizeof f->dir, "/tmp/lw-test-window-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->key, sizeof f->key, "%s/pii.key", f->dir);
	assert_non_null(fp = fopen(f->key, "w"));
	fputs("0123456789abcdef0123456789abcdef", fp);
	fclose(fp);
	assert_int_equal(chmod(f->key, 0600), 0);
	open_side(f, &f->win, "window", 0);
	open_side(f, &f->row, "rows", 1);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	char cmd[160];

	lw_ingest_free(f->win.ing);
	lw_wh_close(f->win.wh);
	lw_ingest_free(f->row.ing);
	lw_wh_close(f->row.wh);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* ---- files ---- */

struct line {
	unsigned order;
	char text[256];
};

static int by_order(const void *a, const void *b)
{
	const struct line *x = a, *y = b;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* A 12345 export: n work orders numbered from first, in shuffled order
 * (seed), with variant v of their values.  Every 97th row repeats the key
 * of the row 50 before it with other values (the later must win); every
 * 211th row has a date the mapper refuses; every 7th names an agency
 * nobody knows (held). */
static const char *export(struct fix *f, const char *name, int first, int n, int v,
			  unsigned seed)
{
	static const char *const agencies[] = {"市城市管理局", "城管局", "市住房和城乡建设局",
					       "区市场监督管理局"};
	struct line *l = calloc((size_t)n, sizeof *l);
	FILE *fp;

	assert_non_null(l);
	srand(seed);
	for (int i = 0; i < n; i++) {
		int k = first + (i % 97 == 96 ? i - 50 : i);
		char date[32], agency[64];
		if (i % 211 == 105)
			snprintf(date, sizeof date, "下周一");
		else
			snprintf(date, sizeof date, "2024-%02d-%02d %02d:00:00", 1 + (k + v) % 12,
				 1 + k % 28, k % 24);
		if (i % 7 == 3)
			snprintf(agency, sizeof agency, "某某办%d", k % 5);
		else
			snprintf(agency, sizeof agency, "%s", agencies[(k + v) % 4]);
		l[i].order = (unsigned)rand();
		snprintf(l[i].text, sizeof l[i].text,
			 "GD%08d,%s,%s,物业纠纷,第%d版第%d行：%s,%s,%s,%s,139%08d\r\n", k, date,
			 (k + v) % 3 ? "求助" : "投诉", v, i, i % 5 ? "市民反映问题" : "市民反映执法问题", agency,
			 (k + v) % 2 ? "已办结" : "办理中", v % 2 ? "满意" : "", k % 1000);
	}
	qsort(l, (size_t)n, sizeof *l, by_order);
	snprintf(f->csv, sizeof f->csv, "%s/%s", f->dir, name);
	assert_non_null(fp = fopen(f->csv, "w"));
	fputs("工单编号,来电时间,诉求类型,问题分类,诉求内容,承办单位,工单状态,满意度,来电号码\r\n", fp);
	for (int i = 0; i < n; i++)
		fputs(l[i].text, fp);
	fclose(fp);
	free(l);
	return f->csv;
}

static void import_both(struct fix *f, const char *path, const char *source, const char *status)
{
	struct side *sides[2] = {&f->win, &f->row};

	for (int i = 0; i < 2; i++) {
		struct lw_ingest_file in = {.source = source, .profile = "hotline-12345", .path = path};
		struct lw_ingest_result res;
		struct lw_err e = {0};
		lw_ingest_file(sides[i]->ing, &in, &res, &e);
		if (strcmp(res.status, status))
			fail_msg("%s into %s: %s, not %s (%s)", path, sides[i]->db, res.status, status,
				 res.message ? res.message : e.msg);
		lw_ingest_result_clear(&res);
	}
}

/* ---- comparing two warehouses ---- */

/* sql's rows as text, a line a row, "|" between values, "~" for NULL. */
static char *dump(struct lw_wh *wh, const char *sql)
{
	sqlite3_stmt *s;
	size_t cap = 1 << 16, n = 0;
	char *out = malloc(cap);

	assert_non_null(out);
	if (sqlite3_prepare_v2(lw_wh_db(wh), sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(lw_wh_db(wh)));
	while (sqlite3_step(s) == SQLITE_ROW)
		for (int c = 0; c < sqlite3_column_count(s); c++) {
			const char *v = (const char *)sqlite3_column_text(s, c);
			size_t len = v ? strlen(v) : 1;
			if (n + len + 2 > cap) {
				cap = 2 * (n + len + 2);
				assert_non_null(out = realloc(out, cap));
			}
			memcpy(out + n, v ? v : "~", len);
			n += len;
			out[n++] = c + 1 < sqlite3_column_count(s) ? '|' : '\n';
		}
	sqlite3_finalize(s);
	out[n] = '\0';
	return out;
}

static void same(struct fix *f, const char *what, const char *sql)
{
	char *a = dump(f->win.wh, sql), *b = dump(f->row.wh, sql);

	if (strcmp(a, b)) {
		size_t i = 0, line = 1, at = 0;
		while (a[i] && a[i] == b[i]) {
			if (a[i] == '\n') {
				line++;
				at = i + 1;
			}
			i++;
		}
		fail_msg("%s differ at line %zu:\n  window: %.200s\n  by row: %.200s", what, line,
			 a + at, b + at);
	}
	free(a);
	free(b);
}

static void same_warehouses(struct fix *f)
{
	same(f, "work orders", "SELECT * FROM tickets ORDER BY ticket_no");
	same(f, "conflicts", "SELECT table_name, row_key, field, value_kept, source_kept, value_other, "
	     "source_other, import_id, source_row FROM conflicts ORDER BY row_key, field, import_id, "
	     "source_row, value_kept, value_other");
	same(f, "provenance", "SELECT * FROM field_provenance ORDER BY table_name, row_key, field");
	same(f, "rejects", "SELECT import_id, source_row, source_column, field, reason, raw FROM rejects "
	     "ORDER BY import_id, source_row, field");
	same(f, "imports", "SELECT id, source, status, rows_total, inserted, updated, unchanged, rejected, "
	     "unresolved, content_hash FROM imports ORDER BY id");
	same(f, "held names", "SELECT name, seen, last_import_id FROM unresolved_agencies ORDER BY name");
	same(f, "agencies", "SELECT id, name FROM agencies ORDER BY id");
}

static void a_window_stores_what_row_by_row_stores(void **state)
{
	struct fix *f = *state;

	/* new work orders, shuffled, keys repeated, rows refused, names held */
	import_both(f, export(f, "a.csv", 1, 30000, 0, 1), "hotline", "partial");
	same_warehouses(f);
	assert_true(one(f->win.wh, "SELECT count(*) FROM rejects") > 100);
	assert_true(one(f->win.wh, "SELECT updated FROM imports WHERE id = 1") > 100);
	/* another source over half of them (precedence, conflicts), half new:
	 * every window is stored in part */
	import_both(f, export(f, "b.csv", 15001, 30000, 1, 2), "county", "partial");
	same_warehouses(f);
	assert_true(one(f->win.wh, "SELECT count(*) FROM conflicts") > 1000);
	assert_int_equal(one(f->win.wh, "SELECT count(*) FROM tickets WHERE import_id = 2 AND "
			     "first_import_id = 2"), one(f->win.wh, "SELECT inserted FROM imports WHERE id = 2"));
	/* the first source again, other values: nothing new in any window */
	import_both(f, export(f, "c.csv", 1, 30000, 2, 3), "hotline", "partial");
	same_warehouses(f);
	assert_int_equal(one(f->win.wh, "SELECT inserted FROM imports WHERE id = 3"), 0);
	assert_int_equal(one(f->win.wh, "PRAGMA ignore_check_constraints"), 0);
}

/* ---- the store's CHECKs ---- */

/* A work order as the mapper writes it, measured. */
static void good_record(struct lw_record *r, char *key)
{
	static char when[] = "2024-03-01 09:00:00", hash[65], one_[] = "1";

	memset(hash, 'a', 64);
	memset(r, 0, sizeof *r);
	r->target = LW_TARGET_TICKETS;
	r->key = key;
	r->row = 2;
	r->val[LW_TC_RECEIVED_AT] = when;
	r->val[LW_TC_DEADLINE] = when;
	r->val[LW_TC_CLOSED_AT] = when;
	r->val[LW_TC_CALLER_HASH] = hash;
	r->val[LW_TC_CALLER_NAME_HASH] = hash;
	r->val[LW_TC_RESOLVED] = one_;
	r->val[LW_TC_LAW_ENFORCEMENT] = one_;
	r->measured = 1;
	r->keylen = (uint32_t)strlen(key);
	for (int c = 0; c < LW_TC__COUNT; c++)
		r->vlen[c] = r->val[c] ? (uint32_t)strlen(r->val[c]) : 0;
}

/* 1 when SQLite's CHECKs take column col = v (the rest of a good row). */
static int sqlite_takes(struct lw_wh *wh, int col, const char *v)
{
	static const char *const names[LW_TC__COUNT] = {
		[LW_TC_RECEIVED_AT] = "received_at", [LW_TC_DEADLINE] = "deadline",
		[LW_TC_CLOSED_AT] = "closed_at", [LW_TC_CALLER_HASH] = "caller_hash",
		[LW_TC_CALLER_NAME_HASH] = "caller_name_hash", [LW_TC_RESOLVED] = "resolved",
		[LW_TC_LAW_ENFORCEMENT] = "law_enforcement"};
	char sql[256];
	sqlite3_stmt *s;
	int rc;

	snprintf(sql, sizeof sql, "INSERT INTO tickets (ticket_no, source, %s) VALUES ('CHK', 't', ?)",
		 names[col]);
	assert_int_equal(sqlite3_prepare_v2(lw_wh_db(wh), sql, -1, &s, NULL), SQLITE_OK);
	if (col == LW_TC_RESOLVED || col == LW_TC_LAW_ENFORCEMENT)
		sqlite3_bind_int64(s, 1, strtoll(v, NULL, 10)); /* as the store binds them */
	else
		sqlite3_bind_text(s, 1, v, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	sqlite3_exec(lw_wh_db(wh), "DELETE FROM tickets WHERE ticket_no = 'CHK'", NULL, NULL, NULL);
	return rc == SQLITE_DONE;
}

static void the_store_vouches_only_for_what_sqlite_takes(void **state)
{
	static const struct {
		int col;
		const char *v;
	} cases[] = {
		{LW_TC_RECEIVED_AT, "2024-03-01 09:00:00"}, {LW_TC_RECEIVED_AT, "1900-01-01 00:00:00"},
		{LW_TC_RECEIVED_AT, "2199-12-31 23:59:59"}, {LW_TC_RECEIVED_AT, "1899-12-31 23:59:59"},
		{LW_TC_RECEIVED_AT, "2200-01-01 00:00:00"}, {LW_TC_RECEIVED_AT, "2024-03-01"},
		{LW_TC_RECEIVED_AT, "2024-03-01 09:00:000"}, {LW_TC_RECEIVED_AT, "2024-03-01T09:00:00"},
		{LW_TC_RECEIVED_AT, "2024-03-01 09:00:\xc3\xa9"}, {LW_TC_RECEIVED_AT, "２０２４-03-01 09:00"},
		{LW_TC_DEADLINE, "2024-13-99 99:99:99"}, {LW_TC_CLOSED_AT, "2"},
		{LW_TC_CALLER_HASH, "abc"},
		{LW_TC_CALLER_HASH, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
		{LW_TC_CALLER_HASH, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
		/* 64 characters, 65 bytes: SQLite takes it, the store does not
		 * vouch (stricter is safe) */
		{LW_TC_CALLER_NAME_HASH, "\xc3\xa9" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
		{LW_TC_RESOLVED, "0"}, {LW_TC_RESOLVED, "1"}, {LW_TC_RESOLVED, "2"},
		{LW_TC_RESOLVED, "-1"}, {LW_TC_LAW_ENFORCEMENT, "1x"}, {LW_TC_LAW_ENFORCEMENT, "7"},
	};
	struct fix *f = *state;
	struct lw_store *st;
	struct lw_record r;
	struct lw_err e = {0};
	char key[] = "GD1";
	int vouched = 0;

	if (lw_store_new(f->win.wh, NULL, 0, &st, &e) != 0)
		fail_msg("%s", e.msg);
	good_record(&r, key);
	assert_int_equal(lw_store_window_vouches(st, &r), 1); /* the fast path is taken */
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int takes = sqlite_takes(f->win.wh, cases[i].col, cases[i].v), says;
		good_record(&r, key);
		r.val[cases[i].col] = (char *)cases[i].v;
		r.vlen[cases[i].col] = (uint32_t)strlen(cases[i].v);
		says = lw_store_window_vouches(st, &r);
		if (says && !takes)
			fail_msg("the store vouches for %s, which SQLite refuses", cases[i].v);
		vouched += says;
	}
	assert_int_equal(vouched, 9); /* the good values of each column */
	/* a value not measured: nothing to vouch with */
	good_record(&r, key);
	r.measured = 0;
	assert_int_equal(lw_store_window_vouches(st, &r), 0);
	lw_store_free(st);
}

/* A tickets table with one CHECK more than the store knows: no vouching,
 * and a window's rows still meet it. */
static void an_unknown_check_turns_vouching_off(void **state)
{
	struct fix *f = *state;
	sqlite3 *db = lw_wh_db(f->win.wh);
	struct lw_store *st;
	struct lw_record r;
	struct lw_err e = {0};
	char key[] = "GD1", *sql = NULL;
	sqlite3_stmt *s;

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_schema WHERE name = 'tickets'",
					    -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	{
		const char *old = (const char *)sqlite3_column_text(s, 0);
		const char *end = strrchr(old, ')');
		assert_non_null(end);
		size_t cap = strlen(old) + 512;
		assert_non_null(sql = malloc(cap));
		snprintf(sql, cap, "PRAGMA foreign_keys = OFF; PRAGMA legacy_alter_table = ON; %.*s, "
			 "CHECK (place IS NULL OR place <> '禁止')); INSERT INTO t2 SELECT * FROM tickets; "
			 "DROP TABLE tickets; ALTER TABLE t2 RENAME TO tickets; PRAGMA legacy_alter_table "
			 "= OFF; PRAGMA foreign_keys = ON", (int)(end - old), old);
	}
	sqlite3_finalize(s);
	{ /* CREATE TABLE "tickets" ( -> CREATE TABLE t2 ( */
		char *at = strstr(sql, "\"tickets\"");
		assert_non_null(at);
		memcpy(at, "t2       ", 9);
	}
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s", sqlite3_errmsg(db));
	free(sql);
	if (lw_store_new(f->win.wh, NULL, 0, &st, &e) != 0)
		fail_msg("%s", e.msg);
	good_record(&r, key);
	assert_int_equal(lw_store_window_vouches(st, &r), 0);
	lw_store_free(st);
	/* The pipeline keeps SQLite's checks for this table: the row that
	 * breaks the new CHECK is refused, the others land. */
	{
		FILE *fp;
		struct lw_ingest_file in = {.source = "hotline", .profile = "hotline-12345",
					    .path = f->csv};
		struct lw_ingest_result res;
		struct lw_ingest *ing;
		struct lw_ingest_settings set = {0};
		snprintf(f->csv, sizeof f->csv, "%s/place.csv", f->dir);
		assert_non_null(fp = fopen(f->csv, "w"));
		fputs("工单编号,来电时间,诉求内容,承办单位,发生地点\r\n", fp);
		for (int i = 0; i < 50; i++)
			fprintf(fp, "GD%08d,2024-03-01 09:00:00,内容,市城市管理局,%s\r\n", i,
				i == 20 ? "禁止" : "某路");
		fclose(fp);
		set.profile_dir = LW_SOURCE_DIR "/conf/profiles";
		set.pii_key_file = f->key;
		assert_int_equal(lw_ingest_new(f->win.wh, &set, &ing, &e), 0);
		lw_ingest_file(ing, &in, &res, &e);
		assert_string_equal(res.status, "partial");
		assert_int_equal(res.inserted, 49);
		assert_int_equal(res.rejected, 1);
		lw_ingest_result_clear(&res);
		lw_ingest_free(ing);
	}
	assert_int_equal(one(f->win.wh, "SELECT count(*) FROM tickets WHERE place = '禁止'"), 0);
}

static int rec_at(void *ud, size_t i, const struct lw_record **r, struct lw_err *e)
{
	(void)e;
	*r = &((const struct lw_record *)ud)[i];
	return 0;
}

/* One work order the store cannot vouch for (a date past 2199: SQLite's
 * CHECK refuses it) keeps SQLite's CHECKs on for its window: the others
 * are stored, that one is left to the row-by-row path. */
static void a_row_it_cannot_vouch_for_keeps_the_checks(void **state)
{
	struct fix *f = *state;
	struct lw_store *st;
	struct lw_err e = {0};
	struct lw_record r[3];
	char k0[] = "W0", k1[] = "W1", k2[] = "W2", late[] = "2250-01-01 00:00:00";
	int64_t agency[3], import_id;
	unsigned char state3[3] = {LW_WIN_TRY, LW_WIN_TRY, LW_WIN_TRY};
	struct lw_store_window w = {3, rec_at, r, agency, state3};
	uint64_t stored;

	if (lw_store_new(f->win.wh, NULL, 0, &st, &e) != 0 || lw_store_bulk_begin(st, &e) != 0 ||
	    lw_wh_begin_immediate(f->win.wh, &e) != 0 ||
	    lw_store_import_begin(st, "t", "w.csv", NULL, 0, "csv", "hotline-12345", &import_id,
				  &e) != 0)
		fail_msg("%s", e.msg);
	good_record(&r[0], k0);
	good_record(&r[1], k1);
	good_record(&r[2], k2);
	r[1].val[LW_TC_RECEIVED_AT] = late;
	for (int i = 0; i < 3; i++) {
		r[i].row = (uint32_t)i + 2;
		assert_int_equal(lw_store_resolve(st, &r[i], &agency[i], &e), 0);
	}
	assert_int_equal(lw_store_insert_window(st, "t", import_id, &w, &stored, &e), 0);
	assert_int_equal(stored, 2);
	assert_int_equal(state3[0], LW_WIN_STORED);
	assert_int_equal(state3[1], LW_WIN_TRY);
	assert_int_equal(state3[2], LW_WIN_STORED);
	assert_int_equal(one(f->win.wh, "SELECT count(*) FROM tickets WHERE ticket_no LIKE 'W%'"), 2);
	lw_wh_rollback(f->win.wh);
	lw_store_bulk_end(st);
	lw_store_free(st);
}

/* What the warehouse refuses while an agency is resolved rejects that row
 * alone, in a window as row by row (a trigger stands in for whatever could
 * refuse the new agency). */
static void a_refused_agency_rejects_its_rows_alone(void **state)
{
	static const char trigger[] =
		"CREATE TEMP TRIGGER refuse BEFORE INSERT ON agencies WHEN NEW.name = '市城市管理局' "
		"BEGIN SELECT RAISE(ABORT, 'refused'); END";
	struct fix *f = *state;

	assert_int_equal(sqlite3_exec(lw_wh_db(f->win.wh), trigger, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(lw_wh_db(f->row.wh), trigger, NULL, NULL, NULL), SQLITE_OK);
	import_both(f, export(f, "a.csv", 1, 6000, 0, 5), "hotline", "partial");
	same_warehouses(f);
	assert_int_equal(one(f->win.wh, "SELECT count(*) FROM agencies WHERE name = '市城市管理局'"), 0);
	assert_true(one(f->win.wh, "SELECT count(*) FROM rejects WHERE field = 'ticket_no'") > 100);
}

/* After a window, SQLite's CHECKs are on again for everything else. */
static void checks_hold_after_a_window(void **state)
{
	struct fix *f = *state;

	import_both(f, export(f, "a.csv", 1, 5000, 0, 4), "hotline", "partial");
	assert_int_equal(one(f->win.wh, "PRAGMA ignore_check_constraints"), 0);
	assert_int_not_equal(sqlite3_exec(lw_wh_db(f->win.wh), "INSERT INTO tickets (ticket_no, "
					  "source, received_at) VALUES ('X', 't', 'soon')", NULL, NULL,
					  NULL), SQLITE_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_window_stores_what_row_by_row_stores, setup, teardown),
		cmocka_unit_test_setup_teardown(the_store_vouches_only_for_what_sqlite_takes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(an_unknown_check_turns_vouching_off, setup, teardown),
		cmocka_unit_test_setup_teardown(a_row_it_cannot_vouch_for_keeps_the_checks, setup,
						teardown),
		cmocka_unit_test_setup_teardown(checks_hold_after_a_window, setup, teardown),
		cmocka_unit_test_setup_teardown(a_refused_agency_rejects_its_rows_alone, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
