/*
 * alerts_int.h — what the files of core/alerts/ share and nothing else
 * sees: the module's SQL (all of it lives in sql.c), calendar helpers,
 * hashing, and the evaluation context passed between rules, lifecycle and
 * notification grouping.
 */
#ifndef LW_ALERTS_INT_H
#define LW_ALERTS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "alerts/alerts.h"
#include "figures/figures.h"

/* ---- sql.c: every statement of the module, named parameters only ---- */
extern const char *const lw_alsql_series[LW_SERIES_KIND_COUNT];
extern const char *const lw_alsql_series_agency[LW_SERIES_KIND_COUNT];
extern const char lw_alsql_alert_get[];
extern const char lw_alsql_alert_insert[];
extern const char lw_alsql_alert_update[];
extern const char lw_alsql_alert_touch[];
extern const char lw_alsql_alert_nodata[];
extern const char lw_alsql_alerts_active[];
extern const char lw_alsql_transition_insert[];
extern const char lw_alsql_silences_active[];
extern const char lw_alsql_notify_candidates[];
extern const char lw_alsql_notify_repeats[];
extern const char lw_alsql_group_last[];
extern const char lw_alsql_notification_insert[];
extern const char lw_alsql_notification_link[];
extern const char lw_alsql_alert_notified[];
extern const char lw_alsql_outbox_due[];
extern const char lw_alsql_outbox_sent[];
extern const char lw_alsql_outbox_retry[];
extern const char lw_alsql_outbox_failed[];
extern const char lw_alsql_outbox_next[];
extern const char lw_alsql_silence_insert[];
extern const char lw_alsql_silence_expire[];
extern const char lw_alsql_alert_ack[];
extern const char lw_alsql_alerts_list[];
extern const char lw_alsql_alert_show[];
extern const char lw_alsql_alert_history[];
extern const char lw_alsql_silences_list[];
extern const char lw_alsql_alert_labels[];

/* ---- kinds.c ---- */
struct lw_series_kind_info {
	const char *name;
	enum lw_freq freq;
	const char *k1, *k2; /* label names of the query's two keys */
};
extern const struct lw_series_kind_info lw_series_kinds[LW_SERIES_KIND_COUNT];

/* ---- period.c ---- */
int64_t lw_days_from_civil(int64_t y, unsigned m, unsigned d);
void lw_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);
/* "YYYY-MM-DD..." (first 10 chars) -> days since 1970-01-01. */
int lw_day_parse(const char *s, int64_t *day);
void lw_day_format(int64_t day, char *buf, size_t len);

/* ---- hash.c ---- */
/* Lower-case hex SHA-256 of data into hex (65 bytes). */
void lw_sha256_hex(const void *data, size_t len, char hex[65]);

/* ---- evaluation context (evaluate.c, lifecycle.c, notify.c) ---- */

/* The verdict of a rule for one series at one period. */
enum lw_verdict { LW_NO_DATA = -1, LW_NOT_HOLDING = 0, LW_HOLDING = 1 };

struct lw_point {
	enum lw_verdict verdict;
	double value, threshold, expected; /* NaN = none */
	char summary[1536];                /* Chinese / English, for people */
};

struct lw_eval_ctx {
	struct lw_wh *wh;
	const struct lw_alerts_conf *conf;
	int64_t now;
	char now_utc[24];
	struct lw_eval_stats *st;
	struct lw_err *e;
	struct lw_policy *policy; /* the figures the policy rules read */
	int64_t *touched; /* alert ids seen this evaluation */
	size_t ntouched, captouched;
};

/* Fingerprint: hex SHA-256 of rule "\n" canonical series labels "\n"
 * period. */
int lw_alert_fingerprint(const char *rule, json_t *series_labels, const char *period,
			 char fp[65]);

/* ---- policy.c: loss-rate, loss-rate-top and yoy-growth from the official
 * figures (core/figures), so they agree with the bulletin ---- */
struct lw_policy_entry;
struct lw_policy {
	struct lw_wh *wh;
	struct lw_fig_opts opts;
	struct lw_policy_entry *v; /* one by-agency table per period */
	size_t n, cap;
	char start_month[11];      /* first month with case data, "YYYY-MM-01"; "" none */
	int have_start;
};
void lw_policy_init(struct lw_policy *pc, struct lw_wh *wh, const struct lw_alerts_conf *conf);
void lw_policy_free(struct lw_policy *pc);
/* Nonzero for the rules policy.c evaluates. */
int lw_policy_rule(const struct lw_alert_rule *r);
/* Compute the tables r needs for its `lookback` periods up to `last`
 * (no-op for other rules). */
int lw_policy_prefetch(struct lw_policy *pc, const struct lw_alert_rule *r, enum lw_freq f,
		       int64_t last, struct lw_err *e);
/* The verdict of policy rule r for agency at period label per (who: the
 * subject as people read it).  pt starts as "no data".  Errors: LW_EDB,
 * LW_ENOMEM, LW_EINVAL (inconsistent counts), with a message in e. */
int lw_policy_point(struct lw_policy *pc, const struct lw_alert_rule *r, const char *agency,
		    const char *who, const char *per, struct lw_point *pt, struct lw_err *e);

/* lifecycle.c: apply a verdict to the alert of (rule, labels, period). */
int lw_lifecycle_apply(struct lw_eval_ctx *cx, const struct lw_alert_rule *r,
		       json_t *series_labels, const char *period, const struct lw_point *pt);
/* lifecycle.c: active alerts of r not touched yet: re-evaluate through
 * eval(period label, series labels) or keep them (no data). */
typedef int (*lw_reeval_fn)(void *ud, const char *fp, const char *period, struct lw_point *pt,
			    json_t **series_labels);
int lw_lifecycle_untouched(struct lw_eval_ctx *cx, const struct lw_alert_rule *r,
			   lw_reeval_fn fn, void *ud);

/* notify.c: group transitions into notifications for every sink. */
int lw_notify_queue(struct lw_eval_ctx *cx);

/* deadline_alerts.c: the rules deadline-reminder and deadline-overdue from
 * the stored obligations (no-op without cx->conf->deadlines). */
int lw_deadline_alerts(struct lw_eval_ctx *cx);
/* Nonzero for the labels of a deadline alert (they carry "obligation"). */
int lw_is_deadline_alert(json_t *labels);

/* sinks.c: labels helpers. */
char *lw_json_canon(json_t *v); /* compact, sorted keys; malloc'd */

/* Base64 of in (76-character lines, CRLF) into a malloc'd string (NULL on
 * ENOMEM): mail bodies and attachments (sinks.c). */
char *lw_b64(const unsigned char *in, size_t len);

#endif
