/*
 * warehouse.c — opening the SQLite warehouse, recognising and upgrading it,
 * transactions and the prepared-statement cache (see warehouse.h).
 *
 * The schema itself lives in schema.c; this file holds only the pragmas and
 * probes that every connection runs.
 */
#include "warehouse/warehouse.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "warehouse/schema.h"
#include "warehouse/writeback.h"

struct stmt_slot {
	char *sql;
	sqlite3_stmt *st;
};

struct lw_wh {
	sqlite3 *db;
	char *path;
	unsigned flags;
	dev_t dev; /* the file as opened: a writer refuses to write when the */
	ino_t ino; /* path no longer names it (deleted or replaced) */
	struct stmt_slot *stmts;
	size_t nstmts, capstmts;
};

/* SQL run by this file, in one place.  PRAGMAs take no bound parameters;
 * none of these carries data. */
static const char sql_probe[] =
	"SELECT (SELECT application_id FROM pragma_application_id),"
	"       (SELECT user_version FROM pragma_user_version),"
	"       (SELECT count(*) FROM sqlite_schema)";
/* synchronous=FULL: an import is acknowledged (file archived) right after
 * its commit, so the commit must survive a power cut, which WAL+NORMAL does
 * not promise.  journal_size_limit: after a checkpoint, cut a WAL that a big
 * import grew back to 64 MiB instead of keeping it at its peak. */
static const char sql_writer_pragmas[] =
	"PRAGMA synchronous = FULL;"
	"PRAGMA foreign_keys = ON;"
	"PRAGMA journal_size_limit = 67108864;"
	/* Imports use a savepoint per row: keep statement journals in memory
	 * instead of temporary files (measured: 2x fewer syscalls per row). */
	"PRAGMA temp_store = MEMORY;";
/* The page cache holds the hot index pages of a big import (measured:
 * 16 MiB spilled and re-read a third of the time on 300k tickets; 24 MiB
 * and 64 MiB gave the same CPU and time on the 1st and the 10th file of
 * 300 000 work orders, bench/import).  No mmap_size: reads through a
 * mapping saved no measurable CPU there, and every mapped page counts in
 * the process's RSS (110 MiB instead of 46 MiB on 300 000 rows). */
static const char sql_cache_size[] = "PRAGMA cache_size = -%lld"; /* KiB */
/* At a writer's close: keeps the query planner's statistics fresh, cheap
 * when nothing changed.  PRAGMA optimize analyzes a table whose size changed a lot (the first
 * import into a new warehouse); analysis_limit bounds each index's scan,
 * as SQLite recommends (measured: an unbounded ANALYZE of 300 000 work
 * orders was 0.05 s of that import's 1.6 s). */
static const char sql_optimize[] = "PRAGMA analysis_limit = 1000; PRAGMA optimize";
static const char sql_fk_on[] = "PRAGMA foreign_keys = ON";
static const char sql_fk_off[] = "PRAGMA foreign_keys = OFF";
static const char sql_fk_state[] = "PRAGMA foreign_keys";
static const char sql_wal[] = "PRAGMA journal_mode = WAL";
/* New warehouses get 16 KiB pages: a big import writes every page twice
 * (WAL, then checkpoint), one system call per page, and 16 KiB pages cut
 * both the calls and the b-tree overhead per row (measured: 300k work
 * orders by INSERT ... SELECT 1.33 s with 4 KiB pages, 1.00 s with 16 KiB;
 * a bare `sqlite3 .import` gains less, 0.80 s -> 0.71 s).  SQLite only
 * takes it before the first table; older files keep theirs (VACUUM
 * changes it, see docs/warehouse.md). */
static const char sql_page_size[] = "PRAGMA page_size = 16384";
static const char sql_reader_pragmas[] = "PRAGMA query_only = ON;";
/* VACUUM INTO counts as a write for query_only; a read-only handle lifts it
 * for the backup alone (SQLITE_OPEN_READONLY still guards the file). */
static const char sql_query_only_off[] = "PRAGMA query_only = OFF;";
static const char sql_user_version[] = "PRAGMA user_version";
static const char sql_integrity[] = "PRAGMA integrity_check";
/* At every writer open: reads every page (b-tree structure, record format)
 * but skips the index-vs-table cross-check of integrity_check, so it costs
 * about one sequential read of the file. */
static const char sql_quick_check[] = "PRAGMA quick_check(5)";
static const char sql_fk_check[] = "PRAGMA foreign_key_check";
static const char sql_backup[] = "VACUUM INTO :dest";

/* Process-wide SQLite settings, made once before its first use.  Memory
 * statistics off: with them, every allocation SQLite makes takes a global
 * mutex (measured: 10% of the time of inserting 300k work orders);
 * litwatch never reads them.  Written files start going to the disk as
 * they grow (writeback.c). */
static void sqlite_setup(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	lw_wh_writeback_install();
}

static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;

static int sqlite_to_lw(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK: return 0;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: return LW_EBUSY;
	case SQLITE_NOMEM: return LW_ENOMEM;
	case SQLITE_IOERR:
	case SQLITE_FULL:
	case SQLITE_CANTOPEN: return LW_EIO;
	case SQLITE_PERM:
	case SQLITE_READONLY:
	case SQLITE_AUTH: return LW_EPERM;
	case SQLITE_NOTADB: return LW_EFORMAT;
	case SQLITE_CONSTRAINT:
		if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
			return LW_EEXIST;
		return LW_EINVAL;
	default: return LW_EDB;
	}
}

static int db_err(struct lw_wh *wh, int rc, struct lw_err *e, const char *doing)
{
	int code = sqlite_to_lw(rc);
	if ((rc & 0xff) == SQLITE_BUSY)
		return lw_err_set(e, code,
				  "%s: %s: the database stayed locked by another connection for "
				  "the whole busy timeout; is a second litwatchd writing to it?",
				  wh->path, doing);
	if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB)
		return lw_err_set(e, LW_EFORMAT, "%s: %s: damaged (%s); litwatchd will not write to "
				  "it: stop litwatchd and restore the last backup (docs/operate.md, "
				  "\"Backup and recovery\")", wh->path, doing, sqlite3_errmsg(wh->db));
	if ((rc & 0xff) == SQLITE_FULL)
		return lw_err_set(e, code, "%s: %s: disk full; free space and retry (nothing "
				  "of this transaction was stored)", wh->path, doing);
	return lw_err_set(e, code, "%s: %s: %s", wh->path, doing, sqlite3_errmsg(wh->db));
}

/* A writer needs the file and its directory writable (SQLite creates the
 * -wal and -shm files beside it).  Without this, SQLite opens a read-only
 * file read-only without a word and every import fails later; refuse at
 * start instead.  faccessat(AT_EACCESS) asks with the effective ids, so
 * it also sees what root without CAP_DAC_OVERRIDE may do. */
static int check_writable(const char *path, struct lw_err *e)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int rc = 0;

	if (faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) != 0)
		return lw_err_set(e, LW_EPERM, "%s: the warehouse file is not writable by this user "
				  "(uid %u): %s; fix with: chown litwatch: '%s' && chmod 600 '%s'",
				  path, (unsigned)geteuid(), strerror(errno), path, path);
	dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
	if (!dir)
		return lw_err_set(e, LW_ENOMEM, "%s: out of memory", path);
	if (faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) != 0)
		rc = lw_err_set(e, LW_EPERM, "%s: its directory %s is not writable by this user "
				"(uid %u): %s; SQLite creates the -wal and -shm files there; fix with: "
				"chown litwatch: '%s' (under systemd: StateDirectory= or ReadWritePaths=)",
				path, dir, (unsigned)geteuid(), strerror(errno), dir);
	free(dir);
	return rc;
}

/* Clear messages before SQLite gives its own: the path must be a regular
 * file, or absent with a parent directory that exists. */
static int check_path(const char *path, unsigned flags, int *exists, struct lw_err *e)
{
	struct stat sb;
	const char *slash;
	char *dir;
	int rc = 0;

	*exists = 0;
	if (stat(path, &sb) == 0) {
		if (!S_ISREG(sb.st_mode))
			return lw_err_set(e, LW_EINVAL, "%s: is not a regular file; the "
					  "warehouse setting must name a file", path);
		*exists = 1;
		if (flags & LW_WH_WRITER)
			return check_writable(path, e);
		return 0;
	}
	if (errno == EACCES)
		return lw_err_set(e, LW_EPERM, "%s: permission denied; check the directory "
				  "permissions for the litwatch user", path);
	if (errno != ENOENT)
		return lw_err_set(e, LW_EIO, "%s: %s", path, strerror(errno));
	if (flags & LW_WH_READONLY)
		return lw_err_set(e, LW_ENOENT, "%s: no warehouse here; check the path, or "
				  "run litwatchd once to create it", path);
	if (!(flags & LW_WH_CREATE))
		return lw_err_set(e, LW_ENOENT, "%s: no such file", path);
	slash = strrchr(path, '/');
	if (!slash)
		return 0;
	dir = strndup(path, slash == path ? 1 : (size_t)(slash - path));
	if (!dir)
		return lw_err_set(e, LW_ENOMEM, "%s: out of memory", path);
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
		rc = lw_err_set(e, LW_ENOENT, "%s: directory %s does not exist; create it "
				"(litwatch does not create parent directories)", path, dir);
	free(dir);
	return rc;
}

/* Decide whether the file is ours, fresh, or someone else's, and read its
 * schema version. */
static int identify(struct lw_wh *wh, int *version, struct lw_err *e)
{
	sqlite3_stmt *st = NULL;
	int rc, app = 0, nobj = 0;

	rc = sqlite3_prepare_v2(wh->db, sql_probe, -1, &st, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		app = sqlite3_column_int(st, 0);
		*version = sqlite3_column_int(st, 1);
		nobj = sqlite3_column_int(st, 2);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if ((rc & 0xff) == SQLITE_NOTADB)
		return lw_err_set(e, LW_EFORMAT, "%s: is not an SQLite database (nor a litwatch "
				  "warehouse); check the warehouse path — litwatch will not "
				  "overwrite this file", wh->path);
	if (rc != SQLITE_OK)
		return db_err(wh, rc, e, "cannot read the file header");
	/* user_version is any 32-bit integer another tool may have written;
	 * it indexes the migrations, so anything but 0..latest (and newer,
	 * refused by the caller) never reaches them. */
	if (*version < 0)
		return lw_err_set(e, LW_EVERSION, "%s: schema version %d is not one litwatch ever "
				  "wrote (1..%d); another tool changed PRAGMA user_version. litwatch "
				  "leaves the file as it is: restore the last backup, or set the "
				  "version back if you know it (docs/operate.md, \"Backup and "
				  "recovery\")", wh->path, *version, lw_wh_migration_count);
	if (app == LW_WH_APPLICATION_ID)
		return 0;
	if (app == 0 && *version == 0 && nobj == 0) {
		if (wh->flags & LW_WH_READONLY)
			return lw_err_set(e, LW_EVERSION, "%s: empty database, not yet a "
					  "litwatch warehouse; run litwatchd once to create it",
					  wh->path);
		return 0; /* fresh: the writer initialises it */
	}
	return lw_err_set(e, LW_EFORMAT, "%s: an SQLite database of another application "
			  "(application_id %d, %d schema objects), not a litwatch warehouse; "
			  "check the warehouse path — litwatch will not modify this file",
			  wh->path, app, nobj);
}

/* PRAGMA quick_check: a damaged file is refused before anything writes to
 * it (a writer would build on broken pages and spread the damage). */
static int quick_check(struct lw_wh *wh, struct lw_err *e)
{
	sqlite3_stmt *st = NULL;
	char first[400] = "";
	int rc, bad = 0;

	rc = sqlite3_prepare_v2(wh->db, sql_quick_check, -1, &st, NULL);
	if (rc == SQLITE_OK) {
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			const char *t = (const char *)sqlite3_column_text(st, 0);
			if (t && !strcmp(t, "ok"))
				continue;
			if (!bad++)
				snprintf(first, sizeof first, "%s", t ? t : "?");
		}
		if (rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_CORRUPT && (rc & 0xff) != SQLITE_NOTADB)
		return db_err(wh, rc, e, "quick_check could not run");
	if (rc != SQLITE_OK)
		snprintf(first, sizeof first, "%s", sqlite3_errmsg(wh->db));
	if (rc == SQLITE_OK && !bad)
		return 0;
	return lw_err_set(e, LW_EFORMAT, "%s: damaged (PRAGMA quick_check: %s%s); litwatchd will "
			  "not write to it. Recover: stop litwatchd, move this file (and any -wal, "
			  "-shm beside it) aside, restore the last backup and start again; feed "
			  "pages and archived files since are imported again (docs/operate.md, "
			  "\"Backup and recovery\")", wh->path, first,
			  bad > 1 ? "; and more" : "");
}

int lw_wh_set_cache(struct lw_wh *wh, int64_t bytes, struct lw_err *e)
{
	char sql[64];
	int rc;

	if (bytes < 0)
		return lw_err_set(e, LW_EINVAL, "%s: a negative cache size", wh->path);
	/* An integer of ours, not data: PRAGMA takes no bound parameters. */
	snprintf(sql, sizeof sql, sql_cache_size,
		 (long long)((bytes ? bytes : LW_WH_CACHE_DEFAULT_BYTES) / 1024));
	if ((rc = sqlite3_exec(wh->db, sql, NULL, NULL, NULL)) != SQLITE_OK)
		return db_err(wh, rc, e, "setting the page cache size");
	return 0;
}

static int setup_writer(struct lw_wh *wh, int version, struct lw_err *e)
{
	sqlite3_stmt *st = NULL;
	const char *mode = NULL;
	int rc;

	if (version == 0 && (rc = sqlite3_exec(wh->db, sql_page_size, NULL, NULL, NULL)) != SQLITE_OK)
		return db_err(wh, rc, e, "setting the page size");
	/* WAL lets CLI readers run while the daemon writes.  It needs shared
	 * memory, so it fails on some network filesystems: say so. */
	rc = sqlite3_prepare_v2(wh->db, sql_wal, -1, &st, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		mode = (const char *)sqlite3_column_text(st, 0);
		rc = mode && strcmp(mode, "wal") == 0 ? SQLITE_OK : SQLITE_ERROR;
	}
	if (rc != SQLITE_OK) {
		if ((rc & 0xff) == SQLITE_BUSY)
			rc = db_err(wh, rc, e, "switching to WAL mode");
		else
			rc = lw_err_set(e, LW_EDB, "%s: cannot switch to WAL journal mode (got "
					"'%s'); keep the warehouse on a local filesystem",
					wh->path, mode ? mode : sqlite3_errmsg(wh->db));
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	if ((rc = sqlite3_exec(wh->db, sql_writer_pragmas, NULL, NULL, NULL)) != SQLITE_OK)
		return db_err(wh, rc, e, "setting pragmas");
	if ((rc = lw_wh_set_cache(wh, 0, e)) != 0)
		return rc;
	if (version < lw_wh_migration_count) {
		/* Foreign keys are on, but no v1/v2 step rebuilds a table; a
		 * future one that does must turn them off around itself. */
		rc = lw_wh_schema_apply(wh->db, wh->path, lw_wh_migration_count, e);
		if (rc)
			return rc;
	}
	return 0;
}

int lw_wh_open_opts(const char *path, const struct lw_wh_options *opt, struct lw_wh **out,
		    struct lw_err *e)
{
	struct lw_wh *wh = NULL;
	unsigned role;
	int rc, exists, version = 0, oflags;

	*out = NULL;
	role = opt->flags & (LW_WH_WRITER | LW_WH_READONLY);
	if (!path || !*path || (role != LW_WH_WRITER && role != LW_WH_READONLY) ||
	    ((opt->flags & LW_WH_CREATE) && role != LW_WH_WRITER) || opt->busy_timeout_ms < 0)
		return lw_err_set(e, LW_EINVAL, "warehouse open: invalid path or flags "
				  "(need exactly one of WRITER and READONLY; CREATE only with WRITER)");
	if ((rc = check_path(path, opt->flags, &exists, e)) != 0)
		return rc;
	wh = calloc(1, sizeof *wh);
	if (!wh || !(wh->path = strdup(path))) {
		rc = lw_err_set(e, LW_ENOMEM, "%s: out of memory", path);
		goto fail;
	}
	wh->flags = opt->flags;
	pthread_once(&sqlite_once, sqlite_setup);
	oflags = SQLITE_OPEN_NOMUTEX | (role == LW_WH_WRITER
		? SQLITE_OPEN_READWRITE | (opt->flags & LW_WH_CREATE ? SQLITE_OPEN_CREATE : 0)
		: SQLITE_OPEN_READONLY);
	rc = sqlite3_open_v2(path, &wh->db, oflags, NULL);
	if (rc != SQLITE_OK) {
		rc = wh->db ? db_err(wh, rc, e, "cannot open")
			    : lw_err_set(e, LW_ENOMEM, "%s: out of memory", path);
		goto fail;
	}
	sqlite3_extended_result_codes(wh->db, 1);
	sqlite3_busy_timeout(wh->db, opt->busy_timeout_ms ? opt->busy_timeout_ms
							  : LW_WH_BUSY_TIMEOUT_DEFAULT_MS);
	if ((rc = identify(wh, &version, e)) != 0)
		goto fail;
	if (version > lw_wh_migration_count) {
		rc = lw_err_set(e, LW_EVERSION, "%s: written by a newer litwatch (schema %d, this "
				"binary knows up to %d); upgrade litwatch or restore a backup",
				path, version, lw_wh_migration_count);
		goto fail;
	}
	if (role == LW_WH_WRITER) {
		struct stat sb;
		if (version > 0 && !(opt->flags & LW_WH_CHECKED) && (rc = quick_check(wh, e)) != 0)
			goto fail;
		if (sqlite3_db_readonly(wh->db, "main") == 1) {
			rc = lw_err_set(e, LW_EPERM, "%s: SQLite opened the warehouse read-only; make "
					"the file and its directory writable by the litwatch user",
					path);
			goto fail;
		}
		if ((rc = setup_writer(wh, version, e)) != 0)
			goto fail;
		if (stat(path, &sb) != 0) {
			rc = lw_err_set(e, LW_EIO, "%s: %s", path, strerror(errno));
			goto fail;
		}
		wh->dev = sb.st_dev;
		wh->ino = sb.st_ino;
	} else {
		if (version < lw_wh_migration_count) {
			rc = lw_err_set(e, LW_EVERSION, "%s: schema %d is older than this "
					"litwatch's %d; run litwatchd once to upgrade it "
					"(read-only tools never change the file)",
					path, version, lw_wh_migration_count);
			goto fail;
		}
		if ((rc = sqlite3_exec(wh->db, sql_reader_pragmas, NULL, NULL, NULL)) != SQLITE_OK) {
			rc = db_err(wh, rc, e, "setting pragmas");
			goto fail;
		}
	}
	*out = wh;
	return 0;
fail:
	lw_wh_close(wh);
	return rc;
}

int lw_wh_open(const char *path, unsigned flags, struct lw_wh **out, struct lw_err *e)
{
	struct lw_wh_options o = {.flags = flags, .busy_timeout_ms = 0};
	return lw_wh_open_opts(path, &o, out, e);
}

void lw_wh_close(struct lw_wh *wh)
{
	if (!wh)
		return;
	for (size_t i = 0; i < wh->nstmts; i++) {
		sqlite3_finalize(wh->stmts[i].st);
		free(wh->stmts[i].sql);
	}
	free(wh->stmts);
	if (wh->db) {
		if (!sqlite3_get_autocommit(wh->db))
			sqlite3_exec(wh->db, "ROLLBACK", NULL, NULL, NULL);
		else if (wh->flags & LW_WH_WRITER)
			sqlite3_exec(wh->db, sql_optimize, NULL, NULL, NULL);
		sqlite3_close_v2(wh->db);
	}
	free(wh->path);
	free(wh);
}

sqlite3 *lw_wh_db(struct lw_wh *wh) { return wh->db; }

const char *lw_wh_path(const struct lw_wh *wh) { return wh->path; }

int lw_wh_schema_latest(void) { return lw_wh_migration_count; }

int lw_wh_schema_version(struct lw_wh *wh)
{
	sqlite3_stmt *st = NULL;
	int rc, v = LW_EDB;

	rc = sqlite3_prepare_v2(wh->db, sql_user_version, -1, &st, NULL);
	if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* ---- transactions ------------------------------------------------------- */

static int begin(struct lw_wh *wh, const char *sql, struct lw_err *e)
{
	int rc;

	if (!sqlite3_get_autocommit(wh->db))
		return lw_err_set(e, LW_EINVAL, "%s: a transaction is already open "
				  "(nested transactions are a bug in the caller)", wh->path);
	rc = sqlite3_exec(wh->db, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return db_err(wh, rc, e, "cannot start a transaction");
	return 0;
}

/* The path still names the file this writer opened.  A deleted warehouse
 * stays writable through the open descriptor: every commit would "succeed"
 * into an unlinked inode, files would be archived and their rows lost when
 * the daemon exits.  Checked before every write transaction (one stat). */
static int still_there(struct lw_wh *wh, struct lw_err *e)
{
	struct stat sb;
	int moved = 0, gone;

	if (!(wh->flags & LW_WH_WRITER) || !wh->ino)
		return 0;
	gone = stat(wh->path, &sb) != 0;
	if (!gone && sb.st_dev == wh->dev && sb.st_ino == wh->ino &&
	    (sqlite3_file_control(wh->db, "main", SQLITE_FCNTL_HAS_MOVED, &moved) != SQLITE_OK ||
	     !moved))
		return 0;
	return lw_err_set(e, LW_EIO, "%s was deleted or replaced while litwatchd runs (%s); "
			  "nothing is imported until it is back: stop litwatchd, restore the "
			  "warehouse (docs/operate.md, \"Backup and recovery\") and start it "
			  "again; files stay in the inbox", wh->path,
			  gone ? "no file at that path now" : "another file is there now");
}

int lw_wh_begin_immediate(struct lw_wh *wh, struct lw_err *e)
{
	int rc;

	if ((rc = still_there(wh, e)) != 0)
		return rc;
	return begin(wh, "BEGIN IMMEDIATE", e);
}

int lw_wh_begin_read(struct lw_wh *wh, struct lw_err *e)
{
	return begin(wh, "BEGIN", e);
}

int lw_wh_commit(struct lw_wh *wh, struct lw_err *e)
{
	int rc;

	if (sqlite3_get_autocommit(wh->db))
		return lw_err_set(e, LW_EINVAL, "%s: commit without a transaction", wh->path);
	rc = sqlite3_exec(wh->db, "COMMIT", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		return 0;
	rc = db_err(wh, rc, e, "commit failed, the whole transaction is rolled back");
	/* COMMIT can fail with the transaction still open (SQLITE_BUSY):
	 * finish it so that the caller sees all or nothing. */
	lw_wh_rollback(wh);
	return rc;
}

void lw_wh_rollback(struct lw_wh *wh)
{
	/* Reset cached statements first: a pending read would keep ROLLBACK
	 * from releasing the snapshot. */
	for (size_t i = 0; i < wh->nstmts; i++)
		sqlite3_reset(wh->stmts[i].st);
	if (!sqlite3_get_autocommit(wh->db))
		sqlite3_exec(wh->db, "ROLLBACK", NULL, NULL, NULL);
}

int lw_wh_in_transaction(struct lw_wh *wh) { return !sqlite3_get_autocommit(wh->db); }

int lw_wh_foreign_keys(struct lw_wh *wh, int on, struct lw_err *e)
{
	sqlite3_stmt *st;
	int rc, now = -1;

	if (lw_wh_in_transaction(wh))
		return lw_err_set(e, LW_EINVAL, "%s: foreign keys cannot change inside a transaction",
				  wh->path);
	if ((rc = sqlite3_exec(wh->db, on ? sql_fk_on : sql_fk_off, NULL, NULL, NULL)) != SQLITE_OK)
		return db_err(wh, rc, e, "setting foreign keys");
	/* Read it back: a build without foreign-key support ignores the pragma. */
	if (sqlite3_prepare_v2(wh->db, sql_fk_state, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			now = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	if (now != !!on)
		return lw_err_set(e, LW_EDB, "%s: foreign keys stay %s", wh->path,
				  now == 1 ? "on" : now == 0 ? "off" : "unknown");
	return 0;
}

/* ---- prepared statements ------------------------------------------------ */

int lw_wh_stmt(struct lw_wh *wh, const char *sql, sqlite3_stmt **out, struct lw_err *e)
{
	struct stmt_slot *s;
	sqlite3_stmt *st = NULL;
	int rc;

	*out = NULL;
	for (size_t i = 0; i < wh->nstmts; i++) {
		s = &wh->stmts[i];
		if (s->sql == sql || strcmp(s->sql, sql) == 0) {
			sqlite3_reset(s->st);
			sqlite3_clear_bindings(s->st);
			*out = s->st;
			return 0;
		}
	}
	if (wh->nstmts == wh->capstmts) {
		size_t cap = wh->capstmts ? wh->capstmts * 2 : 16;
		s = realloc(wh->stmts, cap * sizeof *s);
		if (!s)
			return lw_err_set(e, LW_ENOMEM, "%s: out of memory", wh->path);
		wh->stmts = s;
		wh->capstmts = cap;
	}
	rc = sqlite3_prepare_v3(wh->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
	if (rc != SQLITE_OK) {
		size_t n = strcspn(sql, "\n");
		lw_err_set(e, sqlite_to_lw(rc), "%s: cannot prepare \"%.*s\": %s", wh->path,
			   (int)(n > 120 ? 120 : n), sql, sqlite3_errmsg(wh->db));
		sqlite3_finalize(st);
		return e ? e->code : sqlite_to_lw(rc);
	}
	s = &wh->stmts[wh->nstmts];
	if (!(s->sql = strdup(sql))) {
		sqlite3_finalize(st);
		return lw_err_set(e, LW_ENOMEM, "%s: out of memory", wh->path);
	}
	s->st = st;
	wh->nstmts++;
	*out = st;
	return 0;
}

static int param(sqlite3_stmt *st, const char *name, struct lw_err *e)
{
	int i = sqlite3_bind_parameter_index(st, name);
	if (i == 0)
		return lw_err_set(e, LW_EINVAL, "SQL \"%.80s\" has no parameter %s",
				  sqlite3_sql(st), name);
	return i;
}

static int bind_rc(sqlite3_stmt *st, int rc, const char *name, struct lw_err *e)
{
	if (rc == SQLITE_OK)
		return 0;
	return lw_err_set(e, sqlite_to_lw(rc), "binding %s: %s", name, sqlite3_errstr(rc));
}

int lw_wh_bind_text(sqlite3_stmt *st, const char *name, const char *val, struct lw_err *e)
{
	int i = param(st, name, e);
	if (i < 0)
		return i;
	if (!val)
		return bind_rc(st, sqlite3_bind_null(st, i), name, e);
	return bind_rc(st, sqlite3_bind_text(st, i, val, -1, SQLITE_TRANSIENT), name, e);
}

int lw_wh_bind_int64(sqlite3_stmt *st, const char *name, int64_t val, struct lw_err *e)
{
	int i = param(st, name, e);
	return i < 0 ? i : bind_rc(st, sqlite3_bind_int64(st, i, val), name, e);
}

int lw_wh_bind_double(sqlite3_stmt *st, const char *name, double val, struct lw_err *e)
{
	int i = param(st, name, e);
	return i < 0 ? i : bind_rc(st, sqlite3_bind_double(st, i, val), name, e);
}

int lw_wh_bind_null(sqlite3_stmt *st, const char *name, struct lw_err *e)
{
	int i = param(st, name, e);
	return i < 0 ? i : bind_rc(st, sqlite3_bind_null(st, i), name, e);
}

int lw_wh_step(struct lw_wh *wh, sqlite3_stmt *st, struct lw_err *e)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return 0;
	}
	rc = db_err(wh, sqlite3_extended_errcode(wh->db), e, "statement failed");
	sqlite3_reset(st);
	return rc;
}

/* ---- maintenance -------------------------------------------------------- */

/* Append a line to a malloc'd buffer. */
static int append(char **buf, size_t *len, const char *line)
{
	size_t n = strlen(line);
	char *b = realloc(*buf, *len + n + 2);
	if (!b)
		return LW_ENOMEM;
	if (*len)
		b[(*len)++] = '\n';
	memcpy(b + *len, line, n + 1);
	*len += n;
	*buf = b;
	return 0;
}

int lw_wh_integrity_check(struct lw_wh *wh, char **out, struct lw_err *e)
{
	sqlite3_stmt *st = NULL;
	char *buf = NULL, line[512];
	size_t len = 0;
	int rc, ok = 1;

	*out = NULL;
	if ((rc = sqlite3_prepare_v2(wh->db, sql_integrity, -1, &st, NULL)) != SQLITE_OK)
		goto dberr;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		if (t && strcmp(t, "ok") == 0)
			continue;
		ok = 0;
		if (append(&buf, &len, t ? t : "(null)"))
			goto nomem;
	}
	if (rc != SQLITE_DONE)
		goto dberr;
	sqlite3_finalize(st);
	if ((rc = sqlite3_prepare_v2(wh->db, sql_fk_check, -1, &st, NULL)) != SQLITE_OK)
		goto dberr;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ok = 0;
		snprintf(line, sizeof line, "foreign key: %s rowid %lld refers to a missing %s row",
			 (const char *)sqlite3_column_text(st, 0),
			 (long long)sqlite3_column_int64(st, 1),
			 (const char *)sqlite3_column_text(st, 2));
		if (append(&buf, &len, line))
			goto nomem;
	}
	if (rc != SQLITE_DONE)
		goto dberr;
	sqlite3_finalize(st);
	if (ok && append(&buf, &len, "ok"))
		goto nomem;
	*out = buf;
	return 0;
nomem:
	sqlite3_finalize(st);
	free(buf);
	return lw_err_set(e, LW_ENOMEM, "%s: out of memory", wh->path);
dberr:
	rc = db_err(wh, rc, e, "integrity check could not run");
	sqlite3_finalize(st);
	free(buf);
	return rc;
}

int lw_wh_checkpoint(struct lw_wh *wh, struct lw_err *e)
{
	int rc = sqlite3_wal_checkpoint_v2(wh->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	if (rc == SQLITE_OK)
		return 0;
	if ((rc & 0xff) == SQLITE_BUSY)
		return lw_err_set(e, LW_EBUSY, "%s: checkpoint incomplete: a reader or writer "
				  "is still using the WAL; retry later", wh->path);
	return db_err(wh, rc, e, "checkpoint failed");
}

int lw_wh_backup(struct lw_wh *wh, const char *dest, struct lw_err *e)
{
	sqlite3_stmt *st = NULL;
	struct stat sb;
	int rc, code = 0;

	if (!sqlite3_get_autocommit(wh->db))
		return lw_err_set(e, LW_EINVAL, "%s: backup inside a transaction", wh->path);
	if (stat(dest, &sb) == 0)
		return lw_err_set(e, LW_EEXIST, "%s: backup target exists; choose a new name "
				  "(litwatch does not overwrite backups)", dest);
	rc = sqlite3_prepare_v2(wh->db, sql_backup, -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 1, dest, -1, SQLITE_TRANSIENT);
	if (rc == SQLITE_OK && (wh->flags & LW_WH_READONLY))
		rc = sqlite3_exec(wh->db, sql_query_only_off, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc != SQLITE_DONE) {
		code = sqlite_to_lw(rc) ? sqlite_to_lw(rc) : LW_EDB;
		lw_err_set(e, code, "%s: backup to %s failed: %s", wh->path, dest,
			   sqlite3_errmsg(wh->db));
	}
	sqlite3_finalize(st);
	if (wh->flags & LW_WH_READONLY)
		sqlite3_exec(wh->db, sql_reader_pragmas, NULL, NULL, NULL);
	return code;
}
