/*
 * window.h — a window of rows read and mapped, packed for the writer:
 * its arena, packing a row, putting a window in key order, and a packed
 * row back as a record.  Used by pipe.c, which moves windows between its
 * two threads.  Internal to core/ingest/.
 */
#ifndef LW_INGEST_WINDOW_H
#define LW_INGEST_WINDOW_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "ingest/pipe.h"
#include "ingest/record.h"
#include "read/table.h"

#define LW_WIN_PREFETCH_AHEAD 4 /* rows fetched into the cache ahead of their use */

/* One mapped value of a packed row. */
struct lw_wval {
	uint32_t col, len;
	char *p;
};

/* A mapped row, packed into its window's arena. */
struct lw_wrow {
	uint32_t num, ncells, keylen, nvals;
	uint32_t nagencies, nerrors, nwarnings;
	uint32_t span;          /* bytes of the arena from this struct to the row's last value */
	int mask_text;
	enum lw_target target;
	char *key;
	const char **cells;
	struct lw_wval *vals;
	char **agencies, **agencies_raw;
	struct lw_field_error *errors; /* strings in the arena */
	char **warnings;
};

/* A row's place in its window, with the first 16 bytes of its key read
 * big-endian (zero-padded: keys hold no NUL), so that the sort compares
 * two integers and touches the row itself only past them. */
struct lw_wref {
	uint64_t k0, k1;
	struct lw_wrow *r;
};

struct lw_wblock {
	struct lw_wblock *next;
	size_t cap, used;
	char data[];
};

/* Blocks that rows are packed into; kept from window to window. */
struct lw_arena {
	struct lw_wblock *head, *cur;
	size_t bytes;           /* in use */
};

struct lw_window {
	int full;               /* 0: FREE, 1: FULL */
	int end;                /* the table ends after these rows */
	int rc;                 /* ... with this (LW_EEOF: normal end) */
	struct lw_err err;
	struct lw_wref *rows;      /* in the order the consumer gets them */
	size_t n, cap;
	struct lw_arena a;         /* the rows, in that order */
};

/* Empty a for the next window (its blocks are kept); free it. */
void lw_arena_reset(struct lw_arena *a);
void lw_arena_free(struct lw_arena *a);
/* Empty w for the next fill (its row table is kept); free it. */
void lw_win_reset(struct lw_window *w);
void lw_win_free(struct lw_window *w);

/* Pack row (its cells: those of columns map feeds from) and r (the row
 * mapped) into arena a, its place at the end of w's rows.  0, or -1 when
 * out of memory. */
int lw_win_pack(const struct lw_mapping *map, struct lw_window *w, struct lw_arena *a,
		const struct lw_row *row, const struct lw_record *r);

/* Put w's rows, packed in the file's order into scratch, in key order in
 * w's own arena (scratch is then free to be filled again).  0, or -1 when
 * out of memory. */
int lw_win_sort(struct lw_window *w, struct lw_arena *scratch);

/* Fetch packed row o into the cache ahead of its use (a hint). */
void lw_win_prefetch(const struct lw_wrow *o);

/* Make out the row of packed row o: values point into the window, errors
 * and warnings are copied (the consumer may add an error, and
 * lw_record_clear frees them).  0, or -1 when out of memory. */
int lw_win_unpack(const struct lw_wrow *o, struct lw_pipe_row *out);

#endif
