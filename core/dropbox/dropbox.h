/*
 * core/dropbox/: the drop-folder service clerks see: watch, settle, hash,
 * archive or reject with a report (dropbox_int.h: which file owns what).
 *
 * dropbox.h — the drop-folder service: watch an inbox directory tree,
 * hand out each complete file once, then archive, reject or leave it.
 *
 * This is the folder half of design.md §4 ("Drop-folder protocol"); the
 * `spreadsheet` and `hotline` plugins use it, the import pipeline decides
 * what happens to each file.
 *
 *   inbox/<agency>/file.xlsx --ready()--> consumer --lw_dropbox_archive()-->
 *       archive/<yyyy-mm-dd>/<agency>/file.xlsx   (+ .error.txt if a report)
 *                                     --lw_dropbox_reject()-->
 *       rejected/<agency>/file.xlsx + rejected/<agency>/file.xlsx.error.txt
 *                                     --lw_dropbox_release()--> left in place
 *
 * Threads: every function here and every callback runs on the loop thread
 * the dropbox was opened on.  Directory scans, stat() of candidates, file
 * moves and report writing run on the libuv thread pool; the loop never
 * blocks on a big tree or a slow disk.
 *
 * A file is *ready* when its size, mtime and inode stayed unchanged for
 * `settle_ms`, and (when inotify watches its folder) the writer that
 * created it has closed it (IN_CLOSE_WRITE) or it was renamed into place.
 * Ignored: names starting with '.', Excel lock files "~$*", "*.tmp",
 * "*.part", "*.crdownload" and our own "*.error.txt"; dot-directories are
 * not entered.  Symbolic links and other non-regular files are refused
 * (reported once through problem(), never followed).
 *
 * Bounded resources: one inotify watch per directory (none per file), one
 * directory fd at a time per scan, at most `max_outstanding` files handed
 * out or being moved; the rest wait as paths in a queue.
 */
#ifndef LW_DROPBOX_H
#define LW_DROPBOX_H

#include <stdint.h>
#include <uv.h>

#include "base/err.h"

struct lw_dropbox;

/* One ready file.  Owned by the dropbox; valid from ready() until the
 * consumer calls exactly one of lw_dropbox_archive / _reject / _release on
 * it, or until lw_dropbox_close() is called, whichever comes first. */
struct lw_drop_file {
	const char *path;   /* absolute path of the file in the inbox */
	const char *rel;    /* path relative to the inbox, '/'-separated */
	const char *agency; /* first component of rel when the file sits in a
			       subfolder (inbox/<agency>/...); NULL at top */
	uint64_t size;      /* bytes, when it was found ready */
	int64_t mtime;      /* seconds since the epoch */
	long mtime_nsec;
	uint64_t dev, ino;
};

/* What went wrong with a file or folder, for problem(). */
struct lw_drop_problem {
	const char *rel;  /* path relative to the inbox ("" for the inbox) */
	int code;         /* LW_E* */
	int sys_errno;    /* errno behind it, 0 if none (ENOSPC: disk full) */
	const char *msg;  /* one line for operators, names the file */
};

struct lw_dropbox_conf {
	const char *inbox;    /* absolute; must exist */
	const char *archive;  /* absolute; created on demand; not inside inbox */
	const char *rejected; /* absolute; created on demand; not inside inbox */
	const char *who;      /* log tag (source name); NULL: "core" */

	int64_t settle_ms;    /* quiet time before a file is taken; >= 0 */
	int64_t poll_ms;      /* > 0: poll the tree every poll_ms instead of
				 inotify (network shares); 0: inotify, with
				 automatic fallback to polling (5 s) when the
				 inbox is on NFS/SMB/FUSE or inotify fails */
	int64_t rescan_ms;    /* inotify mode: full safety rescan interval;
				 0: 5 minutes; < 0: never */
	int64_t retry_ms;     /* after a disk-full move failure, try again
				 after this long; 0: 60 s */
	unsigned max_outstanding; /* files handed out at once; 0: 4 */
	const char *receipts; /* name of the receipts folder in each agency folder
				 (inbox/<agency>/<receipts>/): a copy of every
				 report goes there, and the watcher ignores it;
				 NULL or "": no receipts */

	/* A file is ready: called once per file on the loop thread; the file
	 * is not handed out again while outstanding.  May call
	 * archive/reject/release from inside. */
	void (*ready)(void *ud, const struct lw_drop_file *f);
	/* Optional: a move requested by archive/reject finished.  rc 0:
	 * dest is the file's new absolute path; else problem() has been
	 * called as well.  rel is the file's former relative path. */
	void (*moved)(void *ud, const char *rel, const char *dest, int rc);
	/* Optional: something needs an operator (refused symlink, file that
	 * cannot be moved, disk full, inbox gone).  Each problem with a given
	 * file is reported once.  NULL: logged with lw_log. */
	void (*problem)(void *ud, const struct lw_drop_problem *p);
	void *ud;
};

/* Counters for `litwatch status` (set_queue) and tests. */
struct lw_dropbox_stats {
	uint64_t waiting;     /* ready, waiting for a free slot */
	uint64_t settling;    /* seen, not yet complete */
	uint64_t outstanding; /* handed out or being moved */
	uint64_t stuck;       /* could not be moved; left in the inbox */
	uint64_t handed_out;  /* total ready() calls */
	uint64_t archived, rejected, released;
	uint64_t scans;       /* completed tree scans */
	int polling;          /* 1: polling mode, 0: inotify */
};

/* Open a dropbox on loop and start the initial scan (files present at
 * start-up, or dropped while the daemon was down, are found by it).  conf
 * and its strings are copied.  Returns 0 and *out, or a negative LW_E*
 * code with err filled (inbox missing, archive inside the inbox, ...); on
 * failure no callback is ever called. */
int lw_dropbox_open(uv_loop_t *loop, const struct lw_dropbox_conf *conf,
		    struct lw_dropbox **out, struct lw_err *err);

/* Stop watching, cancel queued scans, wait for work already running on the
 * thread pool (moves finish; their moved() callbacks are not called), close
 * every handle, then call cb(ud) on the loop thread and free db.  Files
 * still outstanding are released (left in the inbox): the consumer must
 * not use their lw_drop_file after this call.  cb may be NULL. */
void lw_dropbox_close(struct lw_dropbox *db, void (*cb)(void *ud), void *ud);

/* Move f to archive/<yyyy-mm-dd>/<rel> (local date, now); when report is
 * not NULL, also write it beside the file as "<name>.error.txt" (UTF-8 with
 * BOM, CRLF; for partly accepted files).  An existing target gets a " (2)",
 * " (3)"... suffix before its extension; nothing is ever overwritten.
 * Asynchronous: returns 0 at once (report copied); moved() tells the end.
 * f is invalid after the call.  If the file changed since it was handed out
 * it is not moved and will be handed out again.  A file that cannot be
 * moved (permissions, read-only file system...) stays in the inbox, is
 * reported once and not handed out again until it changes; disk full is
 * reported and retried after retry_ms. */
int lw_dropbox_archive(const struct lw_drop_file *f, const char *report);

/* Move f to rejected/<rel> and write report beside it as
 * "<name>.error.txt" (report required: what the clerk must fix).  Same
 * rules as lw_dropbox_archive. */
int lw_dropbox_reject(const struct lw_drop_file *f, const char *report);

/* Give the file a receipt (copied): once it is archived or rejected, the
 * text is written to inbox/<agency>/<receipts>/<name>.回执.txt (BOM, CRLF;
 * never over an existing name, never through a link), where a clerk who
 * sees only the inbox reads it.  Call before archive/reject; no-op when
 * the dropbox has no receipts folder.  LW_ENOMEM. */
int lw_dropbox_receipt(const struct lw_drop_file *f, const char *text);

/* A notice about this file for the clerk of another agency folder (the
 * two disagree on a case's defendant): written with the move, as receipts
 * are, as inbox/<agency>/<receipts>/<name>.通知.txt.  agency must be a
 * folder name directly under the inbox (no '/', not starting with '.'),
 * else the call does nothing.  Notices for one agency are joined.  No-op
 * without a receipts folder.  LW_ENOMEM. */
int lw_dropbox_notice(const struct lw_drop_file *f, const char *agency, const char *text);

/* Leave f where it is and forget it: it is handed out again after the
 * next scan finds it complete (next poll, safety rescan, or a new write
 * event).  f is invalid after the call. */
void lw_dropbox_release(const struct lw_drop_file *f);

/* Leave f where it is and hand it out again after retry_ms even if nothing
 * changes (its import failed for a reason that is not the file's: disk
 * full, warehouse unavailable).  Without this a released file waits for
 * the next safety rescan (minutes).  f is invalid after the call. */
void lw_dropbox_defer(const struct lw_drop_file *f);

/* Rescan the whole tree now (as after an inotify queue overflow): new
 * files are found, vanished watches re-added.  Returns at once. */
void lw_dropbox_rescan(struct lw_dropbox *db);

/* Fill *st with the current counters. */
void lw_dropbox_get_stats(const struct lw_dropbox *db, struct lw_dropbox_stats *st);

/* 1 when name (one path component) is ignored in an inbox: dotfiles,
 * "~$*", "*.tmp", "*.part", "*.crdownload", "*.error.txt". */
int lw_drop_name_ignored(const char *name);

/* Stream the file at path through SHA-256 and write 64 lowercase hex
 * digits and a NUL to out_hex.  The file is opened with O_NOFOLLOW (a
 * symlink fails).  Blocking: call it off the loop (uv_queue_work).
 * Returns 0, or LW_ENOENT / LW_EIO / LW_EPERM with err filled. */
int lw_file_sha256(const char *path, char out_hex[65], int64_t *bytes, struct lw_err *err);

/* As lw_file_sha256 over an open file, read with pread from offset 0 (the
 * descriptor's offset is left alone); name is for messages.  The way to
 * hash the very bytes that are then read through the same descriptor. */
int lw_file_sha256_fd(int fd, const char *name, char out_hex[65], int64_t *bytes,
		      struct lw_err *err);

/* The same hash a piece at a time, for a caller that hashes when it has
 * nothing else to do (ingest: pipe.c's idle work).  One thread at a time. */
struct lw_filehash;
int lw_filehash_new(int fd, const char *name, struct lw_filehash **out, struct lw_err *err);
/* Hash up to max more bytes: 1 once the end of the file is read, 0 when
 * there is more, or LW_EIO. */
int lw_filehash_step(struct lw_filehash *h, size_t max, struct lw_err *err);
/* Hash the rest and give the digest (as lw_file_sha256_fd). */
int lw_filehash_end(struct lw_filehash *h, char out_hex[65], int64_t *bytes, struct lw_err *err);
void lw_filehash_free(struct lw_filehash *h);

#endif
