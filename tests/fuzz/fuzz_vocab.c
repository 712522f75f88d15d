/* Fuzz target: 12345 vocabularies and the PII normalisers/masks (no key).
 * Invariants: enums in range; a masked phone never holds more clear digits
 * than the rules allow (4 at the end + a 3-4 digit prefix). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/pii.h"
#include "domain/vocab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), out[LW_PII_MASK_MAX], norm[600];

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (lw_ticket_category_parse(s) >= LW_CAT__COUNT || lw_ticket_status_parse(s) >= LW_STATUS__COUNT ||
	    lw_satisfaction_parse(s, size ? data[0] % 120 : 0) >= LW_SAT__COUNT)
		abort();
	(void)lw_enforcement_keyword(s);
	if (lw_pii_mask_phone(s, out, sizeof out, NULL) == 0) {
		size_t clear = 0;
		for (const char *p = out; *p; p++)
			clear += *p >= '0' && *p <= '9';
		if (clear > 8 || (clear > 2 && !strchr(out, '*')))
			abort();
	}
	(void)lw_pii_mask_name(s, out, sizeof out, NULL);
	(void)lw_pii_normalize(LW_PII_NAME, s, norm, sizeof norm, NULL);
	free(s);
	return 0;
}
