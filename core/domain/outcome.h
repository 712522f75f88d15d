/*
 * outcome.h — the outcome of an administrative case (裁判结果 / 结案方式) from
 * its free text, and whether the agency lost (败诉).
 *
 * Sources write anything from a one-word 结案方式 ("撤诉", "败诉") to the
 * operative part of a judgment ("撤销被告作出的…决定，责令被告于…重新作出").
 * lw_outcome_classify reads the text clause by clause; the rules, the
 * look-alikes and their reasons are in docs/domain-rules.md.  Pure functions.
 */
#ifndef LW_DOMAIN_OUTCOME_H
#define LW_DOMAIN_OUTCOME_H

enum lw_outcome {
	LW_OUTCOME_UNKNOWN = 0,          /* text not understood (or only "判决"/"裁定") */
	LW_OUTCOME_PENDING,              /* empty, 审理中, 中止诉讼: not concluded */
	LW_OUTCOME_REJECTED_CLAIMS,      /* 判决驳回诉讼请求: the agency won */
	LW_OUTCOME_REVOKED,              /* 撤销 (also 部分撤销, 撤销并责令重作): lost */
	LW_OUTCOME_CONFIRMED_ILLEGAL,    /* 确认违法 (also 确认违法但不撤销): lost */
	LW_OUTCOME_CONFIRMED_VOID,       /* 确认无效: lost */
	LW_OUTCOME_ORDERED_PERFORM,      /* 责令履行 (法定职责): lost */
	LW_OUTCOME_MODIFIED,             /* 变更 (the court changes the act): lost */
	LW_OUTCOME_ORDERED_PAY,          /* 给付 (pay a benefit, 支付): lost */
	LW_OUTCOME_COMPENSATION,         /* 赔偿 (行政赔偿 awarded): lost */
	LW_OUTCOME_DISMISSED,            /* 裁定驳回起诉, 不予立案: not lost */
	LW_OUTCOME_WITHDRAWN,            /* 准予撤诉, 撤回起诉, 按撤诉处理: not lost */
	LW_OUTCOME_WITHDRAWN_CHANGED,    /* withdrawn after the agency changed its act
					  * (被告改变行政行为后原告撤诉): a loss only
					  * under LW_LOSS_COUNT_WITHDRAWN_CHANGED */
	LW_OUTCOME_MEDIATED,             /* 调解 (调解书, 达成协议): not lost */
	LW_OUTCOME_TRANSFERRED,          /* 移送 (to the competent court) */
	LW_OUTCOME_TERMINATED,           /* 终结诉讼 */
	LW_OUTCOME_UPHELD,               /* the earlier decision stands: 驳回上诉维持原判,
					  * 准许撤回上诉, 驳回再审申请.  The earlier
					  * instance's outcome decides; see docs. */
	LW_OUTCOME_REMANDED,             /* 发回重审, 指令继续审理: not decided yet */
	LW_OUTCOME_LOST_UNSPECIFIED,     /* only "败诉" (the agency lost), no detail */
	LW_OUTCOME_WON_UNSPECIFIED,      /* only "胜诉" (the agency won), no detail */
	LW_OUTCOME_OTHER,                /* understood but not a litigation result,
					  * e.g. 准予执行 in a 行审 review */
	LW_OUTCOME__COUNT
};

/* Flags of lw_outcome_is_loss: the local counting settings. */
enum {
	/* Count "the plaintiff withdrew after the agency changed its act" as a
	 * loss, as some provinces' assessment rules do. */
	LW_LOSS_COUNT_WITHDRAWN_CHANGED = 1 << 0,
};

/* Classify text (NUL-terminated UTF-8, not kept; NULL is pending).  Only
 * the first 8 KiB are read.  Never fails: unrecognised text is UNKNOWN. */
enum lw_outcome lw_outcome_classify(const char *text);

/* The same, knowing the type code of the case number (类型代字: "行初",
 * "行终", "行审" …; NULL: unknown).  In a 行审 (review of an agency's own
 * application to enforce) every concluded outcome is OTHER: nobody sued
 * the agency.  At an appeal stage (行终, 行申, 行再 …) a withdrawal that is
 * not 撤回起诉 (按撤诉处理, 撤回上诉) is UPHELD: the earlier judgment
 * stands. */
enum lw_outcome lw_outcome_classify_case(const char *text, const char *type);

/* Nonzero when text says the agency changed, corrected or withdrew its own
 * act (被告改变/纠正/撤销/撤回…行政行为), the reason for a withdrawal. */
int lw_outcome_agency_changed_act(const char *text);

/* Nonzero when the outcome is a loss for the agency (败诉) under flags. */
int lw_outcome_is_loss(enum lw_outcome o, unsigned flags);

/* Nonzero for withdrawn (both kinds) and mediated: 调撤, the numerator of
 * the mediation/withdrawal rate. */
int lw_outcome_is_withdrawn_or_mediated(enum lw_outcome o);

/* Nonzero when the case is concluded (anything but pending, remanded and
 * unknown). */
int lw_outcome_is_concluded(enum lw_outcome o);

/* Stable English token for storage ("rejected_claims", "withdrawn_changed"
 * …); static, never NULL. */
const char *lw_outcome_name(enum lw_outcome o);

/* Chinese label for reports ("驳回诉讼请求"); static, never NULL. */
const char *lw_outcome_label_zh(enum lw_outcome o);

/* Inverse of lw_outcome_name; LW_OUTCOME_UNKNOWN when name is not one. */
enum lw_outcome lw_outcome_from_name(const char *name);

#endif
