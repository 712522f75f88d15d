/*
 * engine.c — the alert engine's driver: evaluation on a schedule and
 * shortly after each committed import (debounced), draining the outbox,
 * recording outcomes, retrying what falls due.  Used by the daemon
 * (lw_alerts_engine_start) and by `litwatch evaluate` (run_once), so both
 * go through one code path.
 *
 * Threads.  An evaluation (Farrington over hundreds of series) takes far
 * too long for the loop thread, so every warehouse access of the engine
 * runs on libuv's thread pool (uv_queue_work) as one "db work": record the
 * outcomes collected so far, evaluate if asked, then read what is due.  At
 * most one db work exists at a time and the loop thread never touches the
 * connection, so the connection is used by one thread at a time and an
 * evaluation never overlaps outbox writes; uv_queue_work orders the loop's
 * writes before the work and the work's before its after-callback.
 *
 * Why the thread pool and the engine's own connection rather than the
 * import queue (core/jobs.h): the queue's cancellation at shutdown drops
 * waiting jobs, which would drop the "sent" record of a delivery finishing
 * during shutdown (and repeat it after the restart), and evaluations would
 * wait behind every queued file.  With WAL the engine's reads never block
 * the importer; only write transactions take turns, and a write that finds
 * the warehouse busy beyond the connection's busy timeout (an import
 * committing a big file) is simply done again later: the evaluation is
 * kept wanted and outcomes not recorded stay in memory (and their
 * notifications count as in flight, so nothing is sent twice).
 *
 * Deliveries run on the loop through the core's libcurl-multi driver.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uv.h>

#include "alerts/alerts_int.h"
#include "base/log.h"
#include "net/http_client.h"

#define BUSY_RETRY_MIN_MS 1000
#define BUSY_RETRY_MAX_MS 30000

struct dbwork {
	uv_work_t w;
	struct lw_alerts_engine *en;
	const struct lw_alerts_conf *conf; /* stays alive until the work ends */
	int eval, drain;
	int64_t eval_now, now;
	struct lw_outbox_outcome *outs; /* in: to record; out: not recorded (busy) */
	size_t nouts;
	size_t nrecorded;
	int64_t *recorded;              /* ids recorded (or given up on) */
	int64_t *skip;                  /* ids in flight */
	size_t nskip;
	/* results */
	int eval_rc, drain_rc, busy;
	struct lw_eval_stats st;
	char msg[256];
	struct lw_outbox_msg *msgs;
	size_t nmsgs;
	int64_t next_due;
	struct lw_alerts_counts counts;
};

struct lw_alerts_engine {
	uv_loop_t *loop;
	struct lw_wh *wh;
	struct lw_http_driver *http;
	struct lw_alerts_conf *conf;
	struct lw_alerts_conf **retired; /* replaced confs a work may still use */
	size_t nretired;
	uv_timer_t every, debounce, retry, again;
	struct dbwork *busy;             /* the db work in flight, or NULL */
	int want_eval, want_drain;
	int64_t busy_backoff_ms;
	struct lw_outbox_outcome *outs;  /* outcomes waiting to be recorded */
	size_t nouts, capouts;
	int64_t *inflight;               /* ids sent or being recorded */
	size_t ninflight, capinflight;
	size_t sending;                  /* transfers whose callback is pending */
	int started, once, closing, open_handles;
	/* run_once */
	int once_eval, once_send;
	int64_t once_now;
	int once_rc;
	struct lw_eval_stats once_st;
	char once_msg[256];
	size_t handed;
	lw_alerts_once_cb once_cb;
	void *once_ud;
	void (*done)(void *);
	void *done_ud;
	struct lw_alerts_counts counts; /* as of the last db work */
};

struct sent {
	struct lw_alerts_engine *en;
	struct lw_outbox_outcome o;
};

static void pump(struct lw_alerts_engine *en);

/* ---- worker side: the only code that uses en->wh ---- */

/* Alerts by state and notifications by sink and state, for /metrics.  Two
 * aggregate reads of small tables after each work; a failure leaves the
 * counts invalid (the metrics then say nothing rather than something old). */
static void count_rows(struct lw_wh *wh, struct lw_alerts_counts *c)
{
	struct lw_err e = {0};
	sqlite3_stmt *st;

	memset(c, 0, sizeof *c);
	if (lw_wh_stmt(wh, "SELECT state, count(*) FROM alerts GROUP BY state", &st, &e) != 0)
		return;
	while (lw_wh_step(wh, st, &e) == 1) {
		const char *s = (const char *)sqlite3_column_text(st, 0);
		int64_t n = sqlite3_column_int64(st, 1);
		if (!strcmp(s, "pending"))
			c->pending = n;
		else if (!strcmp(s, "firing"))
			c->firing = n;
		else if (!strcmp(s, "resolved"))
			c->resolved = n;
	}
	if (e.code || lw_wh_stmt(wh, "SELECT sink, state, count(*) FROM notifications GROUP BY 1, 2 "
				 "ORDER BY 1", &st, &e) != 0)
		return;
	while (lw_wh_step(wh, st, &e) == 1) {
		const char *sink = (const char *)sqlite3_column_text(st, 0);
		const char *s = (const char *)sqlite3_column_text(st, 1);
		int64_t n = sqlite3_column_int64(st, 2);
		size_t i = 0;
		while (i < c->nsinks && strcmp(c->sinks[i].sink, sink))
			i++;
		if (i == c->nsinks) {
			if (c->nsinks == LW_ALERTS_COUNTS_SINKS)
				continue;
			snprintf(c->sinks[c->nsinks++].sink, sizeof c->sinks[0].sink, "%s", sink);
		}
		if (!strcmp(s, "queued"))
			c->sinks[i].queued = n;
		else if (!strcmp(s, "sent"))
			c->sinks[i].sent = n;
		else
			c->sinks[i].failed = n;
	}
	c->valid = !e.code;
}

static void db_work(uv_work_t *w)
{
	struct dbwork *x = w->data;
	struct lw_wh *wh = x->en->wh;
	struct lw_err e = {0};
	size_t keep = 0;

	for (size_t i = 0; i < x->nouts; i++) {
		if (x->conf && lw_outbox_record(wh, x->conf, &x->outs[i], x->now, &e) == LW_EBUSY) {
			x->outs[keep++] = x->outs[i];
			x->busy = 1;
			continue;
		}
		if (!x->conf || e.code)
			lw_log(LW_LOG_ERR, "alerts", "notification #%lld to %s: cannot record the "
			       "outcome (%s); it may be sent again", (long long)x->outs[i].id,
			       x->outs[i].sink, x->conf ? e.msg : "alerting switched off");
		x->recorded[x->nrecorded++] = x->outs[i].id;
		memset(&e, 0, sizeof e);
	}
	x->nouts = keep;
	if (x->eval && x->conf && (x->conf->nrules || x->conf->deadlines)) {
		x->eval_rc = lw_alerts_evaluate(wh, x->conf, x->eval_now, &x->st, &e);
		if (x->eval_rc)
			snprintf(x->msg, sizeof x->msg, "%.250s", e.msg);
		memset(&e, 0, sizeof e);
	}
	if (x->drain) {
		x->drain_rc = lw_outbox_take_due(wh, x->conf, x->now, x->skip, x->nskip, &x->msgs,
						 &x->nmsgs, &e);
		if (x->drain_rc && !x->eval_rc)
			snprintf(x->msg, sizeof x->msg, "%.250s", e.msg);
	}
	x->next_due = lw_outbox_next_due(wh);
	count_rows(wh, &x->counts);
}

/* ---- loop side ---- */

static int inflight_add(struct lw_alerts_engine *en, int64_t id)
{
	if (en->ninflight == en->capinflight) {
		int64_t *t = realloc(en->inflight, (en->capinflight * 2 + 8) * sizeof *t);
		if (!t)
			return LW_ENOMEM;
		en->inflight = t;
		en->capinflight = en->capinflight * 2 + 8;
	}
	en->inflight[en->ninflight++] = id;
	return 0;
}

static void inflight_del(struct lw_alerts_engine *en, int64_t id)
{
	for (size_t i = 0; i < en->ninflight; i++)
		if (en->inflight[i] == id) {
			en->inflight[i] = en->inflight[--en->ninflight];
			return;
		}
}

static int outs_push(struct lw_alerts_engine *en, const struct lw_outbox_outcome *o)
{
	if (en->nouts == en->capouts) {
		struct lw_outbox_outcome *t = realloc(en->outs, (en->capouts * 2 + 8) * sizeof *t);
		if (!t)
			return LW_ENOMEM;
		en->outs = t;
		en->capouts = en->capouts * 2 + 8;
	}
	en->outs[en->nouts++] = *o;
	return 0;
}

static void on_closed(uv_handle_t *h)
{
	struct lw_alerts_engine *en = h->data;
	if (--en->open_handles > 0)
		return;
	for (size_t i = 0; i < en->nretired; i++)
		lw_alerts_conf_free(en->retired[i]);
	free(en->retired);
	lw_alerts_conf_free(en->conf);
	free(en->outs);
	free(en->inflight);
	if (en->done)
		en->done(en->done_ud);
	free(en);
}

/* Closing or one-shot: finish once nothing is left to do. */
static void maybe_finish(struct lw_alerts_engine *en)
{
	if (en->busy || en->sending || en->nouts || en->open_handles)
		return;
	if (en->once && en->once_cb && !en->want_eval && !en->want_drain) {
		lw_alerts_once_cb cb = en->once_cb;
		en->once_cb = NULL;
		cb(en->once_ud, en->once_rc, &en->once_st, en->handed,
		   en->once_rc ? en->once_msg : NULL);
	}
	if (en->closing && !en->once_cb) {
		uv_timer_t *t[] = {&en->every, &en->debounce, &en->retry, &en->again};
		en->open_handles = 4;
		for (int i = 0; i < 4; i++)
			uv_close((uv_handle_t *)t[i], on_closed);
	}
}

static void on_sent(void *ud, int rc, const char *detail)
{
	struct sent *s = ud;
	struct lw_alerts_engine *en = s->en;

	en->sending--;
	if (rc == LW_ECANCELED) {
		/* The driver closed under it (shutdown): not an attempt; the row
		 * stays queued for the next start. */
		inflight_del(en, s->o.id);
	} else {
		s->o.rc = rc;
		snprintf(s->o.detail, sizeof s->o.detail, "%s", rc && detail ? detail : "");
		if (outs_push(en, &s->o) != 0) {
			lw_log(LW_LOG_ERR, "alerts", "notification #%lld: out of memory recording "
			       "the outcome; it may be sent again", (long long)s->o.id);
			inflight_del(en, s->o.id);
		}
	}
	free(s);
	pump(en);
	maybe_finish(en);
}

/* Hand the rendered messages of a finished work to the driver. */
static void send_all(struct lw_alerts_engine *en, struct dbwork *x)
{
	for (size_t i = 0; i < x->nmsgs; i++) {
		struct lw_outbox_msg *m = &x->msgs[i];
		const struct lw_alert_sink *sink = lw_alerts_sink_find(en->conf, m->o.sink);
		struct lw_err e = {0};
		struct sent *s;

		if (!sink || en->closing)
			continue; /* removed by a reload meanwhile, or stopping: stays queued */
		if (!(s = calloc(1, sizeof *s)) || inflight_add(en, m->o.id) != 0) {
			free(s);
			lw_log(LW_LOG_ERR, "alerts", "out of memory sending notification #%lld",
			       (long long)m->o.id);
			continue;
		}
		s->en = en;
		s->o = m->o;
		if (lw_alert_send(en->http, sink, m, on_sent, s, &e) != 0) {
			s->o.rc = e.code ? e.code : LW_EIO;
			snprintf(s->o.detail, sizeof s->o.detail, "%.250s", e.msg);
			if (outs_push(en, &s->o) != 0)
				inflight_del(en, m->o.id);
			free(s);
			continue;
		}
		en->sending++;
		en->handed++;
	}
}

static void on_again(uv_timer_t *t);
static void on_retry(uv_timer_t *t);

static void after_db_work(uv_work_t *w, int status)
{
	struct dbwork *x = w->data;
	struct lw_alerts_engine *en = x->en;

	en->busy = NULL;
	(void)status; /* never cancelled: uv_cancel is not used */
	if (x->counts.valid)
		en->counts = x->counts;
	for (size_t i = 0; i < x->nrecorded; i++)
		inflight_del(en, x->recorded[i]);
	for (size_t i = 0; i < x->nouts; i++) /* busy: record again later */
		if (outs_push(en, &x->outs[i]) != 0)
			inflight_del(en, x->outs[i].id);
	if (x->eval && x->eval_rc == LW_EBUSY && en->started && !en->closing) {
		en->want_eval = 1;
		x->busy = 1;
		lw_log(LW_LOG_NOTICE, "alerts", "warehouse busy (an import is committing); "
		       "evaluating again in %lld ms", (long long)en->busy_backoff_ms);
	} else if (x->eval && x->eval_rc) {
		lw_log(LW_LOG_ERR, "alerts", "evaluation failed: %s", x->msg);
	}
	if (x->eval && en->once) {
		en->once_rc = x->eval_rc;
		en->once_st = x->st;
		snprintf(en->once_msg, sizeof en->once_msg, "%s", x->msg);
	}
	if (x->drain && x->drain_rc) {
		if (x->drain_rc == LW_EBUSY && !en->once)
			en->want_drain = x->busy = 1;
		else
			lw_log(LW_LOG_ERR, "alerts", "outbox: %s", x->msg);
	}
	send_all(en, x);
	if (x->busy && !uv_is_active((uv_handle_t *)&en->again)) {
		uv_timer_start(&en->again, on_again, (uint64_t)en->busy_backoff_ms, 0);
		if ((en->busy_backoff_ms *= 2) > BUSY_RETRY_MAX_MS)
			en->busy_backoff_ms = BUSY_RETRY_MAX_MS;
	} else if (!x->busy) {
		en->busy_backoff_ms = BUSY_RETRY_MIN_MS;
	}
	/* Come back when the next queued notification is due.  A row due now
	 * that was not sent is in flight (its outcome brings us back) or has
	 * no sink any more (look again in a minute, not in a busy loop). */
	if (en->started && !en->closing && x->drain) {
		int64_t now = (int64_t)time(NULL), wait = -1;
		if (x->next_due > now)
			wait = x->next_due - now > 3600 ? 3600 : x->next_due - now;
		else if (x->next_due >= 0 && !en->ninflight)
			wait = 60;
		if (wait > 0)
			uv_timer_start(&en->retry, on_retry, (uint64_t)wait * 1000, 0);
	}
	lw_outbox_msgs_free(x->msgs, x->nmsgs);
	free(x->outs);
	free(x->recorded);
	free(x->skip);
	free(x);
	/* No work runs now: replaced configurations can go. */
	for (size_t i = 0; i < en->nretired; i++)
		lw_alerts_conf_free(en->retired[i]);
	en->nretired = 0;
	pump(en);
	maybe_finish(en);
}

/* Start a db work if one is wanted and none runs. */
static void pump(struct lw_alerts_engine *en)
{
	struct dbwork *x;
	int eval, drain;

	if (en->busy || en->open_handles)
		return;
	eval = en->want_eval && !en->closing;
	/* An evaluation may queue notifications: drain after it (in one-shot
	 * mode only when asked to send).  After recording outcomes the daemon
	 * looks again: a failure has a new next_attempt_at, and more rows may
	 * wait behind the first 64. */
	drain = (en->want_drain || (en->started && (eval || en->nouts))) && !en->closing;
	if (!eval && !drain && !en->nouts)
		return;
	if (!(x = calloc(1, sizeof *x)) ||
	    !(x->recorded = calloc(en->nouts + 1, sizeof *x->recorded)) ||
	    !(x->skip = calloc(en->ninflight + 1, sizeof *x->skip))) {
		if (x)
			free(x->recorded);
		free(x);
		lw_log(LW_LOG_ERR, "alerts", "out of memory; trying again later");
		if (!uv_is_active((uv_handle_t *)&en->again))
			uv_timer_start(&en->again, on_again, BUSY_RETRY_MAX_MS, 0);
		return;
	}
	x->w.data = x;
	x->en = en;
	x->conf = en->conf;
	x->eval = eval;
	x->drain = drain;
	x->now = (int64_t)time(NULL);
	x->eval_now = en->once ? en->once_now : x->now;
	if (en->once && en->once_now > x->now)
		x->now = en->once_now; /* --now in the future: what it queued is due */
	x->outs = en->outs; /* moved: the loop keeps collecting into a new array */
	x->nouts = en->nouts;
	en->outs = NULL;
	en->nouts = en->capouts = 0;
	if (en->ninflight)
		memcpy(x->skip, en->inflight, en->ninflight * sizeof *x->skip);
	x->nskip = en->ninflight;
	en->want_eval = en->want_eval && !eval;
	en->want_drain = en->want_drain && !drain;
	en->busy = x;
	if (uv_queue_work(en->loop, &x->w, db_work, after_db_work) != 0) {
		/* Cannot happen with a valid loop; keep the outcomes. */
		en->busy = NULL;
		en->outs = x->outs;
		en->nouts = en->capouts = x->nouts;
		free(x->recorded);
		free(x->skip);
		free(x);
		lw_log(LW_LOG_ERR, "alerts", "cannot queue work on the thread pool");
	}
}

static void on_eval_timer(uv_timer_t *t)
{
	struct lw_alerts_engine *en = t->data;
	en->want_eval = en->want_drain = 1;
	pump(en);
}

static void on_retry(uv_timer_t *t)
{
	struct lw_alerts_engine *en = t->data;
	en->want_drain = 1;
	pump(en);
}

static void on_again(uv_timer_t *t)
{
	pump(t->data);
	maybe_finish(t->data);
}

static void schedule(struct lw_alerts_engine *en)
{
	uv_timer_stop(&en->every);
	if (en->started && en->conf && en->conf->evaluate_every_ms > 0)
		uv_timer_start(&en->every, on_eval_timer, (uint64_t)en->conf->evaluate_every_ms,
			       (uint64_t)en->conf->evaluate_every_ms);
}

int lw_alerts_engine_new(uv_loop_t *loop, struct lw_wh *wh, struct lw_http_driver *http,
			 struct lw_alerts_conf *conf, struct lw_alerts_engine **out,
			 struct lw_err *e)
{
	struct lw_alerts_engine *en = calloc(1, sizeof *en);
	uv_timer_t *t[4];

	if (!en)
		return lw_err_set(e, LW_ENOMEM, "out of memory");
	en->loop = loop;
	en->wh = wh;
	en->http = http;
	en->conf = conf;
	en->busy_backoff_ms = BUSY_RETRY_MIN_MS;
	t[0] = &en->every, t[1] = &en->debounce, t[2] = &en->retry, t[3] = &en->again;
	for (int i = 0; i < 4; i++) {
		uv_timer_init(loop, t[i]);
		t[i]->data = en;
	}
	*out = en;
	return 0;
}

void lw_alerts_engine_start(struct lw_alerts_engine *en)
{
	en->started = 1;
	schedule(en);
	/* Evaluate at start (a kick lost to a restart is caught up) and send
	 * what the previous run left queued. */
	en->want_eval = en->want_drain = 1;
	pump(en);
}

int lw_alerts_engine_run_once(struct lw_alerts_engine *en, int64_t eval_now, int send,
			      lw_alerts_once_cb done, void *ud)
{
	if (en->started || en->once)
		return LW_EINVAL;
	en->once = 1;
	en->once_now = eval_now;
	en->once_cb = done;
	en->once_ud = ud;
	en->want_eval = eval_now >= 0;
	en->want_drain = send;
	pump(en);
	maybe_finish(en);
	return 0;
}

void lw_alerts_engine_set_conf(struct lw_alerts_engine *en, struct lw_alerts_conf *conf)
{
	if (en->busy) {
		struct lw_alerts_conf **t = realloc(en->retired, (en->nretired + 1) * sizeof *t);
		if (t) {
			en->retired = t;
			en->retired[en->nretired++] = en->conf;
		} else {
			/* Cannot free it under the running work: leak it. */
			lw_log(LW_LOG_ERR, "alerts", "out of memory on reload");
		}
	} else {
		lw_alerts_conf_free(en->conf);
	}
	en->conf = conf;
	schedule(en);
}

void lw_alerts_engine_kick(struct lw_alerts_engine *en)
{
	if (!en || en->closing || !en->started || uv_is_active((uv_handle_t *)&en->debounce))
		return; /* an evaluation is already coming */
	uv_timer_start(&en->debounce, on_eval_timer,
		       (uint64_t)(en->conf && en->conf->debounce_ms > 0 ? en->conf->debounce_ms : 0),
		       0);
}

void lw_alerts_engine_free(struct lw_alerts_engine *en, void (*cb)(void *), void *ud)
{
	if (!en)
		return;
	en->closing = 1;
	en->done = cb;
	en->done_ud = ud;
	en->want_eval = en->want_drain = 0;
	uv_timer_stop(&en->every);
	uv_timer_stop(&en->debounce);
	uv_timer_stop(&en->retry);
	maybe_finish(en);
}

void lw_alerts_engine_counts(const struct lw_alerts_engine *en, struct lw_alerts_counts *out)
{
	if (en)
		*out = en->counts;
	else
		memset(out, 0, sizeof *out);
}
