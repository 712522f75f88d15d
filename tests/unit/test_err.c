/* Unit tests for err.c: messages are formatted, prefixed and codes named. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/err.h"

static void err_set_formats_message_and_returns_code(void **state)
{
	struct lw_err e = {0};
	assert_int_equal(lw_err_set(&e, LW_EINVAL, "sources[%d].inbox: not a directory", 1), LW_EINVAL);
	assert_int_equal(e.code, LW_EINVAL);
	assert_string_equal(e.msg, "sources[1].inbox: not a directory");
}

static void err_prefix_prepends_context(void **state)
{
	struct lw_err e = {0};
	lw_err_set(&e, LW_EFORMAT, "row 3: bad date");
	assert_int_equal(lw_err_prefix(&e, "%s", "a.xlsx"), LW_EFORMAT);
	assert_string_equal(e.msg, "a.xlsx: row 3: bad date");
}

/* What the per-row paths rely on: a used error, cleared, reads as a fresh
 * one, and the next message replaces the whole of the old one. */
static void err_clear_reads_as_fresh(void **state)
{
	struct lw_err e;
	memset(&e, 'x', sizeof e);
	lw_err_clear(&e);
	assert_int_equal(e.code, 0);
	assert_string_equal(e.msg, "");
	lw_err_set(&e, LW_EFORMAT, "row 3: a long message about a bad date");
	lw_err_clear(&e);
	assert_int_equal(e.code, 0);
	assert_string_equal(e.msg, "");
	lw_err_set(&e, LW_EINVAL, "short");
	assert_string_equal(e.msg, "short");
}

static void strerror_names_every_code(void **state)
{
	for (int c = LW_OK; c >= LW_EEOF; c--)
		assert_string_not_equal(lw_strerror(c), "unknown error");
	assert_string_equal(lw_strerror(-999), "unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(err_set_formats_message_and_returns_code),
		cmocka_unit_test(err_prefix_prepends_context),
		cmocka_unit_test(err_clear_reads_as_fresh),
		cmocka_unit_test(strerror_names_every_code),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
