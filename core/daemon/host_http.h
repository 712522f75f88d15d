/*
 * host_http.h — the HTTP entries of the plugin host table (ABI 1) and the
 * per-source tracking of calls in flight.  Loop thread only.
 */
#ifndef LW_HOST_HTTP_H
#define LW_HOST_HTTP_H

#include "daemon/source.h"

/* lw_host_api.http_request: see litwatch/plugin.h. */
int lw_host_http_request(struct lw_source *src, const struct lw_http_req *req,
			 lw_http_done_cb done, void *ud, struct lw_http_call **out);

/* lw_host_api.http_cancel. */
void lw_host_http_cancel(struct lw_source *src, struct lw_http_call *call);

/* lw_host_api.backoff: lw_backoff_next then lw_backoff_honour. */
uint64_t lw_host_backoff(unsigned attempt, uint64_t base_ms, uint64_t cap_ms,
			 int64_t retry_after_s, uint64_t max_ms, uint64_t *rng);

/* Abort the source's calls still in flight; their callbacks never fire. */
void lw_host_http_abort_all(struct lw_source *src);

#endif
