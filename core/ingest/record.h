/*
 * record.h — one source row mapped to canonical columns of the warehouse,
 * and the mapping from a file's header to a profile's fields.
 *
 * The mapper reads cells as text and turns each into the warehouse's form
 * (normalised case number, ISO date, outcome code, hashed personal data);
 * nothing here touches SQLite.  Values are malloc'd strings owned by the
 * record; NULL means "this source said nothing about it".
 */
#ifndef LW_INGEST_RECORD_H
#define LW_INGEST_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "ingest/profile.h"

struct lw_pii_key;
struct lw_agency_aliases;

/* Columns of `cases` a record can carry (case_no is the key). */
enum lw_case_col {
	LW_CC_CASE_NO_RAW = 0, LW_CC_YEAR, LW_CC_COURT_CODE, LW_CC_SPECIAL_CODE, LW_CC_TYPE_CODE,
	LW_CC_SEQ, LW_CC_COURT, LW_CC_COURT_LEVEL, LW_CC_CAUSE, LW_CC_ACT_TYPE, LW_CC_DOMAIN,
	LW_CC_PLAINTIFF_HASH, LW_CC_PLAINTIFF_MASK, LW_CC_FILED_DATE, LW_CC_CONCLUDED_DATE,
	LW_CC_OUTCOME, LW_CC_OUTCOME_RAW, LW_CC_AGENCY_LOST, LW_CC_HEARING_HELD,
	LW_CC_HEAD_APPEARED, LW_CC_PAPERS_RECEIVED_DATE, LW_CC_REPORTED_DATE,
	LW_CC_DEFENCE_FILED_DATE, LW_CC_JUDGMENT_RECEIVED_DATE, LW_CC_LOSS_REPORT_DATE,
	LW_CC_RECTIFICATION_DATE, LW_CC__COUNT
};

/* Columns of `tickets` a record can carry (ticket_no is the key). */
enum lw_ticket_col {
	LW_TC_RECEIVED_AT = 0, LW_TC_CHANNEL, LW_TC_CATEGORY, LW_TC_TOPIC, LW_TC_TITLE,
	LW_TC_CONTENT, LW_TC_PLACE, LW_TC_AGENCY_RAW, LW_TC_DEADLINE, LW_TC_CLOSED_AT,
	LW_TC_STATUS, LW_TC_RESOLVED, LW_TC_SATISFACTION, LW_TC_CALLER_HASH, LW_TC_CALLER_MASK,
	LW_TC_CALLER_NAME_HASH, LW_TC_LAW_ENFORCEMENT,
	LW_TC_AGENCY_ID, /* set by the store (ingest/agencies.c), not the mapper */
	LW_TC__COUNT
};

#define LW_REC_MAX_COLS 26 /* max(LW_CC__COUNT, LW_TC__COUNT) */

/* Column names as in the warehouse, for SQL and conflicts. */
const char *lw_case_col_name(enum lw_case_col c);
const char *lw_ticket_col_name(enum lw_ticket_col c);
/* Nonzero for INTEGER columns (bound as integers). */
int lw_rec_col_is_int(enum lw_target t, int col);

/* One problem with one cell. */
struct lw_field_error {
	int col;            /* 0-based column index in the source, -1: none */
	enum lw_field field;
	char *reason_zh;    /* for clerks */
	char *reason_en;
	char *value;        /* the cell as given (masked when personal) */
};

struct lw_rec_block;

/* A mapped row.  key, val[], agencies and agencies_raw live in the
 * record's own arena (freed or reused as a whole); errors and warnings
 * are malloc'd. */
struct lw_record {
	enum lw_target target;
	uint32_t row;          /* source row number (1-based as shown) */
	char *key;             /* case_no (normalised) or ticket_no */
	char *val[LW_REC_MAX_COLS];
	char **agencies;       /* cases: defendants (canonical); tickets: [0] = agency */
	char **agencies_raw;
	size_t nagencies;
	struct lw_field_error *errors;
	size_t nerrors;
	char **warnings;       /* accepted, but worth telling (outcome not understood) */
	size_t nwarnings;
	struct lw_rec_block *arena; /* see mapper.c */
	int mask_text;         /* the profile's mask_free_text */
	int64_t *agency_ids;   /* the store's: agencies.id of agencies[i], 0 = held */
	size_t capids;
	/* Byte lengths of key and val[] (lw_record_measure), so that the store
	 * binds them without SQLite measuring each again on the writer thread;
	 * measured = 0: not known. */
	int measured;
	uint32_t keylen;
	uint32_t vlen[LW_REC_MAX_COLS];
};

/* Empty r for the next row (its arena is kept for reuse). */
void lw_record_clear(struct lw_record *r);

/* Release everything r holds. */
void lw_record_free(struct lw_record *r);

/* Fill r's lengths (keylen, vlen[]; measured = 1).  The import's reader
 * thread calls it after mapping: the writer thread sets an import's pace,
 * the reader has time to spare. */
void lw_record_measure(struct lw_record *r);

/* How a file's columns map to a profile's fields. */
struct lw_mapping {
	const struct lw_profile *profile;
	int col[LW_F__COUNT];                        /* source column or -1 */
	const struct lw_profile_field *pf[LW_F__COUNT];
	int alt[LW_F__COUNT];                        /* a second column for the field, read
							when the first is empty, or -1 */
	size_t ncols;
	char **headers;                              /* copies, for messages */
	unsigned char *role;                         /* per column: LW_COL_* */
	char *unknown;                               /* headers nobody knows, "A, B" (masked)
							or NULL */
};

/* What a column is to the mapping (lw_mapping.role). */
enum {
	LW_COL_UNMAPPED = 0, /* unknown or ignored: never stored, never echoed */
	LW_COL_MAPPED,       /* feeds a field */
	LW_COL_PERSONAL,     /* a header of a personal field, under any alias */
};

/* Build the mapping for a header.  have_agency: the source supplies an
 * agency (drop-folder agency) that can fill default_from_source fields.
 * Fails (LW_EFORMAT) when a required field has no column; the message lists
 * the names accepted and the headers found, masked (lw_pii_mask_text) — or,
 * when the "header" looks like a row of data (an export without a header
 * row), says so and repeats none of it. */
int lw_mapping_build(const struct lw_profile *p, const char *const *headers, size_t n,
		     int have_agency, struct lw_mapping **out, struct lw_err *e);
void lw_mapping_free(struct lw_mapping *m);

/* Settings the mapper needs. */
struct lw_map_memo;

struct lw_map_ctx {
	const struct lw_pii_key *pii;            /* required when the profile has personal fields */
	const struct lw_agency_aliases *aliases; /* may be NULL */
	const char *source_agency;               /* drop-folder agency, or NULL */
	unsigned outcome_flags;                  /* LW_LOSS_* */
	int date_1904;                           /* Excel serials in the 1904 system */
	struct lw_map_memo *memo;                /* this file's answers so far, or NULL (memo.h) */
};

/* Map one row of cells (ncells strings) into r (cleared first).  Problems
 * go to r->errors; a record with errors must not be stored.  Returns 0, or
 * a negative code only for failures that are not the row's fault (memory). */
int lw_record_map(const struct lw_mapping *m, const struct lw_map_ctx *ctx, uint32_t row,
		  const char *const *cells, size_t ncells, struct lw_record *r);

#endif
