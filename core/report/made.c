/*
 * made.c — the warehouse rows of scheduled bulletins (schedule.h): one
 * `bulletins` row per bulletin made (name, period: unique), one
 * `bulletin_sends` row per sink it goes to, pending until sent.  Like an
 * alert, a bulletin is a row first and a message after.
 */
#include <stdlib.h>
#include <string.h>

#include "report/schedule.h"

static const char sql_made[] = "SELECT 1 FROM bulletins WHERE name = :name AND period = :period";
static const char sql_insert[] =
	"INSERT INTO bulletins (name, period, files, data_sha256, title, summary) "
	"VALUES (:name, :period, :files, :sha, :title, :summary)";
static const char sql_insert_send[] =
	"INSERT INTO bulletin_sends (bulletin_id, sink) VALUES (:id, :sink)";
/* When a failed send may be tried again: last attempt + initial * 2^(n-1),
 * at most max (the alert notifications' back-off, alerts.retry), in whole
 * seconds: lw_bulletin_retry_delay_s computes the same. */
#define NEXT_TRY_SQL                                                                               \
	"(unixepoch(s.last_attempt_at) + min(:initial * (1 << min(s.attempts - 1, 30)), :maxs))"
static const char sql_pending[] =
	"SELECT b.id, b.name, b.period, b.files, s.sink, s.attempts, b.title, b.summary\n"
	"FROM bulletin_sends s JOIN bulletins b ON b.id = s.bulletin_id\n"
	"WHERE s.status = 'pending' AND s.attempts < :max\n"
	"  AND (s.attempts = 0 OR s.last_attempt_at IS NULL OR " NEXT_TRY_SQL " <= :now)\n"
	"ORDER BY b.id, s.sink";
static const char sql_send_done[] =
	"UPDATE bulletin_sends SET attempts = attempts + 1,\n"
	" status = CASE WHEN :rc = 0 THEN 'sent' ELSE 'pending' END,\n"
	" detail = :detail, last_attempt_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')\n"
	"WHERE bulletin_id = :id AND sink = :sink";

int lw_bulletin_made(struct lw_wh *wh, const char *name, const char *period, struct lw_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = lw_wh_stmt(wh, sql_made, &st, e)) || (rc = lw_wh_bind_text(st, ":name", name, e)) ||
	    (rc = lw_wh_bind_text(st, ":period", period, e)))
		return rc;
	rc = lw_wh_step(wh, st, e);
	sqlite3_reset(st);
	return rc;
}

int lw_bulletin_record(struct lw_wh *wh, const char *name, const char *period, json_t *files,
		       const char *sha, const char *title, const char *summary,
		       const char *const *sinks, size_t nsinks, int64_t *id, struct lw_err *e)
{
	char *ftext = json_dumps(files, JSON_COMPACT);
	sqlite3_stmt *st;
	int rc;

	if (!ftext)
		return lw_err_set(e, LW_ENOMEM, "bulletin: out of memory");
	if ((rc = lw_wh_begin_immediate(wh, e)) != 0)
		goto out;
	if ((rc = lw_bulletin_made(wh, name, period, e)) != 0) {
		if (rc == 1)
			rc = lw_err_set(e, LW_EEXIST, "bulletin %s %s was made already", name, period);
		goto fail;
	}
	if ((rc = lw_wh_stmt(wh, sql_insert, &st, e)) || (rc = lw_wh_bind_text(st, ":name", name, e)) ||
	    (rc = lw_wh_bind_text(st, ":period", period, e)) ||
	    (rc = lw_wh_bind_text(st, ":files", ftext, e)) || (rc = lw_wh_bind_text(st, ":sha", sha, e)) ||
	    (rc = lw_wh_bind_text(st, ":title", title, e)) ||
	    (rc = lw_wh_bind_text(st, ":summary", summary, e)))
		goto fail;
	rc = lw_wh_step(wh, st, e);
	sqlite3_reset(st);
	if (rc < 0)
		goto fail;
	*id = sqlite3_last_insert_rowid(sqlite3_db_handle(st));
	for (size_t i = 0; i < nsinks; i++) {
		if ((rc = lw_wh_stmt(wh, sql_insert_send, &st, e)) ||
		    (rc = lw_wh_bind_int64(st, ":id", *id, e)) ||
		    (rc = lw_wh_bind_text(st, ":sink", sinks[i], e)))
			goto fail;
		rc = lw_wh_step(wh, st, e);
		sqlite3_reset(st);
		if (rc < 0)
			goto fail;
	}
	rc = lw_wh_commit(wh, e);
	goto out;
fail:
	lw_wh_rollback(wh);
out:
	free(ftext);
	return rc < 0 ? rc : 0;
}

void lw_bulletin_sends_free(struct lw_bulletin_send *s, size_t n)
{
	for (size_t i = 0; s && i < n; i++) {
		free(s[i].name);
		free(s[i].period);
		free(s[i].sink);
		free(s[i].title);
		free(s[i].summary);
		json_decref(s[i].files);
	}
	free(s);
}

static int bind_retry(sqlite3_stmt *st, const struct lw_send_retry *r, int64_t now,
		      struct lw_err *e)
{
	int64_t initial = (r->initial_ms + 999) / 1000, maxs = (r->max_ms + 999) / 1000;
	int rc;

	if ((rc = lw_wh_bind_int64(st, ":max", r->max_attempts, e)) ||
	    (rc = lw_wh_bind_int64(st, ":initial", initial < 1 ? 1 : initial, e)) ||
	    (rc = lw_wh_bind_int64(st, ":maxs", maxs < 1 ? 1 : maxs, e)) ||
	    (rc = lw_wh_bind_int64(st, ":now", now, e)))
		return rc;
	return 0;
}

int64_t lw_bulletin_retry_delay_s(const struct lw_send_retry *r, int64_t attempts)
{
	int64_t initial = (r->initial_ms + 999) / 1000, maxs = (r->max_ms + 999) / 1000, d;

	initial = initial < 1 ? 1 : initial;
	maxs = maxs < 1 ? 1 : maxs;
	d = initial << (attempts < 1 ? 0 : attempts - 1 > 30 ? 30 : attempts - 1);
	return d < maxs ? d : maxs;
}

int lw_bulletin_sends_pending(struct lw_wh *wh, const struct lw_send_retry *r, int64_t now,
			      struct lw_bulletin_send **out, size_t *n, struct lw_err *e)
{
	struct lw_bulletin_send *v = NULL;
	size_t cap = 0, k = 0;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = lw_wh_stmt(wh, sql_pending, &st, e)) || (rc = bind_retry(st, r, now, e)))
		return rc;
	while ((rc = lw_wh_step(wh, st, e)) == 1) {
		if (k == cap) {
			size_t nc = cap ? cap * 2 : 8;
			struct lw_bulletin_send *nv = realloc(v, nc * sizeof *nv);
			if (!nv) {
				rc = lw_err_set(e, LW_ENOMEM, "bulletin sends: out of memory");
				break;
			}
			v = nv;
			cap = nc;
		}
		memset(&v[k], 0, sizeof v[k]);
		v[k].bulletin_id = sqlite3_column_int64(st, 0);
		v[k].name = strdup((const char *)sqlite3_column_text(st, 1));
		v[k].period = strdup((const char *)sqlite3_column_text(st, 2));
		v[k].files = json_loads((const char *)sqlite3_column_text(st, 3), 0, NULL);
		v[k].sink = strdup((const char *)sqlite3_column_text(st, 4));
		v[k].attempts = sqlite3_column_int64(st, 5);
		v[k].title = strdup((const char *)sqlite3_column_text(st, 6));
		v[k].summary = strdup((const char *)sqlite3_column_text(st, 7));
		k++;
		if (!v[k - 1].name || !v[k - 1].period || !v[k - 1].sink || !v[k - 1].title ||
		    !v[k - 1].summary) {
			rc = lw_err_set(e, LW_ENOMEM, "bulletin sends: out of memory");
			break;
		}
	}
	sqlite3_reset(st);
	if (rc < 0) {
		lw_bulletin_sends_free(v, k);
		return rc;
	}
	*out = v;
	*n = k;
	return 0;
}

int lw_bulletin_send_record(struct lw_wh *wh, int64_t bulletin_id, const char *sink, int rc_send,
			    const char *detail, struct lw_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = lw_wh_stmt(wh, sql_send_done, &st, e)) ||
	    (rc = lw_wh_bind_int64(st, ":rc", rc_send, e)) ||
	    (rc = lw_wh_bind_text(st, ":detail", detail ? detail : "", e)) ||
	    (rc = lw_wh_bind_int64(st, ":id", bulletin_id, e)) ||
	    (rc = lw_wh_bind_text(st, ":sink", sink, e)))
		return rc;
	rc = lw_wh_step(wh, st, e);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}
