/*
 * table_trace.h — what the table reader says about an input, reduced to a
 * hash, a row count and the error text, so that the differential fuzz
 * targets (fuzz_csv, fuzz_xlsx) can compare a fast path with the plain one.
 */
#ifndef LW_FUZZ_TABLE_TRACE_H
#define LW_FUZZ_TABLE_TRACE_H

#include <stddef.h>
#include <stdint.h>

struct table_trace {
	uint64_t h;
	size_t rows;
	char err[1100];
};

/* Read data through the public table API (small limits, so the fuzzer
 * reaches them) with *toggle set to value during the read; name gives the
 * format hint ("fuzz.csv").  Fills *t. */
void table_trace_run(const uint8_t *data, size_t size, const char *name, int *toggle, int value,
		     struct table_trace *t);

/* Read twice (toggle 0, then 1); abort with a message when they differ. */
void table_trace_compare(const uint8_t *data, size_t size, const char *name, int *toggle,
			 const char *what);

#endif
