/*
 * walwatch.c — checkpointing a WAL that readers kept growing (walwatch.h).
 *
 * The checkpoint runs on its own short-lived connection in the libuv
 * thread pool: TRUNCATE copies the whole WAL into the file (seconds for
 * hundreds of MiB), which must not stall the loop, and the writer
 * connection belongs to the import worker.  The connection has no busy
 * handler, so a checkpoint that a reader or the import worker blocks
 * returns SQLITE_BUSY at once and is tried again later.
 */
#include "daemon/walwatch.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/log.h"

#define RETRY_MS 5000

struct lw_walwatch {
	uv_loop_t *loop;
	char *db_path, *wal_path;
	uint64_t limit;
	uv_timer_t timer;
	uv_work_t work;
	int working, waiting, warned, closing, timer_open;
	int rc;          /* of the last checkpoint (worker) */
	char errmsg[256];
	int64_t before;  /* WAL bytes when the checkpoint started */
};

static int64_t wal_size(const struct lw_walwatch *w)
{
	struct stat sb;
	return stat(w->wal_path, &sb) == 0 ? (int64_t)sb.st_size : 0;
}

static void maybe_free(struct lw_walwatch *w)
{
	if (!w->closing || w->working || w->timer_open)
		return;
	free(w->db_path);
	free(w->wal_path);
	free(w);
}

/* Through the PRAGMA rather than sqlite3_wal_checkpoint_v2: a fresh
 * connection has not read the file yet and does not know it is in WAL
 * mode, and older SQLite versions then report success without doing
 * anything.  The PRAGMA's first column is 1 when it could not finish. */
static void checkpoint(uv_work_t *req)
{
	static const char sql[] = "PRAGMA wal_checkpoint(TRUNCATE)";
	struct lw_walwatch *w = req->data;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_open_v2(w->db_path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);

	w->errmsg[0] = '\0';
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			rc = sqlite3_column_int(st, 0) ? SQLITE_BUSY : SQLITE_OK;
	}
	if (rc != SQLITE_OK && db)
		snprintf(w->errmsg, sizeof w->errmsg, "%s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	sqlite3_close_v2(db);
	w->rc = rc;
}

static void start(struct lw_walwatch *w);

static void on_retry(uv_timer_t *t)
{
	struct lw_walwatch *w = t->data;

	w->waiting = 0;
	start(w);
}

static void after_checkpoint(uv_work_t *req, int status)
{
	struct lw_walwatch *w = req->data;
	double mib = (double)w->before / 1048576.0;

	w->working = 0;
	if (w->closing || status == UV_ECANCELED) {
		maybe_free(w);
		return;
	}
	if (w->rc == SQLITE_OK) {
		lw_log(w->warned ? LW_LOG_NOTICE : LW_LOG_INFO, NULL,
		       "checkpointed the WAL of %s: %.1f MiB -> %.1f MiB%s", w->db_path, mib,
		       (double)wal_size(w) / 1048576.0, w->warned ? " now that readers left" : "");
		w->warned = 0;
		return;
	}
	if ((w->rc & 0xff) != SQLITE_BUSY && (w->rc & 0xff) != SQLITE_LOCKED) {
		lw_log(LW_LOG_ERR, NULL, "checkpoint of %s failed: %s; retrying in %d s", w->db_path,
		       w->errmsg[0] ? w->errmsg : sqlite3_errstr(w->rc), RETRY_MS / 1000);
	} else if (!w->warned) {
		lw_log(LW_LOG_WARNING, NULL, "%s is %.1f MiB, over wal_warn_size (%.1f MiB), and "
		       "cannot be checkpointed: a reader holds an old snapshot (a sqlite3 shell or "
		       "a query left inside a transaction?) or an import is writing; litwatchd "
		       "retries every %d s and truncates it once readers leave", w->wal_path, mib,
		       (double)w->limit / 1048576.0, RETRY_MS / 1000);
		w->warned = 1;
	}
	w->waiting = 1;
	uv_timer_start(&w->timer, on_retry, RETRY_MS, 0);
}

static void start(struct lw_walwatch *w)
{
	if (w->working || w->waiting || w->closing)
		return;
	w->before = wal_size(w);
	if ((uint64_t)w->before <= w->limit) {
		if (w->warned)
			lw_log(LW_LOG_NOTICE, NULL, "%s is back under wal_warn_size", w->wal_path);
		w->warned = 0;
		return;
	}
	w->work.data = w;
	if (uv_queue_work(w->loop, &w->work, checkpoint, after_checkpoint) == 0)
		w->working = 1;
}

struct lw_walwatch *lw_walwatch_new(uv_loop_t *loop, const char *db_path, uint64_t limit)
{
	struct lw_walwatch *w = calloc(1, sizeof *w);
	size_t n = strlen(db_path);

	if (!w || !(w->db_path = strdup(db_path)) || !(w->wal_path = malloc(n + 5))) {
		if (w)
			free(w->db_path);
		free(w);
		return NULL;
	}
	memcpy(w->wal_path, db_path, n);
	memcpy(w->wal_path + n, "-wal", 5);
	w->loop = loop;
	w->limit = limit;
	uv_timer_init(loop, &w->timer);
	w->timer.data = w;
	w->timer_open = 1;
	return w;
}

void lw_walwatch_set_limit(struct lw_walwatch *w, uint64_t limit)
{
	if (w)
		w->limit = limit;
}

void lw_walwatch_check(struct lw_walwatch *w)
{
	if (w)
		start(w);
}

static void on_timer_closed(uv_handle_t *h)
{
	struct lw_walwatch *w = h->data;

	w->timer_open = 0;
	maybe_free(w);
}

void lw_walwatch_close(struct lw_walwatch *w)
{
	if (!w)
		return;
	w->closing = 1;
	uv_close((uv_handle_t *)&w->timer, on_timer_closed);
}
