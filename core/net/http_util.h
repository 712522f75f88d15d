/*
 * http_util.h — pure helpers for HTTP clients: retry back-off with full
 * jitter, the Retry-After header (delta-seconds or HTTP-date), and URL
 * redaction for logs.  No I/O, no global state; safe on any thread.
 */
#ifndef LW_HTTP_UTIL_H
#define LW_HTTP_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "base/redact.h"

/* Delay before retry number `attempt` (0 = the first retry): a uniform
 * random value in [0, min(cap_ms, base_ms * 2^attempt)] ("full jitter",
 * as AWS's architecture blog describes).  *rng is the caller's PRNG state
 * (splitmix64); any seed works, 0 included.  base_ms 0 gives 0. */
uint64_t lw_backoff_next(unsigned attempt, uint64_t base_ms, uint64_t cap_ms, uint64_t *rng);

/* Honour a server's Retry-After: max(delay_ms, retry_after_s * 1000),
 * never above max_ms (a hostile or broken server cannot park us for
 * days).  retry_after_s < 0 means "none".  max_ms 0: no upper bound. */
uint64_t lw_backoff_honour(uint64_t delay_ms, int64_t retry_after_s, uint64_t max_ms);

/* Parse an HTTP-date (RFC 9110 §5.6.7: IMF-fixdate, and the obsolete
 * RFC 850 and asctime forms) into Unix seconds.  Returns 0 or -1. */
int lw_http_date_parse(const char *s, int64_t *unix_s);

/* The value of a Retry-After header as seconds from now: delta-seconds,
 * or an HTTP-date minus now_s (0 when it is past).  Surrounding blanks are
 * allowed.  Returns -1 when the value is neither.  Capped at 10 years. */
int64_t lw_retry_after_parse(const char *value, int64_t now_s);

/* lw_url_redact: base/redact.h (configuration messages use it too). */

#endif
