/* Fuzz target: lw_casenum_parse.  Invariant: a parsed number's normalised
 * text parses again to the same fields (normalisation is idempotent). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/casenum.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct lw_casenum a, b;
	struct lw_err e = {0};

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (lw_casenum_parse(s, &a, &e) == 0) {
		if (lw_casenum_parse(a.norm, &b, &e) != 0 || strcmp(a.norm, b.norm) != 0 || a.year != b.year ||
		    a.sequence != b.sequence || strcmp(a.court, b.court) != 0 || strcmp(a.type, b.type) != 0 ||
		    strcmp(a.special, b.special) != 0 || a.level != b.level || a.sequence < 1)
			abort();
	}
	free(s);
	return 0;
}
