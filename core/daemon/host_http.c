/*
 * host_http.c — the HTTP(S)/SMTP host functions of plugin ABI 1
 * (http_request, http_cancel, backoff; see litwatch/plugin.h).
 *
 * Each source keeps the list of its calls in flight so that calls still
 * running when the source reports stopped() are aborted: their callbacks
 * would otherwise run into the plugin's freed state.
 */
#include "daemon/host_http.h"

#include <stdlib.h>

#include "base/log.h"
#include "net/http_client.h"
#include "net/http_util.h"

struct lw_host_call {
	struct lw_source *src;
	struct lw_http_call *call;
	lw_http_done_cb done;
	void *ud;
	struct lw_host_call *prev, *next;
};

static void unlink_call(struct lw_host_call *hc)
{
	if (hc->prev)
		hc->prev->next = hc->next;
	else
		hc->src->http_calls = hc->next;
	if (hc->next)
		hc->next->prev = hc->prev;
}

static void on_done(void *ud, struct lw_http_resp *resp)
{
	struct lw_host_call *hc = ud;

	unlink_call(hc);
	hc->done(hc->ud, resp);
	free(hc);
}

int lw_host_http_request(struct lw_source *src, const struct lw_http_req *req,
			 lw_http_done_cb done, void *ud, struct lw_http_call **out)
{
	struct lw_err err = {0};
	struct lw_host_call *hc;
	int rc;

	if (out)
		*out = NULL;
	if (!src->http) {
		lw_log(LW_LOG_ERR, src->name, "HTTP request refused: the HTTP client is not running");
		return LW_EIO;
	}
	if (!done)
		return LW_EINVAL;
	hc = calloc(1, sizeof *hc);
	if (!hc)
		return LW_ENOMEM;
	hc->src = src;
	hc->done = done;
	hc->ud = ud;
	rc = lw_http_request(src->http, req, on_done, hc, &hc->call, &err);
	if (rc != 0) {
		if (rc != LW_ECANCELED)
			lw_log(LW_LOG_ERR, src->name, "HTTP request refused: %s", err.msg);
		free(hc);
		return rc;
	}
	hc->next = src->http_calls;
	if (hc->next)
		hc->next->prev = hc;
	src->http_calls = hc;
	src->counters[LW_CTR_REQUESTS]++;
	if (out)
		*out = hc->call;
	return 0;
}

void lw_host_http_cancel(struct lw_source *src, struct lw_http_call *call)
{
	lw_http_cancel(call);
}

uint64_t lw_host_backoff(unsigned attempt, uint64_t base_ms, uint64_t cap_ms,
			 int64_t retry_after_s, uint64_t max_ms, uint64_t *rng)
{
	return lw_backoff_honour(lw_backoff_next(attempt, base_ms, cap_ms, rng), retry_after_s,
				 max_ms);
}

void lw_host_http_abort_all(struct lw_source *src)
{
	size_t n = 0;

	while (src->http_calls) {
		struct lw_host_call *hc = src->http_calls;
		unlink_call(hc);
		lw_http_abort(hc->call);
		free(hc);
		n++;
	}
	if (n)
		lw_log(LW_LOG_DEBUG, src->name, "aborted %zu HTTP request(s) still in flight at stop",
		       n);
}
