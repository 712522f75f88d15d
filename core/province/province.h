/*
 * core/province/: the county's warehouse pushed, one way, into the
 * province's PostgreSQL (design.md §11, docs/province.md).
 *
 * province.h — the `province` section of the configuration, and the push
 * of the change feed, batch by batch:
 *   - the feed (feed.c): triggers of schema 11 log every changed row of the
 *     tables that go up, in the same SQLite transaction as the change;
 *   - the PostgreSQL side (pgschema.c): schema `litwatch`, its tables with
 *     `county` in their key, partitioned by county, and the figures views;
 *   - a batch (push.c): COPY into staging tables, INSERT ... ON CONFLICT
 *     (county, key) DO UPDATE, and the county's high-water mark, in one
 *     PostgreSQL transaction: a batch lands whole or not at all, a retried
 *     batch changes nothing, a restart resumes from PostgreSQL's mark;
 *   - the daemon's pusher (pusher.c): a timer and uv_queue_work, back-off,
 *     its state for /status and /metrics.
 * Nothing here logs the conninfo (it may hold a password).
 */
#ifndef LW_PROVINCE_H
#define LW_PROVINCE_H

#include <stdint.h>

#include <jansson.h>
#include <uv.h>

#include "base/diag.h"
#include "base/err.h"

struct lw_wh;

struct lw_province_conf {
	char *conninfo_file; /* absolute; a libpq conninfo (key=value or URI), private */
	char *county;        /* 6 digits (GB/T 2260) */
	int64_t interval_ms;
	int64_t batch_rows;  /* changed rows per PostgreSQL transaction */
	char *sslmode;       /* NULL: the conninfo's (libpq's default: prefer) */
	char *sslrootcert;   /* absolute, or NULL */
};

/* Parse and check the "province" section (obj may be NULL: *out NULL).
 * Every problem goes to d; returns nonzero when any. */
int lw_province_conf_parse(json_t *obj, const char *data_dir, struct lw_province_conf **out,
			   struct lw_diag *d);
void lw_province_conf_free(struct lw_province_conf *c);
/* Canonical text of the settings (two equal ones need no new connection). */
int lw_province_conf_same(const struct lw_province_conf *a, const struct lw_province_conf *b);

/* ---- one push (blocking: run it off the loop) ---------------------------- */

struct lw_pg; /* a connection to the province, set up for one county */

/* Connect (reading the conninfo file), create or migrate the PostgreSQL
 * schema, register the county, and enqueue every local row in the feed when
 * the province has nothing of this county (a new county, or a re-seed).
 * wh: the county's warehouse (a writer connection).  Errors: LW_EIO
 * (connection, authentication, SQL: the message says which), LW_EINVAL. */
int lw_pg_open(const struct lw_province_conf *c, struct lw_wh *wh, struct lw_pg **out,
	       struct lw_err *e);
void lw_pg_close(struct lw_pg *pg);

struct lw_push_state {
	int64_t hwm;          /* province's high-water mark for this county */
	int64_t local_seq;    /* the county's last feed sequence number */
	int64_t lag_rows;     /* feed rows after the mark */
	int64_t lag_seconds;  /* age of the oldest of them; 0 when none */
	int64_t rows_pushed;  /* by this call */
	int64_t batches;      /* by this call */
};

/* Push batches until the feed is drained, *stop is set, or budget_ms
 * elapsed; then prune the pushed feed rows.  st filled in every case
 * (as far as known).  0, or the error of the batch that failed (nothing of
 * it landed). */
int lw_pg_push(struct lw_pg *pg, struct lw_wh *wh, int64_t batch_rows, int64_t budget_ms,
	       const volatile int *stop, struct lw_push_state *st, struct lw_err *e);

/* ---- the daemon's pusher -------------------------------------------------- */

struct lw_pusher;

/* Start pushing warehouse (path) as configured; c is copied. */
int lw_pusher_new(uv_loop_t *loop, const char *warehouse, const struct lw_province_conf *c,
		  struct lw_pusher **out, struct lw_err *e);
/* Stop: done(ud) runs once no push is running and the handles are closed. */
void lw_pusher_free(struct lw_pusher *p, void (*done)(void *), void *ud);
/* The "province" object of /status (new reference). */
json_t *lw_pusher_status(const struct lw_pusher *p);
/* Its Prometheus lines, appended to b. */
struct lw_strbuf;
void lw_pusher_metrics(const struct lw_pusher *p, struct lw_strbuf *b);

#endif
