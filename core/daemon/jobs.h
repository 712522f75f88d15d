/*
 * jobs.h — the daemon's import queue: every write to the warehouse runs
 * here, one job at a time, on a libuv worker thread, so that the loop never
 * blocks on a big file and the warehouse has exactly one writer.
 *
 * Jobs are queued on the loop thread; their completion callbacks run on the
 * loop thread.  If a submit call fails, its callback is never called; if it
 * succeeds, the callback is called exactly once (with LW_ECANCELED for jobs
 * dropped at shutdown).
 */
#ifndef LW_JOBS_H
#define LW_JOBS_H

#include <stddef.h>
#include <uv.h>

#include "base/err.h"
#include "ingest/ingest.h"

struct lw_jobs;
struct lw_wh;

/* rc: 0 when *res holds the outcome (see lw_ingest_file), or a negative
 * code (LW_ECANCELED: dropped at shutdown); then only res->message may be
 * set (why it failed, or NULL).  res is valid during the call only. */
typedef void (*lw_job_done)(void *ud, int rc, const struct lw_ingest_result *res);

/* settings are copied (strings and JSON too).  wh stays owned by the
 * caller and must outlive the queue. */
int lw_jobs_new(uv_loop_t *loop, struct lw_wh *wh, const struct lw_ingest_settings *settings,
		struct lw_jobs **out, struct lw_err *e);

/* Call cb(ud) on the loop after every job, once its callback has run
 * (the daemon looks at the WAL's size then).  NULL cb: none. */
void lw_jobs_after_each(struct lw_jobs *j, void (*cb)(void *ud), void *ud);

/* New settings for the jobs that start from now on (reload). */
int lw_jobs_set_settings(struct lw_jobs *j, const struct lw_ingest_settings *settings,
			 struct lw_err *e);

/* In the submit functions below, tag names who queued the job (the source):
 * jobs of different tags take turns, and lw_jobs_cancel_tag finds them. */

/* Queue a file import; f is copied. */
int lw_jobs_import_file(struct lw_jobs *j, const void *tag, const struct lw_ingest_file *f,
			lw_job_done done, void *ud);

/* Queue a page of records; rq is copied (items by reference count). */
int lw_jobs_import_records(struct lw_jobs *j, const void *tag, const struct lw_ingest_records *rq,
			   lw_job_done done, void *ud);

/* Queue a JSON document (copied) whose records are at the RFC 6901 pointer
 * items_pointer ("" = the document); it is parsed on the worker.  Invalid
 * JSON or a pointer that does not lead to an array gives status
 * "rejected" and stores nothing (the cursor does not move). */
int lw_jobs_import_json(struct lw_jobs *j, const void *tag, const char *source, const char *profile,
			const char *origin, const char *json, size_t len, const char *items_pointer,
			const char *cursor, const char *cursor_state, lw_job_done done, void *ud);

/* Resolve an RFC 6901 JSON pointer in doc (borrowed reference or NULL). */
json_t *lw_json_pointer(json_t *doc, const char *pointer);

/* Read a source's cursor through the queue (after every earlier write).
 * cursor is NULL when there is none; valid during the call only. */
int lw_jobs_cursor(struct lw_jobs *j, const void *tag, const char *source,
		   void (*done)(void *ud, int rc, const char *cursor), void *ud);

/* Drop the waiting jobs tagged tag (their callbacks get LW_ECANCELED) and
 * ask the running one, if tagged tag, to roll back. */
void lw_jobs_cancel_tag(struct lw_jobs *j, const void *tag);

/* Drop every waiting job, ask the running one to roll back, and refuse
 * new ones (shutdown).  The queue stays until lw_jobs_close. */
void lw_jobs_cancel(struct lw_jobs *j);

/* Jobs waiting (not counting the running one). */
size_t lw_jobs_waiting(const struct lw_jobs *j);

/* Cancel everything: waiting jobs complete with LW_ECANCELED, the running
 * one is asked to roll back; cb fires when nothing runs any more, then the
 * queue is freed. */
void lw_jobs_close(struct lw_jobs *j, void (*cb)(void *ud), void *ud);

#endif
