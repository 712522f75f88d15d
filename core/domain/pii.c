/*
 * pii.c — keyed hashing and masking of caller names and phone numbers
 * (see pii.h).  HMAC-SHA256 comes from Nettle; nothing cryptographic is
 * written here.  Nettle, not OpenSSL's EVP_MAC: its keyed context is a
 * plain struct, copied for each value, so one call is the hashing and
 * nothing else (measured: 140 ns against 250 ns per value; a 12345 export
 * hashes two values a row).
 */
#include "domain/pii.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <nettle/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/text.h"

#define VALUE_MAX 512

struct lw_pii_key {
	/* Keyed once (the inner and outer states); never changed after, so
	 * a key may hash on several threads at once. */
	struct hmac_sha256_ctx keyed;
};

void lw_pii_key_free(struct lw_pii_key *key)
{
	if (!key)
		return;
	explicit_bzero(key, sizeof *key);
	free(key);
}

int lw_pii_key_from_bytes(const void *bytes, size_t len, struct lw_pii_key **out, struct lw_err *e)
{
	struct lw_pii_key *k;

	*out = NULL;
	if (len < LW_PII_KEY_MIN)
		return lw_err_set(e, LW_EINVAL, "PII key has %zu bytes; at least %d are needed "
				  "(create one with: head -c 32 /dev/urandom > FILE; chmod 600 FILE)", len, LW_PII_KEY_MIN);
	if (len > LW_PII_KEY_MAX)
		return lw_err_set(e, LW_EINVAL, "PII key has %zu bytes; at most %d are accepted", len, LW_PII_KEY_MAX);
	if (!(k = calloc(1, sizeof *k)))
		return lw_err_set(e, LW_ENOMEM, "out of memory");
	hmac_sha256_set_key(&k->keyed, len, bytes);
	*out = k;
	return 0;
}

int lw_pii_key_load(const char *path, struct lw_pii_key **out, struct lw_err *e)
{
	unsigned char buf[LW_PII_KEY_MAX + 1];
	struct stat st;
	size_t got = 0;
	int fd, rc;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
		return lw_err_set(e, errno == ENOENT ? LW_ENOENT : LW_EIO, "PII key file %s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0) {
		rc = lw_err_set(e, LW_EIO, "PII key file %s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = lw_err_set(e, LW_EINVAL, "PII key file %s is not a regular file", path);
		goto out;
	}
	if (st.st_mode & 077) {
		rc = lw_err_set(e, LW_EPERM,
				"PII key file %s may be read or written by group or others (mode %04o); "
				"restrict it with: chmod 600 %s", path, (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	while (got < sizeof buf) {
		ssize_t n = read(fd, buf + got, sizeof buf - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = lw_err_set(e, LW_EIO, "PII key file %s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	rc = lw_pii_key_from_bytes(buf, got, out, e);
	if (rc != 0)
		lw_err_prefix(e, "PII key file %s", path);
out:
	explicit_bzero(buf, sizeof buf);
	close(fd);
	return rc;
}

/* ---- normalisation -------------------------------------------------- */

static int normalize_phone(const char *value, char *out, size_t cap, struct lw_err *e)
{
	char d[VALUE_MAX + 1], tmp[VALUE_MAX + 1];
	size_t n = 0, len = strlen(value), skip = 0;
	int intl = 0;

	if (len > VALUE_MAX)
		return lw_err_set(e, LW_ELIMIT, "phone number: longer than %d bytes", VALUE_MAX);
	memcpy(tmp, value, len + 1);
	lw_fold_fullwidth(tmp);
	for (const char *p = tmp; *p; p++) {
		if (*p == '+' && n == 0)
			intl = 1;
		if (*p >= '0' && *p <= '9') {
			d[n++] = *p;
			continue;
		}
		/* Separators as forms write them, and an extension (转 8001). */
		if (strchr(" -+().\t", *p) || (*p == '\xa0'))
			continue;
		if (!strncmp(p, "\xe8\xbd\xac", 3)) { /* 转 */
			p += 2;
			continue;
		}
		return lw_err_set(e, LW_EFORMAT, "phone number: only digits, spaces, + - ( ) and 转 "
				  "are allowed; found a letter or other character");
	}
	d[n] = '\0';
	/* Country code 86: "+86…" or "0086…" always; a bare "86…" only in front
	 * of an 11-digit mobile number (86 is also the start of local numbers). */
	if (intl && n >= 2 && d[0] == '8' && d[1] == '6') {
		skip = 2;
	} else if (n >= 4 && memcmp(d, "0086", 4) == 0) {
		skip = 4;
		intl = 1;
	} else if (n == 13 && memcmp(d, "861", 3) == 0 && d[3] >= '3') {
		skip = 2;
	}
	if (n - skip == 0)
		return lw_err_set(e, LW_EFORMAT, "phone number has no digits");
	/* An international landline has no trunk 0 (+86 10 …); put it back so
	 * that it hashes like the domestic 010 …. */
	if (intl && !(d[skip] == '1' && n - skip == 11) && d[skip] != '0') {
		if (n - skip + 2 > cap)
			return lw_err_set(e, LW_ELIMIT, "phone number: no room for the result");
		out[0] = '0';
		memcpy(out + 1, d + skip, n - skip + 1);
		return 0;
	}
	if (n - skip + 1 > cap)
		return lw_err_set(e, LW_ELIMIT, "phone number: no room for the result");
	memcpy(out, d + skip, n - skip + 1);
	return 0;
}

static int is_space_cp(uint32_t cp)
{
	return cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || cp == 0xA0 || cp == 0x3000 || cp == 0xFEFF ||
	       cp == 0x200B;
}

static int normalize_name(const char *value, char *out, size_t cap, struct lw_err *e)
{
	char tmp[VALUE_MAX + 1];
	size_t len = strlen(value), r = 0, w = 0, bad;
	int pending_space = 0, last_ascii = 0;

	if (len > VALUE_MAX)
		return lw_err_set(e, LW_ELIMIT, "name: longer than %d bytes", VALUE_MAX);
	if (!lw_utf8_valid(value, len, &bad))
		return lw_err_set(e, LW_EFORMAT, "name: invalid UTF-8 at byte %zu", bad);
	memcpy(tmp, value, len + 1);
	lw_fold_fullwidth(tmp);
	lw_trim(tmp);
	len = strlen(tmp);
	while (r < len) {
		uint32_t cp;
		size_t n = lw_utf8_decode(tmp + r, len - r, &cp);
		if (n == 0)
			return lw_err_set(e, LW_EFORMAT, "name: invalid UTF-8");
		r += n;
		if (is_space_cp(cp)) {
			pending_space = 1;
			continue;
		}
		/* Forms pad two-character names ("张  三"); spaces only separate
		 * words of Latin-script names. */
		if (pending_space && last_ascii && cp < 0x80) {
			if (w + 1 >= cap)
				return lw_err_set(e, LW_ELIMIT, "name: no room for the result");
			out[w++] = ' ';
		}
		pending_space = 0;
		if (w + n >= cap)
			return lw_err_set(e, LW_ELIMIT, "name: no room for the result");
		memcpy(out + w, tmp + r - n, n);
		w += n;
		last_ascii = cp < 0x80;
	}
	out[w] = '\0';
	if (w == 0)
		return lw_err_set(e, LW_EFORMAT, "name is empty");
	return 0;
}

int lw_pii_normalize(enum lw_pii_kind kind, const char *value, char *out, size_t cap, struct lw_err *e)
{
	if (cap == 0)
		return lw_err_set(e, LW_ELIMIT, "no room for the result");
	out[0] = '\0';
	if (!value)
		return lw_err_set(e, LW_EFORMAT, kind == LW_PII_PHONE ? "phone number is empty" : "name is empty");
	return kind == LW_PII_PHONE ? normalize_phone(value, out, cap, e) : normalize_name(value, out, cap, e);
}

int lw_pii_hash(const struct lw_pii_key *key, enum lw_pii_kind kind, const char *value, char *out_hex,
		struct lw_err *e)
{
	static const char hex[] = "0123456789abcdef";
	char norm[VALUE_MAX + 2];
	unsigned char mac[SHA256_DIGEST_SIZE];
	struct hmac_sha256_ctx c;
	int rc;

	out_hex[0] = '\0';
	if ((rc = lw_pii_normalize(kind, value, norm, sizeof norm, e)) != 0)
		return rc;
	c = key->keyed; /* the keyed state, for this value alone */
	hmac_sha256_update(&c, strlen(norm), (const uint8_t *)norm);
	hmac_sha256_digest(&c, sizeof mac, mac);
	explicit_bzero(norm, sizeof norm);
	explicit_bzero(&c, sizeof c);
	for (size_t i = 0; i < sizeof mac; i++) {
		out_hex[2 * i] = hex[mac[i] >> 4];
		out_hex[2 * i + 1] = hex[mac[i] & 15];
	}
	out_hex[64] = '\0';
	return 0;
}

/* ---- masking -------------------------------------------------------- */

int lw_pii_mask_phone(const char *value, char *out, size_t cap, struct lw_err *e)
{
	char d[VALUE_MAX + 2];
	size_t n, area = 0;
	int rc;

	if ((rc = lw_pii_normalize(LW_PII_PHONE, value, d, sizeof d, e)) != 0)
		return rc;
	n = strlen(d);
	if (cap < n + 8)
		return lw_err_set(e, LW_ELIMIT, "masked phone: no room for the result");
	if (n == 11 && d[0] == '1') { /* mobile: 138****5678 */
		snprintf(out, cap, "%.3s****%s", d, d + 7);
		return 0;
	}
	if (d[0] == '0' && n >= 10) /* area code: 010, 02x are 3 digits, the rest 4 */
		area = (d[1] == '1' || d[1] == '2') ? 3 : 4;
	if (n - area >= 7) {
		if (area)
			snprintf(out, cap, "%.*s-****%s", (int)area, d, d + n - 4);
		else
			snprintf(out, cap, "****%s", d + n - 4);
		return 0;
	}
	/* Short numbers: keep the last 2 digits. */
	for (size_t i = 0; i < n; i++)
		out[i] = i + 2 < n ? '*' : d[i];
	out[n] = '\0';
	return 0;
}

int lw_pii_mask_name(const char *value, char *out, size_t cap, struct lw_err *e)
{
	char n[VALUE_MAX + 2];
	size_t len, r = 0, w = 0;
	int rc, first = 1;

	if ((rc = lw_pii_normalize(LW_PII_NAME, value, n, sizeof n, e)) != 0)
		return rc;
	len = strlen(n);
	while (r < len) {
		uint32_t cp;
		size_t k = lw_utf8_decode(n + r, len - r, &cp);
		if (k == 0)
			k = 1;
		if (w + k + 1 > cap)
			return lw_err_set(e, LW_ELIMIT, "masked name: no room for the result");
		if (first && len > k) {
			memcpy(out + w, n + r, k);
			w += k;
		} else if (cp == ' ') {
			out[w++] = ' ';
		} else {
			out[w++] = '*';
		}
		first = 0;
		r += k;
	}
	out[w] = '\0';
	return 0;
}

/* ---- free text ------------------------------------------------------ */

/* ISO 7064 MOD 11-2 check character of a resident ID number (GB 11643). */
static int id_check_ok(const char *d18)
{
	static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
	static const char check[] = "10X98765432";
	int sum = 0;

	for (int i = 0; i < 17; i++) {
		if (d18[i] < '0' || d18[i] > '9')
			return 0;
		sum += (d18[i] - '0') * w[i];
	}
	return check[sum % 11] == (d18[17] == 'x' ? 'X' : d18[17]);
}

static int luhn_ok(const char *d, size_t n)
{
	int sum = 0;

	for (size_t i = 0; i < n; i++) {
		int v = d[n - 1 - i] - '0';
		if (i & 1) {
			v *= 2;
			if (v > 9)
				v -= 9;
		}
		sum += v;
	}
	return sum % 10 == 0;
}

/* Which digits of the number d (n digits) to hide: [*from, *to).  0 when
 * it is not a number to hide. */
static int mask_span(const char *d, size_t n, size_t *from, size_t *to)
{
	size_t s = 0;

	/* +86 / 0086 / 86 in front of a mobile number */
	if (n == 13 && !memcmp(d, "86", 2) && d[2] == '1')
		s = 2;
	else if (n == 15 && !memcmp(d, "0086", 4) && d[4] == '1')
		s = 4;
	if (n - s == 11 && d[s] == '1' && d[s + 1] >= '3') { /* mobile: 138****5678 */
		*from = s + 3;
		*to = s + 7;
		return 1;
	}
	if (n == 18 && id_check_ok(d)) { /* resident ID: 4201**********1234 */
		*from = 4;
		*to = 14;
		return 1;
	}
	if (n == 15 && d[0] != '0' && d[8] >= '0' && d[8] <= '1' && d[10] <= '3') {
		/* first-generation ID (15 digits, YYMMDD at 6): keep 4 + 4 */
		*from = 4;
		*to = 11;
		return 1;
	}
	if (n >= 16 && n <= 19 && luhn_ok(d, n)) { /* bank card: 6222 **** **** 1234 */
		*from = 4;
		*to = n - 4;
		return 1;
	}
	if (n >= 10 && n <= 12 && d[0] == '0' && d[1] != '0') { /* landline with area code */
		*from = (d[1] == '1' || d[1] == '2') ? 3 : 4;
		*to = n - 4;
		return 1;
	}
	return 0;
}

/* Length of a digit at s (ASCII 1 byte, full-width ０-９ 3 bytes), or 0;
 * its value in *v. */
static size_t digit_at(const unsigned char *s, char *v)
{
	if (*s >= '0' && *s <= '9') {
		*v = (char)*s;
		return 1;
	}
	if (s[0] == 0xEF && s[1] == 0xBC && s[2] >= 0x90 && s[2] <= 0x99) {
		*v = (char)('0' + (s[2] - 0x90));
		return 3;
	}
	return 0;
}

size_t lw_pii_mask_text(char *text)
{
	enum { MAXD = 24 };
	unsigned char *s = (unsigned char *)text;
	size_t r = 0, w = 0, masked = 0;
	unsigned char prev = 0; /* the last input byte consumed */

	/* Most free text holds no digit at all: nothing to look at, nothing
	 * to rewrite (the import bench spends it on every 诉求内容). */
	if (!text || !strpbrk(text, "0123456789\xef"))
		return 0;
	while (s[r]) {
		char d[MAXD + 2], v;
		size_t pos[MAXD + 2], len[MAXD + 2], n = 0, k, end, first_end = 0, from, to;
		size_t p = r;

		if (!digit_at(s + r, &v) || isalnum(prev)) {
			prev = s[r];
			s[w++] = s[r++];
			continue;
		}
		/* A number: digits with single separators (space, '-') between
		 * them, as phones and cards are written; an ID may end in X. */
		end = p;
		while (n <= MAXD && (k = digit_at(s + p, &v))) {
			d[n] = v;
			pos[n] = p;
			len[n] = k;
			n++;
			p += k;
			end = p;
			if ((s[p] == ' ' || s[p] == '-') && digit_at(s + p + 1, &v)) {
				if (!first_end)
					first_end = p;
				p++;
			}
		}
		if (!first_end)
			first_end = end;
		if (n == 17 && (s[end] == 'X' || s[end] == 'x')) {
			d[n] = 'X';
			pos[n] = end;
			len[n] = 1;
			n++;
			end++;
		}
		d[n] = '\0';
		if (n > MAXD || isalnum(s[end]) || !mask_span(d, n, &from, &to)) {
			/* Not one number we hide: look at its first group alone
			 * ("12 13812345678"), and the next groups on their own. */
			size_t n1 = 0;
			while (n1 < n && pos[n1] < first_end)
				n1++;
			d[n1] = '\0';
			if (n1 == n || isalnum(s[first_end]) || !mask_span(d, n1, &from, &to)) {
				while (r < first_end) /* glued to letters, or not personal */
					s[w++] = s[r++];
				prev = '0';
				continue;
			}
			n = n1;
			end = first_end;
		}
		for (size_t i = 0; i < n; i++) {
			size_t gap = i ? pos[i - 1] + len[i - 1] : r;
			while (gap < pos[i]) /* the separator before digit i */
				s[w++] = s[gap++];
			if (i >= from && i < to) {
				s[w++] = '*';
			} else {
				memmove(s + w, s + pos[i], len[i]);
				w += len[i];
			}
		}
		r = end;
		prev = '0';
		masked++;
	}
	s[w] = '\0';
	return masked;
}
