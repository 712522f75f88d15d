/*
 * vocab.c — 12345 hotline vocabularies (see vocab.h).  Keyword tables are
 * searched in a cleaned copy of the text (full-width folded, no spaces).
 */
#include "domain/vocab.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "base/text.h"

#define CLEAN_MAX 512

/* Folded copy of text without white space, truncated to CLEAN_MAX bytes at a
 * character boundary; out holds CLEAN_MAX + 1 bytes. */
static size_t clean(const char *text, char *out)
{
	return lw_text_compact(text, out, CLEAN_MAX + 1, 0);
}

struct kw {
	const char *word;
	int value;
};

/* Index of the keyword of tab found earliest in s (longest on a tie), or -1: one
 * strstr per word.  The reference that the one-pass matcher below must
 * agree with (lw_vocab_selfcheck; the fuzz target compares them). */
static int earliest_ref(const char *s, const struct kw *tab, size_t n)
{
	const char *best = NULL;
	int idx = -1;
	size_t blen = 0;

	for (size_t i = 0; i < n; i++) {
		const char *at = strstr(s, tab[i].word);
		size_t l = strlen(tab[i].word);
		if (at && (!best || at < best || (at == best && l > blen))) {
			best = at;
			blen = l;
			idx = (int)i;
		}
	}
	return idx;
}

/* Index of the first keyword of tab, in table order, that s contains, or -1 (the
 * reference, as above). */
static int first_listed_ref(const char *s, const struct kw *tab, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strstr(s, tab[i].word))
			return (int)i;
	return -1;
}

/* ---- one pass over the text ------------------------------------------
 *
 * A strstr per keyword was ~4% of a 12345 import's CPU (48 statuses, 17
 * categories, 13 satisfactions, 23 enforcement words, on each row).  Every
 * keyword starts with a 3-byte UTF-8 character (a CJK ideograph: the
 * tables' words, checked by the unit tests), and a 3-byte lead (E0..EF)
 * never occurs inside another character, so one pass over the text that
 * looks at each such lead decides every word: a 4096-bit filter on the
 * low six bits of the character's two continuation bytes lets through
 * only the characters that start some keyword, and those are compared
 * with the few words they start.  Hand-written rather than a library's
 * Aho-Corasick automaton: the texts are at most CLEAN_MAX bytes, the
 * tables small and fixed, the two answers wanted (first in table order,
 * earliest and longest) easy here and not what a generic matcher returns,
 * and it needs no dependency or dynamic memory. */

#define KW_MAX 64

struct kwset {
	const struct kw *tab;
	size_t n;
	uint32_t first[KW_MAX]; /* the word's first character, 3 bytes */
	uint32_t len[KW_MAX];
	uint64_t filter[64];    /* bit (b1 & 63) << 6 | (b2 & 63): some word starts so */
};

static uint32_t key3(const unsigned char *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static unsigned filter_bit(const unsigned char *p)
{
	return (unsigned)(p[1] & 63) << 6 | (p[2] & 63);
}

static void kwset_init(struct kwset *k, const struct kw *tab, size_t n)
{
	k->tab = tab;
	k->n = n < KW_MAX ? n : KW_MAX;
	memset(k->filter, 0, sizeof k->filter);
	for (size_t i = 0; i < k->n; i++) {
		const unsigned char *w = (const unsigned char *)tab[i].word;
		k->len[i] = (uint32_t)strlen(tab[i].word);
		k->first[i] = key3(w);
		k->filter[filter_bit(w) >> 6] |= (uint64_t)1 << (filter_bit(w) & 63);
	}
}

enum kw_want { KW_FIRST_LISTED, KW_EARLIEST };

/* Index in k's table of the word wanted (see the references above), or
 * -1.  s is NUL-terminated, slen its length. */
static int kwset_find(const struct kwset *k, const char *s, size_t slen, enum kw_want want)
{
	const unsigned char *u = (const unsigned char *)s, *end = u + slen;
	size_t best = k->n;

	for (const unsigned char *p = u; p + 3 <= end; p++) {
		uint32_t c;
		unsigned bit;
		size_t at_len = 0;
		if ((*p & 0xF0) != 0xE0)
			continue;
		bit = filter_bit(p);
		if (!(k->filter[bit >> 6] >> (bit & 63) & 1))
			continue;
		c = key3(p);
		for (size_t i = 0; i < (want == KW_FIRST_LISTED ? best : k->n); i++) {
			if (k->first[i] != c || k->len[i] > (size_t)(end - p) ||
			    memcmp(p + 3, k->tab[i].word + 3, k->len[i] - 3) != 0)
				continue;
			if (want == KW_FIRST_LISTED) {
				best = i;
				break;
			}
			if (k->len[i] > at_len) { /* longest here; the first listed on a tie */
				at_len = k->len[i];
				best = i;
			}
		}
		if (want == KW_EARLIEST && best < k->n)
			break;
		if (best == 0)
			break;
	}
	return best < k->n ? (int)best : -1;
}

/* The tables below, prepared once for the process (any thread). */
static struct {
	struct kwset categories, statuses, satisfactions, enforcement;
} sets;
static pthread_once_t sets_once = PTHREAD_ONCE_INIT;
static void sets_init(void);

static int find(const struct kwset *k, const char *s, size_t slen, enum kw_want want)
{
	pthread_once(&sets_once, sets_init);
	return kwset_find(k, s, slen, want);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- category ------------------------------------------------------- */

static const struct kw categories[] = {
	{"咨询", LW_CAT_CONSULT},    {"查询", LW_CAT_CONSULT},    {"询问", LW_CAT_CONSULT},
	{"求助", LW_CAT_HELP},       {"求援", LW_CAT_HELP},       {"投诉", LW_CAT_COMPLAINT},
	{"反映", LW_CAT_COMPLAINT},  {"建议", LW_CAT_SUGGESTION}, {"意见", LW_CAT_SUGGESTION},
	{"举报", LW_CAT_REPORT},     {"检举", LW_CAT_REPORT},     {"揭发", LW_CAT_REPORT},
	{"感谢", LW_CAT_THANKS},     {"表扬", LW_CAT_THANKS},     {"致谢", LW_CAT_THANKS},
	{"其它", LW_CAT_OTHER},      {"其他", LW_CAT_OTHER},
};

enum lw_ticket_category lw_ticket_category_parse(const char *text)
{
	char s[CLEAN_MAX + 1];
	size_t n = clean(text, s);
	int v;

	v = find(&sets.categories, s, n, KW_EARLIEST);
	return v < 0 ? LW_CAT_UNKNOWN : (enum lw_ticket_category)categories[v].value;
}

static const char *const cat_zh[LW_CAT__COUNT] = {"", "咨询", "求助", "投诉", "建议", "举报", "感谢", "其它"};
static const char *const cat_name[LW_CAT__COUNT] = {"unknown",    "consult", "help",   "complaint",
						    "suggestion", "report",  "thanks", "other"};

const char *lw_ticket_category_zh(enum lw_ticket_category c)
{
	return c >= 0 && c < LW_CAT__COUNT ? cat_zh[c] : "";
}

const char *lw_ticket_category_name(enum lw_ticket_category c)
{
	return c >= 0 && c < LW_CAT__COUNT ? cat_name[c] : "unknown";
}

/* ---- status --------------------------------------------------------- */

/* Checked in this order: negated and compound forms before the words they
 * contain (未办结 before 办结, 待回访 before 回访, 待签收 before 签收). */
static const struct kw statuses[] = {
	{"作废", LW_STATUS_CANCELLED},      {"撤单", LW_STATUS_CANCELLED},
	{"重复件", LW_STATUS_CANCELLED},    {"重复工单", LW_STATUS_CANCELLED},
	{"无效工单", LW_STATUS_CANCELLED},  {"不予受理", LW_STATUS_CANCELLED},
	{"未办结", LW_STATUS_IN_PROGRESS},  {"未完成", LW_STATUS_IN_PROGRESS},
	{"未处理", LW_STATUS_IN_PROGRESS},  {"待办结", LW_STATUS_IN_PROGRESS},
	{"未回访", LW_STATUS_REPLIED},      {"待回访", LW_STATUS_REPLIED},
	{"待评价", LW_STATUS_REPLIED},      {"已答复", LW_STATUS_REPLIED},
	{"已回复", LW_STATUS_REPLIED},      {"已反馈", LW_STATUS_REPLIED},
	{"回访", LW_STATUS_VISITED},        {"已评价", LW_STATUS_VISITED},
	{"退回", LW_STATUS_RETURNED},       {"退单", LW_STATUS_RETURNED},
	{"回退", LW_STATUS_RETURNED},       {"驳回", LW_STATUS_RETURNED},
	{"待签收", LW_STATUS_ASSIGNED},     {"办结", LW_STATUS_CLOSED},
	{"完成", LW_STATUS_CLOSED},         {"结案", LW_STATUS_CLOSED},
	{"归档", LW_STATUS_CLOSED},         {"关闭", LW_STATUS_CLOSED},
	{"已处理", LW_STATUS_CLOSED},       {"处理完毕", LW_STATUS_CLOSED},
	{"办理中", LW_STATUS_IN_PROGRESS},  {"处理中", LW_STATUS_IN_PROGRESS},
	{"在办", LW_STATUS_IN_PROGRESS},    {"承办中", LW_STATUS_IN_PROGRESS},
	{"待办", LW_STATUS_IN_PROGRESS},    {"延期", LW_STATUS_IN_PROGRESS},
	{"督办", LW_STATUS_IN_PROGRESS},    {"签收", LW_STATUS_IN_PROGRESS},
	{"转办", LW_STATUS_ASSIGNED},       {"派单", LW_STATUS_ASSIGNED},
	{"派发", LW_STATUS_ASSIGNED},       {"交办", LW_STATUS_ASSIGNED},
	{"分派", LW_STATUS_ASSIGNED},       {"转派", LW_STATUS_ASSIGNED},
	{"受理", LW_STATUS_RECEIVED},       {"登记", LW_STATUS_RECEIVED},
	{"新建", LW_STATUS_RECEIVED},       {"新工单", LW_STATUS_RECEIVED},
};

enum lw_ticket_status lw_ticket_status_parse(const char *text)
{
	char s[CLEAN_MAX + 1];
	size_t n = clean(text, s);
	int v;

	v = find(&sets.statuses, s, n, KW_FIRST_LISTED);
	return v < 0 ? LW_STATUS_UNKNOWN : (enum lw_ticket_status)statuses[v].value;
}

int lw_ticket_status_is_closed(enum lw_ticket_status s)
{
	return s == LW_STATUS_REPLIED || s == LW_STATUS_CLOSED || s == LW_STATUS_VISITED || s == LW_STATUS_CANCELLED;
}

static const char *const st_name[LW_STATUS__COUNT] = {"unknown",  "received", "assigned", "in_progress", "returned",
						      "replied",  "closed",   "visited",  "cancelled"};
static const char *const st_zh[LW_STATUS__COUNT] = {"", "已受理", "已转办", "办理中", "已退回",
						    "已答复", "已办结", "已回访", "已作废"};

const char *lw_ticket_status_name(enum lw_ticket_status s)
{
	return s >= 0 && s < LW_STATUS__COUNT ? st_name[s] : "unknown";
}

const char *lw_ticket_status_zh(enum lw_ticket_status s)
{
	return s >= 0 && s < LW_STATUS__COUNT ? st_zh[s] : "";
}

/* ---- satisfaction --------------------------------------------------- */

static const struct kw satisfactions[] = {
	{"不满意", LW_SAT_DISSATISFIED}, {"不太满意", LW_SAT_DISSATISFIED}, {"基本满意", LW_SAT_BASIC},
	{"比较满意", LW_SAT_BASIC},      {"较满意", LW_SAT_BASIC},          {"一般", LW_SAT_BASIC},
	{"未评价", LW_SAT_UNRATED},      {"未评", LW_SAT_UNRATED},          {"未回访", LW_SAT_UNRATED},
	{"无法联系", LW_SAT_UNRATED},    {"拒绝评价", LW_SAT_UNRATED},      {"拒评", LW_SAT_UNRATED},
	{"满意", LW_SAT_SATISFIED},
};

/* Score in tenths from "4", "4.5", "85分", "90%"; -1 when not a number. */
static long score_tenths(const char *s)
{
	long v = 0;
	int digits = 0;

	for (; *s >= '0' && *s <= '9'; s++, digits++) {
		if (v > 100000)
			return -1;
		v = v * 10 + (*s - '0');
	}
	if (digits == 0)
		return -1;
	v *= 10;
	if (*s == '.') {
		s++;
		if (*s >= '0' && *s <= '9')
			v += *s++ - '0';
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (strcmp(s, "分") == 0 || strcmp(s, "%") == 0 || *s == '\0')
		return v;
	return -1;
}

enum lw_satisfaction lw_satisfaction_parse(const char *text, int scale_max)
{
	char s[CLEAN_MAX + 1];
	size_t n = clean(text, s);
	long t;
	int v;

	if (s[0] == '\0' || strcmp(s, "无") == 0 || strcmp(s, "-") == 0 || strcmp(s, "/") == 0)
		return LW_SAT_UNRATED;
	if ((v = find(&sets.satisfactions, s, n, KW_FIRST_LISTED)) >= 0)
		return (enum lw_satisfaction)satisfactions[v].value;
	if ((t = score_tenths(s)) < 0)
		return LW_SAT_UNKNOWN;
	if (strchr(s, '%'))
		scale_max = 100;
	if (scale_max <= 0)
		scale_max = t <= 50 ? 5 : t <= 100 ? 10 : 100;
	if (t > scale_max * 10L)
		return LW_SAT_UNKNOWN;
	/* t/10 / scale >= 0.8  <=>  t * 10 >= scale * 80  (integers only) */
	if (t * 10 >= scale_max * 80L)
		return LW_SAT_SATISFIED;
	if (t * 10 >= scale_max * 60L)
		return LW_SAT_BASIC;
	return LW_SAT_DISSATISFIED;
}

static const char *const sat_name[LW_SAT__COUNT] = {"unknown", "unrated", "satisfied", "basic", "dissatisfied"};
static const char *const sat_zh[LW_SAT__COUNT] = {"", "未评价", "满意", "基本满意", "不满意"};

const char *lw_satisfaction_name(enum lw_satisfaction s)
{
	return s >= 0 && s < LW_SAT__COUNT ? sat_name[s] : "unknown";
}

const char *lw_satisfaction_zh(enum lw_satisfaction s)
{
	return s >= 0 && s < LW_SAT__COUNT ? sat_zh[s] : "";
}

/* ---- law enforcement ------------------------------------------------ */

/* Words that mark a ticket about an administrative enforcement act: the
 * acts that most often turn into lawsuits (行政处罚, 行政强制, 征收拆迁). */
static const struct kw enforcement_words[] = {
	{"执法", 0}, {"处罚", 0}, {"罚款", 0}, {"罚单", 0}, {"强拆", 0}, {"拆迁", 0}, {"拆除", 0},
	{"城管", 0}, {"查封", 0}, {"扣押", 0}, {"没收", 0}, {"吊销", 0}, {"暂扣", 0}, {"强制", 0},
	{"责令停", 0}, {"停业整顿", 0}, {"征收", 0}, {"征地", 0}, {"违建", 0}, {"违章建筑", 0},
	{"拘留", 0}, {"贴条", 0}, {"拖车", 0},
};

/* The first word of the list found anywhere in text (one pass, see
 * kwset_find). */
const char *lw_enforcement_keyword(const char *text)
{
	char s[CLEAN_MAX + 1];
	size_t n = clean(text, s);
	int v;

	v = find(&sets.enforcement, s, n, KW_FIRST_LISTED);
	return v < 0 ? NULL : enforcement_words[v].word;
}

static void sets_init(void)
{
	kwset_init(&sets.categories, categories, N(categories));
	kwset_init(&sets.statuses, statuses, N(statuses));
	kwset_init(&sets.satisfactions, satisfactions, N(satisfactions));
	kwset_init(&sets.enforcement, enforcement_words, N(enforcement_words));
}

/* One table: every word starts with a 3-byte character and fits the set;
 * the one-pass answer is the reference's on s. */
static int check_table(const struct kwset *k, const struct kw *tab, size_t n, const char *s,
		       size_t slen, enum kw_want want)
{
	int ref = want == KW_EARLIEST ? earliest_ref(s, tab, n) : first_listed_ref(s, tab, n);

	if (n > KW_MAX)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)tab[i].word[0] & 0xF0) != 0xE0 || strlen(tab[i].word) < 3)
			return -1;
	return kwset_find(k, s, slen, want) == ref ? 0 : -1;
}

int lw_vocab_selfcheck(const char *text)
{
	char s[CLEAN_MAX + 1];
	size_t n = clean(text, s);

	pthread_once(&sets_once, sets_init);
	if (check_table(&sets.categories, categories, N(categories), s, n, KW_EARLIEST) ||
	    check_table(&sets.statuses, statuses, N(statuses), s, n, KW_FIRST_LISTED) ||
	    check_table(&sets.satisfactions, satisfactions, N(satisfactions), s, n, KW_FIRST_LISTED) ||
	    check_table(&sets.enforcement, enforcement_words, N(enforcement_words), s, n,
			KW_FIRST_LISTED))
		return -1;
	return 0;
}
