/*
 * walwatch.h — keeps the warehouse's write-ahead log from growing without
 * bound.  SQLite checkpoints the WAL by itself, but never past the oldest
 * snapshot a reader still holds: a `sqlite3` shell left inside a
 * transaction lets the WAL grow for as long as it stays (124 MB seen).
 * After each import the daemon asks this module to look at the WAL's size;
 * past the limit it tries a TRUNCATE checkpoint off the loop, warns once
 * when a reader keeps it from completing, retries every few seconds, and
 * says so when it succeeds.  Nothing runs while the WAL is small, so an idle
 * daemon costs nothing.  Loop thread only.
 */
#ifndef LW_WALWATCH_H
#define LW_WALWATCH_H

#include <stdint.h>
#include <uv.h>

struct lw_walwatch;

/* db_path is copied.  limit: bytes (wal_warn_size).  NULL on out of memory. */
struct lw_walwatch *lw_walwatch_new(uv_loop_t *loop, const char *db_path, uint64_t limit);

/* A reload may change the limit; it applies from the next look. */
void lw_walwatch_set_limit(struct lw_walwatch *w, uint64_t limit);

/* Look at the WAL's size now (after an import); cheap: one stat(2). */
void lw_walwatch_check(struct lw_walwatch *w);

/* Stop and free (after a checkpoint in flight, if any).  NULL is accepted. */
void lw_walwatch_close(struct lw_walwatch *w);

#endif
