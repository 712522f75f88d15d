/* Unit tests for casenum.c: every spelling of a case number (案号) seen in
 * court feeds and agency spreadsheets normalises to one key. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "domain/casenum.h"

struct good {
	const char *in, *norm, *court, *special, *type;
	int year;
	long seq;
	enum lw_court_level level;
	int pre2016;
};

static const struct good goods[] = {
	{"(2023)鄂9004行初15号", "(2023)鄂9004行初15号", "鄂9004", "", "行初", 2023, 15, LW_COURT_BASIC, 0},
	{"（2023）鄂9004行初15号", "(2023)鄂9004行初15号", "鄂9004", "", "行初", 2023, 15, LW_COURT_BASIC, 0},
	{"〔2023〕鄂9004行初15号", "(2023)鄂9004行初15号", "鄂9004", "", "行初", 2023, 15, LW_COURT_BASIC, 0},
	{"[2023]鄂9004行初15号", "(2023)鄂9004行初15号", "鄂9004", "", "行初", 2023, 15, LW_COURT_BASIC, 0},
	{"【2023】鄂9004行初15号", "(2023)鄂9004行初15号", "鄂9004", "", "行初", 2023, 15, LW_COURT_BASIC, 0},
	{"［２０２３］鄂９００４行初１５号", "(2023)鄂9004行初15号", "鄂9004", "", "行初", 2023, 15, LW_COURT_BASIC, 0},
	{" ( 2023 ) 鄂 9004 行初 0015 号 ", "(2023)鄂9004行初15号", "鄂9004", "", "行初", 2023, 15, LW_COURT_BASIC, 0},
	{"\u3000（２０２３）鄂９００４行初第１５号\u3000", "(2023)鄂9004行初15号", "鄂9004", "", "行初", 2023, 15,
	 LW_COURT_BASIC, 0},
	{"(2023)鄂9004行初15", "(2023)鄂9004行初15号", "鄂9004", "", "行初", 2023, 15, LW_COURT_BASIC, 0},
	{"(2023)鄂9004行初字第15号", "(2023)鄂9004行初15号", "鄂9004", "", "行初", 2023, 15, LW_COURT_BASIC, 0},
	{"（2019）最高法行申3190号", "(2019)最高法行申3190号", "最高法", "", "行申", 2019, 3190, LW_COURT_SUPREME, 0},
	{"(2020)最高法知行终1号", "(2020)最高法知行终1号", "最高法", "知", "行终", 2020, 1, LW_COURT_SUPREME, 0},
	{"(2021)京73行初12345号", "(2021)京73行初12345号", "京73", "", "行初", 2021, 12345, LW_COURT_INTERMEDIATE, 0},
	{"(2022)京01行终888号", "(2022)京01行终888号", "京01", "", "行终", 2022, 888, LW_COURT_INTERMEDIATE, 0},
	{"(2022)鄂行再5号", "(2022)鄂行再5号", "鄂", "", "行再", 2022, 5, LW_COURT_HIGH, 0},
	{"(2022)鄂行申00123号", "(2022)鄂行申123号", "鄂", "", "行申", 2022, 123, LW_COURT_HIGH, 0},
	{"(2023)苏01行审复3号", "(2023)苏01行审复3号", "苏01", "", "行审复", 2023, 3, LW_COURT_INTERMEDIATE, 0},
	{"(2023)苏0102行审21号", "(2023)苏0102行审21号", "苏0102", "", "行审", 2023, 21, LW_COURT_BASIC, 0},
	{"(2023)豫01行辖终4号", "(2023)豫01行辖终4号", "豫01", "", "行辖终", 2023, 4, LW_COURT_INTERMEDIATE, 0},
	{"(2023)豫0105行辖2号", "(2023)豫0105行辖2号", "豫0105", "", "行辖", 2023, 2, LW_COURT_BASIC, 0},
	{"(2024)浙0106行赔初7号", "(2024)浙0106行赔初7号", "浙0106", "", "行赔初", 2024, 7, LW_COURT_BASIC, 0},
	{"(2024)浙01行赔终17号", "(2024)浙01行赔终17号", "浙01", "", "行赔终", 2024, 17, LW_COURT_INTERMEDIATE, 0},
	{"(2024)浙行赔申2号", "(2024)浙行赔申2号", "浙", "", "行赔申", 2024, 2, LW_COURT_HIGH, 0},
	{"(2018)最高法行抗1号", "(2018)最高法行抗1号", "最高法", "", "行抗", 2018, 1, LW_COURT_SUPREME, 0},
	{"(2017)最高法行监12号", "(2017)最高法行监12号", "最高法", "", "行监", 2017, 12, LW_COURT_SUPREME, 0},
	{"(2023)内0102行初9号", "(2023)内0102行初9号", "内0102", "", "行初", 2023, 9, LW_COURT_BASIC, 0},
	{"(2023)兵01行初3号", "(2023)兵01行初3号", "兵01", "", "行初", 2023, 3, LW_COURT_INTERMEDIATE, 0},
	{"(2015)海行初字第5号", "(2015)海行初字第5号", "海", "", "行初", 2015, 5, LW_COURT_UNKNOWN, 1},
	{"（2015）海行初字第00005号", "(2015)海行初字第5号", "海", "", "行初", 2015, 5, LW_COURT_UNKNOWN, 1},
	{"(2014)一中行终字第1234号", "(2014)一中行终字第1234号", "一中", "", "行终", 2014, 1234, LW_COURT_UNKNOWN,
	 1},
	{"(2013)沪二中行终字第50号", "(2013)沪二中行终字第50号", "沪二中", "", "行终", 2013, 50, LW_COURT_UNKNOWN, 1},
	{"(2012)行提字第1号", "(2012)行提字第1号", "", "", "行提", 2012, 1, LW_COURT_UNKNOWN, 1},
	{"(2015)浙杭行赔初字第3号", "(2015)浙杭行赔初字第3号", "浙杭", "", "行赔初", 2015, 3, LW_COURT_UNKNOWN, 1},
};

static void every_real_spelling_normalises_to_one_key(void **state)
{
	for (size_t i = 0; i < sizeof goods / sizeof goods[0]; i++) {
		const struct good *g = &goods[i];
		struct lw_casenum c;
		struct lw_err e = {0};
		int rc = lw_casenum_parse(g->in, &c, &e);
		if (rc != 0)
			fail_msg("\"%s\": expected success, got %d: %s", g->in, rc, e.msg);
		if (strcmp(c.norm, g->norm) || strcmp(c.court, g->court) || strcmp(c.special, g->special) ||
		    strcmp(c.type, g->type) || c.year != g->year || c.sequence != g->seq || c.level != g->level ||
		    c.pre2016 != g->pre2016)
			fail_msg("\"%s\": expected %s court=%s special=%s type=%s year=%d seq=%ld level=%s pre=%d\n"
				 "                got %s court=%s special=%s type=%s year=%d seq=%ld level=%s pre=%d",
				 g->in, g->norm, g->court, g->special, g->type, g->year, g->seq,
				 lw_court_level_name(g->level), g->pre2016, c.norm, c.court, c.special, c.type, c.year,
				 c.sequence, lw_court_level_name(c.level), c.pre2016);
	}
}

struct bad {
	const char *in;
	int code;
	const char *msg_part;
};

static const struct bad bads[] = {
	{"", LW_EFORMAT, "empty"},
	{"   ", LW_EFORMAT, "empty"},
	{"鄂9004行初15号", LW_EFORMAT, "4-digit year in brackets"},
	{"(23)鄂9004行初15号", LW_EFORMAT, "4-digit year"},
	{"(1800)鄂9004行初15号", LW_EFORMAT, "year 1800 out of range"},
	{"(2023)鄂9004行初号", LW_EFORMAT, "sequence number"},
	{"(2023)鄂9004行初0号", LW_EFORMAT, "sequence number 0"},
	{"(2023)鄂900行初15号", LW_EFORMAT, "court code"},
	{"(2023)鄂90041行初15号", LW_EFORMAT, "court code"},
	{"(2023)XX行初15号", LW_EFORMAT, "court code"},
	{"(2023)最高行初15号", LW_EFORMAT, "court code"},
	{"(2023)(鄂)行初15号", LW_EFORMAT, "bracket"},
	{"(2023)鄂9004执123号", LW_EINVAL, "enforcement"},
	{"(2023)鄂9004执恢12号", LW_EINVAL, "enforcement"},
	{"(2023)鄂9004民初15号", LW_EINVAL, "not an administrative"},
	{"(2023)鄂9004刑初15号", LW_EINVAL, "not an administrative"},
	{"(2015)海民初字第5号", LW_EFORMAT, "administrative type code"},
	{"(2015)hai行初字第5号", LW_EFORMAT, "Chinese text"},
	{"(2023)鄂9004行初1234567890号", LW_EFORMAT, "too many digits"},
	{"hello", LW_EFORMAT, "year in brackets"},
	{"\xff\xfe", LW_EFORMAT, "UTF-8"},
	{"(2023)鄂9004行初15号\x01", LW_EFORMAT, "control"},
};

static void garbage_is_refused_with_a_message_that_says_what_was_expected(void **state)
{
	for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
		struct lw_casenum c;
		struct lw_err e = {0};
		int rc = lw_casenum_parse(bads[i].in, &c, &e);
		if (rc != bads[i].code || !strstr(e.msg, bads[i].msg_part))
			fail_msg("\"%s\": expected %d with \"%s\", got %d \"%s\"", bads[i].in, bads[i].code,
				 bads[i].msg_part, rc, e.msg);
	}
}

static void enforcement_case_still_reports_its_type_for_the_log(void **state)
{
	struct lw_casenum c;
	assert_int_equal(lw_casenum_parse("(2023)鄂9004执123号", &c, NULL), LW_EINVAL);
	assert_string_equal(c.type, "执");
	assert_string_equal(c.court, "鄂9004");
}

static void longest_type_code_wins(void **state)
{
	struct lw_casenum c;
	assert_int_equal(lw_casenum_parse("(2023)苏01行审复3号", &c, NULL), 0);
	assert_string_equal(c.type, "行审复");
	assert_true(lw_casenum_type_is_administrative("行赔再"));
	assert_false(lw_casenum_type_is_administrative("执"));
}

static void a_further_ruling_of_the_same_case_keeps_the_case_key(void **state)
{
	struct lw_casenum c;
	assert_int_equal(lw_casenum_parse("（2019）最高法行申3190号之一", &c, NULL), 0);
	assert_string_equal(c.norm, "(2019)最高法行申3190号");
	assert_int_equal(c.part, 1);
	assert_int_equal(lw_casenum_parse("(2019)最高法行申3190号", &c, NULL), 0);
	assert_int_equal(c.part, 0);
}

static void real_world_forms_from_judgments_are_read(void **state)
{
	static const struct {
		const char *in, *norm, *type, *raw;
		int part;
	} c[] = {
		/* traditional script (scans, Hong Kong fonts) */
		{"(2023)蘇0105行終15號", "(2023)苏0105行终15号", "行终", "行终", 0},
		{"（2022）魯01行審復3號", "(2022)鲁01行审复3号", "行审复", "行审复", 0},
		/* codes written before 2016: today's code beside the original */
		{"（2014）海行非执字第5号", "(2014)海行非执字第5号", "行审", "行非执", 0},
		{"(2013)鲁01行初重3号", "(2013)鲁01行初重3号", "行初", "行初重", 0},
		{"(2012)海行立字第7号", "(2012)海行立字第7号", "行立", "行立", 0},
		{"(2015)浙杭行再初字第2号", "(2015)浙杭行再初字第2号", "行再", "行再初", 0},
		/* an unknown 行 code is kept, not refused */
		{"(2010)京一中行监督字第9号", "(2010)京一中行监督字第9号", "行监督", "行监督", 0},
		{"(2023)鄂9004行保15号", "(2023)鄂9004行保15号", "行保", "行保", 0},
		/* sub-numbers */
		{"(2024)鄂9004行初4-1号", "(2024)鄂9004行初4号", "行初", "行初", 1},
		{"(2024)鄂9004行初4之一号", "(2024)鄂9004行初4号", "行初", "行初", 1},
		{"(2024)鄂9004行初4之2号", "(2024)鄂9004行初4号", "行初", "行初", 2},
		{"(2024)鄂9004行初4号之三", "(2024)鄂9004行初4号", "行初", "行初", 3},
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		struct lw_casenum n;
		struct lw_err e = {0};
		if (lw_casenum_parse(c[i].in, &n, &e) != 0)
			fail_msg("%s: refused: %s", c[i].in, e.msg);
		if (strcmp(n.norm, c[i].norm) || strcmp(n.type, c[i].type) || strcmp(n.type_raw, c[i].raw) ||
		    n.part != c[i].part)
			fail_msg("%s: got %s type %s raw %s part %d", c[i].in, n.norm, n.type, n.type_raw,
				 n.part);
	}
	assert_string_equal(lw_casenum_kind_zh("民初"), "民事");
	assert_string_equal(lw_casenum_kind_zh("刑终"), "刑事");
	assert_string_equal(lw_casenum_kind_zh("执恢"), "执行");
	assert_null(lw_casenum_kind_zh("X"));
}

static void overlong_input_is_refused(void **state)
{
	char big[400];
	struct lw_err e = {0};
	memset(big, '1', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(lw_casenum_parse(big, &(struct lw_casenum){0}, &e), LW_EFORMAT);
	assert_non_null(strstr(e.msg, "too long"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_real_spelling_normalises_to_one_key),
		cmocka_unit_test(garbage_is_refused_with_a_message_that_says_what_was_expected),
		cmocka_unit_test(enforcement_case_still_reports_its_type_for_the_log),
		cmocka_unit_test(longest_type_code_wins),
		cmocka_unit_test(a_further_ruling_of_the_same_case_keeps_the_case_key),
		cmocka_unit_test(overlong_input_is_refused),
		cmocka_unit_test(real_world_forms_from_judgments_are_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
