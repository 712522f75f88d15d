/*
 * httpsrc.c — a plugin for the test suite that polls one URL through the
 * host's HTTP client (api->http_request) and logs each outcome, so that the
 * end-to-end tests can check the ABI 1 HTTP entries: requests counted,
 * bearer token sent and never logged, and both ways of stopping with a
 * request in flight ("cancel": http_cancel and wait for the LW_ECANCELED
 * callback; "abandon": report stopped() at once and let the host abort).
 */
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "litwatch/plugin.h"

struct state {
	const struct lw_host_api *api;
	struct lw_source *src;
	uv_timer_t tick;
	struct lw_http_call *call;
	int stopping;
	unsigned failures;
	uint64_t rng;
};

static const struct lw_option options[] = {
	{"url", LW_OPT_URL, LW_OPT_REQUIRED, NULL, 0, 0, NULL, "the URL to poll"},
	{"ca_file", LW_OPT_FILE, 0, NULL, 0, 0, NULL, "trust store for https"},
	{"token", LW_OPT_STRING, LW_OPT_SECRET, NULL, 0, 0, NULL, "bearer token"},
	{"interval", LW_OPT_DURATION, 0, "1h", 0, 0, NULL, "poll interval"},
	{"timeout", LW_OPT_DURATION, 0, "30s", 0, 0, NULL, "total time-out"},
	{"stop_mode", LW_OPT_STRING, 0, "cancel", 0, 0, "cancel|abandon", "how stop() treats a "
	 "request in flight"},
	{NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

static void poll_now(struct state *st);

static void on_closed(uv_handle_t *h)
{
	struct state *st = h->data;
	struct lw_source *src = st->src;
	const struct lw_host_api *api = st->api;

	free(st);
	api->stopped(src);
}

static void on_tick(uv_timer_t *t)
{
	poll_now(t->data);
}

static void on_done(void *ud, struct lw_http_resp *r)
{
	struct state *st = ud;
	const struct lw_host_api *api = st->api;
	uint64_t next = (uint64_t)api->opt_int(st->src, "interval");

	st->call = NULL;
	if (r->result == 0 && !r->retryable) {
		api->log(st->src, LW_LOG_INFO, "httpsrc: status %ld, %zu bytes, connects %ld",
			 r->status, r->body_len, r->num_connects);
		st->failures = 0;
	} else {
		api->log(st->src, LW_LOG_WARNING, "httpsrc: result %d, status %ld: %s", r->result,
			 r->status, r->error);
		if (r->result != -11)
			next = api->backoff(st->failures++, 100, 2000, r->retry_after_s, 60000,
					    &st->rng);
	}
	if (st->stopping) {
		uv_close((uv_handle_t *)&st->tick, on_closed);
		return;
	}
	uv_timer_start(&st->tick, on_tick, next, 0);
}

static void poll_now(struct state *st)
{
	const struct lw_host_api *api = st->api;
	struct lw_http_req req = {.struct_size = sizeof req};
	int rc;

	req.url = api->opt_str(st->src, "url");
	req.ca_file = api->opt_str(st->src, "ca_file");
	req.bearer_token = api->opt_str(st->src, "token");
	req.timeout_ms = api->opt_int(st->src, "timeout");
	rc = api->http_request(st->src, &req, on_done, st, &st->call);
	if (rc != 0)
		api->log(st->src, LW_LOG_WARNING, "httpsrc: request refused (%d)", rc);
}

static int start(const struct lw_host_api *api, struct lw_source *src, void **state)
{
	struct state *st;

	if (api->struct_size < offsetof(struct lw_host_api, backoff) + sizeof api->backoff) {
		api->log(src, LW_LOG_ERR, "httpsrc needs a host with the HTTP entries");
		return -6;
	}
	st = calloc(1, sizeof *st);
	if (!st)
		return -1;
	st->api = api;
	st->src = src;
	st->rng = (uint64_t)(uintptr_t)st;
	uv_timer_init(api->loop(src), &st->tick);
	st->tick.data = st;
	*state = st;
	poll_now(st);
	return 0;
}

static void stop(void *state)
{
	struct state *st = state;

	st->stopping = 1;
	uv_timer_stop(&st->tick);
	if (st->call && !strcmp(st->api->opt_str(st->src, "stop_mode"), "cancel")) {
		st->api->log(st->src, LW_LOG_INFO, "httpsrc: cancelling the request in flight");
		st->api->http_cancel(st->src, st->call); /* on_done closes */
		return;
	}
	uv_close((uv_handle_t *)&st->tick, on_closed);
}

LW_PLUGIN_EXPORT const struct lw_plugin lw_plugin = {
	.abi_version = LW_PLUGIN_ABI_VERSION,
	.struct_size = sizeof(struct lw_plugin),
	.name = "httpsrc",
	.version = "1.0",
	.description = "test plugin: polls a URL through the host's HTTP client",
	.options = options,
	.start = start,
	.stop = stop,
};
