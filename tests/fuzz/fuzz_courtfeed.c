/*
 * fuzz_courtfeed.c — the courtfeed plugin's readers of the court's answers
 * (plugins/courtfeed/pagination.c) on arbitrary bytes: a page's JSON with
 * its items/total/cursor/next-link pointers in every shape, and next-link
 * resolution.  Must never crash, leak, or resolve a link to another origin.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../plugins/courtfeed/courtfeed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The configured server, with or without a path after it. */
static int on_server(const char *u)
{
	static const char origin[] = "https://court.example:8443";
	size_t n = sizeof origin - 1;

	return !strncasecmp(u, origin, n) && (!u[n] || u[n] == '/' || u[n] == '?');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char base[] = "https://court.example:8443/api/v1/cases?updated_since=x";
	struct cf_shape sh = {0};
	struct cf_page_info pi;
	char err[512], *s, *out = NULL;

	sh.url = base;
	sh.items_pointer = "/items";
	sh.next_cursor_pointer = "/next_cursor";
	sh.total_pointer = "/total";
	sh.next_link_pointer = "/links/next";
	sh.page_size = 500;
	for (int p = CF_PAGE; p <= CF_CURSOR_TOKEN; p++) {
		sh.paging = (enum cf_paging)p;
		if (cf_parse_page(&sh, (const char *)data, size, base, &pi, err, sizeof err) == 0) {
			if (pi.next_link && !on_server(pi.next_link))
				abort(); /* the token would go to another server */
			cf_page_info_free(&pi);
		}
	}
	if (!(s = malloc(size + 1)))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (cf_resolve_link(base, s, &out) == 0) {
		if (!on_server(out))
			abort();
		free(out);
	}
	sh.items_pointer = s; /* an operator's pointer */
	sh.paging = CF_PAGE;
	if (cf_parse_page(&sh, "{\"items\":[],\"a\":{\"b\":[1,[2]]}}", 30, base, &pi, err,
			  sizeof err) == 0)
		cf_page_info_free(&pi);
	out = cf_url_for_log(s);
	free(out);
	(void)cf_valid_date(s);
	if (cf_first_url(&sh, s, 3, 0, &out) == 0)
		free(out);
	free(s);
	return 0;
}
