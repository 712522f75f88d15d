/* Unit tests for core/deadlines (due.c, rules.c): the worked examples of
 * issue 15 on both calendars, the edge cases (holiday start, make-up
 * working day, year boundary, uncovered year), a property test of the
 * working-day arithmetic against a naive day-by-day walk over the holiday
 * files read independently, obligation states and the config checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deadlines/deadlines.h"

static struct lw_holidays *cal;

static int setup(void **state)
{
	struct lw_err e = {0};
	(void)state;
	cal = lw_holidays_new();
	if (lw_holidays_load_dir(cal, LW_HOLIDAY_DIR, &e) != 0) {
		fprintf(stderr, "cannot load %s: %s\n", LW_HOLIDAY_DIR, e.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	lw_holidays_free(cal);
	return 0;
}

static void expect_end(enum lw_dl_calendar kind, const char *from, int n, const char *want)
{
	struct lw_date a, r;
	struct lw_err e = {0};
	char iso[LW_DATE_ISO_MAX];
	assert_int_equal(lw_date_parse(from, 0, &a, NULL), 0);
	if (lw_dl_period_end(cal, kind, &a, n, &r, &e) != 0)
		fail_msg("%s + %d %s days: expected %s, got error %s", from, n,
			 kind == LW_DL_WORKING ? "working" : "calendar", want, e.msg);
	if (strcmp(lw_date_format_iso(&r, iso), want) != 0)
		fail_msg("%s + %d %s days: expected %s, got %s", from, n,
			 kind == LW_DL_WORKING ? "working" : "calendar", want, iso);
}

static void expect_missing(enum lw_dl_calendar kind, const char *from, int n, const char *msg)
{
	struct lw_date a, r;
	struct lw_err e = {0};
	assert_int_equal(lw_date_parse(from, 0, &a, NULL), 0);
	assert_int_equal(lw_dl_period_end(cal, kind, &a, n, &r, &e), LW_ENOENT);
	if (strcmp(e.msg, msg) != 0)
		fail_msg("%s + %d: expected \"%s\", got \"%s\"", from, n, msg, e.msg);
}

static void litigation_periods_count_calendar_days_and_move_off_a_day_off(void **state)
{
	(void)state;
	/* Papers received 2024-09-20: day 15 is 10-05 (National Day), then
	 * 10-06 and 10-07 off: the defence is due 10-08. */
	expect_end(LW_DL_CALENDAR, "2024-09-20", 15, "2024-10-08");
	/* Holidays inside are not deducted: 09-25 + 15 = 10-10, a Thursday. */
	expect_end(LW_DL_CALENDAR, "2024-09-25", 15, "2024-10-10");
	/* A plain weekend: Sat 2023-06-17 moves to Mon 06-19. */
	expect_end(LW_DL_CALENDAR, "2023-06-02", 15, "2023-06-19");
	/* Appeal against a ruling: 10 days. */
	expect_end(LW_DL_CALENDAR, "2024-05-06", 10, "2024-05-16");
}

static void bureau_rules_count_working_days_with_make_up_days(void **state)
{
	(void)state;
	/* 舞阳: report within 3 working days; Fri 09-27: 09-29 (make-up
	 * Sunday) day 1, 09-30 day 2, 10-08 day 3. */
	expect_end(LW_DL_WORKING, "2024-09-27", 3, "2024-10-08");
	/* Loss analysis within 5 working days of 2024-09-30: Sat 10-12 (a
	 * make-up day) is day 5. */
	expect_end(LW_DL_WORKING, "2024-09-30", 5, "2024-10-12");
	/* Spring Festival 2025: Sun 01-26 is a make-up day, 01-28..02-04 off. */
	expect_end(LW_DL_WORKING, "2025-01-24", 3, "2025-02-05");
	/* 洪泽: rectification within 10 working days. */
	expect_end(LW_DL_WORKING, "2024-10-12", 10, "2024-10-25");
}

static void edge_cases_holiday_start_make_up_due_year_boundary(void **state)
{
	(void)state;
	/* A start date on a holiday: counting starts the day after anyway. */
	expect_end(LW_DL_WORKING, "2024-10-03", 3, "2024-10-10");
	expect_end(LW_DL_CALENDAR, "2024-10-01", 15, "2024-10-16");
	/* A due date on a make-up working day (Sun 2024-09-29). */
	expect_end(LW_DL_WORKING, "2024-09-27", 1, "2024-09-29");
	/* A calendar period ending on a make-up Saturday stays there:
	 * 2024-09-27 + 15 = Sat 10-12, a working day (调休). */
	expect_end(LW_DL_CALENDAR, "2024-09-27", 15, "2024-10-12");
	/* Across the year: 2025-01-01 (元旦) is off. */
	expect_end(LW_DL_CALENDAR, "2024-12-17", 15, "2025-01-02");
	expect_end(LW_DL_WORKING, "2024-12-30", 2, "2025-01-02");
}

static void an_uncovered_year_is_never_a_guess(void **state)
{
	(void)state;
	expect_missing(LW_DL_WORKING, "2027-12-28", 5, "calendar missing for 2028");
	/* Even a Tuesday in 2028 might be a holiday: unknown. */
	expect_missing(LW_DL_CALENDAR, "2027-12-20", 15, "calendar missing for 2028");
	{
		struct lw_date today = {.y = 2027, .m = 11, .d = 1};
		assert_int_equal(lw_dl_calendar_gap(cal, &today, 90), 2028);
		today.m = 6;
		assert_int_equal(lw_dl_calendar_gap(cal, &today, 90), 0);
	}
}

/* ---- property test: against a naive walk over the raw holiday files ---- */

static signed char naive_off[400 * 366]; /* by day since 1900-01-01: 1 off, -1 make-up */
static int naive_years[300];

static long day_index(int y, int m, int d)
{
	struct lw_date x = {.y = y, .m = m, .d = d}, base = {.y = 1900, .m = 1, .d = 1};
	return lw_date_to_days(&x) - lw_date_to_days(&base);
}

static void naive_load(void)
{
	DIR *dir = opendir(LW_HOLIDAY_DIR);
	struct dirent *de;
	assert_non_null(dir);
	while ((de = readdir(dir)) != NULL) {
		char path[4096];
		json_t *root, *it;
		size_t i;
		int y, m, d;
		if (strlen(de->d_name) != 9 || strcmp(de->d_name + 4, ".json"))
			continue;
		snprintf(path, sizeof path, "%s/%s", LW_HOLIDAY_DIR, de->d_name);
		assert_non_null(root = json_load_file(path, 0, NULL));
		naive_years[json_integer_value(json_object_get(root, "year")) - 1900] = 1;
		json_array_foreach(json_object_get(root, "days"), i, it) {
			assert_int_equal(sscanf(json_string_value(json_object_get(it, "date")), "%d-%d-%d",
						&y, &m, &d), 3);
			naive_off[day_index(y, m, d)] =
				json_is_true(json_object_get(it, "isOffDay")) ? 1 : -1;
		}
		json_decref(root);
	}
	closedir(dir);
}

/* Working day by the definition, Zeller-free: 1900-01-01 was a Monday. */
static int naive_workday(long idx)
{
	if (naive_off[idx] == 1)
		return 0;
	if (naive_off[idx] == -1)
		return 1;
	return idx % 7 < 5;
}

static void working_days_agree_with_a_naive_day_by_day_walk(void **state)
{
	uint32_t seed = 20240927;
	int checked = 0;
	(void)state;
	naive_load();
	for (int t = 0; t < 20000; t++) {
		struct lw_date start, got;
		struct lw_err e = {0};
		long idx, want;
		int n, left, rc;
		seed = seed * 1103515245u + 12345u;
		lw_date_from_days(lw_date_to_days(&(struct lw_date){.y = 2008, .m = 1, .d = 1}) +
					  (long)(seed >> 8) % (19 * 365),
				  &start);
		seed = seed * 1103515245u + 12345u;
		n = 1 + (int)((seed >> 8) % 40);
		idx = day_index(start.y, start.m, start.d);
		for (want = idx, left = n; left > 0;) {
			want++;
			left -= naive_workday(want);
		}
		rc = lw_dl_period_end(cal, LW_DL_WORKING, &start, n, &got, &e);
		if (rc != 0) {
			/* Only allowed when the walk left the covered years. */
			struct lw_date w;
			lw_date_from_days(lw_date_to_days(&(struct lw_date){.y = 1900, .m = 1, .d = 1}) +
						  want, &w);
			if (naive_years[w.y - 1900])
				fail_msg("%04d-%02d-%02d + %d working days: error %s", start.y, start.m,
					 start.d, n, e.msg);
			continue;
		}
		if (day_index(got.y, got.m, got.d) != want)
			fail_msg("%04d-%02d-%02d + %d working days: naive walk %ld, got %04d-%02d-%02d",
				 start.y, start.m, start.d, n, want, got.y, got.m, got.d);
		/* Calendar mode: n days on, then the first working day. */
		for (want = idx + n; !naive_workday(want); want++)
			;
		if (lw_dl_period_end(cal, LW_DL_CALENDAR, &start, n, &got, &e) == 0 &&
		    day_index(got.y, got.m, got.d) != want)
			fail_msg("%04d-%02d-%02d + %d calendar days: naive %ld, got %04d-%02d-%02d",
				 start.y, start.m, start.d, n, want, got.y, got.m, got.d);
		checked++;
	}
	if (checked < 19000)
		fail_msg("only %d of 20000 random periods were inside the covered years", checked);
}

/* ---- obligations ---- */

static struct lw_dl_rule rule(const char *name, enum lw_dl_field start, int done, int length,
			      enum lw_dl_calendar kind)
{
	struct lw_dl_rule r = {0};
	r.name = (char *)name;
	r.start = start;
	r.done = done;
	r.length = length;
	r.calendar = kind;
	r.when_lost = -1;
	r.remind = -1;
	return r;
}

static void obligation_states_follow_the_dates(void **state)
{
	struct lw_dl_rule r = rule("report-new-suit", LW_DL_PAPERS_RECEIVED, LW_DL_REPORTED, 3,
				   LW_DL_WORKING);
	struct lw_dl_case c = {.agency_lost = -1};
	struct lw_obligation ob;
	(void)state;

	assert_int_equal(lw_dl_compute(&r, cal, &c, &ob), 0);
	assert_int_equal(ob.status, LW_OB_WAITING);
	c.date[LW_DL_PAPERS_RECEIVED] = "2024-09-27";
	assert_int_equal(lw_dl_compute(&r, cal, &c, &ob), 0);
	assert_int_equal(ob.status, LW_OB_OPEN);
	assert_string_equal(ob.due, "2024-10-08");
	c.date[LW_DL_REPORTED] = "2024-10-08";
	lw_dl_compute(&r, cal, &c, &ob);
	assert_int_equal(ob.status, LW_OB_MET);
	c.date[LW_DL_REPORTED] = "2024-10-11";
	lw_dl_compute(&r, cal, &c, &ob);
	assert_int_equal(ob.status, LW_OB_LATE);
	assert_int_equal(ob.days_late, 3);
	c.date[LW_DL_PAPERS_RECEIVED] = "2027-12-29";
	c.date[LW_DL_REPORTED] = NULL;
	lw_dl_compute(&r, cal, &c, &ob);
	assert_int_equal(ob.status, LW_OB_UNKNOWN);
	assert_string_equal(ob.note, "calendar missing for 2028");
	assert_string_equal(ob.due, "");
}

static void appeal_of_a_ruling_is_ten_days_and_conditions_select_cases(void **state)
{
	struct lw_dl_rule r = rule("appeal", LW_DL_JUDGMENT_RECEIVED, -1, 15, LW_DL_CALENDAR);
	char *types[] = {"行初"};
	struct lw_dl_case c = {.agency_lost = 1, .type_code = "行初", .outcome = "revoked"};
	struct lw_obligation ob;
	(void)state;

	r.length_ruling = 10;
	r.type_codes = types;
	r.ntype_codes = 1;
	c.date[LW_DL_JUDGMENT_RECEIVED] = "2024-05-06";
	assert_true(lw_dl_applies(&r, &c));
	lw_dl_compute(&r, cal, &c, &ob);
	assert_string_equal(ob.due, "2024-05-21");
	c.outcome = "dismissed"; /* 裁定驳回起诉 */
	lw_dl_compute(&r, cal, &c, &ob);
	assert_string_equal(ob.due, "2024-05-16");
	c.type_code = "行终";
	assert_false(lw_dl_applies(&r, &c));
	r.ntype_codes = 0;
	r.when_lost = 1;
	c.agency_lost = -1; /* unknown is not "lost" */
	assert_false(lw_dl_applies(&r, &c));
	c.agency_lost = 1;
	assert_true(lw_dl_applies(&r, &c));
}

/* ---- config ---- */

static int parse(const char *text, struct lw_dl_conf **out, struct lw_diag *d)
{
	json_t *j = json_loads(text, 0, NULL);
	int rc;
	assert_non_null(j);
	rc = lw_dl_conf_parse(j, NULL, LW_HOLIDAY_DIR, out, d);
	json_decref(j);
	return rc;
}

static int diag_has(const struct lw_diag *d, const char *s)
{
	for (size_t i = 0; i < d->n; i++)
		if (strstr(d->msg[i], s))
			return 1;
	return 0;
}

static void config_errors_name_their_key_path(void **state)
{
	struct lw_dl_conf *c = NULL;
	struct lw_diag d = {0};
	(void)state;
	assert_int_equal(parse("{\"rules\": [{\"name\": \"x\", \"start\": \"nope\", \"length\": 0,"
			       " \"calendar\": \"lunar\", \"when\": {\"colour\": 1}},"
			       " {\"name\": \"x\", \"start\": \"reported_date\", \"length\": 3,"
			       " \"calendar\": \"working\", \"done\": \"reported_date\"}],"
			       " \"holidays_dir\": \"/nonexistent\", \"extra\": 1}",
			       &c, &d),
			 LW_EINVAL);
	assert_null(c);
	assert_true(diag_has(&d, "deadlines.rules[0].start: expected one of filed_date"));
	assert_true(diag_has(&d, "deadlines.rules[0].length: expected a whole number 1..366"));
	assert_true(diag_has(&d, "deadlines.rules[0].calendar: expected \"calendar\""));
	assert_true(diag_has(&d, "deadlines.rules[0].when.colour: unknown key"));
	assert_true(diag_has(&d, "deadlines.rules[1].name: \"x\" is also the name of rules[0]"));
	assert_true(diag_has(&d, "deadlines.rules[1].done: the same field as start"));
	assert_true(diag_has(&d, "deadlines.extra: unknown key"));
	assert_true(diag_has(&d, "deadlines.holidays_dir: "));
	lw_diag_free(&d);

	assert_int_equal(parse("{\"remind_working_days\": 2, \"rules\": [{\"name\": \"defence\","
			       " \"start\": \"papers_received_date\", \"done\": \"defence_filed_date\","
			       " \"length\": 15, \"calendar\": \"calendar\"}]}", &c, &d), 0);
	assert_int_equal(c->nrules, 1);
	assert_int_equal(c->remind, 2);
	assert_non_null(lw_dl_rule_find(c, "defence"));
	assert_true(lw_holidays_covers(c->cal, 2024));
	lw_dl_conf_ref(c);
	lw_dl_conf_unref(c);
	lw_dl_conf_unref(c);
	lw_diag_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(litigation_periods_count_calendar_days_and_move_off_a_day_off),
		cmocka_unit_test(bureau_rules_count_working_days_with_make_up_days),
		cmocka_unit_test(edge_cases_holiday_start_make_up_due_year_boundary),
		cmocka_unit_test(an_uncovered_year_is_never_a_guess),
		cmocka_unit_test(working_days_agree_with_a_naive_day_by_day_walk),
		cmocka_unit_test(obligation_states_follow_the_dates),
		cmocka_unit_test(appeal_of_a_ruling_is_ten_days_and_conditions_select_cases),
		cmocka_unit_test(config_errors_name_their_key_path),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
