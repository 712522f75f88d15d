/*
 * schema.h — the warehouse schema as a list of migrations (see schema.c).
 *
 * Internal to the warehouse module and its tests/fixture generator: other
 * modules open the warehouse through warehouse.h and never run these.
 *
 * Migration i (1-based) takes a file from user_version i-1 to i.  A released
 * migration is never edited: a change is a new entry at the end.  The test
 * "v1_fixture_schema_matches_migration_1" compares the committed v1 fixture
 * with what migration 1 builds today, so an edit to a released step fails CI.
 */
#ifndef LW_SCHEMA_H
#define LW_SCHEMA_H

#include <sqlite3.h>

#include "base/err.h"

/* 'LWWH' — written to PRAGMA application_id so that `file(1)` and our own
 * open can tell a litwatch warehouse from any other SQLite file. */
#define LW_WH_APPLICATION_ID 0x4C575748

struct lw_wh_migration {
	int version;          /* user_version after this step */
	const char *summary;  /* one line for the log and docs */
	const char *sql;      /* statements run inside the step's transaction */
};

/* The migrations, in order; lw_wh_migrations[i].version == i + 1. */
extern const struct lw_wh_migration lw_wh_migrations[];

/* Number of entries in lw_wh_migrations == the newest schema version
 * (lw_wh_schema_latest() in warehouse.h). */
extern const int lw_wh_migration_count;

/* Run migration steps on db from its current user_version up to `to`
 * (1..lw_wh_migration_count), one BEGIN IMMEDIATE transaction per step, which
 * also sets user_version and application_id.  db must not be inside a
 * transaction.  `path` only names the file in messages.  Returns 0, LW_EBUSY
 * when another connection holds the write lock past the busy timeout, or
 * LW_EDB (message names the step and SQLite's reason; the failed step is
 * rolled back whole, earlier steps stay committed). */
int lw_wh_schema_apply(sqlite3 *db, const char *path, int to, struct lw_err *e);

#endif
