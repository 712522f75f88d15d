/*
 * source.h — the host side of a running source: one configured instance
 * of a plugin, its state, counters and the host function table it gets.
 *
 * All functions run on the loop thread.
 */
#ifndef LW_SOURCE_H
#define LW_SOURCE_H

#include <stdint.h>
#include <uv.h>

#include "config/config.h"
#include "litwatch/plugin.h"

struct lw_http_driver;
struct lw_jobs;
struct lw_host_import;
struct lw_inbox;
struct lw_host_call;

struct lw_source {
	char *name;
	char *plugin;
	char *fingerprint;
	json_t *values; /* typed option values (see config.h) */
	const struct lw_plugin *desc;
	uv_loop_t *loop;
	void *state; /* the plugin's */
	enum lw_source_state st;
	char *detail;
	uint64_t counters[LW_CTR__COUNT];
	int64_t started_at, last_change; /* unix ms */
	int64_t last_import_at;          /* unix ms, 0: never */
	char *last_error;                /* last error-level log line */
	int64_t last_error_at;
	char *last_reject;               /* "file: status" of the last file with rejections */
	int64_t last_reject_at;          /* unix ms, 0: never */
	uint64_t queue;                  /* work items waiting (plugin's count) */
	uint64_t importing;              /* imports queued or running */
	struct lw_http_driver *http;     /* the daemon's HTTP client; NULL: none */
	struct lw_jobs *jobs;            /* the daemon's import queue; NULL: none */
	struct lw_host_import *imports;  /* this source's imports in flight */
	struct lw_inbox *inbox;          /* its drop folder, if it serves one */
	struct lw_host_call *http_calls; /* this source's calls in flight */
	int running;  /* start() succeeded and stopped() has not been called */
	int stopping; /* stop() called, stopped() pending */
	int drop;     /* to be freed once stopped (reload removed/changed it) */
	/* Called once the plugin reports it has stopped (or at once when it
	 * never started). */
	void (*on_stopped)(struct lw_source *src, void *ud);
	void *on_stopped_ud;
	struct lw_source *next;
};

/* The host function table handed to every plugin. */
extern const struct lw_host_api lw_host_api_v1;

/* Create a source from its configuration (copied).  Not started. */
struct lw_source *lw_source_new(const struct lw_source_conf *sc, uv_loop_t *loop);

/* Start it: calls the plugin's start().  Returns 0 or the plugin's code;
 * on failure the source is left in LW_STATE_FAILING and not running. */
int lw_source_start(struct lw_source *src);

/* Ask it to stop; cb fires (on this loop) when it has.  Safe to call on a
 * source that is not running: cb then fires before this returns. */
void lw_source_stop(struct lw_source *src, void (*cb)(struct lw_source *, void *), void *ud);

/* Free a stopped source. */
void lw_source_free(struct lw_source *src);

/* "starting", "idle", "busy", "failing", "stopped". */
const char *lw_source_state_name(enum lw_source_state st);

/* Metric names for the counters ("rows_imported"...). */
const char *lw_counter_name(enum lw_counter c);

#endif
