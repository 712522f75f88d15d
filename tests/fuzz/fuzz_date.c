/* Fuzz target: lw_date_parse.  Invariants: a parsed date is a real date
 * within range, and its ISO text parses back to the same date and time. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/date.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), iso[LW_DATE_ISO_MAX];
	struct lw_date a, b;
	unsigned flags = size ? data[0] & 3 : 0;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (lw_date_parse(s, flags, &a, NULL) == 0) {
		if (!lw_date_valid(a.y, a.m, a.d) || a.y < 1900 || a.y > 2199 || a.h < 0 || a.h > 23 || a.min < 0 ||
		    a.min > 59 || a.s < 0 || a.s > 59)
			abort();
		lw_date_format_iso(&a, iso);
		if (lw_date_parse(iso, LW_DATE_NO_SERIAL, &b, NULL) != 0 || lw_date_cmp(&a, &b) != 0 ||
		    a.has_time != b.has_time)
			abort();
		int iy, w;
		lw_date_iso_week(&a, &iy, &w);
		if (w < 1 || w > 53)
			abort();
	}
	free(s);
	return 0;
}
