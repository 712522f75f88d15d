/* fuzz_xlsx.c — libFuzzer target for the XLSX reader: zip, workbook,
 * styles, shared strings and the streaming sheet parser, through the
 * public table API over a memory buffer. */
#include <stdint.h>
#include <stddef.h>

#include "table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Small limits so that the fuzzer reaches them quickly. */
	struct lw_table_opts o = {.max_cell_bytes = 4096, .max_cols = 256, .header_scan = 8};
	struct lw_table *t = NULL;
	struct lw_err e = {0};
	struct lw_row r;
	int n = 0;

	if (lw_table_open_mem(data, size, "fuzz.xlsx", &o, &t, &e) != 0)
		return 0;
	(void)lw_table_encoding(t);
	for (size_t i = 0; i < lw_table_ncols(t); i++)
		(void)lw_table_colname(t, i);
	while (lw_table_next(t, &r, &e) == 0 && n++ < 100000)
		for (size_t i = 0; i < r.ncols; i++)
			(void)r.cells[i][r.lens[i]];
	lw_table_close(t);
	return 0;
}
