/* Unit tests for text.c: UTF-8 validation, full-width folding, trimming. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "base/text.h"

static void fold_turns_fullwidth_digits_brackets_and_space_into_ascii(void **state)
{
	char s[] = "（２０２３）鄂９００４行初１５号\u3000ＡＢ";
	assert_string_equal(lw_fold_fullwidth(s), "(2023)鄂9004行初15号 AB");
}

static void fold_keeps_invalid_bytes(void **state)
{
	char s[] = "a\xff\xfe" "b";
	assert_string_equal(lw_fold_fullwidth(s), "a\xff\xfe" "b");
}

/* The folding by decoding that lw_fold_fullwidth's byte patterns replace. */
static void fold_by_decoding(char *s)
{
	size_t len = strlen(s), r = 0, w = 0;

	while (r < len) {
		uint32_t cp;
		size_t n = lw_utf8_decode(s + r, len - r, &cp);
		if (n == 3 && cp >= 0xFF01 && cp <= 0xFF5E)
			s[w++] = (char)(cp - 0xFF01 + 0x21);
		else if (n == 3 && cp == 0x3000)
			s[w++] = ' ';
		else {
			if (n == 0)
				n = 1;
			memmove(s + w, s + r, n);
			w += n;
		}
		r += n;
	}
	s[w] = '\0';
}

/* Every code point of the BMP, and every 3-byte sequence that starts
 * with a fold lead byte (EF, E3) including broken ones, between text
 * that is valid, truncated or invalid: the same result as decoding. */
static void fold_by_bytes_equals_fold_by_decoding(void **state)
{
	static const char *const around[] = {"", "a", "鄂", "\xef", "\xe3\x80", "\xff"};
	char a[32], b[32];

	for (uint32_t v = 0; v < 0x1000000; v++) {
		unsigned char seq[4] = {(unsigned char)(v >> 16), (unsigned char)(v >> 8),
					(unsigned char)v, 0};
		if (!seq[0] || !seq[1] || !seq[2])
			continue;
		if (seq[0] != 0xEF && seq[0] != 0xE3 && (v & 0xFFF) != 0)
			continue; /* others: a sample is enough */
		for (size_t i = 0; i < 6; i++) {
			snprintf(a, sizeof a, "%s%s%s", around[i], (const char *)seq, around[5 - i]);
			memcpy(b, a, sizeof a);
			fold_by_decoding(a);
			lw_fold_fullwidth(b);
			if (strcmp(a, b))
				fail_msg("sequence %06x around %zu: folded differently", (unsigned)v, i);
		}
	}
	for (uint32_t cp = 1; cp < 0x10000; cp++) {
		char u[8] = {0};
		if (cp >= 0xD800 && cp <= 0xDFFF)
			continue;
		if (cp < 0x80)
			u[0] = (char)cp;
		else if (cp < 0x800) {
			u[0] = (char)(0xC0 | cp >> 6);
			u[1] = (char)(0x80 | (cp & 0x3F));
		} else {
			u[0] = (char)(0xE0 | cp >> 12);
			u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
			u[2] = (char)(0x80 | (cp & 0x3F));
		}
		snprintf(a, sizeof a, "x%sy", u);
		memcpy(b, a, sizeof a);
		fold_by_decoding(a);
		lw_fold_fullwidth(b);
		assert_string_equal(a, b);
	}
	(void)state;
}

static void trim_removes_ideographic_and_nbsp_spaces(void **state)
{
	char s[] = "\u3000 \u00a0市自然资源局\t\u3000";
	assert_string_equal(lw_trim(s), "市自然资源局");
	char e[] = "\u3000 ";
	assert_string_equal(lw_trim(e), "");
}

static void utf8_valid_reports_first_bad_offset(void **state)
{
	size_t at = 99;
	assert_true(lw_utf8_valid("案号", strlen("案号"), &at));
	assert_false(lw_utf8_valid("ab\xe6\xa1", 4, &at)); /* truncated */
	assert_int_equal(at, 2);
	assert_false(lw_utf8_valid("\xc0\xaf", 2, &at)); /* overlong '/' */
	assert_int_equal(at, 0);
	assert_false(lw_utf8_valid("\xed\xa0\x80", 3, &at)); /* surrogate */
}

static void encode_decode_round_trip(void **state)
{
	uint32_t cps[] = {0x41, 0xE9, 0x6848, 0x1F600};
	for (size_t i = 0; i < 4; i++) {
		char b[4];
		uint32_t back;
		size_t n = lw_utf8_encode(cps[i], b);
		assert_int_equal(lw_utf8_decode(b, n, &back), n);
		assert_int_equal(back, cps[i]);
	}
	assert_int_equal(lw_utf8_encode(0x110000, (char[4]){0}), 0);
}

static void compact_folds_drops_spaces_and_cuts_at_a_character_boundary(void **state)
{
	char out[64];
	assert_int_equal(lw_text_compact("判决\u3000驳回 原告的\t诉讼请求\n（二）", out, sizeof out, 0),
			 strlen("判决驳回原告的诉讼请求(二)"));
	assert_string_equal(out, "判决驳回原告的诉讼请求(二)");
	lw_text_compact("a\nb", out, sizeof out, LW_COMPACT_KEEP_NEWLINE);
	assert_string_equal(out, "a\nb");
	lw_text_compact("a\xff b", out, sizeof out, 0); /* invalid byte dropped */
	assert_string_equal(out, "ab");
	lw_text_compact("案号案号", out, 8, 0); /* 7 bytes fit: cut before the 3rd char */
	assert_string_equal(out, "案号");
	lw_text_compact(NULL, out, sizeof out, 0);
	assert_string_equal(out, "");
}

static void width_counts_chinese_as_two_columns(void **state)
{
	assert_int_equal(lw_text_width("abc"), 3);
	assert_int_equal(lw_text_width("市公安局"), 8);
	assert_int_equal(lw_text_width("(全部 all)"), 10);
	assert_int_equal(lw_text_width("ＡＢ"), 4);
}

static void names_in_gbk_are_decoded_and_the_rest_escaped(void **state)
{
	char *s;

	(void)state;
	s = lw_name_to_utf8("市公安局/报表.csv"); /* UTF-8: as it is */
	assert_string_equal(s, "市公安局/报表.csv");
	free(s);
	s = lw_name_to_utf8("\xca\xd0\xb9\xab\xb0\xb2\xbe\xd6/q1.csv"); /* 市公安局 in GBK */
	assert_string_equal(s, "市公安局/q1.csv");
	free(s);
	s = lw_name_to_utf8("\xe6\x8a\xa5\xe8\xa1\xa8\xff.csv"); /* 报表 + a stray byte */
	assert_string_equal(s, "报表\\xFF.csv");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fold_turns_fullwidth_digits_brackets_and_space_into_ascii),
		cmocka_unit_test(fold_keeps_invalid_bytes),
		cmocka_unit_test(fold_by_bytes_equals_fold_by_decoding),
		cmocka_unit_test(trim_removes_ideographic_and_nbsp_spaces),
		cmocka_unit_test(utf8_valid_reports_first_bad_offset),
		cmocka_unit_test(encode_decode_round_trip),
		cmocka_unit_test(compact_folds_drops_spaces_and_cuts_at_a_character_boundary),
		cmocka_unit_test(width_counts_chinese_as_two_columns),
		cmocka_unit_test(names_in_gbk_are_decoded_and_the_rest_escaped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
