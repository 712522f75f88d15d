/*
 * hash.c — SHA-256 for alert fingerprints and notification dedup keys, and
 * the DingTalk robot signature (HMAC-SHA256, base64, URL-encoded), on
 * OpenSSL's libcrypto.
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/alerts_int.h"

void lw_sha256_hex(const void *data, size_t len, char hex[65])
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	SHA256(data, len, md);
	for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

/* Percent-encode everything outside RFC 3986's unreserved set (base64's
 * '+', '/' and '=' included, as DingTalk expects). */
static char *urlencode(const char *s)
{
	static const char hexd[] = "0123456789ABCDEF";
	char *out = malloc(strlen(s) * 3 + 1), *o = out;

	if (!out)
		return NULL;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~') {
			*o++ = (char)c;
		} else {
			*o++ = '%';
			*o++ = hexd[c >> 4];
			*o++ = hexd[c & 15];
		}
	}
	*o = '\0';
	return out;
}

char *lw_dingtalk_sign(const char *secret, int64_t ts_ms)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	char b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
	size_t len = strlen(secret) + 32;
	char *msg = malloc(len), *out = NULL;

	if (!msg)
		return NULL;
	snprintf(msg, len, "%lld\n%s", (long long)ts_ms, secret);
	if (HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)msg,
		 strlen(msg), mac, &maclen)) {
		EVP_EncodeBlock((unsigned char *)b64, mac, (int)maclen);
		out = urlencode(b64);
	}
	free(msg);
	return out;
}

char *lw_json_canon(json_t *v)
{
	return json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

int lw_alert_fingerprint(const char *rule, json_t *labels, const char *period, char fp[65])
{
	char *canon = lw_json_canon(labels);
	size_t len;
	char *buf;

	if (!canon)
		return LW_ENOMEM;
	len = strlen(rule) + strlen(canon) + strlen(period) + 3;
	if (!(buf = malloc(len))) {
		free(canon);
		return LW_ENOMEM;
	}
	snprintf(buf, len, "%s\n%s\n%s", rule, canon, period);
	lw_sha256_hex(buf, strlen(buf), fp);
	free(buf);
	free(canon);
	return 0;
}
