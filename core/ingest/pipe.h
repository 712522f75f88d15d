/*
 * pipe.h — a table read and mapped on a second thread, row by row, while
 * the caller stores the rows.  Internal to core/ingest/.
 *
 * Rows come in the file's order, except for a work-order export (profile
 * target tickets): sorted by key within windows of up to 65 536 rows, and
 * rows of equal keys in the file's order (pipe.c says why).
 */
#ifndef LW_INGEST_PIPE_H
#define LW_INGEST_PIPE_H

#include "ingest/record.h"
#include "read/table.h"

struct lw_pipe_row {
	uint32_t num;             /* source row number */
	const char *const *cells; /* a copy of the row's cells; those of columns the
				     mapping does not feed from are "" */
	size_t ncells;
	struct lw_record rec;     /* the row mapped through the profile */
};

struct lw_pipe;

/* Start reading tab and mapping its rows with map and ctx on a thread.
 * tab, map and ctx must outlive the pipe and not be used by the caller
 * until lw_pipe_free. */
int lw_pipe_start(struct lw_table *tab, const struct lw_mapping *map,
		  const struct lw_map_ctx *ctx, struct lw_pipe **out, struct lw_err *e);

/* The next row, valid (and the caller's to change) until the next call.  Returns 0, LW_EEOF at the
 * end of the table, or the reader's error (message in e). */
int lw_pipe_next(struct lw_pipe *p, struct lw_pipe_row **row, struct lw_err *e);

/* The same rows a window at a time, for a caller that makes several passes
 * over them: *n rows of the next window (its rows are valid until the next
 * call), read with lw_pipe_row.  Returns 0 (*n > 0), LW_EEOF after the
 * last window, or the reader's error.  Use either this or lw_pipe_next for
 * a pipe, not both. */
int lw_pipe_window(struct lw_pipe *p, size_t *n, struct lw_err *e);
/* Row i (< *n) of the window lw_pipe_window gave, valid (and the caller's
 * to change) until the next call of either. */
int lw_pipe_row(struct lw_pipe *p, size_t i, struct lw_pipe_row **row, struct lw_err *e);

/* Work for whichever thread would otherwise wait for the other: the
 * reader when both windows are full (the caller is the slower), the caller
 * when the next window is not ready (the reader is).  fn(ud) does one
 * bounded piece (about a millisecond) and returns nonzero when there is no
 * more; it runs on either thread, never on both at once.  A file's hash
 * thus costs neither side's time (ingest.c). */
void lw_pipe_idle(struct lw_pipe *p, int (*fn)(void *ud), void *ud);
/* No more idle work from now on; returns once a piece in progress ended
 * (then ud is the caller's alone again).  NULL is accepted. */
void lw_pipe_idle_stop(struct lw_pipe *p);

/* Nonzero when rows come sorted by key (not in the file's order). */
int lw_pipe_sorted(const struct lw_pipe *p);

/* Stop the thread (wherever it is) and free everything. */
void lw_pipe_free(struct lw_pipe *p);

#endif
