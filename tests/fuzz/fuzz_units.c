/*
 * fuzz_units.c — duration and size parsing on arbitrary text: must never
 * overflow or read past the terminator.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/units.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	int64_t v;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (lw_parse_duration(s, &v) == 0 && v < 0)
		abort();
	if (lw_parse_size(s, &v) == 0 && v < 0)
		abort();
	free(s);
	return 0;
}
