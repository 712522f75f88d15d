/* Fuzz target: 12345 vocabularies and the PII normalisers/masks (no key).
 * Invariants: enums in range; a masked phone never holds more clear digits
 * than the rules allow (4 at the end + a 3-4 digit prefix); masking free
 * text never lengthens it and leaves no mobile number in clear (a run of
 * exactly 11 ASCII digits, 1[3-9]..., between non-alphanumerics). */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/pii.h"
#include "domain/vocab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A full-width digit (U+FF10..U+FF19) at s: the masker counts it as one. */
static int fullwidth_digit(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	return u[0] == 0xEF && u[1] == 0xBC && u[2] >= 0x90 && u[2] <= 0x99;
}

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
	if (lw_vocab_selfcheck(s) != 0) /* one-pass matcher == strstr per keyword */
		abort();
	if (lw_pii_mask_phone(s, out, sizeof out, NULL) == 0) {
		size_t clear = 0;
		for (const char *p = out; *p; p++)
			clear += *p >= '0' && *p <= '9';
		if (clear > 8 || (clear > 2 && !strchr(out, '*')))
			abort();
	}
	(void)lw_pii_mask_name(s, out, sizeof out, NULL);
	{
		char *t = strdup(s);
		if (t) {
			lw_pii_mask_text(t);
			if (strlen(t) > strlen(s))
				abort();
			for (size_t i = 0, n = strlen(t); i < n;) {
				size_t j = i;
				while (j < n && t[j] >= '0' && t[j] <= '9')
					j++;
				if (j - i == 11 && t[i] == '1' && t[i + 1] >= '3' &&
				    (i == 0 || !(isalnum((unsigned char)t[i - 1]) ||
						 (i >= 3 && fullwidth_digit(t + i - 3)))) &&
				    !isalnum((unsigned char)t[j]) && !fullwidth_digit(t + j))
					abort();
				i = j > i ? j : i + 1;
			}
			free(t);
		}
	}
	(void)lw_pii_normalize(LW_PII_NAME, s, norm, sizeof norm, NULL);
	free(s);
	return 0;
}
