/*
 * dropbox_int.h — internals of the drop-folder service.  Not a public
 * interface.  watch.c, settle.c and dropscan.c call each other; what each
 * one owns (the only file that writes it):
 *
 *   watch.c     struct lw_dropbox itself (open/close, ino_fd, polling,
 *               poll_ms, h_ino, the timers, handles_open, closing,
 *               root_lost, close_cb) and the scan bookkeeping
 *               (scan_running, want_full, sub/nsub);
 *   settle.c    the entries (struct drop_ent: ht, q_now, q_settle,
 *               q_ready, stuck, n_stuck, outstanding, pumping), check_w;
 *   dropscan.c  struct scan_item, scan_w and the wd -> directory map wmap
 *               (under wmap.mu: scans run on the thread pool);
 *   dropbox.c   no field of its own: a move reports back through settle.c
 *               (drop_forget, drop_defer, drop_mark_stuck);
 *   filehash.c  nothing: a pure function of a file.
 *
 * Shared on purpose: in_flight is raised by whichever file queues a
 * thread-pool job and lowered only by drop_job_done (watch.c), which
 * finishes a close; each counter in st is bumped where its event happens.
 */
#ifndef LW_DROPBOX_INT_H
#define LW_DROPBOX_INT_H

#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>
#include <jansson.h>
#include <uv.h>

#include "dropbox/dropbox.h"

/* A stat snapshot: what "unchanged" compares. */
struct drop_snap {
	uint64_t size, dev, ino;
	int64_t mt_s;
	long mt_ns;
	int valid;
};

enum drop_state {
	ENT_NOW = 1,   /* in q_now: stat it as soon as possible */
	ENT_SETTLE,    /* in q_settle: stat again at check_at */
	ENT_STATING,   /* in a check batch on the thread pool */
	ENT_READY,     /* complete, in q_ready waiting for a slot */
	ENT_OUT,       /* handed out to the consumer */
	ENT_MOVING,    /* archive/reject running on the thread pool */
	ENT_REFUSED,   /* symlink or not a regular file; reported once */
	ENT_STUCK,     /* could not be moved; left alone until it changes */
	ENT_DEFERRED,  /* disk full while moving; retried after retry_ms */
};

struct drop_list {
	struct drop_ent *first, *last;
	uint64_t n;
};

/* One file the dropbox knows by its relative path. */
struct drop_ent {
	struct lw_drop_file pub; /* first: lw_drop_file* -> drop_ent* */
	struct lw_dropbox *db;
	char *abs, *rel, *agency;
	char *receipt;                 /* lw_dropbox_receipt's text, until the move */
	json_t *notices;               /* lw_dropbox_notice: {agency: text}, until the move */
	struct drop_ent *hnext;        /* hash chain */
	struct drop_ent *prev, *next;  /* list links */
	struct drop_list *list;        /* list it is on, or NULL */
	enum drop_state st;
	struct drop_snap snap;         /* last stat */
	uint64_t stable_since;         /* uv_now when snap last changed */
	uint64_t check_at;             /* ENT_SETTLE: when to stat again */
	uint64_t retry_at;             /* ENT_DEFERRED */
	uint64_t refused_ino;          /* ENT_REFUSED: what was reported */
	unsigned open : 1;             /* IN_CREATE seen, no close yet */
	unsigned dirty : 1;            /* event while ENT_STATING */
	unsigned taken_open : 1;       /* handed out with no close seen (open grace) */
	unsigned held : 1;             /* its move was held once for its writer */
};

/* A permanent "cannot move this" record (dev+inode+size+mtime). */
struct drop_stuck {
	struct drop_snap key;
	struct drop_stuck *next;
};

/* One entry found by a scan. */
struct scan_item {
	char *rel;
	int type; /* 'f' regular, 'l' symlink, 'o' other */
	struct drop_snap snap;
};

/* Watch descriptor -> directory (relative path; "" is the inbox).  Written
 * by scans on the thread pool, read by the loop: guarded by mu. */
struct wd_map {
	pthread_mutex_t mu;
	char **rel; /* indexed by wd; NULL: unknown or stale */
	int cap;
};

struct lw_dropbox {
	uv_loop_t *loop;
	struct lw_dropbox_conf conf; /* strings below are our copies */
	char *inbox, *archive, *rejected, *who, *receipts;
	size_t inbox_len;

	int ino_fd;        /* inotify fd, -1 when polling */
	int polling;
	int64_t poll_ms;   /* effective */
	struct wd_map wmap;
	uv_poll_t h_ino;
	uv_timer_t t_settle, t_scan, t_retry;
	int handles_open;

	/* entries by rel */
	struct drop_ent **ht;
	size_t ht_cap, ht_n;
	struct drop_list q_now, q_settle, q_ready;
	struct drop_stuck *stuck;
	uint64_t n_stuck, outstanding;

	/* scans: one at a time */
	int scan_running, want_full;
	char **sub;       /* pending subtree scans */
	size_t nsub, capsub;
	struct scan_work *scan_w;
	/* stat batches: one at a time */
	struct check_work *check_w;
	int in_flight;    /* thread-pool jobs not yet completed */

	int closing, pumping, root_lost;
	void (*close_cb)(void *);
	void *close_ud;
	struct lw_dropbox_stats st;
};

/* ---- settle.c (all on the loop thread) ---- */
/* Report a problem through conf.problem, or log it. */
void drop_report(struct lw_dropbox *db, const char *rel, int code, int sys_errno,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* "a/b" from a and b; either may be "".  malloc'd, NULL when out of memory. */
char *drop_join(const char *a, const char *b);
void drop_snap_of(struct drop_snap *s, const void *statbuf); /* struct stat */
int drop_snap_eq(const struct drop_snap *a, const struct drop_snap *b);
int drop_ht_grow(struct lw_dropbox *db);
struct drop_ent *drop_ent_of(const struct lw_drop_file *f);
/* Remove e from every list and the table, and free it. */
void drop_forget(struct lw_dropbox *db, struct drop_ent *e);
void drop_free_entries(struct lw_dropbox *db);
/* Events were lost: stop waiting for close events on any file. */
void drop_forget_open(struct lw_dropbox *db);
/* Cancel the stat batch if not started; how many files it holds. */
void drop_checks_cancel(struct lw_dropbox *db);
size_t drop_checks_running(const struct lw_dropbox *db);
/* An event for rel: stat it soon; open_flag: created, not yet closed. */
void drop_touch(struct lw_dropbox *db, const char *rel, int open_flag);
/* Take what a finished scan found. */
void drop_scan_apply(struct lw_dropbox *db, struct scan_item *it, size_t n);
/* Hand out ready files while below max_outstanding. */
void drop_pump(struct lw_dropbox *db);
/* After a failed move: disk full (retry later) or permanent (stuck). */
void drop_defer(struct lw_dropbox *db, struct drop_ent *e);
/* A move of a file handed out while its writer still had it open, and
 * still not closed: 1 when it is held in the inbox instead (handed out
 * again when the writer closes it, or after another open grace), 0 when
 * it is to be moved now. */
int drop_hold_open(struct lw_dropbox *db, struct drop_ent *e);
void drop_mark_stuck(struct lw_dropbox *db, struct drop_ent *e);

/* ---- watch.c ---- */
/* A thread-pool job finished (after its after-work ran). */
void drop_job_done(struct lw_dropbox *db);
uint32_t drop_watch_mask(void);
void drop_scan_finished(struct lw_dropbox *db);
void drop_fall_back_to_polling(struct lw_dropbox *db, const char *why);
void drop_root_found(struct lw_dropbox *db);
void drop_root_lost(struct lw_dropbox *db, int err);

/* ---- dropscan.c ---- */
/* Scan the subtrees at roots (relative; "" is the whole inbox) off the
 * loop; when watch_fd >= 0 add an inotify watch per directory first. */
int drop_scan_start(struct lw_dropbox *db, char **roots, size_t nroots);
/* set: the caller holds m->mu; get and clear lock it themselves. */
int drop_wmap_set(struct wd_map *m, int wd, const char *rel);
char *drop_wmap_get(struct wd_map *m, int wd); /* malloc'd copy or NULL */
void drop_wmap_clear(struct wd_map *m, int wd);
/* Cancel a scan queued on the pool but not started yet. */
void drop_scan_cancel(struct lw_dropbox *db);

#endif
