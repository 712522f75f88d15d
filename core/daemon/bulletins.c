/*
 * bulletins.c — scheduled bulletins in the daemon (bulletins.h).
 *
 * One cycle: a timer tick queues `make` on the thread pool: for every
 * schedule entry the due period; when no row says it was made, the
 * bulletin is built, written in each format (temporary name, then
 * renamed), and recorded with its pending sends in one transaction; then
 * every pending send is rendered for its sink.  Back on the loop the
 * messages go out; when the last answer is in, `record` (thread pool)
 * writes each outcome.  One cycle at a time.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/evp.h>

#include "alerts/alerts.h"
#include "base/log.h"
#include "daemon/bulletins.h"
#include "report/schedule.h"

struct outcome {
	int64_t bulletin_id;
	int64_t attempts; /* before this one */
	char sink[72];
	int rc;
	char detail[256];
};

struct lw_bulletins {
	uv_loop_t *loop;
	struct lw_http_driver *http;
	struct lw_wh *wh;
	uv_timer_t timer;
	uv_work_t work;
	int busy, closing;
	void (*closed_cb)(void *);
	void *closed_ud;
	/* configuration (replaced on reload when idle) */
	struct lw_reports_conf *rep, *next_rep;
	struct lw_alerts_conf *sinks, *next_sinks;
	char *rounding;
	int withdrawn_is_loss;
	json_t *agencies;
	/* one cycle */
	struct lw_outbox_msg *msgs;
	struct outcome *out;
	size_t nmsgs, pending;
	int work_rc;
	int64_t retry_in_s; /* seconds to the next failed send's retry; -1 none */
	char work_err[256];
};

static void take_conf(struct lw_bulletins *b, struct lw_config *cfg)
{
	lw_reports_conf_free(b->next_rep);
	lw_alerts_conf_free(b->next_sinks);
	b->next_rep = cfg->reports;
	b->next_sinks = cfg->report_sinks;
	cfg->reports = NULL;
	cfg->report_sinks = NULL;
	free(b->rounding);
	b->rounding = cfg->rounding ? strdup(cfg->rounding) : NULL;
	b->withdrawn_is_loss = cfg->withdrawn_after_change_is_loss;
	json_decref(b->agencies);
	b->agencies = json_incref(cfg->agencies);
}

static void swap_conf(struct lw_bulletins *b)
{
	if (!b->next_rep && !b->next_sinks)
		return;
	lw_reports_conf_free(b->rep);
	lw_alerts_conf_free(b->sinks);
	b->rep = b->next_rep;
	b->sinks = b->next_sinks;
	b->next_rep = NULL;
	b->next_sinks = NULL;
}

static void sha256_hex(const char *s, char out[65])
{
	unsigned char md[32];
	unsigned int n = 0;

	EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL);
	for (unsigned i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* Make one schedule entry's due bulletin unless it was made. */
static int make_one(struct lw_bulletins *b, const struct lw_bulletin_sched *s, const char *today,
		    struct lw_err *e)
{
	struct lw_bulletin_opts o = {
		.by = s->by,
		.withdrawn_is_loss = b->withdrawn_is_loss,
		.min_concluded = b->rep->min_concluded,
		.flag_top = b->rep->flag_top,
		.title = b->rep->title,
		.known_agencies = b->agencies,
	};
	json_t *doc = NULL, *files = json_array();
	char *dump = NULL, *md = NULL, title[256], sha[65];
	int rc;

	lw_bulletin_due_period(s, today, &o.period);
	if (b->rounding)
		lw_rounding_parse(b->rounding, &o.rounding, NULL);
	if ((rc = lw_bulletin_made(b->wh, s->name, o.period.label, e)) != 0) {
		rc = rc == 1 ? 0 : rc;
		goto out;
	}
	if ((rc = lw_bulletin_build(b->wh, &o, &doc, e)) != 0)
		goto out;
	for (int f = 0; f < 4; f++) {
		char *path;
		if (!(s->formats & (1u << f)))
			continue;
		if (!(path = lw_bulletin_path(b->rep->dir, s->name, o.period.label,
					      (enum lw_report_format)f))) {
			rc = lw_err_set(e, LW_ENOMEM, "out of memory");
			goto out;
		}
		rc = lw_bulletin_write(doc, (enum lw_report_format)f, path, e);
		json_array_append_new(files, json_string(path));
		free(path);
		if (rc)
			goto out;
	}
	if (!(dump = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(15))) ||
	    !(md = lw_bulletin_summary_markdown(doc, title, sizeof title))) {
		rc = lw_err_set(e, LW_ENOMEM, "out of memory");
		goto out;
	}
	sha256_hex(dump, sha);
	rc = lw_bulletin_record(b->wh, s->name, o.period.label, files, sha, title, md,
				(const char *const *)s->send_to, s->nsend_to, &(int64_t){0}, e);
	if (rc == LW_EEXIST)
		rc = 0; /* another process made it meanwhile: its row stands */
	else if (rc == 0)
		lw_log(LW_LOG_NOTICE, NULL, "bulletin %s %s made: %zu file(s) in %s", s->name,
		       o.period.label, json_array_size(files), b->rep->dir);
out:
	json_decref(doc);
	json_decref(files);
	free(dump);
	free(md);
	return rc;
}

/* The file attached to mail: the XLSX when made, else the first file. */
static const char *attachment(json_t *files)
{
	json_t *f;
	size_t i;

	json_array_foreach(files, i, f) {
		const char *p = json_string_value(f);
		size_t n = p ? strlen(p) : 0;
		if (n > 5 && !strcmp(p + n - 5, ".xlsx"))
			return p;
	}
	return json_string_value(json_array_get(files, 0));
}

/* Failed sends back off as alert notifications do (alerts.retry). */
static void retry_of(const struct lw_bulletins *b, struct lw_send_retry *r)
{
	r->initial_ms = b->sinks ? b->sinks->retry_initial_ms : 30000;
	r->max_ms = b->sinks ? b->sinks->retry_max_ms : 3600000;
	r->max_attempts = b->sinks ? b->sinks->max_attempts : 10;
}

static int render_pending(struct lw_bulletins *b, struct lw_err *e)
{
	struct lw_send_retry retry;
	struct lw_bulletin_send *s = NULL;
	size_t n = 0;
	int rc;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	retry_of(b, &retry);
	if ((rc = lw_bulletin_sends_pending(b->wh, &retry, ts.tv_sec, &s, &n, e)) != 0)
		return rc;
	b->msgs = calloc(n + 1, sizeof *b->msgs);
	b->out = calloc(n + 1, sizeof *b->out);
	if (!b->msgs || !b->out) {
		lw_bulletin_sends_free(s, n);
		return lw_err_set(e, LW_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		const struct lw_alert_sink *sink = b->sinks ? lw_alerts_sink_find(b->sinks, s[i].sink) : NULL;
		const char *att = attachment(s[i].files), *slash = att ? strrchr(att, '/') : NULL;
		struct lw_bulletin_msg bm = {s[i].name, s[i].period, s[i].title, s[i].summary, att,
					     slash ? slash + 1 : att};
		struct lw_err re = {0};
		struct lw_outbox_msg *m = &b->msgs[b->nmsgs];
		struct outcome *o = &b->out[b->nmsgs];

		if (!sink)
			continue; /* not configured any more: stays pending */
		o->bulletin_id = s[i].bulletin_id;
		o->attempts = s[i].attempts;
		snprintf(o->sink, sizeof o->sink, "%s", s[i].sink);
		if (lw_sink_render_bulletin(sink, &bm, (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000,
					    m, &re) != 0) {
			o->rc = re.code ? re.code : LW_EIO;
			snprintf(o->detail, sizeof o->detail, "%.250s", re.msg);
			m->log = 1; /* nothing to send; the failure is recorded */
		} else if (m->log) {
			lw_log(LW_LOG_NOTICE, NULL, "bulletin %s %s to %s: %s", s[i].name, s[i].period,
			       sink->name, s[i].title);
		}
		b->nmsgs++;
	}
	lw_bulletin_sends_free(s, n);
	return 0;
}

static void make_work(uv_work_t *w)
{
	struct lw_bulletins *b = w->data;
	struct lw_err e = {0};
	char today[11];
	int rc = 0;

	lw_fig_today(today);
	for (size_t i = 0; b->rep && i < b->rep->nsched && !rc; i++)
		rc = make_one(b, &b->rep->sched[i], today, &e);
	if (!rc)
		rc = render_pending(b, &e);
	b->work_rc = rc;
	snprintf(b->work_err, sizeof b->work_err, "%.250s", rc ? e.msg : "");
}

static void record_work(uv_work_t *w)
{
	struct lw_bulletins *b = w->data;
	struct lw_send_retry retry;
	struct lw_err e = {0};

	b->work_rc = 0;
	for (size_t i = 0; i < b->nmsgs; i++) {
		if (!b->out[i].sink[0])
			continue;
		if (lw_bulletin_send_record(b->wh, b->out[i].bulletin_id, b->out[i].sink, b->out[i].rc,
					    b->out[i].detail, &e) != 0) {
			b->work_rc = e.code ? e.code : LW_EDB;
			snprintf(b->work_err, sizeof b->work_err, "%.250s", e.msg);
		}
	}
	/* A send that failed now may be due again before the next check.
	 * Only those: a send nothing could be tried with (its sink is no
	 * longer configured) waits for the configuration, not for a timer.
	 * One second more than the pending query's delay, whose clock is the
	 * recorded attempt's (whole seconds). */
	retry_of(b, &retry);
	b->retry_in_s = -1;
	for (size_t i = 0; i < b->nmsgs; i++) {
		const struct outcome *o = &b->out[i];
		int64_t d;
		if (!o->sink[0] || !o->rc || o->attempts + 1 >= (int64_t)retry.max_attempts)
			continue;
		d = lw_bulletin_retry_delay_s(&retry, o->attempts + 1) + 1;
		if (b->retry_in_s < 0 || d < b->retry_in_s)
			b->retry_in_s = d;
	}
}

static void on_closed(uv_handle_t *h)
{
	struct lw_bulletins *b = h->data;
	void (*cb)(void *) = b->closed_cb;
	void *ud = b->closed_ud;

	lw_wh_close(b->wh);
	lw_reports_conf_free(b->rep);
	lw_reports_conf_free(b->next_rep);
	lw_alerts_conf_free(b->sinks);
	lw_alerts_conf_free(b->next_sinks);
	free(b->rounding);
	json_decref(b->agencies);
	free(b);
	if (cb)
		cb(ud);
}

static void cycle_end(struct lw_bulletins *b)
{
	lw_outbox_msgs_free(b->msgs, b->nmsgs);
	free(b->out);
	b->msgs = NULL;
	b->out = NULL;
	b->nmsgs = 0;
	b->busy = 0;
	swap_conf(b);
	if (b->closing)
		uv_close((uv_handle_t *)&b->timer, on_closed);
}

static void on_tick(uv_timer_t *t);

static void after_record(uv_work_t *w, int status)
{
	struct lw_bulletins *b = w->data;

	(void)status;
	if (b->work_rc)
		lw_log(LW_LOG_ERR, NULL, "bulletins: %s", b->work_err);
	if (!b->closing && b->retry_in_s >= 0 && b->retry_in_s * 1000 < LW_BULLETIN_CHECK_MS) {
		lw_log(LW_LOG_INFO, NULL, "bulletins: a failed send is tried again in %llds",
		       (long long)b->retry_in_s);
		uv_timer_start(&b->timer, on_tick, (uint64_t)b->retry_in_s * 1000,
			       LW_BULLETIN_CHECK_MS);
	}
	cycle_end(b);
}

static void on_sent(struct outcome *o, int rc, const char *detail)
{
	o->rc = rc;
	snprintf(o->detail, sizeof o->detail, "%.250s", detail ? detail : "");
}

static void send_done(struct lw_bulletins *b)
{
	if (--b->pending > 0)
		return;
	b->work.data = b;
	uv_queue_work(b->loop, &b->work, record_work, after_record);
}

struct sent_ctx {
	struct lw_bulletins *b;
	struct outcome *o;
};

static void on_sent_ctx(void *ud, int rc, const char *detail)
{
	struct sent_ctx *c = ud;
	struct lw_bulletins *b = c->b;

	on_sent(c->o, rc, detail);
	if (rc)
		lw_log(LW_LOG_WARNING, NULL, "bulletin send to %s failed: %s", c->o->sink,
		       detail ? detail : "?");
	free(c);
	send_done(b);
}

static void after_make(uv_work_t *w, int status)
{
	struct lw_bulletins *b = w->data;

	(void)status;
	if (b->work_rc)
		lw_log(LW_LOG_ERR, NULL, "bulletins: %s; trying again at the next check", b->work_err);
	b->pending = 1; /* guard */
	for (size_t i = 0; i < b->nmsgs && !b->closing; i++) {
		struct lw_outbox_msg *m = &b->msgs[i];
		const struct lw_alert_sink *sink = lw_alerts_sink_find(b->sinks, b->out[i].sink);
		struct sent_ctx *c;
		struct lw_err e = {0};

		if (m->log || !sink)
			continue;
		if (!(c = malloc(sizeof *c))) {
			b->out[i].rc = LW_ENOMEM;
			continue;
		}
		c->b = b;
		c->o = &b->out[i];
		if (lw_alert_send(b->http, sink, m, on_sent_ctx, c, &e) != 0) {
			b->out[i].rc = e.code ? e.code : LW_EIO;
			snprintf(b->out[i].detail, sizeof b->out[i].detail, "%.250s", e.msg);
			free(c);
			continue;
		}
		b->pending++;
	}
	send_done(b);
}

static void on_tick(uv_timer_t *t)
{
	struct lw_bulletins *b = t->data;

	if (b->busy || b->closing)
		return;
	swap_conf(b);
	if (!b->rep || !b->rep->nsched)
		return;
	b->busy = 1;
	b->work.data = b;
	if (uv_queue_work(b->loop, &b->work, make_work, after_make) != 0)
		b->busy = 0;
}

int lw_bulletins_new(uv_loop_t *loop, struct lw_config *cfg, struct lw_http_driver *http,
		     struct lw_bulletins **out, struct lw_err *e)
{
	struct lw_wh_options o = {LW_WH_WRITER | LW_WH_CHECKED, 2000};
	struct lw_bulletins *b;
	int rc;

	*out = NULL;
	if (!cfg->reports)
		return 0;
	if (mkdir(cfg->reports->dir, 0750) != 0 && errno != EEXIST)
		return lw_err_set(e, LW_EIO, "reports.dir %s: %s", cfg->reports->dir, strerror(errno));
	if (!(b = calloc(1, sizeof *b)))
		return lw_err_set(e, LW_ENOMEM, "out of memory");
	if ((rc = lw_wh_open_opts(cfg->warehouse, &o, &b->wh, e)) != 0) {
		free(b);
		return rc;
	}
	b->loop = loop;
	b->http = http;
	take_conf(b, cfg);
	swap_conf(b);
	uv_timer_init(loop, &b->timer);
	b->timer.data = b;
	uv_timer_start(&b->timer, on_tick, 1000, LW_BULLETIN_CHECK_MS);
	*out = b;
	return 0;
}

void lw_bulletins_set_conf(struct lw_bulletins *b, struct lw_config *cfg)
{
	take_conf(b, cfg);
	if (!b->busy)
		swap_conf(b);
	uv_timer_start(&b->timer, on_tick, 1000, LW_BULLETIN_CHECK_MS);
}

void lw_bulletins_free(struct lw_bulletins *b, void (*cb)(void *), void *ud)
{
	if (!b)
		return;
	b->closing = 1;
	b->closed_cb = cb;
	b->closed_ud = ud;
	uv_timer_stop(&b->timer);
	if (!b->busy) {
		b->busy = 1;
		cycle_end(b);
	}
}
