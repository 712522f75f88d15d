/*
 * test_detect_units.c — the parts under the detectors: distributions agree
 * with R's values, the series reader reports the bad line, the flag parser
 * refuses what R refuses, CUSUM's litwatch-only `reset` restarts the sum.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect_cli.h"
#include "detect/distrib.h"

static void near(double got, double want, double tol, const char *what)
{
	if (!(fabs(got - want) <= tol * fmax(1, fabs(want)))) {
		print_error("%s: expected %.17g, got %.17g\n", what, want, got);
		fail();
	}
}

static void distributions_agree_with_r_values(void **state)
{
	near(lw_qnorm(0.999, 0, 1), 3.09023230616781319, 1e-15, "qnorm(0.999)");
	near(lw_qnorm(0.975, 0, 1), 1.95996398454005361, 1e-15, "qnorm(0.975)");
	near(lw_qnorm(1e-10, 0, 1), -6.36134090240405570, 1e-15, "qnorm(1e-10)");
	near(lw_qnorm(0.3, 0, 1), -0.52440051270804067, 1e-15, "qnorm(0.3)");
	near(lw_pt_two_sided(2.1, 7), 0.073871196212922596, 1e-12, "2*pt(-2.1, 7)");
	near(lw_pt_two_sided(-0.3, 50), 0.765420880255303193, 1e-12, "2*pt(-0.3, 50)");
	near(lw_qnbinom(0.95, 12.5, 1 / 1.8), 18, 0, "qnbinom(0.95, 12.5, 1/1.8)");
	near(lw_qnbinom(0.05, 12.5, 1 / 1.8), 4, 0, "qnbinom(0.05, 12.5, 1/1.8)");
	near(lw_qnbinom(0.99, 3000, 1 / 1.05), 180, 0, "qnbinom(0.99, 3000, 1/1.05)");
	near(lw_qpois(0.95, 3.7), 7, 0, "qpois(0.95, 3.7)");
	near(lw_qpois(0.99, 250.3), 288, 0, "qpois(0.99, 250.3)");
	near(lw_qpois(0.05, 0.01), 0, 0, "qpois(0.05, 0.01)");
	near(lw_pnbinom(7, 2.5, 0.4), 0.88611074394106093, 1e-12, "pnbinom(7, 2.5, 0.4)");
	near(lw_ppois(3, 2.2), 0.81935242170333822, 1e-12, "ppois(3, 2.2)");
}

static void series_reader_accepts_counts_pairs_comments_and_na(void **state)
{
	const char *s = "# header\n3\n\n2020-02,4 # note\r\n  NA \n5.0\n";
	double *x;
	size_t n;
	struct lw_err e = {0};

	assert_int_equal(lw_detect_series_parse(s, strlen(s), &x, &n, &e), 0);
	assert_int_equal(n, 4);
	assert_true(x[0] == 3 && x[1] == 4 && isnan(x[2]) && x[3] == 5);
	free(x);
}

static void series_reader_names_the_bad_line(void **state)
{
	const char *s = "1\n2\n# c\nthree\n";
	double *x = NULL;
	size_t n;
	struct lw_err e = {0};

	assert_int_equal(lw_detect_series_parse(s, strlen(s), &x, &n, &e), LW_EFORMAT);
	assert_null(x);
	assert_non_null(strstr(e.msg, "line 4"));
	s = "1\n-2\n";
	assert_int_equal(lw_detect_series_parse(s, strlen(s), &x, &n, &e), LW_EFORMAT);
	assert_non_null(strstr(e.msg, "line 2"));
}

static void flag_parser_takes_r_defaults_and_refuses_foreign_flags(void **state)
{
	char *a1[] = {"detect", "--alpha", "0.01", "--method", "ears-c3"};
	char *a2[] = {"detect", "--method", "cusum", "--b", "3"};
	char *a3[] = {"detect", "--method", "farrington", "--freq", "52", "--limit54", "3,2"};
	struct lw_detect_cli c;
	struct lw_err e = {0};

	assert_int_equal(lw_detect_cli_parse(5, a1, &c, &e), 0);
	assert_int_equal(c.ears.baseline, 7);
	near(c.ears.alpha, 0.01, 0, "alpha");
	assert_int_equal(lw_detect_cli_parse(3, a1, &c, &e), LW_EINVAL); /* no --method */
	assert_int_equal(lw_detect_cli_parse(5, a2, &c, &e), LW_EINVAL);
	assert_int_equal(lw_detect_cli_parse(7, a3, &c, &e), 0);
	assert_int_equal(c.farr.freq, 52);
	assert_int_equal(c.farr.b, 5);
	assert_int_equal(c.farr.limit54_periods, 2);
}

static void ears_c3_refuses_a_single_period_range_as_r_does(void **state)
{
	double x[30];
	struct lw_ears_opts o;
	struct lw_detect_result r = {0};
	struct lw_err e = {0};

	for (int i = 0; i < 30; i++)
		x[i] = i % 5;
	lw_ears_opts_init(&o, LW_EARS_C3);
	assert_int_equal(lw_ears(x, 30, 20, 20, &o, &r, &e), LW_EINVAL);
	assert_int_equal(lw_ears(x, 30, 11, 29, &o, &r, &e), 0);
	lw_detect_result_free(&r);
	assert_int_equal(lw_ears(x, 30, 11, 30, &o, &r, &e), LW_EINVAL); /* past the end */
}

static void cusum_reset_restarts_the_sum_after_an_alarm(void **state)
{
	double x[] = {5, 5, 5, 5, 20, 20, 20, 20};
	struct lw_cusum_opts o;
	struct lw_detect_result plain = {0}, reset = {0};
	struct lw_err e = {0};

	lw_cusum_opts_init(&o);
	assert_int_equal(lw_cusum(x, 8, 4, 7, &o, &plain, &e), 0);
	o.reset = 1;
	assert_int_equal(lw_cusum(x, 8, 4, 7, &o, &reset, &e), 0);
	for (size_t i = 0; i < 4; i++) /* every point alarms either way */
		assert_int_equal(plain.alarm[i], 1);
	/* after a reset the bound is again the one of an empty sum */
	near(reset.upperbound[1], reset.upperbound[0], 0, "bound after reset");
	assert_true(plain.upperbound[1] < reset.upperbound[1]);
	lw_detect_result_free(&plain);
	lw_detect_result_free(&reset);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(distributions_agree_with_r_values),
		cmocka_unit_test(series_reader_accepts_counts_pairs_comments_and_na),
		cmocka_unit_test(series_reader_names_the_bad_line),
		cmocka_unit_test(flag_parser_takes_r_defaults_and_refuses_foreign_flags),
		cmocka_unit_test(ears_c3_refuses_a_single_period_range_as_r_does),
		cmocka_unit_test(cusum_reset_restarts_the_sum_after_an_alarm),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
