/*
 * testsrc.c — a plugin for the test suite: declares one option of every
 * type, logs what it was given, and stops asynchronously (through a uv
 * timer close) so that the daemon's stop protocol is exercised.
 */
#include <stdlib.h>
#include <uv.h>

#include "litwatch/plugin.h"

struct state {
	const struct lw_host_api *api;
	struct lw_source *src;
	uv_timer_t tick;
	uv_timer_t linger;
	int open_handles;
};

static const struct lw_option options[] = {
	{"marker", LW_OPT_STRING, 0, "none", 0, 0, NULL, "text logged at start"},
	{"mode", LW_OPT_STRING, 0, "fast", 0, 0, "fast|slow", "an enumerated string"},
	{"count", LW_OPT_INT, 0, "10", 1, 100, NULL, "an integer from 1 to 100"},
	{"flag", LW_OPT_BOOL, 0, "false", 0, 0, NULL, "a boolean"},
	{"interval", LW_OPT_DURATION, 0, "1h", 0, 0, NULL, "a duration"},
	{"limit", LW_OPT_SIZE, 0, "64MiB", 0, 0, NULL, "a size"},
	{"inbox", LW_OPT_DIR, LW_OPT_CREATE, NULL, 0, 0, NULL, "a directory created at start"},
	{"existing", LW_OPT_DIR, 0, NULL, 0, 0, NULL, "a directory that must exist"},
	{"keyfile", LW_OPT_FILE, 0, NULL, 0, 0, NULL, "a file that must exist"},
	{"url", LW_OPT_URL, 0, NULL, 0, 0, NULL, "an http(s) URL"},
	{"tags", LW_OPT_STRINGS, 0, NULL, 0, 0, NULL, "a list of strings"},
	{"required_key", LW_OPT_STRING, LW_OPT_REQUIRED, NULL, 0, 0, NULL, "the test's required key"},
	{"fail_start", LW_OPT_BOOL, 0, "false", 0, 0, NULL, "make start() fail"},
	{"stop_delay", LW_OPT_DURATION, 0, "0ms", 0, 0, NULL, "delay before reporting stopped"},
	{NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

static void on_tick(uv_timer_t *t)
{
}

static void on_closed(uv_handle_t *h)
{
	struct state *st = h->data;

	/* Free only after both close callbacks: their order is not ours. */
	if (--st->open_handles == 0) {
		struct lw_source *src = st->src;
		const struct lw_host_api *api = st->api;
		api->log(src, LW_LOG_INFO, "testsrc stopped");
		free(st);
		api->stopped(src);
	}
}

static void on_linger(uv_timer_t *t)
{
	struct state *st = t->data;

	uv_close((uv_handle_t *)&st->tick, on_closed);
	uv_close((uv_handle_t *)&st->linger, on_closed);
}

static int start(const struct lw_host_api *api, struct lw_source *src, void **state)
{
	struct state *st;

	if (api->opt_int(src, "fail_start")) {
		api->log(src, LW_LOG_ERR, "testsrc refuses to start (fail_start is set)");
		return -3;
	}
	st = calloc(1, sizeof *st);
	if (!st)
		return -1;
	st->api = api;
	st->src = src;
	uv_timer_init(api->loop(src), &st->tick);
	uv_timer_init(api->loop(src), &st->linger);
	st->tick.data = st->linger.data = st;
	st->open_handles = 2;
	uv_timer_start(&st->tick, on_tick, (uint64_t)api->opt_int(src, "interval"),
		       (uint64_t)api->opt_int(src, "interval"));
	api->log(src, LW_LOG_INFO, "testsrc started: marker=%s mode=%s count=%lld limit=%lld inbox=%s",
		 api->opt_str(src, "marker"), api->opt_str(src, "mode"),
		 (long long)api->opt_int(src, "count"), (long long)api->opt_int(src, "limit"),
		 api->opt_str(src, "inbox") ? api->opt_str(src, "inbox") : "-");
	api->set_queue(src, 0);
	*state = st;
	return 0;
}

static void stop(void *state)
{
	struct state *st = state;

	uv_timer_stop(&st->tick);
	uv_timer_start(&st->linger, on_linger,
		       (uint64_t)st->api->opt_int(st->src, "stop_delay"), 0);
}

static int poke(void *state)
{
	struct state *st = state;

	st->api->log(st->src, LW_LOG_INFO, "testsrc poked");
	return 0;
}

LW_PLUGIN_EXPORT const struct lw_plugin lw_plugin = {
	.abi_version = LW_PLUGIN_ABI_VERSION,
	.struct_size = sizeof(struct lw_plugin),
	.name = "testsrc",
	.version = "1.0",
	.description = "test plugin",
	.options = options,
	.start = start,
	.stop = stop,
	.poke = poke,
};
