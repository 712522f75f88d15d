/*
 * fuzz_profile.c — mapping profiles (operator-written JSON) through the
 * profile parser, then a header through the mapping it describes.
 */
#include <stdint.h>
#include <stdlib.h>

#include "ingest/profile.h"
#include "ingest/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const hdr[] = {"案号", "被告", "立案日期", "工单编号", "来电时间", "x"};
	struct lw_profile *p = NULL;
	struct lw_mapping *m = NULL;

	if (lw_profile_parse((const char *)data, size, "fuzz.json", &p, NULL) != 0) {
		if (p)
			abort(); /* a failed parse must not hand out a profile */
		return 0;
	}
	if (!p)
		abort(); /* success must hand out one (this once failed silently) */
	if (lw_mapping_build(p, hdr, 6, 1, &m, NULL) == 0)
		lw_mapping_free(m);
	lw_profile_free(p);
	return 0;
}
