/*
 * httpd.h — the local status API server: libmicrohttpd driven by the
 * daemon's libuv loop (epoll mode, no extra thread), so handlers run on
 * the loop thread and may read daemon state directly.
 */
#ifndef LW_HTTPD_H
#define LW_HTTPD_H

#include <stddef.h>
#include <uv.h>

#include "base/err.h"

struct lw_httpd;

struct lw_http_reply {
	int status;               /* HTTP status, e.g. 200 */
	const char *content_type; /* static string */
	char *body;               /* malloc'd; the server frees it */
	size_t len;
};

/* Handle one request on the loop thread; fill *reply.  Only GET, HEAD and
 * POST reach the handler (others get 405); POST bodies are not read. */
typedef void (*lw_http_handler)(void *ud, const char *method, const char *url,
				struct lw_http_reply *reply);

/* Listen on "127.0.0.1:PORT", "localhost:PORT", "[::1]:PORT" or
 * "unix:/path" (the socket file is replaced and made mode 0660).  Returns 0
 * and *out, or a negative code with *err naming the address. */
int lw_httpd_start(uv_loop_t *loop, const char *listen, lw_http_handler handler, void *ud,
		   struct lw_httpd **out, struct lw_err *err);

/* Stop listening, close connections and free the server; its uv handles
 * close asynchronously on the loop.  NULL is accepted. */
void lw_httpd_stop(struct lw_httpd *h);

#endif
