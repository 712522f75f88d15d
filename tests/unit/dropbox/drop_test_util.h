/*
 * drop_test_util.h — a real libuv loop around one dropbox on a temporary
 * tree (inbox/, archive/, rejected/), recording every callback.  Header
 * only, static functions: each test binary gets its own copy.
 */
#ifndef LW_DROP_TEST_UTIL_H
#define LW_DROP_TEST_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "base/log.h"
#include "dropbox/dropbox.h"

/* What the test consumer does with a ready file. */
enum t_policy { HOLD, RELEASE, ARCHIVE, ARCHIVE_REPORT, REJECT };

#define T_MAX_FILES 12000

struct tctx {
	uv_loop_t loop;
	char root[256], inbox[300], archive[300], rejected[300];
	struct lw_dropbox *db;
	struct lw_dropbox_conf conf;
	enum t_policy policy;
	const char *report;
	/* ready() */
	size_t nready;
	char *rel[T_MAX_FILES];
	char *agency[T_MAX_FILES];
	uint64_t ready_at[T_MAX_FILES]; /* uv_now */
	const struct lw_drop_file *held[T_MAX_FILES];
	size_t nheld;
	uint64_t max_outstanding_seen, outstanding;
	int fd_max;
	/* moved() */
	size_t nmoved, nmove_fail;
	char *last_dest;
	int last_move_rc;
	/* problem() */
	size_t nproblems;
	char last_problem[1024];
	int last_problem_errno;
	int closed;
};

static inline int t_fd_count(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n - 3; /* ".", "..", the DIR's own fd */
}

static inline void t_on_ready(void *ud, const struct lw_drop_file *f)
{
	struct tctx *t = ud;
	int fds;

	if (t->nready < T_MAX_FILES) {
		t->rel[t->nready] = strdup(f->rel);
		t->agency[t->nready] = f->agency ? strdup(f->agency) : NULL;
		t->ready_at[t->nready] = uv_now(&t->loop);
	}
	t->nready++;
	t->outstanding++;
	if (t->outstanding > t->max_outstanding_seen)
		t->max_outstanding_seen = t->outstanding;
	if ((t->nready & 255) == 1 && (fds = t_fd_count()) > t->fd_max)
		t->fd_max = fds;
	switch (t->policy) {
	case HOLD:
		if (t->nheld < T_MAX_FILES)
			t->held[t->nheld++] = f;
		break;
	case RELEASE:
		t->outstanding--;
		lw_dropbox_release(f);
		break;
	case ARCHIVE:
		lw_dropbox_archive(f, NULL);
		break;
	case ARCHIVE_REPORT:
		lw_dropbox_archive(f, t->report);
		break;
	case REJECT:
		lw_dropbox_reject(f, t->report);
		break;
	}
}

static inline void t_on_moved(void *ud, const char *rel, const char *dest, int rc)
{
	struct tctx *t = ud;
	t->outstanding--;
	t->last_move_rc = rc;
	if (rc == 0) {
		t->nmoved++;
		free(t->last_dest);
		t->last_dest = strdup(dest);
	} else {
		t->nmove_fail++;
	}
}

static inline void t_on_problem(void *ud, const struct lw_drop_problem *p)
{
	struct tctx *t = ud;
	t->nproblems++;
	t->last_problem_errno = p->sys_errno;
	snprintf(t->last_problem, sizeof t->last_problem, "%s", p->msg);
}

static inline void t_mkdir(const char *path)
{
	if (mkdir(path, 0777) != 0 && errno != EEXIST) {
		perror(path);
		abort();
	}
}

/* Write path with content (creating it), closing it at once. */
static inline void t_write(const char *path, const char *content)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, content, strlen(content)) != (ssize_t)strlen(content)) {
		perror(path);
		abort();
	}
	close(fd);
}

static inline void t_writef(struct tctx *t, const char *rel, const char *content)
{
	char p[2048];
	snprintf(p, sizeof p, "%s/%s", t->inbox, rel);
	t_write(p, content);
}

/* A fresh tree; conf gets defaults the tests override before t_open. */
static inline void t_init(struct tctx *t)
{
	const char *tmp = getenv("TMPDIR");
	memset(t, 0, sizeof *t);
	lw_log_set_level(getenv("LW_TEST_VERBOSE") ? LW_LOG_DEBUG : LW_LOG_NOTICE);
	snprintf(t->root, sizeof t->root, "%s/lw-drop-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(t->root)) {
		perror("mkdtemp");
		abort();
	}
	snprintf(t->inbox, sizeof t->inbox, "%s/inbox", t->root);
	snprintf(t->archive, sizeof t->archive, "%s/archive", t->root);
	snprintf(t->rejected, sizeof t->rejected, "%s/rejected", t->root);
	t_mkdir(t->inbox);
	uv_loop_init(&t->loop);
	t->conf.inbox = t->inbox;
	t->conf.archive = t->archive;
	t->conf.rejected = t->rejected;
	t->conf.who = "test";
	t->conf.settle_ms = 100;
	t->conf.ready = t_on_ready;
	t->conf.moved = t_on_moved;
	t->conf.problem = t_on_problem;
	t->conf.ud = t;
}

static inline int t_open(struct tctx *t)
{
	struct lw_err err = {0};
	int rc = lw_dropbox_open(&t->loop, &t->conf, &t->db, &err);
	if (rc != 0)
		fprintf(stderr, "lw_dropbox_open: %s\n", err.msg);
	return rc;
}

static inline void t_tick(uv_timer_t *h)
{
	(void)h;
}

/* Run the loop until pred(t) is true or ms pass; returns pred(t). */
static inline int t_run_until(struct tctx *t, int (*pred)(struct tctx *), uint64_t ms)
{
	uv_timer_t tick;
	uint64_t end;
	int ok;

	uv_timer_init(&t->loop, &tick);
	uv_timer_start(&tick, t_tick, 5, 5);
	uv_update_time(&t->loop);
	end = uv_now(&t->loop) + ms;
	while (!(ok = pred(t)) && uv_now(&t->loop) < end)
		uv_run(&t->loop, UV_RUN_ONCE);
	uv_close((uv_handle_t *)&tick, NULL);
	uv_run(&t->loop, UV_RUN_NOWAIT);
	return ok;
}

static inline int t_never(struct tctx *t)
{
	(void)t;
	return 0;
}

/* Run the loop for ms. */
static inline void t_run_for(struct tctx *t, uint64_t ms)
{
	t_run_until(t, t_never, ms);
}

static inline int t_scanned(struct tctx *t)
{
	struct lw_dropbox_stats st;
	lw_dropbox_get_stats(t->db, &st);
	return st.scans >= 1;
}

static inline void t_closed_cb(void *ud)
{
	((struct tctx *)ud)->closed = 1;
}

static inline int t_is_closed(struct tctx *t)
{
	return t->closed;
}

static inline int t_rm_cb(const char *p, const struct stat *s, int flag, struct FTW *f)
{
	(void)s;
	(void)flag;
	(void)f;
	chmod(p, 0700);
	return remove(p);
}

/* Close the dropbox and the loop (asserting both close), remove the tree.
 * Returns uv_loop_close's result. */
static inline int t_fini(struct tctx *t)
{
	int rc;
	if (t->db && !t->closed) {
		lw_dropbox_close(t->db, t_closed_cb, t);
		t_run_until(t, t_is_closed, 10000);
	}
	rc = uv_loop_close(&t->loop);
	if (rc != 0) {
		fprintf(stderr, "uv_loop_close: %s; handles still open:\n", uv_strerror(rc));
		uv_print_all_handles(&t->loop, stderr);
	}
	for (size_t i = 0; i < t->nready && i < T_MAX_FILES; i++) {
		free(t->rel[i]);
		free(t->agency[i]);
	}
	free(t->last_dest);
	nftw(t->root, t_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return rc;
}

/* How many times rel was handed out. */
static inline size_t t_count(const struct tctx *t, const char *rel)
{
	size_t n = 0;
	for (size_t i = 0; i < t->nready && i < T_MAX_FILES; i++)
		n += !strcmp(t->rel[i], rel);
	return n;
}

static inline int t_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* Today's archive folder: archive/yyyy-mm-dd. */
static inline void t_today(const struct tctx *t, char *out, size_t n)
{
	char d[16];
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(d, sizeof d, "%Y-%m-%d", &tm);
	snprintf(out, n, "%s/%s", t->archive, d);
}

#endif
