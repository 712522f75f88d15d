/*
 * host_import.c — plugins' imports through the daemon's queue (see
 * host_import.h).
 */
#include "daemon/host_import.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "daemon/jobs.h"
#include "read/table.h"

/* One import in flight for a source.  src becomes NULL when the source
 * stops first; the completion is then counted nowhere and not delivered. */
struct lw_host_import {
	struct lw_source *src;
	char *origin;
	lw_import_done_cb done;
	void (*cursor_done)(void *ud, int rc, const char *cursor);
	void *ud;
	struct lw_host_import *next;
};

void (*lw_host_import_committed)(void *ud);
void *lw_host_import_committed_ud;

static struct lw_host_import *track(struct lw_source *src, const char *origin)
{
	struct lw_host_import *h = calloc(1, sizeof *h);

	if (!h)
		return NULL;
	h->src = src;
	h->origin = origin ? strdup(origin) : NULL;
	h->next = src->imports;
	src->imports = h;
	return h;
}

static void untrack(struct lw_host_import *h)
{
	if (h->src) {
		struct lw_host_import **pp = &h->src->imports;
		while (*pp && *pp != h)
			pp = &(*pp)->next;
		if (*pp)
			*pp = h->next;
		if (h->src->importing)
			h->src->importing--;
	}
	free(h->origin);
	free(h);
}

void lw_host_import_orphan_all(struct lw_source *src)
{
	for (struct lw_host_import *h = src->imports; h; h = h->next)
		h->src = NULL;
	src->imports = NULL;
}

void lw_host_import_account(struct lw_source *src, const char *origin,
			    const struct lw_ingest_result *res)
{
	int rejected = !strcmp(res->status, "rejected"), failed = !strcmp(res->status, "failed");

	if (!failed) {
		src->counters[rejected ? LW_CTR_FILES_REJECTED : LW_CTR_FILES_IMPORTED]++;
		src->counters[LW_CTR_ROWS_IMPORTED] += res->inserted + res->updated + res->unchanged;
		/* a duplicate's rejected rows were counted when first imported */
		if (strcmp(res->status, "duplicate"))
			src->counters[LW_CTR_ROWS_REJECTED] += res->rejected;
	}
	if (rejected || (!failed && res->rejected && strcmp(res->status, "duplicate"))) {
		struct timespec ts;
		char buf[512];
		clock_gettime(CLOCK_REALTIME, &ts);
		snprintf(buf, sizeof buf, "%s: %s, %llu of %llu rows rejected", origin ? origin : "?",
			 res->status, (unsigned long long)res->rejected, (unsigned long long)res->rows);
		free(src->last_reject);
		src->last_reject = strdup(buf);
		src->last_reject_at = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	}
	if (!rejected && !failed) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		src->last_import_at = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	}
	lw_log(failed ? LW_LOG_ERR : rejected ? LW_LOG_WARNING : res->rejected ? LW_LOG_NOTICE
									       : LW_LOG_INFO,
	       src->name, "%s: %s, %llu rows (%llu new, %llu updated, %llu unchanged, %llu rejected)%s%s",
	       origin ? origin : "?", res->status, (unsigned long long)res->rows,
	       (unsigned long long)res->inserted, (unsigned long long)res->updated,
	       (unsigned long long)res->unchanged, (unsigned long long)res->rejected,
	       res->message ? ": " : "", res->message ? res->message : "");
}

static void on_done(void *ud, int rc, const struct lw_ingest_result *res)
{
	struct lw_host_import *h = ud;
	struct lw_source *src = h->src;

	if (rc == 0 && res->status && strcmp(res->status, "failed") && lw_host_import_committed)
		lw_host_import_committed(lw_host_import_committed_ud);
	if (!src) { /* the source stopped meanwhile */
		untrack(h);
		return;
	}
	if (rc == 0) {
		struct lw_import_result out = {res->status, res->import_id, res->rows, res->inserted,
					       res->updated, res->unchanged, res->rejected,
					       res->message, res->report};
		lw_host_import_account(src, h->origin, res);
		if (!strcmp(res->status, "failed")) {
			free(src->last_error);
			src->last_error = res->message ? strdup(res->message) : NULL;
			src->counters[LW_CTR_ERRORS]++;
		}
		if (h->done)
			h->done(h->ud, 0, &out);
	} else if (h->done) {
		struct lw_import_result out = {"failed", 0, 0, 0, 0, 0, 0,
					       rc == LW_ECANCELED ? "cancelled: the daemon is stopping"
								  : lw_strerror(rc),
					       ""};
		h->done(h->ud, rc, &out);
	}
	untrack(h);
}

int lw_host_import_file(struct lw_source *src, const struct lw_import_req *req,
			lw_import_done_cb done, void *ud)
{
	struct lw_table_opts topts = {0};
	struct lw_ingest_file f = {0};
	struct lw_host_import *h;
	int rc;

	if (!src->jobs || !req || req->struct_size < offsetof(struct lw_import_req, encoding) +
						     sizeof req->encoding || !req->path || !req->profile)
		return LW_EINVAL;
	if (!(h = track(src, req->origin ? req->origin : req->path)))
		return LW_ENOMEM;
	h->done = done;
	h->ud = ud;
	topts.sheet_name = req->sheet;
	topts.encoding = req->encoding;
	f.source = src->name;
	f.profile = req->profile;
	f.path = req->path;
	f.origin = req->origin;
	f.agency = req->agency;
	f.table_opts = &topts;
	if ((rc = lw_jobs_import_file(src->jobs, src, &f, on_done, h)) != 0) {
		untrack(h);
		return rc;
	}
	src->importing++;
	return 0;
}

int lw_host_import_records(struct lw_source *src, const struct lw_records_req *req,
			   lw_import_done_cb done, void *ud)
{
	struct lw_host_import *h;
	int rc;

	if (!src->jobs || !req || req->struct_size < offsetof(struct lw_records_req, cursor_state) +
						     sizeof req->cursor_state || !req->profile ||
	    !req->json)
		return LW_EINVAL;
	if (!(h = track(src, req->origin)))
		return LW_ENOMEM;
	h->done = done;
	h->ud = ud;
	if ((rc = lw_jobs_import_json(src->jobs, src, src->name, req->profile, req->origin, req->json,
				      req->json_len, req->items_pointer, req->cursor,
				      req->cursor_state, on_done, h)) != 0) {
		untrack(h);
		return rc;
	}
	src->importing++;
	return 0;
}

static void on_cursor(void *ud, int rc, const char *cursor)
{
	struct lw_host_import *h = ud;

	if (h->src && h->cursor_done)
		h->cursor_done(h->ud, rc, cursor);
	untrack(h);
}

int lw_host_read_cursor(struct lw_source *src,
			void (*done)(void *ud, int rc, const char *cursor), void *ud)
{
	struct lw_host_import *h;
	int rc;

	if (!src->jobs || !done)
		return LW_EINVAL;
	if (!(h = track(src, NULL)))
		return LW_ENOMEM;
	h->cursor_done = done;
	h->ud = ud;
	if ((rc = lw_jobs_cursor(src->jobs, src, src->name, on_cursor, h)) != 0) {
		untrack(h);
		return rc;
	}
	src->importing++;
	return 0;
}
