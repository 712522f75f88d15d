/*
 * test_alerts_ears_matches_r.c — an EARS rule raises an alert from
 * warehouse data exactly where R flags the series: the reference series
 * tests/detect-reference/seasonal_monthly.series is loaded as monthly cases
 * of one agency, and the rule evaluated at R's first alarm (and at the
 * non-alarm period before it) with R's bound (earsC C1, defaults).
 */
#include <math.h>

#include "alerts_test_util.h"

static void ears_c1_rule_fires_where_r_alarms_with_r_bound(void **state)
{
	struct fx *f = *state;
	char line[256], now[32], per[16];
	double counts[400], ub = NAN;
	size_t n = 0;
	int t_alarm = 0, t_quiet = 0;
	FILE *in = fopen(LW_DETECT_REF "/seasonal_monthly.series", "r");

	assert_non_null(in);
	while (fgets(line, sizeof line, in) && n < 400)
		if (line[0] != '#' && line[0] != '\n')
			counts[n++] = atof(line);
	fclose(in);
	in = fopen(LW_DETECT_REF "/ears_c1_default_seasonal_monthly.csv", "r");
	assert_non_null(in);
	while (fgets(line, sizeof line, in)) {
		int t, alarm;
		double obs, u;
		char exp[32];
		if (sscanf(line, "%d,%lf,%31[^,],%lf,%d", &t, &obs, exp, &u, &alarm) != 5)
			continue;
		if (alarm == 1 && !t_alarm) {
			t_alarm = t;
			ub = u;
		} else if (alarm == 0 && !t_alarm) {
			t_quiet = t;
		}
	}
	fclose(in);
	assert_true(t_alarm > 0 && t_quiet > 0 && t_alarm <= (int)n);

	/* Month t (1-based) is 2015-01 + t-1; counts[t-1] cases filed in it. */
	for (int t = 1; t <= t_alarm; t++) {
		char d[32];
		snprintf(d, sizeof d, "%04d-%02d-15", 2015 + (t - 1) / 12, (t - 1) % 12 + 1);
		add_cases(f, (int)counts[t - 1], "甲局", NULL, d, NULL, NULL);
	}
	conf_load(f, "{\"rules\":[{\"name\":\"rise\",\"series\":\"cases.filed.monthly.by_agency\","
		     "\"method\":\"ears-c1\"}]}", NULL);
	snprintf(now, sizeof now, "%04d-%02d-20", 2015 + (t_quiet - 1) / 12, (t_quiet - 1) % 12 + 1);
	eval(f, now, NULL);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM alerts"), 0);

	snprintf(now, sizeof now, "%04d-%02d-20", 2015 + (t_alarm - 1) / 12, (t_alarm - 1) % 12 + 1);
	eval(f, now, NULL);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM alerts WHERE state = 'firing'"), 1);
	sql_text(f, "SELECT period FROM alerts", per, sizeof per);
	assert_int_equal(strncmp(per, now, 7), 0);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(lw_wh_db(f->wh), "SELECT threshold, value FROM alerts",
					    -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	double got = sqlite3_column_double(st, 0);
	if (fabs(got - ub) > 1e-9 * fabs(ub))
		fail_msg("upper bound: R %.15g, litwatch %.15g", ub, got);
	assert_true(sqlite3_column_double(st, 1) == counts[t_alarm - 1]);
	sqlite3_finalize(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(ears_c1_rule_fires_where_r_alarms_with_r_bound,
						fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
