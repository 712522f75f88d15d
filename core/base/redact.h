/*
 * redact.h — URLs fit for logs and status documents: the one redaction
 * used wherever a configured URL is shown (HTTP client errors at run time,
 * configuration errors at start and on reload).  Pure; any thread.
 */
#ifndef LW_REDACT_H
#define LW_REDACT_H

/* A copy of url fit for logs: userinfo ("user:pass@") removed, the values
 * of the query parameters named in secret_params (NULL-terminated; NULL:
 * a default list — token, access_token, key, apikey, api_key, secret,
 * password, passwd, pwd, sig, signature, auth) replaced by "REDACTED"
 * (names compared without case), and any fragment dropped.  Returns a
 * malloc'd string, or NULL when out of memory; url NULL gives "(none)". */
char *lw_url_redact(const char *url, const char *const *secret_params);

#endif
