/*
 * fuzz_deadlines.c — the config's `deadlines` section as an operator
 * writes it: never crash, and every rule that parses computes an
 * obligation for a spread of case dates (both calendars, uncovered years)
 * whose state is consistent with its dates.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "deadlines/deadlines.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const dates[] = {"2024-09-20", "2024-09-27", "2025-01-24", "2027-12-30",
					    "2006-12-31", "2199-12-30", NULL};
	json_t *j = json_loadb((const char *)data, size, 0, NULL);
	struct lw_dl_conf *c = NULL;
	struct lw_diag d = {0};

	if (!j)
		return 0;
	json_object_del(j, "holidays_dir"); /* the fuzzer does not choose what is read */
	if (lw_dl_conf_parse(j, NULL, LW_SOURCE_DIR "/conf/holidays", &c, &d) == 0) {
		for (size_t i = 0; i < c->nrules; i++)
			for (size_t s = 0; s < sizeof dates / sizeof dates[0]; s++)
				for (size_t k = 0; k < sizeof dates / sizeof dates[0]; k++) {
					struct lw_dl_case dc = {.agency_lost = 1, .type_code = "行初",
								.outcome = "dismissed"};
					struct lw_obligation ob;
					const struct lw_dl_rule *r = &c->rules[i];
					dc.date[r->start] = dates[s];
					if (r->done >= 0)
						dc.date[r->done] = dates[k];
					if (!lw_dl_applies(r, &dc))
						continue;
					lw_dl_compute(r, c->cal, &dc, &ob);
					if ((ob.status == LW_OB_MET || ob.status == LW_OB_LATE) &&
					    (!ob.due[0] || !ob.done[0]))
						abort();
					if (ob.status == LW_OB_MET && strcmp(ob.done, ob.due) > 0)
						abort();
					if (ob.status == LW_OB_LATE && (strcmp(ob.done, ob.due) <= 0 ||
									ob.days_late <= 0))
						abort();
				}
		lw_dl_conf_unref(c);
	}
	lw_diag_free(&d);
	json_decref(j);
	return 0;
}
