/*
 * store_int.h — the store's state, shared by store.c (rows: upserts,
 * defendants, provenance, conflicts) and store_imports.c (the imports row,
 * rejects, cursors).  Not a public interface.
 */
#ifndef LW_INGEST_STORE_INT_H
#define LW_INGEST_STORE_INT_H

#include <sqlite3.h>

#include "ingest/store.h"

struct table_sql {
	const char *table, *key;
	int ncols;
	const char *(*colname)(int);
	int stamped; /* has first_seen/updated_at (cases; tickets take them from imports) */
	char *select; /* columns..., source WHERE key = :key */
	char *insert;
	char *update;
	sqlite3_stmt *insert_st; /* insert, prepared once: the hot path (the store's own) */
	/* What insert_st holds bound from the rows before it (bindings outlive
	 * sqlite3_reset, and nothing else binds this statement): the file's
	 * constants, and the columns bound NULL.  bound_import 0: nothing. */
	int64_t bound_import;
	char bound_source[64], bound_now[24];
	uint64_t null_bound; /* bit c: column c is bound NULL */
};

struct lw_store {
	struct lw_wh *wh;
	struct lw_resolver *res; /* borrowed, may be NULL */
	char agency_id[24];      /* the current work order's agency id, as text */
	int64_t ticket_agency;   /* ... and as the integer try_insert binds */
	char notice[512];        /* for the clerk, about the last upsert ("" none) */
	char peer[512];          /* for the clerk of the earlier file ("" none) */
	char *peer_source, *peer_origin; /* that file's source and imports.origin */
	char now[24]; /* UTC start of the current import, 'YYYY-MM-DDTHH:MM:SSZ' */
	char **prec;
	size_t nprec;
	struct table_sql t[2]; /* LW_TARGET_CASES, LW_TARGET_TICKETS */
	sqlite3_stmt *window_st; /* store_window.c: a window's new work orders */
	int window_vouch;        /* ... with the CHECKs of tickets vouched for in C */
	size_t window_unvouched; /* work orders resolved since the last window that the
				    store cannot vouch for */
	/* A work-order file with foreign keys off (store_bulk.c). */
	int bulk;
	char **cats;          /* distinct category codes written, to check */
	size_t ncats, capcats, lastcat;
};

/* In bulk, note the references of work order r (store_bulk.c). */
int lw_store_bulk_note(struct lw_store *st, const struct lw_record *r, struct lw_err *e);
void lw_store_bulk_free(struct lw_store *st);

/* The window insert (store_window.c): prepared with the store, freed with it. */
int lw_store_window_init(struct lw_store *st, struct lw_err *e);
void lw_store_window_free(struct lw_store *st);

#endif
