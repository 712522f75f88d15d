/*
 * fuzz_record.c — a row of arbitrary cells through the mapper of both
 * targets (cases and tickets): every domain parser a cell can reach, the
 * PII hashing and masking, and the error reporting.  Cells are separated
 * by TAB in the input.  Each row is mapped with the memo of a long file
 * (memo.h: it lives across inputs) and without one: the two records must
 * be the same.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/pii.h"
#include "ingest/memo.h"
#include "ingest/profile.h"
#include "ingest/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct lw_profile *prof[2];
static struct lw_mapping *map[2];
static struct lw_pii_key *key;
static struct lw_map_memo *memo[2];

static int same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* The memo changes how a record is made, never what it holds. */
static void check_same(const struct lw_record *a, const struct lw_record *b)
{
	if (a->nerrors != b->nerrors || a->nagencies != b->nagencies || !same(a->key, b->key))
		abort();
	for (int c = 0; c < LW_REC_MAX_COLS; c++)
		if (!same(a->val[c], b->val[c]))
			abort();
	for (size_t i = 0; i < a->nagencies; i++)
		if (!same(a->agencies[i], b->agencies[i]) || !same(a->agencies_raw[i], b->agencies_raw[i]))
			abort();
}

static void setup(void)
{
	static const char *const names[2] = {"court-cases", "hotline-12345"};
	static const char *const hdr[2][16] = {
		{"案号", "法院", "案由", "原告", "被告", "立案日期", "结案日期", "裁判结果", "负责人出庭",
		 "是否开庭", "执法领域", "被诉行政行为"},
		{"工单编号", "来电时间", "诉求类型", "问题分类", "诉求内容", "承办单位", "工单状态", "满意度",
		 "来电号码", "来电人", "办结时间", "是否解决", "办理时限", "渠道", "标题", "地址"},
	};
	static const size_t nh[2] = {12, 16};
	unsigned char k[32] = {1, 2, 3};

	for (int i = 0; i < 2; i++)
		if (lw_profile_load(LW_SOURCE_DIR "/conf/profiles", names[i], &prof[i], NULL) != 0 ||
		    lw_mapping_build(prof[i], hdr[i], nh[i], 0, &map[i], NULL) != 0)
			abort();
	if (lw_pii_key_from_bytes(k, sizeof k, &key, NULL) != 0)
		abort();
	for (int i = 0; i < 2; i++)
		if (!(memo[i] = lw_map_memo_new()))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *cells[16], *copy[16], *p;
	size_t n = 0;
	struct lw_record r = {0}, m = {0};

	if (!key)
		setup();
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	p = buf;
	while (n < 16) {
		cells[n++] = p;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p++ = '\0';
	}
	while (n < 16)
		cells[n++] = "";
	for (int i = 0; i < 2; i++) {
		/* the mapper may write into its cells (wiping personal values) */
		for (size_t c = 0; c < 16; c++)
			if (!(copy[c] = strdup(cells[c])))
				abort();
		struct lw_map_ctx ctx = {key, NULL, i ? NULL : "某局", 0, 0, NULL};
		struct lw_map_ctx mctx = {key, NULL, i ? NULL : "某局", 0, 0, memo[i]};
		lw_record_map(map[i], &ctx, 7, (const char *const *)cells, 16, &r);
		lw_record_map(map[i], &mctx, 7, (const char *const *)copy, 16, &m);
		check_same(&r, &m);
		lw_record_free(&r);
		lw_record_free(&m);
		for (size_t c = 0; c < 16; c++)
			free(copy[c]);
	}
	free(buf);
	return 0;
}
