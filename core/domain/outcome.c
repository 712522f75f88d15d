/*
 * outcome.c — classify the outcome of an administrative case from its text
 * (see outcome.h and docs/domain-rules.md).
 *
 * The text is cleaned (full-width folded, white space dropped) and cut into
 * clauses at punctuation.  In each clause the earliest meaningful verb
 * decides, read together with what surrounds it:
 *   - 驳回 governs what follows: 驳回…诉讼请求 is a win even when the refused
 *     claim names 撤销 or 赔偿; 驳回…起诉 is a dismissal; 驳回上诉 upholds.
 *   - 撤销 of a court decision (撤销一审判决, 撤销原判) is not the revocation of
 *     the agency's act; the next verb of the clause decides.
 *   - a negated verb (不予撤销, 未撤诉) does not count.
 *   - the agency as subject (被告撤销了…, 被告改变…) is the agency changing
 *     its own act, the usual reason for a withdrawal, not a court verdict.
 * The clause verdicts are then combined by a fixed precedence (withdrawal,
 * then losses, then mediation …), see combine().
 */
#include "domain/outcome.h"

#include <string.h>

#include "base/text.h"

#define TEXT_MAX 8192

/* What a clause says; the order is not the precedence (see combine). */
enum verdict {
	V_NONE = 0,
	V_PENDING,
	V_REJECTED,
	V_REJECTED_WEAK, /* a negated loss verb: 不予撤销, 不予赔偿 */
	V_REVOKED,
	V_ILLEGAL,
	V_VOID,
	V_PERFORM,
	V_MODIFIED,
	V_PAY,
	V_COMPENSATION,
	V_DISMISSED,
	V_WITHDRAWN,
	V_MEDIATED,
	V_TRANSFERRED,
	V_TERMINATED,
	V_UPHELD,
	V_REMANDED,
	V_LOST,
	V_WON,
	V_OTHER,
	V__COUNT
};

struct facts {
	unsigned char seen[V__COUNT];
	int agency_changed;
};

/* A span [b, e) of the cleaned text. */
struct span {
	const char *s;
	size_t b, e;
};

/* Offset of the first pat in s[from, to), or (size_t)-1. */
static size_t find_in(const char *s, size_t from, size_t to, const char *pat)
{
	size_t n = strlen(pat);

	for (size_t i = from; i + n <= to; i++)
		if (memcmp(s + i, pat, n) == 0)
			return i;
	return (size_t)-1;
}

static int has(const char *s, size_t from, size_t to, const char *pat)
{
	return find_in(s, from, to, pat) != (size_t)-1;
}

/* Earliest offset in s[from,to) of any of pats; *which gets its index. */
static size_t first_of(const char *s, size_t from, size_t to, const char *const *pats, size_t n, size_t *which)
{
	size_t best = (size_t)-1;

	for (size_t i = 0; i < n; i++) {
		size_t at = find_in(s, from, to, pats[i]);
		if (at < best || (at == best && at != (size_t)-1 && strlen(pats[i]) > strlen(pats[*which]))) {
			best = at;
			*which = i;
		}
	}
	return best;
}

/* Start of the k-th code point before pos (not before b). */
static size_t back_cps(const char *s, size_t b, size_t pos, int k)
{
	while (k-- > 0 && pos > b) {
		pos--;
		while (pos > b && ((unsigned char)s[pos] & 0xC0) == 0x80)
			pos--;
	}
	return pos;
}

/* A verb is negated when 不, 未 or 无 sits in the 3 characters before it. */
static int negated(const char *s, size_t b, size_t pos)
{
	size_t from = back_cps(s, b, pos, 3);
	return has(s, from, pos, "不") || has(s, from, pos, "未") || has(s, from, pos, "无");
}

/* The agency (被告 …) is the grammatical subject before pos, with no court
 * verb (判决, 责令, 予以 …) in between: the agency acted by itself. */
static int agency_subject(const char *s, size_t b, size_t pos)
{
	static const char *const agency[] = {"被告", "行政机关", "被诉机关", "被申请人", "被上诉人"};
	static const char *const court[] = {"判决", "判令", "责令", "予以", "依法", "裁定"};
	size_t w = 0, at;

	at = first_of(s, b, pos, agency, sizeof agency / sizeof *agency, &w);
	if (at == (size_t)-1)
		return 0;
	for (size_t i = 0; i < sizeof court / sizeof *court; i++)
		if (has(s, b, pos, court[i]))
			return 0;
	/* "撤销被告…" has 被告 after the verb; here it is before. */
	return 1;
}

/* After 撤销 / 维持: is the object a court decision (判决, 原判 …) rather
 * than the agency's act (决定, 行为 …)? */
static int court_object(const char *s, size_t from, size_t to)
{
	static const char *const courtobj[] = {"判决", "裁定", "原判", "一审", "原审", "二审", "调解书"};
	static const char *const actobj[] = {"决定", "行为", "通知", "批复", "答复", "处罚", "许可",
					     "登记", "证", "意见", "公告", "协议", "裁决", "复议"};
	size_t w = 0, c = first_of(s, from, to, courtobj, sizeof courtobj / sizeof *courtobj, &w);
	size_t a = first_of(s, from, to, actobj, sizeof actobj / sizeof *actobj, &w);

	return c != (size_t)-1 && (a == (size_t)-1 || c < a);
}

/* 驳回 …: what is refused decides. */
static enum verdict after_reject(const char *s, size_t from, size_t to, int whole_has_ruling)
{
	static const char *const objs[] = {"诉讼请求", "诉请", "请求", "起诉", "上诉", "再审申请", "申诉", "申请",
					   "撤诉", "上诉人", "申请人", "起诉人"};
	size_t w = 0, at = first_of(s, from, to, objs, sizeof objs / sizeof *objs, &w);

	while (at != (size_t)-1 && w >= 9) { /* 上诉人/申请人/起诉人 are parties, not objects */
		from = at + strlen(objs[w]);
		at = first_of(s, from, to, objs, sizeof objs / sizeof *objs, &w);
	}
	if (at == (size_t)-1)
		return whole_has_ruling ? V_DISMISSED : V_REJECTED;
	switch (w) {
	case 0: case 1: case 2: return V_REJECTED;
	case 3: return V_DISMISSED;
	case 4: case 5: case 6: return V_UPHELD;
	case 7: return V_OTHER;
	default: return V_NONE; /* 驳回撤诉申请: the withdrawal was refused */
	}
}

enum verb {
	VB_REJECT, VB_REVOKE, VB_CONFIRM, VB_ORDER, VB_PERFORM, VB_MODIFY, VB_PAY, VB_COMPENSATE,
	VB_MAINTAIN, VB_WITHDRAW, VB_WITHDRAW_BACK, VB_MEDIATE, VB_TRANSFER, VB_TERMINATE, VB_REMAND,
	VB_NOT_ACCEPTED, VB_LOST, VB_WON, VB_SUSPEND, VB_CHANGE, VB_ENFORCE, VB_MAKE,
};

static const struct {
	const char *word;
	enum verb verb;
} verbs[] = {
	{"驳回", VB_REJECT},     {"撤销", VB_REVOKE},       {"确认", VB_CONFIRM},     {"责令", VB_ORDER},
	{"判令", VB_ORDER},      {"限被告", VB_ORDER},      {"履行", VB_PERFORM},     {"重新作出", VB_PERFORM},
	{"变更", VB_MODIFY},     {"给付", VB_PAY},          {"支付", VB_PAY},         {"赔偿", VB_COMPENSATE},
	{"维持", VB_MAINTAIN},   {"撤诉", VB_WITHDRAW},     {"撤回", VB_WITHDRAW_BACK},
	{"调解", VB_MEDIATE},    {"和解", VB_MEDIATE},      {"达成协议", VB_MEDIATE},
	{"移送", VB_TRANSFER},   {"移交", VB_TRANSFER},     {"终结", VB_TERMINATE},   {"终止", VB_TERMINATE},
	{"发回", VB_REMAND},     {"指令", VB_REMAND},       {"不予受理", VB_NOT_ACCEPTED},
	{"不予立案", VB_NOT_ACCEPTED},                      {"败诉", VB_LOST},        {"胜诉", VB_WON},
	{"中止", VB_SUSPEND},    {"改变", VB_CHANGE},       {"纠正", VB_CHANGE},      {"执行", VB_ENFORCE},
	{"作出", VB_MAKE},
};
#define NVERBS (sizeof verbs / sizeof verbs[0])

/* Earliest verb in s[from, to); returns its offset or (size_t)-1. */
static size_t next_verb(const char *s, size_t from, size_t to, size_t *vi)
{
	for (size_t i = from; i < to; i++)
		for (size_t k = 0; k < NVERBS; k++) {
			size_t n = strlen(verbs[k].word);
			if (i + n <= to && memcmp(s + i, verbs[k].word, n) == 0) {
				*vi = k;
				return i;
			}
		}
	return (size_t)-1;
}

/* Does s[from, to) start with a private party: the one an order is
 * addressed to when it is not the agency? */
static int starts_private_party(const char *s, size_t from, size_t to)
{
	static const char *const parties[] = {"被执行人", "原告", "第三人", "上诉人", "申请执行人"};

	for (size_t i = 0; i < sizeof parties / sizeof *parties; i++)
		if (find_in(s, from, to, parties[i]) == from)
			return 1;
	return 0;
}

/* The verdict of one clause s[b, e); also notes agency_changed. */
static enum verdict clause(const char *s, size_t b, size_t e, int whole_has_ruling, struct facts *f)
{
	size_t pos = b, vi = 0, at;
	enum verdict weak = V_NONE;
	int budget = 32; /* real clauses hold a few verbs; this bounds the work on garbage */

	while (budget-- > 0 && (at = next_verb(s, pos, e, &vi)) != (size_t)-1) {
		size_t after = at + strlen(verbs[vi].word);
		enum verb v = verbs[vi].verb;
		int neg = v != VB_NOT_ACCEPTED && negated(s, b, at);

		pos = after;
		switch (v) {
		case VB_REJECT:
			if (neg)
				continue;
			{
				enum verdict r = after_reject(s, after, e, whole_has_ruling);
				if (r == V_NONE)
					return V_NONE;
				return r;
			}
		case VB_REVOKE:
		case VB_MODIFY:
			if (neg) {
				weak = V_REJECTED_WEAK;
				continue;
			}
			if (at - back_cps(s, b, at, 2) == 6 && memcmp(s + at - 6, "予以", 6) == 0)
				return v == VB_REVOKE ? V_REVOKED : V_MODIFIED;
			if (agency_subject(s, b, at)) {
				f->agency_changed = 1;
				continue;
			}
			if (v == VB_REVOKE && court_object(s, after, e))
				continue; /* 撤销一审判决: the next verb decides */
			if (v == VB_MODIFY && (has(s, after, e, "诉讼请求") || has(s, after, e, "诉请") ||
					       find_in(s, after, e, "被告为") == after ||
					       (find_in(s, b, at, "原告") != (size_t)-1)))
				continue; /* 变更诉讼请求 / 变更被告为: procedure, not a verdict */
			return v == VB_REVOKE ? V_REVOKED : V_MODIFIED;
		case VB_CONFIRM:
			if (has(s, after, e, "无效") && !has(s, after, e, "不无效"))
				return V_VOID;
			if (has(s, after, e, "违法") && !has(s, after, e, "不违法") && !has(s, after, e, "未违法"))
				return neg ? V_REJECTED_WEAK : V_ILLEGAL;
			if (has(s, after, e, "合法"))
				return V_REJECTED;
			continue;
		case VB_ORDER:
			/* An order addressed to a private party (责令被执行人拆除,
			 * 判令原告…) is not a loss of the agency. */
			if (starts_private_party(s, after, e))
				continue;
			/* 责令/判令 + what is ordered: the next verb, else performance. */
			{
				size_t vj, at2 = next_verb(s, after, e, &vj);
				if (at2 != (size_t)-1) {
					enum verb v2 = verbs[vj].verb;
					if (v2 == VB_PAY)
						return V_PAY;
					if (v2 == VB_COMPENSATE)
						return V_COMPENSATION;
					if (v2 == VB_REVOKE)
						return V_REVOKED;
					if (v2 == VB_MODIFY)
						return V_MODIFIED;
				}
				return V_PERFORM;
			}
		case VB_PERFORM:
			if (neg) {
				weak = V_REJECTED_WEAK;
				continue;
			}
			if (agency_subject(s, b, at)) {
				f->agency_changed = 1;
				continue;
			}
			return V_PERFORM;
		case VB_PAY:
		case VB_COMPENSATE:
			if (neg) {
				weak = V_REJECTED_WEAK;
				continue;
			}
			return v == VB_PAY ? V_PAY : V_COMPENSATION;
		case VB_MAINTAIN:
			if (neg)
				continue;
			return court_object(s, after, e) ? V_UPHELD : V_REJECTED;
		case VB_WITHDRAW:
			if (neg)
				continue;
			return V_WITHDRAWN;
		case VB_WITHDRAW_BACK:
			if (neg)
				continue;
			if (agency_subject(s, b, at)) {
				f->agency_changed = 1;
				continue;
			}
			if (has(s, after, e, "上诉") || has(s, after, e, "再审申请") || has(s, after, e, "申诉"))
				return V_UPHELD;
			return V_WITHDRAWN;
		case VB_MEDIATE:
			if (neg || has(s, after, e, "不成") || has(s, after, e, "未成") || has(s, after, e, "无效") ||
			    has(s, after, e, "失败") || has(s, b, at, "撤销"))
				continue;
			/* 通过调解（和解）撤诉: the case ends by withdrawal; the
			 * mediation is how it came about. */
			if (has(s, after, e, "撤诉") || has(s, after, e, "撤回起诉"))
				return V_WITHDRAWN;
			return V_MEDIATED;
		case VB_TRANSFER:
			if (neg)
				continue;
			return V_TRANSFERRED;
		case VB_TERMINATE:
			if (neg)
				continue;
			return V_TERMINATED;
		case VB_REMAND:
			return V_REMANDED;
		case VB_NOT_ACCEPTED:
			return V_DISMISSED;
		case VB_LOST:
			return has(s, b, at, "原告") ? V_WON : V_LOST;
		case VB_WON:
			return has(s, b, at, "原告") ? V_LOST : V_WON;
		case VB_SUSPEND:
			return V_PENDING;
		case VB_CHANGE:
			if (!neg)
				f->agency_changed = 1;
			continue;
		case VB_ENFORCE:
			if (weak == V_NONE)
				weak = V_OTHER;
			continue;
		case VB_MAKE:
			/* 判决被告…于…日内作出具体行政行为: an order to act without
			 * 责令 or 履行.  Not 被告作出的决定 (a noun phrase), and
			 * only under a court's 判决/判令 with the agency named. */
			if (neg || find_in(s, after, e, "的") == after)
				continue;
			if ((has(s, b, at, "判决被告") || has(s, b, at, "判令被告")) &&
			    !agency_subject(s, b, at))
				return V_PERFORM;
			continue;
		}
	}
	return weak;
}

/* Clause boundaries.  The enumeration comma 、 lists items inside one
 * clause (确认…住房、猪圈、库房的行为违法) and is not one, except after
 * the number of an item (一、撤销…；二、…), see analyse. */
static int is_clause_break(uint32_t cp)
{
	switch (cp) {
	case ',': case '.': case ';': case ':': case '!': case '?': case '\n':
	case 0x3002: /* 。 */ case 0xFF0C: case 0xFF1B: case 0xFF1A:
		return 1;
	default:
		return 0;
	}
}

/* Is s[at] (a 、) the end of an item number ("一、", "2、", "十二、") that
 * starts the text or follows a clause break? */
static int item_number_before(const char *s, size_t b, size_t at)
{
	static const uint32_t numerals[] = {0x4E00, 0x4E8C, 0x4E09, 0x56DB, 0x4E94, 0x516D,
					    0x4E03, 0x516B, 0x4E5D, 0x5341}; /* 一 … 九 十 */
	size_t p = at, n = 0;

	while (p > b) {
		size_t q = back_cps(s, b, p, 1);
		uint32_t cp = 0;
		int num = 0;
		if (lw_utf8_decode(s + q, p - q, &cp) == p - q) {
			num = cp >= '0' && cp <= '9';
			for (size_t i = 0; i < sizeof numerals / sizeof *numerals && !num; i++)
				num = cp == numerals[i];
		}
		if (!num)
			break;
		p = q;
		n++;
	}
	return n > 0 && n <= 3 && p == b;
}

/* Clean text into buf (TEXT_MAX + 1 bytes): folded, without white space
 * except line breaks, which end a clause.  Returns the length. */
static size_t clean(const char *text, char *buf)
{
	return lw_text_compact(text, buf, TEXT_MAX + 1, LW_COMPACT_KEEP_NEWLINE);
}

static void analyse(const char *text, struct facts *f, char *s, size_t *lenp)
{
	size_t len = clean(text, s), b = 0;
	int ruling = has(s, 0, len, "裁定") && !has(s, 0, len, "判决");

	memset(f, 0, sizeof *f);
	while (b < len) {
		size_t e = b;
		uint32_t cp;
		size_t n;
		while (e < len && (n = lw_utf8_decode(s + e, len - e, &cp)) > 0 && !is_clause_break(cp) &&
		       !(cp == 0x3001 && item_number_before(s, b, e)))
			e += n;
		f->seen[clause(s, b, e, ruling, f)] = 1;
		n = e < len ? lw_utf8_decode(s + e, len - e, &cp) : 0;
		b = e + (n ? n : 1);
	}
	*lenp = len;
}

static const char *const changed_phrases[] = {
	"改变被诉", "改变原", "改变行政行为", "改变了", "被告改变", "被告已改变", "被告纠正", "被告已纠正",
	"自行纠正", "自行撤销", "被告撤销", "被告已撤销", "被告撤回", "被告已撤回", "被告变更", "被告已履行",
	"被告履行了", "重新作出", "被告已作出",
};

static int changed_in(const char *s, size_t len)
{
	for (size_t i = 0; i < sizeof changed_phrases / sizeof *changed_phrases; i++)
		if (has(s, 0, len, changed_phrases[i]))
			return 1;
	return 0;
}

int lw_outcome_agency_changed_act(const char *text)
{
	char s[TEXT_MAX + 1];
	struct facts f;
	size_t len;

	if (!text)
		return 0;
	analyse(text, &f, s, &len);
	return f.agency_changed || changed_in(s, len);
}

static const char *const pending_words[] = {
	"审理中", "在审", "未结", "未审结", "尚未", "待判", "待审", "开庭", "已立案", "正在", "审理阶段",
	"一审中", "二审中", "未判决", "在办", "待结", "未决", "受理", "审查中",
};

enum lw_outcome lw_outcome_classify(const char *text)
{
	char s[TEXT_MAX + 1];
	struct facts f;
	size_t len;

	if (!text)
		return LW_OUTCOME_PENDING;
	analyse(text, &f, s, &len);
	if (len == 0)
		return LW_OUTCOME_PENDING;

	/* Precedence.  A withdrawal closes the case whatever else the text
	 * tells (often why: the agency revoked its act first). */
	if (f.seen[V_WITHDRAWN])
		return f.agency_changed || changed_in(s, len) ? LW_OUTCOME_WITHDRAWN_CHANGED : LW_OUTCOME_WITHDRAWN;
	/* Losses: the verdict on the act itself first, remedies after. */
	if (f.seen[V_REVOKED]) return LW_OUTCOME_REVOKED;
	if (f.seen[V_VOID]) return LW_OUTCOME_CONFIRMED_VOID;
	if (f.seen[V_ILLEGAL]) return LW_OUTCOME_CONFIRMED_ILLEGAL;
	if (f.seen[V_MODIFIED]) return LW_OUTCOME_MODIFIED;
	if (f.seen[V_PERFORM]) return LW_OUTCOME_ORDERED_PERFORM;
	if (f.seen[V_PAY]) return LW_OUTCOME_ORDERED_PAY;
	if (f.seen[V_COMPENSATION]) return LW_OUTCOME_COMPENSATION;
	if (f.seen[V_LOST]) return LW_OUTCOME_LOST_UNSPECIFIED;
	if (f.seen[V_MEDIATED]) return LW_OUTCOME_MEDIATED;
	if (f.seen[V_TRANSFERRED]) return LW_OUTCOME_TRANSFERRED;
	if (f.seen[V_TERMINATED]) return LW_OUTCOME_TERMINATED;
	if (f.seen[V_REJECTED]) return LW_OUTCOME_REJECTED_CLAIMS;
	if (f.seen[V_DISMISSED]) return LW_OUTCOME_DISMISSED;
	if (f.seen[V_REMANDED]) return LW_OUTCOME_REMANDED;
	if (f.seen[V_UPHELD]) return LW_OUTCOME_UPHELD;
	if (f.seen[V_WON]) return LW_OUTCOME_WON_UNSPECIFIED;
	if (f.seen[V_REJECTED_WEAK]) return LW_OUTCOME_REJECTED_CLAIMS;
	if (f.seen[V_OTHER]) return LW_OUTCOME_OTHER;
	if (f.seen[V_PENDING]) return LW_OUTCOME_PENDING;
	for (size_t i = 0; i < sizeof pending_words / sizeof *pending_words; i++)
		if (has(s, 0, len, pending_words[i]))
			return LW_OUTCOME_PENDING;
	return LW_OUTCOME_UNKNOWN;
}

/* Stages above the first instance, where the text speaks of the appeal or
 * the application, not of the suit. */
static int appeal_stage(const char *type)
{
	static const char *const appeal[] = {"行终", "行赔终", "行申", "行赔申", "行再", "行赔再",
					     "行抗", "行赔抗", "行监", "行赔监", "行辖终"};

	for (size_t i = 0; type && i < sizeof appeal / sizeof *appeal; i++)
		if (!strcmp(type, appeal[i]))
			return 1;
	return 0;
}

enum lw_outcome lw_outcome_classify_case(const char *text, const char *type)
{
	enum lw_outcome o = lw_outcome_classify(text);

	if (!type)
		return o;
	/* 行审 / 行审复: the agency applied for the enforcement of its own
	 * decision.  No one sued it: whatever the court decides (准予执行,
	 * 不予受理, 责令被执行人拆除), it is not a result of a lawsuit. */
	if (!strncmp(type, "行审", strlen("行审")))
		return o == LW_OUTCOME_PENDING || o == LW_OUTCOME_UNKNOWN ? o : LW_OUTCOME_OTHER;
	/* 行终 … 本案按撤诉处理: the appeal is deemed withdrawn and the first
	 * judgment stands; only 撤回起诉 withdraws the suit itself. */
	if (appeal_stage(type) && (o == LW_OUTCOME_WITHDRAWN || o == LW_OUTCOME_WITHDRAWN_CHANGED)) {
		char s[TEXT_MAX + 1];
		size_t len = clean(text, s);
		if (!has(s, 0, len, "起诉"))
			return LW_OUTCOME_UPHELD;
	}
	return o;
}

int lw_outcome_is_loss(enum lw_outcome o, unsigned flags)
{
	switch (o) {
	case LW_OUTCOME_REVOKED:
	case LW_OUTCOME_CONFIRMED_ILLEGAL:
	case LW_OUTCOME_CONFIRMED_VOID:
	case LW_OUTCOME_ORDERED_PERFORM:
	case LW_OUTCOME_MODIFIED:
	case LW_OUTCOME_ORDERED_PAY:
	case LW_OUTCOME_COMPENSATION:
	case LW_OUTCOME_LOST_UNSPECIFIED:
		return 1;
	case LW_OUTCOME_WITHDRAWN_CHANGED:
		return (flags & LW_LOSS_COUNT_WITHDRAWN_CHANGED) != 0;
	default:
		return 0;
	}
}

int lw_outcome_is_withdrawn_or_mediated(enum lw_outcome o)
{
	return o == LW_OUTCOME_WITHDRAWN || o == LW_OUTCOME_WITHDRAWN_CHANGED || o == LW_OUTCOME_MEDIATED;
}

int lw_outcome_is_concluded(enum lw_outcome o)
{
	return o != LW_OUTCOME_PENDING && o != LW_OUTCOME_REMANDED && o != LW_OUTCOME_UNKNOWN &&
	       o > 0 && o < LW_OUTCOME__COUNT;
}

static const struct {
	const char *name, *zh;
} names[LW_OUTCOME__COUNT] = {
	[LW_OUTCOME_UNKNOWN] = {"unknown", "无法识别"},
	[LW_OUTCOME_PENDING] = {"pending", "未结"},
	[LW_OUTCOME_REJECTED_CLAIMS] = {"rejected_claims", "驳回诉讼请求"},
	[LW_OUTCOME_REVOKED] = {"revoked", "撤销"},
	[LW_OUTCOME_CONFIRMED_ILLEGAL] = {"confirmed_illegal", "确认违法"},
	[LW_OUTCOME_CONFIRMED_VOID] = {"confirmed_void", "确认无效"},
	[LW_OUTCOME_ORDERED_PERFORM] = {"ordered_perform", "责令履行"},
	[LW_OUTCOME_MODIFIED] = {"modified", "变更"},
	[LW_OUTCOME_ORDERED_PAY] = {"ordered_pay", "给付"},
	[LW_OUTCOME_COMPENSATION] = {"compensation", "赔偿"},
	[LW_OUTCOME_DISMISSED] = {"dismissed", "驳回起诉"},
	[LW_OUTCOME_WITHDRAWN] = {"withdrawn", "撤诉"},
	[LW_OUTCOME_WITHDRAWN_CHANGED] = {"withdrawn_changed", "被告改变行政行为后撤诉"},
	[LW_OUTCOME_MEDIATED] = {"mediated", "调解"},
	[LW_OUTCOME_TRANSFERRED] = {"transferred", "移送"},
	[LW_OUTCOME_TERMINATED] = {"terminated", "终结"},
	[LW_OUTCOME_UPHELD] = {"upheld", "维持原判"},
	[LW_OUTCOME_REMANDED] = {"remanded", "发回重审"},
	[LW_OUTCOME_LOST_UNSPECIFIED] = {"lost_unspecified", "败诉"},
	[LW_OUTCOME_WON_UNSPECIFIED] = {"won_unspecified", "胜诉"},
	[LW_OUTCOME_OTHER] = {"other", "其他"},
};

const char *lw_outcome_name(enum lw_outcome o)
{
	return o >= 0 && o < LW_OUTCOME__COUNT ? names[o].name : "unknown";
}

const char *lw_outcome_label_zh(enum lw_outcome o)
{
	return o >= 0 && o < LW_OUTCOME__COUNT ? names[o].zh : "无法识别";
}

enum lw_outcome lw_outcome_from_name(const char *name)
{
	for (int i = 0; i < LW_OUTCOME__COUNT; i++)
		if (name && strcmp(name, names[i].name) == 0)
			return (enum lw_outcome)i;
	return LW_OUTCOME_UNKNOWN;
}
