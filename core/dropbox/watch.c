/*
 * watch.c — the drop-folder watcher: inotify or polling, scans, and the
 * dropbox's open/close (see dropbox.h; settle.c decides when a file is
 * complete, dropbox.c moves it).
 *
 * Why raw inotify and not uv_fs_event: on Linux libuv's uv_fs_event_t
 * watches one directory, not a tree (UV_FS_EVENT_RECURSIVE is honoured only
 * on macOS and Windows), and it reports neither IN_CLOSE_WRITE nor queue
 * overflows.  We need both: "closed after writing" is how a local writer
 * says a file is complete, and IN_Q_OVERFLOW means events were lost, so the
 * tree must be rescanned.  So one inotify fd carries one watch per
 * directory, and a uv_poll_t on that fd wakes the loop.
 *
 * Polling mode (poll_ms > 0, or automatically on NFS/SMB/FUSE where inotify
 * never hears of writes made by other machines, or when inotify fails) runs
 * the same off-loop scan every poll_ms.  In inotify mode a safety rescan
 * runs every rescan_ms all the same: it finds released files and anything
 * a lost event hid.
 */
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "base/log.h"
#include "dropbox/dropbox_int.h"

#define MAX_SUBSCANS 256
#define FALLBACK_POLL_MS 5000
#define ROOT_RETRY_MS 5000

/* ---- scans and inotify ---- */

static void kick_scan(struct lw_dropbox *db)
{
	char **roots;
	size_t n;

	if (db->closing || db->scan_running)
		return;
	if (db->want_full) {
		for (size_t i = 0; i < db->nsub; i++)
			free(db->sub[i]);
		db->nsub = 0;
		roots = malloc(sizeof *roots);
		if (!roots || !(roots[0] = strdup(""))) {
			free(roots);
			return; /* the next timer tick tries again */
		}
		n = 1;
		db->want_full = 0;
	} else if (db->nsub) {
		roots = db->sub;
		n = db->nsub;
		db->sub = NULL;
		db->nsub = db->capsub = 0;
	} else {
		return;
	}
	if (drop_scan_start(db, roots, n) != 0)
		db->want_full = 1;
}

/* Called by dropscan.c when a scan has been applied. */
void drop_scan_finished(struct lw_dropbox *db)
{
	db->scan_running = 0;
	kick_scan(db);
}

void lw_dropbox_rescan(struct lw_dropbox *db)
{
	db->want_full = 1;
	kick_scan(db);
}

static void on_scan_timer(uv_timer_t *t)
{
	lw_dropbox_rescan(t->data);
}

static void add_subscan(struct lw_dropbox *db, const char *rel)
{
	char *s;

	if (db->want_full)
		return;
	if (db->nsub >= MAX_SUBSCANS) {
		db->want_full = 1;
		return;
	}
	if (db->nsub == db->capsub) {
		size_t cap = db->capsub ? db->capsub * 2 : 8;
		char **p = realloc(db->sub, cap * sizeof *p);
		if (!p) {
			db->want_full = 1;
			return;
		}
		db->sub = p;
		db->capsub = cap;
	}
	if (!(s = strdup(rel))) {
		db->want_full = 1;
		return;
	}
	db->sub[db->nsub++] = s;
}

static void on_inotify(uv_poll_t *h, int status, int events)
{
	struct lw_dropbox *db = h->data;
	char buf[65536] __attribute__((aligned(__alignof__(struct inotify_event))));

	for (;;) {
		ssize_t len = read(db->ino_fd, buf, sizeof buf);
		if (len <= 0) {
			if (len < 0 && errno != EAGAIN && errno != EINTR)
				lw_log(LW_LOG_WARNING, db->who, "reading inotify events: %s", strerror(errno));
			break;
		}
		for (char *p = buf; p < buf + len;) {
			const struct inotify_event *ev = (const struct inotify_event *)(void *)p;
			char *dir, *rel;

			p += sizeof *ev + ev->len;
			if (ev->mask & IN_Q_OVERFLOW) {
				lw_log(LW_LOG_NOTICE, db->who, "inotify queue overflowed; rescanning %s",
				       db->inbox);
				/* Close events may be among the lost ones. */
				drop_forget_open(db);
				db->want_full = 1;
				continue;
			}
			if (ev->mask & IN_IGNORED) {
				drop_wmap_clear(&db->wmap, ev->wd);
				continue;
			}
			dir = drop_wmap_get(&db->wmap, ev->wd);
			if (!dir)
				continue; /* stale or unknown watch */
			if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF)) {
				if (!dir[0] && !db->root_lost) {
					db->root_lost = 1;
					drop_report(db, "", LW_ENOENT, ENOENT,
						    "inbox %s was deleted or moved; waiting for it to come back",
						    db->inbox);
					uv_timer_start(&db->t_scan, on_scan_timer, ROOT_RETRY_MS,
						       ROOT_RETRY_MS);
				} else if (dir[0]) {
					/* Its path is stale; a rescan of its new
					 * place (IN_MOVED_TO) re-registers it. */
					drop_wmap_clear(&db->wmap, ev->wd);
				}
				free(dir);
				continue;
			}
			if (!ev->len || lw_drop_name_ignored(ev->name)) {
				free(dir);
				continue;
			}
			rel = drop_join(dir, ev->name);
			free(dir);
			if (!rel) {
				db->want_full = 1;
				continue;
			}
			if (ev->mask & IN_ISDIR) {
				/* Files can land before our watch on it exists:
				 * scan it (adds the watch first, then lists).  The
				 * receipts folder is ours, not the clerks'. */
				if ((ev->mask & (IN_CREATE | IN_MOVED_TO)) &&
				    !(db->receipts && !strcmp(ev->name, db->receipts)))
					add_subscan(db, rel);
			} else {
				if (ev->mask & IN_CREATE)
					drop_touch(db, rel, 1);
				if (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO))
					drop_touch(db, rel, 0);
			}
			free(rel);
		}
	}
	kick_scan(db);
}

uint32_t drop_watch_mask(void)
{
	return IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE_SELF | IN_MOVE_SELF |
	       IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK;
}

/* Called by dropscan.c when adding a watch failed (watch limit...). */
void drop_fall_back_to_polling(struct lw_dropbox *db, const char *why)
{
	if (db->polling)
		return;
	lw_log(LW_LOG_WARNING, db->who, "%s; polling %s every %d s instead of inotify", why,
	       db->inbox, FALLBACK_POLL_MS / 1000);
	uv_poll_stop(&db->h_ino);
	db->polling = 1;
	db->st.polling = 1;
	db->poll_ms = FALLBACK_POLL_MS;
	uv_timer_start(&db->t_scan, on_scan_timer, (uint64_t)db->poll_ms,
		       (uint64_t)db->poll_ms);
	/* ino_fd stays open until close: a scan may still be using it. */
}

/* Called by dropscan.c: the inbox was listed (again) after being lost. */
void drop_root_found(struct lw_dropbox *db)
{
	if (!db->root_lost)
		return;
	db->root_lost = 0;
	lw_log(LW_LOG_NOTICE, db->who, "inbox %s is back", db->inbox);
	if (!db->polling) {
		uv_timer_stop(&db->t_scan);
		if (db->conf.rescan_ms > 0)
			uv_timer_start(&db->t_scan, on_scan_timer,
				       (uint64_t)db->conf.rescan_ms, (uint64_t)db->conf.rescan_ms);
	}
}

void drop_root_lost(struct lw_dropbox *db, int err)
{
	if (db->root_lost)
		return;
	db->root_lost = 1;
	drop_report(db, "", LW_ENOENT, err, "inbox %s cannot be read: %s; retrying every %d s",
		    db->inbox, strerror(err), ROOT_RETRY_MS / 1000);
	if (!db->polling)
		uv_timer_start(&db->t_scan, on_scan_timer, ROOT_RETRY_MS,
			       ROOT_RETRY_MS);
}


/* ---- open / close ---- */

/* File systems where inotify sees nothing written by other machines. */
static const char *network_fs(const char *path)
{
	struct statfs sf;

	if (statfs(path, &sf) != 0)
		return NULL;
	switch ((unsigned long)sf.f_type) {
	case 0x6969: return "NFS";
	case 0xFF534D42: return "CIFS";
	case 0xFE534D42: return "SMB2";
	case 0x517B: return "SMB";
	case 0x65735546: return "FUSE";
	case 0x01021997: return "9P";
	case 0x00C36400: return "Ceph";
	}
	return NULL;
}

/* 1 when path is dir or below it. */
static int inside(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == '\0');
}

int lw_dropbox_open(uv_loop_t *loop, const struct lw_dropbox_conf *conf,
		    struct lw_dropbox **out, struct lw_err *err)
{
	struct lw_dropbox *db = NULL;
	char real[PATH_MAX], other[PATH_MAX];
	const char *nfs;
	struct stat st;
	int rc;

	*out = NULL;
	if (!conf->inbox || !conf->archive || !conf->rejected || !conf->ready ||
	    conf->settle_ms < 0 || conf->poll_ms < 0)
		return lw_err_set(err, LW_EINVAL, "dropbox: inbox, archive, rejected and ready() are required");
	/* The receipts folder is one name inside each agency folder: never a
	 * path that leads elsewhere ("..", "a/b"). */
	if (conf->receipts && *conf->receipts &&
	    (strchr(conf->receipts, '/') || conf->receipts[0] == '.' || strlen(conf->receipts) > 64))
		return lw_err_set(err, LW_EINVAL, "receipts \"%s\": expected a folder name (no '/', "
				  "not starting with '.'), such as 回执", conf->receipts);
	if (!realpath(conf->inbox, real) || stat(real, &st) != 0 || !S_ISDIR(st.st_mode))
		return lw_err_set(err, LW_ENOENT, "inbox %s: not a directory (%s)", conf->inbox,
				  strerror(errno ? errno : ENOTDIR));
	for (int i = 0; i < 2; i++) {
		const char *p = i ? conf->rejected : conf->archive;
		if (!realpath(p, other))
			snprintf(other, sizeof other, "%s", p);
		if (inside(other, real))
			return lw_err_set(err, LW_EINVAL,
					  "%s %s is inside the inbox %s; files would be imported again",
					  i ? "rejected" : "archive", p, conf->inbox);
	}
	db = calloc(1, sizeof *db);
	if (!db)
		return lw_err_set(err, LW_ENOMEM, "dropbox: out of memory");
	db->loop = loop;
	db->conf = *conf;
	db->inbox = strdup(real);
	db->archive = strdup(conf->archive);
	db->rejected = strdup(conf->rejected);
	db->who = conf->who ? strdup(conf->who) : NULL;
	db->receipts = conf->receipts && *conf->receipts ? strdup(conf->receipts) : NULL;
	db->ino_fd = -1;
	if (!db->inbox || !db->archive || !db->rejected || (conf->who && !db->who) ||
	    (conf->receipts && *conf->receipts && !db->receipts)) {
		rc = lw_err_set(err, LW_ENOMEM, "dropbox: out of memory");
		goto fail;
	}
	db->conf.inbox = db->inbox;
	db->conf.archive = db->archive;
	db->conf.rejected = db->rejected;
	db->conf.who = db->who;
	db->conf.receipts = db->receipts;
	db->inbox_len = strlen(db->inbox);
	if (!db->conf.max_outstanding)
		db->conf.max_outstanding = 4;
	if (!db->conf.rescan_ms)
		db->conf.rescan_ms = 300000;
	if (db->conf.retry_ms <= 0)
		db->conf.retry_ms = 60000;
	if (pthread_mutex_init(&db->wmap.mu, NULL) != 0) {
		rc = lw_err_set(err, LW_ENOMEM, "dropbox: cannot create a mutex");
		goto fail;
	}
	if (drop_ht_grow(db) != 0) {
		rc = lw_err_set(err, LW_ENOMEM, "dropbox: out of memory");
		goto fail_mu;
	}

	db->polling = conf->poll_ms > 0;
	db->poll_ms = conf->poll_ms;
	if (!db->polling && (nfs = network_fs(real)) != NULL) {
		lw_log(LW_LOG_NOTICE, db->who,
		       "inbox %s is on %s where inotify misses remote writes; polling every %d s",
		       real, nfs, FALLBACK_POLL_MS / 1000);
		db->polling = 1;
		db->poll_ms = FALLBACK_POLL_MS;
	}
	if (!db->polling) {
		db->ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (db->ino_fd < 0) {
			lw_log(LW_LOG_WARNING, db->who, "inotify unavailable (%s); polling %s every %d s",
			       strerror(errno), real, FALLBACK_POLL_MS / 1000);
			db->polling = 1;
			db->poll_ms = FALLBACK_POLL_MS;
		}
	}
	db->st.polling = db->polling;

	uv_timer_init(loop, &db->t_settle);
	uv_timer_init(loop, &db->t_scan);
	uv_timer_init(loop, &db->t_retry);
	db->t_settle.data = db->t_scan.data = db->t_retry.data = db;
	db->handles_open = 3;
	if (db->ino_fd >= 0) {
		uv_poll_init(loop, &db->h_ino, db->ino_fd);
		db->h_ino.data = db;
		db->handles_open++;
		uv_poll_start(&db->h_ino, UV_READABLE, on_inotify);
		if (db->conf.rescan_ms > 0)
			uv_timer_start(&db->t_scan, on_scan_timer,
				       (uint64_t)db->conf.rescan_ms, (uint64_t)db->conf.rescan_ms);
	} else {
		uv_timer_start(&db->t_scan, on_scan_timer, (uint64_t)db->poll_ms,
			       (uint64_t)db->poll_ms);
	}
	lw_log(LW_LOG_INFO, db->who, "watching %s (%s, settle %lld ms, %u at once)", real,
	       db->polling ? "polling" : "inotify", (long long)db->conf.settle_ms,
	       db->conf.max_outstanding);
	*out = db;
	lw_dropbox_rescan(db); /* the initial scan */
	return 0;
fail_mu:
	pthread_mutex_destroy(&db->wmap.mu);
fail:
	free(db->inbox);
	free(db->archive);
	free(db->rejected);
	free(db->who);
	free(db->receipts);
	free(db);
	return rc;
}

static void free_all(struct lw_dropbox *db)
{
	void (*cb)(void *) = db->close_cb;
	void *ud = db->close_ud;

	drop_free_entries(db);
	for (size_t i = 0; i < db->nsub; i++)
		free(db->sub[i]);
	free(db->sub);
	for (int i = 0; i < db->wmap.cap; i++)
		free(db->wmap.rel[i]);
	free(db->wmap.rel);
	pthread_mutex_destroy(&db->wmap.mu);
	if (db->ino_fd >= 0)
		close(db->ino_fd);
	free(db->inbox);
	free(db->archive);
	free(db->rejected);
	free(db->who);
	free(db->receipts);
	free(db);
	if (cb)
		cb(ud);
}

static void on_closed(uv_handle_t *h)
{
	struct lw_dropbox *db = h->data;

	if (--db->handles_open == 0)
		free_all(db);
}

static void finish_close(struct lw_dropbox *db)
{
	uv_close((uv_handle_t *)&db->t_settle, on_closed);
	uv_close((uv_handle_t *)&db->t_scan, on_closed);
	uv_close((uv_handle_t *)&db->t_retry, on_closed);
	if (db->ino_fd >= 0)
		uv_close((uv_handle_t *)&db->h_ino, on_closed);
}

void drop_job_done(struct lw_dropbox *db)
{
	assert(db->in_flight > 0);
	if (--db->in_flight == 0 && db->closing)
		finish_close(db);
}

void lw_dropbox_close(struct lw_dropbox *db, void (*cb)(void *ud), void *ud)
{
	if (!db || db->closing)
		return;
	db->closing = 1;
	db->close_cb = cb;
	db->close_ud = ud;
	uv_timer_stop(&db->t_settle);
	uv_timer_stop(&db->t_scan);
	uv_timer_stop(&db->t_retry);
	if (db->ino_fd >= 0)
		uv_poll_stop(&db->h_ino);
	drop_checks_cancel(db);
	drop_scan_cancel(db);
	if (db->in_flight == 0)
		finish_close(db);
}

void lw_dropbox_get_stats(const struct lw_dropbox *db, struct lw_dropbox_stats *st)
{
	*st = db->st;
	st->waiting = db->q_ready.n;
	st->settling = db->q_now.n + db->q_settle.n + drop_checks_running(db);
	st->outstanding = db->outstanding;
	st->stuck = db->n_stuck;
}
