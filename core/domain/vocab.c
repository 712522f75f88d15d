/*
 * vocab.c — 12345 hotline vocabularies (see vocab.h).  Keyword tables are
 * searched in a cleaned copy of the text (full-width folded, no spaces).
 */
#include "domain/vocab.h"

#include <stdint.h>
#include <string.h>

#include "base/text.h"

#define CLEAN_MAX 512

/* Folded copy of text without white space, truncated to CLEAN_MAX bytes at a
 * character boundary; out holds CLEAN_MAX + 1 bytes. */
static void clean(const char *text, char *out)
{
	lw_text_compact(text, out, CLEAN_MAX + 1, 0);
}

struct kw {
	const char *word;
	int value;
};

/* The keyword of tab found earliest in s (longest on a tie), or -1. */
static int earliest(const char *s, const struct kw *tab, size_t n)
{
	const char *best = NULL;
	int val = -1;
	size_t blen = 0;

	for (size_t i = 0; i < n; i++) {
		const char *at = strstr(s, tab[i].word);
		size_t l = strlen(tab[i].word);
		if (at && (!best || at < best || (at == best && l > blen))) {
			best = at;
			blen = l;
			val = tab[i].value;
		}
	}
	return val;
}

/* The first keyword of tab, in table order, that s contains, or -1. */
static int first_listed(const char *s, const struct kw *tab, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strstr(s, tab[i].word))
			return tab[i].value;
	return -1;
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
	int v;

	clean(text, s);
	v = earliest(s, categories, N(categories));
	return v < 0 ? LW_CAT_UNKNOWN : (enum lw_ticket_category)v;
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
	int v;

	clean(text, s);
	v = first_listed(s, statuses, N(statuses));
	return v < 0 ? LW_STATUS_UNKNOWN : (enum lw_ticket_status)v;
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
	long t;
	int v;

	clean(text, s);
	if (s[0] == '\0' || strcmp(s, "无") == 0 || strcmp(s, "-") == 0 || strcmp(s, "/") == 0)
		return LW_SAT_UNRATED;
	if ((v = first_listed(s, satisfactions, N(satisfactions))) >= 0)
		return (enum lw_satisfaction)v;
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
static const char *const enforcement_words[] = {
	"执法", "处罚", "罚款", "罚单", "强拆", "拆迁", "拆除", "城管", "查封", "扣押", "没收", "吊销",
	"暂扣", "强制", "责令停", "停业整顿", "征收", "征地", "违建", "违章建筑", "拘留", "贴条", "拖车",
};

static uint32_t key3(const unsigned char *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

/* The first word of the list found anywhere in text.  One pass over the
 * text comparing each ideograph with the words' first ones, instead of a
 * strstr per word (23 passes; measured: 5% of a 12345 import's CPU).
 * Every word starts with a 3-byte character, whose lead byte (>= E0)
 * never occurs inside another character. */
const char *lw_enforcement_keyword(const char *text)
{
	char s[CLEAN_MAX + 1];
	uint32_t first[N(enforcement_words)];
	size_t best = N(enforcement_words);

	clean(text, s);
	for (size_t i = 0; i < N(enforcement_words); i++)
		first[i] = key3((const unsigned char *)enforcement_words[i]);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		uint32_t k;
		if (*p < 0xE0 || !p[1] || !p[2])
			continue;
		k = key3(p);
		for (size_t i = 0; i < best; i++)
			if (first[i] == k &&
			    !strncmp((const char *)p + 3, enforcement_words[i] + 3,
				     strlen(enforcement_words[i]) - 3))
				best = i;
	}
	return best < N(enforcement_words) ? enforcement_words[best] : NULL;
}
