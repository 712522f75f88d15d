/* Unit tests for outcome.c: ≥ 60 realistic 裁判结果 / 结案方式 phrases,
 * with the look-alikes that decide whether an agency lost (败诉). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "domain/outcome.h"

#define O(x) LW_OUTCOME_##x

static const struct {
	const char *text;
	enum lw_outcome want;
} table[] = {
	/* pending */
	{"", O(PENDING)},
	{"   ", O(PENDING)},
	{"审理中", O(PENDING)},
	{"一审审理中", O(PENDING)},
	{"尚未判决", O(PENDING)},
	{"已立案，待开庭", O(PENDING)},
	{"中止诉讼", O(PENDING)},
	{"裁定中止审理", O(PENDING)},
	/* won: claims rejected */
	{"驳回诉讼请求", O(REJECTED_CLAIMS)},
	{"判决驳回原告的诉讼请求", O(REJECTED_CLAIMS)},
	{"判决驳回原告张某的全部诉讼请求。", O(REJECTED_CLAIMS)},
	{"驳回原告要求撤销被告作出的行政处罚决定的诉讼请求", O(REJECTED_CLAIMS)},
	{"驳回原告赔偿请求", O(REJECTED_CLAIMS)},
	{"驳回原告要求被告赔偿经济损失的诉讼请求", O(REJECTED_CLAIMS)},
	{"判决驳回原告诉请", O(REJECTED_CLAIMS)},
	{"驳回上诉人李某的诉讼请求", O(REJECTED_CLAIMS)},
	{"撤销一审判决，驳回原告的诉讼请求", O(REJECTED_CLAIMS)},
	{"撤销（2023）鄂9004行初15号行政判决；驳回被上诉人的诉讼请求", O(REJECTED_CLAIMS)},
	{"维持被告作出的行政处罚决定", O(REJECTED_CLAIMS)},
	{"调解不成，判决驳回原告诉讼请求", O(REJECTED_CLAIMS)},
	{"不予撤销", O(REJECTED_CLAIMS)},
	/* revoked */
	{"撤销", O(REVOKED)},
	{"判决撤销被告作出的行政处罚决定", O(REVOKED)},
	{"撤销被诉行政行为并责令重作", O(REVOKED)},
	{"撤销被告作出的决定，责令被告于判决生效之日起六十日内重新作出行政行为", O(REVOKED)},
	{"部分撤销被诉处罚决定", O(REVOKED)},
	{"撤销被告作出的处罚决定；驳回原告的其他诉讼请求", O(REVOKED)},
	{"撤销一审判决，撤销被告作出的不予受理决定", O(REVOKED)},
	{"被告作出的行政许可决定予以撤销", O(REVOKED)},
	{"判令被告撤销其颁发的不动产权证书", O(REVOKED)},
	/* confirmed illegal / void */
	{"确认违法", O(CONFIRMED_ILLEGAL)},
	{"确认被告强制拆除原告房屋的行为违法", O(CONFIRMED_ILLEGAL)},
	{"确认被诉行政行为违法但不撤销", O(CONFIRMED_ILLEGAL)},
	{"确认违法，但不撤销该行政行为", O(CONFIRMED_ILLEGAL)},
	{"确认被告的行为违法，驳回原告其他诉讼请求", O(CONFIRMED_ILLEGAL)},
	{"确认被诉行政行为违法；判决被告赔偿原告损失5万元", O(CONFIRMED_ILLEGAL)},
	{"确认被告作出的征收决定无效", O(CONFIRMED_VOID)},
	{"确认无效", O(CONFIRMED_VOID)},
	/* ordered to perform */
	{"责令履行", O(ORDERED_PERFORM)},
	{"责令被告于本判决生效之日起三十日内履行法定职责", O(ORDERED_PERFORM)},
	{"判决被告在六十日内对原告的申请作出答复并履行职责", O(ORDERED_PERFORM)},
	{"限被告在十五日内重新作出处理", O(ORDERED_PERFORM)},
	{"被告不履行法定职责，判决责令被告履行", O(ORDERED_PERFORM)},
	/* modified */
	{"变更", O(MODIFIED)},
	{"变更被告作出的处罚决定中罚款数额为2000元", O(MODIFIED)},
	{"原告变更诉讼请求后，判决驳回原告诉讼请求", O(REJECTED_CLAIMS)},
	/* ordered to pay / compensation */
	{"判决被告给付原告抚恤金", O(ORDERED_PAY)},
	{"判令被告支付原告征收补偿款30万元", O(ORDERED_PAY)},
	{"判决被告赔偿原告经济损失10000元", O(COMPENSATION)},
	{"判令被告赔偿", O(COMPENSATION)},
	{"行政赔偿，被告赔偿原告2万元", O(COMPENSATION)},
	{"不予赔偿", O(REJECTED_CLAIMS)},
	/* dismissed */
	{"裁定驳回起诉", O(DISMISSED)},
	{"驳回原告的起诉", O(DISMISSED)},
	{"裁定驳回原告王某的起诉。", O(DISMISSED)},
	{"裁定驳回", O(DISMISSED)},
	{"裁定不予立案", O(DISMISSED)},
	{"撤销原判，驳回起诉", O(DISMISSED)},
	/* withdrawn */
	{"撤诉", O(WITHDRAWN)},
	{"准予撤诉", O(WITHDRAWN)},
	{"准许原告撤诉", O(WITHDRAWN)},
	{"准予原告撤回起诉", O(WITHDRAWN)},
	{"原告申请撤诉，本院予以准许", O(WITHDRAWN)},
	{"按撤诉处理", O(WITHDRAWN)},
	{"按原告自动撤诉处理", O(WITHDRAWN)},
	{"经协调和解，原告撤诉", O(WITHDRAWN)},
	{"原告撤回起诉", O(WITHDRAWN)},
	/* withdrawn after the agency changed its act */
	{"被告改变行政行为后原告撤诉", O(WITHDRAWN_CHANGED)},
	{"被告改变被诉行政行为，原告申请撤诉，裁定准许", O(WITHDRAWN_CHANGED)},
	{"被告撤销了被诉处罚决定，原告撤回起诉", O(WITHDRAWN_CHANGED)},
	{"被告自行纠正违法行为后，准予原告撤诉", O(WITHDRAWN_CHANGED)},
	{"被告已履行法定职责，原告撤诉", O(WITHDRAWN_CHANGED)},
	/* mediated */
	{"调解", O(MEDIATED)},
	{"调解结案", O(MEDIATED)},
	{"经调解，双方达成协议", O(MEDIATED)},
	{"出具行政调解书", O(MEDIATED)},
	{"以调解方式结案", O(MEDIATED)},
	/* transferred / terminated */
	{"移送", O(TRANSFERRED)},
	{"裁定移送有管辖权的人民法院审理", O(TRANSFERRED)},
	{"终结诉讼", O(TERMINATED)},
	{"裁定终结诉讼", O(TERMINATED)},
	/* second instance and retrial */
	{"驳回上诉，维持原判", O(UPHELD)},
	{"驳回上诉维持原判", O(UPHELD)},
	{"维持一审判决", O(UPHELD)},
	{"驳回上诉人的上诉，维持原裁定", O(UPHELD)},
	{"准许上诉人撤回上诉", O(UPHELD)},
	{"按上诉人撤回上诉处理", O(UPHELD)},
	{"驳回再审申请", O(UPHELD)},
	{"驳回张某的再审申请", O(UPHELD)},
	{"撤销原判，发回重审", O(REMANDED)},
	{"撤销一审裁定，指令某某区人民法院继续审理", O(REMANDED)},
	/* one-word summaries from agency reports */
	{"败诉", O(LOST_UNSPECIFIED)},
	{"被告败诉", O(LOST_UNSPECIFIED)},
	{"胜诉", O(WON_UNSPECIFIED)},
	{"原告败诉", O(WON_UNSPECIFIED)},
	{"原告胜诉", O(LOST_UNSPECIFIED)},
	/* full-width, spaces */
	{"驳回　原告的　诉讼请求", O(REJECTED_CLAIMS)},
	{"准予撤诉 ", O(WITHDRAWN)},
	/* non-litigation enforcement review (行审) and noise */
	{"裁定准予强制执行", O(OTHER)},
	{"裁定不准予执行", O(OTHER)},
	{"判决", O(UNKNOWN)},
	{"见判决书", O(UNKNOWN)},
	{"xyz", O(UNKNOWN)},
	{"驳回原告撤诉申请，判决撤销被告作出的处罚决定", O(REVOKED)},
	{"撤销被告作出的行政复议决定及原处罚决定", O(REVOKED)},
};

static void realistic_phrases_classify_as_the_bureau_counts_them(void **state)
{
	size_t n = sizeof table / sizeof table[0], bad = 0;

	assert_true(n >= 60);
	for (size_t i = 0; i < n; i++) {
		enum lw_outcome got = lw_outcome_classify(table[i].text);
		if (got != table[i].want) {
			print_error("\"%s\": expected %s, got %s\n", table[i].text, lw_outcome_name(table[i].want),
				    lw_outcome_name(got));
			bad++;
		}
	}
	if (bad)
		fail_msg("%zu of %zu phrases misclassified", bad, n);
}

static void withdrawn_after_change_is_a_loss_only_when_the_setting_says_so(void **state)
{
	enum lw_outcome o = lw_outcome_classify("被告改变被诉行政行为后，原告撤诉");
	assert_int_equal(o, LW_OUTCOME_WITHDRAWN_CHANGED);
	assert_false(lw_outcome_is_loss(o, 0));
	assert_true(lw_outcome_is_loss(o, LW_LOSS_COUNT_WITHDRAWN_CHANGED));
	assert_true(lw_outcome_is_withdrawn_or_mediated(o));
	assert_false(lw_outcome_is_loss(LW_OUTCOME_WITHDRAWN, LW_LOSS_COUNT_WITHDRAWN_CHANGED));
}

static void losses_are_exactly_the_six_verdicts_against_the_act(void **state)
{
	for (int o = 0; o < LW_OUTCOME__COUNT; o++) {
		int want = o == O(REVOKED) || o == O(CONFIRMED_ILLEGAL) || o == O(CONFIRMED_VOID) ||
			   o == O(ORDERED_PERFORM) || o == O(MODIFIED) || o == O(ORDERED_PAY) ||
			   o == O(COMPENSATION) || o == O(LOST_UNSPECIFIED);
		if (lw_outcome_is_loss((enum lw_outcome)o, 0) != want)
			fail_msg("%s: expected is_loss=%d", lw_outcome_name((enum lw_outcome)o), want);
	}
	assert_false(lw_outcome_is_loss(O(DISMISSED), LW_LOSS_COUNT_WITHDRAWN_CHANGED));
	assert_false(lw_outcome_is_loss(O(MEDIATED), LW_LOSS_COUNT_WITHDRAWN_CHANGED));
}

static void agency_changed_act_is_recognised_apart_from_the_outcome(void **state)
{
	assert_true(lw_outcome_agency_changed_act("被告撤销了被诉处罚决定"));
	assert_true(lw_outcome_agency_changed_act("被诉机关改变原行政行为"));
	assert_false(lw_outcome_agency_changed_act("判决撤销被告作出的处罚决定"));
	assert_false(lw_outcome_agency_changed_act("准予撤诉"));
	assert_false(lw_outcome_agency_changed_act(NULL));
}

static void names_round_trip_and_concluded_excludes_pending(void **state)
{
	for (int o = 0; o < LW_OUTCOME__COUNT; o++) {
		const char *n = lw_outcome_name((enum lw_outcome)o);
		assert_int_equal(lw_outcome_from_name(n), o);
		assert_non_null(lw_outcome_label_zh((enum lw_outcome)o));
	}
	assert_int_equal(lw_outcome_from_name("nonsense"), O(UNKNOWN));
	assert_false(lw_outcome_is_concluded(O(PENDING)));
	assert_false(lw_outcome_is_concluded(O(REMANDED)));
	assert_true(lw_outcome_is_concluded(O(DISMISSED)));
	assert_int_equal(lw_outcome_classify(NULL), O(PENDING));
}

static void case_type_and_clause_boundaries_decide_as_the_bureau_counts(void **state)
{
	static const struct {
		const char *text, *type;
		enum lw_outcome want;
	} c[] = {
		/* 行审: the agency applied to enforce its own decision and won */
		{"准予执行", "行审", O(OTHER)},
		{"裁定准予执行被告作出的行政处罚决定", "行审", O(OTHER)},
		{"责令被执行人于十五日内自行拆除违法建筑", "行审", O(OTHER)},
		{"不予受理", "行审", O(OTHER)},
		{"审查中", "行审", O(PENDING)},
		{"责令被执行人拆除", NULL, O(OTHER)}, /* addressed to the private party: not a loss */
		/* 、 lists items, it does not end a clause */
		{"确认被告强制拆除原告住房、猪圈、库房的行为违法", "行初", O(CONFIRMED_ILLEGAL)},
		{"一、撤销被告作出的处罚决定；二、责令被告重新作出", "行初", O(REVOKED)},
		{"一、驳回原告的诉讼请求", "行初", O(REJECTED_CLAIMS)},
		/* an order to act without 责令 or 履行 */
		{"判决被告于本判决生效之日起六十日内作出具体行政行为", "行初", O(ORDERED_PERFORM)},
		{"撤销被告作出的决定", "行初", O(REVOKED)},
		/* 行终: 按撤诉处理 is the appeal's withdrawal; the first judgment stands */
		{"本案按撤诉处理", "行终", O(UPHELD)},
		{"本案按撤诉处理", "行初", O(WITHDRAWN)},
		{"准许上诉人撤回起诉", "行终", O(WITHDRAWN)},
		/* mediation that ends in withdrawal is a withdrawal */
		{"通过调解（和解）撤诉", "行初", O(WITHDRAWN)},
		{"双方达成调解协议", "行初", O(MEDIATED)},
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		enum lw_outcome got = lw_outcome_classify_case(c[i].text, c[i].type);
		if (got != c[i].want)
			fail_msg("\"%s\" (%s): expected %s, got %s", c[i].text, c[i].type ? c[i].type : "-",
				 lw_outcome_name(c[i].want), lw_outcome_name(got));
	}
}

static void very_long_text_is_read_without_overflow(void **state)
{
	static char big[20000];
	size_t n = 0;
	while (n + 20 < sizeof big) {
		memcpy(big + n, "本院认为，", strlen("本院认为，"));
		n += strlen("本院认为，");
	}
	big[n] = '\0';
	assert_int_equal(lw_outcome_classify(big), O(UNKNOWN));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(realistic_phrases_classify_as_the_bureau_counts_them),
		cmocka_unit_test(case_type_and_clause_boundaries_decide_as_the_bureau_counts),
		cmocka_unit_test(withdrawn_after_change_is_a_loss_only_when_the_setting_says_so),
		cmocka_unit_test(losses_are_exactly_the_six_verdicts_against_the_act),
		cmocka_unit_test(agency_changed_act_is_recognised_apart_from_the_outcome),
		cmocka_unit_test(names_round_trip_and_concluded_excludes_pending),
		cmocka_unit_test(very_long_text_is_read_without_overflow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
