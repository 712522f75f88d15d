/*
 * redact.c — URL redaction for logs (see redact.h).
 */
#include "base/redact.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- redaction ---- */

static int is_secret(const char *name, size_t n, const char *const *list)
{
	static const char *const defaults[] = {
		"token", "access_token", "key", "apikey", "api_key", "secret", "password",
		"passwd", "pwd", "sig", "signature", "auth", NULL,
	};
	for (const char *const *l = list ? list : defaults; *l; l++)
		if (strlen(*l) == n && !strncasecmp(*l, name, n))
			return 1;
	return 0;
}

char *lw_url_redact(const char *url, const char *const *secret_params)
{
	static const char red[] = "REDACTED";
	const char *scheme_end, *auth, *auth_end, *at, *q, *frag, *end;
	char *out, *w;
	size_t len;

	if (!url)
		return strdup("(none)");
	len = strlen(url);
	frag = strchr(url, '#');
	end = frag ? frag : url + len;
	/* Worst case: every parameter value replaced by "REDACTED". */
	out = malloc(len + 1 + (len / 2 + 1) * sizeof red);
	if (!out)
		return NULL;
	w = out;
	scheme_end = strstr(url, "://");
	auth = scheme_end && scheme_end < end ? scheme_end + 3 : url;
	auth_end = auth + strcspn(auth, "/?#");
	/* userinfo ends at the last '@' of the authority */
	at = NULL;
	for (const char *p = auth; p < auth_end; p++)
		if (*p == '@')
			at = p;
	memcpy(w, url, (size_t)(auth - url));
	w += auth - url;
	if (at)
		auth = at + 1;
	q = memchr(auth, '?', (size_t)(end - auth));
	if (!q)
		q = end;
	memcpy(w, auth, (size_t)(q - auth));
	w += q - auth;
	if (q < end) {
		const char *p = q + 1;
		*w++ = '?';
		while (p <= end) {
			const char *amp = memchr(p, '&', (size_t)(end - p));
			const char *pe = amp ? amp : end, *eq = memchr(p, '=', (size_t)(pe - p));
			if (eq && is_secret(p, (size_t)(eq - p), secret_params)) {
				memcpy(w, p, (size_t)(eq + 1 - p));
				w += eq + 1 - p;
				memcpy(w, red, sizeof red - 1);
				w += sizeof red - 1;
			} else {
				memcpy(w, p, (size_t)(pe - p));
				w += pe - p;
			}
			if (!amp)
				break;
			*w++ = '&';
			p = amp + 1;
		}
	}
	*w = '\0';
	return out;
}
