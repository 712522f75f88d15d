/* Unit tests for vocab.c: 12345 category, status and satisfaction
 * vocabularies and the law-enforcement keyword flag. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "domain/vocab.h"

static void category_variants_map_to_the_seven_categories(void **state)
{
	static const struct {
		const char *text;
		enum lw_ticket_category want;
	} t[] = {
		{"咨询", LW_CAT_CONSULT},        {"咨询类", LW_CAT_CONSULT},     {"政策咨询", LW_CAT_CONSULT},
		{"查询", LW_CAT_CONSULT},        {"求助", LW_CAT_HELP},          {"求助类", LW_CAT_HELP},
		{"投诉", LW_CAT_COMPLAINT},      {"投诉件", LW_CAT_COMPLAINT},   {"投诉举报", LW_CAT_COMPLAINT},
		{"反映问题", LW_CAT_COMPLAINT},  {"建议", LW_CAT_SUGGESTION},    {"意见建议", LW_CAT_SUGGESTION},
		{"举报", LW_CAT_REPORT},         {"检举揭发", LW_CAT_REPORT},    {"感谢", LW_CAT_THANKS},
		{"表扬", LW_CAT_THANKS},         {"感谢表扬", LW_CAT_THANKS},    {"其它", LW_CAT_OTHER},
		{"其他", LW_CAT_OTHER},          {" 投 诉 ", LW_CAT_COMPLAINT},  {"", LW_CAT_UNKNOWN},
		{"xyz", LW_CAT_UNKNOWN},         {NULL, LW_CAT_UNKNOWN},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		enum lw_ticket_category got = lw_ticket_category_parse(t[i].text);
		if (got != t[i].want)
			fail_msg("\"%s\": expected %s, got %s", t[i].text ? t[i].text : "(null)",
				 lw_ticket_category_name(t[i].want), lw_ticket_category_name(got));
	}
	assert_string_equal(lw_ticket_category_zh(LW_CAT_OTHER), "其它");
	assert_string_equal(lw_ticket_category_zh(LW_CAT_COMPLAINT), "投诉");
}

static void status_words_map_to_open_and_closed(void **state)
{
	static const struct {
		const char *text;
		enum lw_ticket_status want;
		int closed;
	} t[] = {
		{"已受理", LW_STATUS_RECEIVED, 0},     {"待受理", LW_STATUS_RECEIVED, 0},
		{"转办", LW_STATUS_ASSIGNED, 0},       {"已转办", LW_STATUS_ASSIGNED, 0},
		{"已派单", LW_STATUS_ASSIGNED, 0},     {"待签收", LW_STATUS_ASSIGNED, 0},
		{"已签收", LW_STATUS_IN_PROGRESS, 0},  {"办理中", LW_STATUS_IN_PROGRESS, 0},
		{"处理中", LW_STATUS_IN_PROGRESS, 0},  {"延期办理", LW_STATUS_IN_PROGRESS, 0},
		{"未办结", LW_STATUS_IN_PROGRESS, 0},  {"退回", LW_STATUS_RETURNED, 0},
		{"已退单", LW_STATUS_RETURNED, 0},     {"已答复", LW_STATUS_REPLIED, 1},
		{"待回访", LW_STATUS_REPLIED, 1},      {"已办结", LW_STATUS_CLOSED, 1},
		{"办结", LW_STATUS_CLOSED, 1},         {"已归档", LW_STATUS_CLOSED, 1},
		{"已回访", LW_STATUS_VISITED, 1},      {"已办结已回访", LW_STATUS_VISITED, 1},
		{"作废", LW_STATUS_CANCELLED, 1},      {"重复件", LW_STATUS_CANCELLED, 1},
		{"???", LW_STATUS_UNKNOWN, 0},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		enum lw_ticket_status got = lw_ticket_status_parse(t[i].text);
		if (got != t[i].want || lw_ticket_status_is_closed(got) != t[i].closed)
			fail_msg("\"%s\": expected %s closed=%d, got %s closed=%d", t[i].text,
				 lw_ticket_status_name(t[i].want), t[i].closed, lw_ticket_status_name(got),
				 lw_ticket_status_is_closed(got));
	}
}

static void satisfaction_words_and_scores(void **state)
{
	static const struct {
		const char *text;
		int scale;
		enum lw_satisfaction want;
	} t[] = {
		{"满意", 0, LW_SAT_SATISFIED},        {"非常满意", 0, LW_SAT_SATISFIED},
		{"基本满意", 0, LW_SAT_BASIC},        {"比较满意", 0, LW_SAT_BASIC},
		{"一般", 0, LW_SAT_BASIC},            {"不满意", 0, LW_SAT_DISSATISFIED},
		{"非常不满意", 0, LW_SAT_DISSATISFIED}, {"未评价", 0, LW_SAT_UNRATED},
		{"未回访", 0, LW_SAT_UNRATED},        {"", 0, LW_SAT_UNRATED},
		{"无", 0, LW_SAT_UNRATED},            {"5", 0, LW_SAT_SATISFIED},
		{"4", 0, LW_SAT_SATISFIED},           {"3", 0, LW_SAT_BASIC},
		{"2", 0, LW_SAT_DISSATISFIED},        {"4.5", 0, LW_SAT_SATISFIED},
		{"8", 0, LW_SAT_SATISFIED},           {"7", 10, LW_SAT_BASIC},
		{"85分", 0, LW_SAT_SATISFIED},        {"60分", 100, LW_SAT_BASIC},
		{"59", 100, LW_SAT_DISSATISFIED},     {"90%", 0, LW_SAT_SATISFIED},
		{"120", 100, LW_SAT_UNKNOWN},         {"好评", 0, LW_SAT_UNKNOWN},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		enum lw_satisfaction got = lw_satisfaction_parse(t[i].text, t[i].scale);
		if (got != t[i].want)
			fail_msg("\"%s\" (scale %d): expected %s, got %s", t[i].text, t[i].scale,
				 lw_satisfaction_name(t[i].want), lw_satisfaction_name(got));
	}
}

static void enforcement_flag_names_its_keyword(void **state)
{
	assert_string_equal(lw_enforcement_keyword("城管执法人员态度粗暴"), "执法");
	assert_string_equal(lw_enforcement_keyword("对交通罚款有异议"), "罚款");
	assert_string_equal(lw_enforcement_keyword("房屋被强拆"), "强拆");
	assert_string_equal(lw_enforcement_keyword("店铺被查封"), "查封");
	assert_non_null(lw_enforcement_keyword("征地拆迁补偿"));
	assert_null(lw_enforcement_keyword("咨询社保缴费"));
	assert_null(lw_enforcement_keyword(NULL));
	/* The list's first word wins, wherever it is in the text. */
	assert_string_equal(lw_enforcement_keyword("城管队员执法时"), "执法");
	assert_string_equal(lw_enforcement_keyword("违章建筑"), "违章建筑");
	/* Spaces and full-width forms are cleaned first. */
	assert_string_equal(lw_enforcement_keyword("执\u3000法 不公"), "执法");
	/* Same first ideograph, other word; a word cut off at the end. */
	assert_null(lw_enforcement_keyword("法院执行局"));
	assert_null(lw_enforcement_keyword("责令"));
	assert_null(lw_enforcement_keyword("我要执"));
	assert_null(lw_enforcement_keyword("\xe6\x89"));
}

/* The one-pass keyword matcher answers as a strstr per keyword would, on
 * texts where words overlap, repeat, sit at the end, are cut short, or
 * come in full-width or spaced forms. */
static void keyword_matcher_agrees_with_strstr_per_word(void **state)
{
	static const char *const texts[] = {
		"", "a", "未办结", "办结", "已办结未办结", "待回访回访", "回访待回访", "处理完毕已处理",
		"重复工单已办结", "不满意", "满意不满意", "不太满意", "基本满意", "一般满意", "拒评",
		"咨询投诉举报", "投诉举报", "举报投诉", "其他其它", "意见建议", "反映问题", "求援求助",
		"城管执法人员态度粗暴", "违章建筑被强拆", "违章建", "停业整", "责令停业整顿", "拖",
		"ＡＢＣ　执 法", "罚\xe6", "\xe6\xb3", "办理中（延期）", "新工单", "已签收待签收",
		"市民反映价格投诉问题，请尽快处理", "ab执法cd罚款ef", "征收征地拆迁拆除",
	};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
		if (lw_vocab_selfcheck(texts[i]) != 0)
			fail_msg("matcher and strstr disagree on \"%s\"", texts[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keyword_matcher_agrees_with_strstr_per_word),
		cmocka_unit_test(category_variants_map_to_the_seven_categories),
		cmocka_unit_test(status_words_map_to_open_and_closed),
		cmocka_unit_test(satisfaction_words_and_scores),
		cmocka_unit_test(enforcement_flag_names_its_keyword),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
