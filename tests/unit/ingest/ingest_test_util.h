/*
 * ingest_test_util.h — helpers shared by the ingest tests that look into a
 * real warehouse.  Header-only, static: each test binary gets its own copy.
 * Include after <cmocka.h>.
 */
#ifndef LW_INGEST_TEST_UTIL_H
#define LW_INGEST_TEST_UTIL_H

#include <sqlite3.h>
#include <stdint.h>

#include "warehouse/warehouse.h"

/* The first column of sql's first row as an integer; -1 when no row. */
static inline int64_t one(struct lw_wh *wh, const char *sql)
{
	sqlite3_stmt *s;
	int64_t v = -1;

	assert_int_equal(sqlite3_prepare_v2(lw_wh_db(wh), sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

#endif
