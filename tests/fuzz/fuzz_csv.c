/* fuzz_csv.c — libFuzzer target for the CSV reader: encoding detection,
 * delimiter sniffing, header detection and the record parser, through the
 * public table API over a memory buffer.
 *
 * Differential: every input is read twice, with the whole-record fast path
 * (csv.c, lw_rawrow_split) and with the byte-wise parser only, and the two
 * must agree on every header name, row and error. */
#include <stdint.h>
#include <stddef.h>

#include "read/read_int.h"
#include "table_trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	table_trace_compare(data, size, "fuzz.csv", &lw_csv_slow_only,
			    "fast path and byte-wise parser");
	return 0;
}
