/* Unit tests for the drop-folder watcher (watch.c, settle.c, dropscan.c):
 * when a file counts as complete, what is ignored or refused, polling,
 * rescans, load (10,000 files) and closing with work outstanding.  Real
 * libuv loop, real temporary directories. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "drop_test_util.h"

static int one_ready(struct tctx *t) { return t->nready >= 1; }
static int two_ready(struct tctx *t) { return t->nready >= 2; }

static void closed_file_is_handed_out_once(void **state)
{
	struct tctx t;

	t_init(&t);
	t.policy = HOLD;
	assert_int_equal(t_open(&t), 0);
	assert_true(t_run_until(&t, t_scanned, 5000));
	t_writef(&t, "a.xlsx", "hello");
	assert_true(t_run_until(&t, one_ready, 5000));
	assert_string_equal(t.rel[0], "a.xlsx");
	assert_null(t.agency[0]);
	/* More events and a rescan while it is outstanding: not again. */
	t_writef(&t, "a.xlsx", "hello");
	lw_dropbox_rescan(t.db);
	t_run_for(&t, 400);
	assert_int_equal(t.nready, 1);
	assert_int_equal(t_fini(&t), 0);
}

/* Writer timer: appends one chunk per tick, through one open fd (keep) or
 * open/append/close each time; closes after n chunks. */
struct slow {
	struct tctx *t;
	char path[512];
	int fd, n, keep;
	uint64_t last_write;
};

static void slow_tick(uv_timer_t *h)
{
	struct slow *s = h->data;
	int fd = s->fd;

	if (fd < 0)
		fd = open(s->path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "0123456789", 10), 10);
	s->last_write = uv_now(&s->t->loop);
	if (s->keep && --s->n > 0) {
		s->fd = fd;
		return;
	}
	close(fd);
	s->fd = -1;
	if (s->keep || --s->n <= 0)
		uv_timer_stop(h);
}

static void slow_writer(int keep_open)
{
	struct tctx t;
	struct slow s = {.fd = -1, .n = 12, .keep = keep_open};
	uv_timer_t h;

	t_init(&t);
	t.conf.settle_ms = 300;
	t.policy = HOLD;
	assert_int_equal(t_open(&t), 0);
	assert_true(t_run_until(&t, t_scanned, 5000));
	s.t = &t;
	snprintf(s.path, sizeof s.path, "%s/slow.csv", t.inbox);
	uv_timer_init(&t.loop, &h);
	h.data = &s;
	uv_timer_start(&h, slow_tick, 0, 100); /* 12 chunks over 1.1 s */
	assert_true(t_run_until(&t, one_ready, 8000));
	if (t.ready_at[0] < s.last_write + 300) {
		print_error("handed out %llu ms after the last write; expected >= settle (300 ms)\n",
			    (unsigned long long)(t.ready_at[0] - s.last_write));
		fail();
	}
	assert_int_equal(s.n, 0);
	t_run_for(&t, 200);
	assert_int_equal(t.nready, 1);
	uv_close((uv_handle_t *)&h, NULL);
	assert_int_equal(t_fini(&t), 0);
}

static void slow_writer_one_fd_is_ready_only_after_it_stops(void **state)
{
	slow_writer(1);
}

static void slow_writer_reopening_is_ready_only_after_it_stops(void **state)
{
	slow_writer(0);
}

static int three_ready(struct tctx *t) { return t->nready >= 3; }

static void files_present_at_start_are_found(void **state)
{
	struct tctx t;
	char p[600];

	t_init(&t);
	t.policy = HOLD;
	snprintf(p, sizeof p, "%s/司法局", t.inbox);
	t_mkdir(p);
	snprintf(p, sizeof p, "%s/司法局/2024", t.inbox);
	t_mkdir(p);
	t_writef(&t, "top.csv", "1");
	t_writef(&t, "司法局/a.xlsx", "2");
	t_writef(&t, "司法局/2024/b.xls", "3");
	assert_int_equal(t_open(&t), 0);
	assert_true(t_run_until(&t, three_ready, 5000));
	assert_int_equal(t_count(&t, "top.csv"), 1);
	assert_int_equal(t_count(&t, "司法局/a.xlsx"), 1);
	assert_int_equal(t_count(&t, "司法局/2024/b.xls"), 1);
	for (size_t i = 0; i < 3; i++) {
		if (!strcmp(t.rel[i], "top.csv"))
			assert_null(t.agency[i]);
		else
			assert_string_equal(t.agency[i], "司法局");
	}
	assert_int_equal(t_fini(&t), 0);
}

static int five_ready(struct tctx *t) { return t->nready >= 5; }

static void new_subdirectory_filled_at_once_is_found(void **state)
{
	struct tctx t;
	char p[600];

	t_init(&t);
	t.policy = HOLD;
	t.conf.max_outstanding = 10;
	assert_int_equal(t_open(&t), 0);
	assert_true(t_run_until(&t, t_scanned, 5000));
	/* No loop iteration between: files land before any watch on a/. */
	snprintf(p, sizeof p, "%s/a", t.inbox);
	t_mkdir(p);
	snprintf(p, sizeof p, "%s/a/b", t.inbox);
	t_mkdir(p);
	snprintf(p, sizeof p, "%s/a/b/c", t.inbox);
	t_mkdir(p);
	t_writef(&t, "a/1.csv", "1");
	t_writef(&t, "a/b/2.csv", "2");
	t_writef(&t, "a/b/c/3.csv", "3");
	t_writef(&t, "a/b/c/4.csv", "4");
	assert_true(t_run_until(&t, three_ready, 5000));
	/* And a file written after the watches exist. */
	t_run_for(&t, 100);
	t_writef(&t, "a/b/c/5.csv", "5");
	if (!t_run_until(&t, five_ready, 5000)) {
		for (size_t i = 0; i < t.nready; i++)
			print_error("handed out: %s\n", t.rel[i]);
		fail();
	}
	assert_int_equal(t_count(&t, "a/b/c/3.csv"), 1);
	assert_int_equal(t_count(&t, "a/b/c/5.csv"), 1);
	assert_int_equal(t_count(&t, "a/1.csv"), 1);
	assert_string_equal(t.agency[0], "a");
	assert_int_equal(t_fini(&t), 0);
}

static void ignored_names_are_never_handed_out(void **state)
{
	static const char *ignored[] = {".hidden.xlsx", "~$报表.xlsx", "x.tmp", "X.TMP", "x.part",
					"x.crdownload", "x.xlsx.error.txt", ".git/config.csv"};
	struct tctx t;
	char p[600];

	assert_true(lw_drop_name_ignored("~$a.xlsx"));
	assert_false(lw_drop_name_ignored("a~$.xlsx"));
	assert_false(lw_drop_name_ignored("error.txt"));
	t_init(&t);
	t.policy = HOLD;
	snprintf(p, sizeof p, "%s/.git", t.inbox);
	t_mkdir(p);
	t_writef(&t, ".git/before.csv", "x");
	assert_int_equal(t_open(&t), 0);
	assert_true(t_run_until(&t, t_scanned, 5000));
	for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++)
		t_writef(&t, ignored[i], "x");
	t_writef(&t, "ok.xlsx", "x");
	assert_true(t_run_until(&t, one_ready, 5000));
	lw_dropbox_rescan(t.db);
	t_run_for(&t, 400);
	if (t.nready != 1) {
		for (size_t i = 0; i < t.nready; i++)
			print_error("handed out: %s\n", t.rel[i]);
		fail();
	}
	assert_string_equal(t.rel[0], "ok.xlsx");
	assert_int_equal(t_fini(&t), 0);
}

static void symlinks_are_refused_and_reported_once(void **state)
{
	struct tctx t;
	char target[600], link1[600], link2[600];

	t_init(&t);
	t.policy = HOLD;
	snprintf(target, sizeof target, "%s/outside.csv", t.root);
	t_write(target, "secret");
	snprintf(link1, sizeof link1, "%s/before.csv", t.inbox);
	assert_int_equal(symlink(target, link1), 0);
	assert_int_equal(t_open(&t), 0);
	assert_true(t_run_until(&t, t_scanned, 5000));
	t_run_for(&t, 300);
	assert_int_equal(t.nproblems, 1);
	assert_non_null(strstr(t.last_problem, "symbolic link refused"));
	/* One created while watching, and a symlink to a directory. */
	snprintf(link2, sizeof link2, "%s/after.csv", t.inbox);
	assert_int_equal(symlink(target, link2), 0);
	snprintf(link2, sizeof link2, "%s/dirlink", t.inbox);
	assert_int_equal(symlink(t.root, link2), 0);
	t_run_for(&t, 300);
	for (int i = 0; i < 3; i++) {
		lw_dropbox_rescan(t.db);
		t_run_for(&t, 200);
	}
	assert_int_equal(t.nready, 0);
	if (t.nproblems != 3) {
		print_error("expected 3 reports (one per link), got %zu\n", t.nproblems);
		fail();
	}
	assert_int_equal(t_fini(&t), 0);
}

static void polling_mode_finds_files_without_inotify(void **state)
{
	struct tctx t;
	struct lw_dropbox_stats st;
	char p[600];

	t_init(&t);
	t.policy = HOLD;
	t.conf.poll_ms = 100;
	t.conf.settle_ms = 150;
	assert_int_equal(t_open(&t), 0);
	lw_dropbox_get_stats(t.db, &st);
	assert_int_equal(st.polling, 1);
	assert_true(t_run_until(&t, t_scanned, 5000));
	snprintf(p, sizeof p, "%s/局", t.inbox);
	t_mkdir(p);
	t_writef(&t, "局/p.csv", "1");
	t_writef(&t, "q.csv", "2");
	assert_true(t_run_until(&t, two_ready, 5000));
	t_run_for(&t, 400);
	assert_int_equal(t.nready, 2);
	assert_int_equal(t_count(&t, "局/p.csv"), 1);
	assert_int_equal(t_fini(&t), 0);
}

static void rescan_finds_files_no_event_announced(void **state)
{
	struct tctx t;

	/* A poll interval of an hour: after the initial scan nothing looks
	 * at the tree unless asked, as when inotify lost events
	 * (IN_Q_OVERFLOW calls the same rescan). */
	t_init(&t);
	t.policy = HOLD;
	t.conf.poll_ms = 3600000;
	t_writef(&t, "first.csv", "1");
	assert_int_equal(t_open(&t), 0);
	assert_true(t_run_until(&t, one_ready, 5000));
	t_writef(&t, "unseen.csv", "2");
	t_run_for(&t, 400);
	assert_int_equal(t.nready, 1);
	lw_dropbox_rescan(t.db);
	assert_true(t_run_until(&t, two_ready, 5000));
	assert_int_equal(t_count(&t, "unseen.csv"), 1);
	assert_int_equal(t_count(&t, "first.csv"), 1);
	assert_int_equal(t_fini(&t), 0);
}

static void released_file_comes_back_on_next_scan(void **state)
{
	struct tctx t;

	t_init(&t);
	t.policy = RELEASE;
	t.conf.poll_ms = 3600000;
	t_writef(&t, "r.csv", "1");
	assert_int_equal(t_open(&t), 0);
	assert_true(t_run_until(&t, one_ready, 5000));
	t_run_for(&t, 300);
	assert_int_equal(t.nready, 1);
	lw_dropbox_rescan(t.db);
	assert_true(t_run_until(&t, two_ready, 5000));
	assert_int_equal(t_fini(&t), 0);
}

static int all_moved_10k(struct tctx *t) { return t->nmoved >= 10000; }

static void ten_thousand_files_each_once_bounded(void **state)
{
	struct tctx t;
	int fd0;
	struct timespec a, b, w;
	char p[600];
	double secs;

	t_init(&t);
	t.policy = ARCHIVE;
	t.conf.settle_ms = 50;
	t.conf.max_outstanding = 4;
	assert_int_equal(t_open(&t), 0);
	assert_true(t_run_until(&t, t_scanned, 5000));
	fd0 = t_fd_count();
	/* Half in 10 agency folders before the loop runs again, half at the
	 * top: 10,000 events may overflow the inotify queue; either way each
	 * file must come out exactly once. */
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int d = 0; d < 10; d++) {
		snprintf(p, sizeof p, "%s/agency%d", t.inbox, d);
		t_mkdir(p);
	}
	for (int i = 0; i < 10000; i++) {
		char rel[64];
		if (i % 2)
			snprintf(rel, sizeof rel, "agency%d/f%05d.csv", i % 10, i);
		else
			snprintf(rel, sizeof rel, "f%05d.csv", i);
		t_writef(&t, rel, "a,b\n1,2\n");
	}
	clock_gettime(CLOCK_MONOTONIC, &w);
	printf("# wrote 10,000 files in %.2f s\n",
	       (double)(w.tv_sec - a.tv_sec) + (double)(w.tv_nsec - a.tv_nsec) / 1e9);
	assert_true(t_run_until(&t, all_moved_10k, 120000));
	clock_gettime(CLOCK_MONOTONIC, &b);
	secs = (double)(b.tv_sec - w.tv_sec) + (double)(b.tv_nsec - w.tv_nsec) / 1e9;
	printf("# 10,000 files: all archived %.2f s after the last write (%.0f files/s, settle 50 ms); "
	       "max outstanding %llu; fds at start %d, max %d\n", secs, 10000 / secs,
	       (unsigned long long)t.max_outstanding_seen, fd0, t.fd_max);
	t_run_for(&t, 300);
	assert_int_equal(t.nready, 10000);
	assert_int_equal(t.nmoved, 10000);
	assert_true(t.max_outstanding_seen <= 4);
	/* Each handed out once: sorted names are all distinct. */
	for (int i = 0; i < 10000; i += 997) {
		char rel[64];
		if (i % 2)
			snprintf(rel, sizeof rel, "agency%d/f%05d.csv", i % 10, i);
		else
			snprintf(rel, sizeof rel, "f%05d.csv", i);
		assert_int_equal(t_count(&t, rel), 1);
	}
	/* fds: the loop's own, plus at most a move's two per thread. */
	if (t.fd_max > fd0 + 12) {
		print_error("fd use grew from %d to %d\n", fd0, t.fd_max);
		fail();
	}
	assert_int_equal(t_fini(&t), 0);
}

static void close_with_work_outstanding_leaves_loop_closable(void **state)
{
	struct tctx t;

	t_init(&t);
	t.policy = HOLD;
	t.conf.max_outstanding = 2;
	for (int i = 0; i < 50; i++) {
		char rel[32];
		snprintf(rel, sizeof rel, "c%02d.csv", i);
		t_writef(&t, rel, "x");
	}
	assert_int_equal(t_open(&t), 0);
	assert_true(t_run_until(&t, two_ready, 5000));
	/* One move in flight, one held, 48 waiting, a scan queued. */
	lw_dropbox_archive(t.held[0], NULL);
	lw_dropbox_rescan(t.db);
	lw_dropbox_close(t.db, t_closed_cb, &t);
	assert_true(t_run_until(&t, t_is_closed, 5000));
	assert_int_equal(t_fini(&t), 0);
}

static void open_refuses_archive_inside_inbox(void **state)
{
	struct tctx t;
	struct lw_err err = {0};
	char p[600];

	t_init(&t);
	snprintf(p, sizeof p, "%s/archive", t.inbox);
	t.conf.archive = p;
	assert_int_equal(lw_dropbox_open(&t.loop, &t.conf, &t.db, &err), LW_EINVAL);
	assert_non_null(strstr(err.msg, "inside the inbox"));
	t.conf.archive = t.archive;
	t.conf.inbox = "/nonexistent/inbox";
	assert_int_equal(lw_dropbox_open(&t.loop, &t.conf, &t.db, &err), LW_ENOENT);
	t.db = NULL;
	assert_int_equal(t_fini(&t), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(closed_file_is_handed_out_once),
		cmocka_unit_test(slow_writer_one_fd_is_ready_only_after_it_stops),
		cmocka_unit_test(slow_writer_reopening_is_ready_only_after_it_stops),
		cmocka_unit_test(files_present_at_start_are_found),
		cmocka_unit_test(new_subdirectory_filled_at_once_is_found),
		cmocka_unit_test(ignored_names_are_never_handed_out),
		cmocka_unit_test(symlinks_are_refused_and_reported_once),
		cmocka_unit_test(polling_mode_finds_files_without_inotify),
		cmocka_unit_test(rescan_finds_files_no_event_announced),
		cmocka_unit_test(released_file_comes_back_on_next_scan),
		cmocka_unit_test(ten_thousand_files_each_once_bounded),
		cmocka_unit_test(close_with_work_outstanding_leaves_loop_closable),
		cmocka_unit_test(open_refuses_archive_inside_inbox),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
