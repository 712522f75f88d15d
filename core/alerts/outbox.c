/*
 * outbox.c — the warehouse side of draining `notifications` towards the
 * sinks: which rows are due (rendered for their sink), and the outcome of
 * each attempt.  No sending happens here and nothing is kept between calls:
 * the engine (engine.c) runs these on its own connection off the loop and
 * does the sending on the loop through the HTTP driver (transport_http.c).
 *
 * A notification row is durable before anything is sent (it is queued in
 * the evaluation's transaction).  Each outcome is recorded as: sent; or one
 * more attempt and next_attempt_at pushed back exponentially; or failed
 * after max_attempts.  Across a restart nothing is lost (queued rows are
 * picked up again) and nothing that was recorded as sent goes again.  The
 * one window left is a crash after the receiver got a message and before
 * "sent" was committed: that message goes again, with the same
 * notification id, so receivers drop it (at-least-once delivery,
 * documented in docs/alerts.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/alerts_int.h"
#include "base/log.h"

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

int lw_outbox_record(struct lw_wh *wh, const struct lw_alerts_conf *conf,
		     const struct lw_outbox_outcome *o, int64_t now, struct lw_err *e)
{
	char nowtxt[24], next[24];
	const char *detail = o->detail[0] ? o->detail : lw_strerror(o->rc);
	sqlite3_stmt *st;
	int failed = o->rc != 0 && o->attempts + 1 >= (int64_t)conf->max_attempts;
	const char *sql = o->rc == 0 ? lw_alsql_outbox_sent
			  : failed ? lw_alsql_outbox_failed : lw_alsql_outbox_retry;
	int rc;

	lw_utc_format(now, nowtxt, sizeof nowtxt);
	lw_utc_format(now + backoff_s(conf, o->attempts + 1), next, sizeof next);
	if ((rc = lw_wh_stmt(wh, sql, &st, e)) != 0 ||
	    (rc = lw_wh_bind_int64(st, ":id", o->id, e)) != 0 ||
	    (o->rc == 0 && (rc = lw_wh_bind_text(st, ":now", nowtxt, e)) != 0) ||
	    (o->rc != 0 && (rc = lw_wh_bind_text(st, ":error", detail, e)) != 0) ||
	    (o->rc != 0 && !failed && (rc = lw_wh_bind_text(st, ":next", next, e)) != 0) ||
	    (rc = lw_wh_step(wh, st, e)) < 0)
		return rc;
	if (o->rc == 0)
		lw_log(LW_LOG_INFO, "alerts", "notification #%lld sent to %s", (long long)o->id,
		       o->sink);
	else if (failed)
		lw_log(LW_LOG_ERR, "alerts", "notification #%lld to %s failed for good after %lld "
		       "attempts: %s", (long long)o->id, o->sink, (long long)o->attempts + 1, detail);
	else
		lw_log(LW_LOG_WARNING, "alerts", "notification #%lld to %s failed (attempt %lld): "
		       "%s; next attempt at %s", (long long)o->id, o->sink,
		       (long long)o->attempts + 1, detail, next);
	return 0;
}

const struct lw_alert_sink *lw_alerts_sink_find(const struct lw_alerts_conf *c, const char *name)
{
	for (size_t i = 0; c && i < c->nsinks; i++)
		if (!strcmp(c->sinks[i].name, name))
			return &c->sinks[i];
	return NULL;
}

void lw_outbox_msgs_free(struct lw_outbox_msg *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(m[i].url);
		free(m[i].body);
	}
	free(m);
}

static int skipped(const int64_t *skip, size_t nskip, int64_t id)
{
	for (size_t i = 0; i < nskip; i++)
		if (skip[i] == id)
			return 1;
	return 0;
}

int lw_outbox_take_due(struct lw_wh *wh, const struct lw_alerts_conf *conf, int64_t now,
		       const int64_t *skip, size_t nskip, struct lw_outbox_msg **out, size_t *nout,
		       struct lw_err *e)
{
	struct lw_outbox_msg *m = NULL;
	size_t n = 0, cap = 0;
	char nowtxt[24];
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*nout = 0;
	if (!conf)
		return 0; /* alerting switched off by a reload */
	lw_utc_format(now, nowtxt, sizeof nowtxt);
	if ((rc = lw_wh_stmt(wh, lw_alsql_outbox_due, &st, e)) != 0 ||
	    (rc = lw_wh_bind_text(st, ":now", nowtxt, e)) != 0 ||
	    (rc = lw_wh_bind_int64(st, ":limit", 64 + (int64_t)nskip, e)) != 0)
		return rc;
	while ((rc = lw_wh_step(wh, st, e)) == 1) {
		int64_t id = sqlite3_column_int64(st, 0);
		const char *payload = (const char *)sqlite3_column_text(st, 2);
		const struct lw_alert_sink *sink;
		struct lw_outbox_msg *x;
		struct lw_err re = {0};

		if (skipped(skip, nskip, id))
			continue; /* in flight */
		if (n == cap) {
			struct lw_outbox_msg *t = realloc(m, (cap = cap ? cap * 2 : 16) * sizeof *t);
			if (!t) {
				sqlite3_reset(st);
				rc = lw_err_set(e, LW_ENOMEM, "out of memory");
				goto fail;
			}
			m = t;
		}
		x = &m[n];
		memset(x, 0, sizeof *x);
		x->o.id = id;
		x->o.attempts = sqlite3_column_int64(st, 3);
		snprintf(x->o.sink, sizeof x->o.sink, "%s", (const char *)sqlite3_column_text(st, 1));
		if (!(sink = lw_alerts_sink_find(conf, x->o.sink))) {
			/* Kept queued: the sink may come back with the next reload. */
			lw_log(LW_LOG_WARNING, "alerts", "notification #%lld: sink \"%s\" is not "
			       "configured any more; left queued", (long long)id, x->o.sink);
			continue;
		}
		if (!payload || lw_sink_render(sink, id, payload, now * 1000, &x->url, &x->body,
					       &re) != 0) {
			/* Recorded after the statement is reset (below): a failure. */
			x->o.rc = LW_EFORMAT;
			snprintf(x->o.detail, sizeof x->o.detail, "%.250s", re.msg);
		}
		x->smtp = sink->type == LW_SINK_EMAIL;
		x->log = sink->type == LW_SINK_LOG;
		n++;
	}
	if (rc < 0)
		goto fail;
	/* The log sink is written at once; unrenderable rows count an attempt. */
	for (size_t i = 0; i < n;) {
		struct lw_outbox_msg *x = &m[i];
		if (!x->log && x->o.rc == 0) {
			i++;
			continue;
		}
		if (x->log)
			lw_log(LW_LOG_WARNING, "alerts", "%s", x->body);
		if ((rc = lw_outbox_record(wh, conf, &x->o, now, e)) != 0)
			goto fail;
		free(x->url);
		free(x->body);
		m[i] = m[--n];
	}
	*out = m;
	*nout = n;
	return 0;
fail:
	lw_outbox_msgs_free(m, n);
	return rc;
}

int64_t lw_outbox_next_due(struct lw_wh *wh)
{
	struct lw_err e = {0};
	sqlite3_stmt *st;
	int64_t t = -1;

	if (lw_wh_stmt(wh, lw_alsql_outbox_next, &st, &e) == 0 && lw_wh_step(wh, st, &e) == 1) {
		const char *s = (const char *)sqlite3_column_text(st, 0);
		if (!s || lw_utc_parse(s, &t) != 0)
			t = -1;
		sqlite3_reset(st);
	}
	return t;
}
