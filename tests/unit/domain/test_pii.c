/* Unit tests for pii.c: key file rules, normalisation, HMAC-SHA256 known
 * answers (checked against `openssl dgst -sha256 -hmac`), masking. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "domain/pii.h"

#define KEY "0123456789abcdef0123456789abcdef"

static char *write_key(const char *bytes, size_t n, mode_t mode)
{
	static char path[64];
	int fd;
	strcpy(path, "/tmp/lw_pii_key_XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, bytes, n), (ssize_t)n);
	close(fd);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

static void key_file_readable_by_others_is_refused_with_the_fix(void **state)
{
	struct lw_pii_key *k = NULL;
	struct lw_err e = {0};
	char *p = write_key(KEY, 32, 0644);
	assert_int_equal(lw_pii_key_load(p, &k, &e), LW_EPERM);
	assert_null(k);
	assert_non_null(strstr(e.msg, "chmod 600"));
	assert_non_null(strstr(e.msg, "0644"));
	unlink(p);
	p = write_key(KEY, 32, 0640);
	assert_int_equal(lw_pii_key_load(p, &k, &e), LW_EPERM);
	unlink(p);
}

static void short_key_file_is_refused_and_says_how_long_it_must_be(void **state)
{
	struct lw_pii_key *k = NULL;
	struct lw_err e = {0};
	char *p = write_key("short", 5, 0600);
	assert_int_equal(lw_pii_key_load(p, &k, &e), LW_EINVAL);
	assert_non_null(strstr(e.msg, "5 bytes"));
	assert_non_null(strstr(e.msg, "at least 32"));
	unlink(p);
	assert_int_equal(lw_pii_key_load("/nonexistent/key", &k, &e), LW_ENOENT);
}

static void hash_matches_openssl_hmac_sha256_of_the_normalised_value(void **state)
{
	struct lw_pii_key *k = NULL;
	char hex[LW_PII_HASH_HEX], hex2[LW_PII_HASH_HEX];
	char *p = write_key(KEY, 32, 0600);
	static const char *const phones[] = {"13812345678", "138-1234-5678", "+86 138 1234 5678", "0086 13812345678",
					     "8613812345678", "１３８１２３４５６７８", "(+86)138 1234 5678"};

	assert_int_equal(lw_pii_key_load(p, &k, NULL), 0);
	unlink(p);
	for (size_t i = 0; i < sizeof phones / sizeof phones[0]; i++) {
		assert_int_equal(lw_pii_hash(k, LW_PII_PHONE, phones[i], hex, NULL), 0);
		if (strcmp(hex, "64727c7a7e107e8a0240403d14d3f0032960309afd64eb419f20e52a0946c70a") != 0)
			fail_msg("\"%s\": expected the HMAC of 13812345678, got %s", phones[i], hex);
	}
	assert_int_equal(lw_pii_hash(k, LW_PII_NAME, " 张 三\u3000", hex, NULL), 0);
	assert_string_equal(hex, "ad1c60b92c2e5b0d3f4a78ea6d54669d3612cc48ebfeefbb3dbe5d234387bb17");
	/* Different key, different hash. */
	lw_pii_key_free(k);
	assert_int_equal(lw_pii_key_from_bytes(KEY "x", 33, &k, NULL), 0);
	assert_int_equal(lw_pii_hash(k, LW_PII_NAME, "张三", hex2, NULL), 0);
	assert_string_not_equal(hex, hex2);
	lw_pii_key_free(k);
}

static void errors_never_repeat_the_clear_value(void **state)
{
	struct lw_pii_key *k = NULL;
	struct lw_err e = {0};
	char hex[LW_PII_HASH_HEX];
	assert_int_equal(lw_pii_key_from_bytes(KEY, 32, &k, NULL), 0);
	assert_int_equal(lw_pii_hash(k, LW_PII_PHONE, "无号码secretword", hex, &e), LW_EFORMAT);
	assert_null(strstr(e.msg, "secretword"));
	assert_int_equal(lw_pii_hash(k, LW_PII_NAME, "   ", hex, &e), LW_EFORMAT);
	lw_pii_key_free(k);
}

static void normalise_phone_landlines_keep_the_trunk_zero(void **state)
{
	static const char *const c[][2] = {
		{"(010) 1234-5678", "01012345678"}, {"+86 10 1234 5678", "01012345678"},
		{"0086-755-12345678", "075512345678"}, {"0755-12345678", "075512345678"},
		{"12345", "12345"}, {"86123456", "86123456"},
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		char out[64];
		assert_int_equal(lw_pii_normalize(LW_PII_PHONE, c[i][0], out, sizeof out, NULL), 0);
		if (strcmp(out, c[i][1]) != 0)
			fail_msg("\"%s\": expected %s, got %s", c[i][0], c[i][1], out);
	}
}

static void normalise_name_drops_padding_but_keeps_latin_word_spaces(void **state)
{
	char out[64];
	assert_int_equal(lw_pii_normalize(LW_PII_NAME, "张  三", out, sizeof out, NULL), 0);
	assert_string_equal(out, "张三");
	assert_int_equal(lw_pii_normalize(LW_PII_NAME, " John   Smith ", out, sizeof out, NULL), 0);
	assert_string_equal(out, "John Smith");
}

static void masks_hide_the_middle(void **state)
{
	static const char *const phones[][2] = {
		{"13812345678", "138****5678"}, {"+86 138-1234-5678", "138****5678"},
		{"010-12345678", "010-****5678"}, {"0755 1234 5678", "0755-****5678"},
		{"0716-8123456", "0716-****3456"}, {"12345678", "****5678"}, {"12345", "***45"},
	};
	static const char *const names[][2] = {
		{"张三丰", "张**"}, {"张三", "张*"}, {"欧阳娜娜", "欧***"}, {"李", "*"}, {"John Smith", "J*** *****"},
	};
	char out[LW_PII_MASK_MAX];
	for (size_t i = 0; i < sizeof phones / sizeof phones[0]; i++) {
		assert_int_equal(lw_pii_mask_phone(phones[i][0], out, sizeof out, NULL), 0);
		if (strcmp(out, phones[i][1]) != 0)
			fail_msg("\"%s\": expected %s, got %s", phones[i][0], phones[i][1], out);
	}
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		assert_int_equal(lw_pii_mask_name(names[i][0], out, sizeof out, NULL), 0);
		if (strcmp(out, names[i][1]) != 0)
			fail_msg("\"%s\": expected %s, got %s", names[i][0], names[i][1], out);
	}
}

static void phone_with_letters_or_words_is_not_a_phone(void **state)
{
	static const char *const bad[] = {"abc钱多多99988", "138abcd5678", "电话13812345678", "N/A"};
	static const char *const good[] = {"0755-12345678转8001", "(010) 1234.5678", "+86 138 1234 5678"};
	char out[64];
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (lw_pii_normalize(LW_PII_PHONE, bad[i], out, sizeof out, NULL) != LW_EFORMAT)
			fail_msg("\"%s\" was accepted as a phone number (%s)", bad[i], out);
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		if (lw_pii_normalize(LW_PII_PHONE, good[i], out, sizeof out, NULL) != 0)
			fail_msg("\"%s\" was refused", good[i]);
}

static void free_text_numbers_are_masked(void **state)
{
	static const char *const c[][2] = {
		{"请回电13812345678谢谢", "请回电138****5678谢谢"},
		{"电话 138-1234-5678 或 +86 139 1234 5678", "电话 138-****-5678 或 +86 139 **** 5678"},
		{"身份证420106199001011234", "身份证420106199001011234"}, /* bad check digit: not an ID */
		{"身份证42010619900101123X号", "身份证42010619900101123X号"},
		{"身份证11010519491231002X", "身份证1101**********002X"},
		{"身份证420106199001011231。", "身份证4201**********1231。"},
		{"卡号6222 0212 3456 7890 128", "卡号6222 **** **** ***0 128"},
		{"卡号4111111111111111", "卡号4111********1111"},
		{"座机0755-12345678", "座机0755-****5678"},
		{"座机010 12345678", "座机010 ****5678"},
		{"全角１３８１２３４５６７８", "全角１３８****５６７８"},
		{"共 12 人，13812345678", "共 12 人，138****5678"},
		{"(2024)苏0105行初123号", "(2024)苏0105行初123号"},
		{"工单GD20240101000123", "工单GD20240101000123"},
		{"2024-01-15 10:30 金额 12345678 元", "2024-01-15 10:30 金额 12345678 元"},
		{"13812345678", "138****5678"},
		{"", ""},
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		char buf[256];
		snprintf(buf, sizeof buf, "%s", c[i][0]);
		lw_pii_mask_text(buf);
		if (strcmp(buf, c[i][1]) != 0)
			fail_msg("\"%s\": expected \"%s\", got \"%s\"", c[i][0], c[i][1], buf);
	}
	assert_int_equal(lw_pii_mask_text(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(key_file_readable_by_others_is_refused_with_the_fix),
		cmocka_unit_test(short_key_file_is_refused_and_says_how_long_it_must_be),
		cmocka_unit_test(hash_matches_openssl_hmac_sha256_of_the_normalised_value),
		cmocka_unit_test(errors_never_repeat_the_clear_value),
		cmocka_unit_test(normalise_phone_landlines_keep_the_trunk_zero),
		cmocka_unit_test(normalise_name_drops_padding_but_keeps_latin_word_spaces),
		cmocka_unit_test(masks_hide_the_middle),
		cmocka_unit_test(phone_with_letters_or_words_is_not_a_phone),
		cmocka_unit_test(free_text_numbers_are_masked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
