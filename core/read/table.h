/*
 * core/read/: the tabular readers (CSV, XLSX, XLS) behind one streaming
 * API, this header; what offices send, as it is.
 *
 * table.h — streaming reader for the tables clerks send us: CSV (any of the
 * encodings Chinese offices produce), XLSX and legacy XLS (BIFF8).
 *
 * One API for all three: open a file or a memory buffer, look at the detected
 * header (title rows above it skipped, a two-row merged header joined as
 * "审理情况/结案日期"), then pull data rows one at a time as UTF-8 text, the
 * way the user sees the cells in Excel.  Total rows (合计/总计/小计) and empty
 * rows are skipped.  Memory stays constant in the file size: nothing but the
 * .xlsx shared-string table is kept (and that is capped), except for .xls,
 * which freexl loads whole (BIFF8 sheets are capped at 65536 rows anyway).
 *
 * Errors follow err.h: 0 or a negative LW_E* code, details in struct lw_err
 * naming the file, sheet, row and column.
 */
#ifndef LW_READ_TABLE_H
#define LW_READ_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

enum lw_table_format {
	LW_TABLE_UNKNOWN = 0,
	LW_TABLE_CSV = 1,
	LW_TABLE_XLSX = 2,
	LW_TABLE_XLS = 3,
};

/* Options; zero-initialise and set what you need.  Every 0 means "default". */
struct lw_table_opts {
	const char *encoding;   /* CSV: iconv name ("GB18030", "UTF-16LE"...); NULL = detect */
	const char *sheet_name; /* workbook sheet by name; wins over sheet_index */
	int sheet_index;        /* 1-based sheet number; 0 = first visible sheet */
	char delimiter;         /* CSV: ',', '\t', ';', '|'; 0 = sniff */
	size_t max_cell_bytes;  /* longest cell accepted (default 8 MiB) */
	size_t max_cols;        /* widest row accepted (default 16384, Excel's limit) */
	uint64_t max_part_bytes;/* xlsx: largest uncompressed zip member (default 4 GiB) */
	unsigned max_ratio;     /* xlsx: largest compression ratio of a member > 1 MiB (default 500) */
	size_t max_sst_bytes;   /* xlsx: cap on the shared-string table (default 256 MiB) */
	unsigned header_scan;   /* rows looked at to find the header (default 30) */
};

/* One data row.  Everything it points to belongs to the reader and is valid
 * until the next lw_table_next() or lw_table_close(). */
struct lw_row {
	uint32_t num;              /* row number as the spreadsheet shows it (1-based) */
	size_t ncols;              /* >= the header's column count (short rows are padded with "") */
	const char *const *cells;  /* ncols NUL-terminated UTF-8 strings, never NULL */
	const size_t *lens;        /* their lengths in bytes */
};

struct lw_table;

/* Open `path`, detect its format (by content, not by name), select the sheet,
 * and read up to header_scan rows to find the header.  On success *out owns
 * the open file; release it with lw_table_close().  On failure *out is NULL and
 * e says why ("encrypted workbook: save it without a password", ...). */
int lw_table_open(const char *path, const struct lw_table_opts *opts,
		  struct lw_table **out, struct lw_err *e);

/* As lw_table_open() over an open file: the way to read a file that a
 * hostile user may swap or relink under its path (design.md §12).  Every
 * byte comes through fd (pread, or a duplicate of fd the reader owns); the
 * path is never opened again.  fd must be a regular file; it is not closed
 * and its offset is shared with the reader's duplicate, so the caller must
 * read it only with pread.  The caller may close fd once this returns.
 * name is used in messages only (may be NULL). */
int lw_table_open_fd(int fd, const char *name, const struct lw_table_opts *opts,
		     struct lw_table **out, struct lw_err *e);

/* As lw_table_open() over buf[0..len).  The buffer is not copied: it must stay
 * valid and unchanged until lw_table_close().  name_hint (may be NULL) is only
 * used in messages and to word the error for a misnamed file. */
int lw_table_open_mem(const void *buf, size_t len, const char *name_hint,
		      const struct lw_table_opts *opts, struct lw_table **out,
		      struct lw_err *e);

/* Close and free everything; NULL is allowed. */
void lw_table_close(struct lw_table *t);

/* Pull the next data row into *row.  Returns 0 with a row, LW_EEOF at the end
 * (not an error; e untouched), or a negative code with e naming file, sheet,
 * row and column.  After an error the reader only returns that error again. */
int lw_table_next(struct lw_table *t, struct lw_row *row, struct lw_err *e);

/* What was detected.  Strings belong to the reader (valid until close). */
enum lw_table_format lw_table_format(const struct lw_table *t);
const char *lw_table_format_name(enum lw_table_format f); /* "csv", "xlsx", "xls" */
const char *lw_table_encoding(const struct lw_table *t);  /* "UTF-8", "GB18030", "UTF-16LE"... */

/* A government form's footer lines under the table (填表人：…, 审核人：,
 * 负责人：, 填报单位（盖章）, 制表日期 …) are skipped as totals are, never
 * handed out as rows.  How many were skipped so far; *rows gets the row
 * numbers of the first LW_TABLE_FOOTER_MAX. */
#define LW_TABLE_FOOTER_MAX 16
size_t lw_table_footer_rows(const struct lw_table *t, const uint32_t **rows);
const char *lw_table_sheet(const struct lw_table *t);     /* sheet name; NULL for CSV */
char lw_table_delimiter(const struct lw_table *t);        /* CSV delimiter; 0 otherwise */

/* Header: the 1-based row of its first line and how many lines it spans
 * (1 or 2; 0 when the file holds no rows at all). */
uint32_t lw_table_header_row(const struct lw_table *t, unsigned *nlines);
size_t lw_table_ncols(const struct lw_table *t);
/* Name of column i (0-based): UTF-8, full-width ASCII folded, trimmed; two
 * header lines joined with '/'.  May be "" for an unnamed column.  NULL when
 * i >= lw_table_ncols(). */
const char *lw_table_colname(const struct lw_table *t, size_t i);

/* Spreadsheet letter of the 0-based column index: 0 -> "A", 25 -> "Z",
 * 26 -> "AA".  Writes into buf (at least 8 bytes) and returns it. */
char *lw_col_letter(size_t idx, char buf[8]);

#endif
