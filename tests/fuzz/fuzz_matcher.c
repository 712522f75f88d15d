/*
 * fuzz_matcher.c — label matchers as typed after `litwatch alerts silence
 * --match` and written in a sink's `match` list, plus the period labels
 * stored with alerts: never crash, and what parses must match consistently.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/alerts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct lw_matcher m;
	int64_t p;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (lw_matcher_parse(s, &m, NULL) == 0) {
		json_t *l = json_object();
		/* A label set holding exactly the value matches "=" and not "!=". */
		json_object_set_new(l, m.name, json_string(m.value));
		if (lw_matchers_match(&m, 1, l) == m.negate)
			abort();
		json_decref(l);
		lw_matcher_clear(&m);
	}
	for (int f = LW_FREQ_MONTH; f <= LW_FREQ_WEEK; f++)
		if (lw_period_parse((enum lw_freq)f, s, &p) == 0) {
			char buf[32], legacy[48];
			lw_period_label((enum lw_freq)f, p, buf, sizeof buf);
			/* A quarter stored before schema 7 reads as 2024-Q3 for 2024Q3. */
			snprintf(legacy, sizeof legacy, "%.4s-%s", buf, buf + 4);
			if (strcmp(buf, s) && !(f == LW_FREQ_QUARTER && !strcmp(legacy, s)))
				abort();
		}
	lw_utc_parse(s, &p);
	free(s);
	return 0;
}
