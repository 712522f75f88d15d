/*
 * read_int.h — what the format backends (csv.c, xlsx.c, xls.c) share with
 * the format-neutral front end (table.c, header.c).  Not installed; nothing
 * outside core/read/ includes it.
 *
 * A backend delivers raw rows (every physical row, titles and totals
 * included) into a struct lw_rawrow; the front end finds the header, skips
 * empty and total rows and hands out struct lw_row.
 */
#ifndef LW_READ_INT_H
#define LW_READ_INT_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "read/table.h"

/* Limits resolved from lw_table_opts (defaults filled in). */
struct lw_read_limits {
	size_t max_cell_bytes;
	size_t max_cols;
	uint64_t max_part_bytes;
	unsigned max_ratio;
	size_t max_sst_bytes;
	unsigned header_scan;
};

/* A row as read: cells stored back to back in buf, each NUL-terminated, at
 * off[i] with length len[i].  Offsets, not pointers, because buf grows. */
struct lw_rawrow {
	uint32_t num;    /* 1-based row number as the sheet shows it */
	size_t ncols;
	char *buf;
	size_t used, cap;
	size_t *off, *len;
	size_t ccap;
	int in_cell;     /* a cell was begun and not yet ended */
	const struct lw_read_limits *lim;
};

void lw_rawrow_init(struct lw_rawrow *r, const struct lw_read_limits *lim);
void lw_rawrow_free(struct lw_rawrow *r);
void lw_rawrow_clear(struct lw_rawrow *r, uint32_t num);
/* Begin cell `col` (0-based, >= ncols); skipped columns become "".  Returns
 * LW_ELIMIT past max_cols, LW_ENOMEM. */
int lw_rawrow_begin(struct lw_rawrow *r, size_t col);
/* Append bytes to the cell begun last; LW_ELIMIT past max_cell_bytes. */
int lw_rawrow_append(struct lw_rawrow *r, const char *s, size_t n);
/* NUL-terminate the cell begun last. */
int lw_rawrow_end(struct lw_rawrow *r);
/* begin + append + end. */
int lw_rawrow_add(struct lw_rawrow *r, size_t col, const char *s, size_t n);
/* Pad with "" up to ncols cells. */
int lw_rawrow_pad(struct lw_rawrow *r, size_t ncols);
static inline const char *lw_rawrow_cell(const struct lw_rawrow *r, size_t i)
{
	return r->buf + r->off[i];
}
/* Fill an empty row with the fields of the line s[0..n) split at every
 * `delim`, unquoting simply quoted fields ("a,b", doubled quotes).  When
 * the line needs more (a CR, a quote inside an unquoted field, text after
 * a closing quote, a quoted line break) or a limit might be hit, returns
 * LW_ELIMIT with the row left empty: the caller then takes the full
 * parser, which gives the same result and names the cell over a limit.
 * LW_EINVAL when the row is not empty. */
int lw_rawrow_split(struct lw_rawrow *r, const char *s, size_t n, char delim);
/* Exchange the contents of two rows (no copying). */
void lw_rawrow_swap(struct lw_rawrow *a, struct lw_rawrow *b);

/* A merged range, 0-based inclusive, rows 1-based as everywhere else. */
struct lw_merge {
	uint32_t r1, r2;
	uint32_t c1, c2;
};

struct lw_read_src;

/* Backend: next() fills row with the next physical row and returns 0,
 * LW_EEOF at the end, or a negative code with e set (the message need not
 * name the file: the front end prefixes it). */
struct lw_read_backend {
	int (*next)(void *st, struct lw_rawrow *row, struct lw_err *e);
	void (*close)(void *st);
	/* Optional (xlsx): fill src->merges with the header-area merged
	 * ranges.  Called by the front end, after the first rows were read,
	 * only when lw_header_needs_merges() says they could matter: for
	 * xlsx it means inflating the whole sheet a second time. */
	int (*merges)(void *st, struct lw_read_src *src, struct lw_err *e);
};

/* What a backend's open fills in. */
struct lw_read_src {
	const struct lw_read_backend *be;
	void *st;
	char encoding[32];
	char *sheet;             /* malloc'ed, may be NULL */
	char delimiter;
	struct lw_merge *merges; /* malloc'ed, header-area merges only */
	size_t nmerges;
};

/* Input bytes: either a memory buffer or an open file read in chunks. */
struct lw_read_input {
	const unsigned char *mem;  /* memory input, or NULL */
	size_t memlen;
	int fd;                    /* file input: an open regular file, read only
				      with pread or through a dup the backend
				      owns (never by its path, which a clerk can
				      swap: design.md §12); -1 for memory */
	const char *name;          /* for messages */
};

/* Tests and fuzz targets only: nonzero makes the xlsx backend parse every
 * sheet with expat, never trying the fast scanner (xlsx_scan.c), so that
 * both paths can be compared on the same input. */
extern int lw_xlsx_expat_only;
/* Likewise for CSV: nonzero skips the whole-record fast path (csv.c). */
extern int lw_csv_slow_only;

int lw_csv_open(const struct lw_read_input *in, const struct lw_table_opts *o,
		const struct lw_read_limits *lim, struct lw_read_src *src, struct lw_err *e);
int lw_xlsx_open(const struct lw_read_input *in, const struct lw_table_opts *o,
		 const struct lw_read_limits *lim, struct lw_read_src *src, struct lw_err *e);
int lw_xls_open(const struct lw_read_input *in, const struct lw_table_opts *o,
		const struct lw_read_limits *lim, struct lw_read_src *src, struct lw_err *e);

/* numfmt.c — cell values as the user sees them. */
enum lw_numkind { LW_NUM_PLAIN = 0, LW_NUM_DATE, LW_NUM_DATETIME, LW_NUM_TIME };
/* Kind of an Excel number format: built-in id, or the custom format code
 * (code may be NULL for built-ins). */
enum lw_numkind lw_numfmt_kind(int id, const char *code);
/* Shortest decimal that reads back as v, never with an exponent.  out must
 * hold 352 bytes (the longest plain rendering of a double).  Returns length. */
size_t lw_fmt_number(double v, char *out);
/* Serial date (1900 or 1904 system) as ISO text per kind; returns length, or
 * 0 when the serial is out of range (caller falls back to the number). */
size_t lw_fmt_serial(double serial, int date1904, enum lw_numkind kind, char out[32]);

/* header.c — find the header among the first rows and join its names. */
struct lw_header {
	uint32_t row;      /* first header line, 1-based; 0 if none */
	unsigned nlines;   /* 1 or 2 */
	size_t first_data; /* index in the scanned rows of the first row after the header */
	size_t ncols;
	char **names;      /* ncols malloc'ed strings */
};
int lw_header_detect(struct lw_rawrow *rows, size_t nrows, const struct lw_merge *m,
		     size_t nm, struct lw_header *h, struct lw_err *e);
void lw_header_free(struct lw_header *h);
/* Nonzero for rows the caller should drop: all cells blank, or a total row
 * (first non-blank cell, in column A or B, starts with 合计/总计/小计). */
/* Could merged ranges change what lw_header_detect() finds in these rows?
 * Only merges starting on a header line matter, and they only fill empty
 * header cells or join a second header line.  A one-line header (the row
 * after it is not a header candidate: missing, not adjacent, or holding a
 * number or date) with no empty name cannot be changed by any merge, so
 * the merge information is not needed.  Nonzero when it might be. */
int lw_header_needs_merges(const struct lw_rawrow *rows, size_t nrows);
int lw_row_is_blank(const struct lw_rawrow *r);
int lw_row_is_total(const struct lw_rawrow *r);
/* Nonzero for a form's footer line: its first non-blank cell is a
 * signature label (填表人：, 审核人：, 填报单位（盖章）, 制表日期 …). */
int lw_row_is_footer(const struct lw_rawrow *r);

#endif
