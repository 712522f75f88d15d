/* Unit tests for agency.c: normalising names, the alias table, splitting
 * co-defendants (共同被告) out of one cell. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "domain/agency.h"

static void normalize_trims_folds_and_unifies_brackets(void **state)
{
	static const char *const cases[][2] = {
		{"  市自然资源和规划局\u3000", "市自然资源和规划局"},
		{"市 自然资源 局", "市自然资源局"},
		{"某市自然资源和规划局（林业局）", "某市自然资源和规划局(林业局)"},
		{"某市公安局【交通警察支队】", "某市公安局(交通警察支队)"},
		{"某县ＸＸ镇人民政府", "某县XX镇人民政府"},
		{"\u00a0某区城市管理综合执法局\u200b", "某区城市管理综合执法局"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[LW_AGENCY_NAME_MAX + 1];
		struct lw_err e = {0};
		if (lw_agency_normalize(cases[i][0], out, sizeof out, &e) != 0)
			fail_msg("\"%s\": expected \"%s\", got error %s", cases[i][0], cases[i][1], e.msg);
		if (strcmp(out, cases[i][1]) != 0)
			fail_msg("\"%s\": expected \"%s\", got \"%s\"", cases[i][0], cases[i][1], out);
	}
}

static void normalize_refuses_empty_and_overlong(void **state)
{
	char out[LW_AGENCY_NAME_MAX + 1], big[1200];
	struct lw_err e = {0};
	assert_int_equal(lw_agency_normalize(" \u3000 ", out, sizeof out, &e), LW_EFORMAT);
	assert_non_null(strstr(e.msg, "empty"));
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(lw_agency_normalize(big, out, sizeof out, &e), LW_ELIMIT);
	assert_int_equal(lw_agency_normalize("\xff", out, sizeof out, &e), LW_EFORMAT);
}

static void configured_aliases_resolve_to_one_canonical_name(void **state)
{
	struct lw_agency_aliases *t = lw_agency_aliases_new();
	const char *canon = "市自然资源和规划局";

	assert_int_equal(lw_agency_aliases_add(t, "自然资源局", canon, LW_ALIAS_CONFIG, NULL), 0);
	assert_int_equal(lw_agency_aliases_add(t, "市自然资源局", canon, LW_ALIAS_CONFIG, NULL), 0);
	assert_string_equal(lw_agency_aliases_lookup(t, "自然资源局"), canon);
	assert_string_equal(lw_agency_aliases_lookup(t, " 市自然资源局 "), canon);
	assert_string_equal(lw_agency_aliases_lookup(t, "市自然资源和规划局"), canon);
	assert_string_equal(lw_agency_aliases_lookup(t, "市 自然资源和规划局"), canon);
	assert_null(lw_agency_aliases_lookup(t, "县自然资源局")); /* no fuzzy matching */
	assert_int_equal(lw_agency_aliases_count(t), 3);
	lw_agency_aliases_free(t);
}

static void a_canonical_name_added_alone_is_known(void **state)
{
	struct lw_agency_aliases *t = lw_agency_aliases_new();
	assert_int_equal(lw_agency_aliases_add(t, "某县公安局", "某县公安局", LW_ALIAS_LEARNED, NULL), 0);
	assert_string_equal(lw_agency_aliases_lookup(t, " 某县公安局"), "某县公安局");
	lw_agency_aliases_free(t);
}

static void alias_of_an_alias_goes_to_the_canonical_name(void **state)
{
	struct lw_agency_aliases *t = lw_agency_aliases_new();
	assert_int_equal(lw_agency_aliases_add(t, "规划局", "市自然资源和规划局", LW_ALIAS_CONFIG, NULL), 0);
	assert_int_equal(lw_agency_aliases_add(t, "市规划局", "规划局", LW_ALIAS_LEARNED, NULL), 0);
	assert_string_equal(lw_agency_aliases_lookup(t, "市规划局"), "市自然资源和规划局");
	/* Reverse mapping of the same pair: already one agency, no change. */
	assert_int_equal(lw_agency_aliases_add(t, "市自然资源和规划局", "规划局", LW_ALIAS_CONFIG, NULL), 0);
	assert_string_equal(lw_agency_aliases_lookup(t, "规划局"), "市自然资源和规划局");
	lw_agency_aliases_free(t);
}

static void config_beats_learned_and_conflicting_config_is_refused(void **state)
{
	struct lw_agency_aliases *t = lw_agency_aliases_new();
	struct lw_err e = {0};

	assert_int_equal(lw_agency_aliases_add(t, "城管局", "市城市管理局", LW_ALIAS_LEARNED, NULL), 0);
	assert_int_equal(lw_agency_aliases_add(t, "城管局", "市城市管理综合执法局", LW_ALIAS_CONFIG, NULL), 0);
	assert_string_equal(lw_agency_aliases_lookup(t, "城管局"), "市城市管理综合执法局");
	assert_int_equal(lw_agency_aliases_add(t, "城管局", "市城市管理局", LW_ALIAS_LEARNED, &e), LW_EEXIST);
	assert_int_equal(lw_agency_aliases_add(t, "城管局", "市公安局", LW_ALIAS_CONFIG, &e), LW_EEXIST);
	assert_non_null(strstr(e.msg, "already means"));
	assert_string_equal(lw_agency_aliases_lookup(t, "城管局"), "市城市管理综合执法局");
	lw_agency_aliases_free(t);
}

static int count_cb(const char *alias, const char *canonical, enum lw_alias_origin origin, void *ud)
{
	(void)alias;
	assert_non_null(canonical);
	if (origin == LW_ALIAS_LEARNED)
		(*(int *)ud)++;
	return 0;
}

static void many_aliases_grow_the_table_and_iterate(void **state)
{
	struct lw_agency_aliases *t = lw_agency_aliases_new();
	int learned = 0;
	for (int i = 0; i < 500; i++) {
		char a[64], c[64];
		snprintf(a, sizeof a, "机关%d简称", i);
		snprintf(c, sizeof c, "机关%d", i % 50);
		assert_int_equal(lw_agency_aliases_add(t, a, c, LW_ALIAS_LEARNED, NULL), 0);
	}
	assert_string_equal(lw_agency_aliases_lookup(t, "机关123简称"), "机关23");
	assert_int_equal(lw_agency_aliases_count(t), 550);
	assert_int_equal(lw_agency_aliases_each(t, count_cb, &learned), 0);
	assert_int_equal(learned, 550);
	lw_agency_aliases_free(t);
}

static void expect_split(const char *cell, size_t n, const char *const *want)
{
	char **names;
	size_t count;
	struct lw_err e = {0};
	if (lw_agency_split(cell, &names, &count, &e) != 0)
		fail_msg("\"%s\": expected %zu names, got error %s", cell, n, e.msg);
	if (count != n) {
		for (size_t i = 0; i < count; i++)
			print_error("  got [%zu] %s\n", i, names[i]);
		fail_msg("\"%s\": expected %zu names, got %zu", cell, n, count);
	}
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], want[i]) != 0)
			fail_msg("\"%s\"[%zu]: expected %s, got %s", cell, i, want[i], names[i]);
	lw_agency_names_free(names, count);
}

static void co_defendants_split_at_every_separator_but_not_inside_brackets(void **state)
{
	expect_split("市公安局、市城管局", 2, (const char *const[]){"市公安局", "市城管局"});
	expect_split("市公安局，市城管局,区政府", 3, (const char *const[]){"市公安局", "市城管局", "区政府"});
	expect_split("市公安局;市城管局；区政府", 3, (const char *const[]){"市公安局", "市城管局", "区政府"});
	expect_split("某区人民政府及某区住房和城乡建设局", 2,
		     (const char *const[]){"某区人民政府", "某区住房和城乡建设局"});
	expect_split("市公安局\n市城管局\r\n", 2, (const char *const[]){"市公安局", "市城管局"});
	expect_split("某市自然资源和规划局（含甲、乙分局）", 1,
		     (const char *const[]){"某市自然资源和规划局(含甲、乙分局)"});
	expect_split("某县公安局及其派出所", 1, (const char *const[]){"某县公安局及其派出所"});
	expect_split(" 市公安局 、、市公安局 ", 1, (const char *const[]){"市公安局"});
}

static void a_cell_without_names_is_refused(void **state)
{
	char **names = (char **)1;
	size_t count = 9;
	assert_int_equal(lw_agency_split(" 、，; ", &names, &count, NULL), LW_EFORMAT);
	assert_null(names);
	assert_int_equal(count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(normalize_trims_folds_and_unifies_brackets),
		cmocka_unit_test(normalize_refuses_empty_and_overlong),
		cmocka_unit_test(configured_aliases_resolve_to_one_canonical_name),
		cmocka_unit_test(a_canonical_name_added_alone_is_known),
		cmocka_unit_test(alias_of_an_alias_goes_to_the_canonical_name),
		cmocka_unit_test(config_beats_learned_and_conflicting_config_is_refused),
		cmocka_unit_test(many_aliases_grow_the_table_and_iterate),
		cmocka_unit_test(co_defendants_split_at_every_separator_but_not_inside_brackets),
		cmocka_unit_test(a_cell_without_names_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
