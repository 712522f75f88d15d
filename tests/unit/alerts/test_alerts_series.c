/*
 * test_alerts_series.c — series from the warehouse (dense, no data before
 * the first data, co-defendants), period labels, the policy rules at their
 * threshold edges, and the validation of the detect/alerts sections.
 */
#include "alerts_test_util.h"

static const struct lw_series *find(const struct lw_series_set *s, const char *k, const char *v)
{
	for (size_t i = 0; i < s->n; i++) {
		const char *x = json_string_value(json_object_get(s->s[i].labels, k));
		if (x && !strcmp(x, v))
			return &s->s[i];
	}
	return NULL;
}

static void series_are_dense_with_zeros_and_start_at_first_data(void **state)
{
	struct fx *f = *state;
	struct lw_series_set set;
	struct lw_err e = {0};
	const struct lw_series *a, *b;
	char lab[16];

	add_cases(f, 2, "甲局", NULL, "2024-01-10", NULL, NULL);
	add_cases(f, 1, "甲局", NULL, "2024-03-31", NULL, NULL);
	add_cases(f, 3, "乙局", NULL, "2024-04-01", NULL, NULL);
	add_cases(f, 5, "乙局", NULL, "2024-07-01", NULL, NULL); /* after now: not counted */
	assert_int_equal(lw_series_load(f->wh, LW_SERIES_FILED_MONTHLY_AGENCY,
					 at("2024-05-15"), 0, &set, &e), 0);
	assert_int_equal(set.n, 2);
	assert_non_null(a = find(&set, "agency", "甲局"));
	assert_non_null(b = find(&set, "agency", "乙局"));
	lw_period_label(set.freq, a->first, lab, sizeof lab);
	assert_string_equal(lab, "2024-01");
	assert_int_equal(a->n, 5); /* Jan..May */
	double want_a[] = {2, 0, 1, 0, 0};
	for (size_t i = 0; i < 5; i++)
		assert_true(a->v[i] == want_a[i]);
	/* The warehouse has cases since January: 乙局's months before its first
	 * suit are 0, not "no data" (issue 13 §4). */
	lw_period_label(set.freq, b->first, lab, sizeof lab);
	assert_string_equal(lab, "2024-01");
	assert_int_equal(b->n, 5);
	assert_true(b->v[0] == 0 && b->v[2] == 0 && b->v[3] == 3 && b->v[4] == 0);
	lw_series_set_free(&set);

	assert_int_equal(lw_series_load(f->wh, LW_SERIES_FILED_MONTHLY, at("2024-05-15"), 0, &set,
					 &e), 0);
	assert_int_equal(set.n, 1);
	assert_int_equal(set.s[0].n, 5);
	assert_true(set.s[0].v[0] == 2 && set.s[0].v[3] == 3);
	lw_series_set_free(&set);
}

static void co_defendants_count_the_case_for_each_agency(void **state)
{
	struct fx *f = *state;
	struct lw_series_set set;
	struct lw_err e = {0};

	add_cases(f, 1, "市自然资源局", "区人民政府", "2024-02-02", NULL, NULL);
	assert_int_equal(lw_series_load(f->wh, LW_SERIES_FILED_MONTHLY_AGENCY, at("2024-02-20"),
					 0, &set, &e), 0);
	assert_int_equal(set.n, 2);
	assert_true(find(&set, "agency", "市自然资源局")->v[0] == 1);
	assert_true(find(&set, "agency", "区人民政府")->v[0] == 1);
	lw_series_set_free(&set);
	/* ...but the case is one case overall. */
	assert_int_equal(lw_series_load(f->wh, LW_SERIES_FILED_MONTHLY, at("2024-02-20"), 0, &set,
					 &e), 0);
	assert_true(set.s[0].v[0] == 1);
	lw_series_set_free(&set);
}

static void losses_per_quarter_follow_the_outcome_and_the_withdrawal_setting(void **state)
{
	struct fx *f = *state;
	struct lw_series_set set;
	struct lw_err e = {0};

	add_cases(f, 2, "甲局", NULL, "2024-01-05", "2024-04-10", "revoked");
	add_cases(f, 3, "甲局", NULL, "2024-01-05", "2024-05-10", "claims_rejected");
	add_cases(f, 1, "甲局", NULL, "2024-01-05", "2024-06-10", "withdrawn_after_change");
	add_cases(f, 4, "甲局", NULL, "2024-01-05", NULL, "pending");
	assert_int_equal(lw_series_load(f->wh, LW_SERIES_LOST_QUARTERLY_AGENCY, at("2024-06-30"),
					 0, &set, &e), 0);
	assert_int_equal(set.n, 1);
	assert_int_equal(set.s[0].n, 1);
	assert_true(set.s[0].v[0] == 2 && set.s[0].aux[0] == 6);
	lw_series_set_free(&set);
	assert_int_equal(lw_series_load(f->wh, LW_SERIES_LOST_QUARTERLY_AGENCY, at("2024-06-30"),
					 1, &set, &e), 0);
	assert_true(set.s[0].v[0] == 3 && set.s[0].aux[0] == 6);
	lw_series_set_free(&set);
}

static void tickets_per_iso_week_by_category_and_agency(void **state)
{
	struct fx *f = *state;
	struct lw_series_set set;
	struct lw_err e = {0};
	char lab[16];

	sql(f, "INSERT INTO agencies(name) VALUES ('城管局')");
	/* 2024-12-30 (Monday) belongs to ISO week 2025-W01. */
	sql(f, "INSERT INTO tickets(ticket_no, received_at, category, topic, agency_id, source) "
	       "VALUES ('a', '2024-12-23 09:00:00', 'complaint', '噪音', 1, 't'),"
	       "('b', '2024-12-30 09:00:00', 'complaint', '噪音', 1, 't'),"
	       "('c', '2025-01-05 23:59:59', 'complaint', '噪音', 1, 't'),"
	       "('d', '2025-01-14 10:00:00', 'consult', '占道', 1, 't')");
	assert_int_equal(lw_series_load(f->wh, LW_SERIES_TICKETS_WEEKLY_CAT_AGENCY,
					 at("2025-01-14"), 0, &set, &e), 0);
	assert_int_equal(set.n, 2);
	lw_period_label(set.freq, set.last, lab, sizeof lab);
	assert_string_equal(lab, "2025-W03");
	const struct lw_series *c = find(&set, "category", "complaint");
	lw_period_label(set.freq, c->first, lab, sizeof lab);
	assert_string_equal(lab, "2024-W52");
	assert_int_equal(c->n, 4);
	assert_true(c->v[0] == 1 && c->v[1] == 2 && c->v[2] == 0 && c->v[3] == 0);
	assert_string_equal(json_string_value(json_object_get(c->labels, "agency")), "城管局");
	lw_series_set_free(&set);
	assert_int_equal(lw_series_load(f->wh, LW_SERIES_TICKETS_WEEKLY_TOPIC, at("2025-01-14"),
					 0, &set, &e), 0);
	assert_int_equal(set.n, 2);
	lw_series_set_free(&set);
}

static void period_labels_round_trip(void **state)
{
	(void)state;
	static const char *m[] = {"1999-12", "2024-01", "2024-W01", "2020-W53", "2024Q4"};
	enum lw_freq fr[] = {LW_FREQ_MONTH, LW_FREQ_MONTH, LW_FREQ_WEEK, LW_FREQ_WEEK,
			     LW_FREQ_QUARTER};
	for (size_t i = 0; i < 5; i++) {
		int64_t p;
		char buf[16];
		assert_int_equal(lw_period_parse(fr[i], m[i], &p), 0);
		lw_period_label(fr[i], p, buf, sizeof buf);
		assert_string_equal(buf, m[i]);
	}
	int64_t p;
	assert_int_equal(lw_period_parse(LW_FREQ_WEEK, "2021-W53", &p), LW_EINVAL);
	assert_int_equal(lw_period_parse(LW_FREQ_MONTH, "2024-13", &p), LW_EINVAL);
	/* Labels stored before schema 7 still read. */
	assert_int_equal(lw_period_parse(LW_FREQ_QUARTER, "2024-Q3", &p), 0);
	assert_int_equal(p, 2024 * 4 + 2);
}

static long long alerts_state(struct fx *f, const char *state)
{
	char q[128];
	snprintf(q, sizeof q, "SELECT count(*) FROM alerts WHERE state = '%s'", state);
	return sql_int(f, q);
}

/* 10 concluded in 2024Q2, 1 lost: 10 % exactly. */
static void loss_rate_fires_above_x_not_at_x_and_needs_n_concluded(void **state)
{
	struct fx *f = *state;
	add_cases(f, 1, "甲局", NULL, "2024-01-05", "2024-04-10", "revoked");
	add_cases(f, 9, "甲局", NULL, "2024-01-05", "2024-05-10", "claims_rejected");

	conf_load(f, "{\"rules\":[{\"name\":\"lr\",\"method\":\"loss-rate\",\"above_percent\":10,"
		     "\"min_concluded\":10}]}", NULL);
	eval(f, "2024-06-30", NULL);
	assert_int_equal(alerts_state(f, "firing"), 0); /* 10 % is not above 10 % */

	conf_load(f, "{\"rules\":[{\"name\":\"lr\",\"method\":\"loss-rate\",\"above_percent\":9.99,"
		     "\"min_concluded\":11}]}", NULL);
	eval(f, "2024-06-30", NULL);
	assert_int_equal(alerts_state(f, "firing"), 0); /* 10 concluded < 11 */

	conf_load(f, "{\"rules\":[{\"name\":\"lr\",\"method\":\"loss-rate\",\"above_percent\":9.99,"
		     "\"min_concluded\":10}]}", NULL);
	eval(f, "2024-06-30", NULL);
	assert_int_equal(alerts_state(f, "firing"), 1);
	char per[32];
	sql_text(f, "SELECT period FROM alerts", per, sizeof per);
	assert_string_equal(per, "2024Q2");
}

/* 10 filed in the 12 months to 2023-06, 13 in the 12 months to 2024-06: +30 %. */
static void yoy_growth_fires_above_x_and_needs_n_cases(void **state)
{
	struct fx *f = *state;
	add_cases(f, 10, "甲局", NULL, "2022-07-15", NULL, NULL);
	add_cases(f, 13, "甲局", NULL, "2024-03-15", NULL, NULL);

	conf_load(f, "{\"rules\":[{\"name\":\"yoy\",\"method\":\"yoy-growth\",\"above_percent\":30,"
		     "\"min_cases\":13}]}", NULL);
	eval(f, "2024-06-30", NULL);
	assert_int_equal(alerts_state(f, "firing"), 0); /* +30 % is not above 30 % */
	conf_load(f, "{\"rules\":[{\"name\":\"yoy\",\"method\":\"yoy-growth\",\"above_percent\":29.9,"
		     "\"min_cases\":14}]}", NULL);
	eval(f, "2024-06-30", NULL);
	assert_int_equal(alerts_state(f, "firing"), 0); /* 13 cases < 14 */
	conf_load(f, "{\"rules\":[{\"name\":\"yoy\",\"method\":\"yoy-growth\",\"above_percent\":29.9,"
		     "\"min_cases\":13}]}", NULL);
	eval(f, "2024-06-30", NULL);
	assert_int_equal(alerts_state(f, "firing"), 1);
	assert_int_equal(sql_int(f, "SELECT CAST(round(value) AS INT) FROM alerts"), 30);
}

/* Issue 13 §4: 丙局's first suit came in March 2023, after the warehouse's
 * data began (January 2023); 12 months to February 2025 against the 12
 * before: 31 against 10, +210 %.  The rule must see it although 丙局 had no
 * suit in January and February 2023. */
static void yoy_growth_counts_months_without_suits_once_sources_reported(void **state)
{
	struct fx *f = *state;
	add_cases(f, 1, "甲局", NULL, "2023-01-05", NULL, NULL);
	add_cases(f, 10, "丙局", NULL, "2023-03-15", NULL, NULL);
	add_cases(f, 31, "丙局", NULL, "2024-06-15", NULL, NULL);
	conf_load(f, "{\"rules\":[{\"name\":\"filed_growth\",\"method\":\"yoy-growth\","
		     "\"series\":\"cases.filed.monthly.by_agency\",\"above_percent\":30,"
		     "\"min_cases\":10}]}", NULL);
	eval(f, "2024-12-31", NULL);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM alerts WHERE state = 'firing' AND "
				    "labels LIKE '%丙局%'"), 1);
	assert_int_equal(sql_int(f, "SELECT CAST(round(value) AS INT) FROM alerts WHERE labels "
				    "LIKE '%丙局%'"), 210);
}

static void loss_rate_top_n_ranks_by_rate_then_losses(void **state)
{
	struct fx *f = *state;
	/* 甲 50 % (1/2), 乙 50 % (2/4: more losses, ranks first), 丙 25 %, 丁 1 concluded. */
	add_cases(f, 1, "甲局", NULL, "2024-01-05", "2024-04-10", "revoked");
	add_cases(f, 1, "甲局", NULL, "2024-01-05", "2024-04-10", "mediated");
	add_cases(f, 2, "乙局", NULL, "2024-01-05", "2024-04-10", "revoked");
	add_cases(f, 2, "乙局", NULL, "2024-01-05", "2024-04-10", "dismissed");
	add_cases(f, 1, "丙局", NULL, "2024-01-05", "2024-04-10", "revoked");
	add_cases(f, 3, "丙局", NULL, "2024-01-05", "2024-04-10", "withdrawn");
	add_cases(f, 1, "丁局", NULL, "2024-01-05", "2024-04-10", "revoked");
	conf_load(f, "{\"rules\":[{\"name\":\"top\",\"method\":\"loss-rate-top\",\"top\":2,"
		     "\"min_concluded\":2}]}", NULL);
	eval(f, "2024-06-30", NULL);
	assert_int_equal(alerts_state(f, "firing"), 2);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM alerts WHERE labels LIKE '%乙局%' AND "
				    "expected = 1"), 1);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM alerts WHERE labels LIKE '%甲局%' AND "
				    "expected = 2"), 1);
}

/* The rule ranks as the bulletin does (figures/rank.c): equal published
 * rates and equal losses go to the agency with more cases filed in the
 * period, and only then to the name.  甲局 and 乙局 both lost 1 of 2 in
 * 2024Q2; 甲局 had 4 suits filed in the quarter, 乙局 2: 甲局 is first,
 * although 乙 comes before 甲 in code point order. */
static void loss_rate_top_n_ranks_as_the_bulletin(void **state)
{
	struct fx *f = *state;
	add_cases(f, 1, "甲局", NULL, "2024-04-02", "2024-05-10", "revoked");
	add_cases(f, 1, "甲局", NULL, "2024-04-02", "2024-05-10", "claims_rejected");
	add_cases(f, 2, "甲局", NULL, "2024-04-20", NULL, NULL);
	add_cases(f, 1, "乙局", NULL, "2024-04-02", "2024-05-10", "revoked");
	add_cases(f, 1, "乙局", NULL, "2024-04-02", "2024-05-10", "claims_rejected");
	conf_load(f, "{\"rules\":[{\"name\":\"top\",\"method\":\"loss-rate-top\",\"top\":1,"
		     "\"min_concluded\":2}]}", NULL);
	eval(f, "2024-06-30", NULL);
	assert_int_equal(alerts_state(f, "firing"), 1);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM alerts WHERE state = 'firing' AND "
				    "labels LIKE '%甲局%' AND expected = 1"), 1);
	/* The value is the rate as published: 50.00. */
	assert_int_equal(sql_int(f, "SELECT CAST(value * 100 AS INT) FROM alerts WHERE labels "
				    "LIKE '%甲局%'"), 5000);
}

static int check(const char *detect, const char *alerts, const char *want)
{
	struct lw_diag d = {0};
	json_t *dj = detect ? json_loads(detect, 0, NULL) : NULL;
	json_t *aj = alerts ? json_loads(alerts, 0, NULL) : NULL;
	int found = 0, n = lw_alerts_config_check(dj, aj, &d);
	for (size_t i = 0; i < d.n; i++)
		if (want && strstr(d.msg[i], want))
			found = 1;
	if (want && !found) {
		for (size_t i = 0; i < d.n; i++)
			print_error("got: %s\n", d.msg[i]);
		fail_msg("expected a message containing \"%s\"", want);
	}
	lw_diag_free(&d);
	json_decref(dj);
	json_decref(aj);
	return n;
}

static void config_errors_name_the_key_path(void **state)
{
	(void)state;
	assert_int_equal(check("{\"rules\":[{\"name\":\"a\",\"series\":\"cases.filed.monthly."
			       "by_agency\",\"method\":\"ears-c2\",\"baseline\":5,\"alpha\":0.01}]}",
			       "{\"sinks\":[{\"name\":\"l\",\"type\":\"log\"}]}", NULL), 0);
	check("{\"rules\":[{},{},{\"name\":\"x\",\"method\":\"ears\",\"series\":\"cases.filed."
	      "monthly.overall\"}]}", NULL, "detect.rules[2].method: expected one of ears-c1,");
	check("{\"rules\":[{\"name\":\"x\",\"method\":\"ears-c1\",\"series\":\"cases.nope\"}]}", NULL,
	      "detect.rules[0].series: expected one of");
	check("{\"rules\":[{\"name\":\"x\",\"method\":\"ears-c1\",\"series\":\"cases.filed.monthly."
	      "overall\",\"alpha\":2}]}", NULL, "detect.rules[0].alpha: must be above 0");
	check("{\"rules\":[{\"name\":\"x\",\"method\":\"ears-c1\",\"series\":\"cases.filed.monthly."
	      "overall\",\"b\":2}]}", NULL, "detect.rules[0].b: unknown key");
	check("{\"rules\":[{\"name\":\"x\",\"method\":\"loss-rate\"}]}", NULL,
	      "detect.rules[0].above_percent: required key is missing");
	check("{\"rules\":[{\"name\":\"x\",\"method\":\"yoy-growth\",\"above_percent\":5,\"series\":"
	      "\"tickets.weekly.by_topic\"}]}", NULL, "detect.rules[0].series: method yoy-growth");
	check("{\"rules\":[{\"name\":\"x\",\"method\":\"cusum\",\"series\":\"cases.filed.monthly."
	      "overall\",\"for\":0}]}", NULL, "detect.rules[0].for: must be between 1 and 1000");
	check("{\"rules\":[{\"name\":\"x\",\"method\":\"loss-rate-top\",\"top\":1},{\"name\":\"x\","
	      "\"method\":\"loss-rate-top\",\"top\":1}]}", NULL,
	      "detect.rules[1].name: duplicate rule name");
	check(NULL, "{\"sinks\":[{\"name\":\"m\",\"type\":\"email\",\"url\":\"http://x\"}]}",
	      "alerts.sinks[0].url: expected an smtp://");
	check(NULL, "{\"sinks\":[{\"name\":\"m\",\"type\":\"email\",\"url\":\"smtp://x\"}]}",
	      "alerts.sinks[0].from: required");
	check(NULL, "{\"sinks\":[{\"name\":\"w\",\"type\":\"wecom\"}]}",
	      "alerts.sinks[0].url: required for a wecom sink");
	check(NULL, "{\"sinks\":[{\"name\":\"w\",\"type\":\"slack\"}]}",
	      "alerts.sinks[0].type: expected one of log,webhook,wecom,dingtalk,email");
	check(NULL, "{\"sinks\":[{\"name\":\"w\",\"type\":\"log\",\"match\":[\"nolabel\"]}]}",
	      "alerts.sinks[0].match[0]: matcher");
	check(NULL, "{\"repeat_interval\":\"soon\"}", "alerts.repeat_interval: expected a duration");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(series_are_dense_with_zeros_and_start_at_first_data,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(co_defendants_count_the_case_for_each_agency,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
			losses_per_quarter_follow_the_outcome_and_the_withdrawal_setting, fx_setup,
			fx_teardown),
		cmocka_unit_test_setup_teardown(tickets_per_iso_week_by_category_and_agency,
						fx_setup, fx_teardown),
		cmocka_unit_test(period_labels_round_trip),
		cmocka_unit_test_setup_teardown(
			loss_rate_fires_above_x_not_at_x_and_needs_n_concluded, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(yoy_growth_fires_above_x_and_needs_n_cases, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(
			yoy_growth_counts_months_without_suits_once_sources_reported, fx_setup,
			fx_teardown),
		cmocka_unit_test_setup_teardown(loss_rate_top_n_ranks_by_rate_then_losses, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(loss_rate_top_n_ranks_as_the_bulletin, fx_setup,
						fx_teardown),
		cmocka_unit_test(config_errors_name_the_key_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
