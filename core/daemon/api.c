/*
 * api.c — what the status API answers, and the token that guards its
 * state-changing requests.
 *
 * Threat model (design.md §12): any local user, and any web page a local
 * browser shows, can reach the loopback port.  The server (net/httpd.c)
 * already refused foreign Host, Origin and Sec-Fetch-Site; here a POST
 * also needs "Authorization: Bearer <token>", where the token is a new
 * random value the daemon writes at every start into a file only its own
 * user can read (data_dir/api.token, mode 0600).  `litwatch poll` reads the
 * file and sends it.  GET /health, /status and /metrics stay open to
 * anyone on the machine: they change nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "daemon/daemon_int.h"

/* ---- the token ---- */

int lw_api_token_write(struct lw_daemon *d, const char *path, struct lw_err *err)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[32];
	char tmp[4096], text[66];
	ssize_t got = 0;
	int fd;

	if (d->api_token_path && !strcmp(d->api_token_path, path) && d->api_token[0])
		return 0;
	while (got < (ssize_t)sizeof raw) {
		ssize_t n = getrandom(raw + got, sizeof raw - (size_t)got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return lw_err_set(err, LW_EIO, "http: cannot make the API token: getrandom: %s",
					  strerror(errno));
		got += n;
	}
	for (size_t i = 0; i < sizeof raw; i++) {
		text[2 * i] = hex[raw[i] >> 4];
		text[2 * i + 1] = hex[raw[i] & 15];
	}
	explicit_bzero(raw, sizeof raw);
	text[64] = '\n';
	text[65] = '\0';
	if (snprintf(tmp, sizeof tmp, "%s.new", path) >= (int)sizeof tmp)
		return lw_err_set(err, LW_EINVAL, "http.token_file: path too long: %s", path);
	/* A stale .new from a crash is ours to remove (unlink removes a link,
	 * never its target); O_EXCL|O_NOFOLLOW then creates a fresh file that
	 * nobody else has open, and rename puts it in place atomically. */
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return lw_err_set(err, LW_EIO, "http.token_file: cannot create %s: %s; the directory "
				  "must be writable by the litwatch user", tmp, strerror(errno));
	if (fchmod(fd, 0600) != 0 || write(fd, text, 65) != 65 || fsync(fd) != 0) {
		int e = errno;
		close(fd);
		unlink(tmp);
		return lw_err_set(err, LW_EIO, "http.token_file: cannot write %s: %s", tmp,
				  strerror(e));
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		int e = errno;
		unlink(tmp);
		return lw_err_set(err, LW_EIO, "http.token_file: cannot rename %s to %s: %s", tmp,
				  path, strerror(e));
	}
	lw_api_token_forget(d);
	memcpy(d->api_token, text, 64);
	d->api_token[64] = '\0';
	explicit_bzero(text, sizeof text);
	d->api_token_path = strdup(path);
	lw_log(LW_LOG_INFO, NULL, "status API token written to %s (mode 0600; litwatch poll "
	       "reads it)", path);
	return 0;
}

void lw_api_token_forget(struct lw_daemon *d)
{
	if (d->api_token_path) {
		unlink(d->api_token_path);
		free(d->api_token_path);
		d->api_token_path = NULL;
	}
	explicit_bzero(d->api_token, sizeof d->api_token);
}

/* Equal without a timing leak of where they differ. */
static int same_secret(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	unsigned char diff = na != nb;

	for (size_t i = 0; i < na && i < nb; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return !diff;
}

static void text_reply(struct lw_http_reply *r, int status, const char *msg)
{
	r->status = status;
	r->body = strdup(msg);
	r->len = r->body ? strlen(r->body) : 0;
}

/* 0 when the request carries this start's token; else the reply is set. */
static int authorised(struct lw_daemon *d, const struct lw_http_request *rq,
		      struct lw_http_reply *r)
{
	char msg[4300];
	const char *a = rq->authorization;

	if (!d->api_token[0]) {
		text_reply(r, 503, "no API token was written; see the daemon's log\n");
		return -1;
	}
	if (!a || strncasecmp(a, "Bearer ", 7)) {
		snprintf(msg, sizeof msg, "this request changes state: send \"Authorization: Bearer "
			 "<token>\" with the token from %s (litwatch poll does; run it as the "
			 "litwatch user or root)\n", d->api_token_path);
		text_reply(r, 401, msg);
		r->bearer_challenge = 1;
		return -1;
	}
	a += 7;
	while (*a == ' ')
		a++;
	if (!same_secret(a, d->api_token)) {
		snprintf(msg, sizeof msg, "wrong API token: it changes at every start of litwatchd; "
			 "read it again from %s\n", d->api_token_path);
		text_reply(r, 403, msg);
		return -1;
	}
	return 0;
}

/* ---- requests ---- */

/* POST /sources/<name>/poll: do the source's periodic work now — or, when
 * it is already under way or the source is backing off, merge the request
 * into what will happen anyway (poke() returns the delay, plugin.h). */
void lw_api_poll(struct lw_daemon *d, const char *name, struct lw_http_reply *r)
{
	struct lw_source *s;
	char msg[200];
	int rc;

	for (s = d->sources; s; s = s->next)
		if (!strcmp(s->name, name))
			break;
	if (!s) {
		snprintf(msg, sizeof msg, "no source called \"%.64s\"\n", name);
		text_reply(r, 404, msg);
		return;
	}
	if (!s->running || s->stopping || !s->desc->poke) {
		snprintf(msg, sizeof msg, "source \"%s\" %s\n", s->name,
			 !s->running ? "is not running" : "cannot be polled");
		text_reply(r, 409, msg);
		return;
	}
	rc = s->desc->poke(s->state);
	if (rc < 0) {
		snprintf(msg, sizeof msg, "%s\n", lw_strerror(rc));
		text_reply(r, 500, msg);
	} else if (rc == 0) {
		lw_log(LW_LOG_INFO, s->name, "poll requested through the status API");
		text_reply(r, 202, "polling\n");
	} else if (rc == LW_POKE_UNDER_WAY) {
		text_reply(r, 202, "already polling: this request is merged into the poll under way\n");
	} else {
		unsigned secs = (unsigned)((rc + 999) / 1000);
		snprintf(msg, sizeof msg, "backing off: the next attempt is in %u s (after failures "
			 "or because the server asked with Retry-After); this request changes "
			 "nothing\n", secs);
		text_reply(r, 429, msg);
		r->retry_after_s = secs;
	}
}

void lw_api_handle(void *ud, const struct lw_http_request *rq, struct lw_http_reply *r)
{
	struct lw_daemon *d = ud;
	const char *url = rq->url;

	if (lw_web_handle(d->web, rq, r))
		return;

	if (!strcmp(rq->method, "POST")) {
		const char *name = !strncmp(url, "/sources/", 9) ? url + 9 : NULL;
		const char *slash = name ? strchr(name, '/') : NULL;
		char buf[80];
		if (slash && !strcmp(slash, "/poll") && (size_t)(slash - name) < sizeof buf) {
			if (authorised(d, rq, r) != 0)
				return;
			memcpy(buf, name, (size_t)(slash - name));
			buf[slash - name] = '\0';
			lw_api_poll(d, buf, r);
		} else if (!strcmp(url, "/health") || !strcmp(url, "/status") ||
			   !strcmp(url, "/metrics")) {
			text_reply(r, 405, "method not allowed\n");
		}
		return;
	}
	if (!strcmp(url, "/health")) {
		r->status = 200;
		r->body = strdup("ok\n");
	} else if (!strcmp(url, "/status")) {
		r->status = 200;
		r->content_type = "application/json";
		r->body = lw_status_json(d);
	} else if (!strcmp(url, "/metrics")) {
		r->status = 200;
		r->content_type = "text/plain; version=0.0.4; charset=utf-8";
		r->body = lw_status_metrics(d, &r->len);
		if (!r->body)
			r->status = 500;
		return;
	} else {
		return; /* 404 */
	}
	if (!r->body)
		r->status = 500;
	r->len = r->body ? strlen(r->body) : 0;
}
