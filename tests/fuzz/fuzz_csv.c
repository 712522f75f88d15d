/* fuzz_csv.c — libFuzzer target for the CSV reader: encoding detection,
 * delimiter sniffing, header detection and the record parser, through the
 * public table API over a memory buffer.
 *
 * Differential: every input is read twice, with the whole-record fast path
 * (csv.c, lw_rawrow_split) and with the byte-wise parser only, and the two
 * must agree on every header name, row and error. */
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "read_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct trace {
	uint64_t h;
	size_t rows;
	char err[1100];
};

static void mix(struct trace *t, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++)
		t->h = (t->h ^ s[i]) * 1099511628211u;
	t->h = (t->h ^ 0xFF) * 1099511628211u; /* separator */
}

static void run(const uint8_t *data, size_t size, int slow_only, struct trace *t)
{
	/* Small limits so that the fuzzer reaches them quickly. */
	struct lw_table_opts o = {.max_cell_bytes = 4096, .max_cols = 256, .header_scan = 8};
	struct lw_table *tb = NULL;
	struct lw_err e = {0};
	struct lw_row r;
	int rc, n = 0;

	memset(t, 0, sizeof *t);
	t->h = 1469598103934665603u;
	lw_csv_slow_only = slow_only;
	if (lw_table_open_mem(data, size, "fuzz.csv", &o, &tb, &e) != 0) {
		snprintf(t->err, sizeof t->err, "open: %s", e.msg);
		lw_csv_slow_only = 0;
		return;
	}
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
	lw_csv_slow_only = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace fast, slow;

	run(data, size, 0, &fast);
	run(data, size, 1, &slow);
	if (fast.h != slow.h || fast.rows != slow.rows || strcmp(fast.err, slow.err)) {
		fprintf(stderr, "fast path and byte-wise parser differ: rows %zu vs %zu, '%s' vs '%s'\n",
			fast.rows, slow.rows, fast.err, slow.err);
		abort();
	}
	return 0;
}
