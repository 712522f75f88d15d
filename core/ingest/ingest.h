/*
 * core/ingest/: every row's way in: profile, mapping, normalising, storing
 * with provenance, rejects and the clerk's report, one transaction per file.
 *
 * ingest.h — the import pipeline every source uses: read a file (or a
 * page of JSON records), map each row through a profile, normalise it, and
 * store it with provenance in one transaction.  The CLI's `litwatch import`
 * and the importer plugins go through exactly this code.
 *
 * A file lands whole or not at all: its rows, its rejects and its `imports`
 * row commit together.  The same bytes imported again change nothing (the
 * content hash is looked up first) and are reported as a duplicate.
 *
 * Thread: an lw_ingest owns the warehouse's writer connection while it runs;
 * call it from one thread at a time (the daemon runs imports one by one on
 * a worker thread).
 */
#ifndef LW_INGEST_H
#define LW_INGEST_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"

struct lw_wh;
struct lw_ingest;
struct lw_table_opts;
struct lw_dl_conf;

struct lw_ingest_settings {
	const char *profile_dir;     /* where <profile>.json files are */
	const char *pii_key_file;    /* NULL: personal columns are rejected */
	const char *const *precedence; /* source names, highest first */
	size_t nprecedence;
	json_t *agencies;            /* {"canonical": ["alias", ...]} or NULL */
	unsigned outcome_flags;      /* LW_LOSS_* (domain/outcome.h) */
	int hold_unknown_agencies;   /* hold names neither configured nor known (agencies.h) */
	int one_shot;                /* litwatch import: nothing retries a failed file (the
					report says so) */
	size_t max_errors;           /* row errors listed in a report (default 200) */
	struct lw_dl_conf *deadlines; /* rules whose obligations each import recomputes for
					 the cases it changed, in its own transaction; NULL:
					 none.  lw_ingest_new takes a reference. */
	int row_by_row;              /* store work orders one statement a row, as cases
					are, instead of a window's new ones at once: slower,
					the same result (the reference tests compare with) */
};

/* Open the pipeline on a writer connection.  Loads the PII key and the
 * agency aliases (configured and learned).  Errors name the file. */
int lw_ingest_new(struct lw_wh *wh, const struct lw_ingest_settings *s,
		  struct lw_ingest **out, struct lw_err *e);
void lw_ingest_free(struct lw_ingest *ing);

/* An operator's word: alias means the agency name (created when new;
 * alias == name confirms a held name as an agency of its own).  Stored as a
 * learned alias; every held row that now resolves gets its agency, in one
 * transaction.  *moved: work orders and defendants that got one.
 * LW_EEXIST when alias already means another agency. */
int lw_ingest_agency_alias(struct lw_ingest *ing, const char *name, const char *alias,
			   int64_t *moved, struct lw_err *e);

/* What one import did. */
struct lw_ingest_result {
	int64_t import_id;
	const char *status;   /* "ok", "partial", "rejected", "duplicate", "failed" (static) */
	int64_t duplicate_of; /* for "duplicate" */
	uint64_t rows, inserted, updated, unchanged, rejected;
	uint64_t unresolved;  /* rows whose agency name nobody has confirmed (held) */
	char *message;        /* file-level problem (rejected/failed), malloc'd or NULL */
	char *report;         /* the clerk's report (Chinese + English), malloc'd */
	char *unknown_headers;/* headers no profile field knows, malloc'd or NULL */
	char *footer_rows;    /* "7、8": a form's signature lines skipped, malloc'd or NULL */
	json_t *errors;       /* [{"row","column","field","reason","reason_zh","value"}...] */
	json_t *peer_notices; /* [{"source","origin","text"}]: for the clerks of earlier files
				 this one disagrees with (a case's defendant) */
	char format[8];       /* "csv", "xlsx", "xls", "json" */
	char encoding[24];
};

void lw_ingest_result_clear(struct lw_ingest_result *r);

struct lw_ingest_file {
	const char *source;   /* source name (provenance) */
	const char *profile;  /* profile name */
	const char *path;     /* the file */
	const char *origin;   /* shown in imports.origin; default path */
	const char *agency;   /* the drop folder's agency, or NULL */
	const struct lw_table_opts *table_opts; /* NULL: defaults */
	volatile int *cancel; /* set to nonzero to stop (rolled back); may be NULL */
};

/* Import one file.  Returns 0 when the outcome is in *res (even when the
 * file was rejected: res->status says so); a negative code only when the
 * warehouse itself failed (nothing was stored; res->message says why).
 * The path is opened once (O_NOFOLLOW; it must be a regular file) and the
 * hash and every row are read through that descriptor, so a name swapped
 * meanwhile changes nothing that is read; a file with more than one hard
 * link is rejected unread.  origin and agency are stored as UTF-8
 * (lw_name_to_utf8).  A duplicate of a partly imported file gets the
 * earlier import's rejected rows in res->errors and res->rejected. */
int lw_ingest_file(struct lw_ingest *ing, const struct lw_ingest_file *f,
		   struct lw_ingest_result *res, struct lw_err *e);

struct lw_ingest_records {
	const char *source, *profile, *origin;
	json_t *items;        /* array of objects keyed by the source's names */
	const char *cursor;   /* stored for source in the same transaction, or NULL */
	const char *cursor_state; /* JSON text or NULL */
	const char *sha256;   /* content hash of the page, or NULL */
};

/* Import one page of JSON records (a court feed page): same mapping, same
 * transaction rules; the cursor moves only with the page's rows. */
int lw_ingest_records(struct lw_ingest *ing, const struct lw_ingest_records *rq,
		      struct lw_ingest_result *res, struct lw_err *e);

/* The stored cursor of a source (malloc'd) or NULL. */
int lw_ingest_cursor(struct lw_ingest *ing, const char *source, char **cursor,
		     struct lw_err *e);


#endif
