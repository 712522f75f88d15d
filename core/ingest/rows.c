/*
 * rows.c — one row through the pipeline (map, then store or reject), and
 * the end of an import's transaction (see ingest_int.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "deadlines/obligations.h"
#include "domain/pii.h"
#include "ingest/ingest_int.h"
#include "ingest/pipe.h"
#include "read/table.h"
#include "warehouse/warehouse.h"

/* The row as a JSON object {header: value} for `rejects.raw`: only the
 * columns the profile maps, never a personal one (under any alias), never
 * an ignored or unknown one (they may hold anything: 身份证号, a 备注 with a
 * phone number), and with personal numbers in the text masked. */
static char *raw_json(const struct lw_mapping *m, const char *const *cells, size_t ncells)
{
	json_t *o = json_object();
	char *out;

	for (size_t c = 0; c < ncells && c < m->ncols; c++) {
		char *v;
		if (m->role[c] != LW_COL_MAPPED || !cells[c][0])
			continue;
		if (!(v = strdup(cells[c])))
			continue;
		lw_pii_mask_text(v);
		json_object_set_new(o, m->headers[c][0] ? m->headers[c] : "?", json_string(v));
		free(v);
	}
	out = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(o);
	return out;
}

static int reject_row(struct lw_ingest *ing, const struct lw_mapping *m, int64_t import_id,
		      const struct lw_record *r, const char *const *cells, size_t ncells,
		      struct lw_ingest_result *res, struct lw_err *e)
{
	char *raw = raw_json(m, cells, ncells);
	int rc = 0;

	for (size_t i = 0; i < r->nerrors && rc == 0; i++) {
		const struct lw_field_error *fe = &r->errors[i];
		char column[320] = "", letter[8];
		char reason[1200];
		if (fe->col >= 0)
			snprintf(column, sizeof column, "%s %s", lw_col_letter((size_t)fe->col, letter),
				 (size_t)fe->col < m->ncols ? m->headers[fe->col] : "");
		snprintf(reason, sizeof reason, "%s / %s", fe->reason_zh, fe->reason_en);
		rc = lw_store_reject(ing->store, import_id, r->row, column[0] ? column : NULL,
				     lw_field_name(fe->field), reason, raw, e);
		if (json_array_size(res->errors) < ing->max_errors) {
			json_t *o = json_object();
			json_object_set_new(o, "row", json_integer(r->row));
			json_object_set_new(o, "column", column[0] ? json_string(column) : json_null());
			json_object_set_new(o, "field", json_string(lw_field_name(fe->field)));
			json_object_set_new(o, "reason", json_string(fe->reason_en));
			json_object_set_new(o, "reason_zh", json_string(fe->reason_zh));
			json_object_set_new(o, "value", fe->value ? json_string(fe->value) : json_null());
			json_array_append_new(res->errors, o);
		}
	}
	free(raw);
	res->rejected++;
	return rc;
}

int lw_ingest_row(struct lw_ingest *ing, const struct lw_map_ctx *ctx, const struct lw_mapping *m,
		  const char *source, int64_t import_id, uint32_t row, const char *const *cells,
		  size_t ncells, struct lw_ingest_result *res, struct lw_err *e)
{
	int rc;

	if ((rc = lw_record_map(m, ctx, row, cells, ncells, &ing->rec)) != 0)
		return lw_err_set(e, rc, "out of memory mapping row %u", row);
	return lw_ingest_mapped(ing, m, source, import_id, &ing->rec, cells, ncells, res, e);
}

/* A row's warnings to the report; a row the mapper refused to `rejects`.
 * Returns 1 when r goes on to the store, 0 when it was rejected, or an
 * error (< 0). */
static int before_store(struct lw_ingest *ing, const struct lw_mapping *m, int64_t import_id,
			const struct lw_record *r, const char *const *cells, size_t ncells,
			struct lw_ingest_result *res, struct lw_err *e)
{
	int rc;

	res->rows++;
	for (size_t i = 0; i < r->nwarnings; i++)
		if (json_array_size(res->errors) < ing->max_errors) {
			json_t *o = json_object();
			json_object_set_new(o, "row", json_integer(r->row));
			json_object_set_new(o, "warning", json_string(r->warnings[i]));
			json_array_append_new(res->errors, o);
		}
	if (!r->nerrors)
		return 1;
	rc = reject_row(ing, m, import_id, r, cells, ncells, res, e);
	return rc < 0 ? rc : 0;
}

/* What the store made of r (rc and uerr of lw_store_upsert_resolved): the
 * counts, the notices, or a rejected row. */
static int after_store(struct lw_ingest *ing, const struct lw_mapping *m, int64_t import_id,
		       struct lw_record *r, const char *const *cells, size_t ncells, int rc,
		       enum lw_upsert what, const struct lw_err *uerr,
		       struct lw_ingest_result *res, struct lw_err *e)
{
	uint32_t row = r->row;

	if (rc == LW_EINVAL || rc == LW_EEXIST) {
		r->errors = calloc(1, sizeof *r->errors);
		if (!r->errors)
			return lw_err_set(e, LW_ENOMEM, "out of memory");
		r->nerrors = 1;
		r->errors[0].col = -1;
		r->errors[0].field = r->target == LW_TARGET_CASES ? LW_F_CASE_NO : LW_F_TICKET_NO;
		/* The clerk never reads SQL, a constraint or a server path: the
		 * detail goes to the operator's log. */
		lw_log(LW_LOG_WARNING, "import", "import %lld row %u: refused by the warehouse: %s",
		       (long long)import_id, row, uerr->msg);
		r->errors[0].reason_zh = strdup("与此前导入的同一案件或工单的数据矛盾（例如合并后结案日期早于"
						"立案日期），本行未导入");
		r->errors[0].reason_en = strdup("contradicts what was imported before for the same case or "
						"work order (e.g. concluded before filed once merged); row not "
						"imported");
		return reject_row(ing, m, import_id, r, cells, ncells, res, e);
	}
	if (rc != 0) {
		if (e)
			*e = *uerr;
		return rc;
	}
	{
		const char *src = NULL, *origin = NULL;
		const char *peer = lw_store_peer_notice(ing->store, &src, &origin);
		if (peer && src && origin && json_array_size(res->peer_notices) < ing->max_errors)
			json_array_append_new(res->peer_notices,
					      json_pack("{s:s, s:s, s:s}", "source", src, "origin",
							origin, "text", peer));
	}
	if (lw_store_notice(ing->store) && json_array_size(res->errors) < ing->max_errors) {
		json_t *o = json_object();
		json_object_set_new(o, "row", json_integer(row));
		json_object_set_new(o, "warning", json_string(lw_store_notice(ing->store)));
		json_array_append_new(res->errors, o);
	}
	switch (what) {
	case LW_UPSERT_INSERTED: res->inserted++; break;
	case LW_UPSERT_UPDATED: res->updated++; break;
	case LW_UPSERT_UNCHANGED: res->unchanged++; break;
	}
	return 0;
}

int lw_ingest_mapped(struct lw_ingest *ing, const struct lw_mapping *m, const char *source,
		     int64_t import_id, struct lw_record *r, const char *const *cells,
		     size_t ncells, struct lw_ingest_result *res, struct lw_err *e)
{
	enum lw_upsert what = LW_UPSERT_UNCHANGED;
	struct lw_err uerr;
	int rc = before_store(ing, m, import_id, r, cells, ncells, res, e);

	if (rc <= 0)
		return rc;
	/* A row is atomic (lw_store_upsert): a constraint the merged row
	 * breaks (e.g. concluded before filed) rejects this row only. */
	lw_err_clear(&uerr);
	rc = lw_store_upsert(ing->store, source, import_id, r, &what, &uerr);
	return after_store(ing, m, import_id, r, cells, ncells, rc, what, &uerr, res, e);
}

/* ---- a window of the pipe ---- */

static int window_rec(void *ud, size_t i, const struct lw_record **r, struct lw_err *e)
{
	struct lw_pipe_row *row;
	int rc = lw_pipe_row(ud, i, &row, e);

	*r = rc ? NULL : &row->rec;
	return rc;
}

int lw_ingest_window(struct lw_ingest *ing, const struct lw_mapping *m, const char *source,
		     int64_t import_id, struct lw_pipe *pipe, size_t n,
		     struct lw_ingest_result *res, struct lw_err *e)
{
	struct lw_store_window w = {n, window_rec, pipe, NULL, NULL};
	struct lw_pipe_row *row;
	/* The store's word on one row: written only when it refuses (not
	 * zeroed per row: 1 KiB a row was measurable on this thread). */
	struct lw_err uerr;
	uint64_t stored;
	int rc;

	lw_err_clear(&uerr);

	if (!lw_store_bulk_on(ing->store) || ing->row_by_row) {
		/* Cases: row by row (defendants, savepoints, notices in order);
		 * and work orders when told to (the reference of the tests). */
		for (size_t i = 0; i < n; i++)
			if ((rc = lw_pipe_row(pipe, i, &row, e)) != 0 ||
			    (rc = lw_ingest_mapped(ing, m, source, import_id, &row->rec, row->cells,
						   row->ncells, res, e)) != 0)
				return rc;
		return 0;
	}
	if (n > ing->win_cap) {
		int64_t *a = realloc(ing->win_agency, n * sizeof *a);
		unsigned char *s = a ? realloc(ing->win_state, n) : NULL;
		if (a)
			ing->win_agency = a;
		if (!s)
			return lw_err_set(e, LW_ENOMEM, "out of memory");
		ing->win_state = s;
		ing->win_cap = n;
	}
	w.agency = ing->win_agency;
	w.state = ing->win_state;
	/* Warnings, rows the mapper refused, agencies: row by row. */
	for (size_t i = 0; i < n; i++) {
		if ((rc = lw_pipe_row(pipe, i, &row, e)) != 0)
			return rc;
		ing->win_state[i] = LW_WIN_SKIP;
		ing->win_agency[i] = 0;
		if ((rc = before_store(ing, m, import_id, &row->rec, row->cells, row->ncells, res,
				       e)) < 0)
			return rc;
		if (rc == 0)
			continue;
		/* As lw_ingest_mapped: what the warehouse refuses rejects the row. */
		rc = lw_store_resolve(ing->store, &row->rec, &ing->win_agency[i], &uerr);
		if (rc != 0) {
			if ((rc = after_store(ing, m, import_id, &row->rec, row->cells, row->ncells, rc,
					      LW_UPSERT_UNCHANGED, &uerr, res, e)) != 0)
				return rc;
			continue;
		}
		ing->win_state[i] = LW_WIN_TRY;
	}
	/* The new work orders: one statement. */
	if ((rc = lw_store_insert_window(ing->store, source, import_id, &w, &stored, e)) != 0)
		return rc;
	res->inserted += stored;
	/* The rest, in order, as row by row: merged into what is stored, or
	 * rejected with the warehouse's reason. */
	for (size_t i = 0; i < n; i++) {
		enum lw_upsert what = LW_UPSERT_UNCHANGED;
		if (ing->win_state[i] != LW_WIN_TRY)
			continue;
		if ((rc = lw_pipe_row(pipe, i, &row, e)) != 0)
			return rc;
		rc = lw_store_upsert_resolved(ing->store, source, import_id, &row->rec,
					      ing->win_agency[i], &what, &uerr);
		if ((rc = after_store(ing, m, import_id, &row->rec, row->cells, row->ncells, rc,
				      what, &uerr, res, e)) != 0)
			return rc;
	}
	return 0;
}

int lw_ingest_finish(struct lw_ingest *ing, struct lw_ingest_result *res, struct lw_err *e)
{
	struct lw_import_counts c = {res->rows, res->inserted, res->updated, res->unchanged,
				     res->rejected, 0};
	int rc;

	if ((rc = lw_store_agencies_finish(ing->store, res->import_id, &c.unresolved, e)) != 0)
		return rc;
	res->unresolved = c.unresolved;

	if (res->rejected == 0)
		res->status = "ok";
	else if (res->rejected < res->rows)
		res->status = "partial";
	else
		res->status = "rejected";
	if (!strcmp(res->status, "rejected") && !res->message)
		res->message = strdup("每一行都有问题，本文件没有导入任何数据，请按下面列出的问题更正 / every "
				      "row has a problem; nothing was imported");
	/* Obligations follow their case's dates in the same transaction: the
	 * dashboard never sees a date without its deadline. */
	if (ing->deadlines && res->inserted + res->updated > 0 &&
	    (rc = lw_obligations_recompute_import(ing->wh, ing->deadlines, res->import_id, NULL,
						  e)) != 0) {
		lw_err_prefix(e, "deadlines");
		return rc;
	}
	if ((rc = lw_store_bulk_verify(ing->store, res->import_id, e)) != 0) {
		lw_log(LW_LOG_ERR, "import", "import %lld: %s", (long long)res->import_id, e ? e->msg : "");
		return rc;
	}
	if ((rc = lw_store_import_finish(ing->store, res->import_id, res->status, &c, 0, res->message,
					 e)) != 0)
		return rc;
	return lw_wh_commit(ing->wh, e);
}
