/*
 * bench_dropbox.c — drop-folder figures: drop-to-ready latency beyond the
 * settle time (p50, p95) for small files dropped one by one on an idle
 * dropbox, and files/s for 10,000 small files (present at start-up, and
 * dropped while running).  Usage: bench_dropbox [dir] (default $TMPDIR).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "base/log.h"
#include "dropbox/dropbox.h"

#define SETTLE 200
#define NLAT 200

static uv_loop_t loop;
static char inbox[600];
static uint64_t dropped_at[NLAT], lat[NLAT];
static int nready, ndropped, nmoved, target;

static uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void write_file(int i)
{
	char p[700];
	int fd;
	snprintf(p, sizeof p, "%s/f%05d.csv", inbox, i);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, "a,b\n1,2\n", 8) != 8)
		abort();
	close(fd);
}

static void on_ready(void *ud, const struct lw_drop_file *f)
{
	int i = atoi(f->rel + 1);
	if (ud && i < NLAT)
		lat[i] = now_us() - dropped_at[i];
	nready++;
	lw_dropbox_archive(f, NULL);
}

static void on_moved(void *ud, const char *rel, const char *dest, int rc)
{
	nmoved++;
	if (nmoved >= target)
		uv_stop(&loop);
}

static void drop_tick(uv_timer_t *t)
{
	if (ndropped >= NLAT) {
		uv_timer_stop(t);
		return;
	}
	dropped_at[ndropped] = now_us();
	write_file(ndropped++);
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static struct lw_dropbox *open_db(const char *root, int64_t settle, int lat_mode)
{
	struct lw_dropbox_conf c = {0};
	struct lw_dropbox *db;
	struct lw_err err = {0};
	char a[700], r[700];
	snprintf(a, sizeof a, "%s/archive", root);
	snprintf(r, sizeof r, "%s/rejected", root);
	c.inbox = inbox;
	c.archive = a;
	c.rejected = r;
	c.settle_ms = settle;
	c.ready = on_ready;
	c.moved = on_moved;
	c.ud = lat_mode ? (void *)1 : NULL;
	if (lw_dropbox_open(&loop, &c, &db, &err) != 0) {
		fprintf(stderr, "%s\n", err.msg);
		exit(1);
	}
	return db;
}

static void close_db(struct lw_dropbox *db)
{
	lw_dropbox_close(db, NULL, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
}

int main(int argc, char **argv)
{
	const char *base = argc > 1 ? argv[1] : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char root[400], cmd[600];
	struct lw_dropbox *db;
	uv_timer_t t;
	uint64_t t0;

	lw_log_set_level(LW_LOG_WARNING);
	uv_loop_init(&loop);
	snprintf(root, sizeof root, "%s/lw-bench-XXXXXX", base);
	if (!mkdtemp(root))
		return 1;
	snprintf(inbox, sizeof inbox, "%s/inbox", root);
	mkdir(inbox, 0777);

	/* 1. latency: one small file every 50 ms on an idle dropbox */
	db = open_db(root, SETTLE, 1);
	target = NLAT;
	uv_timer_init(&loop, &t);
	uv_timer_start(&t, drop_tick, 300, 50);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_close((uv_handle_t *)&t, NULL);
	close_db(db);
	for (int i = 0; i < NLAT; i++)
		lat[i] = lat[i] > SETTLE * 1000 ? lat[i] - SETTLE * 1000 : 0;
	qsort(lat, NLAT, sizeof lat[0], cmp);
	printf("latency beyond settle (%d ms), %d files: p50 %.1f ms, p95 %.1f ms, max %.1f ms\n",
	       SETTLE, NLAT, lat[NLAT / 2] / 1000.0, lat[NLAT * 95 / 100] / 1000.0,
	       lat[NLAT - 1] / 1000.0);

	/* 2. 10,000 files present at start-up, settle 0 */
	for (int i = 0; i < 10000; i++)
		write_file(i);
	nmoved = nready = 0;
	target = 10000;
	t0 = now_us();
	db = open_db(root, 0, 0);
	uv_run(&loop, UV_RUN_DEFAULT);
	printf("10,000 files present at start (settle 0): %.0f files/s handed out and archived\n",
	       10000 / ((now_us() - t0) / 1e6));
	close_db(db);

	/* 3. 10,000 files dropped while running (writes not timed) */
	db = open_db(root, 0, 0);
	uv_run(&loop, UV_RUN_NOWAIT);
	nmoved = nready = 0;
	for (int i = 0; i < 10000; i++)
		write_file(i);
	t0 = now_us();
	uv_run(&loop, UV_RUN_DEFAULT);
	printf("10,000 files dropped while running (settle 0): %.0f files/s after the last write\n",
	       10000 / ((now_us() - t0) / 1e6));
	close_db(db);
	uv_loop_close(&loop);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	return system(cmd) != 0;
}
