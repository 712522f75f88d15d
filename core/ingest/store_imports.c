/*
 * store_imports.c — the rows that describe an import rather than its data:
 * the imports row, its rejects, the feed cursors, duplicates (see store.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ingest/agencies.h"
#include "ingest/store_int.h"
#include "warehouse/warehouse.h"

int lw_store_find_duplicate(struct lw_store *st, const char *sha256_hex, int64_t *import_id,
			    struct lw_err *e)
{
	sqlite3_stmt *s;
	int rc;

	*import_id = 0;
	if ((rc = lw_wh_stmt(st->wh, "SELECT id FROM imports WHERE content_hash = :h AND status IN "
			     "('ok', 'partial') ORDER BY id LIMIT 1", &s, e)) != 0 ||
	    (rc = lw_wh_bind_text(s, ":h", sha256_hex, e)) != 0)
		return rc;
	rc = lw_wh_step(st->wh, s, e);
	if (rc == 1) {
		*import_id = sqlite3_column_int64(s, 0);
		rc = 0;
	}
	sqlite3_reset(s);
	return rc;
}

int lw_store_size_seen(struct lw_store *st, int64_t bytes, int *seen, struct lw_err *e)
{
	sqlite3_stmt *s;
	int rc;

	*seen = 1;
	if ((rc = lw_wh_stmt(st->wh, "SELECT 1 FROM imports WHERE bytes = :b AND content_hash IS NOT "
			     "NULL AND status IN ('ok', 'partial') LIMIT 1", &s,
			     e)) != 0 ||
	    (rc = lw_wh_bind_int64(s, ":b", bytes, e)) != 0)
		return rc;
	rc = lw_wh_step(st->wh, s, e);
	sqlite3_reset(s);
	if (rc < 0)
		return rc;
	*seen = rc == 1;
	return 0;
}

int lw_store_import_hash(struct lw_store *st, int64_t id, const char *sha256_hex, int64_t bytes,
			 struct lw_err *e)
{
	sqlite3_stmt *s;
	int rc;

	if ((rc = lw_wh_stmt(st->wh, "UPDATE imports SET content_hash = :h, bytes = :b WHERE id = :id",
			     &s, e)) != 0 ||
	    (rc = lw_wh_bind_text(s, ":h", sha256_hex, e)) != 0 ||
	    (rc = lw_wh_bind_int64(s, ":b", bytes, e)) != 0 ||
	    (rc = lw_wh_bind_int64(s, ":id", id, e)) != 0)
		return rc;
	rc = lw_wh_step(st->wh, s, e);
	return rc < 0 ? rc : 0;
}

int lw_store_import_begin(struct lw_store *st, const char *source, const char *origin,
			  const char *sha256_hex, int64_t bytes, const char *format,
			  const char *profile, int64_t *id, struct lw_err *e)
{
	if (st->res)
		lw_resolver_begin(st->res);
	sqlite3_stmt *s;
	int rc;

	{
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(st->now, sizeof st->now, "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	/* started_at is the time rows of this import carry (cases.first_seen,
	 * cases.updated_at) and stands for it (ticket_provenance). */
	if ((rc = lw_wh_stmt(st->wh, "INSERT INTO imports (source, origin, content_hash, bytes, "
			     "format, profile, started_at) VALUES (:source, :origin, :hash, :bytes, "
			     ":format, :profile, :now)", &s, e)) != 0)
		return rc;
	if ((rc = lw_wh_bind_text(s, ":source", source, e)) ||
	    (rc = lw_wh_bind_text(s, ":now", st->now, e)) ||
	    (rc = lw_wh_bind_text(s, ":origin", origin, e)) ||
	    (rc = sha256_hex ? lw_wh_bind_text(s, ":hash", sha256_hex, e)
			     : lw_wh_bind_null(s, ":hash", e)) ||
	    (rc = bytes >= 0 ? lw_wh_bind_int64(s, ":bytes", bytes, e)
			     : lw_wh_bind_null(s, ":bytes", e)) ||
	    (rc = format ? lw_wh_bind_text(s, ":format", format, e) : lw_wh_bind_null(s, ":format", e)) ||
	    (rc = profile ? lw_wh_bind_text(s, ":profile", profile, e)
			  : lw_wh_bind_null(s, ":profile", e)))
		return rc;
	if ((rc = lw_wh_step(st->wh, s, e)) < 0)
		return rc;
	*id = sqlite3_last_insert_rowid(lw_wh_db(st->wh));
	return 0;
}

int lw_store_import_finish(struct lw_store *st, int64_t id, const char *status,
			   const struct lw_import_counts *c, int64_t duplicate_of,
			   const char *message, struct lw_err *e)
{
	sqlite3_stmt *s;
	int rc;

	if ((rc = lw_wh_stmt(st->wh, "UPDATE imports SET status = :status, finished_at = "
			     "strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), rows_total = :rows, inserted = "
			     ":ins, updated = :upd, unchanged = :unch, rejected = :rej, duplicate_of = "
			     ":dup, message = :msg, unresolved = :unres WHERE id = :id", &s, e)) != 0)
		return rc;
	if ((rc = lw_wh_bind_text(s, ":status", status, e)) ||
	    (rc = lw_wh_bind_int64(s, ":rows", (int64_t)c->rows, e)) ||
	    (rc = lw_wh_bind_int64(s, ":ins", (int64_t)c->inserted, e)) ||
	    (rc = lw_wh_bind_int64(s, ":upd", (int64_t)c->updated, e)) ||
	    (rc = lw_wh_bind_int64(s, ":unch", (int64_t)c->unchanged, e)) ||
	    (rc = lw_wh_bind_int64(s, ":rej", (int64_t)c->rejected, e)) ||
	    (rc = lw_wh_bind_int64(s, ":unres", (int64_t)c->unresolved, e)) ||
	    (rc = duplicate_of ? lw_wh_bind_int64(s, ":dup", duplicate_of, e)
			       : lw_wh_bind_null(s, ":dup", e)) ||
	    (rc = message ? lw_wh_bind_text(s, ":msg", message, e) : lw_wh_bind_null(s, ":msg", e)) ||
	    (rc = lw_wh_bind_int64(s, ":id", id, e)))
		return rc;
	rc = lw_wh_step(st->wh, s, e);
	return rc < 0 ? rc : 0;
}

int lw_store_reject(struct lw_store *st, int64_t import_id, uint32_t row, const char *column,
		    const char *field, const char *reason, const char *raw_json,
		    struct lw_err *e)
{
	sqlite3_stmt *s;
	int rc;

	if ((rc = lw_wh_stmt(st->wh, "INSERT INTO rejects (import_id, source_row, source_column, "
			     "field, reason, raw) VALUES (:imp, :row, :col, :field, :reason, :raw)",
			     &s, e)) != 0)
		return rc;
	if ((rc = lw_wh_bind_int64(s, ":imp", import_id, e)) ||
	    (rc = row ? lw_wh_bind_int64(s, ":row", row, e) : lw_wh_bind_null(s, ":row", e)) ||
	    (rc = column ? lw_wh_bind_text(s, ":col", column, e) : lw_wh_bind_null(s, ":col", e)) ||
	    (rc = field ? lw_wh_bind_text(s, ":field", field, e) : lw_wh_bind_null(s, ":field", e)) ||
	    (rc = lw_wh_bind_text(s, ":reason", reason, e)) ||
	    (rc = raw_json ? lw_wh_bind_text(s, ":raw", raw_json, e) : lw_wh_bind_null(s, ":raw", e)))
		return rc;
	rc = lw_wh_step(st->wh, s, e);
	return rc < 0 ? rc : 0;
}

int lw_store_rejects_of(struct lw_store *st, int64_t import_id, size_t max, json_t *errors,
			uint64_t *nrejected, struct lw_err *e)
{
	sqlite3_stmt *s;
	int rc;

	*nrejected = 0;
	if ((rc = lw_wh_stmt(st->wh, "SELECT rejected FROM imports WHERE id = :imp", &s, e)) != 0 ||
	    (rc = lw_wh_bind_int64(s, ":imp", import_id, e)) != 0)
		return rc;
	if ((rc = lw_wh_step(st->wh, s, e)) == 1)
		*nrejected = (uint64_t)sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc < 0)
		return rc;
	if ((rc = lw_wh_stmt(st->wh, "SELECT source_row, source_column, field, reason, raw FROM "
			     "rejects WHERE import_id = :imp ORDER BY source_row, id LIMIT :max",
			     &s, e)) != 0 ||
	    (rc = lw_wh_bind_int64(s, ":imp", import_id, e)) != 0 ||
	    (rc = lw_wh_bind_int64(s, ":max", (int64_t)max, e)) != 0)
		return rc;
	while ((rc = lw_wh_step(st->wh, s, e)) == 1) {
		const char *col = (const char *)sqlite3_column_text(s, 1);
		const char *field = (const char *)sqlite3_column_text(s, 2);
		const char *reason = (const char *)sqlite3_column_text(s, 3);
		const char *raw = (const char *)sqlite3_column_text(s, 4);
		/* reason is stored as "<Chinese> / <English>" (rows.c) */
		const char *sep = reason ? strstr(reason, " / ") : NULL;
		json_t *o = json_object(), *cells = raw ? json_loads(raw, 0, NULL) : NULL;
		const char *hdr = col ? strchr(col, ' ') : NULL;
		json_t *val = cells && hdr ? json_object_get(cells, hdr + 1) : NULL;

		json_object_set_new(o, "row", json_integer(sqlite3_column_int64(s, 0)));
		json_object_set_new(o, "column", col ? json_string(col) : json_null());
		json_object_set_new(o, "field", field ? json_string(field) : json_null());
		json_object_set_new(o, "reason", json_string(sep ? sep + 3 : reason ? reason : ""));
		json_object_set_new(o, "reason_zh", sep ? json_stringn(reason, (size_t)(sep - reason))
							: json_string(reason ? reason : ""));
		json_object_set(o, "value", json_is_string(val) ? val : json_null());
		json_array_append_new(errors, o);
		json_decref(cells);
	}
	sqlite3_reset(s);
	return rc < 0 ? rc : 0;
}

int lw_store_cursor_set(struct lw_store *st, const char *source, const char *cursor,
			const char *state_json, int64_t import_id, struct lw_err *e)
{
	sqlite3_stmt *s;
	int rc;

	if ((rc = lw_wh_stmt(st->wh, "INSERT INTO cursors (source, cursor, state, import_id) VALUES "
			     "(:source, :cursor, :state, :imp) ON CONFLICT(source) DO UPDATE SET "
			     "cursor = excluded.cursor, state = excluded.state, import_id = "
			     "excluded.import_id, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
			     &s, e)) != 0)
		return rc;
	if ((rc = lw_wh_bind_text(s, ":source", source, e)) ||
	    (rc = lw_wh_bind_text(s, ":cursor", cursor, e)) ||
	    (rc = state_json ? lw_wh_bind_text(s, ":state", state_json, e)
			     : lw_wh_bind_null(s, ":state", e)) ||
	    (rc = import_id ? lw_wh_bind_int64(s, ":imp", import_id, e)
			    : lw_wh_bind_null(s, ":imp", e)))
		return rc;
	rc = lw_wh_step(st->wh, s, e);
	return rc < 0 ? rc : 0;
}

int lw_store_cursor_get(struct lw_store *st, const char *source, char **cursor,
			struct lw_err *e)
{
	sqlite3_stmt *s;
	int rc;

	*cursor = NULL;
	if ((rc = lw_wh_stmt(st->wh, "SELECT cursor FROM cursors WHERE source = :source", &s, e)) ||
	    (rc = lw_wh_bind_text(s, ":source", source, e)))
		return rc;
	rc = lw_wh_step(st->wh, s, e);
	if (rc == 1) {
		*cursor = strdup((const char *)sqlite3_column_text(s, 0));
		rc = *cursor ? 0 : lw_err_set(e, LW_ENOMEM, "out of memory");
	}
	sqlite3_reset(s);
	return rc;
}

/* ---- agencies ---- */
