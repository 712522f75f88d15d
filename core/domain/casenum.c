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
		w += lw_utf8_encode(cp, out + w);
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

int lw_casenum_parse(const char *text, struct lw_casenum *out, struct lw_err *e)
{
	char s[LW_CASENUM_INPUT_MAX + 8];
	const char *mid, *type;
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
		static const char *const cn[] = {"", "一", "二", "三", "四", "五", "六", "七", "八", "九"};
		char suf[16];
		snprintf(suf, sizeof suf, "号之%s", cn[k]);
		if (ends_with(s, end, suf)) {
			out->part = k;
			end -= strlen(suf) - strlen("号");
			break;
		}
	}
	/* 号, then the sequence, then an optional 第 and 字 (pre-2016). */
	if (ends_with(s, end, "号"))
		end -= strlen("号");
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
	if (!type) {
		if (out->pre2016)
			return lw_err_set(e, LW_EFORMAT,
					  "case number \"%s\": expected an administrative type code (行初, 行终 …) before 字第", s);
		return not_administrative(mid, mlen, out, e);
	}
	tlen = strlen(type);
	memcpy(out->type, type, tlen + 1);
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
		snprintf(out->norm, sizeof out->norm, "(%d)%s%s字第%ld号", out->year, out->court, out->type, seq);
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
	snprintf(out->norm, sizeof out->norm, "(%d)%s%s%s%ld号", out->year, out->court, out->special, out->type,
		 seq);
	return 0;
}
