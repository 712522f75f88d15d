/*
 * pusher.c — the daemon's pusher: every `interval` a push runs on libuv's
 * thread pool (uv_queue_work), never on the loop, with its own warehouse
 * connection: imports never wait for the province.  A failed push drops the
 * connection and retries with back-off (1 s doubling to 60 s, or the
 * interval when longer); its state is kept for /status and /metrics.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "province/province_int.h"

#define BACKOFF_MIN_MS 1000
#define BACKOFF_MAX_MS 60000
#define BUDGET_MS 5000 /* one work item pushes for at most this long */

struct lw_pusher {
	uv_loop_t *loop;
	uv_timer_t timer;
	uv_work_t work;
	char *warehouse;
	struct lw_province_conf conf;
	int busy, closing;
	volatile int stop;
	void (*done)(void *);
	void *done_ud;
	/* owned by the worker while busy */
	struct lw_wh *wh;
	struct lw_pg *pg;
	struct lw_push_state st;
	struct lw_err err;
	int rc;
	/* the loop's copy, for /status */
	struct lw_push_state shown;
	int connected, known;
	int64_t backoff_ms, rows_total, batches_total, failures, last_success, last_error_at;
	char last_error[sizeof(((struct lw_err *)0)->msg)];
};

static void work_cb(uv_work_t *w)
{
	struct lw_pusher *p = w->data;

	memset(&p->err, 0, sizeof p->err);
	p->rc = 0;
	if (!p->wh) {
		struct lw_wh_options o = {LW_WH_WRITER | LW_WH_CHECKED, 2000};
		if ((p->rc = lw_wh_open_opts(p->warehouse, &o, &p->wh, &p->err)))
			return;
	}
	if (p->pg || (p->rc = lw_pg_open(&p->conf, p->wh, &p->pg, &p->err)) == 0)
		p->rc = lw_pg_push(p->pg, p->wh, p->conf.batch_rows, BUDGET_MS, &p->stop, &p->st,
				   &p->err);
	if (p->rc) {
		/* The connection may be broken: start again from a new one.  The
		 * lag is the county's own count, after the last mark known. */
		struct lw_err e2 = {0};
		lw_pg_close(p->pg);
		p->pg = NULL;
		lw_feed_last_seq(p->wh, &p->st.local_seq, &e2);
		lw_feed_lag(p->wh, p->st.hwm, &p->st.lag_rows, &p->st.lag_seconds, &e2);
	}
}

static void on_closed(uv_handle_t *h)
{
	struct lw_pusher *p = h->data;
	lw_pg_close(p->pg);
	lw_wh_close(p->wh);
	free(p->warehouse);
	free(p->conf.conninfo_file);
	free(p->conf.county);
	free(p->conf.sslmode);
	free(p->conf.sslrootcert);
	if (p->done)
		p->done(p->done_ud);
	free(p);
}

static void on_timer(uv_timer_t *t);

static void after_work(uv_work_t *w, int status)
{
	struct lw_pusher *p = w->data;
	uint64_t next = (uint64_t)p->conf.interval_ms;

	p->busy = 0;
	if (p->closing) {
		uv_close((uv_handle_t *)&p->timer, on_closed);
		return;
	}
	if (status == 0 && p->rc == 0) {
		p->shown = p->st;
		p->known = p->connected = 1;
		p->rows_total += p->st.rows_pushed;
		p->batches_total += p->st.batches;
		p->last_success = (int64_t)time(NULL);
		p->backoff_ms = 0;
		if (p->st.lag_rows > 0)
			next = 0; /* more to send: go on at once */
	} else {
		p->connected = p->pg != NULL;
		p->failures++;
		p->last_error_at = (int64_t)time(NULL);
		snprintf(p->last_error, sizeof p->last_error, "%s",
			 p->err.msg[0] ? p->err.msg : "push cancelled");
		p->backoff_ms = p->backoff_ms ? p->backoff_ms * 2 : BACKOFF_MIN_MS;
		if (p->backoff_ms > BACKOFF_MAX_MS)
			p->backoff_ms = BACKOFF_MAX_MS;
		next = (uint64_t)(p->backoff_ms > p->conf.interval_ms ? p->backoff_ms : p->conf.interval_ms);
		lw_log(p->failures == 1 || p->failures % 10 == 0 ? LW_LOG_WARNING : LW_LOG_INFO,
		       "province", "%s; retrying in %llu ms", p->last_error, (unsigned long long)next);
		p->shown = p->st;
	}
	uv_timer_start(&p->timer, on_timer, next, 0);
}

static void on_timer(uv_timer_t *t)
{
	struct lw_pusher *p = t->data;
	if (p->busy || p->closing)
		return;
	p->busy = 1;
	p->work.data = p;
	if (uv_queue_work(p->loop, &p->work, work_cb, after_work) != 0) {
		p->busy = 0;
		uv_timer_start(&p->timer, on_timer, (uint64_t)p->conf.interval_ms, 0);
	}
}

int lw_pusher_new(uv_loop_t *loop, const char *warehouse, const struct lw_province_conf *c,
		  struct lw_pusher **out, struct lw_err *e)
{
	struct lw_pusher *p = calloc(1, sizeof *p);

	*out = NULL;
	if (!p || !(p->warehouse = strdup(warehouse)) ||
	    !(p->conf.conninfo_file = strdup(c->conninfo_file)) || !(p->conf.county = strdup(c->county)) ||
	    (c->sslmode && !(p->conf.sslmode = strdup(c->sslmode))) ||
	    (c->sslrootcert && !(p->conf.sslrootcert = strdup(c->sslrootcert)))) {
		if (p) {
			free(p->warehouse);
			free(p->conf.conninfo_file);
			free(p->conf.county);
			free(p->conf.sslmode);
			free(p);
		}
		return lw_err_set(e, LW_ENOMEM, "out of memory");
	}
	p->conf.interval_ms = c->interval_ms;
	p->conf.batch_rows = c->batch_rows;
	p->loop = loop;
	uv_timer_init(loop, &p->timer);
	p->timer.data = p;
	uv_timer_start(&p->timer, on_timer, 0, 0);
	*out = p;
	return 0;
}

void lw_pusher_free(struct lw_pusher *p, void (*done)(void *), void *ud)
{
	if (!p)
		return;
	p->done = done;
	p->done_ud = ud;
	p->closing = 1;
	p->stop = 1;
	uv_timer_stop(&p->timer);
	if (!p->busy)
		uv_close((uv_handle_t *)&p->timer, on_closed);
}

json_t *lw_pusher_status(const struct lw_pusher *p)
{
	json_t *o = json_object();

	json_object_set_new(o, "county", json_string(p->conf.county));
	json_object_set_new(o, "state", json_string(p->failures && p->last_error_at >= p->last_success
							    ? "retrying"
						    : p->known ? "ok" : "starting"));
	json_object_set_new(o, "high_water_mark", json_integer(p->shown.hwm));
	json_object_set_new(o, "local_seq", json_integer(p->shown.local_seq));
	json_object_set_new(o, "lag_rows", json_integer(p->shown.lag_rows));
	json_object_set_new(o, "lag_seconds", json_integer(p->shown.lag_seconds));
	json_object_set_new(o, "rows_pushed", json_integer(p->rows_total));
	json_object_set_new(o, "batches", json_integer(p->batches_total));
	json_object_set_new(o, "failures", json_integer(p->failures));
	json_object_set_new(o, "last_success", p->last_success ? json_integer(p->last_success) : json_null());
	json_object_set_new(o, "last_error", p->last_error[0] ? json_string(p->last_error) : json_null());
	json_object_set_new(o, "last_error_at",
			    p->last_error_at ? json_integer(p->last_error_at) : json_null());
	return o;
}

void lw_pusher_metrics(const struct lw_pusher *p, struct lw_strbuf *b)
{
	lw_strbuf_printf(b,
			 "# TYPE litwatch_province_lag_rows gauge\n"
			 "litwatch_province_lag_rows %lld\n"
			 "# TYPE litwatch_province_lag_seconds gauge\n"
			 "litwatch_province_lag_seconds %lld\n"
			 "# TYPE litwatch_province_rows_pushed_total counter\n"
			 "litwatch_province_rows_pushed_total %lld\n"
			 "# TYPE litwatch_province_failures_total counter\n"
			 "litwatch_province_failures_total %lld\n"
			 "# TYPE litwatch_province_last_success_timestamp_seconds gauge\n"
			 "litwatch_province_last_success_timestamp_seconds %lld\n",
			 (long long)p->shown.lag_rows, (long long)p->shown.lag_seconds,
			 (long long)p->rows_total, (long long)p->failures, (long long)p->last_success);
}
