/* Unit tests for deadline_alerts.c and the deadline routing in notify.c:
 * a reminder goes to the agency's contact sink, an overdue alert to the
 * bureau's; alerts of one agency share one message and an agency gets at
 * most one message per sink and day; a silence on an agency holds its
 * alerts; a met obligation resolves its alert. */
#include "alerts_test_util.h"

#include "deadlines/obligations.h"

#define ALERTS                                                                                   \
	"{\"sinks\": [{\"name\": \"bureau\", \"type\": \"webhook\", \"url\": \"http://127.0.0.1:9/b\"},"  \
	" {\"name\": \"nr\", \"type\": \"webhook\", \"url\": \"http://127.0.0.1:9/n\"}]}"

static const char RULES[] =
	"{\"remind_working_days\": 1, \"contacts\": {\"县自然资源局\": \"nr\"}, \"rules\": ["
	" {\"name\": \"report-new-suit\", \"start\": \"papers_received_date\","
	"  \"done\": \"reported_date\", \"length\": 3, \"calendar\": \"working\"}]}";

static int setup(void **state)
{
	struct fx *f;
	struct lw_diag d = {0};
	json_t *j = json_loads(RULES, 0, NULL);
	fx_setup(state);
	f = *state;
	conf_load(f, NULL, ALERTS);
	if (lw_dl_conf_parse(j, NULL, LW_HOLIDAY_DIR, &f->conf->deadlines, &d) != 0)
		fail_msg("rules: %s", d.msg[0]);
	json_decref(j);
	lw_diag_free(&d);
	return 0;
}

static void add_case(struct fx *f, const char *no, const char *agency, const char *papers)
{
	struct lw_err e = {0};
	char case_no[64];
	snprintf(case_no, sizeof case_no, "(2024)豫1121行初%s号", no);
	sql(f, "INSERT OR IGNORE INTO agencies(name) VALUES ('%s')", agency);
	sql(f, "INSERT INTO cases(case_no, case_no_raw, papers_received_date, source) "
	       "VALUES ('%s', 'x', '%s', 't')", case_no, papers);
	sql(f, "INSERT INTO case_defendants(case_no, agency_id, role, source) SELECT '%s', id, "
	       "'principal', 't' FROM agencies WHERE name = '%s'", case_no, agency);
	if (lw_obligations_recompute_case(f->wh, f->conf->deadlines, case_no, &e) != 0)
		fail_msg("recompute: %s", e.msg);
}

/* Firing notifications of a sink that mention text. */
static long long told(struct fx *f, const char *sink, const char *text)
{
	char q[512];
	snprintf(q, sizeof q,
		 "SELECT count(*) FROM notifications WHERE sink = '%s' AND "
		 "json_extract(payload, '$.status') = 'firing' AND instr(payload, '%s') > 0",
		 sink, text);
	return sql_int(f, q);
}

static void reminders_go_to_the_agency_contact_and_overdue_to_the_bureau(void **state)
{
	struct fx *f = *state;
	add_case(f, "1", "县自然资源局", "2024-09-27");
	add_case(f, "2", "县公安局", "2024-09-27");
	/* 09-30 (Beijing): due 10-08, the next working day: a reminder. */
	eval(f, "2024-09-30T02:00:00Z", NULL);
	assert_int_equal(told(f, "nr", "时限提醒"), 1);
	assert_int_equal(told(f, "nr", "县公安局"), 0);
	assert_int_equal(told(f, "bureau", "县公安局"), 1);
	assert_int_equal(told(f, "bureau", "县自然资源局"), 0);
	/* 10-09: overdue, to the bureau, one message per agency. */
	eval(f, "2024-10-09T02:00:00Z", NULL);
	assert_int_equal(told(f, "bureau", "逾期未办"), 2);
	assert_int_equal(told(f, "nr", "逾期未办"), 0);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM alerts WHERE rule = 'deadline-reminder' "
				    "AND state = 'resolved'"), 2);
}

static void one_message_per_agency_per_day(void **state)
{
	struct fx *f = *state;
	add_case(f, "3", "县公安局", "2024-09-23");
	add_case(f, "4", "县公安局", "2024-09-24");
	eval(f, "2024-10-09T01:00:00Z", NULL);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM notifications WHERE sink = 'bureau'"), 1);
	assert_int_equal(sql_int(f, "SELECT json_array_length(payload, '$.alerts') FROM notifications"),
			 2);
	/* Another overdue case the same day: held until tomorrow. */
	add_case(f, "5", "县公安局", "2024-09-25");
	eval(f, "2024-10-09T09:00:00Z", NULL);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM notifications WHERE sink = 'bureau'"), 1);
	eval(f, "2024-10-10T01:00:00Z", NULL);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM notifications WHERE sink = 'bureau'"), 2);
	assert_true(told(f, "bureau", "行初5号") == 1);
}

static void a_silence_holds_and_a_met_obligation_resolves(void **state)
{
	struct fx *f = *state;
	struct lw_matcher m;
	struct lw_err e = {0};
	int64_t id;
	add_case(f, "6", "县公安局", "2024-09-27");
	assert_int_equal(lw_matcher_parse("agency=县公安局", &m, &e), 0);
	assert_int_equal(lw_silence_add(f->wh, &m, 1, at("2024-10-01T00:00:00Z"),
					at("2024-10-20T00:00:00Z"), "t", "", &id, &e), 0);
	lw_matcher_clear(&m);
	eval(f, "2024-10-09T02:00:00Z", NULL);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM notifications"), 0);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM alerts WHERE state = 'firing'"), 1);
	sql(f, "UPDATE cases SET reported_date = '2024-10-10' WHERE case_no = '(2024)豫1121行初6号'");
	assert_int_equal(lw_obligations_recompute_case(f->wh, f->conf->deadlines,
						       "(2024)豫1121行初6号", &e), 0);
	eval(f, "2024-10-11T02:00:00Z", NULL);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM alerts WHERE rule = 'deadline-overdue' "
				    "AND state = 'resolved'"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(reminders_go_to_the_agency_contact_and_overdue_to_the_bureau,
						setup, fx_teardown),
		cmocka_unit_test_setup_teardown(one_message_per_agency_per_day, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(a_silence_holds_and_a_met_obligation_resolves, setup,
						fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
