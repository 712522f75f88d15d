/* Unit tests for http_util.c: back-off with full jitter, Retry-After and
 * HTTP-dates, and URL redaction for logs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "net/http_util.h"

static void backoff_stays_within_the_exponential_ceiling_and_the_cap(void **state)
{
	uint64_t rng = 42;

	for (unsigned a = 0; a < 70; a++) {
		uint64_t ceil = a < 20 ? 100ull << a : 60000;
		if (ceil > 60000)
			ceil = 60000;
		for (int i = 0; i < 200; i++) {
			uint64_t d = lw_backoff_next(a, 100, 60000, &rng);
			if (d > ceil) {
				print_error("attempt %u: expected <= %llu, got %llu\n", a,
					    (unsigned long long)ceil, (unsigned long long)d);
				fail();
			}
		}
	}
}

static void backoff_is_jittered_over_the_whole_range(void **state)
{
	uint64_t rng = 0, lo = UINT64_MAX, hi = 0, sum = 0;
	const int n = 10000;

	for (int i = 0; i < n; i++) {
		uint64_t d = lw_backoff_next(3, 100, 60000, &rng); /* ceiling 800 */
		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
		sum += d;
	}
	assert_true(lo < 40);
	assert_true(hi > 760);
	assert_in_range(sum / n, 350, 450); /* mean of U[0,800] is 400 */
}

static void backoff_is_deterministic_for_a_seed_and_survives_huge_attempts(void **state)
{
	uint64_t a = 7, b = 7;

	for (int i = 0; i < 10; i++)
		assert_int_equal(lw_backoff_next((unsigned)i, 250, 30000, &a),
				 lw_backoff_next((unsigned)i, 250, 30000, &b));
	assert_true(lw_backoff_next(4000000000u, 1000, 5000, &a) <= 5000);
	assert_int_equal(lw_backoff_next(3, 0, 5000, &a), 0);
	assert_true(lw_backoff_next(200, UINT64_MAX / 2, UINT64_MAX, &a) <= UINT64_MAX);
}

static void retry_after_longer_than_backoff_wins_but_is_capped(void **state)
{
	assert_int_equal(lw_backoff_honour(500, 7, 0), 7000);
	assert_int_equal(lw_backoff_honour(9000, 7, 0), 9000);
	assert_int_equal(lw_backoff_honour(500, -1, 0), 500);
	assert_int_equal(lw_backoff_honour(500, 86400, 3600000), 3600000);
	assert_int_equal(lw_backoff_honour(500, INT64_MAX, 0), UINT64_MAX);
}

static void http_dates_in_all_three_forms(void **state)
{
	int64_t t;
	/* RFC 9110 §5.6.7's example: 784111777 */
	assert_int_equal(lw_http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT", &t), 0);
	assert_int_equal(t, 784111777);
	assert_int_equal(lw_http_date_parse("Sunday, 06-Nov-94 08:49:37 GMT", &t), 0);
	assert_int_equal(t, 784111777);
	assert_int_equal(lw_http_date_parse("Sun Nov  6 08:49:37 1994", &t), 0);
	assert_int_equal(t, 784111777);
	assert_int_equal(lw_http_date_parse("Thu, 29 Feb 2024 00:00:00 GMT", &t), 0);
	assert_int_equal(t, 1709164800);
}

static void malformed_http_dates_are_refused(void **state)
{
	static const char *bad[] = {
		"", "Sun, 06 Nov 1994 08:49:37", "Sun, 6 Nov 1994 08:49:37 GMT",
		"Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 31 Apr 2024 00:00:00 GMT",
		"Thu, 29 Feb 2023 00:00:00 GMT", "Sun, 06 Nov 1994 24:00:00 GMT",
		"Sun, 06 Nov 1994 08:49:37 GMT junk", "Sun Nov 6 08:49:37 1994", "12",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t t;
		if (lw_http_date_parse(bad[i], &t) == 0) {
			print_error("accepted \"%s\" as %lld\n", bad[i], (long long)t);
			fail();
		}
	}
}

static void retry_after_seconds_or_date(void **state)
{
	const int64_t now = 784111777;
	assert_int_equal(lw_retry_after_parse("120", now), 120);
	assert_int_equal(lw_retry_after_parse(" 0 ", now), 0);
	assert_int_equal(lw_retry_after_parse("Sun, 06 Nov 1994 08:50:37 GMT", now), 60);
	assert_int_equal(lw_retry_after_parse("Sun, 06 Nov 1994 08:40:00 GMT", now), 0);
	assert_int_equal(lw_retry_after_parse("99999999999999999999999", now), 10ll * 366 * 86400);
	assert_int_equal(lw_retry_after_parse("-5", now), -1);
	assert_int_equal(lw_retry_after_parse("1.5", now), -1);
	assert_int_equal(lw_retry_after_parse("soon", now), -1);
	assert_int_equal(lw_retry_after_parse("", now), -1);
	assert_int_equal(lw_retry_after_parse(NULL, now), -1);
}

static void check_redact(const char *in, const char *const *params, const char *want)
{
	char *got = lw_url_redact(in, params);
	assert_non_null(got);
	if (strcmp(got, want)) {
		print_error("redact(%s): expected %s, got %s\n", in, want, got);
		free(got);
		fail();
	}
	free(got);
}

static void redaction_strips_userinfo_secret_params_and_fragment(void **state)
{
	static const char *const mine[] = {"ticket", NULL};

	check_redact("https://user:pa%40ss@court.example/api/cases?page=2&token=abc&size=10",
		     NULL, "https://court.example/api/cases?page=2&token=REDACTED&size=10");
	check_redact("https://a@b@h.example/x?Access_Token=zzz#frag", NULL,
		     "https://h.example/x?Access_Token=REDACTED");
	check_redact("http://h/x?ticket=1&token=2", mine, "http://h/x?ticket=REDACTED&token=2");
	check_redact("http://h/p@th?q=1", NULL, "http://h/p@th?q=1");
	check_redact("smtp://u:p@mail.example:587", NULL, "smtp://mail.example:587");
	check_redact("http://h/?key=&key=x&&=y&key", NULL, "http://h/?key=REDACTED&key=REDACTED&&=y&key");
	check_redact("no scheme?sig=1", NULL, "no scheme?sig=REDACTED");
	check_redact("", NULL, "");
	char *none = lw_url_redact(NULL, NULL);
	assert_string_equal(none, "(none)");
	free(none);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(backoff_stays_within_the_exponential_ceiling_and_the_cap),
		cmocka_unit_test(backoff_is_jittered_over_the_whole_range),
		cmocka_unit_test(backoff_is_deterministic_for_a_seed_and_survives_huge_attempts),
		cmocka_unit_test(retry_after_longer_than_backoff_wins_but_is_capped),
		cmocka_unit_test(http_dates_in_all_three_forms),
		cmocka_unit_test(malformed_http_dates_are_refused),
		cmocka_unit_test(retry_after_seconds_or_date),
		cmocka_unit_test(redaction_strips_userinfo_secret_params_and_fragment),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
