/* fuzz_xlsx.c — libFuzzer target for the XLSX reader: zip, workbook,
 * styles, shared strings and the streaming sheet parser, through the
 * public table API over a memory buffer.
 *
 * Differential: every input is read twice, with the fast worksheet scanner
 * (xlsx_scan.c) and with expat only, and the two must agree on every
 * header name, row and error.  An input that is not a zip is first
 * wrapped as the sheet XML of a minimal workbook, so that the fuzzer
 * mutates XML directly instead of deflate streams. */
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "read_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Everything the reader says, as one string (FNV-1a hashed as it goes, and
 * the error text kept), so that two runs compare cheaply. */
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

static void run(const uint8_t *data, size_t size, int expat_only, struct trace *t)
{
	/* Small limits so that the fuzzer reaches them quickly. */
	struct lw_table_opts o = {.max_cell_bytes = 4096, .max_cols = 256, .header_scan = 8};
	struct lw_table *tb = NULL;
	struct lw_err e = {0};
	struct lw_row r;
	int rc, n = 0;

	memset(t, 0, sizeof *t);
	t->h = 1469598103934665603u;
	lw_xlsx_expat_only = expat_only;
	if (lw_table_open_mem(data, size, "fuzz.xlsx", &o, &tb, &e) != 0) {
		snprintf(t->err, sizeof t->err, "open: %s", e.msg);
		lw_xlsx_expat_only = 0;
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
	lw_xlsx_expat_only = 0;
}

static const char wb_xml[] =
    "<workbook xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
    "<sheets><sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";

/* A workbook whose only sheet is data[0..size) (stored, not deflated). */
static void *wrap(const uint8_t *data, size_t size, size_t *len)
{
	zip_error_t ze;
	zip_source_t *src;
	zip_t *z;
	zip_stat_t st;
	zip_int64_t idx;
	void *out = NULL;

	zip_error_init(&ze);
	if (!(src = zip_source_buffer_create(NULL, 0, 0, &ze)))
		goto done;
	zip_source_keep(src);
	if (!(z = zip_open_from_source(src, ZIP_TRUNCATE, &ze))) {
		zip_source_free(src);
		src = NULL;
		goto done;
	}
	zip_file_add(z, "xl/workbook.xml", zip_source_buffer(z, wb_xml, sizeof wb_xml - 1, 0), 0);
	idx = zip_file_add(z, "xl/worksheets/sheet1.xml", zip_source_buffer(z, data, size, 0), 0);
	if (idx >= 0)
		zip_set_file_compression(z, (zip_uint64_t)idx, ZIP_CM_STORE, 0);
	if (zip_close(z) != 0) {
		zip_discard(z);
		goto done;
	}
	if (zip_source_stat(src, &st) != 0 || !(out = malloc(st.size ? st.size : 1)))
		goto done;
	*len = (size_t)st.size;
	if (zip_source_open(src) != 0) {
		free(out);
		out = NULL;
		goto done;
	}
	if (zip_source_read(src, out, *len) != (zip_int64_t)*len) {
		free(out);
		out = NULL;
	}
	zip_source_close(src);
done:
	if (src)
		zip_source_free(src);
	zip_error_fini(&ze);
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace fast, slow;
	void *x = NULL;
	size_t len = size;

	if (!(size >= 2 && data[0] == 'P' && data[1] == 'K')) {
		if (!(x = wrap(data, size, &len)))
			return 0;
		data = x;
	}
	run(data, len, 0, &fast);
	run(data, len, 1, &slow);
	if (fast.h != slow.h || fast.rows != slow.rows || strcmp(fast.err, slow.err)) {
		fprintf(stderr, "fast scanner and expat differ: rows %zu vs %zu, '%s' vs '%s'\n",
			fast.rows, slow.rows, fast.err, slow.err);
		abort();
	}
	free(x);
	return 0;
}
