/*
 * hotline.c — the `hotline` importer: 12345 government-hotline work-order
 * exports (工单), dropped into a folder by the platform's export job and/or
 * downloaded on a schedule over HTTP(S).
 *
 * Work orders are exported again each time their status changes; the
 * hotline-12345 profile keys them by 工单编号, so a re-export updates the
 * stored ticket.  Callers' numbers and names are hashed by the core before
 * anything is stored (the configuration must name pii_key_file).
 *
 * A download is written into the inbox as an unnamed file and named only
 * when complete (see open_unnamed: nothing planted in the inbox is ever
 * written through), so the folder protocol imports it like a dropped file:
 * one code path, the same crash safety and the same duplicate rule (an
 * unchanged export imports nothing).
 */
#define _GNU_SOURCE /* O_TMPFILE, renameat2 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "litwatch/plugin.h"
#include "../common/folder_req.h"

static const struct lw_option options[] = {
	{"inbox", LW_OPT_DIR, LW_OPT_CREATE, "hotline/inbox", 0, 0, NULL,
	 "folder the 12345 platform exports work orders into"},
	{"archive", LW_OPT_DIR, LW_OPT_CREATE, "hotline/archive", 0, 0, NULL,
	 "imported exports go to archive/<yyyy-mm-dd>/"},
	{"rejected", LW_OPT_DIR, LW_OPT_CREATE, "hotline/rejected", 0, 0, NULL,
	 "rejected exports, with <name>.error.txt"},
	{"profile", LW_OPT_STRING, 0, "hotline-12345", 0, 0, NULL, "mapping profile"},
	{"settle", LW_OPT_DURATION, 0, "2s", 0, 0, NULL,
	 "a file is taken when closed and unchanged for this long"},
	{"poll", LW_OPT_DURATION, 0, "0ms", 0, 0, NULL,
	 "scan the folder this often instead of using inotify; 0: inotify"},
	{"url", LW_OPT_URL, 0, NULL, 0, 0, NULL,
	 "download the export from here on a schedule (optional)"},
	{"interval", LW_OPT_DURATION, 0, "1h", 0, 0, NULL, "how often to download"},
	{"token_file", LW_OPT_FILE, LW_OPT_PRIVATE, NULL, 0, 0, NULL,
	 "file holding a bearer token for the download (read before each request)"},
	{"header_file", LW_OPT_FILE, LW_OPT_PRIVATE, NULL, 0, 0, NULL,
	 "file of extra request headers, one \"Name: value\" per line (for API keys)"},
	{"ca_file", LW_OPT_FILE, 0, NULL, 0, 0, NULL,
	 "PEM bundle to verify the server with (TLS verification is always on)"},
	{"proxy", LW_OPT_STRING, 0, NULL, 0, 0, NULL, "HTTP proxy, e.g. http://proxy:3128"},
	{"timeout", LW_OPT_DURATION, 0, "5m", 0, 0, NULL, "longest a download may take"},
	{"max_size", LW_OPT_SIZE, 0, "512MiB", 0, 0, NULL, "largest export accepted"},
	{"max_failures", LW_OPT_INT, 0, "5", 1, 1000, NULL,
	 "consecutive failed downloads before the source reports failing"},
	{NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

struct state {
	const struct lw_host_api *api;
	struct lw_source *src;
	uv_timer_t timer;
	int timer_open;
	struct lw_http_call *call;
	char *etag, *last_modified;
	unsigned failures;
	uint64_t not_before; /* loop ms: no download before (back-off, Retry-After) */
	uint64_t rng;
	int stopping;
	int inbox_stopped;
	struct saving *saving; /* a download being written, or NULL */
};

/* Read a small secret or header file; malloc'd, trailing space trimmed. */
static char *read_small(const char *path)
{
	char buf[8192];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0)
		return NULL;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return strdup(buf);
}

static void schedule(struct state *st, uint64_t ms);

/* Extension for the downloaded file, from the Content-Type or the URL. */
static const char *extension(const char *content_type, const char *url)
{
	const char *q;

	if (content_type) {
		if (strstr(content_type, "spreadsheetml"))
			return ".xlsx";
		if (strstr(content_type, "ms-excel"))
			return ".xls";
		if (strstr(content_type, "csv") || strstr(content_type, "text/plain"))
			return ".csv";
	}
	q = strpbrk(url, "?#");
	if (!q)
		q = url + strlen(url);
	if (q - url > 5 && !strncmp(q - 5, ".xlsx", 5))
		return ".xlsx";
	if (q - url > 4 && !strncmp(q - 4, ".xls", 4))
		return ".xls";
	return ".csv";
}

/* A download being written into the inbox, off the loop: an export can be
 * hundreds of megabytes, and the loop must not wait for the disk. */
struct saving {
	uv_work_t work;
	struct state *st;
	char *body;        /* taken from the response */
	size_t len;
	char inbox[4096];
	char stamp[32], ext[8];
	char final[4200];  /* where it landed, when err == 0 */
	char *etag, *last_modified;
	int err;           /* errno of the write, 0 when done */
};

/* The inbox is writable by others (the platform's export job, perhaps
 * clerks): any name we would write through can be planted there first as a
 * symbolic link to a file of ours (overwritten with the clear export) or to
 * a world-writable file of theirs (which then receives it).  So the export
 * is never written under a name: it is an O_TMPFILE, an inode without a
 * name in the inbox's file system, readable by the daemon only (0600), and
 * gets its name only when complete, by linkat() and renameat2(
 * RENAME_NOREPLACE), which fail on an existing name (a planted link
 * included) instead of following or replacing it; then we try the next
 * name.  Where the file system has no O_TMPFILE (some network
 * shares), the fallback is a dot-name of 128 random bits created with
 * O_CREAT|O_EXCL|O_NOFOLLOW (never an existing file or link) and renamed
 * with RENAME_NOREPLACE.  Same directory throughout, so no rename crosses
 * file systems (no EXDEV). */
static int random_dotname(char tmpname[64])
{
	unsigned char rnd[16];

	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
		return -1;
	strcpy(tmpname, ".download-");
	for (size_t i = 0; i < sizeof rnd; i++)
		sprintf(tmpname + strlen(tmpname), "%02x", rnd[i]);
	strcat(tmpname, ".part");
	return 0;
}

static int open_unnamed(int dfd, char tmpname[64])
{
	int fd = openat(dfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);

	tmpname[0] = '\0';
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
		return fd;
	if (random_dotname(tmpname) != 0)
		return -1;
	return openat(dfd, tmpname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
}

/* Give the complete file a name download-<stamp>[-N]<ext> that did not
 * exist: 0, or an errno.  An O_TMPFILE is first linked under a random
 * dot-name (ignored by the watcher; linkat never replaces nor follows), so
 * that the final name appears by a rename: the watcher takes IN_MOVED_TO
 * as "complete", where a bare link would look like a file still open. */
static int publish(struct saving *sv, int dfd, int fd, char tmpname[64])
{
	char name[128], proc[64];

	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	for (unsigned tries = 0; !tmpname[0]; tries++) {
		if (tries == 10 || random_dotname(tmpname) != 0)
			return EEXIST;
		if (linkat(AT_FDCWD, proc, dfd, tmpname, AT_SYMLINK_FOLLOW) == 0)
			break;
		tmpname[0] = '\0';
		if (errno != EEXIST)
			return errno;
	}
	for (unsigned k = 1; k <= 100; k++) {
		if (k == 1)
			snprintf(name, sizeof name, "download-%s%s", sv->stamp, sv->ext);
		else
			snprintf(name, sizeof name, "download-%s-%u%s", sv->stamp, k, sv->ext);
		if (renameat2(dfd, tmpname, dfd, name, RENAME_NOREPLACE) == 0) {
			if (snprintf(sv->final, sizeof sv->final, "%s/%s", sv->inbox, name) >=
			    (int)sizeof sv->final)
				strcpy(sv->final, name); /* only for the log line */
			return 0;
		}
		if (errno != EEXIST)
			return errno;
	}
	return EEXIST;
}

/* Worker thread: write the export unnamed, fsync, then name it (the
 * folder watcher only ever sees the complete file). */
static void save_work(uv_work_t *w)
{
	struct saving *sv = w->data;
	char tmpname[64] = "";
	size_t off = 0;
	int dfd = open(sv->inbox, O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd = -1;

	if (dfd < 0 || (fd = open_unnamed(dfd, tmpname)) < 0) {
		sv->err = errno ? errno : EIO;
		goto out;
	}
	while (off < sv->len) {
		ssize_t n = write(fd, sv->body + off, sv->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			sv->err = errno;
			goto out;
		}
		off += (size_t)n;
	}
	if (fsync(fd) != 0) {
		sv->err = errno;
		goto out;
	}
	if ((sv->err = publish(sv, dfd, fd, tmpname)) == 0) {
		tmpname[0] = '\0'; /* renamed: nothing to clean up */
		fsync(dfd);
	}
out:
	if (fd >= 0)
		close(fd);
	if (tmpname[0])
		unlinkat(dfd, tmpname, 0);
	if (dfd >= 0)
		close(dfd);
}

static void finish(struct state *st);
static void save_done(uv_work_t *w, int status);

static void failed(struct state *st, const char *why, int64_t retry_after_s)
{
	uint64_t interval = (uint64_t)st->api->opt_int(st->src, "interval");
	uint64_t delay = st->api->backoff(st->failures, 5000, interval, retry_after_s, interval,
					  &st->rng);

	st->failures++;
	st->api->count(st->src, LW_CTR_ERRORS, 1);
	if (st->failures >= (unsigned)st->api->opt_int(st->src, "max_failures"))
		st->api->set_state(st->src, LW_STATE_FAILING, why);
	st->api->log(st->src, LW_LOG_ERR, "download failed (%u in a row): %s; next try in %llu s",
		     st->failures, why, (unsigned long long)(delay / 1000));
	st->not_before = uv_now(st->api->loop(st->src)) + delay;
	schedule(st, delay);
}

static void on_response(void *ud, struct lw_http_resp *r)
{
	struct state *st = ud;
	char why[600];

	st->call = NULL;
	if (st->stopping)
		return;
	if (r->result != 0) {
		failed(st, r->error, r->retry_after_s);
		return;
	}
	if (r->status == 304) {
		st->api->log(st->src, LW_LOG_INFO, "export unchanged since the last download");
	} else if (r->status != 200) {
		snprintf(why, sizeof why, "HTTP %ld%s", r->status,
			 r->status == 401 || r->status == 403 ? " (check token_file)" : "");
		failed(st, why, r->retry_after_s);
		return;
	} else {
		const char *inbox = st->api->opt_str(st->src, "inbox");
		const char *ext = extension(r->content_type, st->api->opt_str(st->src, "url"));
		struct saving *sv = calloc(1, sizeof *sv);
		time_t now = time(NULL);
		struct tm tm;

		localtime_r(&now, &tm);
		if (!sv || snprintf(sv->inbox, sizeof sv->inbox, "%s", inbox) >= (int)sizeof sv->inbox) {
			free(sv);
			failed(st, "cannot name the download (path too long or out of memory)", -1);
			return;
		}
		strftime(sv->stamp, sizeof sv->stamp, "%Y%m%d-%H%M%S", &tm);
		snprintf(sv->ext, sizeof sv->ext, "%s", ext);
		sv->st = st;
		sv->body = r->body; /* taken: the host frees only what we leave */
		sv->len = r->body_len;
		r->body = NULL;
		sv->etag = r->etag ? strdup(r->etag) : NULL;
		sv->last_modified = r->last_modified ? strdup(r->last_modified) : NULL;
		sv->work.data = sv;
		st->saving = sv;
		if (uv_queue_work(st->api->loop(st->src), &sv->work, save_work, save_done) != 0) {
			st->saving = NULL;
			free(sv->body);
			free(sv->etag);
			free(sv->last_modified);
			free(sv);
			failed(st, "cannot queue the write of the download", -1);
		}
		return;
	}
	st->failures = 0;
	st->api->set_state(st->src, LW_STATE_IDLE, NULL);
	schedule(st, (uint64_t)st->api->opt_int(st->src, "interval"));
}

static void save_done(uv_work_t *w, int status)
{
	struct saving *sv = w->data;
	struct state *st = sv->st;

	st->saving = NULL;
	if (st->stopping) {
		if (sv->err == 0)
			st->api->log(st->src, LW_LOG_INFO, "downloaded %zu bytes into %s", sv->len,
				     sv->final);
	} else if (sv->err != 0) {
		char why[600];
		snprintf(why, sizeof why, "cannot write into the inbox: %s", strerror(sv->err));
		failed(st, why, -1);
	} else {
		st->api->log(st->src, LW_LOG_INFO, "downloaded %zu bytes into %s", sv->len, sv->final);
		free(st->etag);
		free(st->last_modified);
		st->etag = sv->etag;
		st->last_modified = sv->last_modified;
		sv->etag = sv->last_modified = NULL;
		st->failures = 0;
		st->api->set_state(st->src, LW_STATE_IDLE, NULL);
		schedule(st, (uint64_t)st->api->opt_int(st->src, "interval"));
	}
	free(sv->body);
	free(sv->etag);
	free(sv->last_modified);
	free(sv);
	if (st->stopping)
		finish(st);
}

static void download(struct state *st)
{
	if (st->saving)
		return; /* the previous export is still being written */
	const struct lw_host_api *api = st->api;
	struct lw_http_req req = {.struct_size = sizeof req};
	const char *headers[33] = {NULL};
	char *token = NULL, *hdrs = NULL;
	size_t nh = 0;

	req.method = LW_HTTP_GET;
	req.url = api->opt_str(st->src, "url");
	req.ca_file = api->opt_str(st->src, "ca_file");
	req.proxy = api->opt_str(st->src, "proxy");
	req.timeout_ms = api->opt_int(st->src, "timeout");
	req.max_size = api->opt_int(st->src, "max_size");
	req.if_none_match = st->etag;
	req.if_modified_since = st->last_modified;
	if (api->opt_str(st->src, "token_file") &&
	    !(token = read_small(api->opt_str(st->src, "token_file")))) {
		failed(st, "cannot read token_file", -1);
		return;
	}
	req.bearer_token = token;
	if (api->opt_str(st->src, "header_file")) {
		char *save = NULL;
		if (!(hdrs = read_small(api->opt_str(st->src, "header_file")))) {
			free(token);
			failed(st, "cannot read header_file", -1);
			return;
		}
		for (char *l = strtok_r(hdrs, "\r\n", &save); l && nh < 32; l = strtok_r(NULL, "\r\n", &save))
			if (strchr(l, ':'))
				headers[nh++] = l;
		req.headers = headers;
	}
	if (api->http_request(st->src, &req, on_response, st, &st->call) != 0)
		failed(st, "request refused (see the log line before)", -1);
	if (token) {
		memset(token, 0, strlen(token));
		free(token);
	}
	if (hdrs) {
		memset(hdrs, 0, strlen(hdrs));
		free(hdrs);
	}
}

static void on_timer(uv_timer_t *t)
{
	download(t->data);
}

static void schedule(struct state *st, uint64_t ms)
{
	if (!st->stopping)
		uv_timer_start(&st->timer, on_timer, ms, 0);
}

static int start(const struct lw_host_api *api, struct lw_source *src, void **state)
{
	struct lw_inbox_req req;
	struct state *st;
	int rc;

	if (api->abi_version < 1 || api->struct_size < sizeof *api)
		return -6;
	req = folder_req(api, src);
	if (!(st = calloc(1, sizeof *st)))
		return -1;
	st->api = api;
	st->src = src;
	st->rng = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)st;
	if ((rc = api->inbox_start(src, &req)) != 0) {
		free(st);
		return rc;
	}
	uv_timer_init(api->loop(src), &st->timer);
	st->timer.data = st;
	st->timer_open = 1;
	if (api->opt_str(src, "url"))
		schedule(st, 0); /* first download at start */
	*state = st;
	return 0;
}

static void finish(struct state *st)
{
	const struct lw_host_api *api = st->api;
	struct lw_source *src = st->src;

	if (st->timer_open || !st->inbox_stopped || st->saving)
		return;
	free(st->etag);
	free(st->last_modified);
	free(st);
	api->stopped(src);
}

static void on_timer_closed(uv_handle_t *h)
{
	struct state *st = h->data;

	st->timer_open = 0;
	finish(st);
}

static void on_inbox_stopped(void *ud)
{
	struct state *st = ud;

	st->inbox_stopped = 1;
	finish(st);
}

static void stop(void *state)
{
	struct state *st = state;

	st->stopping = 1;
	if (st->call) /* its callback then fires with the cancel; ignored */
		st->api->http_cancel(st->src, st->call);
	uv_close((uv_handle_t *)&st->timer, on_timer_closed);
	st->api->inbox_stop(st->src, on_inbox_stopped, st);
}

/* Rescanning the folder is local and cheap; a download is not (exports of
 * 64 MiB): one under way or a back-off the server asked for is kept, and
 * the host tells the operator when the next download is. */
static int poke(void *state)
{
	struct state *st = state;
	uint64_t now = uv_now(st->api->loop(st->src));

	st->api->inbox_rescan(st->src);
	if (!st->api->opt_str(st->src, "url"))
		return 0;
	if (st->call || st->saving)
		return LW_POKE_UNDER_WAY;
	if (st->not_before > now) {
		uint64_t left = st->not_before - now;
		return left > INT32_MAX ? INT32_MAX : left < 2 ? 2 : (int)left;
	}
	schedule(st, 0);
	return 0;
}

LW_PLUGIN_EXPORT const struct lw_plugin lw_plugin = {
	.abi_version = LW_PLUGIN_ABI_VERSION,
	.struct_size = sizeof(struct lw_plugin),
	.name = "hotline",
	.version = "1.0",
	.description = "12345 hotline work-order exports: a watched folder and/or a scheduled download",
	.options = options,
	.start = start,
	.stop = stop,
	.poke = poke,
};
