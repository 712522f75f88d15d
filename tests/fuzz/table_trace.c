/*
 * table_trace.c — see table_trace.h.
 */
#include "table_trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "read/read_int.h"

/* FNV-1a over everything the reader says, with a separator per item. */
static void mix(struct table_trace *t, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++)
		t->h = (t->h ^ s[i]) * 1099511628211u;
	t->h = (t->h ^ 0xFF) * 1099511628211u;
}

void table_trace_run(const uint8_t *data, size_t size, const char *name, int *toggle, int value,
		     struct table_trace *t)
{
	struct lw_table_opts o = {.max_cell_bytes = 4096, .max_cols = 256, .header_scan = 8};
	struct lw_table *tb = NULL;
	struct lw_err e = {0};
	struct lw_row r;
	int rc, n = 0;

	memset(t, 0, sizeof *t);
	t->h = 1469598103934665603u;
	*toggle = value;
	if (lw_table_open_mem(data, size, name, &o, &tb, &e) != 0) {
		snprintf(t->err, sizeof t->err, "open: %s", e.msg);
		*toggle = 0;
		return;
	}
	if (lw_table_encoding(tb))
		mix(t, lw_table_encoding(tb), strlen(lw_table_encoding(tb)));
	for (size_t i = 0; i < lw_table_ncols(tb); i++)
		mix(t, lw_table_colname(tb, i), strlen(lw_table_colname(tb, i)));
	while ((rc = lw_table_next(tb, &r, &e)) == 0 && n++ < 100000) {
		mix(t, &r.num, sizeof r.num);
		for (size_t i = 0; i < r.ncols; i++)
			mix(t, r.cells[i], r.lens[i] + 1); /* the NUL too */
		t->rows++;
	}
	if (rc != 0 && rc != LW_EEOF)
		snprintf(t->err, sizeof t->err, "next: %s", e.msg);
	lw_table_close(tb);
	*toggle = 0;
}

void table_trace_compare(const uint8_t *data, size_t size, const char *name, int *toggle,
			 const char *what)
{
	struct table_trace a, b;

	table_trace_run(data, size, name, toggle, 0, &a);
	table_trace_run(data, size, name, toggle, 1, &b);
	if (a.h != b.h || a.rows != b.rows || strcmp(a.err, b.err)) {
		fprintf(stderr, "%s differ: rows %zu vs %zu, '%s' vs '%s'\n", what, a.rows, b.rows,
			a.err, b.err);
		abort();
	}
}
