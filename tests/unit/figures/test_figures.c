/* Unit tests for core/figures: the periods (every form, canonical labels,
 * last year / previous / year to date across year boundaries, bad input),
 * the ranking's tie rules and minimum, and the schedule's due periods. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "figures/figures.h"
#include "figures/figures_int.h"
#include "report/schedule.h"

static struct lw_fig_period parse(const char *text)
{
	struct lw_fig_period p;
	struct lw_err e = {0};
	if (lw_fig_period_parse(text, "2024-11-20", &p, &e) != 0)
		fail_msg("%s: %s", text, e.msg);
	return p;
}

static void expect(const struct lw_fig_period *p, const char *label, const char *start,
		   const char *last, int months)
{
	if (strcmp(p->label, label) || strcmp(p->start, start) || strcmp(p->last, last) ||
	    p->months != months)
		fail_msg("expected %s %s..%s (%d), got %s %s..%s (%d)", label, start, last, months,
			 p->label, p->start, p->last, p->months);
}

static void every_period_form_parses_to_its_canonical_label(void **state)
{
	struct lw_fig_period p;
	(void)state;
	p = parse("2024");
	expect(&p, "2024", "2024-01-01", "2024-12-31", 12);
	assert_string_equal(p.end, "2025-01-01");
	p = parse("2024H2");
	expect(&p, "2024H2", "2024-07-01", "2024-12-31", 6);
	p = parse("2024Q1");
	expect(&p, "2024Q1", "2024-01-01", "2024-03-31", 3);
	p = parse("2024-02");
	expect(&p, "2024-02", "2024-02-01", "2024-02-29", 1); /* leap year */
	p = parse("2023-02");
	expect(&p, "2023-02", "2023-02-01", "2023-02-28", 1);
	p = parse("2024-07..2024-09");
	expect(&p, "2024Q3", "2024-07-01", "2024-09-30", 3);
	p = parse("2023-11..2024-02");
	expect(&p, "2023-11..2024-02", "2023-11-01", "2024-02-29", 4);
	p = parse("ytd");
	expect(&p, "2024-01..2024-11", "2024-01-01", "2024-11-30", 11);
}

static void last_year_previous_and_year_to_date_cross_year_boundaries(void **state)
{
	struct lw_fig_period p = parse("2024Q1"), o;
	(void)state;
	lw_fig_period_last_year(&p, &o);
	expect(&o, "2023Q1", "2023-01-01", "2023-03-31", 3);
	lw_fig_period_previous(&p, &o);
	expect(&o, "2023Q4", "2023-10-01", "2023-12-31", 3);
	lw_fig_period_year_to_end(&p, &o);
	expect(&o, "2024Q1", "2024-01-01", "2024-03-31", 3);
	p = parse("2023-11..2024-02");
	lw_fig_period_previous(&p, &o);
	expect(&o, "2023-07..2023-10", "2023-07-01", "2023-10-31", 4);
	lw_fig_period_year_to_end(&p, &o);
	expect(&o, "2024-01..2024-02", "2024-01-01", "2024-02-29", 2);
	p = parse("2024-01");
	lw_fig_period_previous(&p, &o);
	expect(&o, "2023-12", "2023-12-01", "2023-12-31", 1);
}

static void bad_periods_are_refused_with_the_accepted_forms(void **state)
{
	static const char *const bad[] = {"2024Q5", "2024H3", "2024-13", "24", "2024-09..2024-01",
					  "2014-01..2024-02", "1900", "2024q1", "", "2024-1",
					  "2024Q1 ", "ytd2024"};
	struct lw_fig_period p;
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct lw_err e = {0};
		if (lw_fig_period_parse(bad[i], "2024-11-20", &p, &e) != LW_EINVAL)
			fail_msg("\"%s\" was accepted", bad[i]);
		assert_non_null(strstr(e.msg, "period"));
	}
}

static struct lw_fig_row row(const char *name, long long concluded, long long lost, long long filed,
			     long long filed_prev)
{
	struct lw_fig_row r = {.group = (char *)name};
	r.c.concluded = concluded;
	r.c.lost = lost;
	r.c.filed = filed;
	r.c.filed_prev_year = filed_prev;
	assert_int_equal(lw_rates_compute(&r.c, LW_ROUND_TRUNCATE, &r.r, NULL), 0);
	return r;
}

static void ranks_break_ties_by_lost_then_filed_then_name_and_skip_small_agencies(void **state)
{
	struct lw_fig_row rows[] = {
		row("丁", 10, 2, 10, 5),  /* 20 %, 2 lost, 10 filed */
		row("甲", 10, 2, 12, 6),  /* 20 %, 2 lost, 12 filed: before 丁 */
		row("乙", 5, 1, 12, 0),   /* 20 %, 1 lost: after both */
		row("丙", 10, 2, 10, 10), /* = 丁 but for the name: 丁 U+4E01 < 丙 U+4E19 */
		row("戊", 2, 2, 2, 1),    /* 100 % of 2: below the minimum */
		row("己", 0, 0, 0, 0),    /* nothing: not ranked */
		row("庚", 36, 1, 51, 0),  /* 1/36 truncated 2.77 */
		row("辛", 37, 1, 51, 0),  /* 1/37 truncated 2.70 */
	};
	int rank[8], want[] = {2, 1, 4, 3, 0, 0, 5, 6};
	int growth[8];
	(void)state;
	assert_int_equal(lw_fig_rank_loss_rate(rows, 8, 5, rank), 0);
	for (int i = 0; i < 8; i++)
		if (rank[i] != want[i])
			fail_msg("%s: expected rank %d, got %d", rows[i].group, want[i], rank[i]);
	/* Growth: 甲, 丁 and 戊 +100 % (2 lost each; by filed: 12, 10, 2), 丙 0 %. */
	assert_int_equal(lw_fig_rank_filed_growth(rows, 8, growth), 0);
	assert_int_equal(growth[1], 1);
	assert_int_equal(growth[0], 2);
	assert_int_equal(growth[4], 3);
	assert_int_equal(growth[3], 4);
	assert_int_equal(growth[2], 0); /* nothing filed last year: undefined */
}

static void schedule_makes_the_latest_period_after_its_delay(void **state)
{
	struct lw_bulletin_sched s = {.every = LW_EVERY_QUARTER, .after_days = 10};
	struct lw_fig_period p;
	(void)state;
	lw_bulletin_due_period(&s, "2024-10-10", &p);
	assert_string_equal(p.label, "2024Q2"); /* 2024Q3 only from 10-11 */
	lw_bulletin_due_period(&s, "2024-10-11", &p);
	assert_string_equal(p.label, "2024Q3");
	lw_bulletin_due_period(&s, "2025-01-05", &p);
	assert_string_equal(p.label, "2024Q3");
	lw_bulletin_due_period(&s, "2025-01-11", &p);
	assert_string_equal(p.label, "2024Q4");
	s.every = LW_EVERY_MONTH;
	s.after_days = 0;
	lw_bulletin_due_period(&s, "2024-03-01", &p);
	assert_string_equal(p.label, "2024-02");
	s.every = LW_EVERY_YEAR;
	s.after_days = 31;
	lw_bulletin_due_period(&s, "2025-01-31", &p);
	assert_string_equal(p.label, "2023");
	lw_bulletin_due_period(&s, "2025-02-01", &p);
	assert_string_equal(p.label, "2024");
	s.every = LW_EVERY_HALF;
	s.after_days = 0;
	lw_bulletin_due_period(&s, "2024-07-01", &p);
	assert_string_equal(p.label, "2024H1");
}

/* The 12345 counts of the bulletin and the dashboard read the per-agency
 * index alone (schema 13): on 5 M work orders the bulletin took 2.4 s
 * reading each row for its two flags, 1.6 s with them in the index. */
static void hotline_counts_read_the_covering_index(void **state)
{
	char dir[256], db[300], plan[4096] = "";
	const char *t = getenv("TMPDIR");
	struct lw_wh *wh = NULL;
	struct lw_err e = {0};
	sqlite3_stmt *st;
	char *sql;

	(void)state;
	snprintf(dir, sizeof dir, "%s/lw-fig-XXXXXX", t && *t ? t : "/tmp");
	assert_non_null(mkdtemp(dir));
	snprintf(db, sizeof db, "%s/w.db", dir);
	assert_int_equal(lw_wh_open(db, LW_WH_WRITER | LW_WH_CREATE, &wh, &e), 0);
	assert_non_null(sql = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", lw_figsql_hotline));
	assert_int_equal(sqlite3_prepare_v2(lw_wh_db(wh), sql, -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		snprintf(plan + strlen(plan), sizeof plan - strlen(plan), "%s\n",
			 (const char *)sqlite3_column_text(st, 3));
	sqlite3_finalize(st);
	sqlite3_free(sql);
	lw_wh_close(wh);
	if (!strstr(plan, "USING COVERING INDEX tickets_agency_received"))
		fail_msg("plan:\n%s", plan);
	for (size_t i = 0; i < 3; i++) {
		static const char *const suffix[] = {"", "-wal", "-shm"};
		char p[320];
		snprintf(p, sizeof p, "%s%s", db, suffix[i]);
		unlink(p);
	}
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_period_form_parses_to_its_canonical_label),
		cmocka_unit_test(last_year_previous_and_year_to_date_cross_year_boundaries),
		cmocka_unit_test(bad_periods_are_refused_with_the_accepted_forms),
		cmocka_unit_test(ranks_break_ties_by_lost_then_filed_then_name_and_skip_small_agencies),
		cmocka_unit_test(schedule_makes_the_latest_period_after_its_delay),
		cmocka_unit_test(hotline_counts_read_the_covering_index),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
