/*
 * records.c — a page of JSON records from a feed (see ingest.h): the page's
 * keys become the header, each record a row, in one transaction with the
 * feed's cursor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest_int.h"
#include "warehouse/warehouse.h"

/* Text of a JSON value as a cell. */
static char *cell_of(json_t *v)
{
	char buf[64];

	switch (json_typeof(v)) {
	case JSON_STRING: return strdup(json_string_value(v));
	case JSON_INTEGER: snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v)); break;
	case JSON_REAL: snprintf(buf, sizeof buf, "%.17g", json_real_value(v)); break;
	case JSON_TRUE: return strdup("是");
	case JSON_FALSE: return strdup("否");
	default: return strdup("");
	}
	return strdup(buf);
}

int lw_ingest_records(struct lw_ingest *ing, const struct lw_ingest_records *rq,
		      struct lw_ingest_result *res, struct lw_err *e)
{
	const struct lw_profile *prof;
	struct lw_mapping *map = NULL;
	struct lw_err err = {0};
	json_t *keys = json_object(), *item;
	const char **hdr = NULL;
	char **cells = NULL;
	size_t nkeys = 0, i;
	int64_t dup = 0;
	int rc;

	memset(res, 0, sizeof *res);
	res->errors = json_array();
	res->peer_notices = json_array();
	snprintf(res->format, sizeof res->format, "json");
	if ((rc = lw_ingest_profile(ing, rq->profile, &prof, &err)) != 0) {
		res->status = "failed";
		res->message = strdup(err.msg);
		json_decref(keys);
		return lw_err_set(e, rc, "%s", err.msg);
	}
	/* The page's header: every key, in order of first appearance. */
	json_array_foreach(rq->items, i, item) {
		const char *k;
		json_t *v;
		if (!json_is_object(item))
			continue;
		json_object_foreach(item, k, v)
			if (!json_object_get(keys, k))
				json_object_set_new(keys, k, json_integer((json_int_t)nkeys++));
	}
	hdr = calloc(nkeys + 1, sizeof *hdr);
	cells = calloc(nkeys + 1, sizeof *cells);
	if (!hdr || !cells) {
		rc = lw_err_set(e, LW_ENOMEM, "out of memory");
		goto out;
	}
	{
		const char *k;
		json_t *v;
		json_object_foreach(keys, k, v)
			hdr[json_integer_value(v)] = k;
	}
	if ((rc = lw_wh_begin_immediate(ing->wh, e)) != 0)
		goto out;
	if (rq->sha256 && (rc = lw_store_find_duplicate(ing->store, rq->sha256, &dup, e)) != 0)
		goto rollback;
	if ((rc = lw_store_import_begin(ing->store, rq->source, rq->origin, dup ? NULL : rq->sha256,
					-1, "json", rq->profile, &res->import_id, e)) != 0)
		goto rollback;
	if (json_array_size(rq->items) > 0 &&
	    lw_mapping_build(prof, hdr, nkeys, 0, &map, &err) != 0) {
		/* The whole page is unusable; the cursor does not move. */
		lw_wh_rollback(ing->wh);
		res->status = "rejected";
		res->message = strdup(err.msg);
		rc = 0;
		goto out;
	}
	if (map && map->unknown)
		res->unknown_headers = strdup(map->unknown);
	{
		struct lw_map_ctx ctx = {ing->pii, ing->aliases, NULL, ing->outcome_flags, 0, NULL};
		json_array_foreach(rq->items, i, item) {
			const char *k;
			json_t *v;
			for (size_t c = 0; c < nkeys; c++) {
				free(cells[c]);
				cells[c] = NULL;
			}
			if (json_is_object(item))
				json_object_foreach(item, k, v)
					cells[json_integer_value(json_object_get(keys, k))] = cell_of(v);
			for (size_t c = 0; c < nkeys; c++)
				if (!cells[c])
					cells[c] = strdup("");
			if ((rc = lw_ingest_row(ing, &ctx, map, rq->source, res->import_id,
						(uint32_t)(i + 1), (const char *const *)cells, nkeys, res,
						e)) != 0)
				goto rollback;
		}
	}
	if (rq->cursor && (rc = lw_store_cursor_set(ing->store, rq->source, rq->cursor,
						    rq->cursor_state, res->import_id, e)) != 0)
		goto rollback;
	if ((rc = lw_ingest_finish(ing, res, e)) != 0)
		goto out;
	goto out;
rollback:
	lw_wh_rollback(ing->wh);
	res->status = "failed";
	res->message = strdup(e ? e->msg : "warehouse error");
out:
	if (cells)
		for (size_t c = 0; c < nkeys; c++)
			free(cells[c]);
	free(cells);
	free(hdr);
	json_decref(keys);
	lw_mapping_free(map);
	lw_ingest_report(ing, rq->origin, res);
	return rc;
}
