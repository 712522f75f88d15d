/* Fuzz target: agency name normalisation, co-defendant split and the alias
 * table.  Invariants: normalisation is idempotent; every split part looks
 * itself up after being added. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/agency.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), n1[LW_AGENCY_NAME_MAX + 1], n2[LW_AGENCY_NAME_MAX + 1];
	char **names = NULL;
	size_t count = 0;
	struct lw_agency_aliases *t;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (lw_agency_normalize(s, n1, sizeof n1, NULL) == 0) {
		if (lw_agency_normalize(n1, n2, sizeof n2, NULL) != 0 || strcmp(n1, n2) != 0)
			abort();
	}
	if (lw_agency_split(s, &names, &count, NULL) == 0 && (t = lw_agency_aliases_new()) != NULL) {
		for (size_t i = 0; i < count; i++)
			lw_agency_aliases_add(t, names[i], names[0], i % 2 ? LW_ALIAS_CONFIG : LW_ALIAS_LEARNED, NULL);
		for (size_t i = 0; i < count; i++)
			if (!lw_agency_aliases_lookup(t, names[i]))
				abort();
		lw_agency_aliases_free(t);
		lw_agency_names_free(names, count);
	}
	free(s);
	return 0;
}
