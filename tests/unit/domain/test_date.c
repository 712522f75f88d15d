/* Unit tests for date.c and workdays.c: every date spelling of §6, Excel
 * serials, impossible dates, period arithmetic and 调休 working days. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "domain/date.h"
#include "domain/workdays.h"

struct good {
	const char *in;
	unsigned flags;
	const char *iso;
};

static const struct good goods[] = {
	{"2024-05-06", 0, "2024-05-06"},
	{"2024/5/6", 0, "2024-05-06"},
	{"2024年5月6日", 0, "2024-05-06"},
	{"2024年05月06号", 0, "2024-05-06"},
	{"2024.5.6", 0, "2024-05-06"},
	{"20240506", 0, "2024-05-06"},
	{"二〇二四年五月六日", 0, "2024-05-06"},
	{"二O一二年三月五日", 0, "2012-03-05"}, /* a Latin O typed for 〇 */
	{"二o一O年十二月一日", 0, "2010-12-01"},
	{"二零二四年十二月三十一日", 0, "2024-12-31"},
	{"二〇二四年十月十日", 0, "2024-10-10"},
	{"二〇二四年十一月二十一日", 0, "2024-11-21"},
	{"二○二三年元月二十日", 0, "2023-01-20"},
	{"２０２４年５月６日", 0, "2024-05-06"},
	{"\u3000 2024-05-06 \u3000", 0, "2024-05-06"},
	{"2024-02-29", 0, "2024-02-29"},
	{"2000-02-29", 0, "2000-02-29"},
	{"2024-05-06 14:30", 0, "2024-05-06T14:30:00"},
	{"2024-05-06 14:30:05", 0, "2024-05-06T14:30:05"},
	{"2024-05-06T14:30:05.123", 0, "2024-05-06T14:30:05"},
	{"2024/5/6 9:05", 0, "2024-05-06T09:05:00"},
	{"2024年5月6日 14时30分", 0, "2024-05-06T14:30:00"},
	{"2024年5月6日14时30分5秒", 0, "2024-05-06T14:30:05"},
	{"2024年5月6日 14点30分", 0, "2024-05-06T14:30:00"},
	{"二〇二四年五月六日十四时三十分", 0, "2024-05-06T14:30:00"},
	{"2024-05-06 00:00:00", 0, "2024-05-06T00:00:00"},
	{"2024-05-06T14:30:00+08:00", 0, "2024-05-06T14:30:00"},
	{"2024-05-06T14:30:00+0800", 0, "2024-05-06T14:30:00"},
	{"2024-05-06T20:30:00Z", 0, "2024-05-07T04:30:00"},
	{"45418", 0, "2024-05-06"},
	{"45418.5", 0, "2024-05-06T12:00:00"},
	{"45418.604166666667", 0, "2024-05-06T14:30:00"},
	{"43956", LW_DATE_EXCEL_1904, "2024-05-06"},
};

static void every_date_spelling_gives_the_same_day(void **state)
{
	for (size_t i = 0; i < sizeof goods / sizeof goods[0]; i++) {
		struct lw_date d;
		struct lw_err e = {0};
		char iso[LW_DATE_ISO_MAX];
		int rc = lw_date_parse(goods[i].in, goods[i].flags, &d, &e);
		if (rc != 0)
			fail_msg("\"%s\": expected %s, got error %d: %s", goods[i].in, goods[i].iso, rc, e.msg);
		lw_date_format_iso(&d, iso);
		if (strcmp(iso, goods[i].iso) != 0)
			fail_msg("\"%s\": expected %s, got %s", goods[i].in, goods[i].iso, iso);
	}
}

struct bad {
	const char *in;
	unsigned flags;
	const char *msg;
};

static const struct bad bads[] = {
	{"2024-13-01", 0, "date \"2024-13-01\": month 13 out of range"},
	{"2023-02-29", 0, "day 29 out of range for 2023-02 (28 days)"},
	{"2024-04-31", 0, "day 31 out of range for 2024-04 (30 days)"},
	{"1900-02-29", 0, "day 29 out of range"},
	{"2024-00-10", 0, "month 0 out of range"},
	{"2024-05-00", 0, "day 0 out of range"},
	{"2024年5月", 0, "digits of day"},
	{"2024-5/6", 0, "day after the month"},
	{"05/06/2024", 0, "expected year-month-day"},
	{"2024-05-06 24:00", 0, "hour 24 out of range"},
	{"2024-05-06 12:60", 0, "minute 60 out of range"},
	{"2024-05-06 12:30:61", 0, "second 61 out of range"},
	{"2024-05-06 下午", 0, "unexpected character"},
	{"2024-05-06 abc", 0, "expected a time"},
	{"2024-05-06 12:30 xyz", 0, "unexpected text after the date"},
	{"二〇二四年十十月六日", 0, "Chinese numeral"},
	{"2024", 0, "fewer than 5 digits"},
	{"54866663333333333333", 0, "more than 7 digits"}, /* found by fuzz_date: overflowed a long */
	{"202405", 0, "after 2199"},
	{"45418", LW_DATE_NO_SERIAL, "bare number"},
	{"", 0, "empty"},
	{"1850-01-01", 0, "year 1850 out of range"},
	{"\xe6\x97", 0, "UTF-8"},
};

static void impossible_or_ambiguous_dates_are_refused_with_a_reason(void **state)
{
	for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
		struct lw_date d;
		struct lw_err e = {0};
		int rc = lw_date_parse(bads[i].in, bads[i].flags, &d, &e);
		if (rc != LW_EFORMAT || !strstr(e.msg, bads[i].msg))
			fail_msg("\"%s\": expected LW_EFORMAT with \"%s\", got %d \"%s\"", bads[i].in, bads[i].msg, rc,
				 e.msg);
	}
}

static void excel_1900_serials_skip_the_fake_leap_day(void **state)
{
	struct lw_date d;
	struct lw_err e = {0};
	char iso[LW_DATE_ISO_MAX];

	assert_int_equal(lw_date_from_excel(1, 0, 0, &d, NULL), 0);
	assert_string_equal(lw_date_format_iso(&d, iso), "1900-01-01");
	assert_int_equal(lw_date_from_excel(59, 0, 0, &d, NULL), 0);
	assert_string_equal(lw_date_format_iso(&d, iso), "1900-02-28");
	assert_int_equal(lw_date_from_excel(60, 0, 0, &d, &e), LW_EFORMAT);
	assert_non_null(strstr(e.msg, "1900-02-29"));
	assert_int_equal(lw_date_from_excel(61, 0, 0, &d, NULL), 0);
	assert_string_equal(lw_date_format_iso(&d, iso), "1900-03-01");
	assert_int_equal(lw_date_from_excel(0, 0, 0, &d, NULL), LW_EFORMAT);
	assert_int_equal(lw_date_from_excel(0, 0, 1, &d, NULL), 0);
	assert_string_equal(lw_date_format_iso(&d, iso), "1904-01-01");
	assert_int_equal(lw_date_from_excel(45418, 3600, 0, &d, NULL), 0);
	assert_string_equal(lw_date_format_iso(&d, iso), "2024-05-06T01:00:00");
}

static void serial_fraction_rounding_to_midnight_carries_to_next_day(void **state)
{
	struct lw_date d;
	char iso[LW_DATE_ISO_MAX];
	assert_int_equal(lw_date_parse("45418.999999999", 0, &d, NULL), 0);
	assert_string_equal(lw_date_format_iso(&d, iso), "2024-05-07");
}

static void day_numbers_weekdays_quarters_and_iso_weeks(void **state)
{
	struct lw_date d = {.y = 1970, .m = 1, .d = 1}, back;
	int iy, w;

	assert_int_equal(lw_date_to_days(&d), 0);
	assert_int_equal(lw_date_weekday(&d), 4); /* Thursday */
	d = (struct lw_date){.y = 2024, .m = 5, .d = 6};
	assert_int_equal(lw_date_weekday(&d), 1); /* Monday */
	assert_int_equal(lw_date_quarter(&d), 2);
	lw_date_from_days(lw_date_to_days(&d) + 365, &back);
	assert_int_equal(back.y, 2025);
	assert_int_equal(back.m, 5);
	assert_int_equal(back.d, 6);
	assert_int_equal(lw_date_month_index(&back) - lw_date_month_index(&d), 12);
	/* 2021-01-03 (Sunday) belongs to ISO week 53 of 2020. */
	d = (struct lw_date){.y = 2021, .m = 1, .d = 3};
	lw_date_iso_week(&d, &iy, &w);
	assert_int_equal(iy, 2020);
	assert_int_equal(w, 53);
	/* 2024-12-30 (Monday) is week 1 of 2025. */
	d = (struct lw_date){.y = 2024, .m = 12, .d = 30};
	lw_date_iso_week(&d, &iy, &w);
	assert_int_equal(iy, 2025);
	assert_int_equal(w, 1);
	d = (struct lw_date){.y = 2024, .m = 5, .d = 6};
	lw_date_iso_week(&d, &iy, &w);
	assert_int_equal(w, 19);
	/* Round trip over a long span. */
	for (long z = -30000; z < 120000; z += 7) {
		lw_date_from_days(z, &back);
		assert_true(lw_date_valid(back.y, back.m, back.d));
		assert_int_equal(lw_date_to_days(&back), z);
	}
}

static void dates_compare_with_time(void **state)
{
	struct lw_date a, b;
	assert_int_equal(lw_date_parse("2024-05-06", 0, &a, NULL), 0);
	assert_int_equal(lw_date_parse("2024-05-06 00:00:01", 0, &b, NULL), 0);
	assert_true(lw_date_cmp(&a, &b) < 0);
	assert_true(lw_date_cmp(&b, &a) > 0);
	assert_int_equal(lw_date_cmp(&a, &a), 0);
}

/* --- working days --- */

static int setup_cal(void **state)
{
	struct lw_holidays *cal = lw_holidays_new();
	struct lw_err e = {0};
	if (!cal || lw_holidays_load_dir(cal, LW_HOLIDAY_DIR, &e) != 0) {
		fprintf(stderr, "loading %s: %s\n", LW_HOLIDAY_DIR, e.msg);
		return -1;
	}
	*state = cal;
	return 0;
}

static int teardown_cal(void **state)
{
	lw_holidays_free(*state);
	return 0;
}

static void expect_add(struct lw_holidays *cal, const char *from, int n, const char *want)
{
	struct lw_date a, r;
	struct lw_err e = {0};
	char iso[LW_DATE_ISO_MAX];
	assert_int_equal(lw_date_parse(from, 0, &a, NULL), 0);
	if (lw_workdays_add(cal, &a, n, &r, &e) != 0)
		fail_msg("%s + %d working days: expected %s, got error %s", from, n, want, e.msg);
	if (strcmp(lw_date_format_iso(&r, iso), want) != 0)
		fail_msg("%s + %d working days: expected %s, got %s", from, n, want, iso);
}

static void workdays_honour_national_day_and_make_up_weekend_days(void **state)
{
	struct lw_holidays *cal = *state;
	/* 2024: 10-01..07 off; Sun 09-29 and Sat 10-12 are make-up working days (调休). */
	expect_add(cal, "2024-09-27", 1, "2024-09-29");
	expect_add(cal, "2024-09-27", 3, "2024-10-08");
	expect_add(cal, "2024-09-30", 1, "2024-10-08");
	expect_add(cal, "2024-10-11", 1, "2024-10-12");
	expect_add(cal, "2024-10-08", -1, "2024-09-30");
	expect_add(cal, "2024-05-06", 0, "2024-05-06");
	expect_add(cal, "2024-05-10", 1, "2024-05-11"); /* Sat 05-11 is a 调休 working day */
	expect_add(cal, "2023-06-02", 1, "2023-06-05"); /* plain weekend */
	expect_add(cal, "2024-12-31", 1, "2025-01-02"); /* 元旦 across the year */
}

static void workday_outside_the_calendar_is_an_error_not_a_guess(void **state)
{
	struct lw_holidays *cal = *state;
	struct lw_date a = {.y = 2027, .m = 12, .d = 30}, r;
	struct lw_err e = {0};
	assert_int_equal(lw_workdays_add(cal, &a, 5, &r, &e), LW_ENOENT);
	assert_non_null(strstr(e.msg, "2028"));
	assert_int_equal(lw_is_workday(cal, &(struct lw_date){.y = 2006, .m = 1, .d = 2}, NULL), LW_ENOENT);
}

static void hand_set_exception_days_count(void **state)
{
	struct lw_holidays *cal = lw_holidays_new();
	struct lw_date sat = {.y = 2030, .m = 1, .d = 5}, mon = {.y = 2030, .m = 1, .d = 7};
	assert_int_equal(lw_holidays_set(cal, &sat, 0), 0);
	assert_int_equal(lw_holidays_set(cal, &mon, 1), 0);
	assert_int_equal(lw_is_workday(cal, &sat, NULL), 1);
	assert_int_equal(lw_is_workday(cal, &mon, NULL), 0);
	lw_holidays_free(cal);
}

static void malformed_holiday_file_names_the_file_and_entry(void **state)
{
	struct lw_holidays *cal = lw_holidays_new();
	struct lw_err e = {0};
	char path[] = "/tmp/lw_holiday_XXXXXX";
	int fd = mkstemp(path);
	const char *bad = "{\"year\": 2030, \"days\": [{\"date\": \"2030-02-30\", \"isOffDay\": true}]}";
	assert_true(fd >= 0);
	assert_int_equal(write(fd, bad, strlen(bad)), (ssize_t)strlen(bad));
	close(fd);
	assert_int_equal(lw_holidays_load_file(cal, path, &e), LW_EFORMAT);
	assert_non_null(strstr(e.msg, "days[0]"));
	assert_non_null(strstr(e.msg, path));
	assert_false(lw_holidays_covers(cal, 2030));
	unlink(path);
	assert_int_equal(lw_holidays_load_dir(cal, "/nonexistent", &e), LW_ENOENT);
	lw_holidays_free(cal);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_date_spelling_gives_the_same_day),
		cmocka_unit_test(impossible_or_ambiguous_dates_are_refused_with_a_reason),
		cmocka_unit_test(excel_1900_serials_skip_the_fake_leap_day),
		cmocka_unit_test(serial_fraction_rounding_to_midnight_carries_to_next_day),
		cmocka_unit_test(day_numbers_weekdays_quarters_and_iso_weeks),
		cmocka_unit_test(dates_compare_with_time),
		cmocka_unit_test_setup_teardown(workdays_honour_national_day_and_make_up_weekend_days, setup_cal,
						teardown_cal),
		cmocka_unit_test_setup_teardown(workday_outside_the_calendar_is_an_error_not_a_guess, setup_cal,
						teardown_cal),
		cmocka_unit_test(hand_set_exception_days_count),
		cmocka_unit_test(malformed_holiday_file_names_the_file_and_entry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
