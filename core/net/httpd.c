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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

struct lw_httpd {
	struct MHD_Daemon *mhd;
	uv_poll_t poll;
	uv_timer_t timer;
	int handles_open;
	lw_http_handler handler;
	void *ud;
	char *unix_path;
};

static void schedule(struct lw_httpd *h);

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	static int seen; /* any non-NULL marker for *con_cls */
	struct lw_httpd *h = cls;
	struct lw_http_reply r = {404, "text/plain; charset=utf-8", NULL, 0};
	struct MHD_Response *resp;
	enum MHD_Result ret;
	int post = !strcmp(method, "POST");

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
	h->handler(h->ud, method, url, &r);
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
	ret = MHD_queue_response(conn, (unsigned)r.status, resp);
	MHD_destroy_response(resp);
	return ret;
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
static int make_listener(const char *addr, char **unix_path, struct lw_err *err)
{
	int fd = -1;

	if (!strncmp(addr, "unix:", 5)) {
		struct sockaddr_un sun = {.sun_family = AF_UNIX};
		const char *path = addr + 5;
		if (strlen(path) >= sizeof sun.sun_path)
			return lw_err_set(err, LW_EINVAL, "http.listen: socket path too long: %s", path);
		strcpy(sun.sun_path, path);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0)
			goto fail;
		unlink(path); /* a stale socket from an earlier run */
		if (bind(fd, (struct sockaddr *)&sun, sizeof sun) != 0)
			goto fail;
		chmod(path, 0660);
		*unix_path = strdup(path);
	} else {
		const char *colon = strrchr(addr, ':');
		int port = colon ? atoi(colon + 1) : 0, one = 1;
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
	if (listen(fd, 64) != 0)
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
	fd = make_listener(listen, &h->unix_path, err);
	if (fd < 0) {
		free(h);
		return fd;
	}
	h->handler = handler;
	h->ud = ud;
	h->mhd = MHD_start_daemon(MHD_USE_EPOLL, 0, NULL, NULL, on_request, h,
				  MHD_OPTION_LISTEN_SOCKET, fd,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned)64,
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
