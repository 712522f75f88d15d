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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
