/*
 * store.h — every SQL statement of the import pipeline: imports, rejects,
 * upserts of cases and tickets with source precedence, conflicts, field
 * provenance, agencies and feed cursors.
 *
 * All functions run inside a transaction the caller opened on the writer
 * connection (lw_wh_begin_immediate), on the thread that owns it.
 */
#ifndef LW_INGEST_STORE_H
#define LW_INGEST_STORE_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "ingest/record.h"

struct lw_wh;
struct lw_store;

/* What an upsert did to the row. */
enum lw_upsert { LW_UPSERT_INSERTED, LW_UPSERT_UPDATED, LW_UPSERT_UNCHANGED };

/* precedence: source names, highest first (copied); sources not listed rank
 * below every listed one.  Among equals the value already stored is kept,
 * except that a source always updates what it wrote itself. */
int lw_store_new(struct lw_wh *wh, const char *const *precedence, size_t nprecedence,
		 struct lw_store **out, struct lw_err *e);
void lw_store_free(struct lw_store *st);

/* An earlier import of the same bytes that landed (ok or partial), or 0. */
int lw_store_find_duplicate(struct lw_store *st, const char *sha256_hex, int64_t *import_id,
			    struct lw_err *e);

/* *seen = 1 when a file imported before that landed (ok or partial) had
 * bytes bytes: then a file of that size may well be a duplicate, and its
 * hash is wanted before its rows (ingest.c).  Feed pages have no size. */
int lw_store_size_seen(struct lw_store *st, int64_t bytes, int *seen, struct lw_err *e);
/* Set the imports row's hash and size once known (begun with NULL). */
int lw_store_import_hash(struct lw_store *st, int64_t id, const char *sha256_hex, int64_t bytes,
			 struct lw_err *e);

/* Insert the imports row (status 'running'); *id receives its id.
 * sha256_hex may be NULL (lw_store_import_hash sets it later). */
int lw_store_import_begin(struct lw_store *st, const char *source, const char *origin,
			  const char *sha256_hex, int64_t bytes, const char *format,
			  const char *profile, int64_t *id, struct lw_err *e);

struct lw_import_counts {
	uint64_t rows, inserted, updated, unchanged, rejected;
	uint64_t unresolved; /* rows that named an agency nobody has confirmed */
};

/* Finish the imports row: status ok|partial|rejected|failed|duplicate. */
int lw_store_import_finish(struct lw_store *st, int64_t id, const char *status,
			   const struct lw_import_counts *c, int64_t duplicate_of,
			   const char *message, struct lw_err *e);

/* One rejected row: column (e.g. "D 立案日期"), field name, reason, and the
 * row's cells as a JSON object text (personal values already masked). */
int lw_store_reject(struct lw_store *st, int64_t import_id, uint32_t row, const char *column,
		    const char *field, const char *reason, const char *raw_json,
		    struct lw_err *e);

/* What import_id rejected, for the report of a file seen again (a
 * duplicate of a partly imported file): *nrejected is imports.rejected;
 * up to max entries are appended to errors in the shape of
 * lw_ingest_result.errors (row, column, field, reason, reason_zh, value),
 * in row order. */
int lw_store_rejects_of(struct lw_store *st, int64_t import_id, size_t max, json_t *errors,
			uint64_t *nrejected, struct lw_err *e);

/* Upsert one mapped record (no errors) from source/import_id.  Its
 * agencies are resolved through the store's resolver (lw_store_set_resolver):
 * a work order gets its agency_id (r->val[LW_TC_AGENCY_ID] is set here), a
 * held defendant waits in case_defendants_unresolved. */
int lw_store_upsert(struct lw_store *st, const char *source, int64_t import_id,
		    struct lw_record *r, enum lw_upsert *what, struct lw_err *e);

/* lw_store_upsert in two halves, for a caller that resolves a window of
 * records before storing them (lw_store_insert_window): resolve r's
 * agencies (a work order's into *agency, 0 when held or none; a case's
 * defendants into r) and, in bulk, note its references ... */
int lw_store_resolve(struct lw_store *st, struct lw_record *r, int64_t *agency,
		     struct lw_err *e);
/* ... then upsert it, agency being what lw_store_resolve gave. */
int lw_store_upsert_resolved(struct lw_store *st, const char *source, int64_t import_id,
			     struct lw_record *r, int64_t agency, enum lw_upsert *what,
			     struct lw_err *e);

/* ---- a work-order file: its references checked once per value ----
 *
 * A 12345 export is hundreds of thousands of new rows that reference a few
 * dozen values: its import, its agencies, the category codes.  SQLite's
 * foreign-key check costs four index lookups per row (measured: 0.2 s of
 * 300 000 rows' 1.4 s in SQLite).  Between lw_store_bulk_begin and
 * lw_store_bulk_end the store turns those checks off and vouches for the
 * references itself: every work order it writes names the current import,
 * an agency the resolver found or created in this transaction, and a
 * category of the vocabulary; lw_store_bulk_verify checks each distinct one
 * against its table before the commit.  Outside a bulk file, and for
 * whatever deletes a referenced row, SQLite checks as always. */

/* Before the file's transaction (foreign keys change only between
 * transactions).  Only work orders may be upserted until lw_store_bulk_end. */
int lw_store_bulk_begin(struct lw_store *st, struct lw_err *e);
/* After it, committed or not: foreign keys on again.  A no-op outside bulk. */
void lw_store_bulk_end(struct lw_store *st);
/* Inside the transaction, before its commit: the import row, every agency
 * id handed out and every category code written exist.  LW_EDB when one
 * does not (a defect, not the file's: the caller rolls the file back). */
int lw_store_bulk_verify(struct lw_store *st, int64_t import_id, struct lw_err *e);
/* Nonzero between lw_store_bulk_begin and lw_store_bulk_end. */
int lw_store_bulk_on(const struct lw_store *st);

/* ---- a window of work orders, its new rows stored by one statement ----
 *
 * In bulk only.  Records 0..n-1 of a window, in the file's order (or the
 * pipe's key order): rec(ud, i, ...) gives record i, valid until its next
 * call; agency[i] is what lw_store_resolve gave for it.  Those with
 * state[i] == LW_WIN_TRY are inserted as new work orders, in order, by one
 * INSERT over them all; each one that became a new row gets LW_WIN_STORED.
 * The others stay LW_WIN_TRY: their key was stored before them (by an
 * earlier file, or by an earlier row of this one), or they break a check
 * of the warehouse.  The caller upserts those one by one
 * (lw_store_upsert_resolved), in order, as if the window had been stored
 * row by row.  Every record tried must have gone through lw_store_resolve
 * since the last call.  *stored: how many became new rows. */
enum { LW_WIN_SKIP, LW_WIN_TRY, LW_WIN_STORED };
struct lw_store_window {
	size_t n;
	int (*rec)(void *ud, size_t i, const struct lw_record **r, struct lw_err *e);
	void *ud;
	const int64_t *agency;
	unsigned char *state;
};
/* 1 when the store can vouch that work order r passes every CHECK of
 * tickets, 0 when it cannot say (then SQLite checks it).  In bulk,
 * lw_store_resolve asks for every work order, and a window runs without
 * SQLite's CHECKs only when the store vouched for each one resolved since
 * the window before (store_window.c). */
int lw_store_window_vouches(const struct lw_store *st, const struct lw_record *r);
int lw_store_insert_window(struct lw_store *st, const char *source, int64_t import_id,
			   const struct lw_store_window *w, uint64_t *stored, struct lw_err *e);

/* What the clerk should hear about the last lw_store_upsert (a
 * disagreement over the principal defendant, recorded in conflicts), or
 * NULL. */
const char *lw_store_notice(const struct lw_store *st);
/* The same for the clerk of the earlier file it disagrees with: the text,
 * and that file's source and imports.origin (either may be NULL). */
const char *lw_store_peer_notice(const struct lw_store *st, const char **source,
				 const char **origin);

/* The resolver the store puts agency names through (borrowed; NULL: every
 * name becomes an agency, as before schema 7). */
struct lw_resolver;
void lw_store_set_resolver(struct lw_store *st, struct lw_resolver *res);
/* Record what the current import held (unresolved_agencies) and count the
 * rows that named a held name; before lw_store_import_finish. */
int lw_store_agencies_finish(struct lw_store *st, int64_t import_id, uint64_t *held_rows,
			     struct lw_err *e);

/* Every alias → canonical pair the warehouse has learned or was told, for
 * the in-memory alias table: fn is called per pair. */
int lw_store_each_alias(struct lw_store *st,
			int (*fn)(const char *alias, const char *canonical, void *ud), void *ud,
			struct lw_err *e);

/* A feed's position, written in the same transaction as its page. */
int lw_store_cursor_set(struct lw_store *st, const char *source, const char *cursor,
			const char *state_json, int64_t import_id, struct lw_err *e);
/* *cursor (malloc'd) or NULL when the source has none yet. */
int lw_store_cursor_get(struct lw_store *st, const char *source, char **cursor,
			struct lw_err *e);

#endif
