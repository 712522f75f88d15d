/*
 * Unit tests for pipe.c, the reader/mapper thread of an import: rows come
 * out in order, mapped, with their cells, across many batches; a reader
 * error part-way comes out after the rows before it; stopping early (the
 * daemon shutting down mid-file) neither hangs nor leaks; a shuffled
 * work-order export comes out sorted by key within windows, rows of one
 * key in the file's order (the later one must still win when stored).
 * A window at a time (lw_pipe_window): every row of a window can be read
 * again, in any order, until the next window; the windows together are
 * the rows, in order, and the reader's error comes after them.  Idle
 * work is done by whichever thread would wait, one piece at a time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "ingest/pipe.h"
#include "ingest/profile.h"
#include "read/table.h"

static const char profile_json[] =
	"{\"name\":\"t\",\"target\":\"tickets\",\"fields\":{"
	"\"ticket_no\":{\"type\":\"text\",\"required\":true,\"aliases\":[\"工单编号\"]},"
	"\"content\":{\"type\":\"text\",\"aliases\":[\"诉求内容\"]}}}";

struct fix {
	char path[64];
	struct lw_profile *prof;
	struct lw_table *tab;
	struct lw_mapping *map;
	struct lw_map_ctx ctx;
};

/* A CSV of n rows; row `bad` (1-based data row, 0: none) has a quote that
 * never closes, so the reader fails there. */
static void open_csv(struct fix *f, int n, int bad)
{
	struct lw_err e = {0};
	const char *hdr[2];
	FILE *fp;
	int fd;

	snprintf(f->path, sizeof f->path, "/tmp/lw-test-pipe-XXXXXX");
	assert_true((fd = mkstemp(f->path)) >= 0);
	assert_non_null(fp = fdopen(fd, "w"));
	fprintf(fp, "工单编号,诉求内容\r\n");
	for (int i = 1; i <= n; i++) {
		if (i == bad) {
			fprintf(fp, "T%05d,\"never closed\r\n", i);
			for (int k = 0; k < 100; k++)
				fprintf(fp, "more text\r\n");
			break;
		}
		fprintf(fp, "T%05d,第%d行\r\n", i, i);
	}
	fclose(fp);
	assert_int_equal(lw_profile_parse(profile_json, strlen(profile_json), "t.json", &f->prof, &e), 0);
	if (lw_table_open(f->path, NULL, &f->tab, &e) != 0)
		fail_msg("%s", e.msg);
	hdr[0] = lw_table_colname(f->tab, 0);
	hdr[1] = lw_table_colname(f->tab, 1);
	if (lw_mapping_build(f->prof, hdr, 2, 0, &f->map, &e) != 0)
		fail_msg("%s", e.msg);
	memset(&f->ctx, 0, sizeof f->ctx);
}

static void close_csv(struct fix *f)
{
	lw_mapping_free(f->map);
	lw_table_close(f->tab);
	lw_profile_free(f->prof);
	unlink(f->path);
}

static void rows_come_in_order_mapped(void **state)
{
	struct fix f;
	struct lw_pipe *p;
	struct lw_pipe_row *row;
	struct lw_err e = {0};
	int n = 0, rc;

	(void)state;
	open_csv(&f, 5000, 0); /* ~20 batches: every hand-over is crossed */
	assert_int_equal(lw_pipe_start(f.tab, f.map, &f.ctx, &p, &e), 0);
	while ((rc = lw_pipe_next(p, &row, &e)) == 0) {
		char key[16], text[32];
		n++;
		snprintf(key, sizeof key, "T%05d", n);
		snprintf(text, sizeof text, "第%d行", n);
		assert_int_equal(row->num, n + 1); /* the header is row 1 */
		assert_int_equal(row->ncells, 2);
		assert_string_equal(row->cells[0], key);
		assert_string_equal(row->cells[1], text);
		assert_string_equal(row->rec.key, key);
		assert_string_equal(row->rec.val[LW_TC_CONTENT], text);
		assert_int_equal(row->rec.row, n + 1);
	}
	assert_int_equal(rc, LW_EEOF);
	assert_int_equal(n, 5000);
	/* The end stays the end. */
	assert_int_equal(lw_pipe_next(p, &row, &e), LW_EEOF);
	lw_pipe_free(p);
	close_csv(&f);
}

/* A row with a cell far bigger than a record's arena block between
 * ordinary rows: every value intact (the record's memory is reused row
 * after row, and a huge block is let go). */
static void huge_cells_between_small_rows(void **state)
{
	struct fix f;
	struct lw_pipe *p;
	struct lw_pipe_row *row;
	struct lw_err e = {0};
	size_t big = 300 * 1024;
	char *text = malloc(big + 1);
	FILE *fp;
	int n = 0, rc;

	(void)state;
	assert_non_null(text);
	for (size_t i = 0; i < big; i++)
		text[i] = (char)('a' + i % 26);
	text[big] = '\0';
	open_csv(&f, 0, 0);
	lw_table_close(f.tab);
	assert_non_null(fp = fopen(f.path, "w"));
	fprintf(fp, "工单编号,诉求内容\r\n");
	for (int i = 1; i <= 600; i++)
		fprintf(fp, "T%05d,%s\r\n", i, i % 200 == 0 ? text : "短");
	fclose(fp);
	if (lw_table_open(f.path, NULL, &f.tab, &e) != 0)
		fail_msg("%s", e.msg);
	assert_int_equal(lw_pipe_start(f.tab, f.map, &f.ctx, &p, &e), 0);
	while ((rc = lw_pipe_next(p, &row, &e)) == 0) {
		n++;
		assert_string_equal(row->rec.val[LW_TC_CONTENT], n % 200 == 0 ? text : "短");
		assert_string_equal(row->cells[1], n % 200 == 0 ? text : "短");
	}
	assert_int_equal(rc, LW_EEOF);
	assert_int_equal(n, 600);
	lw_pipe_free(p);
	close_csv(&f);
	free(text);
}

static void reader_error_comes_after_the_rows_before_it(void **state)
{
	struct fix f;
	struct lw_pipe *p;
	struct lw_pipe_row *row;
	struct lw_err e = {0};
	int n = 0, rc;

	(void)state;
	open_csv(&f, 3000, 1500);
	assert_int_equal(lw_pipe_start(f.tab, f.map, &f.ctx, &p, &e), 0);
	while ((rc = lw_pipe_next(p, &row, &e)) == 0)
		n++;
	assert_int_equal(n, 1499);
	assert_int_equal(rc, LW_EFORMAT);
	assert_non_null(strstr(e.msg, "never closed"));
	assert_non_null(strstr(e.msg, "row 1501, column B")); /* the row where the cell begins */
	lw_pipe_free(p);
	close_csv(&f);
}

static void stopping_early_neither_hangs_nor_leaks(void **state)
{
	(void)state;
	/* Stop after 0, 1 and 700 rows: with the producer blocked on a full
	 * ring, in the middle of filling, or done. */
	static const int stop_after[] = {0, 1, 700, 2999};
	for (size_t i = 0; i < sizeof stop_after / sizeof stop_after[0]; i++) {
		struct fix f;
		struct lw_pipe *p;
		struct lw_pipe_row *row;
		struct lw_err e = {0};
		open_csv(&f, 3000, 0);
		assert_int_equal(lw_pipe_start(f.tab, f.map, &f.ctx, &p, &e), 0);
		for (int n = 0; n < stop_after[i]; n++)
			assert_int_equal(lw_pipe_next(p, &row, &e), 0);
		lw_pipe_free(p);
		close_csv(&f);
	}
}


/* Keys in a scrambled order, each key three times with its own content:
 * within each window the keys ascend, and a key's rows keep the file's
 * order; every row comes out once, with its cells and values. */
static void shuffled_keys_come_sorted(const char *key_prefix)
{
	enum { NKEYS = 30000, NROWS = 3 * NKEYS };
	struct fix f;
	struct lw_pipe *p;
	struct lw_pipe_row *row;
	struct lw_err e = {0};
	unsigned char *seen = calloc(NROWS + 2, 1);
	char prev[40] = "";
	uint32_t prev_num = 0;
	int n = 0, descents = 0, rc;
	FILE *fp;

	assert_non_null(seen);
	open_csv(&f, 0, 0);
	lw_table_close(f.tab);
	assert_non_null(fp = fopen(f.path, "w"));
	fprintf(fp, "工单编号,诉求内容\r\n");
	for (int i = 0; i < NROWS; i++) /* 7919 is prime to NKEYS: a permutation */
	{
		fprintf(fp, "%s%d", key_prefix, (int)((i % NKEYS) * 7919L % NKEYS));
		fprintf(fp, ",第%d行\r\n", i + 2);
	}
	fclose(fp);
	if (lw_table_open(f.path, NULL, &f.tab, &e) != 0)
		fail_msg("%s", e.msg);
	assert_int_equal(lw_pipe_start(f.tab, f.map, &f.ctx, &p, &e), 0);
	assert_true(lw_pipe_sorted(p));
	while ((rc = lw_pipe_next(p, &row, &e)) == 0) {
		char text[32];
		int c;
		n++;
		assert_true(row->num >= 2 && row->num < NROWS + 2);
		assert_false(seen[row->num]);
		seen[row->num] = 1;
		snprintf(text, sizeof text, "第%u行", row->num);
		assert_string_equal(row->cells[1], text);
		assert_string_equal(row->rec.val[LW_TC_CONTENT], text);
		assert_int_equal(row->rec.vlen[LW_TC_CONTENT], strlen(text));
		assert_int_equal(row->rec.keylen, strlen(row->rec.key));
		assert_string_equal(row->cells[0], row->rec.key);
		c = strcmp(row->rec.key, prev);
		if (c < 0)
			descents++; /* a new window starts over */
		else if (c == 0 && row->num < prev_num)
			fail_msg("key %s: row %u came after row %u", prev, row->num, prev_num);
		snprintf(prev, sizeof prev, "%s", row->rec.key);
		prev_num = row->num;
	}
	assert_int_equal(rc, LW_EEOF);
	assert_int_equal(n, NROWS);
	/* Sorted in windows, not whole: a few restarts, not one per row. */
	assert_true(descents >= 1 && descents < 20);
	lw_pipe_free(p);
	close_csv(&f);
	free(seen);
}

static void shuffled_rows_come_sorted_by_key_stable_within_windows(void **state)
{
	(void)state;
	shuffled_keys_come_sorted("T"); /* T0 .. T29999: of several lengths */
	/* Keys longer than the 16 bytes the sort compares as integers, all
	 * alike in those. */
	shuffled_keys_come_sorted("GD2024-0000-0000-");
}

/* A shuffled window's rows are copied in key order (pipe.c, sort_window):
 * a row with a problem keeps its problem, a row too big for one block of
 * the arena (copied value by value) keeps its values. */
static void shuffled_rows_keep_their_problems_and_big_cells(void **state)
{
	enum { NROWS = 5000, BIG = 1500000 };
	struct fix f;
	struct lw_pipe *p;
	struct lw_pipe_row *row;
	struct lw_err e = {0};
	char *big = malloc(BIG + 1);
	int n = 0, bad = 0, bigs = 0, rc;
	FILE *fp;

	(void)state;
	assert_non_null(big);
	memset(big, 'x', BIG);
	big[BIG] = '\0';
	open_csv(&f, 0, 0);
	lw_table_close(f.tab);
	assert_non_null(fp = fopen(f.path, "w"));
	fprintf(fp, "工单编号,诉求内容\r\n");
	for (int i = 0; i < NROWS; i++) {
		if (i % 97 == 5) /* no work-order number: the row is refused */
			fprintf(fp, ",第%d行\r\n", i + 2);
		else if (i % 1000 == 7)
			fprintf(fp, "K%d,%s\r\n", (i * 7919) % NROWS, big);
		else
			fprintf(fp, "K%d,第%d行\r\n", (i * 7919) % NROWS, i + 2);
	}
	fclose(fp);
	if (lw_table_open(f.path, NULL, &f.tab, &e) != 0)
		fail_msg("%s", e.msg);
	assert_int_equal(lw_pipe_start(f.tab, f.map, &f.ctx, &p, &e), 0);
	while ((rc = lw_pipe_next(p, &row, &e)) == 0) {
		char text[32];
		int i = (int)row->num - 2;
		n++;
		if (i % 97 == 5) {
			bad++;
			assert_true(row->rec.nerrors >= 1);
			assert_non_null(row->rec.errors[0].reason_zh);
			assert_true(row->rec.errors[0].reason_zh[0] != '\0');
			assert_non_null(row->rec.errors[0].reason_en);
			snprintf(text, sizeof text, "第%u行", row->num);
			assert_string_equal(row->cells[1], text);
			continue;
		}
		assert_int_equal(row->rec.nerrors, 0);
		if (i % 1000 == 7) {
			bigs++;
			assert_int_equal(row->rec.vlen[LW_TC_CONTENT], BIG);
			assert_string_equal(row->rec.val[LW_TC_CONTENT], big);
			assert_string_equal(row->cells[1], big);
		} else {
			snprintf(text, sizeof text, "第%u行", row->num);
			assert_string_equal(row->rec.val[LW_TC_CONTENT], text);
		}
		assert_string_equal(row->cells[0], row->rec.key);
	}
	assert_int_equal(rc, LW_EEOF);
	assert_int_equal(n, NROWS);
	assert_true(bad > 40 && bigs == 5);
	lw_pipe_free(p);
	close_csv(&f);
	free(big);
}

/* The window API: each window read backwards, then forwards again. */
static void windows_give_every_row_in_any_order(void **state)
{
	struct fix f;
	struct lw_pipe *p;
	struct lw_pipe_row *row;
	struct lw_err e = {0};
	size_t n, windows = 0;
	int seen = 0, rc;

	(void)state;
	open_csv(&f, 20000, 0);
	assert_int_equal(lw_pipe_start(f.tab, f.map, &f.ctx, &p, &e), 0);
	while ((rc = lw_pipe_window(p, &n, &e)) == 0) {
		assert_true(n > 0);
		windows++;
		for (size_t i = n; i-- > 0;) {
			char key[16];
			assert_int_equal(lw_pipe_row(p, i, &row, &e), 0);
			snprintf(key, sizeof key, "T%05d", seen + (int)i + 1);
			assert_string_equal(row->rec.key, key);
			assert_string_equal(row->cells[0], key);
			assert_int_equal(row->num, seen + (int)i + 2);
		}
		for (size_t i = 0; i < n; i++) {
			char text[32];
			assert_int_equal(lw_pipe_row(p, i, &row, &e), 0);
			snprintf(text, sizeof text, "第%d行", seen + (int)i + 1);
			assert_string_equal(row->rec.val[LW_TC_CONTENT], text);
		}
		assert_int_equal(lw_pipe_row(p, n, &row, &e), LW_EINVAL);
		seen += (int)n;
	}
	assert_int_equal(rc, LW_EEOF);
	assert_int_equal(seen, 20000);
	assert_true(windows >= 3); /* hand-overs crossed, both ways */
	assert_int_equal(lw_pipe_window(p, &n, &e), LW_EEOF);
	lw_pipe_free(p);

	/* A reader error comes after the windows of the rows before it. */
	close_csv(&f);
	open_csv(&f, 9000, 7000);
	seen = 0;
	assert_int_equal(lw_pipe_start(f.tab, f.map, &f.ctx, &p, &e), 0);
	while ((rc = lw_pipe_window(p, &n, &e)) == 0)
		seen += (int)n;
	assert_int_not_equal(rc, LW_EEOF);
	assert_true(rc < 0);
	assert_int_equal(seen, 6999);
	lw_pipe_free(p);
	close_csv(&f);
}

/* Idle work (lw_pipe_idle): done by whichever thread would wait, never by
 * both at once, every piece once, none after lw_pipe_idle_stop. */
struct pieces {
	_Atomic int inside, overlap, done, calls, on_main, elsewhere;
	int want;
	pthread_t main;
};

static int piece(void *ud)
{
	struct pieces *c = ud;

	if (atomic_fetch_add(&c->inside, 1) != 0)
		atomic_store(&c->overlap, 1);
	usleep(200);
	atomic_fetch_add(pthread_equal(pthread_self(), c->main) ? &c->on_main : &c->elsewhere, 1);
	atomic_fetch_add(&c->calls, 1);
	atomic_fetch_sub(&c->inside, 1);
	return atomic_fetch_add(&c->done, 1) + 1 >= c->want;
}

static void idle_work_runs_on_either_thread_one_at_a_time(void **state)
{
	struct fix f;
	struct lw_pipe *p;
	struct lw_err e = {0};
	struct pieces c = {.want = 400, .main = pthread_self()};
	size_t n;
	int rc, seen = 0;

	(void)state;
	open_csv(&f, 30000, 0);
	assert_int_equal(lw_pipe_start(f.tab, f.map, &f.ctx, &p, &e), 0);
	lw_pipe_idle(p, piece, &c);
	/* a slow consumer: it holds its first window until the reader, with
	 * the other window full, has to wait for it, and works meanwhile */
	assert_int_equal(lw_pipe_window(p, &n, &e), 0);
	seen += (int)n;
	for (int ms = 0; ms < 20000 && atomic_load(&c.elsewhere) == 0; ms++)
		usleep(1000);
	while ((rc = lw_pipe_window(p, &n, &e)) == 0)
		seen += (int)n;
	assert_int_equal(rc, LW_EEOF);
	assert_int_equal(seen, 30000);
	lw_pipe_idle_stop(p);
	assert_int_equal(atomic_load(&c.overlap), 0);
	assert_true(atomic_load(&c.calls) > 0);
	assert_true(atomic_load(&c.calls) <= c.want);
	assert_true(atomic_load(&c.elsewhere) > 0); /* the reader, waiting for us */
	{
		int calls = atomic_load(&c.calls);
		usleep(10000);
		assert_int_equal(atomic_load(&c.calls), calls); /* none after the stop */
	}
	lw_pipe_free(p);
	close_csv(&f);

	/* the work ends when fn says so (on whichever thread) */
	memset(&c, 0, sizeof c);
	c.want = 3;
	c.main = pthread_self();
	open_csv(&f, 30000, 0);
	assert_int_equal(lw_pipe_start(f.tab, f.map, &f.ctx, &p, &e), 0);
	lw_pipe_idle(p, piece, &c);
	while ((rc = lw_pipe_window(p, &n, &e)) == 0)
		;
	lw_pipe_idle_stop(p);
	assert_true(atomic_load(&c.calls) <= 3);
	assert_int_equal(atomic_load(&c.on_main) + atomic_load(&c.elsewhere), atomic_load(&c.calls));
	assert_int_equal(atomic_load(&c.overlap), 0);
	lw_pipe_free(p);
	close_csv(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rows_come_in_order_mapped),
		cmocka_unit_test(huge_cells_between_small_rows),
		cmocka_unit_test(reader_error_comes_after_the_rows_before_it),
		cmocka_unit_test(stopping_early_neither_hangs_nor_leaks),
		cmocka_unit_test(shuffled_rows_come_sorted_by_key_stable_within_windows),
		cmocka_unit_test(shuffled_rows_keep_their_problems_and_big_cells),
		cmocka_unit_test(windows_give_every_row_in_any_order),
		cmocka_unit_test(idle_work_runs_on_either_thread_one_at_a_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
