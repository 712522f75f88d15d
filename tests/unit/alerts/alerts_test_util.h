/*
 * alerts_test_util.h — a fresh warehouse per test and INSERT helpers for
 * cases, defendants and tickets; header-only, each test binary its own copy.
 */
#ifndef LW_ALERTS_TEST_UTIL_H
#define LW_ALERTS_TEST_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/alerts.h"
#include "../warehouse/wh_test_util.h"

struct fx {
	char dir[256];
	char path[512];
	struct lw_wh *wh;
	struct lw_alerts_conf *conf;
};

static inline void fx_open(struct fx *f)
{
	struct lw_err e = {0};
	int rc = lw_wh_open(f->path, LW_WH_WRITER | LW_WH_CREATE, &f->wh, &e);
	if (rc)
		fail_msg("open %s: %s", f->path, e.msg);
}

static inline int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	wh_tmpdir(f->dir);
	snprintf(f->path, sizeof f->path, "%s/w.db", f->dir);
	fx_open(f);
	*state = f;
	return 0;
}

static inline int fx_teardown(void **state)
{
	struct fx *f = *state;
	lw_wh_close(f->wh);
	lw_alerts_conf_free(f->conf);
	wh_rmdir(f->dir, "w.db");
	free(f);
	return 0;
}

static inline void sql(struct fx *f, const char *fmt, ...)
{
	char buf[2048], *err = NULL;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (sqlite3_exec(lw_wh_db(f->wh), buf, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("SQL failed: %s\n%s", err, buf);
}

static inline long long sql_int(struct fx *f, const char *q)
{
	sqlite3_stmt *st;
	long long v = -1;
	assert_int_equal(sqlite3_prepare_v2(lw_wh_db(f->wh), q, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static inline void sql_text(struct fx *f, const char *q, char *out, size_t len)
{
	sqlite3_stmt *st;
	out[0] = '\0';
	assert_int_equal(sqlite3_prepare_v2(lw_wh_db(f->wh), q, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, len, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

/* n cases filed on `filed` against agency (and co-defendant co, or NULL),
 * concluded on `concluded` (or NULL) with `outcome`. */
static inline void add_cases(struct fx *f, int n, const char *agency, const char *co,
			     const char *filed, const char *concluded, const char *outcome)
{
	static int seq = 0;
	sql(f, "INSERT OR IGNORE INTO agencies(name) VALUES ('%s')", agency);
	if (co)
		sql(f, "INSERT OR IGNORE INTO agencies(name) VALUES ('%s')", co);
	for (int i = 0; i < n; i++) {
		seq++;
		sql(f, "INSERT INTO cases(case_no, case_no_raw, filed_date, concluded_date, outcome, "
		       "source, domain, act_type) VALUES ('(2024)T%d', 'x', '%s', %s%s%s, '%s', 't', "
		       "'自然资源', '行政处罚')",
		    seq, filed, concluded ? "'" : "", concluded ? concluded : "NULL",
		    concluded ? "'" : "", outcome ? outcome : "pending");
		sql(f, "INSERT INTO case_defendants(case_no, agency_id, role, source) SELECT "
		       "'(2024)T%d', id, 'principal', 't' FROM agencies WHERE name = '%s'", seq, agency);
		if (co)
			sql(f, "INSERT INTO case_defendants(case_no, agency_id, role, source) SELECT "
			       "'(2024)T%d', id, 'co-defendant', 't' FROM agencies WHERE name = '%s'",
			    seq, co);
	}
}

static inline void conf_load(struct fx *f, const char *detect, const char *alerts)
{
	struct lw_diag d = {0};
	json_t *dj = detect ? json_loads(detect, 0, NULL) : NULL;
	json_t *aj = alerts ? json_loads(alerts, 0, NULL) : NULL;
	int rc;
	assert_true(!detect || dj);
	assert_true(!alerts || aj);
	lw_alerts_conf_free(f->conf);
	f->conf = NULL;
	rc = lw_alerts_conf_parse(dj, aj, f->dir, &f->conf, &d);
	if (rc)
		fail_msg("config: %s", d.n ? d.msg[0] : "?");
	lw_diag_free(&d);
	json_decref(dj);
	json_decref(aj);
}

static inline int64_t at(const char *s)
{
	int64_t t = 0;
	assert_int_equal(lw_utc_parse(s, &t), 0);
	return t;
}

static inline void eval(struct fx *f, const char *now, struct lw_eval_stats *st)
{
	struct lw_err e = {0};
	if (lw_alerts_evaluate(f->wh, f->conf, at(now), st, &e) != 0)
		fail_msg("evaluate at %s: %s", now, e.msg);
}

#endif
