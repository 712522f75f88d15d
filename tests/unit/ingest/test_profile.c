/*
 * Unit tests for profile.c and the header mapping of mapper.c: the shipped
 * profiles load, a bad profile is refused with a message naming the file
 * and key, and headers map (joined two-row headers, full-width, unknown and
 * missing columns).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ingest/profile.h"
#include "ingest/record.h"

#define PROFILE_DIR LW_SOURCE_DIR "/conf/profiles"

static void shipped_profiles_load(void **state)
{
	static const char *const names[] = {"court-cases", "agency-case-report", "hotline-12345"};
	for (size_t i = 0; i < 3; i++) {
		struct lw_profile *p = NULL;
		struct lw_err e = {0};
		if (lw_profile_load(PROFILE_DIR, names[i], &p, &e) != 0) {
			print_error("%s: %s\n", names[i], e.msg);
			fail();
		}
		assert_string_equal(p->name, names[i]);
		lw_profile_free(p);
	}
}

static void bad_profiles_are_refused_naming_the_key(void **state)
{
	static const struct { const char *json, *error; } cases[] = {
		{"{\"name\":\"x\",\"target\":\"cases\",\"fields\":{\"updated_at\":{\"aliases\":[\"a\"]}}}",
		 "p.json: fields.updated_at: not a field of the cases table"},
		{"{\"name\":\"x\",\"target\":\"cases\",\"fields\":{\"case_no\":{\"type\":\"casenr\","
		 "\"aliases\":[\"a\"]}}}", "p.json: fields.case_no.type: unknown type \"casenr\""},
		{"{\"name\":\"x\",\"target\":\"cases\",\"fields\":{\"case_no\":{\"aliases\":[]}}}",
		 "p.json: fields.case_no.aliases: at least one header name is needed"},
		{"{\"name\":\"x\",\"target\":\"cases\",\"fields\":{\"case_no\":{\"alias\":[\"a\"]}}}",
		 "p.json: fields.case_no.alias: unknown key"},
		{"{\"name\":\"x\",\"target\":\"suits\",\"fields\":{}}",
		 "p.json: target: expected \"cases\" or \"tickets\""},
		{"{\"name\":\"x\",\"target\":\"tickets\",\"fields\":{\"ticket_no\":{\"aliases\":[1]}}}",
		 "p.json: fields.ticket_no.aliases[0]: expected a string"},
		{"{\"target\":\"tickets\"}", "p.json: name: required string is missing"},
		{"[1]", "p.json: a profile must be a JSON object"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct lw_profile *p = (struct lw_profile *)1;
		struct lw_err e = {0};
		int rc = lw_profile_parse(cases[i].json, strlen(cases[i].json), "p.json", &p, &e);
		/* Before the fix, some errors returned 0 with *out NULL. */
		if (rc == 0 || p != NULL || strcmp(e.msg, cases[i].error)) {
			print_error("case %zu: rc %d, p %p\n expected: %s\n got: %s\n", i, rc, (void *)p,
				    cases[i].error, e.msg);
			fail();
		}
	}
}

static void headers_map_with_joined_fullwidth_unknown_and_ignored_columns(void **state)
{
	struct lw_profile *p = NULL;
	struct lw_mapping *m = NULL;
	struct lw_err e = {0};
	const char *hdr[] = {"序号", "案号", "审理情况/结案日期", "被　告", "ＮＯＴＥ", "", "备注"};

	assert_int_equal(lw_profile_load(PROFILE_DIR, "court-cases", &p, &e), 0);
	assert_int_equal(lw_mapping_build(p, hdr, 7, 0, &m, &e), 0);
	assert_int_equal(m->col[LW_F_CASE_NO], 1);
	assert_int_equal(m->col[LW_F_CONCLUDED_DATE], 2);
	assert_int_equal(m->col[LW_F_DEFENDANT], 3);
	assert_int_equal(m->col[LW_F_FILED_DATE], -1);
	assert_string_equal(m->unknown, "ＮＯＴＥ");
	lw_mapping_free(m);
	lw_profile_free(p);
}

static void missing_required_column_lists_found_and_accepted_names(void **state)
{
	struct lw_profile *p = NULL;
	struct lw_mapping *m = NULL;
	struct lw_err e = {0};
	const char *hdr[] = {"案号", "立案日期"};

	assert_int_equal(lw_profile_load(PROFILE_DIR, "agency-case-report", &p, &e), 0);
	assert_int_equal(lw_mapping_build(p, hdr, 2, 0, &m, &e), LW_EFORMAT);
	assert_null(m);
	assert_non_null(strstr(e.msg, "缺少必填列「被告」/ missing required column for defendant: "
				      "accepted names: 被告, 被告单位"));
	assert_non_null(strstr(e.msg, "headers found: 案号, 立案日期"));
	/* With the drop folder's agency, the defendant column may be absent. */
	assert_int_equal(lw_mapping_build(p, hdr, 2, 1, &m, &e), 0);
	lw_mapping_free(m);
	lw_profile_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shipped_profiles_load),
		cmocka_unit_test(bad_profiles_are_refused_naming_the_key),
		cmocka_unit_test(headers_map_with_joined_fullwidth_unknown_and_ignored_columns),
		cmocka_unit_test(missing_required_column_lists_found_and_accepted_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
