/* Unit tests for rates.c: the official rates in exact integer arithmetic,
 * half-up vs truncate, undefined rates, symmetric negative growth. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "domain/rates.h"

static void expect_rate(struct lw_rate r, const char *want, const char *what)
{
	char buf[32];
	lw_rate_format(r, buf, sizeof buf);
	if (strcmp(buf, want) != 0)
		fail_msg("%s: expected %s, got %s", what, want, buf);
}

static void qianjiang_2023_loss_rate_is_2_78_half_up_and_2_77_truncated(void **state)
{
	struct lw_counts c = {.filed = 51, .concluded = 36, .lost = 1};
	struct lw_rates r;
	assert_int_equal(lw_rates_compute(&c, LW_ROUND_HALF_UP, &r, NULL), 0);
	expect_rate(r.loss, "2.78", "1/36 half-up");
	assert_int_equal(r.loss.hundredths, 278);
	assert_int_equal(lw_rates_compute(&c, LW_ROUND_TRUNCATE, &r, NULL), 0);
	expect_rate(r.loss, "2.77", "1/36 truncate");
	expect_rate(lw_loss_rate(1, 36, LW_ROUND_HALF_UP), "2.78", "lw_loss_rate");
}

static void exact_halves_round_up_without_float_error(void **state)
{
	/* 1/8 = 12.5 % exactly; 1/16 = 6.25 %; 1/400 = 0.25 %; 1/80000 = 0.00125 % → 0.00 */
	expect_rate(lw_rate_percent(1, 8, LW_ROUND_HALF_UP), "12.50", "1/8");
	expect_rate(lw_rate_percent(1, 16, LW_ROUND_HALF_UP), "6.25", "1/16");
	expect_rate(lw_rate_percent(1, 20000, LW_ROUND_HALF_UP), "0.01", "1/20000 = 0.005 % half-up");
	expect_rate(lw_rate_percent(1, 20000, LW_ROUND_TRUNCATE), "0.00", "1/20000 truncate");
	/* 0.285 is not exact in binary floating point: 57/20000 = 0.285 % */
	expect_rate(lw_rate_percent(57, 20000, LW_ROUND_HALF_UP), "0.29", "57/20000");
	expect_rate(lw_rate_percent(2, 3, LW_ROUND_HALF_UP), "66.67", "2/3");
	expect_rate(lw_rate_percent(2, 3, LW_ROUND_TRUNCATE), "66.66", "2/3 truncate");
	expect_rate(lw_rate_percent(36, 36, LW_ROUND_HALF_UP), "100.00", "36/36");
	expect_rate(lw_rate_percent(0, 36, LW_ROUND_HALF_UP), "0.00", "0/36");
}

static void division_by_zero_is_undefined_not_zero(void **state)
{
	struct lw_counts c = {.filed = 3};
	struct lw_rates r;
	assert_int_equal(lw_rates_compute(&c, LW_ROUND_HALF_UP, &r, NULL), 0);
	assert_false(r.loss.defined);
	assert_false(r.withdrawn_mediated.defined);
	assert_false(r.head_appearance.defined);
	assert_false(r.yoy_filed_growth.defined);
	expect_rate(r.loss, "n/a", "0 concluded");
}

static void negative_growth_rounds_symmetrically(void **state)
{
	/* 37 → 36 filed: -2.7027 %; 40 → 39: -2.5 %; 400 → 389: -2.75 % */
	expect_rate(lw_rate_percent(36 - 37, 37, LW_ROUND_HALF_UP), "-2.70", "37→36");
	expect_rate(lw_rate_percent(-111, 4000, LW_ROUND_HALF_UP), "-2.78", "-2.775 half-up");
	expect_rate(lw_rate_percent(111, 4000, LW_ROUND_HALF_UP), "2.78", "+2.775 half-up");
	expect_rate(lw_rate_percent(-111, 4000, LW_ROUND_TRUNCATE), "-2.77", "-2.775 truncate");
	struct lw_counts c = {.filed = 51, .filed_prev_year = 60};
	struct lw_rates r;
	assert_int_equal(lw_rates_compute(&c, LW_ROUND_HALF_UP, &r, NULL), 0);
	expect_rate(r.yoy_filed_growth, "-15.00", "60→51");
}

static void all_four_rates_of_one_group(void **state)
{
	struct lw_counts c = {.filed = 51, .concluded = 36, .lost = 1, .withdrawn = 10, .mediated = 2,
			      .hearings = 20, .head_attended = 17, .filed_prev_year = 45};
	struct lw_rates r;
	assert_int_equal(lw_rates_compute(&c, LW_ROUND_HALF_UP, &r, NULL), 0);
	expect_rate(r.withdrawn_mediated, "33.33", "12/36");
	expect_rate(r.head_appearance, "85.00", "17/20");
	expect_rate(r.yoy_filed_growth, "13.33", "45→51");
}

static void inconsistent_counts_are_refused_with_names(void **state)
{
	struct lw_rates r;
	struct lw_err e = {0};
	assert_int_equal(lw_rates_compute(&(struct lw_counts){.concluded = 1, .lost = 2}, 0, &r, &e), LW_EINVAL);
	assert_non_null(strstr(e.msg, "lost (2) is more than concluded (1)"));
	assert_int_equal(lw_rates_compute(&(struct lw_counts){.hearings = 1, .head_attended = 2}, 0, &r, &e),
			 LW_EINVAL);
	assert_int_equal(lw_rates_compute(&(struct lw_counts){.filed = -1}, 0, &r, &e), LW_EINVAL);
	assert_non_null(strstr(e.msg, "filed"));
}

static void rounding_names_parse(void **state)
{
	enum lw_rounding m;
	struct lw_err e = {0};
	assert_int_equal(lw_rounding_parse("truncate", &m, NULL), 0);
	assert_int_equal(m, LW_ROUND_TRUNCATE);
	assert_int_equal(lw_rounding_parse("half-up", &m, NULL), 0);
	assert_int_equal(m, LW_ROUND_HALF_UP);
	assert_int_equal(lw_rounding_parse("banker", &m, &e), LW_EINVAL);
	assert_non_null(strstr(e.msg, "half-up or truncate"));
	assert_string_equal(lw_rounding_name(LW_ROUND_TRUNCATE), "truncate");
}

static void largest_counts_do_not_overflow(void **state)
{
	expect_rate(lw_rate_percent(LW_RATE_COUNT_MAX, LW_RATE_COUNT_MAX, LW_ROUND_HALF_UP), "100.00", "max/max");
	expect_rate(lw_rate_percent(-LW_RATE_COUNT_MAX, 1, LW_ROUND_HALF_UP), "-10000000000000000.00", "-max/1 (x100 %)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(qianjiang_2023_loss_rate_is_2_78_half_up_and_2_77_truncated),
		cmocka_unit_test(exact_halves_round_up_without_float_error),
		cmocka_unit_test(division_by_zero_is_undefined_not_zero),
		cmocka_unit_test(negative_growth_rounds_symmetrically),
		cmocka_unit_test(all_four_rates_of_one_group),
		cmocka_unit_test(inconsistent_counts_are_refused_with_names),
		cmocka_unit_test(rounding_names_parse),
		cmocka_unit_test(largest_counts_do_not_overflow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
