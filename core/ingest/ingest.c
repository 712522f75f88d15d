/*
 * ingest.c — the import pipeline (see ingest.h): one transaction per file
 * or page, rows mapped through a profile, bad rows listed, good rows stored.
 */
#include "ingest/ingest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deadlines/deadlines.h"
#include "domain/agency.h"
#include "domain/pii.h"
#include "dropbox/dropbox.h"
#include "ingest/ingest_int.h"
#include "ingest/pipe.h"
#include "read/table.h"
#include "warehouse/warehouse.h"

/* ---- setup ---- */

static int add_learned(const char *alias, const char *canonical, void *ud)
{
	lw_agency_aliases_add(ud, alias, canonical, LW_ALIAS_LEARNED, NULL);
	return 0;
}

int lw_ingest_new(struct lw_wh *wh, const struct lw_ingest_settings *s,
		  struct lw_ingest **out, struct lw_err *e)
{
	struct lw_ingest *ing = calloc(1, sizeof *ing);
	int rc;

	*out = NULL;
	if (!ing)
		return lw_err_set(e, LW_ENOMEM, "out of memory");
	ing->wh = wh;
	ing->outcome_flags = s->outcome_flags;
	ing->max_errors = s->max_errors ? s->max_errors : 200;
	ing->deadlines = lw_dl_conf_ref(s->deadlines);
	ing->profile_dir = strdup(s->profile_dir ? s->profile_dir : ".");
	if (!ing->profile_dir || !(ing->aliases = lw_agency_aliases_new())) {
		rc = lw_err_set(e, LW_ENOMEM, "out of memory");
		goto fail;
	}
	if (s->pii_key_file && (rc = lw_pii_key_load(s->pii_key_file, &ing->pii, e)) != 0)
		goto fail;
	if ((rc = lw_store_new(wh, s->precedence, s->nprecedence, &ing->store, e)) != 0)
		goto fail;
	if ((rc = lw_store_each_alias(ing->store, add_learned, ing->aliases, e)) != 0)
		goto fail;
	if (s->agencies) {
		const char *canon;
		json_t *list;
		json_object_foreach(s->agencies, canon, list) {
			size_t i;
			json_t *a;
			if ((rc = lw_agency_aliases_add(ing->aliases, canon, canon, LW_ALIAS_CONFIG, e)))
				goto fail;
			json_array_foreach(list, i, a) {
				if ((rc = lw_agency_aliases_add(ing->aliases, json_string_value(a), canon,
								LW_ALIAS_CONFIG, e)) != 0) {
					lw_err_prefix(e, "agencies.%s[%zu]", canon, i);
					goto fail;
				}
			}
		}
	}
	*out = ing;
	return 0;
fail:
	lw_ingest_free(ing);
	return rc;
}

void lw_ingest_free(struct lw_ingest *ing)
{
	if (!ing)
		return;
	for (size_t i = 0; i < ing->nprofiles; i++)
		lw_profile_free(ing->profiles[i]);
	free(ing->profiles);
	lw_store_free(ing->store);
	lw_pii_key_free(ing->pii);
	lw_agency_aliases_free(ing->aliases);
	lw_record_free(&ing->rec); /* the last row mapped is kept until the next one */
	lw_dl_conf_unref(ing->deadlines);
	free(ing->profile_dir);
	free(ing);
}

void lw_ingest_result_clear(struct lw_ingest_result *r)
{
	free(r->message);
	free(r->report);
	free(r->unknown_headers);
	json_decref(r->errors);
	memset(r, 0, sizeof *r);
}

int lw_ingest_profile(struct lw_ingest *ing, const char *name, const struct lw_profile **out,
		      struct lw_err *e)
{
	struct lw_profile *p, **tmp;
	int rc;

	for (size_t i = 0; i < ing->nprofiles; i++)
		if (!strcmp(ing->profiles[i]->name, name)) {
			*out = ing->profiles[i];
			return 0;
		}
	if ((rc = lw_profile_load(ing->profile_dir, name, &p, e)) != 0)
		return rc;
	if (!(tmp = realloc(ing->profiles, (ing->nprofiles + 1) * sizeof *tmp))) {
		lw_profile_free(p);
		return lw_err_set(e, LW_ENOMEM, "out of memory");
	}
	ing->profiles = tmp;
	ing->profiles[ing->nprofiles++] = p;
	*out = p;
	return 0;
}

int lw_ingest_cursor(struct lw_ingest *ing, const char *source, char **cursor,
		     struct lw_err *e)
{
	return lw_store_cursor_get(ing->store, source, cursor, e);
}

/* ---- one import ---- */

/* Record a rejected file in its own transaction, so the warehouse
 * remembers it (imports.status = 'rejected'). */
static int record_rejected_file(struct lw_ingest *ing, const char *source, const char *origin,
				const char *hash, int64_t bytes, const char *format,
				const char *profile, struct lw_ingest_result *res, struct lw_err *e)
{
	struct lw_import_counts c = {0};
	int rc;

	if ((rc = lw_wh_begin_immediate(ing->wh, e)) != 0)
		return rc;
	if ((rc = lw_store_import_begin(ing->store, source, origin, hash, bytes, format, profile,
					&res->import_id, e)) != 0 ||
	    (rc = lw_store_import_finish(ing->store, res->import_id, "rejected", &c, 0, res->message,
					 e)) != 0) {
		lw_wh_rollback(ing->wh);
		return rc;
	}
	return lw_wh_commit(ing->wh, e);
}

int lw_ingest_file(struct lw_ingest *ing, const struct lw_ingest_file *f,
		   struct lw_ingest_result *res, struct lw_err *e)
{
	const char *origin = f->origin ? f->origin : f->path;
	const struct lw_profile *prof = NULL;
	struct lw_table *tab = NULL;
	struct lw_mapping *map = NULL;
	struct lw_pipe *pipe = NULL;
	/* The reader thread maps with ctx until lw_pipe_free, which every
	 * way out of this function reaches: ctx must live as long. */
	struct lw_map_ctx ctx = {ing->pii, ing->aliases, f->agency, ing->outcome_flags, 0};
	struct lw_err err = {0};
	char hash[65];
	int64_t bytes = 0, dup = 0;
	int rc, in_txn = 0;

	memset(res, 0, sizeof *res);
	res->errors = json_array();
	if ((rc = lw_file_sha256(f->path, hash, &bytes, &err)) != 0) {
		res->status = "failed";
		res->message = strdup(err.msg);
		lw_ingest_report(ing, origin, res);
		return 0; /* the file could not be read: nothing to store */
	}
	/* Profile problems are the operator's, not the file's: fail, keep the file. */
	if ((rc = lw_ingest_profile(ing, f->profile, &prof, &err)) != 0) {
		res->status = "failed";
		res->message = strdup(err.msg);
		lw_ingest_report(ing, origin, res);
		return 0;
	}
	if ((rc = lw_wh_begin_immediate(ing->wh, e)) != 0)
		goto wh_fail;
	in_txn = 1;
	if ((rc = lw_store_find_duplicate(ing->store, hash, &dup, e)) != 0)
		goto wh_fail;
	if (dup) {
		struct lw_import_counts c = {0};
		if ((rc = lw_store_import_begin(ing->store, f->source, origin, hash, bytes, NULL,
						f->profile, &res->import_id, e)) != 0 ||
		    (rc = lw_store_import_finish(ing->store, res->import_id, "duplicate", &c, dup, NULL,
						 e)) != 0 ||
		    (rc = lw_wh_commit(ing->wh, e)) != 0)
			goto wh_fail;
		res->status = "duplicate";
		res->duplicate_of = dup;
		lw_ingest_report(ing, origin, res);
		return 0;
	}
	if (lw_table_open(f->path, f->table_opts, &tab, &err) != 0) {
		/* The file is not a spreadsheet we can read. */
		lw_wh_rollback(ing->wh);
		in_txn = 0;
		res->status = "rejected";
		res->message = strdup(err.msg);
		if ((rc = record_rejected_file(ing, f->source, origin, hash, bytes, NULL, f->profile,
					       res, e)) != 0)
			goto wh_fail;
		lw_ingest_report(ing, origin, res);
		return 0;
	}
	snprintf(res->format, sizeof res->format, "%s", lw_table_format_name(lw_table_format(tab)));
	if (lw_table_encoding(tab))
		snprintf(res->encoding, sizeof res->encoding, "%s", lw_table_encoding(tab));
	{
		size_t n = lw_table_ncols(tab);
		const char **hdr = calloc(n + 1, sizeof *hdr);
		if (!hdr) {
			rc = lw_err_set(e, LW_ENOMEM, "out of memory");
			goto wh_fail;
		}
		for (size_t i = 0; i < n; i++)
			hdr[i] = lw_table_colname(tab, i);
		rc = lw_mapping_build(prof, hdr, n, f->agency != NULL, &map, &err);
		free(hdr);
	}
	if (rc != 0) {
		lw_table_close(tab);
		tab = NULL;
		lw_wh_rollback(ing->wh);
		in_txn = 0;
		res->status = "rejected";
		res->message = strdup(err.msg);
		if ((rc = record_rejected_file(ing, f->source, origin, hash, bytes, res->format,
					       f->profile, res, e)) != 0)
			goto wh_fail;
		lw_ingest_report(ing, origin, res);
		return 0;
	}
	if (map->unknown)
		res->unknown_headers = strdup(map->unknown);
	if ((rc = lw_store_import_begin(ing->store, f->source, origin, hash, bytes, res->format,
					f->profile, &res->import_id, e)) != 0)
		goto wh_fail;
	{
		/* Rows are read and mapped on a second thread while this one
		 * stores them (pipe.c). */
		struct lw_pipe_row *row;
		if ((rc = lw_pipe_start(tab, map, &ctx, &pipe, e)) != 0)
			goto wh_fail;
		for (;;) {
			rc = lw_pipe_next(pipe, &row, &err);
			if (rc == LW_EEOF)
				break;
			if (rc == LW_ENOMEM) {
				if (e)
					*e = err;
				goto wh_fail;
			}
			if (rc != 0) {
				/* A broken file part-way: nothing of it lands. */
				lw_wh_rollback(ing->wh);
				in_txn = 0;
				res->status = "rejected";
				res->message = strdup(err.msg);
				res->rows = res->inserted = res->updated = res->unchanged = 0;
				res->rejected = 0;
				json_array_clear(res->errors);
				if ((rc = record_rejected_file(ing, f->source, origin, hash, bytes,
							       res->format, f->profile, res, e)) != 0)
					goto wh_fail;
				goto done;
			}
			if (f->cancel && *f->cancel) {
				lw_wh_rollback(ing->wh);
				in_txn = 0;
				res->status = "failed";
				res->message = strdup("cancelled: the daemon is stopping; the file stays "
						      "in the inbox and is imported at the next start");
				goto done;
			}
			if ((rc = lw_ingest_mapped(ing, map, f->source, res->import_id, &row->rec,
						   row->cells, row->ncells, res, e)) != 0)
				goto wh_fail;
		}
		lw_pipe_free(pipe);
		pipe = NULL;
	}
	if ((rc = lw_ingest_finish(ing, res, e)) != 0)
		goto wh_fail;
	in_txn = 0;
done:
	lw_pipe_free(pipe);
	lw_table_close(tab);
	lw_mapping_free(map);
	lw_ingest_report(ing, origin, res);
	return 0;
wh_fail:
	if (in_txn)
		lw_wh_rollback(ing->wh);
	lw_pipe_free(pipe);
	lw_table_close(tab);
	lw_mapping_free(map);
	res->status = "failed";
	free(res->message);
	res->message = strdup(e ? e->msg : "warehouse error");
	lw_ingest_report(ing, origin, res);
	return rc;
}
