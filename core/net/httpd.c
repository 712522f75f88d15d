/*
 * httpd.c — libmicrohttpd on the libuv loop (see httpd.h).
 *
 * MHD runs in "external epoll" mode: it exposes one epoll descriptor that
 * becomes readable when any of its sockets has work; a uv_poll watches it
 * and a uv_timer honours MHD_get_timeout() for connection time-outs.  When
 * no client is connected there is no timer at all, so an idle daemon uses
 * no CPU.
 */
#include "net/httpd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* Connection limits (see httpd.h).  The eviction threshold sits well
 * below both limits, so a legitimate client is accepted and served before
 * MHD's own limits refuse anyone: loopback clients all share 127.0.0.1,
 * and a per-address limit alone would refuse `litwatch status` together
 * with the attacker. */
#define CONN_LIMIT 256u
#define CONN_PER_IP 200u
#define CONN_EVICT_AT 64u
#define CONN_IDLE_S 5u

/* An open connection, oldest first in the list. */
struct conn_rec {
	struct conn_rec *prev, *next;
	int fd;
	int evicted;
};

struct lw_httpd {
	struct MHD_Daemon *mhd;
	uv_poll_t poll;
	uv_timer_t timer;
	int handles_open;
	lw_http_handler handler;
	void *ud;
	char *unix_path;
	int port; /* TCP: the port a Host header must name; 0 on a unix socket */
	int tls;  /* HTTPS */
	int any_host; /* not loopback (TLS): any name of this machine, with the port */
	char *cert, *key; /* PEM text given to MHD, kept while it runs */
	struct conn_rec *oldest, *newest;
	unsigned nconn;
	uint64_t evictions;
	struct lw_http_pending *pending; /* deferred replies, their connections suspended */
};

static void schedule(struct lw_httpd *h);
static void run_mhd(struct lw_httpd *h);

/* A fixed answer (refusals); close: the connection cannot be trusted to
 * frame another request (conflicting lengths). */
static enum MHD_Result answer(struct MHD_Connection *conn, unsigned status, const char *msg,
			      int close)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(strlen(msg), (void *)msg, MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", "text/plain; charset=utf-8");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (close)
		MHD_add_response_header(resp, "Connection", "close");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

struct clen_scan {
	const char *first;
	int conflict;
};

static enum MHD_Result scan_clen(void *cls, enum MHD_ValueKind kind, const char *key,
				 const char *value)
{
	struct clen_scan *cs = cls;

	(void)kind;
	if (strcasecmp(key, "Content-Length"))
		return MHD_YES;
	if (!cs->first)
		cs->first = value ? value : "";
	else if (strcmp(cs->first, value ? value : ""))
		cs->conflict = 1;
	return MHD_YES;
}

/* Host is one of the names of the listen address, with its port. */
static int host_ok(const struct lw_httpd *h, const char *host)
{
	static const char *const names[] = {"127.0.0.1", "localhost", "[::1]"};
	const char *colon;
	size_t n;

	if (!h->port)
		return 1; /* unix socket: no browser reaches it by name */
	if (!host || !(colon = strrchr(host, ':')) || colon[1] == '\0')
		return 0;
	n = (size_t)(colon - host);
	if (strspn(colon + 1, "0123456789") != strlen(colon + 1) || atoi(colon + 1) != h->port)
		return 0;
	/* Under TLS a rebound name fails the certificate check in the browser. */
	if (h->any_host)
		return 1;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strlen(names[i]) == n && !strncasecmp(host, names[i], n))
			return 1;
	return 0;
}

/* Origin, when a browser sent one, is this server itself. */
static int origin_ok(const char *origin, const char *host, int tls)
{
	const char *scheme = tls ? "https://" : "http://";
	size_t n = strlen(scheme);

	if (!origin)
		return 1;
	return host && !strncmp(origin, scheme, n) && !strcasecmp(origin + n, host);
}

/* The checks of httpd.h, before anything else; MHD_YES with a response
 * queued when the request is refused, or -1 to go on. */
static int refuse(struct lw_httpd *h, struct MHD_Connection *conn)
{
	struct clen_scan cs = {NULL, 0};
	const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host");
	const char *origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
	const char *fetch = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Sec-Fetch-Site");

	MHD_get_connection_values(conn, MHD_HEADER_KIND, scan_clen, &cs);
	if (cs.conflict)
		return answer(conn, MHD_HTTP_BAD_REQUEST, "conflicting Content-Length headers\n", 1);
	if (!host_ok(h, host))
		return answer(conn, MHD_HTTP_FORBIDDEN, "Host must be the listen address "
			      "(127.0.0.1:PORT, localhost:PORT or [::1]:PORT)\n", 0);
	if (!origin_ok(origin, host, h->tls) ||
	    (fetch && (!strcasecmp(fetch, "cross-site") || !strcasecmp(fetch, "same-site"))))
		return answer(conn, MHD_HTTP_FORBIDDEN, "cross-origin requests are refused\n", 0);
	return -1;
}

/* One request's state, from its headers to its completion. */
enum { RQ_NEW = 0, RQ_BODY, RQ_DEFERRED, RQ_READY };

struct req_ctx {
	int state;
	struct MHD_Connection *conn;
	char *body; /* POST: what was read, NUL terminated */
	size_t len;
	int too_big;
	struct lw_http_reply r;         /* RQ_READY: the reply to queue */
	struct lw_http_pending *pend;   /* RQ_DEFERRED */
};

struct lw_http_pending {
	struct lw_httpd *h; /* NULL once the server stopped */
	struct req_ctx *ctx;
	struct lw_http_pending *prev, *next;
};

const char *lw_http_arg(const struct lw_http_request *rq, const char *key)
{
	const struct req_ctx *c = rq->conn_;

	return c ? MHD_lookup_connection_value(c->conn, MHD_GET_ARGUMENT_KIND, key) : NULL;
}

struct lw_http_pending *lw_http_defer(const struct lw_http_request *rq)
{
	struct req_ctx *c = rq->conn_;
	struct lw_http_pending *p;

	if (!c || !(p = calloc(1, sizeof *p)))
		return NULL;
	p->ctx = c;
	c->pend = p;
	c->state = RQ_DEFERRED;
	return p;
}

static void free_reply(struct lw_http_reply *r)
{
	free(r->body);
	free(r->headers);
	r->body = r->headers = NULL;
}

static void unlink_pending(struct lw_httpd *h, struct lw_http_pending *p)
{
	if (p->prev)
		p->prev->next = p->next;
	else if (h->pending == p)
		h->pending = p->next;
	if (p->next)
		p->next->prev = p->prev;
	p->prev = p->next = NULL;
}

void lw_http_complete(struct lw_http_pending *p, struct lw_http_reply *reply)
{
	struct lw_httpd *h = p->h;

	if (!h || !p->ctx) {
		free_reply(reply);
		free(p);
		return;
	}
	unlink_pending(h, p);
	p->ctx->r = *reply;
	p->ctx->state = RQ_READY;
	p->ctx->pend = NULL;
	MHD_resume_connection(p->ctx->conn);
	free(p);
	run_mhd(h);
}

/* The "Name: value\r\n" lines of r->headers onto resp. */
static void add_headers(struct MHD_Response *resp, char *lines)
{
	char *save = NULL, *line;

	for (line = strtok_r(lines, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = '\0';
		colon++;
		while (*colon == ' ')
			colon++;
		MHD_add_response_header(resp, line, colon);
	}
}

static enum MHD_Result queue_reply(struct MHD_Connection *conn, struct lw_http_reply *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	if (!r->body) {
		r->body = strdup("not found\n");
		r->len = r->body ? strlen(r->body) : 0;
	}
	resp = MHD_create_response_from_buffer(r->len, r->body, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free_reply(r);
		return MHD_NO;
	}
	r->body = NULL;
	MHD_add_response_header(resp, "Content-Type", r->content_type);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (r->retry_after_s) {
		char ra[24];
		snprintf(ra, sizeof ra, "%u", r->retry_after_s);
		MHD_add_response_header(resp, "Retry-After", ra);
	}
	if (r->bearer_challenge)
		MHD_add_response_header(resp, "WWW-Authenticate", "Bearer realm=\"litwatchd\"");
	if (r->headers)
		add_headers(resp, r->headers);
	free(r->headers);
	r->headers = NULL;
	ret = MHD_queue_response(conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void client_address(struct MHD_Connection *conn, char *buf, size_t cap)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	snprintf(buf, cap, "unix");
	if (!ci || !ci->client_addr)
		return;
	if (ci->client_addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, buf,
			  (socklen_t)cap);
	else if (ci->client_addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr, buf,
			  (socklen_t)cap);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	struct lw_httpd *h = cls;
	struct lw_http_reply r = {404, "text/plain; charset=utf-8", NULL, 0, 0, 0, NULL};
	struct lw_http_request rq;
	struct req_ctx *c = *con_cls;
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char remote[INET6_ADDRSTRLEN + 8];
	int post = !strcmp(method, "POST"), no;

	(void)version;
	if (!c) {
		if ((no = refuse(h, conn)) >= 0)
			return (enum MHD_Result)no;
		if (!post && strcmp(method, "GET") && strcmp(method, "HEAD")) {
			static const char msg[] = "method not allowed\n";
			resp = MHD_create_response_from_buffer(sizeof msg - 1, (void *)msg,
							       MHD_RESPMEM_PERSISTENT);
			if (!resp)
				return MHD_NO;
			MHD_add_response_header(resp, "Allow", "GET, HEAD, POST");
			ret = MHD_queue_response(conn, MHD_HTTP_METHOD_NOT_ALLOWED, resp);
			MHD_destroy_response(resp);
			return ret;
		}
		if (!(c = calloc(1, sizeof *c)))
			return MHD_NO;
		c->conn = conn;
		*con_cls = c;
		if (post) {
			/* MHD calls back once for the headers, then per body chunk, then
			 * with no data: answer only then. */
			c->state = RQ_BODY;
			return MHD_YES;
		}
	}
	if (c->state == RQ_READY)
		return queue_reply(conn, &c->r);
	if (c->state == RQ_DEFERRED)
		return MHD_YES; /* resumed spuriously: wait for lw_http_complete */
	if (c->state == RQ_BODY && *upload_data_size) {
		size_t n = *upload_data_size;
		if (!c->too_big && c->len + n <= LW_HTTP_BODY_MAX) {
			char *nb = realloc(c->body, c->len + n + 1);
			if (!nb)
				return MHD_NO;
			memcpy(nb + c->len, upload_data, n);
			c->body = nb;
			c->len += n;
			c->body[c->len] = '\0';
		} else {
			c->too_big = 1;
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (c->too_big)
		return answer(conn, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large\n", 1);
	client_address(conn, remote, sizeof remote);
	rq.method = method;
	rq.url = url;
	rq.authorization = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
	rq.cookie = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Cookie");
	rq.body = post ? (c->body ? c->body : "") : NULL;
	rq.body_len = post ? c->len : 0;
	rq.remote = remote;
	rq.conn_ = c;
	c->state = RQ_NEW;
	h->handler(h->ud, &rq, &r);
	if (c->state == RQ_DEFERRED) {
		free_reply(&r);
		c->pend->h = h;
		c->pend->next = h->pending;
		if (h->pending)
			h->pending->prev = c->pend;
		h->pending = c->pend;
		MHD_suspend_connection(conn);
		return MHD_YES;
	}
	return queue_reply(conn, &r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct lw_httpd *h = cls;
	struct req_ctx *c = *con_cls;

	(void)conn;
	(void)toe;
	if (!c)
		return;
	if (c->pend) {
		unlink_pending(h, c->pend);
		c->pend->h = NULL;
		c->pend->ctx = NULL;
	}
	free_reply(&c->r);
	free(c->body);
	free(c);
	*con_cls = NULL;
}

/* Keep track of open connections; past CONN_EVICT_AT, shut the oldest
 * one down (MHD sees the end of its stream and closes it).  shutdown(2),
 * not close(2): the descriptor stays MHD's until it closes it itself. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	struct lw_httpd *h = cls;
	struct conn_rec *c = *socket_context;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		if (!(c = calloc(1, sizeof *c)))
			return;
		c->fd = ci ? ci->connect_fd : -1;
		c->prev = h->newest;
		if (h->newest)
			h->newest->next = c;
		else
			h->oldest = c;
		h->newest = c;
		*socket_context = c;
		if (++h->nconn > CONN_EVICT_AT) {
			struct conn_rec *o = h->oldest;
			while (o && (o->evicted || o->fd < 0))
				o = o->next;
			if (o && o != c) {
				o->evicted = 1;
				shutdown(o->fd, SHUT_RDWR);
				h->evictions++;
			}
		}
		return;
	}
	if (!c)
		return;
	if (c->prev)
		c->prev->next = c->next;
	else
		h->oldest = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		h->newest = c->prev;
	h->nconn--;
	free(c);
	*socket_context = NULL;
}

static void run_mhd(struct lw_httpd *h)
{
	MHD_run(h->mhd);
	schedule(h);
}

static void on_poll(uv_poll_t *p, int status, int events)
{
	run_mhd(p->data);
}

static void on_timer(uv_timer_t *t)
{
	run_mhd(t->data);
}

/* Arm the timer only when MHD has a deadline (open connections). */
static void schedule(struct lw_httpd *h)
{
	MHD_UNSIGNED_LONG_LONG ms;

	if (MHD_get_timeout(h->mhd, &ms) == MHD_YES)
		uv_timer_start(&h->timer, on_timer, ms, 0);
	else
		uv_timer_stop(&h->timer);
}

/* Create and bind the listening socket for addr. */
static int make_listener(const char *addr, char **unix_path, int *port_out,
			 struct lw_err *err)
{
	int fd = -1;

	if (!strncmp(addr, "unix:", 5)) {
		struct sockaddr_un sun = {.sun_family = AF_UNIX};
		const char *path = addr + 5;
		if (strlen(path) >= sizeof sun.sun_path)
			return lw_err_set(err, LW_EINVAL, "http.listen: socket path too long: %s", path);
		strcpy(sun.sun_path, path);
		struct stat sb;
		if (lstat(path, &sb) == 0) {
			if (!S_ISSOCK(sb.st_mode))
				return lw_err_set(err, LW_EEXIST, "http.listen: %s exists and is not a "
						  "socket; refusing to replace it: remove or rename it, "
						  "or choose another socket path", path);
			unlink(path); /* a stale socket from an earlier run */
		} else if (errno != ENOENT) {
			return lw_err_set(err, LW_EIO, "http.listen: %s: %s", path, strerror(errno));
		}
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0)
			goto fail;
		if (bind(fd, (struct sockaddr *)&sun, sizeof sun) != 0)
			goto fail;
		chmod(path, 0660);
		*unix_path = strdup(path);
	} else {
		const char *colon = strrchr(addr, ':');
		int port = colon ? atoi(colon + 1) : 0, one = 1;
		char host[64] = "";
		struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};
		struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
		int v6;
		*port_out = port;
		if (colon && (size_t)(colon - addr) < sizeof host) {
			memcpy(host, addr, (size_t)(colon - addr));
			host[colon - addr] = '\0';
		}
		v6 = host[0] == '[';
		if (v6) {
			host[strlen(host) - 1] = '\0';
			if (inet_pton(AF_INET6, host + 1, &sin6.sin6_addr) != 1)
				sin6.sin6_addr = in6addr_loopback;
		} else if (!strcmp(host, "localhost") || inet_pton(AF_INET, host, &sin.sin_addr) != 1) {
			sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		}
		fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0)
			goto fail;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (v6 ? bind(fd, (struct sockaddr *)&sin6, sizeof sin6)
		       : bind(fd, (struct sockaddr *)&sin, sizeof sin))
			goto fail;
	}
	if (listen(fd, 256) != 0)
		goto fail;
	return fd;
fail:
	lw_err_set(err, LW_EIO, "http.listen: cannot listen on %s: %s", addr, strerror(errno));
	if (fd >= 0)
		close(fd);
	return err ? err->code : LW_EIO;
}

/* The whole of a PEM file, malloc'd, or NULL with *err set. */
static char *read_pem(const char *path, struct lw_err *err)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0, cap = 0;

	if (!f) {
		lw_err_set(err, LW_EIO, "http: cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (len + 4096 + 1 > cap) {
			char *nb = realloc(buf, cap = (cap + 4096) * 2);
			if (!nb)
				break;
			buf = nb;
		}
		size_t n = fread(buf + len, 1, 4096, f);
		len += n;
		if (n < 4096)
			break;
	}
	fclose(f);
	if (buf)
		buf[len] = '\0';
	else
		lw_err_set(err, LW_ENOMEM, "out of memory");
	return buf;
}

static void free_server(struct lw_httpd *h)
{
	if (h->key)
		explicit_bzero(h->key, strlen(h->key));
	free(h->key);
	free(h->cert);
	free(h->unix_path);
	free(h);
}

int lw_httpd_start(uv_loop_t *loop, const char *listen, const struct lw_httpd_tls *tls,
		   lw_http_handler handler, void *ud, struct lw_httpd **out, struct lw_err *err)
{
	struct lw_httpd *h;
	const union MHD_DaemonInfo *info;
	unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME;
	int fd;

	*out = NULL;
	h = calloc(1, sizeof *h);
	if (!h)
		return lw_err_set(err, LW_ENOMEM, "out of memory");
	if (tls && tls->cert_file) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			free(h);
			return lw_err_set(err, LW_EINVAL, "http.cert_file: this libmicrohttpd was "
					  "built without TLS (GnuTLS); install Debian's libmicrohttpd12");
		}
		if (!(h->cert = read_pem(tls->cert_file, err)) ||
		    !(h->key = read_pem(tls->key_file, err))) {
			free_server(h);
			return err ? err->code : LW_EIO;
		}
		h->tls = 1;
		flags |= MHD_USE_TLS;
	}
	fd = make_listener(listen, &h->unix_path, &h->port, err);
	if (fd < 0) {
		free_server(h);
		return fd;
	}
	h->any_host = tls && tls->any_host;
	h->handler = handler;
	h->ud = ud;
	struct MHD_OptionItem tls_opts[] = {
		{MHD_OPTION_HTTPS_MEM_KEY, 0, h->key},
		{MHD_OPTION_HTTPS_MEM_CERT, 0, h->cert},
		{MHD_OPTION_END, 0, NULL},
	};
	if (!h->tls)
		tls_opts[0].option = MHD_OPTION_END;
	h->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, h,
				  MHD_OPTION_ARRAY, tls_opts,
				  MHD_OPTION_LISTEN_SOCKET, fd,
				  MHD_OPTION_CONNECTION_TIMEOUT, CONN_IDLE_S,
				  MHD_OPTION_CONNECTION_LIMIT, CONN_LIMIT,
				  MHD_OPTION_PER_IP_CONNECTION_LIMIT, CONN_PER_IP,
				  MHD_OPTION_NOTIFY_CONNECTION, on_connection, h,
				  MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
				  MHD_OPTION_END);
	if (!h->mhd) {
		close(fd);
		free_server(h);
		return lw_err_set(err, LW_EIO, "http.listen: libmicrohttpd refused to start on %s",
				  listen);
	}
	info = MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	uv_poll_init(loop, &h->poll, info->epoll_fd);
	uv_timer_init(loop, &h->timer);
	h->poll.data = h->timer.data = h;
	h->handles_open = 2;
	uv_poll_start(&h->poll, UV_READABLE, on_poll);
	*out = h;
	return 0;
}

static void on_close(uv_handle_t *hd)
{
	struct lw_httpd *h = hd->data;

	if (--h->handles_open == 0)
		free_server(h);
}

void lw_httpd_stop(struct lw_httpd *h)
{
	if (!h)
		return;
	/* Deferred replies: answer 503 now, and drop theirs when they come. */
	while (h->pending) {
		struct lw_http_pending *p = h->pending;
		struct req_ctx *c = p->ctx;
		unlink_pending(h, p);
		p->h = NULL;
		p->ctx = NULL;
		c->pend = NULL;
		c->r = (struct lw_http_reply){503, "text/plain; charset=utf-8",
					      strdup("shutting down\n"), 14, 0, 0, NULL};
		c->state = RQ_READY;
		MHD_resume_connection(c->conn);
	}
	MHD_run(h->mhd);
	uv_poll_stop(&h->poll);
	uv_timer_stop(&h->timer);
	MHD_stop_daemon(h->mhd); /* closes the listening socket too */
	h->mhd = NULL;
	if (h->unix_path) {
		unlink(h->unix_path);
		free(h->unix_path);
		h->unix_path = NULL;
	}
	uv_close((uv_handle_t *)&h->poll, on_close);
	uv_close((uv_handle_t *)&h->timer, on_close);
}
