/*
 * core/alerts/: from warehouse counts to notifications: series, rules,
 * alert lifecycle, silences, the outbox and its sinks.
 *
 * alerts.h — the alert engine: series from the warehouse, rules from the
 * config's `detect` section, an alert lifecycle like Prometheus +
 * Alertmanager persisted in the warehouse, and a notification outbox
 * drained towards sinks (log, webhook, WeCom, DingTalk, e-mail).
 *
 * Data flow (docs/alerts.md for operators):
 *
 *   lw_alerts_evaluate()  one write transaction: read series, run every
 *                         rule, upsert `alerts`, append `alert_transitions`,
 *                         queue `notifications` (+ `notification_alerts`);
 *   lw_outbox_take_due()  what is due, rendered per sink; lw_alert_send()
 *                         POSTs / mails it through the HTTP driver;
 *   lw_outbox_record()    sent / retry-later / failed.
 *
 * Time: every function takes "now" as Unix seconds (UTC) from its caller, so
 * an evaluation is a pure function of the warehouse and `now`.  Periods
 * (months, quarters, ISO weeks) are taken in Beijing time (UTC+8), as the
 * dates in the warehouse are.
 *
 * Threads: like struct lw_wh, nothing here is thread-safe: a connection
 * is used by one thread at a time.  The engine (below) runs evaluation and
 * outbox writes on libuv's thread pool with its own connection, one piece
 * of work at a time, and sends on the loop thread.
 */
#ifndef LW_ALERTS_H
#define LW_ALERTS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "base/err.h"
#include "deadlines/deadlines.h"
#include "detect/detect.h"
#include "domain/rates.h"
#include "warehouse/warehouse.h"

/* ---- series ------------------------------------------------------------- */

enum lw_series_kind {
	LW_SERIES_FILED_MONTHLY = 0,          /* cases.filed.monthly.overall */
	LW_SERIES_FILED_MONTHLY_AGENCY,       /* cases.filed.monthly.by_agency */
	LW_SERIES_FILED_MONTHLY_DOMAIN,       /* cases.filed.monthly.by_domain */
	LW_SERIES_FILED_MONTHLY_ACT_TYPE,     /* cases.filed.monthly.by_act_type */
	LW_SERIES_LOST_QUARTERLY_AGENCY,      /* cases.lost.quarterly.by_agency */
	LW_SERIES_TICKETS_WEEKLY_CAT_AGENCY,  /* tickets.weekly.by_category_agency */
	LW_SERIES_TICKETS_WEEKLY_TOPIC,       /* tickets.weekly.by_topic */
	LW_SERIES_KIND_COUNT
};

enum lw_freq { LW_FREQ_MONTH, LW_FREQ_QUARTER, LW_FREQ_WEEK };

/* One series: v[i] is the count of period first+i; periods are dense (a
 * period without rows after the first data is 0) and the last one is the
 * period of "now".  Periods before `first` have no data. */
struct lw_series {
	json_t *labels; /* object of strings, e.g. {"agency": "市自然资源局"} (owned) */
	int64_t first;  /* period index (lw_period_*) of v[0] */
	size_t n;
	double *v;      /* the count */
	double *aux;    /* cases.lost.*: concluded cases of the period; else NULL */
};

struct lw_series_set {
	enum lw_series_kind kind;
	enum lw_freq freq;
	int64_t last; /* period index of "now" */
	size_t n;
	struct lw_series *s;
};

/* Name ("cases.filed.monthly.by_agency") of a kind, and back (-1 unknown). */
const char *lw_series_kind_name(enum lw_series_kind k);
int lw_series_kind_parse(const char *name);

/* Read every series of `kind` from wh up to the period that contains `now`.
 * withdrawn_is_loss: count outcomes whose loss is NULL (withdrawn after the
 * agency changed its act) as losses.  On success *out is filled (free with
 * lw_series_set_free).  Runs inside the caller's transaction, if any.
 * Errors: LW_EDB, LW_ENOMEM. */
int lw_series_load(struct lw_wh *wh, enum lw_series_kind kind, int64_t now,
		   int withdrawn_is_loss, struct lw_series_set *out, struct lw_err *e);
void lw_series_set_free(struct lw_series_set *set);
/* The same for one agency (its canonical name): only the series whose
 * "agency" label is agency, each exactly as lw_series_load gives it.  kind
 * must be one by agency (cases.filed.monthly.by_agency,
 * cases.lost.quarterly.by_agency, tickets.weekly.by_category_agency);
 * LW_EINVAL otherwise. */
int lw_series_load_agency(struct lw_wh *wh, enum lw_series_kind kind, int64_t now,
			  int withdrawn_is_loss, const char *agency, struct lw_series_set *out,
			  struct lw_err *e);

/* Period arithmetic.  A period index counts months (year*12+month-1),
 * quarters (year*4+q-1) or ISO weeks (weeks since the Monday 1969-12-29).
 * lw_period_of_day: day = days since 1970-01-01.  lw_period_label writes
 * "2024-06", "2024Q2" or "2024-W26" into buf (>= 16 bytes). */
int64_t lw_period_of_day(enum lw_freq f, int64_t day);
void lw_period_label(enum lw_freq f, int64_t period, char *buf, size_t len);
/* Parse a label of frequency f; LW_EINVAL when it is not one. */
int lw_period_parse(enum lw_freq f, const char *label, int64_t *period);
/* Beijing civil day of a Unix time. */
int64_t lw_beijing_day(int64_t unix_s);

/* Unix seconds <-> "YYYY-MM-DDTHH:MM:SSZ" (buf >= 21 bytes).  Parse also
 * accepts "YYYY-MM-DD" (midnight UTC).  LW_EINVAL on anything else. */
void lw_utc_format(int64_t unix_s, char *buf, size_t len);
int lw_utc_parse(const char *text, int64_t *unix_s);

/* ---- configuration ------------------------------------------------------ */

enum lw_alert_method {
	LW_METHOD_EARS = 1,      /* ears-c1|ears-c2|ears-c3 (opt.ears.method) */
	LW_METHOD_FARRINGTON,    /* farrington */
	LW_METHOD_CUSUM,         /* cusum */
	LW_METHOD_LOSS_RATE,     /* loss-rate: lost/concluded above X % with >= N concluded */
	LW_METHOD_YOY_GROWTH,    /* yoy-growth: filed, 12 months vs the 12 before */
	LW_METHOD_LOSS_RATE_TOP, /* loss-rate-top: top N of the quarter's loss-rate ranking */
	LW_METHOD_DEADLINE,      /* the built-in deadline-reminder / deadline-overdue */
};

struct lw_alert_rule {
	char *name;
	enum lw_series_kind series;
	enum lw_alert_method method;
	struct lw_ears_opts ears;
	struct lw_farrington_opts farrington;
	struct lw_cusum_opts cusum;
	double above_percent;  /* loss-rate, yoy-growth */
	int64_t min_count;     /* loss-rate(-top): concluded; yoy-growth: cases */
	unsigned top;          /* loss-rate-top */
	unsigned window;       /* yoy-growth: months per window (12) */
	unsigned cusum_baseline; /* cusum: periods before the summed range (12) */
	unsigned for_n;        /* evaluations the condition must hold; >= 1 */
	unsigned lookback;     /* latest periods evaluated each time; >= 1 */
	char *severity;        /* "info" | "warning" | "critical" */
	json_t *labels;        /* extra labels (object of strings, owned) */
};

enum lw_sink_type { LW_SINK_LOG, LW_SINK_WEBHOOK, LW_SINK_WECOM, LW_SINK_DINGTALK, LW_SINK_EMAIL };

/* One label matcher: name=value or name!=value. */
struct lw_matcher {
	char *name, *value;
	int negate;
};

struct lw_alert_sink {
	char *name;
	enum lw_sink_type type;
	char *url;        /* webhook/wecom/dingtalk: http(s); email: smtp(s)://host:port */
	char *secret;     /* dingtalk signing secret, or NULL (SECRET) */
	char *from;       /* email */
	char **to;        /* email recipients */
	size_t nto;
	char *username;   /* email */
	char *password;   /* email, read from password_file (SECRET) */
	char *ca_file;    /* extra CA bundle for TLS, or NULL */
	int64_t timeout_ms;
	int send_resolved;
	struct lw_matcher *match; /* all must match for the sink to get an alert */
	size_t nmatch;
};

struct lw_alerts_conf {
	struct lw_alert_rule *rules;
	size_t nrules;
	int withdrawn_is_loss;   /* withdrawn_after_change_is_loss (the config's, one rule) */
	enum lw_rounding rounding; /* the config's rounding: rates as published */
	char **group_by;         /* label names; default ["rule"] */
	size_t ngroup_by;
	int64_t group_wait_ms, group_interval_ms, repeat_interval_ms;
	int64_t evaluate_every_ms, debounce_ms;
	int64_t retry_initial_ms, retry_max_ms;
	unsigned max_attempts;
	struct lw_alert_sink *sinks;
	size_t nsinks;
	/* The config's `deadlines` section (a reference, or NULL): its open
	 * obligations become the alerts deadline-reminder and deadline-overdue
	 * (deadline_alerts.c).  Set by the config loader. */
	struct lw_dl_conf *deadlines;
};

/* Validate the `detect` and `alerts` sections (either may be NULL: absent)
 * as a whole; every problem goes to diag naming its key path
 * ("detect.rules[2].method: expected one of ...").  Returns the number of
 * problems added.  Relative files (password_file, ca_file) are checked
 * against the current directory; lw_alerts_conf_parse takes a base. */
int lw_alerts_config_check(json_t *detect, json_t *alerts, struct lw_diag *diag);

/* Validate and build the parsed form.  On success (0) *out is owned by the
 * caller (lw_alerts_conf_free); on LW_EINVAL every problem is in diag. */
int lw_alerts_conf_parse(json_t *detect, json_t *alerts, const char *base_dir,
			 struct lw_alerts_conf **out, struct lw_diag *diag);
void lw_alerts_conf_free(struct lw_alerts_conf *c);
/* The configured name of r's method ("ears-c2", "loss-rate", ...), as
 * alerts.method stores it. */
const char *lw_method_name(const struct lw_alert_rule *r);

/* Parse one matcher "name=value" / "name!=value" (names: letters, digits,
 * '_'; value: any UTF-8 text, may be empty).  Fills *m (free with
 * lw_matcher_clear).  LW_EINVAL with a message in e. */
int lw_matcher_parse(const char *text, struct lw_matcher *m, struct lw_err *e);
void lw_matcher_clear(struct lw_matcher *m);
/* Nonzero when labels (a JSON object) satisfy every matcher. */
int lw_matchers_match(const struct lw_matcher *m, size_t n, json_t *labels);

/* ---- evaluation --------------------------------------------------------- */

struct lw_eval_stats {
	size_t series;        /* series examined */
	size_t points;        /* (series, period) evaluations */
	size_t holding;       /* of which the condition held */
	size_t no_data;       /* active alerts left as they were: no data */
	size_t transitions;   /* alert_transitions rows written */
	size_t notifications; /* notifications queued */
	size_t silenced;      /* transitions held back by a silence */
};

/* Run every rule of conf once at `now`, in one write transaction (BEGIN
 * IMMEDIATE ... COMMIT) on the writer wh; on any error everything is rolled
 * back.  Deterministic: the same warehouse and now give the same rows, and
 * evaluating twice at the same now changes nothing the second time.
 * stats may be NULL.  Errors: LW_EBUSY, LW_EDB, LW_ENOMEM, LW_EINVAL. */
int lw_alerts_evaluate(struct lw_wh *wh, const struct lw_alerts_conf *conf, int64_t now,
		       struct lw_eval_stats *stats, struct lw_err *e);

/* The detector of rule r (ears-*, farrington, cusum) at index i of the
 * counts v[0..i] (only those are used), as an evaluation computes it (band.c):
 * returns 1 with *expected, *upper (NaN: none) and *alarm (LW_ALARM_*) set;
 * 0 when the rule is not a detector or i is too early for its baseline
 * (no data); LW_ENOMEM. */
int lw_alert_rule_point(const struct lw_alert_rule *r, const double *v, size_t i,
			double *expected, double *upper, int *alarm);

/* ---- outbox and transport ----------------------------------------------- */

/* The outcome of one attempt to deliver notification `id` to `sink`. */
struct lw_outbox_outcome {
	int64_t id;
	int64_t attempts; /* attempts recorded before this one */
	char sink[72];
	int rc;           /* 0 delivered, else negative */
	char detail[256]; /* why it failed ("" : lw_strerror(rc)) */
};

/* A notification due for a sink, rendered (url and body malloc'd). */
struct lw_outbox_msg {
	struct lw_outbox_outcome o; /* o.rc/o.detail unused until sent */
	char *url, *body;
	int smtp; /* nonzero: send body by SMTP to the sink's recipients */
	int log;  /* the log sink (written by lw_outbox_take_due itself) */
};

/* The outbox, warehouse side.  These touch only wh (the caller's
 * connection, used from one thread at a time: the engine calls them on
 * libuv's thread pool, tests on their own thread) and keep no state.
 *
 * lw_outbox_take_due: every queued notification due at `now`
 * (next_attempt_at <= now) whose id is not in skip[0..nskip) (in flight),
 * rendered for its sink, into *out (free with lw_outbox_msgs_free).  The
 * log sink is written (and recorded sent) at once and not returned; a row
 * that cannot be rendered counts a failed attempt; a row whose sink is not
 * configured any more stays queued.  Errors: LW_EBUSY, LW_EDB, LW_ENOMEM. */
int lw_outbox_take_due(struct lw_wh *wh, const struct lw_alerts_conf *conf, int64_t now,
		       const int64_t *skip, size_t nskip, struct lw_outbox_msg **out, size_t *n,
		       struct lw_err *e);
void lw_outbox_msgs_free(struct lw_outbox_msg *m, size_t n);
/* Record one outcome at `now`: sent; or one more attempt with the next at
 * now + retry_initial * 2^(attempts-1) (at most retry_max); or failed after
 * max_attempts.  LW_EBUSY: nothing recorded, try again later (until it is
 * recorded the notification must be treated as in flight). */
int lw_outbox_record(struct lw_wh *wh, const struct lw_alerts_conf *conf,
		     const struct lw_outbox_outcome *o, int64_t now, struct lw_err *e);
/* Earliest next_attempt_at of a queued notification, or -1 when none. */
int64_t lw_outbox_next_due(struct lw_wh *wh);
/* The sink called name in c, or NULL. */
const struct lw_alert_sink *lw_alerts_sink_find(const struct lw_alerts_conf *c,
						const char *name);

/* Completion of lw_alert_send: rc 0 = delivered (HTTP 2xx and, for
 * robots, errcode 0; SMTP accepted), else negative with detail (never
 * NULL then; no secrets in it) saying why.  LW_ECANCELED: the driver was
 * closed before the transfer ended (not an attempt). */
typedef void (*lw_alert_sent_cb)(void *ud, int rc, const char *detail);

/* Send m to sink through the core's libcurl-multi driver (http_client.h):
 * webhook / robot POST or SMTP mail.  Loop thread only.  Everything is
 * copied.  On 0, cb fires exactly once, later, on the loop; on a negative
 * return (detail in e) it never fires. */
struct lw_http_driver;
int lw_alert_send(struct lw_http_driver *drv, const struct lw_alert_sink *sink,
		  const struct lw_outbox_msg *m, lw_alert_sent_cb cb, void *ud,
		  struct lw_err *e);

/* Render the request for notification `id` with its stored payload for
 * sink (used by the outbox; exposed for tests).  *body and *url are
 * malloc'd (caller frees).  now_ms: DingTalk's signing timestamp. */
int lw_sink_render(const struct lw_alert_sink *sink, int64_t id, const char *payload,
		   int64_t now_ms, char **url, char **body, struct lw_err *e);

/* A scheduled bulletin for a sink (core/report/: the daemon sends it).
 * Everything is borrowed. */
struct lw_bulletin_msg {
	const char *name, *period; /* schedule entry and period label: the identity */
	const char *title;         /* Chinese title, e.g. 2024年第三季度…通报 */
	const char *markdown;      /* the summary with the top 3 */
	const char *attach_path;   /* email: the file attached (the XLSX), or NULL */
	const char *attach_name;   /* its file name in the mail */
};

/* Render bulletin b for sink into m (m->url, m->body malloc'd; free with
 * lw_outbox_msgs_free(m, 1) or by hand): email gets a MIME multipart
 * message, the summary as text and the file attached; WeCom and DingTalk
 * the markdown message type; a webhook {"bulletin": ...} JSON; the log
 * sink a line (m->log set, nothing to send).  Errors: LW_EIO (the file
 * cannot be read), LW_ENOMEM. */
int lw_sink_render_bulletin(const struct lw_alert_sink *sink, const struct lw_bulletin_msg *b,
			    int64_t now_ms, struct lw_outbox_msg *m, struct lw_err *e);

/* DingTalk signature: base64(HMAC-SHA256(secret, ts_ms "\n" secret)),
 * URL-encoded, into a malloc'd string (NULL on ENOMEM). */
char *lw_dingtalk_sign(const char *secret, int64_t ts_ms);

/* ---- silences and acknowledgements (CLI writes) ------------------------- */

/* Add a silence (matchers copied) from starts to ends (Unix s); *id the new
 * row.  One small write transaction.  LW_EINVAL when n == 0 or ends <=
 * starts. */
int lw_silence_add(struct lw_wh *wh, const struct lw_matcher *m, size_t n, int64_t starts,
		   int64_t ends, const char *by, const char *comment, int64_t *id,
		   struct lw_err *e);
/* Expire silence id now.  LW_ENOENT when no active silence has that id. */
int lw_silence_expire(struct lw_wh *wh, int64_t id, int64_t now, struct lw_err *e);
/* Acknowledge alert id (sets acked_by/acked_at; does not change its state
 * or stop notifications — use a silence for that).  LW_ENOENT. */
int lw_alert_ack(struct lw_wh *wh, int64_t id, const char *by, int64_t now, struct lw_err *e);

/* ---- the engine (daemon and `litwatch evaluate`) ------------------------ */

struct lw_alerts_engine;
struct uv_loop_s;

/* An engine on loop: evaluation and outbox work run on libuv's thread pool
 * (uv_queue_work), one piece at a time, with wh; deliveries go through
 * http (loop thread).  wh is the engine's OWN connection: nothing else may
 * use it while the engine lives.  conf (may be NULL: alerting off) is
 * TAKEN: the engine frees it when replaced or freed.  wh and http are
 * borrowed and must outlive the engine.  Nothing runs until
 * lw_alerts_engine_start or lw_alerts_engine_run_once.  Loop thread only.
 * Errors: LW_ENOMEM. */
int lw_alerts_engine_new(struct uv_loop_s *loop, struct lw_wh *wh, struct lw_http_driver *http,
			 struct lw_alerts_conf *conf, struct lw_alerts_engine **out,
			 struct lw_err *e);
/* Daemon mode: evaluate now and then every evaluate_every (0: only after
 * kicks), send what is queued, retry what failed when it falls due, and
 * retry an evaluation the warehouse was too busy for. */
void lw_alerts_engine_start(struct lw_alerts_engine *en);
/* Swap the configuration (reload); conf is taken, as in _new.  The old
 * one is freed once no work uses it. */
void lw_alerts_engine_set_conf(struct lw_alerts_engine *en, struct lw_alerts_conf *conf);
/* A committed import changed the warehouse: evaluate after the debounce
 * delay (several kicks within it give one evaluation). */
void lw_alerts_engine_kick(struct lw_alerts_engine *en);

/* One-shot mode (`litwatch evaluate`): evaluate at eval_now (< 0: skip),
 * then, when send, hand what is due at max(eval_now, time()) to the sinks
 * and wait for the outcomes to be recorded.  done fires once, on the loop:
 * rc is the evaluation's (0 when skipped), st its statistics, handed the
 * notifications given to sinks (the log sink included not), msg a reason
 * when rc != 0.  Returns LW_EINVAL when the engine was started. */
typedef void (*lw_alerts_once_cb)(void *ud, int rc, const struct lw_eval_stats *st,
				  size_t handed, const char *msg);
int lw_alerts_engine_run_once(struct lw_alerts_engine *en, int64_t eval_now, int send,
			      lw_alerts_once_cb done, void *ud);

/* What the warehouse holds, counted by the engine after each piece of work
 * (on its own connection, off the loop), for /metrics. */
#define LW_ALERTS_COUNTS_SINKS 32
struct lw_alerts_counts {
	int valid;                         /* 0 until the first work ended */
	int64_t pending, firing, resolved; /* alerts by state */
	size_t nsinks;
	struct {
		char sink[72];
		int64_t queued, sent, failed;  /* notifications by state */
	} sinks[LW_ALERTS_COUNTS_SINKS];
};
void lw_alerts_engine_counts(const struct lw_alerts_engine *en, struct lw_alerts_counts *out);

/* Stop: timers stop, no new evaluation or delivery starts; transfers in
 * flight finish (or are cancelled by closing the driver) and their
 * outcomes are recorded; then cb(ud) fires on the loop and the engine is
 * freed.  NULL en: no-op. */
void lw_alerts_engine_free(struct lw_alerts_engine *en, void (*cb)(void *), void *ud);

#endif
