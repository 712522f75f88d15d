/* Unit tests for units.c: configuration durations and sizes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/units.h"

static void durations_in_every_unit_and_combined(void **state)
{
	static const struct { const char *t; int64_t ms; } ok[] = {
		{"500ms", 500}, {"15s", 15000}, {"15m", 900000}, {"1h", 3600000},
		{"2d", 172800000}, {"1h30m", 5400000}, {"0ms", 0}, {"1m30s", 90000},
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		int64_t ms = -1;
		assert_int_equal(lw_parse_duration(ok[i].t, &ms), 0);
		assert_int_equal(ms, ok[i].ms);
	}
}

static void durations_without_unit_or_malformed_are_refused(void **state)
{
	static const char *bad[] = {"", "15", "m", "-5m", "5 m", "5min", "1.5h", "5m ",
				    "99999999999999999999ms", "9223372036854775807d"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t ms;
		if (lw_parse_duration(bad[i], &ms) == 0) {
			print_error("accepted \"%s\" as %lld ms\n", bad[i], (long long)ms);
			fail();
		}
	}
}

static void sizes_decimal_and_binary(void **state)
{
	int64_t b;
	assert_int_equal(lw_parse_size("64MiB", &b), 0);
	assert_int_equal(b, 64 * 1048576);
	assert_int_equal(lw_parse_size("10MB", &b), 0);
	assert_int_equal(b, 10000000);
	assert_int_equal(lw_parse_size("512", &b), 0);
	assert_int_equal(b, 512);
	assert_int_equal(lw_parse_size("1GiB", &b), 0);
	assert_int_equal(b, 1073741824);
	assert_int_not_equal(lw_parse_size("64mib", &b), 0);
	assert_int_not_equal(lw_parse_size("64 MiB", &b), 0);
	assert_int_not_equal(lw_parse_size("MiB", &b), 0);
	assert_int_not_equal(lw_parse_size("99999999999TiB", &b), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(durations_in_every_unit_and_combined),
		cmocka_unit_test(durations_without_unit_or_malformed_are_refused),
		cmocka_unit_test(sizes_decimal_and_binary),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
