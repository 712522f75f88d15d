/*
 * silence.c — the operator's small writes: silences (add, expire) and
 * acknowledgements.  Each is one short write transaction on a writer
 * connection opened with a busy timeout, so it waits for the daemon's
 * evaluation instead of failing (docs/alerts.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/alerts_int.h"

static int one_write(struct lw_wh *wh, sqlite3_stmt *st, struct lw_err *e)
{
	int rc = lw_wh_step(wh, st, e);
	return rc < 0 ? rc : 0;
}

int lw_silence_add(struct lw_wh *wh, const struct lw_matcher *m, size_t n, int64_t starts,
		   int64_t ends, const char *by, const char *comment, int64_t *id,
		   struct lw_err *e)
{
	json_t *arr = json_array();
	char *text = NULL, s[24], en[24], now[24];
	sqlite3_stmt *st;
	int rc;

	if (n == 0 || ends <= starts) {
		json_decref(arr);
		return lw_err_set(e, LW_EINVAL, n == 0 ? "a silence needs at least one matcher"
						       : "a silence must end after it starts");
	}
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s, s:s, s:b}", "name", m[i].name, "value",
						     m[i].value, "negate", m[i].negate));
	if (!(text = lw_json_canon(arr))) {
		json_decref(arr);
		return lw_err_set(e, LW_ENOMEM, "out of memory");
	}
	lw_utc_format(starts, s, sizeof s);
	lw_utc_format(ends, en, sizeof en);
	lw_utc_format(starts, now, sizeof now);
	if ((rc = lw_wh_begin_immediate(wh, e)) != 0)
		goto out;
	if ((rc = lw_wh_stmt(wh, lw_alsql_silence_insert, &st, e)) != 0 ||
	    (rc = lw_wh_bind_text(st, ":matchers", text, e)) != 0 ||
	    (rc = lw_wh_bind_text(st, ":starts_at", s, e)) != 0 ||
	    (rc = lw_wh_bind_text(st, ":ends_at", en, e)) != 0 ||
	    (rc = lw_wh_bind_text(st, ":by", by, e)) != 0 ||
	    (rc = lw_wh_bind_text(st, ":now", now, e)) != 0 ||
	    (rc = lw_wh_bind_text(st, ":comment", comment ? comment : "", e)) != 0 ||
	    (rc = one_write(wh, st, e)) != 0) {
		lw_wh_rollback(wh);
		goto out;
	}
	if (id)
		*id = sqlite3_last_insert_rowid(lw_wh_db(wh));
	rc = lw_wh_commit(wh, e);
out:
	free(text);
	json_decref(arr);
	return rc;
}

static int update_one(struct lw_wh *wh, const char *sql, int64_t id, const char *by,
		      int64_t now, const char *what, struct lw_err *e)
{
	char t[24];
	sqlite3_stmt *st;
	int rc;

	lw_utc_format(now, t, sizeof t);
	if ((rc = lw_wh_begin_immediate(wh, e)) != 0)
		return rc;
	if ((rc = lw_wh_stmt(wh, sql, &st, e)) != 0 ||
	    (rc = lw_wh_bind_int64(st, ":id", id, e)) != 0 ||
	    (rc = lw_wh_bind_text(st, ":now", t, e)) != 0 ||
	    (by && (rc = lw_wh_bind_text(st, ":by", by, e)) != 0) ||
	    (rc = one_write(wh, st, e)) != 0)
		goto fail;
	if (sqlite3_changes(lw_wh_db(wh)) == 0) {
		rc = lw_err_set(e, LW_ENOENT, "no %s with id %lld", what, (long long)id);
		goto fail;
	}
	return lw_wh_commit(wh, e);
fail:
	lw_wh_rollback(wh);
	return rc;
}

int lw_silence_expire(struct lw_wh *wh, int64_t id, int64_t now, struct lw_err *e)
{
	return update_one(wh, lw_alsql_silence_expire, id, NULL, now, "active silence", e);
}

int lw_alert_ack(struct lw_wh *wh, int64_t id, const char *by, int64_t now, struct lw_err *e)
{
	return update_one(wh, lw_alsql_alert_ack, id, by, now, "alert", e);
}
