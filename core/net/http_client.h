/*
 * core/net/: HTTP on the loop: this client (sources, alert sinks) and the
 * status API's server (httpd.h), with the text helpers both use (http_util.h).
 *
 * http_client.h — the daemon's HTTP(S)/SMTP client: one libcurl multi
 * handle driven by the libuv loop, as curl's multi-uv example does
 * (CURLMOPT_SOCKETFUNCTION -> one uv_poll per socket, CURLMOPT_TIMERFUNCTION
 * -> one uv_timer, curl_multi_socket_action, curl_multi_info_read).
 *
 * No call blocks the loop and there is no thread per request.  The multi
 * handle lives as long as the driver, so connections, DNS answers and TLS
 * sessions are reused between requests.  When nothing is in flight no
 * timer is armed and no socket is polled (idle CPU ~0).
 *
 * Requests and responses use the plugin-visible types struct lw_http_req
 * and struct lw_http_resp (litwatch/plugin.h), so the host and plugins
 * share one contract.  Everything here runs on the loop thread.
 *
 * Secrets: the bearer token and the SMTP password are copied into the
 * request's header list / libcurl's handle only, wiped from our buffers
 * when the request ends, never logged, and scrubbed from error messages.
 * libcurl's own internal copies are freed (not wiped) by libcurl.
 */
#ifndef LW_HTTP_CLIENT_H
#define LW_HTTP_CLIENT_H

#include <uv.h>

#include "base/err.h"
#include "litwatch/plugin.h"

struct lw_http_driver;

/* Create a driver on loop.  Returns 0 and *out, or a negative code with
 * *err filled.  The driver holds two uv timers (unarmed while idle, and
 * unreferenced, so they never keep uv_run alive on their own). */
int lw_http_driver_new(uv_loop_t *loop, struct lw_http_driver **out, struct lw_err *err);

/* Start a request.  On 0: *out (if out is not NULL) holds the call, which
 * stays valid until cb returns; cb(ud, resp) fires exactly once, on the
 * loop thread, never from inside this function, lw_http_cancel() or
 * lw_http_driver_close().  On a negative return (invalid request: *err
 * names the redacted URL and what is wrong; LW_ECANCELED once the driver
 * is closing; LW_ENOMEM) cb never fires.  Everything in *req is copied;
 * nothing in it must outlive this call. */
int lw_http_request(struct lw_http_driver *drv, const struct lw_http_req *req,
		    lw_http_done_cb cb, void *ud, struct lw_http_call **out, struct lw_err *err);

/* Cancel a call whose callback has not fired: the transfer stops now and
 * the callback fires once, later on the loop, with result LW_ECANCELED.
 * Calling it again on the same call (before its callback) does nothing. */
void lw_http_cancel(struct lw_http_call *call);

/* Abort a call silently: the transfer stops and the callback NEVER fires;
 * the call is freed before this returns (its ud is not touched again).
 * Used when the owner of ud is going away (a source that stopped). */
void lw_http_abort(struct lw_http_call *call);

/* Number of calls whose callback has not fired yet. */
size_t lw_http_in_flight(const struct lw_http_driver *drv);

/* Close the driver: new requests are refused, every call in flight is
 * cancelled (its callback fires with LW_ECANCELED), then libcurl's
 * connections and all uv handles are closed asynchronously; cb(ud) fires
 * (may be NULL) once all are closed and the driver is freed.  NULL drv is
 * accepted (cb is then not called).  Call once. */
void lw_http_driver_close(struct lw_http_driver *drv, void (*cb)(void *ud), void *ud);

#endif
