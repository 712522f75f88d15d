/* Fuzz target: lw_outcome_classify(_case) and lw_outcome_agency_changed_act.
 * Invariants: the result is a valid enum whose name maps back to it; a 行审
 * is never a loss. */
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
	{
		static const char *const types[] = {"行初", "行终", "行审", "行再", NULL};
		const char *type = types[size ? data[0] % 5 : 4];
		o = lw_outcome_classify_case(s, type);
		if ((int)o < 0 || o >= LW_OUTCOME__COUNT)
			abort();
		if (type && !strcmp(type, "行审") && lw_outcome_is_loss(o, ~0u))
			abort();
	}
	free(s);
	return 0;
}
