/*
 * outbox.c — draining `notifications` towards the sinks.
 *
 * A notification row is durable before anything is sent (it is queued in
 * the evaluation's transaction).  The drainer hands due rows to the
 * transport and records the outcome: sent; or one more attempt and
 * next_attempt_at pushed back exponentially; or failed after max_attempts.
 * Across a restart nothing is lost (queued rows are picked up again) and
 * nothing that was recorded as sent goes again.  The one window left is a
 * crash after the receiver got a message and before "sent" was committed:
 * that message goes again, with the same notification id, so receivers
 * drop it (at-least-once delivery, documented in docs/alerts.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alerts_int.h"
#include "log.h"

struct lw_outbox {
	struct lw_wh *wh;
	const struct lw_alerts_conf *conf;
	struct lw_alert_transport *tp;
	int64_t (*clock)(void *);
	void *clock_ud;
	int64_t *inflight;
	size_t ninflight, cap;
};

struct job {
	struct lw_outbox *ob;
	int64_t id;
	int64_t attempts; /* before this one */
	char sink[72];
};

static int64_t now_of(struct lw_outbox *ob)
{
	return ob->clock ? ob->clock(ob->clock_ud) : (int64_t)time(NULL);
}

int lw_outbox_new(struct lw_wh *wh, const struct lw_alerts_conf *conf,
		  struct lw_alert_transport *tp, int64_t (*clock)(void *), void *clock_ud,
		  struct lw_outbox **out, struct lw_err *e)
{
	struct lw_outbox *ob = calloc(1, sizeof *ob);
	if (!ob)
		return lw_err_set(e, LW_ENOMEM, "out of memory");
	ob->wh = wh;
	ob->conf = conf;
	ob->tp = tp;
	ob->clock = clock;
	ob->clock_ud = clock_ud;
	*out = ob;
	return 0;
}

void lw_outbox_free(struct lw_outbox *ob)
{
	if (!ob)
		return;
	free(ob->inflight);
	free(ob);
}

void lw_outbox_set_conf(struct lw_outbox *ob, const struct lw_alerts_conf *conf)
{
	ob->conf = conf;
}

size_t lw_outbox_in_flight(const struct lw_outbox *ob)
{
	return ob->ninflight;
}

static int is_inflight(const struct lw_outbox *ob, int64_t id)
{
	for (size_t i = 0; i < ob->ninflight; i++)
		if (ob->inflight[i] == id)
			return 1;
	return 0;
}

static void inflight_del(struct lw_outbox *ob, int64_t id)
{
	for (size_t i = 0; i < ob->ninflight; i++)
		if (ob->inflight[i] == id) {
			ob->inflight[i] = ob->inflight[--ob->ninflight];
			return;
		}
}

/* Seconds to wait after the n-th failed attempt (n >= 1). */
static int64_t backoff_s(const struct lw_alerts_conf *c, int64_t n)
{
	int64_t ms = c->retry_initial_ms;
	while (--n > 0 && ms < c->retry_max_ms)
		ms *= 2;
	if (ms > c->retry_max_ms)
		ms = c->retry_max_ms;
	return (ms + 999) / 1000;
}

/* Record the outcome of one attempt. */
static void record(struct lw_outbox *ob, int64_t id, int64_t attempts, const char *sink, int rc,
		   const char *detail)
{
	char now[24], next[24];
	struct lw_err e = {0};
	sqlite3_stmt *st;
	int64_t t = now_of(ob);
	int failed = rc != 0 && attempts + 1 >= (int64_t)ob->conf->max_attempts;
	const char *sql = rc == 0 ? lw_alsql_outbox_sent
			  : failed ? lw_alsql_outbox_failed : lw_alsql_outbox_retry;

	lw_utc_format(t, now, sizeof now);
	lw_utc_format(t + backoff_s(ob->conf, attempts + 1), next, sizeof next);
	if (lw_wh_stmt(ob->wh, sql, &st, &e) != 0 || lw_wh_bind_int64(st, ":id", id, &e) != 0 ||
	    (rc == 0 && lw_wh_bind_text(st, ":now", now, &e) != 0) ||
	    (rc != 0 && lw_wh_bind_text(st, ":error", detail ? detail : lw_strerror(rc), &e)) ||
	    (rc != 0 && !failed && lw_wh_bind_text(st, ":next", next, &e) != 0) ||
	    lw_wh_step(ob->wh, st, &e) < 0) {
		lw_log(LW_LOG_ERR, "alerts", "notification #%lld to %s: cannot record the outcome "
		       "(%s); it may be sent again", (long long)id, sink, e.msg);
		return;
	}
	if (rc == 0)
		lw_log(LW_LOG_INFO, "alerts", "notification #%lld sent to %s", (long long)id, sink);
	else if (failed)
		lw_log(LW_LOG_ERR, "alerts", "notification #%lld to %s failed for good after %lld "
		       "attempts: %s", (long long)id, sink, (long long)attempts + 1,
		       detail ? detail : lw_strerror(rc));
	else
		lw_log(LW_LOG_WARNING, "alerts", "notification #%lld to %s failed (attempt %lld): "
		       "%s; next attempt at %s", (long long)id, sink, (long long)attempts + 1,
		       detail ? detail : lw_strerror(rc), next);
}

static void on_sent(void *ud, int rc, const char *detail)
{
	struct job *j = ud;
	inflight_del(j->ob, j->id);
	record(j->ob, j->id, j->attempts, j->sink, rc, detail);
	free(j);
}

static const struct lw_alert_sink *find_sink(const struct lw_alerts_conf *c, const char *name)
{
	for (size_t i = 0; i < c->nsinks; i++)
		if (!strcmp(c->sinks[i].name, name))
			return &c->sinks[i];
	return NULL;
}

int lw_outbox_drain(struct lw_outbox *ob, int64_t now, size_t *started, struct lw_err *e)
{
	struct row {
		int64_t id, attempts;
		char sink[72];
		char *payload;
	} *rows = NULL;
	size_t n = 0, cap = 0, go = 0;
	char nowtxt[24];
	sqlite3_stmt *st;
	int rc;

	if (!ob->conf)
		return 0; /* alerting switched off by a reload */
	lw_utc_format(now, nowtxt, sizeof nowtxt);
	if ((rc = lw_wh_stmt(ob->wh, lw_alsql_outbox_due, &st, e)) != 0 ||
	    (rc = lw_wh_bind_text(st, ":now", nowtxt, e)) != 0 ||
	    (rc = lw_wh_bind_int64(st, ":limit", 64 + (int64_t)ob->ninflight, e)) != 0)
		return rc;
	while ((rc = lw_wh_step(ob->wh, st, e)) == 1) {
		int64_t id = sqlite3_column_int64(st, 0);
		if (is_inflight(ob, id))
			continue;
		if (n == cap) {
			struct row *t = realloc(rows, (cap = cap ? cap * 2 : 16) * sizeof *t);
			if (!t) {
				sqlite3_reset(st);
				rc = lw_err_set(e, LW_ENOMEM, "out of memory");
				goto out;
			}
			rows = t;
		}
		rows[n].id = id;
		snprintf(rows[n].sink, sizeof rows[n].sink, "%s",
			 (const char *)sqlite3_column_text(st, 1));
		rows[n].payload = strdup((const char *)sqlite3_column_text(st, 2));
		rows[n].attempts = sqlite3_column_int64(st, 3);
		n++;
	}
	if (rc < 0)
		goto out;
	rc = 0;
	for (size_t i = 0; i < n; i++) {
		const struct lw_alert_sink *sink = find_sink(ob->conf, rows[i].sink);
		struct lw_err re = {0};
		char *url = NULL, *body = NULL;
		struct job *j;

		if (!sink) {
			/* Kept queued: the sink may come back with the next reload. */
			lw_log(LW_LOG_WARNING, "alerts", "notification #%lld: sink \"%s\" is not "
			       "configured any more; left queued", (long long)rows[i].id,
			       rows[i].sink);
			continue;
		}
		if (!rows[i].payload ||
		    lw_sink_render(sink, rows[i].id, rows[i].payload, now * 1000, &url, &body,
				   &re) != 0) {
			record(ob, rows[i].id, rows[i].attempts, sink->name, LW_EFORMAT, re.msg);
			continue;
		}
		if (sink->type == LW_SINK_LOG) {
			lw_log(LW_LOG_WARNING, "alerts", "%s", body);
			record(ob, rows[i].id, rows[i].attempts, sink->name, 0, NULL);
		} else if (!(j = calloc(1, sizeof *j)) ||
			   (ob->ninflight == ob->cap &&
			    !(ob->inflight = realloc(ob->inflight,
						     (ob->cap = ob->cap * 2 + 8) * sizeof(int64_t))))) {
			free(j);
			free(url);
			free(body);
			rc = lw_err_set(e, LW_ENOMEM, "out of memory");
			goto out;
		} else {
			struct lw_alert_request req = {sink, rows[i].id, url, body,
						       "application/json", sink->type == LW_SINK_EMAIL};
			int src;
			j->ob = ob;
			j->id = rows[i].id;
			j->attempts = rows[i].attempts;
			snprintf(j->sink, sizeof j->sink, "%s", sink->name);
			ob->inflight[ob->ninflight++] = j->id;
			go++;
			if ((src = ob->tp->send(ob->tp, &req, on_sent, j)) != 0) {
				inflight_del(ob, j->id);
				record(ob, j->id, j->attempts, sink->name, src, "could not start");
				free(j);
			}
		}
		free(url);
		free(body);
	}
out:
	for (size_t i = 0; i < n; i++)
		free(rows[i].payload);
	free(rows);
	if (started)
		*started = go;
	return rc;
}

int64_t lw_outbox_next_due(struct lw_outbox *ob)
{
	struct lw_err e = {0};
	sqlite3_stmt *st;
	int64_t t = -1;

	if (lw_wh_stmt(ob->wh, lw_alsql_outbox_next, &st, &e) == 0 &&
	    lw_wh_step(ob->wh, st, &e) == 1) {
		const char *s = (const char *)sqlite3_column_text(st, 0);
		if (!s || lw_utc_parse(s, &t) != 0)
			t = -1;
		sqlite3_reset(st);
	}
	return t;
}
