/*
 * casenum.c — parse and normalise case numbers (案号), see casenum.h.
 *
 * The text is first cleaned (full-width folded, white space dropped, every
 * bracket style made "()"), then read from both ends: the year in brackets
 * at the front; 号, the sequence digits and an optional 字第 at the back;
 * what is left in between is court code + specialised tribunal + type code.
 * The type code is matched as the longest known suffix (行审复 before 行审,
 * 行辖终 before 行辖), since court codes never end in those characters.
 */
#include "domain/casenum.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"

/*
 * Type codes (类型代字) of administrative cases from the SPC standard
 * 《人民法院案件类型及其代字标准》 (in force 2016), plus two older ones:
 *   行初 first instance 一审        行终 second instance 二审
 *   行申 retrial application 申请再审审查   行抗 procuratorate protest 抗诉再审审查
 *   行再 retrial 再审               行监 supervision 审判监督
 *   行辖 jurisdiction 管辖          行辖终 jurisdiction appeal 管辖上诉
 *   行审 review of an agency's application to enforce 非诉执行审查
 *   行审复 reconsideration of that review 非诉执行审查复议
 *   行赔初/终/申/抗/再/监 the same stages for administrative compensation 行政赔偿
 *   行他 other (requests for instructions 请示 ...)
 *   行提 pre-2016 SPC retrial by review 提审
 * Enforcement (执, 执恢, 执异 ...) is 执行, the enforcement of a judgment or
 * of an agency decision: not administrative litigation, refused here.
 */
static const char *const admin_types[] = {
	"行赔初", "行赔终", "行赔申", "行赔抗", "行赔再", "行赔监",
	"行辖终", "行审复",
	"行初", "行终", "行申", "行抗", "行再", "行监", "行辖", "行审", "行他", "行提",
};

/* Type codes written before the 2016 standard, still found in backfills,
 * and today's code for the same stage (NULL: none; the code is kept as
 * written).  Any other code that starts with 行 is kept as written too: the
 * case is administrative, only its stage is not known here. */
static const struct {
	const char *old, *now;
} legacy_types[] = {
	{"行非执复", "行审复"}, /* 非诉执行审查复议 */
	{"行非执", "行审"},     /* 非诉执行审查 */
	{"行非审", "行审"},
	{"行审查", "行审"},
	{"行初重", "行初"},     /* first instance again after a remand: a new 行初 today */
	{"行终重", "行终"},
	{"行再初", "行再"},     /* retrial at first instance */
	{"行再终", "行再"},
	{"行立", NULL},         /* 立案审查 (review of a filing): no code today */
};

/* 专门审判代字: specialised tribunals that prefix the type code, e.g.
 * (2020)最高法知行终1号 (知 = intellectual property 知识产权). */
static const char *const special_codes[] = {"知", "环", "海"};

/* Province-level court codes (法院代字 of the high courts), 2016 list, and
 * 兵 for the Xinjiang Production and Construction Corps (兵团) courts. */
static const char *const provinces[] = {
	"京", "津", "冀", "晋", "内", "辽", "吉", "黑", "沪", "苏", "浙", "皖",
	"闽", "赣", "鲁", "豫", "鄂", "湘", "粤", "桂", "琼", "渝", "川", "黔",
	"云", "藏", "陕", "甘", "青", "宁", "新", "兵",
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

int lw_casenum_type_is_administrative(const char *type)
{
	for (size_t i = 0; i < N(admin_types); i++)
		if (strcmp(type, admin_types[i]) == 0)
			return 1;
	return 0;
}

const char *lw_casenum_kind_zh(const char *type)
{
	static const struct {
		const char *prefix, *zh;
	} kinds[] = {
		{"民", "民事"}, {"刑", "刑事"}, {"执", "执行"}, {"破", "破产"}, {"委赔", "国家赔偿"},
		{"法赔", "国家赔偿"}, {"赔", "国家赔偿"}, {"财保", "保全"}, {"诉保", "保全"},
		{"行", "行政"},
	};
	for (size_t i = 0; type && i < N(kinds); i++)
		if (!strncmp(type, kinds[i].prefix, strlen(kinds[i].prefix)))
			return kinds[i].zh;
	return NULL;
}

const char *lw_court_level_name(enum lw_court_level level)
{
	switch (level) {
	case LW_COURT_SUPREME: return "supreme";
	case LW_COURT_HIGH: return "high";
	case LW_COURT_INTERMEDIATE: return "intermediate";
	case LW_COURT_BASIC: return "basic";
	default: return "unknown";
	}
}

/* Map one code point to its bracket class: '(' or ')' for every opening or
 * closing bracket style used around the year, 0 otherwise. */
static char bracket_of(uint32_t cp)
{
	switch (cp) {
	case '(': case '[': case 0x3014: case 0x3010: case 0xFE5D: case 0x3016: case 0xFF3B:
		return '(';
	case ')': case ']': case 0x3015: case 0x3011: case 0xFE5E: case 0x3017: case 0xFF3D:
		return ')';
	default:
		return 0;
	}
}

/* Traditional-script characters found in case numbers (Taiwan-style
 * input methods, scanned documents, Hong Kong fonts), folded to the
 * simplified characters the SPC standard uses. */
static uint32_t simplified(uint32_t cp)
{
	static const uint32_t map[][2] = {
		{0x865F, 0x53F7}, /* 號 号 */ {0x7D42, 0x7EC8}, /* 終 终 */
		{0x5BE9, 0x5BA1}, /* 審 审 */ {0x8CE0, 0x8D54}, /* 賠 赔 */
		{0x8F44, 0x8F96}, /* 轄 辖 */ {0x76E3, 0x76D1}, /* 監 监 */
		{0x57F7, 0x6267}, /* 執 执 */ {0x5FA9, 0x590D}, /* 復 复 */
		{0x8907, 0x590D}, /* 複 复 */ {0x74B0, 0x73AF}, /* 環 环 */
		{0x7570, 0x5F02}, /* 異 异 */ {0x8A34, 0x8BC9}, /* 訴 诉 */
		{0x8607, 0x82CF}, /* 蘇 苏 */ {0x9B6F, 0x9C81}, /* 魯 鲁 */
		{0x907C, 0x8FBD}, /* 遼 辽 */ {0x95A9, 0x95FD}, /* 閩 闽 */
		{0x8D1B, 0x8D63}, /* 贛 赣 */ {0x7CB5, 0x7CA4}, /* 粵 粤 */
		{0x96F2, 0x4E91}, /* 雲 云 */ {0x965D, 0x9655}, /* 陝 陕 */
		{0x5BE7, 0x5B81}, /* 寧 宁 */ {0x6EEC, 0x6CAA}, /* 滬 沪 */
		{0x6649, 0x664B}, /* 晉 晋 */ {0x74CA, 0x743C}, /* 瓊 琼 */
		{0x5167, 0x5185}, /* 內 内 */ {0x9F4A, 0x9F50}, /* 齊 齐 */
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (map[i][0] == cp)
			return map[i][1];
	return cp;
}

static int is_space_cp(uint32_t cp)
{
	return cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || cp == 0xA0 || cp == 0x3000 ||
	       cp == 0xFEFF || cp == 0x200B;
}

/* Copy text into out (cap bytes) folded, without white space, brackets
 * unified.  Returns 0 or a negative code with *e filled. */
static int clean(const char *text, char *out, size_t cap, struct lw_err *e)
{
	char tmp[LW_CASENUM_INPUT_MAX + 1];
	size_t len = strlen(text), r = 0, w = 0, bad;

	if (len > LW_CASENUM_INPUT_MAX)
		return lw_err_set(e, LW_EFORMAT, "case number: %zu bytes is too long for a case number (at most %d)",
				  len, LW_CASENUM_INPUT_MAX);
	if (!lw_utf8_valid(text, len, &bad))
		return lw_err_set(e, LW_EFORMAT, "case number: invalid UTF-8 at byte %zu", bad);
	memcpy(tmp, text, len + 1);
	lw_fold_fullwidth(tmp);
	len = strlen(tmp);
	while (r < len) {
		uint32_t cp;
		size_t n = lw_utf8_decode(tmp + r, len - r, &cp);
		char b;
		if (n == 0)
			return lw_err_set(e, LW_EFORMAT, "case number: invalid UTF-8");
		r += n;
		if (is_space_cp(cp))
			continue;
		if (w + 4 >= cap)
			return lw_err_set(e, LW_EFORMAT, "case number too long");
		if ((b = bracket_of(cp)) != 0) {
			out[w++] = b;
			continue;
		}
		if (cp < 0x20 || cp == 0x7F)
			return lw_err_set(e, LW_EFORMAT, "case number: control character");
		w += lw_utf8_encode(simplified(cp), out + w);
	}
	out[w] = '\0';
	return 0;
}

static int ends_with(const char *s, size_t len, const char *suf)
{
	size_t n = strlen(suf);
	return len >= n && memcmp(s + len - n, suf, n) == 0;
}

static int starts_with(const char *s, size_t len, const char *pre)
{
	size_t n = strlen(pre);
	return len >= n && memcmp(s, pre, n) == 0;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Check a post-2016 court code s[0..len): 最高法, or a province abbreviation
 * followed by nothing, 2 or 4 digits.  Sets *level. */
static int modern_court(const char *s, size_t len, enum lw_court_level *level)
{
	if (len == strlen("最高法") && memcmp(s, "最高法", len) == 0) {
		*level = LW_COURT_SUPREME;
		return 1;
	}
	for (size_t i = 0; i < N(provinces); i++) {
		size_t p = strlen(provinces[i]), d;
		if (!starts_with(s, len, provinces[i]))
			continue;
		for (d = p; d < len && is_digit(s[d]); d++)
			;
		if (d != len)
			return 0;
		switch (len - p) {
		case 0: *level = LW_COURT_HIGH; return 1;
		case 2: *level = LW_COURT_INTERMEDIATE; return 1;
		case 4: *level = LW_COURT_BASIC; return 1;
		default: return 0;
		}
	}
	return 0;
}

/* Longest known administrative type code that ends s[0..len), or NULL. */
static const char *type_suffix(const char *s, size_t len)
{
	const char *best = NULL;

	for (size_t i = 0; i < N(admin_types); i++)
		if (ends_with(s, len, admin_types[i]) && (!best || strlen(admin_types[i]) > strlen(best)))
			best = admin_types[i];
	return best;
}

/* Pre-2016 court abbreviations are free text (海, 一中, 浙杭, 沪二中), but
 * only Chinese characters; ASCII (brackets, digits, letters) means garbage. */
static int free_court_ok(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x80)
			return 0;
	return len < 64;
}

/* The part between court code and sequence when it is not administrative:
 * give the clerk a precise reason. */
static int not_administrative(const char *mid, size_t len, struct lw_casenum *out, struct lw_err *e)
{
	size_t c;

	/* Find where the court code ends by trying every split. */
	for (c = len; c > 0; c--) {
		enum lw_court_level lv;
		if (((unsigned char)mid[c] & 0xC0) == 0x80)
			continue; /* not a character boundary */
		if (c < len && modern_court(mid, c, &lv) && len - c < sizeof out->type) {
			memcpy(out->court, mid, c);
			out->court[c] = '\0';
			memcpy(out->type, mid + c, len - c);
			out->type[len - c] = '\0';
			memcpy(out->type_raw, out->type, len - c + 1);
			out->level = lv;
			if (strncmp(out->type, "执", strlen("执")) == 0)
				return lw_err_set(e, LW_EINVAL,
						  "case number: type code %s is an enforcement case (执行), "
						  "not an administrative case (行…)", out->type);
			if (strncmp(out->type, "行", strlen("行")) == 0)
				return lw_err_set(e, LW_EINVAL,
						  "case number: unknown administrative type code %s "
						  "(known: 行初 行终 行申 行抗 行再 行监 行辖 行辖终 行审 行审复 行赔初 …)",
						  out->type);
			return lw_err_set(e, LW_EINVAL,
					  "case number: type code %s is not an administrative case type (行…)",
					  out->type);
		}
	}
	return lw_err_set(e, LW_EFORMAT,
			  "case number: expected court code and type code such as 鄂9004行初 after the year, "
			  "got \"%.*s\"", (int)len, mid);
}

static const char *const cn_digits[] = {"", "一", "二", "三", "四", "五", "六", "七", "八", "九"};

/* A code of 行 and at most three more Chinese characters, none of them a
 * part of the number's frame (行, 字, 第, 号, 之). */
static int plausible_type(const char *t, size_t len)
{
	static const char *const frame[] = {"行", "字", "第", "号", "之"};
	size_t n = 0;

	if (len >= sizeof ((struct lw_casenum *)0)->type_raw || !free_court_ok(t, len))
		return 0;
	for (size_t i = strlen("行"); i < len; i += 3, n++) {
		if (len - i < 3 || n >= 3)
			return 0;
		for (size_t k = 0; k < sizeof frame / sizeof *frame; k++)
			if (!memcmp(t + i, frame[k], 3))
				return 0;
	}
	return 1;
}

/* Length of a type code that starts with 行 but is not one we know, at the
 * end of mid[0..len) (after a modern court code, or, pre-2016, after free
 * Chinese text); 0 when there is none. */
static size_t unknown_admin_type(const char *mid, size_t len, int pre2016)
{
	const size_t xl = strlen("行");

	for (size_t c = 1; c + xl <= len; c++) {
		enum lw_court_level lv;
		if (((unsigned char)mid[c] & 0xC0) == 0x80 || memcmp(mid + c, "行", xl) != 0)
			continue;
		if (!plausible_type(mid + c, len - c))
			continue;
		if (pre2016 ? free_court_ok(mid, c) : modern_court(mid, c, &lv))
			return len - c;
	}
	return 0;
}

int lw_casenum_parse(const char *text, struct lw_casenum *out, struct lw_err *e)
{
	char s[LW_CASENUM_INPUT_MAX + 8];
	const char *mid, *type, *now;
	size_t len, end, digits, mlen, tlen, clen;
	int rc, zi = 0, di = 0;
	long seq = 0;

	memset(out, 0, sizeof *out);
	if ((rc = clean(text, s, sizeof s, e)) != 0)
		return rc;
	len = strlen(s);
	if (len == 0)
		return lw_err_set(e, LW_EFORMAT, "case number is empty");

	/* (收案年度) */
	if (len < 6 || s[0] != '(' || !is_digit(s[1]) || !is_digit(s[2]) || !is_digit(s[3]) ||
	    !is_digit(s[4]) || s[5] != ')')
		return lw_err_set(e, LW_EFORMAT,
				  "case number \"%s\": expected a 4-digit year in brackets first, as in (2023)鄂9004行初15号", s);
	out->year = (s[1] - '0') * 1000 + (s[2] - '0') * 100 + (s[3] - '0') * 10 + (s[4] - '0');
	if (out->year < 1949 || out->year > 2100)
		return lw_err_set(e, LW_EFORMAT, "case number \"%s\": year %d out of range 1949-2100", s, out->year);

	/* 之一, 之二 …: a further ruling (e.g. on costs) in the same case. */
	end = len;
	for (int k = 9; k >= 1; k--) {
		char suf[16];
		snprintf(suf, sizeof suf, "号之%s", cn_digits[k]);
		if (ends_with(s, end, suf)) {
			out->part = k;
			end -= strlen(suf) - strlen("号");
			break;
		}
	}
	/* 号, then the sequence, then an optional 第 and 字 (pre-2016). */
	if (ends_with(s, end, "号"))
		end -= strlen("号");
	/* Sub-numbers before 号: 4之一号, 4之1号, 4-1号. */
	for (int k = 9; k >= 1 && !out->part; k--) {
		char suf[16];
		snprintf(suf, sizeof suf, "之%s", cn_digits[k]);
		if (ends_with(s, end, suf) && end - strlen(suf) > 6 && is_digit(s[end - strlen(suf) - 1])) {
			out->part = k;
			end -= strlen(suf);
		}
	}
	if (!out->part) {
		size_t d = 0, at;
		while (d < end - 6 && d < 3 && is_digit(s[end - 1 - d]))
			d++;
		at = end - d;
		if (d > 0 && d < 3 && at > 7) {
			size_t sep = s[at - 1] == '-' ? 1 : ends_with(s, at, "之") ? strlen("之") : 0;
			if (sep && at - sep > 6 && is_digit(s[at - sep - 1])) {
				out->part = (int)strtol(s + at, NULL, 10);
				end = at - sep;
			}
		}
	}
	for (digits = 0; digits < end - 6 && is_digit(s[end - 1 - digits]); digits++)
		;
	if (digits == 0)
		return lw_err_set(e, LW_EFORMAT, "case number \"%s\": expected the sequence number before 号", s);
	for (size_t i = end - digits; i < end; i++) {
		if (seq > 99999999L)
			return lw_err_set(e, LW_EFORMAT, "case number \"%s\": sequence has too many digits", s);
		seq = seq * 10 + (s[i] - '0');
	}
	if (seq == 0)
		return lw_err_set(e, LW_EFORMAT, "case number \"%s\": sequence number 0 does not exist", s);
	out->sequence = seq;
	end -= digits;
	if (ends_with(s, end, "第")) {
		end -= strlen("第");
		di = 1;
	}
	if (ends_with(s, end, "字")) {
		end -= strlen("字");
		zi = 1;
	}
	out->pre2016 = zi || di;

	mid = s + 6;
	mlen = end - 6;
	if (memchr(mid, '(', mlen) || memchr(mid, ')', mlen))
		return lw_err_set(e, LW_EFORMAT, "case number \"%s\": unexpected bracket after the year", s);

	type = type_suffix(mid, mlen);
	tlen = type ? strlen(type) : 0;
	now = type;
	for (size_t i = 0; i < N(legacy_types); i++) {
		size_t l = strlen(legacy_types[i].old);
		if (l > tlen && ends_with(mid, mlen, legacy_types[i].old)) {
			type = legacy_types[i].old;
			tlen = l;
			now = legacy_types[i].now;
		}
	}
	if (!type && (tlen = unknown_admin_type(mid, mlen, out->pre2016)) > 0) {
		type = mid + mlen - tlen;
		now = NULL;
	}
	if (!type) {
		if (out->pre2016)
			return lw_err_set(e, LW_EFORMAT,
					  "case number \"%s\": expected an administrative type code (行初, 行终 …) before 字第", s);
		return not_administrative(mid, mlen, out, e);
	}
	memcpy(out->type_raw, type, tlen);
	out->type_raw[tlen] = '\0';
	snprintf(out->type, sizeof out->type, "%s", now ? now : out->type_raw);
	clen = mlen - tlen;

	/* A post-2016 number written with a stray 字第 is still a post-2016 number. */
	if (out->pre2016 && out->year >= 2016 && modern_court(mid, clen, &out->level))
		out->pre2016 = 0;
	if (out->pre2016) {
		if (!free_court_ok(mid, clen))
			return lw_err_set(e, LW_EFORMAT,
					  "case number \"%s\": the court abbreviation before %s must be Chinese text", s, type);
		memcpy(out->court, mid, clen);
		out->court[clen] = '\0';
		out->level = LW_COURT_UNKNOWN;
		snprintf(out->norm, sizeof out->norm, "(%d)%s%s字第%ld号", out->year, out->court, out->type_raw,
			 seq);
		return 0;
	}

	if (!modern_court(mid, clen, &out->level)) {
		/* A specialised-tribunal code may sit between court and type. */
		for (size_t i = 0; i < N(special_codes); i++) {
			size_t sl = strlen(special_codes[i]);
			if (ends_with(mid, clen, special_codes[i]) && modern_court(mid, clen - sl, &out->level)) {
				memcpy(out->special, special_codes[i], sl + 1);
				clen -= sl;
				break;
			}
		}
		if (!out->special[0])
			return lw_err_set(e, LW_EFORMAT,
					  "case number \"%s\": court code \"%.*s\" is not 最高法 or a province "
					  "abbreviation (鄂, 京 …) optionally followed by 2 or 4 digits", s, (int)clen, mid);
	}
	memcpy(out->court, mid, clen);
	out->court[clen] = '\0';
	snprintf(out->norm, sizeof out->norm, "(%d)%s%s%s%ld号", out->year, out->court, out->special,
		 out->type_raw, seq);
	return 0;
}
