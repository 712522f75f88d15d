/*
 * engine.c — the daemon's hook: evaluation on a schedule and shortly after
 * each committed import (debounced), then draining the outbox, and
 * re-draining when the next queued notification falls due.  Everything
 * runs on the loop thread that owns the warehouse writer; transfers run on
 * libuv's thread pool and report back on the loop.
 */
#include <stdlib.h>
#include <time.h>
#include <uv.h>

#include "alerts_int.h"
#include "log.h"

struct lw_alerts_engine {
	uv_loop_t *loop;
	struct lw_wh *wh;
	const struct lw_alerts_conf *conf;
	struct lw_alert_transport *tp;
	struct lw_outbox *ob;
	uv_timer_t every, debounce, retry;
	int closing, open_handles;
	void (*done)(void *);
	void *done_ud;
};

static void on_retry(uv_timer_t *t);

/* Drain what is due, then come back when the next one is (at most a
 * minute later, 5 s while transfers are in flight). */
static void drain(struct lw_alerts_engine *en)
{
	struct lw_err e = {0};
	int64_t now = (int64_t)time(NULL), next, wait = 60;

	if (lw_outbox_drain(en->ob, now, NULL, &e) != 0)
		lw_log(LW_LOG_ERR, "alerts", "outbox: %s", e.msg);
	next = lw_outbox_next_due(en->ob);
	if (next >= 0 && next - now < wait)
		wait = next - now < 1 ? 1 : next - now;
	if (lw_outbox_in_flight(en->ob) && wait > 5)
		wait = 5;
	uv_timer_start(&en->retry, on_retry, (uint64_t)wait * 1000, 0);
}

static void on_closed(uv_handle_t *h)
{
	struct lw_alerts_engine *en = h->data;
	if (--en->open_handles > 0)
		return;
	lw_outbox_free(en->ob);
	en->tp->free(en->tp);
	if (en->done)
		en->done(en->done_ud);
	free(en);
}

static void close_all(struct lw_alerts_engine *en)
{
	en->open_handles = 3;
	uv_close((uv_handle_t *)&en->every, on_closed);
	uv_close((uv_handle_t *)&en->debounce, on_closed);
	uv_close((uv_handle_t *)&en->retry, on_closed);
}

static void on_retry(uv_timer_t *t)
{
	struct lw_alerts_engine *en = t->data;
	if (!en->closing) {
		drain(en);
	} else if (lw_outbox_in_flight(en->ob)) {
		uv_timer_start(&en->retry, on_retry, 100, 0);
	} else {
		close_all(en);
	}
}

static void evaluate(struct lw_alerts_engine *en)
{
	struct lw_eval_stats st;
	struct lw_err e = {0};

	if (en->closing || !en->conf)
		return;
	if (en->conf->nrules &&
	    lw_alerts_evaluate(en->wh, en->conf, (int64_t)time(NULL), &st, &e) != 0)
		lw_log(LW_LOG_ERR, "alerts", "evaluation failed: %s", e.msg);
	drain(en);
}

static void on_timer(uv_timer_t *t)
{
	evaluate(t->data);
}

static void schedule(struct lw_alerts_engine *en)
{
	uv_timer_stop(&en->every);
	if (en->conf && en->conf->evaluate_every_ms > 0)
		uv_timer_start(&en->every, on_timer, (uint64_t)en->conf->evaluate_every_ms,
			       (uint64_t)en->conf->evaluate_every_ms);
}

int lw_alerts_engine_new(uv_loop_t *loop, struct lw_wh *wh, const struct lw_alerts_conf *conf,
			 struct lw_alerts_engine **out, struct lw_err *e)
{
	struct lw_alerts_engine *en = calloc(1, sizeof *en);
	int rc;

	if (!en)
		return lw_err_set(e, LW_ENOMEM, "out of memory");
	en->loop = loop;
	en->wh = wh;
	en->conf = conf;
	if ((rc = lw_alert_curl_transport_new(loop, &en->tp, e)) != 0 ||
	    (rc = lw_outbox_new(wh, conf, en->tp, NULL, NULL, &en->ob, e)) != 0) {
		if (en->tp)
			en->tp->free(en->tp);
		free(en);
		return rc;
	}
	uv_timer_init(loop, &en->every);
	uv_timer_init(loop, &en->debounce);
	uv_timer_init(loop, &en->retry);
	en->every.data = en->debounce.data = en->retry.data = en;
	schedule(en);
	/* Notifications left queued by the previous run go out now. */
	uv_timer_start(&en->retry, on_retry, 0, 0);
	*out = en;
	return 0;
}

void lw_alerts_engine_set_conf(struct lw_alerts_engine *en, const struct lw_alerts_conf *conf)
{
	en->conf = conf;
	lw_outbox_set_conf(en->ob, conf);
	schedule(en);
}

void lw_alerts_engine_kick(struct lw_alerts_engine *en)
{
	if (!en || en->closing || uv_is_active((uv_handle_t *)&en->debounce))
		return; /* an evaluation is already coming */
	uv_timer_start(&en->debounce, on_timer,
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
	uv_timer_stop(&en->every);
	uv_timer_stop(&en->debounce);
	uv_timer_start(&en->retry, on_retry, 0, 0);
}
