/*
 * host_inbox.c — a source's drop folder: ready file -> import -> archive or
 * reject (see host_inbox.h and design.md §4).
 *
 * Outcome of an import and what happens to the file:
 *   ok, duplicate        archive/<date>/<relative path>
 *   partial              archive/..., with <name>.error.txt listing the bad rows
 *   rejected             rejected/<relative path> + <name>.error.txt
 *   failed / cancelled   left in the inbox, taken again on a later scan
 *                        (nothing of it was stored)
 * Only after the import's transaction committed is the file moved, so a
 * crash in between leaves the file in the inbox; at the next start its
 * content hash is found and it is archived without new rows.
 */
#include "daemon/host_inbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "daemon/host_import.h"
#include "daemon/jobs.h"
#include "dropbox/dropbox.h"
#include "read/table.h"

/* A failed import (disk full...) or a move that hit a full disk is tried
 * again after this long: short enough that files land soon after space is
 * freed, long enough that a full disk does not keep a core busy. */
#define INBOX_RETRY_MS 10000

/* A file whose import failed and was logged: the same failure of the same
 * unchanged file is not logged again at every retry (an unreadable file
 * would fill the journal every 10 s), only when the file or the reason
 * changes. */
struct quiet {
	char *rel, *msg;
	uint64_t size, ino;
	int64_t mtime;
	long mtime_nsec;
	struct quiet *next;
};

#define QUIET_MAX 1024 /* files remembered; beyond, the oldest is forgotten */

struct lw_inbox {
	struct lw_source *src;
	struct quiet *quiet;
	unsigned nquiet;
	struct lw_dropbox *db;
	char *profile, *agency;
	int agency_from_folder;
	unsigned pending;  /* imports queued or running */
	int closing, db_closed;
	void (*done)(void *ud);
	void *done_ud;
};

struct item {
	struct lw_inbox *ib;
	const struct lw_drop_file *f; /* valid while not closing */
};

/* Keep msg as the source's last error for `litwatch status`. */
static void note_error(struct lw_source *src, const char *msg)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	free(src->last_error);
	src->last_error = strdup(msg);
	src->last_error_at = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	src->counters[LW_CTR_ERRORS]++;
}

static void refresh_queue(struct lw_inbox *ib)
{
	struct lw_dropbox_stats st;

	if (!ib->db || ib->closing)
		return;
	lw_dropbox_get_stats(ib->db, &st);
	/* Files still in the inbox: settling, ready, and handed out (queued
	 * for import or importing) — a clerk's file waits in all of them. */
	ib->src->queue = st.waiting + st.settling + st.outstanding;
	if (ib->src->st == LW_STATE_IDLE || ib->src->st == LW_STATE_BUSY)
		ib->src->st = ib->pending ? LW_STATE_BUSY : LW_STATE_IDLE;
}

static void quiet_free(struct quiet *q)
{
	free(q->rel);
	free(q->msg);
	free(q);
}

/* Forget rel's failure (it imported, or it is gone). */
static void quiet_forget(struct lw_inbox *ib, const char *rel)
{
	for (struct quiet **pp = &ib->quiet; *pp; pp = &(*pp)->next)
		if (!strcmp((*pp)->rel, rel)) {
			struct quiet *q = *pp;
			*pp = q->next;
			quiet_free(q);
			ib->nquiet--;
			return;
		}
}

/* 1 when this failure of this file, unchanged, was logged already;
 * otherwise remember it and return 0. */
static int quiet_seen(struct lw_inbox *ib, const struct lw_drop_file *f, const char *msg)
{
	struct quiet *q;

	for (q = ib->quiet; q; q = q->next)
		if (!strcmp(q->rel, f->rel))
			break;
	if (q && !strcmp(q->msg, msg) && q->size == f->size && q->ino == f->ino &&
	    q->mtime == f->mtime && q->mtime_nsec == f->mtime_nsec)
		return 1;
	quiet_forget(ib, f->rel);
	if (ib->nquiet >= QUIET_MAX) { /* drop the oldest (the list's tail) */
		struct quiet **pp = &ib->quiet;
		while ((*pp)->next)
			pp = &(*pp)->next;
		quiet_free(*pp);
		*pp = NULL;
		ib->nquiet--;
	}
	if (!(q = calloc(1, sizeof *q)) || !(q->rel = strdup(f->rel)) || !(q->msg = strdup(msg))) {
		if (q)
			quiet_free(q);
		return 0;
	}
	q->size = f->size;
	q->ino = f->ino;
	q->mtime = f->mtime;
	q->mtime_nsec = f->mtime_nsec;
	q->next = ib->quiet;
	ib->quiet = q;
	ib->nquiet++;
	return 0;
}

static void maybe_finish(struct lw_inbox *ib)
{
	void (*done)(void *) = ib->done;
	void *ud = ib->done_ud;

	if (!ib->closing || !ib->db_closed || ib->pending)
		return;
	ib->src->inbox = NULL;
	while (ib->quiet) {
		struct quiet *q = ib->quiet;
		ib->quiet = q->next;
		quiet_free(q);
	}
	free(ib->profile);
	free(ib->agency);
	free(ib);
	if (done)
		done(ud);
}

/* The clerks of earlier files this one disagrees with (a case's
 * defendant): a notice in their agency folder's receipts, when their file
 * came through this same drop folder. */
static void tell_peers(struct lw_source *src, const struct lw_drop_file *f,
		       const struct lw_ingest_result *res)
{
	size_t i;
	json_t *n;

	json_array_foreach(res->peer_notices, i, n) {
		const char *origin = json_string_value(json_object_get(n, "origin"));
		const char *slash = origin ? strchr(origin, '/') : NULL;
		char agency[256];
		if (!slash || strcmp(json_string_value(json_object_get(n, "source")), src->name) ||
		    (size_t)(slash - origin) >= sizeof agency)
			continue;
		memcpy(agency, origin, (size_t)(slash - origin));
		agency[slash - origin] = '\0';
		if (!strcmp(agency, f->agency ? f->agency : ""))
			continue; /* the same clerk: the receipt says it already */
		if (lw_dropbox_notice(f, agency, json_string_value(json_object_get(n, "text"))) != 0)
			lw_log(LW_LOG_WARNING, src->name, "%s: out of memory: no notice for %s", f->rel,
			       agency);
	}
}

static void on_import(void *ud, int rc, const struct lw_ingest_result *res)
{
	struct item *it = ud;
	struct lw_inbox *ib = it->ib;
	struct lw_source *src = ib->src;

	ib->pending--;
	if (rc == 0 && strcmp(res->status, "failed") && lw_host_import_committed)
		lw_host_import_committed(lw_host_import_committed_ud);
	if (ib->closing) { /* the dropbox released the file already */
		free(it);
		maybe_finish(ib);
		return;
	}
	if (rc != 0 || !strcmp(res->status, "failed")) {
		/* Not the file's fault (or shutdown): leave it for later. */
		if (rc == LW_ECANCELED) {
			lw_dropbox_release(it->f);
		} else {
			char msg[1024];
			snprintf(msg, sizeof msg,
				 "import %s failed, kept in the inbox, retrying in %d s: %s", it->f->rel,
				 INBOX_RETRY_MS / 1000, res && res->message ? res->message : lw_strerror(rc));
			if (quiet_seen(ib, it->f, msg)) {
				lw_log(LW_LOG_DEBUG, src->name, "%s (again)", msg);
			} else {
				lw_log(LW_LOG_ERR, src->name, "%s", msg);
				note_error(src, msg);
			}
			/* Nothing of it was stored and nothing will tell us
			 * when the cause (disk full, ...) is gone: try again
			 * by the clock. */
			lw_dropbox_defer(it->f);
		}
	} else {
		int rejected = !strcmp(res->status, "rejected");
		int report = rejected || res->rejected > 0;
		quiet_forget(ib, it->f->rel);
		lw_host_import_account(src, it->f->rel, res);
		/* Every file gets a receipt where the clerk looks (the inbox),
		 * whatever became of it. */
		if (res->report && lw_dropbox_receipt(it->f, res->report) != 0)
			lw_log(LW_LOG_WARNING, src->name, "%s: out of memory: no receipt", it->f->rel);
		tell_peers(src, it->f, res);
		if (rejected)
			lw_dropbox_reject(it->f, res->report ? res->report : "rejected\n");
		else
			lw_dropbox_archive(it->f, report ? res->report : NULL);
	}
	free(it);
	refresh_queue(ib);
}

static void on_ready(void *ud, const struct lw_drop_file *f)
{
	struct lw_inbox *ib = ud;
	struct lw_source *src = ib->src;
	struct lw_table_opts topts = {0};
	struct lw_ingest_file req = {0};
	struct item *it;

	if (ib->closing || !src->jobs || !(it = calloc(1, sizeof *it))) {
		lw_dropbox_release(f);
		return;
	}
	it->ib = ib;
	it->f = f;
	req.source = src->name;
	req.profile = ib->profile;
	req.path = f->path;
	req.origin = f->rel;
	req.agency = ib->agency ? ib->agency : ib->agency_from_folder ? f->agency : NULL;
	req.table_opts = &topts;
	if (lw_jobs_import_file(src->jobs, src, &req, on_import, it) != 0) {
		free(it);
		lw_dropbox_release(f);
		return;
	}
	ib->pending++;
	refresh_queue(ib);
}

static void on_problem(void *ud, const struct lw_drop_problem *p)
{
	struct lw_inbox *ib = ud;
	struct lw_source *src = ib->src;

	lw_log(LW_LOG_ERR, src->name, "%s", p->msg);
	note_error(src, p->msg);
}

static void on_moved(void *ud, const char *rel, const char *dest, int rc)
{
	struct lw_inbox *ib = ud;

	if (rc == 0)
		lw_log(LW_LOG_DEBUG, ib->src->name, "%s -> %s", rel, dest);
	refresh_queue(ib);
}

int lw_host_inbox_start(struct lw_source *src, const struct lw_inbox_req *req)
{
	struct lw_dropbox_conf conf = {0};
	struct lw_err err = {0};
	struct lw_inbox *ib;

	if (!req || req->struct_size < offsetof(struct lw_inbox_req, max_outstanding) +
					       sizeof req->max_outstanding ||
	    !req->inbox || !req->archive || !req->rejected || !req->profile) {
		lw_log(LW_LOG_ERR, src->name, "inbox_start: incomplete request (plugin bug)");
		return LW_EINVAL;
	}
	if (src->inbox) {
		lw_log(LW_LOG_ERR, src->name, "inbox_start: the source serves a folder already");
		return LW_EEXIST;
	}
	if (!(ib = calloc(1, sizeof *ib)))
		return LW_ENOMEM;
	ib->src = src;
	ib->profile = strdup(req->profile);
	ib->agency = req->agency ? strdup(req->agency) : NULL;
	ib->agency_from_folder = req->agency_from_folder;
	conf.inbox = req->inbox;
	conf.archive = req->archive;
	conf.rejected = req->rejected;
	conf.who = src->name;
	conf.settle_ms = req->settle_ms;
	conf.poll_ms = req->poll_ms;
	conf.max_outstanding = req->max_outstanding;
	if (req->struct_size >= offsetof(struct lw_inbox_req, receipts) + sizeof req->receipts)
		conf.receipts = req->receipts;
	conf.retry_ms = INBOX_RETRY_MS;
	conf.ready = on_ready;
	conf.moved = on_moved;
	conf.problem = on_problem;
	conf.ud = ib;
	if (!ib->profile || lw_dropbox_open(src->loop, &conf, &ib->db, &err) != 0) {
		lw_log(LW_LOG_ERR, src->name, "%s", ib->profile ? err.msg : "out of memory");
		free(ib->profile);
		free(ib->agency);
		free(ib);
		return err.code ? err.code : LW_ENOMEM;
	}
	src->inbox = ib;
	lw_log(LW_LOG_INFO, src->name, "importing with profile %s", req->profile);
	return 0;
}

void lw_host_inbox_rescan(struct lw_source *src)
{
	if (src->inbox && !src->inbox->closing)
		lw_dropbox_rescan(src->inbox->db);
}

static void on_db_closed(void *ud)
{
	struct lw_inbox *ib = ud;

	ib->db_closed = 1;
	ib->db = NULL;
	maybe_finish(ib);
}

void lw_host_inbox_stop(struct lw_source *src, void (*done)(void *ud), void *ud)
{
	struct lw_inbox *ib = src->inbox;

	if (!ib || ib->closing) {
		if (!ib && done)
			done(ud);
		return;
	}
	ib->closing = 1;
	ib->done = done;
	ib->done_ud = ud;
	/* Queued imports of this source are dropped, a running one rolls
	 * back; their callbacks only count down `pending`. */
	if (src->jobs)
		lw_jobs_cancel_tag(src->jobs, src);
	lw_dropbox_close(ib->db, on_db_closed, ib);
}
