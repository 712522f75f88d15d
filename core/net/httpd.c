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
	struct conn_rec *oldest, *newest;
	unsigned nconn;
	uint64_t evictions;
};

static void schedule(struct lw_httpd *h);

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
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strlen(names[i]) == n && !strncasecmp(host, names[i], n))
			return 1;
	return 0;
}

/* Origin, when a browser sent one, is this server itself. */
static int origin_ok(const char *origin, const char *host)
{
	if (!origin)
		return 1;
	return host && !strncmp(origin, "http://", 7) && !strcasecmp(origin + 7, host);
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
	if (!origin_ok(origin, host) ||
	    (fetch && (!strcasecmp(fetch, "cross-site") || !strcasecmp(fetch, "same-site"))))
		return answer(conn, MHD_HTTP_FORBIDDEN, "cross-origin requests are refused\n", 0);
	return -1;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	static int seen; /* any non-NULL marker for *con_cls */
	struct lw_httpd *h = cls;
	struct lw_http_reply r = {404, "text/plain; charset=utf-8", NULL, 0, 0, 0};
	struct lw_http_request rq;
	struct MHD_Response *resp;
	enum MHD_Result ret;
	int post = !strcmp(method, "POST"), no;

	(void)version;
	(void)upload_data;
	if (!*con_cls && (no = refuse(h, conn)) >= 0)
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
	if (post) {
		/* MHD calls back once for the headers, then per body chunk, then
		 * with no data: answer only then.  Request bodies are ignored. */
		if (!*con_cls) {
			*con_cls = &seen;
			return MHD_YES;
		}
		if (*upload_data_size) {
			*upload_data_size = 0;
			return MHD_YES;
		}
	}
	rq.method = method;
	rq.url = url;
	rq.authorization = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
	h->handler(h->ud, &rq, &r);
	if (!r.body) {
		r.body = strdup("not found\n");
		r.len = r.body ? strlen(r.body) : 0;
	}
	resp = MHD_create_response_from_buffer(r.len, r.body, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(r.body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", r.content_type);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (r.retry_after_s) {
		char ra[24];
		snprintf(ra, sizeof ra, "%u", r.retry_after_s);
		MHD_add_response_header(resp, "Retry-After", ra);
	}
	if (r.bearer_challenge)
		MHD_add_response_header(resp, "WWW-Authenticate", "Bearer realm=\"litwatchd\"");
	ret = MHD_queue_response(conn, (unsigned)r.status, resp);
	MHD_destroy_response(resp);
	return ret;
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
		*port_out = port;
		if (!strncmp(addr, "[::1]", 5)) {
			struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};
			sin6.sin6_addr = in6addr_loopback;
			fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
			if (fd < 0)
				goto fail;
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
			if (bind(fd, (struct sockaddr *)&sin6, sizeof sin6) != 0)
				goto fail;
		} else {
			struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
			sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
			if (fd < 0)
				goto fail;
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
			if (bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0)
				goto fail;
		}
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

int lw_httpd_start(uv_loop_t *loop, const char *listen, lw_http_handler handler, void *ud,
		   struct lw_httpd **out, struct lw_err *err)
{
	struct lw_httpd *h;
	const union MHD_DaemonInfo *info;
	int fd;

	*out = NULL;
	h = calloc(1, sizeof *h);
	if (!h)
		return lw_err_set(err, LW_ENOMEM, "out of memory");
	fd = make_listener(listen, &h->unix_path, &h->port, err);
	if (fd < 0) {
		free(h);
		return fd;
	}
	h->handler = handler;
	h->ud = ud;
	h->mhd = MHD_start_daemon(MHD_USE_EPOLL, 0, NULL, NULL, on_request, h,
				  MHD_OPTION_LISTEN_SOCKET, fd,
				  MHD_OPTION_CONNECTION_TIMEOUT, CONN_IDLE_S,
				  MHD_OPTION_CONNECTION_LIMIT, CONN_LIMIT,
				  MHD_OPTION_PER_IP_CONNECTION_LIMIT, CONN_PER_IP,
				  MHD_OPTION_NOTIFY_CONNECTION, on_connection, h,
				  MHD_OPTION_END);
	if (!h->mhd) {
		close(fd);
		free(h->unix_path);
		free(h);
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
		free(h);
}

void lw_httpd_stop(struct lw_httpd *h)
{
	if (!h)
		return;
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
