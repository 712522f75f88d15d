/* Unit tests for numfmt.c and rowbuf.c: how numbers, dates and column
 * letters are rendered. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "read/read_int.h"

static void numbers_print_as_plain_shortest_decimals(void **state)
{
	char b[400];
	lw_fmt_number(13812345678.0, b);
	assert_string_equal(b, "13812345678");
	lw_fmt_number(15.0, b);
	assert_string_equal(b, "15");
	lw_fmt_number(0.1 + 0.2, b);
	assert_string_equal(b, "0.30000000000000004");
	lw_fmt_number(1e-7, b);
	assert_string_equal(b, "0.0000001");
	lw_fmt_number(-1500.5, b);
	assert_string_equal(b, "-1500.5");
	lw_fmt_number(1.5e20, b);
	assert_string_equal(b, "150000000000000000000");
	lw_fmt_number(1e22, b);
	assert_string_equal(b, "10000000000000000000000");
	lw_fmt_number(123.456, b);
	assert_string_equal(b, "123.456");
}

static void serials_honour_1900_bug_and_1904_system(void **state)
{
	char b[32];
	lw_fmt_serial(45296, 0, LW_NUM_DATE, b);
	assert_string_equal(b, "2024-01-05");
	lw_fmt_serial(60, 0, LW_NUM_DATE, b);
	assert_string_equal(b, "1900-02-29");
	lw_fmt_serial(59, 0, LW_NUM_DATE, b);
	assert_string_equal(b, "1900-02-28");
	lw_fmt_serial(61, 0, LW_NUM_DATE, b);
	assert_string_equal(b, "1900-03-01");
	lw_fmt_serial(1, 0, LW_NUM_DATE, b);
	assert_string_equal(b, "1900-01-01");
	lw_fmt_serial(0, 1, LW_NUM_DATE, b);
	assert_string_equal(b, "1904-01-01");
	lw_fmt_serial(45296 - 1462, 1, LW_NUM_DATE, b);
	assert_string_equal(b, "2024-01-05");
	lw_fmt_serial(45296.604166667, 0, LW_NUM_DATETIME, b);
	assert_string_equal(b, "2024-01-05 14:30:00");
	lw_fmt_serial(0.5729166667, 0, LW_NUM_TIME, b);
	assert_string_equal(b, "13:45:00");
	assert_int_equal(lw_fmt_serial(-1, 0, LW_NUM_DATE, b), 0);
	assert_int_equal(lw_fmt_serial(1e9, 0, LW_NUM_DATE, b), 0);
}

static void date_formats_are_recognised_by_id_and_code(void **state)
{
	for (int id = 14; id <= 17; id++)
		assert_int_equal(lw_numfmt_kind(id, NULL), LW_NUM_DATE);
	assert_int_equal(lw_numfmt_kind(22, NULL), LW_NUM_DATETIME);
	for (int id = 18; id <= 21; id++)
		assert_int_equal(lw_numfmt_kind(id, NULL), LW_NUM_TIME);
	for (int id = 45; id <= 47; id++)
		assert_int_equal(lw_numfmt_kind(id, NULL), LW_NUM_TIME);
	assert_int_equal(lw_numfmt_kind(0, NULL), LW_NUM_PLAIN);
	assert_int_equal(lw_numfmt_kind(164, "yyyy\"年\"m\"月\"d\"日\""), LW_NUM_DATE);
	assert_int_equal(lw_numfmt_kind(164, "[$-804]yyyy\"年\"mm\"月\";@"), LW_NUM_DATE);
	assert_int_equal(lw_numfmt_kind(164, "yyyy-mm-dd hh:mm:ss"), LW_NUM_DATETIME);
	assert_int_equal(lw_numfmt_kind(164, "h:mm AM/PM"), LW_NUM_TIME);
	/* letters inside quotes, escapes and colour tags are not date parts */
	assert_int_equal(lw_numfmt_kind(164, "0.00\"days\""), LW_NUM_PLAIN);
	assert_int_equal(lw_numfmt_kind(164, "#,##0_);[Red](#,##0)"), LW_NUM_PLAIN);
	assert_int_equal(lw_numfmt_kind(164, "\\d0"), LW_NUM_PLAIN);
	assert_int_equal(lw_numfmt_kind(164, "General"), LW_NUM_PLAIN);
	assert_int_equal(lw_numfmt_kind(164, "0.00E+00"), LW_NUM_PLAIN);
}

static void column_letters_are_bijective_base_26(void **state)
{
	char b[8];
	assert_string_equal(lw_col_letter(0, b), "A");
	assert_string_equal(lw_col_letter(25, b), "Z");
	assert_string_equal(lw_col_letter(26, b), "AA");
	assert_string_equal(lw_col_letter(701, b), "ZZ");
	assert_string_equal(lw_col_letter(702, b), "AAA");
	assert_string_equal(lw_col_letter(16383, b), "XFD");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(numbers_print_as_plain_shortest_decimals),
		cmocka_unit_test(serials_honour_1900_bug_and_1904_system),
		cmocka_unit_test(date_formats_are_recognised_by_id_and_code),
		cmocka_unit_test(column_letters_are_bijective_base_26),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
