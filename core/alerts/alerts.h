/*
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
 *   lw_outbox_drain()     send what is due through a struct lw_alert_transport
 *                         and record sent / retry-later / failed.
 *
 * Time: every function takes "now" as Unix seconds (UTC) from its caller, so
 * an evaluation is a pure function of the warehouse and `now`.  Periods
 * (months, quarters, ISO weeks) are taken in Beijing time (UTC+8), as the
 * dates in the warehouse are.
 *
 * Threads: like struct lw_wh, nothing here is thread-safe; use one thread
 * (the daemon's loop thread, which owns the writer connection).
 */
#ifndef LW_ALERTS_H
#define LW_ALERTS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "detect.h"
#include "err.h"
#include "warehouse.h"

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

/* Period arithmetic.  A period index counts months (year*12+month-1),
 * quarters (year*4+q-1) or ISO weeks (weeks since the Monday 1969-12-29).
 * lw_period_of_day: day = days since 1970-01-01.  lw_period_label writes
 * "2024-06", "2024-Q2" or "2024-W26" into buf (>= 16 bytes). */
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
	int withdrawn_is_loss;   /* detect.withdrawn_after_change_is_loss */
	char **group_by;         /* label names; default ["rule"] */
	size_t ngroup_by;
	int64_t group_wait_ms, group_interval_ms, repeat_interval_ms;
	int64_t evaluate_every_ms, debounce_ms;
	int64_t retry_initial_ms, retry_max_ms;
	unsigned max_attempts;
	struct lw_alert_sink *sinks;
	size_t nsinks;
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

/* ---- outbox and transport ----------------------------------------------- */

/* A rendered message for one sink (see sinks.c). */
struct lw_alert_request {
	const struct lw_alert_sink *sink;
	int64_t notification_id;
	const char *url;          /* final URL (DingTalk: signed) */
	const char *body;         /* HTTP body, or the whole RFC 5322 message */
	const char *content_type; /* HTTP only */
	int smtp;                 /* nonzero: send body by SMTP to sink->to */
};

/* Completion: rc 0 = delivered (HTTP 2xx and, for robots, errcode 0; SMTP
 * accepted), else negative with detail (may be NULL) saying why. */
typedef void (*lw_alert_sent_cb)(void *ud, int rc, const char *detail);

/* How requests leave the process.  send() copies what it needs from *req.
 * When it returns 0, cb fires exactly once (possibly before send returns,
 * for synchronous transports; on the loop thread for asynchronous ones);
 * when it returns negative, cb never fires. */
struct lw_alert_transport {
	int (*send)(struct lw_alert_transport *t, const struct lw_alert_request *req,
		    lw_alert_sent_cb cb, void *ud);
	void (*free)(struct lw_alert_transport *t);
};

/* libcurl easy transport.  loop == NULL: synchronous (send performs the
 * transfer and calls cb before returning; for the CLI).  With a loop, each
 * transfer runs on libuv's thread pool (uv_queue_work) and cb fires on the
 * loop thread.  Free with t->free(t) once no transfer is in flight. */
struct uv_loop_s;
int lw_alert_curl_transport_new(struct uv_loop_s *loop, struct lw_alert_transport **out,
				struct lw_err *e);

struct lw_outbox;

/* An outbox drainer over wh (writer) and conf, sending through tp (all
 * borrowed: they must outlive the outbox).  clock (may be NULL: time())
 * gives "now" for completions. */
int lw_outbox_new(struct lw_wh *wh, const struct lw_alerts_conf *conf,
		  struct lw_alert_transport *tp, int64_t (*clock)(void *), void *clock_ud,
		  struct lw_outbox **out, struct lw_err *e);
void lw_outbox_free(struct lw_outbox *ob);
/* Hand every queued notification due at `now` (next_attempt_at <= now) and
 * not already in flight to the transport (the log sink is written at once).
 * Success marks it sent; failure counts an attempt and schedules the next
 * one with exponential backoff (retry_initial * 2^(attempts-1), at most
 * retry_max) or marks it failed after max_attempts.  *started (may be NULL)
 * receives how many were handed over.  Errors: LW_EDB. */
int lw_outbox_drain(struct lw_outbox *ob, int64_t now, size_t *started, struct lw_err *e);
/* Transfers handed over whose callback has not fired yet. */
size_t lw_outbox_in_flight(const struct lw_outbox *ob);
/* Earliest next_attempt_at of a queued notification, or -1 when none. */
int64_t lw_outbox_next_due(struct lw_outbox *ob);

/* Render the request for notification `id` with its stored payload for
 * sink (used by the outbox; exposed for tests).  *body and *url are
 * malloc'd (caller frees).  now_ms: DingTalk's signing timestamp. */
int lw_sink_render(const struct lw_alert_sink *sink, int64_t id, const char *payload,
		   int64_t now_ms, char **url, char **body, struct lw_err *e);

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

/* ---- daemon hook --------------------------------------------------------- */

struct lw_alerts_engine;

/* An engine on loop that evaluates conf against wh every evaluate_every
 * (0: never on a schedule) and debounce_ms after lw_alerts_engine_kick, then
 * drains the outbox (and retries it when due) through a libcurl transport
 * on libuv's thread pool.  wh and conf are borrowed and must outlive the
 * engine; lw_alerts_engine_set_conf swaps conf (on reload).
 * Errors: LW_ENOMEM. */
int lw_alerts_engine_new(struct uv_loop_s *loop, struct lw_wh *wh,
			 const struct lw_alerts_conf *conf, struct lw_alerts_engine **out,
			 struct lw_err *e);
void lw_alerts_engine_set_conf(struct lw_alerts_engine *en, const struct lw_alerts_conf *conf);
/* A committed import changed the warehouse: evaluate after the debounce
 * delay (several kicks within it give one evaluation). */
void lw_alerts_engine_kick(struct lw_alerts_engine *en);
/* Stop timers and close handles; cb(ud) fires on the loop once the engine
 * is freed (transfers in flight are waited for).  NULL en: no-op. */
void lw_alerts_engine_free(struct lw_alerts_engine *en, void (*cb)(void *), void *ud);

#endif
