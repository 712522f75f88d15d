/*
 * vocab.h — the vocabularies of 12345 government-service-hotline work orders
 * (工单): request category (诉求类型), handling status (办理状态), caller
 * satisfaction (满意度), and the "concerns law enforcement" (涉及执法) flag
 * that links hotline complaints to the lawsuits they may become.
 *
 * Every city's 12345 platform spells these its own way; the functions map
 * the common spellings to one enum.  Pure functions; text is NUL-terminated
 * UTF-8, not kept; NULL reads as empty.
 */
#ifndef LW_DOMAIN_VOCAB_H
#define LW_DOMAIN_VOCAB_H

enum lw_ticket_category {
	LW_CAT_UNKNOWN = 0, /* not recognised */
	LW_CAT_CONSULT,     /* 咨询 (enquiry; also 查询, 政策咨询) */
	LW_CAT_HELP,        /* 求助 (asking for help) */
	LW_CAT_COMPLAINT,   /* 投诉 (complaint; also 反映, 投诉举报) */
	LW_CAT_SUGGESTION,  /* 建议 (suggestion; also 意见, 意见建议) */
	LW_CAT_REPORT,      /* 举报 (reporting wrongdoing; also 检举, 揭发) */
	LW_CAT_THANKS,      /* 感谢 (thanks; also 表扬, 致谢) */
	LW_CAT_OTHER,       /* 其它 / 其他 */
	LW_CAT__COUNT
};

/* Category of text: the earliest keyword decides ("投诉举报" is a complaint). */
enum lw_ticket_category lw_ticket_category_parse(const char *text);
/* Canonical Chinese ("咨询" … "其它"; "" for unknown) and an English token
 * ("consult" …); static, never NULL. */
const char *lw_ticket_category_zh(enum lw_ticket_category c);
const char *lw_ticket_category_name(enum lw_ticket_category c);

enum lw_ticket_status {
	LW_STATUS_UNKNOWN = 0,
	LW_STATUS_RECEIVED,    /* 受理, 已受理, 登记: received by the hotline */
	LW_STATUS_ASSIGNED,    /* 转办, 派单, 交办, 待签收: sent to an agency */
	LW_STATUS_IN_PROGRESS, /* 办理中, 处理中, 在办, 已签收, 延期, 未办结 */
	LW_STATUS_RETURNED,    /* 退回, 退单: the agency sent it back (not its remit) */
	LW_STATUS_REPLIED,     /* 已答复, 待回访: handled, awaiting the call-back */
	LW_STATUS_CLOSED,      /* 已办结, 办结, 已完成, 归档 */
	LW_STATUS_VISITED,     /* 已回访, 回访完成: closed and the caller called back */
	LW_STATUS_CANCELLED,   /* 作废, 撤单, 重复件, 无效工单 */
	LW_STATUS__COUNT
};

enum lw_ticket_status lw_ticket_status_parse(const char *text);
/* Nonzero for REPLIED, CLOSED, VISITED and CANCELLED: the agency's work
 * is done (12345 centres count 已答复待回访 as 办结). */
int lw_ticket_status_is_closed(enum lw_ticket_status s);
const char *lw_ticket_status_name(enum lw_ticket_status s);
const char *lw_ticket_status_zh(enum lw_ticket_status s);

enum lw_satisfaction {
	LW_SAT_UNKNOWN = 0,      /* text not understood */
	LW_SAT_UNRATED,          /* 未评价, 未回访, 无, empty */
	LW_SAT_SATISFIED,        /* 满意, 非常满意 */
	LW_SAT_BASIC,            /* 基本满意, 比较满意, 一般 */
	LW_SAT_DISSATISFIED,     /* 不满意, 非常不满意 */
	LW_SAT__COUNT
};

/*
 * Satisfaction of text.  Words as above; numeric scores ("4", "4.5",
 * "85分", "90%") are read on a scale of scale_max points (5, 10, 100), or,
 * with scale_max = 0, on the smallest of 5, 10 and 100 that holds the score.
 * score/scale >= 80 % is satisfied, >= 60 % basic, below dissatisfied.
 * Numeric codes (1 = 满意 …) are not scores: map them in the profile.
 */
enum lw_satisfaction lw_satisfaction_parse(const char *text, int scale_max);
const char *lw_satisfaction_name(enum lw_satisfaction s);
const char *lw_satisfaction_zh(enum lw_satisfaction s);

/*
 * The law-enforcement keyword (执法, 处罚, 罚款, 强拆, 拆迁, 城管, 查封 …) text
 * contains, or NULL.  A ticket concerns law enforcement when its category,
 * topic or title has one; the caller ORs over those fields and may keep the
 * returned keyword (static) as the reason.
 */
const char *lw_enforcement_keyword(const char *text);

/* For tests and the fuzz target: 0 when the keyword matcher (one pass over
 * the text) gives, for text and every table above, what a strstr per
 * keyword gives, and every keyword has the shape the matcher relies on;
 * -1 otherwise. */
int lw_vocab_selfcheck(const char *text);

#endif
