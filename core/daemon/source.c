/*
 * source.c — running sources and the host function table of plugin ABI 1
 * (see source.h and litwatch/plugin.h).
 */
#include "daemon/source.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "daemon/host_http.h"
#include "daemon/host_import.h"
#include "daemon/host_inbox.h"
#include "daemon/jobs.h"

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *lw_source_state_name(enum lw_source_state st)
{
	switch (st) {
	case LW_STATE_STARTING: return "starting";
	case LW_STATE_IDLE: return "idle";
	case LW_STATE_BUSY: return "busy";
	case LW_STATE_FAILING: return "failing";
	case LW_STATE_STOPPED: return "stopped";
	}
	return "unknown";
}

const char *lw_counter_name(enum lw_counter c)
{
	static const char *const names[LW_CTR__COUNT] = {
		[LW_CTR_FILES_IMPORTED] = "files_imported",
		[LW_CTR_FILES_REJECTED] = "files_rejected",
		[LW_CTR_ROWS_IMPORTED] = "rows_imported",
		[LW_CTR_ROWS_REJECTED] = "rows_rejected",
		[LW_CTR_ERRORS] = "errors",
		[LW_CTR_REQUESTS] = "requests",
	};
	return (unsigned)c < LW_CTR__COUNT ? names[c] : "unknown";
}

/* ---- host functions (ABI 1) ---- */

static void host_log(struct lw_source *src, int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	lw_vlog(level, src ? src->name : NULL, fmt, ap);
	va_end(ap);
	if (src && level <= LW_LOG_ERR) {
		/* Keep the last error for `litwatch status`. */
		char buf[512];
		va_start(ap, fmt);
		vsnprintf(buf, sizeof buf, fmt, ap);
		va_end(ap);
		free(src->last_error);
		src->last_error = strdup(buf);
		src->last_error_at = now_ms();
		src->counters[LW_CTR_ERRORS]++;
	}
}

static const char *host_source_name(const struct lw_source *src)
{
	return src->name;
}

static struct uv_loop_s *host_loop(struct lw_source *src)
{
	return src->loop;
}

static const char *host_opt_str(const struct lw_source *src, const char *key)
{
	return json_string_value(json_object_get(src->values, key));
}

static int64_t host_opt_int(const struct lw_source *src, const char *key)
{
	return json_integer_value(json_object_get(src->values, key));
}

static size_t host_opt_count(const struct lw_source *src, const char *key)
{
	return json_array_size(json_object_get(src->values, key));
}

static const char *host_opt_item(const struct lw_source *src, const char *key, size_t i)
{
	return json_string_value(json_array_get(json_object_get(src->values, key), i));
}

static void host_set_state(struct lw_source *src, enum lw_source_state st, const char *detail)
{
	char *d = detail ? strdup(detail) : NULL;

	if (src->st != st)
		src->last_change = now_ms();
	src->st = st;
	free(src->detail);
	src->detail = d;
}

static void host_count(struct lw_source *src, enum lw_counter ctr, uint64_t delta)
{
	if ((unsigned)ctr < LW_CTR__COUNT)
		src->counters[ctr] += delta;
	if (ctr == LW_CTR_FILES_IMPORTED || ctr == LW_CTR_ROWS_IMPORTED)
		src->last_import_at = now_ms();
}

static void host_set_queue(struct lw_source *src, uint64_t waiting)
{
	src->queue = waiting;
}

static void host_stopped(struct lw_source *src)
{
	void (*cb)(struct lw_source *, void *) = src->on_stopped;

	lw_host_http_abort_all(src);
	lw_host_import_orphan_all(src);
	src->importing = 0;
	src->running = 0;
	src->stopping = 0;
	src->state = NULL;
	host_set_state(src, LW_STATE_STOPPED, NULL);
	src->on_stopped = NULL;
	if (cb)
		cb(src, src->on_stopped_ud);
}

const struct lw_host_api lw_host_api_v1 = {
	.abi_version = LW_PLUGIN_ABI_VERSION,
	.struct_size = sizeof(struct lw_host_api),
	.log = host_log,
	.source_name = host_source_name,
	.loop = host_loop,
	.opt_str = host_opt_str,
	.opt_int = host_opt_int,
	.opt_count = host_opt_count,
	.opt_item = host_opt_item,
	.set_state = host_set_state,
	.count = host_count,
	.stopped = host_stopped,
	.set_queue = host_set_queue,
	.http_request = lw_host_http_request,
	.http_cancel = lw_host_http_cancel,
	.backoff = lw_host_backoff,
	.import_file = lw_host_import_file,
	.import_records = lw_host_import_records,
	.read_cursor = lw_host_read_cursor,
	.inbox_start = lw_host_inbox_start,
	.inbox_rescan = lw_host_inbox_rescan,
	.inbox_stop = lw_host_inbox_stop,
};

/* ---- lifecycle ---- */

struct lw_source *lw_source_new(const struct lw_source_conf *sc, uv_loop_t *loop)
{
	struct lw_source *src = calloc(1, sizeof *src);

	if (!src)
		return NULL;
	src->name = strdup(sc->name);
	src->plugin = strdup(sc->plugin);
	src->fingerprint = strdup(sc->fingerprint);
	src->values = json_incref(sc->values);
	src->desc = sc->desc;
	src->loop = loop;
	src->st = LW_STATE_STOPPED;
	if (!src->name || !src->plugin || !src->fingerprint) {
		lw_source_free(src);
		return NULL;
	}
	return src;
}

int lw_source_start(struct lw_source *src)
{
	int rc;

	host_set_state(src, LW_STATE_STARTING, NULL);
	src->started_at = now_ms();
	rc = src->desc->start(&lw_host_api_v1, src, &src->state);
	if (rc != 0) {
		char msg[160];
		snprintf(msg, sizeof msg, "start failed: %s", lw_strerror(rc));
		host_set_state(src, LW_STATE_FAILING, msg);
		lw_host_http_abort_all(src);
		lw_host_import_orphan_all(src);
		src->counters[LW_CTR_ERRORS]++;
		src->state = NULL;
		return rc;
	}
	src->running = 1;
	if (src->st == LW_STATE_STARTING)
		host_set_state(src, LW_STATE_IDLE, NULL);
	return 0;
}

void lw_source_stop(struct lw_source *src, void (*cb)(struct lw_source *, void *), void *ud)
{
	src->on_stopped = cb;
	src->on_stopped_ud = ud;
	if (!src->running) {
		host_stopped(src);
		return;
	}
	if (src->stopping)
		return;
	src->stopping = 1;
	/* Its imports not yet started are dropped; a running one rolls back
	 * (the file stays in the inbox, the feed cursor does not move). */
	if (src->jobs)
		lw_jobs_cancel_tag(src->jobs, src);
	src->desc->stop(src->state);
}

void lw_source_free(struct lw_source *src)
{
	if (!src)
		return;
	free(src->name);
	free(src->plugin);
	free(src->fingerprint);
	free(src->detail);
	free(src->last_error);
	free(src->last_reject);
	json_decref(src->values);
	free(src);
}
