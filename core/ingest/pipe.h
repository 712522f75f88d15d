/*
 * pipe.h — a table read and mapped on a second thread, row by row, in
 * order, while the caller stores the rows.  Internal to core/ingest/.
 */
#ifndef LW_INGEST_PIPE_H
#define LW_INGEST_PIPE_H

#include "ingest/record.h"
#include "read/table.h"

struct lw_pipe_row {
	uint32_t num;             /* source row number */
	const char *const *cells; /* a copy of the row's cells */
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

/* Stop the thread (wherever it is) and free everything. */
void lw_pipe_free(struct lw_pipe *p);

#endif
