/*
 * schedule.h — bulletins on schedule: the `reports` section of the
 * configuration, which bulletin is due when, and the warehouse rows that
 * say a bulletin was made and sent (so a restart neither makes nor sends
 * one twice).
 *
 *   "reports": {
 *     "dir": "reports",                 folder under data_dir (created)
 *     "title": "XX县司法局",             shown before the bulletin's title
 *     "min_concluded": 5, "flag_top": 3, ranking rules (docs/reports.md)
 *     "bulletins": [
 *       {"name": "quarterly", "every": "quarter", "after_days": 10,
 *        "formats": ["xlsx", "html"], "by": "agency",
 *        "send_to": ["bureau-mail", "wecom-group"]}
 *     ]
 *   }
 *
 * A bulletin of a period is due once `after_days` whole days have passed
 * since the period ended (Beijing dates): the 2024Q3 bulletin with
 * after_days 10 is due from 2024-10-11.  Only the latest due period is
 * made; a period that was made (a `bulletins` row) is never made again.
 */
#ifndef LW_REPORT_SCHEDULE_H
#define LW_REPORT_SCHEDULE_H

#include <stdint.h>

#include <jansson.h>

#include "base/diag.h"
#include "figures/period.h"
#include "report/report.h"

enum lw_bulletin_every { LW_EVERY_MONTH, LW_EVERY_QUARTER, LW_EVERY_HALF, LW_EVERY_YEAR };

struct lw_bulletin_sched {
	char *name;
	enum lw_bulletin_every every;
	int after_days;
	unsigned formats;  /* bit (1 << enum lw_report_format) */
	enum lw_fig_by by;
	char **send_to;    /* sink names of the alerts section */
	size_t nsend_to;
};

struct lw_reports_conf {
	char *dir;         /* absolute */
	char *title;       /* or NULL */
	long long min_concluded;
	unsigned flag_top;
	struct lw_bulletin_sched *sched;
	size_t nsched;
};

/* Validate and parse the `reports` section (obj may be NULL: no section,
 * *out NULL, 0).  Relative dir against data_dir.  Every problem goes to
 * diag with its key path ("reports.bulletins[1].every: ..."); returns the
 * number added (then *out is NULL). */
int lw_reports_conf_parse(json_t *obj, const char *data_dir, struct lw_reports_conf **out,
			  struct lw_diag *diag);
void lw_reports_conf_free(struct lw_reports_conf *c);

/* The latest period of s that is due on `today` ("YYYY-MM-DD"). */
void lw_bulletin_due_period(const struct lw_bulletin_sched *s, const char *today,
			    struct lw_fig_period *out);

/* ---- warehouse rows (schema: bulletins, bulletin_sends) ----------------- */

/* Nonzero (1) when bulletin (name, period) was made; 0 when not; negative
 * on error. */
int lw_bulletin_made(struct lw_wh *wh, const char *name, const char *period, struct lw_err *e);
/* Record it made, with its files (JSON array) and the SHA-256 of its
 * JSON document, and a pending send per sink, in one write transaction.
 * *id the new row.  LW_EEXIST when it was already made (another process
 * won). */
int lw_bulletin_record(struct lw_wh *wh, const char *name, const char *period, json_t *files,
		       const char *data_sha256, const char *title, const char *summary,
		       const char *const *sinks, size_t nsinks, int64_t *id, struct lw_err *e);

/* A send still to do: bulletin id, its name, period, files, title and
 * summary as made, the sink. */
struct lw_bulletin_send {
	int64_t bulletin_id;
	char *name, *period, *sink, *title, *summary;
	json_t *files;
	int64_t attempts;
};
/* How failed sends are tried again: the alerts section's `retry` (the
 * notifications' back-off): after the n-th failure wait initial * 2^(n-1),
 * at most max; give up after max_attempts. */
struct lw_send_retry {
	int64_t initial_ms, max_ms;
	unsigned max_attempts;
};
/* Every pending send due at now (Unix seconds): never tried, or its
 * back-off has passed, and fewer than max_attempts attempts. */
int lw_bulletin_sends_pending(struct lw_wh *wh, const struct lw_send_retry *r, int64_t now,
			      struct lw_bulletin_send **out, size_t *n, struct lw_err *e);
/* Seconds a send waits after its attempts-th failure (the pending query's
 * own formula). */
int64_t lw_bulletin_retry_delay_s(const struct lw_send_retry *r, int64_t attempts);
void lw_bulletin_sends_free(struct lw_bulletin_send *s, size_t n);
/* Record the outcome of one attempt: rc 0 sent, else failed with detail. */
int lw_bulletin_send_record(struct lw_wh *wh, int64_t bulletin_id, const char *sink, int rc,
			    const char *detail, struct lw_err *e);

/* File name of a bulletin in dir: "<dir>/<name>-<period>.<ext>", malloc'd. */
char *lw_bulletin_path(const char *dir, const char *name, const char *period,
		       enum lw_report_format f);

#endif
