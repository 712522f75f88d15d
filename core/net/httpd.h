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

/* What a handler sees of a request; strings valid during the call only. */
struct lw_http_request {
	const char *method;        /* "GET", "HEAD" or "POST" */
	const char *url;           /* path, without the query */
	const char *authorization; /* the Authorization header; NULL: none */
	const char *cookie;        /* the Cookie header; NULL: none */
	const char *body;          /* POST: the body (at most LW_HTTP_BODY_MAX bytes, NUL
				      terminated); NULL otherwise */
	size_t body_len;
	const char *remote;        /* the client's address ("127.0.0.1"; "unix") */
	void *conn_;               /* the server's: for lw_http_arg and lw_http_defer */
};

/* Largest POST body read; a longer one is answered 413 without a call. */
#define LW_HTTP_BODY_MAX 65536u

/* The query argument key of rq (URL-decoded), or NULL.  Valid during the
 * handler's call only. */
const char *lw_http_arg(const struct lw_http_request *rq, const char *key);

struct lw_http_reply {
	int status;               /* HTTP status, e.g. 200 */
	const char *content_type; /* static string */
	char *body;               /* malloc'd; the server frees it */
	size_t len;
	unsigned retry_after_s;   /* > 0: sends Retry-After (429, 503) */
	int bearer_challenge;     /* nonzero: WWW-Authenticate: Bearer (401) */
	char *headers;            /* malloc'd "Name: value\r\n" lines added to the
				     response, or NULL; the server frees it */
};

/* A reply the handler will give later (a read on the thread pool). */
struct lw_http_pending;

/* Called by a handler: the reply to rq comes later, through
 * lw_http_complete; the handler's *reply is then ignored.  NULL on ENOMEM
 * (answer at once instead). */
struct lw_http_pending *lw_http_defer(const struct lw_http_request *rq);
/* On the loop thread: send *reply (taken over: its body and headers are
 * the server's now) for p, and free p.  When the server was stopped
 * meanwhile, the reply is freed and nothing is sent. */
void lw_http_complete(struct lw_http_pending *p, struct lw_http_reply *reply);

/* Handle one request on the loop thread; fill *reply.  Only GET, HEAD and
 * POST reach the handler (others get 405); a POST body is read first
 * (at most LW_HTTP_BODY_MAX bytes).
 *
 * Before any handler runs the server refuses (threat model: any local user
 * and any web page a local browser shows can reach a loopback port):
 *   - a Host that is not the listen address (127.0.0.1:PORT, localhost:PORT,
 *     [::1]:PORT; DNS rebinding), 403; not checked on a unix socket;
 *   - an Origin that is not http://<that Host>, or Sec-Fetch-Site
 *     cross-site or same-site (a form or script of another site), 403;
 *   - two Content-Length headers that disagree (request smuggling), 400.
 * Connections: at most 256 (200 per client address), idle ones closed
 * after 5 s, and once more than 64 are open the oldest is closed for each
 * new one, so idle or trickling clients cannot keep /health from answering. */
typedef void (*lw_http_handler)(void *ud, const struct lw_http_request *rq,
				struct lw_http_reply *reply);

/* TLS (HTTPS) of the server: both files PEM, read once at start. */
struct lw_httpd_tls {
	const char *cert_file, *key_file; /* NULL cert_file: plain HTTP */
	int any_host; /* a non-loopback listen address: accept any Host naming the
			 port (a rebound name fails the certificate check) */
};

/* Listen on "127.0.0.1:PORT", "localhost:PORT", "[::1]:PORT", "ADDR:PORT" or
 * "unix:/path" (an existing socket file is replaced — never anything else:
 * a regular file or link there is an error — and the new one made mode
 * 0660).  Returns 0 and *out, or a negative code with *err naming the
 * address and the fix. */
int lw_httpd_start(uv_loop_t *loop, const char *listen, const struct lw_httpd_tls *tls,
		   lw_http_handler handler, void *ud, struct lw_httpd **out, struct lw_err *err);

/* Stop listening, close connections and free the server; its uv handles
 * close asynchronously on the loop.  NULL is accepted. */
void lw_httpd_stop(struct lw_httpd *h);

#endif
