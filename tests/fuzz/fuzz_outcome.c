/* Fuzz target: lw_outcome_classify and lw_outcome_agency_changed_act.
 * Invariant: the result is a valid enum whose name maps back to it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/outcome.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	enum lw_outcome o;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	o = lw_outcome_classify(s);
	if ((int)o < 0 || o >= LW_OUTCOME__COUNT || lw_outcome_from_name(lw_outcome_name(o)) != o)
		abort();
	(void)lw_outcome_agency_changed_act(s);
	free(s);
	return 0;
}
