/*
 * status.c — the documents of the local status API: /status (JSON, read by
 * `litwatch status`) and /metrics (Prometheus text exposition format).
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alerts/alerts.h"
#include "base/strbuf.h"
#include "daemon/daemon_int.h"
#include "province/province.h"

/* ISO-8601 UTC text of a unix-ms time, or JSON null for 0. */
static json_t *iso_time(int64_t ms)
{
	char buf[32];
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (!ms)
		return json_null();
	gmtime_r(&t, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *lw_status_json(const struct lw_daemon *d)
{
	json_t *root = json_object(), *arr = json_array();
	char *out;

	json_object_set_new(root, "version", json_string(LW_VERSION));
	json_object_set_new(root, "pid", json_integer(getpid()));
	json_object_set_new(root, "started_at", iso_time(d->started_at));
	json_object_set_new(root, "uptime_seconds", json_integer((now_ms() - d->started_at) / 1000));
	json_object_set_new(root, "config", json_string(d->config_path));
	json_object_set_new(root, "warehouse", json_string(d->cfg->warehouse));
	json_object_set_new(root, "state", json_string(d->shutting_down ? "stopping" :
							 d->reloading ? "reloading" : "running"));
	json_object_set_new(root, "reloads", json_integer((json_int_t)d->reloads));
	json_object_set_new(root, "reload_failures", json_integer((json_int_t)d->reload_failures));
	json_object_set_new(root, "last_reload_error",
			    d->last_reload_error ? json_string(d->last_reload_error) : json_null());
	if (d->pusher)
		json_object_set_new(root, "province", lw_pusher_status(d->pusher));
	for (const struct lw_source *s = d->sources; s; s = s->next) {
		json_t *o = json_object(), *c = json_object();
		const struct lw_source_conf *sc = lw_config_source(d->cfg, s->name);
		for (int i = 0; i < LW_CTR__COUNT; i++)
			json_object_set_new(c, lw_counter_name(i), json_integer((json_int_t)s->counters[i]));
		json_object_set_new(o, "name", json_string(s->name));
		json_object_set_new(o, "plugin", json_string(s->plugin));
		json_object_set_new(o, "enabled", json_boolean(!sc || sc->enabled));
		json_object_set_new(o, "state", json_string(lw_source_state_name(s->st)));
		json_object_set_new(o, "detail", s->detail ? json_string(s->detail) : json_null());
		json_object_set_new(o, "since", iso_time(s->last_change));
		json_object_set_new(o, "queue", json_integer((json_int_t)(s->queue + s->importing)));
		json_object_set_new(o, "last_import", iso_time(s->last_import_at));
		json_object_set_new(o, "last_error", s->last_error ? json_string(s->last_error) : json_null());
		json_object_set_new(o, "last_error_at", iso_time(s->last_error_at));
		json_object_set_new(o, "last_reject", s->last_reject ? json_string(s->last_reject)
								   : json_null());
		json_object_set_new(o, "last_reject_at", iso_time(s->last_reject_at));
		/* Current: an error after the last import that landed. */
		json_object_set_new(o, "error_current",
				    json_boolean(s->last_error && s->last_error_at >= s->last_import_at));
		json_object_set_new(o, "counters", c);
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "sources", arr);
	out = json_dumps(root, JSON_INDENT(2) | JSON_ENSURE_ASCII);
	json_decref(root);
	if (out) {
		size_t n = strlen(out);
		char *nl = realloc(out, n + 2);
		if (nl) {
			nl[n] = '\n';
			nl[n + 1] = '\0';
			out = nl;
		}
	}
	return out;
}



/* Source names are restricted to [A-Za-z0-9._-] by the config, so they
 * need no escaping inside label values. */
char *lw_status_metrics(const struct lw_daemon *d, size_t *len)
{
	static const char *const help[LW_CTR__COUNT] = {
		"Files imported (fully or partly)", "Files rejected as a whole",
		"Rows stored in the warehouse", "Rows rejected", "Errors logged",
		"Requests made to remote servers",
	};
	struct lw_strbuf b = {malloc(4096), 0, 4096, 0};

	if (!b.p)
		return NULL;
	b.p[0] = '\0';
	lw_strbuf_printf(&b, "# HELP litwatch_start_time_seconds Start time of litwatchd\n"
		    "# TYPE litwatch_start_time_seconds gauge\n"
		    "litwatch_start_time_seconds %lld\n",
		(long long)(d->started_at / 1000));
	lw_strbuf_printf(&b, "# HELP litwatch_reloads_total Configuration reloads applied\n"
		    "# TYPE litwatch_reloads_total counter\nlitwatch_reloads_total %llu\n",
		(unsigned long long)d->reloads);
	lw_strbuf_printf(&b, "# HELP litwatch_reload_failures_total Reloads refused (bad configuration)\n"
		    "# TYPE litwatch_reload_failures_total counter\n"
		    "litwatch_reload_failures_total %llu\n",
		(unsigned long long)d->reload_failures);
	for (int i = 0; i < LW_CTR__COUNT; i++) {
		lw_strbuf_printf(&b, "# HELP litwatch_%s_total %s\n# TYPE litwatch_%s_total counter\n",
			lw_counter_name(i), help[i], lw_counter_name(i));
		for (const struct lw_source *s = d->sources; s; s = s->next)
			lw_strbuf_printf(&b, "litwatch_%s_total{source=\"%s\"} %llu\n", lw_counter_name(i),
				s->name, (unsigned long long)s->counters[i]);
	}
	lw_strbuf_printf(&b, "# HELP litwatch_source_queue Work items waiting per source\n"
		    "# TYPE litwatch_source_queue gauge\n");
	for (const struct lw_source *s = d->sources; s; s = s->next)
		lw_strbuf_printf(&b, "litwatch_source_queue{source=\"%s\"} %llu\n", s->name,
			(unsigned long long)(s->queue + s->importing));
	lw_strbuf_printf(&b, "# HELP litwatch_source_state 1 for the state each source is in\n"
		    "# TYPE litwatch_source_state gauge\n");
	for (const struct lw_source *s = d->sources; s; s = s->next)
		for (int st = LW_STATE_STARTING; st <= LW_STATE_STOPPED; st++)
			lw_strbuf_printf(&b, "litwatch_source_state{source=\"%s\",state=\"%s\"} %d\n", s->name,
				lw_source_state_name(st), s->st == (enum lw_source_state)st);
	lw_strbuf_printf(&b, "# HELP litwatch_source_last_success_timestamp_seconds Last import that landed "
		    "(file, feed page or download), per source\n"
		    "# TYPE litwatch_source_last_success_timestamp_seconds gauge\n");
	for (const struct lw_source *s = d->sources; s; s = s->next)
		if (s->last_import_at)
			lw_strbuf_printf(&b, "litwatch_source_last_success_timestamp_seconds{source=\"%s\"} %lld\n",
				s->name, (long long)(s->last_import_at / 1000));
	{
		struct lw_alerts_counts c;
		lw_alerts_engine_counts(d->alerts, &c);
		if (c.valid) {
			lw_strbuf_printf(&b, "# HELP litwatch_alerts Alerts in the warehouse by state\n"
				    "# TYPE litwatch_alerts gauge\n"
				    "litwatch_alerts{state=\"pending\"} %lld\n"
				    "litwatch_alerts{state=\"firing\"} %lld\n"
				    "litwatch_alerts{state=\"resolved\"} %lld\n",
				(long long)c.pending, (long long)c.firing, (long long)c.resolved);
			/* Sink names are config names ([A-Za-z0-9._-]): no escaping. */
			lw_strbuf_printf(&b, "# HELP litwatch_notifications Notifications by sink and state "
				    "(queued = pending or being retried)\n"
				    "# TYPE litwatch_notifications gauge\n");
			for (size_t i = 0; i < c.nsinks; i++)
				lw_strbuf_printf(&b, "litwatch_notifications{sink=\"%s\",state=\"queued\"} %lld\n"
					    "litwatch_notifications{sink=\"%s\",state=\"sent\"} %lld\n"
					    "litwatch_notifications{sink=\"%s\",state=\"failed\"} %lld\n",
					c.sinks[i].sink, (long long)c.sinks[i].queued, c.sinks[i].sink,
					(long long)c.sinks[i].sent, c.sinks[i].sink,
					(long long)c.sinks[i].failed);
		}
	}
	if (d->pusher)
		lw_pusher_metrics(d->pusher, &b);
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	*len = b.len;
	return b.p;
}
