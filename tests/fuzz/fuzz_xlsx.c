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
#include <stdlib.h>
#include <zip.h>

#include "read/read_int.h"
#include "table_trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	void *x = NULL;
	size_t len = size;

	if (!(size >= 2 && data[0] == 'P' && data[1] == 'K')) {
		if (!(x = wrap(data, size, &len)))
			return 0;
		data = x;
	}
	table_trace_compare(data, len, "fuzz.xlsx", &lw_xlsx_expat_only, "fast scanner and expat");
	free(x);
	return 0;
}
