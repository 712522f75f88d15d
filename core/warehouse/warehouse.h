/*
 * core/warehouse/: the SQLite file every row lands in: open, migrate,
 * transactions; the tables themselves are in schema.c and docs/warehouse.md.
 *
 * warehouse.h — the SQLite warehouse: opening, schema upgrades, transactions
 * and the prepared-statement cache every other module writes through.
 *
 * One file holds all canonical data (docs/warehouse.md documents every table
 * for analysts).  The daemon owns exactly one writer connection; the CLI and
 * the HTTP status API open their own read-only connections, which may run
 * concurrently with the writer because the file is in WAL mode.
 *
 * Threads: a struct lw_wh is not thread-safe.  Use it from one thread at a
 * time (the daemon confines the writer to the thread that commits imports);
 * statements from lw_wh_stmt belong to the same thread as their lw_wh.
 *
 * SQL ownership: the warehouse module holds the schema (schema.c).  Modules
 * that read or write it (mapper, alerts, cursors of feed plugins via the
 * core) keep their own statements in one place each, as static const char
 * arrays with named parameters, and run them through lw_wh_stmt.  No module
 * builds SQL text from data.
 */
#ifndef LW_WAREHOUSE_H
#define LW_WAREHOUSE_H

#include <sqlite3.h>
#include <stdint.h>

#include "base/err.h"

struct lw_wh;

/* Open flags.  Exactly one of WRITER and READONLY. */
enum lw_wh_flags {
	LW_WH_WRITER = 1 << 0,   /* the daemon's single writer: migrates the file */
	LW_WH_READONLY = 1 << 1, /* CLI/HTTP readers: never writes, never migrates */
	LW_WH_CREATE = 1 << 2,   /* WRITER only: create the file if missing */
	LW_WH_CHECKED = 1 << 3,  /* WRITER: skip PRAGMA quick_check, the caller's
				    first connection to the file just ran it */
};

#define LW_WH_BUSY_TIMEOUT_DEFAULT_MS 5000

/* The writer's page cache when the caller names none (see docs/import.md,
 * "Settings"): the hot index pages of a big import fit, and the process
 * stays well under its 128 MiB budget. */
#define LW_WH_CACHE_DEFAULT_BYTES (24 * 1024 * 1024)

struct lw_wh_options {
	unsigned flags;      /* enum lw_wh_flags */
	int busy_timeout_ms; /* how long to wait for a lock; 0 = the default, 5 s */
};

/* Open the warehouse at `path` (not copied past the call; the lw_wh keeps its
 * own copy) and store a new handle in *out, to be freed with lw_wh_close.
 *
 * Writer: refuses a file it cannot write (file or directory), a damaged one
 * (PRAGMA quick_check, unless LW_WH_CHECKED) and a schema version below 0;
 * remembers the file's device and inode, and lw_wh_begin_immediate fails
 * (LW_EIO, naming the path) once the path names another file or none.
 * WAL mode, synchronous=FULL (see docs/warehouse.md: an import is
 * acknowledged — file archived, cursor advanced — only after commit, so the
 * commit must survive power loss), foreign keys on, then upgrades an older
 * schema to lw_wh_schema_latest(), one transaction per step.  The parent
 * directory is never created.
 * Read-only: opens with SQLITE_OPEN_READONLY and query_only; refuses a file
 * whose schema is not exactly this binary's (older: "run litwatchd once to
 * upgrade").
 *
 * Errors (message names the file and what to do): LW_EINVAL (bad flags, path
 * is a directory), LW_ENOENT (no file and no CREATE, missing directory),
 * LW_EFORMAT (not SQLite, or SQLite of another application), LW_EVERSION
 * (newer schema; or older, read-only), LW_EBUSY (another writer held the lock
 * longer than the busy timeout), LW_EPERM, LW_EIO, LW_EDB. */
int lw_wh_open(const char *path, unsigned flags, struct lw_wh **out, struct lw_err *e);

/* As lw_wh_open with all options; opt must not be NULL. */
int lw_wh_open_opts(const char *path, const struct lw_wh_options *opt, struct lw_wh **out,
		    struct lw_err *e);

/* Finalize cached statements and close.  An open transaction is rolled
 * back.  NULL is a no-op. */
/* The connection's page cache (PRAGMA cache_size): `bytes`, or the default
 * LW_WH_CACHE_DEFAULT_BYTES when 0 (what every connection starts with).
 * The setting warehouse_cache of the configuration. */
int lw_wh_set_cache(struct lw_wh *wh, int64_t bytes, struct lw_err *e);

void lw_wh_close(struct lw_wh *wh);

/* The connection, for sqlite3_* calls the helpers below do not cover.  Owned
 * by wh: do not close it, do not change its pragmas. */
sqlite3 *lw_wh_db(struct lw_wh *wh);

/* The path given to open (owned by wh). */
const char *lw_wh_path(const struct lw_wh *wh);

/* Schema version of the open file (PRAGMA user_version), or a negative
 * LW_EDB.  After a successful open it equals lw_wh_schema_latest(). */
int lw_wh_schema_version(struct lw_wh *wh);

/* Newest schema version this binary knows. */
int lw_wh_schema_latest(void);

/* ---- transactions -------------------------------------------------------
 * One import (a file or a feed page) is one transaction: its rows, imports
 * row, rejects, conflicts and cursor commit together or not at all. */

/* BEGIN IMMEDIATE: take the write lock now, waiting up to the busy timeout.
 * LW_EBUSY when another writer holds it that long; LW_EINVAL when a
 * transaction is already open on wh; LW_EDB (e.g. read-only handle). */
int lw_wh_begin_immediate(struct lw_wh *wh, struct lw_err *e);

/* BEGIN (deferred): a consistent snapshot for a series of reads. */
int lw_wh_begin_read(struct lw_wh *wh, struct lw_err *e);

/* COMMIT.  On failure the transaction is rolled back whole and the error
 * returned (LW_EBUSY, LW_EIO for a full disk or I/O error, LW_EDB), so the
 * caller must not acknowledge the import. */
int lw_wh_commit(struct lw_wh *wh, struct lw_err *e);

/* ROLLBACK if a transaction is open; otherwise nothing.  Never fails in a
 * way the caller could act on. */
void lw_wh_rollback(struct lw_wh *wh);

/* Nonzero while a transaction is open on wh. */
int lw_wh_in_transaction(struct lw_wh *wh);

/* Turn SQLite's per-row foreign-key checks off (on = 0) or back on for the
 * transactions that follow; a writer starts with them on.  Only between
 * transactions (SQLite ignores the pragma inside one): LW_EINVAL there.
 * Whoever turns them off vouches for every reference it writes until it
 * turns them on again (ingest/store.c: a work-order file checks its few
 * distinct references before its commit instead). */
int lw_wh_foreign_keys(struct lw_wh *wh, int on, struct lw_err *e);

/* ---- prepared statements ------------------------------------------------ */

/* A prepared statement for `sql`, from wh's cache (prepared on first use and
 * kept until lw_wh_close).  The statement comes reset with bindings cleared.
 * Owned by wh: never finalize it; call sqlite3_reset (or lw_wh_step to
 * SQLITE_DONE) when done so that it does not hold a read snapshot open.
 * `sql` is copied.  LW_EDB with SQLite's message and the SQL's first line
 * when it does not prepare; LW_ENOMEM. */
int lw_wh_stmt(struct lw_wh *wh, const char *sql, sqlite3_stmt **out, struct lw_err *e);

/* Bind by parameter name (":case_no").  LW_EINVAL when the statement has no
 * such parameter (a programming error worth a clear message), LW_ENOMEM.
 * Text is copied (SQLITE_TRANSIENT); NULL text binds SQL NULL. */
int lw_wh_bind_text(sqlite3_stmt *st, const char *name, const char *val, struct lw_err *e);
int lw_wh_bind_int64(sqlite3_stmt *st, const char *name, int64_t val, struct lw_err *e);
int lw_wh_bind_double(sqlite3_stmt *st, const char *name, double val, struct lw_err *e);
int lw_wh_bind_null(sqlite3_stmt *st, const char *name, struct lw_err *e);

/* sqlite3_step with litwatch codes: 1 = a row is ready, 0 = done (the
 * statement is then reset), negative on error (statement reset): LW_EEXIST
 * for a UNIQUE/PRIMARY KEY violation, LW_EINVAL for another constraint
 * (CHECK, NOT NULL, FOREIGN KEY), LW_EBUSY, LW_EIO, LW_EDB. */
int lw_wh_step(struct lw_wh *wh, sqlite3_stmt *st, struct lw_err *e);

/* ---- maintenance -------------------------------------------------------- */

/* Run PRAGMA integrity_check and PRAGMA foreign_key_check.  *out receives a
 * malloc'd text the caller frees: exactly "ok" when both are clean, else one
 * problem per line.  Returns 0 when the checks ran (whatever they found). */
int lw_wh_integrity_check(struct lw_wh *wh, char **out, struct lw_err *e);

/* Copy the WAL into the main file and truncate it (SQLITE_CHECKPOINT_TRUNCATE).
 * LW_EBUSY when a reader or writer kept it from finishing; retry later. */
int lw_wh_checkpoint(struct lw_wh *wh, struct lw_err *e);

/* Write a consistent, compact copy of the whole warehouse to `dest` (VACUUM
 * INTO), safe while other connections write: it reads one snapshot.  Works
 * on read-only handles.  dest must not exist (LW_EEXIST); its directory must.
 * Must not be called inside a transaction (LW_EINVAL). */
int lw_wh_backup(struct lw_wh *wh, const char *dest, struct lw_err *e);

#endif
