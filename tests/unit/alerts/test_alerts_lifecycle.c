/*
 * test_alerts_lifecycle.c — pending → firing after `for`, resolved, "no
 * data" is not resolved, no duplicates on repeated evaluation, repeat
 * interval, grouping, group_wait, silences that hold notifications but not
 * alerts.
 */
#include "alerts_test_util.h"

#define SINKS "\"sinks\":[{\"name\":\"hook\",\"type\":\"webhook\",\"url\":\"http://127.0.0.1:9/\"}]"

static long long count(struct fx *f, const char *table)
{
	char q[128];
	snprintf(q, sizeof q, "SELECT count(*) FROM %s", table);
	return sql_int(f, q);
}

static void state_is(struct fx *f, const char *want)
{
	char got[32];
	sql_text(f, "SELECT state FROM alerts ORDER BY id LIMIT 1", got, sizeof got);
	assert_string_equal(got, want);
}

/* 甲局 2024Q2: 2 lost of 10 concluded (20 %). */
static void twenty_percent(struct fx *f, const char *agency)
{
	add_cases(f, 2, agency, NULL, "2024-01-05", "2024-04-10", "revoked");
	add_cases(f, 8, agency, NULL, "2024-01-05", "2024-04-10", "claims_rejected");
}

static void pending_then_firing_after_for_then_resolved(void **state)
{
	struct fx *f = *state;
	struct lw_eval_stats st;

	twenty_percent(f, "甲局");
	conf_load(f, "{\"rules\":[{\"name\":\"lr\",\"method\":\"loss-rate\",\"above_percent\":10,"
		     "\"for\":2}]}", "{" SINKS "}");
	eval(f, "2024-06-01T00:00:00Z", &st);
	state_is(f, "pending");
	assert_int_equal(count(f, "alert_transitions"), 1);
	assert_int_equal(count(f, "notifications"), 0); /* pending is not told */

	eval(f, "2024-06-02T00:00:00Z", &st);
	state_is(f, "firing");
	assert_int_equal(st.transitions, 1);
	assert_int_equal(count(f, "alert_transitions"), 2);
	assert_int_equal(count(f, "notifications"), 1);
	assert_int_equal(count(f, "notification_alerts"), 1);

	/* Same warehouse, same now: nothing new. */
	eval(f, "2024-06-02T00:00:00Z", &st);
	assert_int_equal(st.transitions, 0);
	assert_int_equal(st.notifications, 0);
	assert_int_equal(count(f, "alerts"), 1);
	assert_int_equal(count(f, "alert_transitions"), 2);
	assert_int_equal(count(f, "notifications"), 1);
	/* A later evaluation while it still holds: still one row, no transition. */
	eval(f, "2024-06-02T01:00:00Z", &st);
	assert_int_equal(count(f, "alerts"), 1);
	assert_int_equal(count(f, "alert_transitions"), 2);

	sql(f, "UPDATE cases SET outcome = 'claims_rejected'");
	eval(f, "2024-06-03T00:00:00Z", &st);
	state_is(f, "resolved");
	assert_int_equal(count(f, "alert_transitions"), 3);
	assert_int_equal(count(f, "notifications"), 2); /* the resolution is told */
	char status[16];
	sql_text(f, "SELECT json_extract(payload, '$.status') FROM notifications ORDER BY id DESC",
		 status, sizeof status);
	assert_string_equal(status, "resolved");
}

static void pending_that_stops_holding_is_resolved_silently(void **state)
{
	struct fx *f = *state;
	twenty_percent(f, "甲局");
	conf_load(f, "{\"rules\":[{\"name\":\"lr\",\"method\":\"loss-rate\",\"above_percent\":10,"
		     "\"for\":3}]}", "{" SINKS "}");
	eval(f, "2024-06-01", NULL);
	sql(f, "UPDATE cases SET outcome = 'claims_rejected'");
	eval(f, "2024-06-02", NULL);
	state_is(f, "resolved");
	assert_int_equal(count(f, "notifications"), 0);
}

static void no_data_keeps_the_state_and_says_so(void **state)
{
	struct fx *f = *state;
	struct lw_eval_stats st;
	char summary[2048];

	twenty_percent(f, "甲局");
	conf_load(f, "{\"rules\":[{\"name\":\"lr\",\"method\":\"loss-rate\",\"above_percent\":10}]}",
		  "{" SINKS "}");
	eval(f, "2024-06-01", NULL);
	state_is(f, "firing");
	/* Next quarter: the Q2 alert is re-evaluated at its own period. */
	eval(f, "2024-07-15", &st);
	state_is(f, "firing");
	assert_int_equal(count(f, "alerts"), 1);
	/* The agency's cases disappear (e.g. re-imported under another name). */
	sql(f, "DELETE FROM case_defendants");
	eval(f, "2024-07-16", &st);
	assert_int_equal(st.no_data, 1);
	state_is(f, "firing");
	assert_int_equal(count(f, "alert_transitions"), 1);
	sql_text(f, "SELECT summary FROM alerts", summary, sizeof summary);
	assert_non_null(strstr(summary, "无数据 no data"));
	eval(f, "2024-07-17", &st);
	sql_text(f, "SELECT summary FROM alerts", summary, sizeof summary);
	assert_ptr_equal(strstr(summary, "无数据"), strrchr(summary, '[') + 1); /* noted once */
}

static void repeat_interval_re_notifies_a_still_firing_alert(void **state)
{
	struct fx *f = *state;
	twenty_percent(f, "甲局");
	conf_load(f, "{\"rules\":[{\"name\":\"lr\",\"method\":\"loss-rate\",\"above_percent\":10}]}",
		  "{\"repeat_interval\":\"24h\"," SINKS "}");
	eval(f, "2024-06-01T08:00:00Z", NULL);
	assert_int_equal(count(f, "notifications"), 1);
	eval(f, "2024-06-02T07:59:59Z", NULL);
	assert_int_equal(count(f, "notifications"), 1);
	eval(f, "2024-06-02T08:00:00Z", NULL);
	assert_int_equal(count(f, "notifications"), 2);
	assert_int_equal(sql_int(f, "SELECT json_extract(payload, '$.alerts[0].repeat') FROM "
				    "notifications WHERE id = 2"), 1);
	eval(f, "2024-06-02T08:00:00Z", NULL); /* same now again: no duplicate */
	assert_int_equal(count(f, "notifications"), 2);
}

static void silence_holds_the_notification_but_not_the_alert(void **state)
{
	struct fx *f = *state;
	struct lw_matcher m;
	struct lw_eval_stats st;
	struct lw_err e = {0};
	int64_t id;

	twenty_percent(f, "甲局");
	twenty_percent(f, "乙局");
	assert_int_equal(lw_matcher_parse("agency=甲局", &m, &e), 0);
	assert_int_equal(lw_silence_add(f->wh, &m, 1, at("2024-06-01T00:00:00Z"),
					at("2024-06-01T02:00:00Z"), "王科长", "已知，正在处理", &id,
					&e), 0);
	lw_matcher_clear(&m);
	conf_load(f, "{\"rules\":[{\"name\":\"lr\",\"method\":\"loss-rate\",\"above_percent\":10}]}",
		  "{\"group_by\":[\"agency\"]," SINKS "}");
	eval(f, "2024-06-01T01:00:00Z", &st);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM alerts WHERE state = 'firing'"), 2);
	assert_int_equal(st.silenced, 1);
	assert_int_equal(count(f, "notifications"), 1);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM notifications WHERE payload LIKE "
				    "'%甲局%'"), 0);
	/* Silence over, still firing: now it is told. */
	eval(f, "2024-06-01T03:00:00Z", &st);
	assert_int_equal(count(f, "notifications"), 2);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM notifications WHERE payload LIKE "
				    "'%甲局%'"), 1);
	/* Expiring by hand works too. */
	assert_int_equal(lw_silence_expire(f->wh, id, at("2024-06-01T03:00:00Z"), &e), LW_ENOENT);
}

static void grouping_puts_alerts_of_a_group_in_one_notification(void **state)
{
	struct fx *f = *state;
	twenty_percent(f, "甲局");
	twenty_percent(f, "乙局");
	conf_load(f, "{\"rules\":[{\"name\":\"lr\",\"method\":\"loss-rate\",\"above_percent\":10}]}",
		  "{" SINKS "}"); /* group_by defaults to ["rule"] */
	eval(f, "2024-06-01", NULL);
	assert_int_equal(count(f, "notifications"), 1);
	assert_int_equal(count(f, "notification_alerts"), 2);
	assert_int_equal(sql_int(f, "SELECT json_array_length(payload, '$.alerts') FROM "
				    "notifications"), 2);
	char g[64];
	sql_text(f, "SELECT json_extract(payload, '$.groupLabels.rule') FROM notifications", g,
		 sizeof g);
	assert_string_equal(g, "lr");
}

static void group_wait_delays_a_new_group(void **state)
{
	struct fx *f = *state;
	twenty_percent(f, "甲局");
	conf_load(f, "{\"rules\":[{\"name\":\"lr\",\"method\":\"loss-rate\",\"above_percent\":10}]}",
		  "{\"group_wait\":\"1h\"," SINKS "}");
	eval(f, "2024-06-01T00:00:00Z", NULL);
	assert_int_equal(count(f, "notifications"), 0);
	eval(f, "2024-06-01T00:59:59Z", NULL);
	assert_int_equal(count(f, "notifications"), 0);
	eval(f, "2024-06-01T01:00:00Z", NULL);
	assert_int_equal(count(f, "notifications"), 1);
}

static void sink_match_filters_what_a_sink_receives(void **state)
{
	struct fx *f = *state;
	twenty_percent(f, "甲局");
	conf_load(f, "{\"rules\":[{\"name\":\"lr\",\"method\":\"loss-rate\",\"above_percent\":10,"
		     "\"severity\":\"critical\",\"labels\":{\"team\":\"法制科\"}}]}",
		  "{\"sinks\":[{\"name\":\"a\",\"type\":\"log\",\"match\":[\"severity=critical\"]},"
		  "{\"name\":\"b\",\"type\":\"log\",\"match\":[\"team!=法制科\"]}]}");
	eval(f, "2024-06-01", NULL);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM notifications WHERE sink = 'a'"), 1);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM notifications WHERE sink = 'b'"), 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		T(pending_then_firing_after_for_then_resolved),
		T(pending_that_stops_holding_is_resolved_silently),
		T(no_data_keeps_the_state_and_says_so),
		T(repeat_interval_re_notifies_a_still_firing_alert),
		T(silence_holds_the_notification_but_not_the_alert),
		T(grouping_puts_alerts_of_a_group_in_one_notification),
		T(group_wait_delays_a_new_group),
		T(sink_match_filters_what_a_sink_receives),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
