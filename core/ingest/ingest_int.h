/*
 * ingest_int.h — internals of the import pipeline shared by ingest.c
 * (files), rows.c (row handling, JSON pages) and report.c (the clerk's
 * report).  Not for use outside core/ingest/.
 */
#ifndef LW_INGEST_INT_H
#define LW_INGEST_INT_H

#include "ingest/ingest.h"
#include "ingest/profile.h"
#include "ingest/record.h"
#include "ingest/store.h"

struct lw_pii_key;
struct lw_agency_aliases;

struct lw_ingest {
	struct lw_wh *wh;
	struct lw_store *store;
	struct lw_pii_key *pii;
	struct lw_agency_aliases *aliases;
	struct lw_resolver *resolver;
	char *profile_dir;
	struct lw_profile **profiles; /* loaded on first use, cached */
	size_t nprofiles;
	unsigned outcome_flags;
	size_t max_errors;
	int one_shot;
	struct lw_record rec; /* reused for every row */
	/* lw_ingest_window's, per row of a window: its agency and its state
	 * (store.h, struct lw_store_window). */
	int64_t *win_agency;
	unsigned char *win_state;
	size_t win_cap;
	int row_by_row;       /* lw_ingest_settings.row_by_row */
	struct lw_dl_conf *deadlines; /* a reference, or NULL */
};

/* The profile called name (cached). */
int lw_ingest_profile(struct lw_ingest *ing, const char *name, const struct lw_profile **out,
		      struct lw_err *e);

/* Map and store one row inside the open transaction; counts go to res and
 * rejected rows to `rejects` and res->errors.  Returns 0 or a warehouse
 * error (the caller rolls back). */
int lw_ingest_row(struct lw_ingest *ing, const struct lw_map_ctx *ctx, const struct lw_mapping *m,
		  const char *source, int64_t import_id, uint32_t row, const char *const *cells,
		  size_t ncells, struct lw_ingest_result *res, struct lw_err *e);

/* Store a row lw_record_map has mapped into r (as lw_ingest_row); cells
 * are the source row, for the report of a rejected row. */
int lw_ingest_mapped(struct lw_ingest *ing, const struct lw_mapping *m, const char *source,
		     int64_t import_id, struct lw_record *r, const char *const *cells,
		     size_t ncells, struct lw_ingest_result *res, struct lw_err *e);

/* Store the n rows of the window pipe holds (lw_pipe_window), as
 * lw_ingest_mapped would one by one.  A work-order file's new rows go in
 * by one statement (lw_store_insert_window); the others, and every case,
 * row by row. */
struct lw_pipe;
int lw_ingest_window(struct lw_ingest *ing, const struct lw_mapping *m, const char *source,
		     int64_t import_id, struct lw_pipe *pipe, size_t n,
		     struct lw_ingest_result *res, struct lw_err *e);

/* Set res->status from the counts, finish the imports row and commit. */
int lw_ingest_finish(struct lw_ingest *ing, struct lw_ingest_result *res, struct lw_err *e);

/* Write res->report for origin. */
void lw_ingest_report(struct lw_ingest *ing, const char *origin, struct lw_ingest_result *res);

#endif
