/*
 * encoding.c — encoding detection (BOM, UTF-8 validity, uchardet) and
 * chunked decoding to UTF-8 with iconv (see encoding.h).
 *
 * Excel on Chinese Windows saves "CSV" in the ANSI code page, GBK; we decode
 * it as GB18030, its superset, so that characters outside GBK that crept in
 * (rare surnames, 𠮷) still decode.  "Unicode text" from Excel is UTF-16LE
 * with a BOM, and "CSV UTF-8" starts with a UTF-8 BOM.
 */
#include "read/encoding.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <uchardet/uchardet.h>

#include "base/text.h"

#define RAW_CHUNK (256 * 1024)

/* Valid in `code`, allowing a sequence cut at the end unless eof. */
static int valid_in(const char *code, const unsigned char *s, size_t n, int eof)
{
	iconv_t cd = iconv_open("UTF-8", code);
	char buf[4096];
	char *in = (char *)s, *o;
	size_t inl = n, ol;
	int ok = 1;

	if (cd == (iconv_t)-1)
		return 0;
	while (inl > 0) {
		o = buf;
		ol = sizeof buf;
		if (iconv(cd, &in, &inl, &o, &ol) == (size_t)-1) {
			if (errno == E2BIG)
				continue;
			if (errno == EINVAL && !eof)
				break;
			ok = 0;
			break;
		}
	}
	iconv_close(cd);
	return ok;
}

int lw_enc_detect(const unsigned char *s, size_t n, int eof, char name[32], size_t *bom,
		  struct lw_err *e)
{
	size_t bad, odd0 = 0, even0 = 0;
	const char *u = NULL;
	uchardet_t ud;
	int rc = 0;

	*bom = 0;
	if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) {
		*bom = 3;
		strcpy(name, "UTF-8");
		return 0;
	}
	if (n >= 2 && s[0] == 0xFF && s[1] == 0xFE) {
		*bom = 2;
		strcpy(name, "UTF-16LE");
		return 0;
	}
	if (n >= 2 && s[0] == 0xFE && s[1] == 0xFF) {
		*bom = 2;
		strcpy(name, "UTF-16BE");
		return 0;
	}
	/* UTF-16 without a BOM: ASCII text leaves every other byte zero. */
	for (size_t i = 0; i + 1 < n && i < 4096; i += 2) {
		even0 += s[i] == 0;
		odd0 += s[i + 1] == 0;
	}
	if (n >= 4 && odd0 > n / 8 && even0 == 0) {
		strcpy(name, "UTF-16LE");
		return 0;
	}
	if (n >= 4 && even0 > n / 8 && odd0 == 0) {
		strcpy(name, "UTF-16BE");
		return 0;
	}
	if (lw_utf8_valid((const char *)s, n, &bad) || (!eof && bad + 4 > n)) {
		strcpy(name, "UTF-8");
		return 0;
	}
	ud = uchardet_new();
	if (ud) {
		uchardet_handle_data(ud, (const char *)s, n);
		uchardet_data_end(ud);
		u = uchardet_get_charset(ud);
	}
	if (u && (!strcasecmp(u, "GB18030") || !strcasecmp(u, "GBK") || !strcasecmp(u, "GB2312")))
		u = "GB18030";
	else if (u && (!strcasecmp(u, "BIG5") || !strcasecmp(u, "EUC-TW")) && valid_in(u, s, n, eof))
		; /* keep: traditional-script offices do exist */
	else if (valid_in("GB18030", s, n, eof))
		u = "GB18030"; /* short Chinese text fools uchardet; GB18030 is what Excel writes here */
	else if (!u || !*u || !valid_in(u, s, n, eof))
		u = NULL;
	if (u && strlen(u) < 32)
		strcpy(name, u);
	else
		rc = lw_err_set(e, LW_EENCODING,
				"cannot tell the text encoding (not UTF-8, UTF-16 or GB18030): "
				"save as \"CSV UTF-8\" or pass --encoding");
	if (ud)
		uchardet_delete(ud);
	return rc;
}

/* glibc's iconv spends ~30 ns per character on GB18030; a table of the
 * 24066 two-byte codes, built once through iconv itself (so both agree),
 * decodes the common case several times faster.  It is indexed by the low
 * 7 bits of the lead byte and the whole trail byte (128 x 256 entries, 0
 * where the pair is not a two-byte code), so one load both validates and
 * decodes.  Each entry holds the character already encoded as UTF-8 (bytes
 * in bits 0-23, length in bits 24-31; two-byte codes are all in the BMP,
 * so 2 or 3 bytes).  Four-byte sequences (rare: characters outside GBK)
 * still go through iconv. */
#define GB2_INDEX(lead, trail) ((((unsigned)(lead) & 0x7Fu) << 8) | (unsigned)(trail))
static uint32_t *gb2_shared; /* built once per process, read-only after */
static pthread_once_t gb2_once = PTHREAD_ONCE_INIT;

static void gb2_build(void)
{
	iconv_t cd = iconv_open("UTF-8", "GB18030");
	uint32_t *t;
	if (cd == (iconv_t)-1)
		return;
	t = calloc(128 * 256, sizeof *t);
	if (!t) {
		iconv_close(cd);
		return;
	}
	for (unsigned a = 0x81; a <= 0xFE; a++) {
		for (unsigned b = 0x40; b <= 0xFE; b++) {
			char in[2] = {(char)a, (char)b}, out[8], *ip = in, *op = out;
			size_t il = 2, ol = sizeof out, n;
			uint32_t cp;
			if (b == 0x7F)
				continue;
			if (iconv(cd, &ip, &il, &op, &ol) != (size_t)-1 && il == 0 &&
			    (n = (size_t)(op - out)) >= 2 && n <= 3 &&
			    lw_utf8_decode(out, n, &cp) == n) {
				uint32_t v = (uint32_t)n << 24;
				for (size_t k = 0; k < n; k++)
					v |= (uint32_t)(unsigned char)out[k] << (8 * k);
				t[GB2_INDEX(a, b)] = v;
			}
			iconv(cd, NULL, NULL, NULL, NULL);
		}
	}
	iconv_close(cd);
	gb2_shared = t;
}

static const uint32_t *gb2_table(void)
{
	pthread_once(&gb2_once, gb2_build);
	return gb2_shared;
}

/* Number of leading bytes < 0x80 among the 8 at p (8 if all).  A CSV is
 * mostly ASCII runs (digits, dates, delimiters) between Chinese words. */
static unsigned ascii_prefix8(const unsigned char *p)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t w;
	memcpy(&w, p, 8);
	w &= UINT64_C(0x8080808080808080);
	return w ? (unsigned)__builtin_ctzll(w) >> 3 : 8;
#else
	unsigned k = 0;
	while (k < 8 && p[k] < 0x80)
		k++;
	return k;
#endif
}

/* Decode GB18030 from raw into out; returns bytes of raw used, sets d->bad. */
static size_t gb_decode(struct lw_dec *d)
{
	const unsigned char *in = d->raw, *end = d->raw + d->rawlen;
	char *o = d->out + d->len, *oend = d->out + d->outcap - 8;
	const uint32_t *gb2 = d->gb2;

	while (in < end && o < oend) {
		unsigned c, t;
		uint32_t v;
		/* Fast loop while 8 bytes remain on both sides: no bounds checks
		 * per character.  out has 8 bytes of slack past oend, so copying
		 * 8 bytes of an ASCII run or 3 of a 2-byte UTF-8 char is safe. */
		while (end - in >= 8 && oend - o >= 8) {
			c = *in;
			if (c < 0x80) {
				unsigned k = ascii_prefix8(in);
				memcpy(o, in, 8);
				o += k;
				in += k;
				continue;
			}
			if (!(v = gb2[GB2_INDEX(c, in[1])]))
				break; /* four-byte code or invalid: the careful way */
			o[0] = (char)(v & 0xFF);
			o[1] = (char)((v >> 8) & 0xFF);
			o[2] = (char)((v >> 16) & 0xFF);
			o += v >> 24;
			in += 2;
		}
		if (in >= end || o >= oend)
			break;
		c = *in;
		if (c < 0x80) {
			*o++ = (char)c;
			in++;
			continue;
		}
		if (end - in < 2) {
			d->bad = d->eof;
			break;
		}
		t = in[1];
		if ((v = gb2[GB2_INDEX(c, t)])) {
			o[0] = (char)(v & 0xFF);
			o[1] = (char)((v >> 8) & 0xFF);
			o[2] = (char)((v >> 16) & 0xFF);
			o += v >> 24;
			in += 2;
			continue;
		}
		if (c >= 0x81 && c <= 0xFE && t >= 0x30 && t <= 0x39) {
			char *ip = (char *)in;
			size_t il = 4, ol = (size_t)(oend - o);
			if (end - in < 4) {
				d->bad = d->eof;
				break;
			}
			if (iconv(d->cd, &ip, &il, &o, &ol) == (size_t)-1) {
				d->bad = 1;
				break;
			}
			in += 4;
			continue;
		}
		d->bad = 1;
		break;
	}
	d->len = (size_t)(o - d->out);
	return (size_t)(in - d->raw);
}

int lw_dec_init(struct lw_dec *d, int fd, const unsigned char *mem, size_t memlen,
		size_t skip, const char *encoding, struct lw_err *e)
{
	memset(d, 0, sizeof *d);
	d->fd = fd;
	d->mem = mem;
	d->memlen = memlen;
	d->cd = (iconv_t)-1;
	snprintf(d->name, sizeof d->name, "%s", encoding);
	if (!strcasecmp(encoding, "UTF-8") || !strcasecmp(encoding, "UTF8")) {
		d->utf8 = 1;
	} else {
		d->cd = iconv_open("UTF-8", encoding);
		if (d->cd == (iconv_t)-1)
			return lw_err_set(e, LW_EINVAL, "unknown encoding '%s' (try UTF-8, GB18030, UTF-16LE)",
					  encoding);
		if (!strcasecmp(encoding, "GB18030") && !(d->gb2 = gb2_table()))
			return lw_err_set(e, LW_ENOMEM, "out of memory");
	}
	if (mem) {
		d->mempos = skip < memlen ? skip : memlen;
		d->rawoff = d->mempos;
	} else if (skip && lseek(fd, (off_t)skip, SEEK_SET) < 0) {
		return lw_err_set(e, LW_EIO, "cannot seek: %s", strerror(errno));
	} else {
		d->rawoff = skip;
	}
	d->raw = malloc(RAW_CHUNK + 8);
	d->rawcap = RAW_CHUNK + 8;
	d->outcap = RAW_CHUNK * 3 + 64; /* UTF-16/GB18030 -> UTF-8 grows at most 3/2 per byte */
	d->out = malloc(d->outcap);
	if (!d->raw || !d->out)
		return lw_err_set(e, LW_ENOMEM, "out of memory");
	return 0;
}

void lw_dec_free(struct lw_dec *d)
{
	if (d->cd != (iconv_t)-1 && d->cd != NULL)
		iconv_close(d->cd);
	d->cd = (iconv_t)-1;
	free(d->raw);
	free(d->out);
	d->gb2 = NULL; /* shared, never freed */
	d->raw = NULL;
	d->out = NULL;
}

/* Top up raw[] with up to RAW_CHUNK bytes. */
static int read_raw(struct lw_dec *d, struct lw_err *e)
{
	size_t want = RAW_CHUNK - d->rawlen;

	if (d->eof || want == 0)
		return 0;
	if (d->mem) {
		size_t n = d->memlen - d->mempos < want ? d->memlen - d->mempos : want;
		memcpy(d->raw + d->rawlen, d->mem + d->mempos, n);
		d->mempos += n;
		d->rawlen += n;
		if (d->mempos == d->memlen)
			d->eof = 1;
		return 0;
	}
	for (;;) {
		ssize_t n = read(d->fd, d->raw + d->rawlen, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return lw_err_set(e, LW_EIO, "read failed: %s", strerror(errno));
		if (n == 0)
			d->eof = 1;
		d->rawlen += (size_t)n;
		return 0;
	}
}

int lw_dec_fill(struct lw_dec *d, struct lw_err *e)
{
	size_t used = 0;
	int rc;

	if (d->bad)
		return 0;
	if (d->pos > 0) { /* keep what the caller has not consumed */
		memmove(d->out, d->out + d->pos, d->len - d->pos);
		d->len -= d->pos;
		d->pos = 0;
	}
	if ((rc = read_raw(d, e)))
		return rc;
	if (d->rawlen == 0)
		return 0;
	if (d->utf8) {
		size_t bad = d->rawlen, room = d->outcap - d->len;
		size_t n = d->rawlen < room ? d->rawlen : room;
		if (!lw_utf8_valid((char *)d->raw, n, &bad)) {
			/* A sequence cut by the chunk boundary is completed next time. */
			if (!(n - bad < 4 && !(d->eof && n == d->rawlen)))
				d->bad = 1;
			n = bad;
		}
		memcpy(d->out + d->len, d->raw, n);
		d->len += n;
		used = n;
	} else if (d->gb2) {
		used = gb_decode(d);
	} else {
		char *in = (char *)d->raw, *o = d->out + d->len;
		size_t inl = d->rawlen, ol = d->outcap - d->len;
		if (iconv(d->cd, &in, &inl, &o, &ol) == (size_t)-1) {
			if (errno == EILSEQ || (errno == EINVAL && d->eof))
				d->bad = 1;
		}
		used = (size_t)(in - (char *)d->raw);
		d->len = (size_t)(o - d->out);
	}
	if (d->bad)
		d->badoff = d->rawoff + used;
	memmove(d->raw, d->raw + used, d->rawlen - used);
	d->rawlen -= used;
	d->rawoff += used;
	/* Stalled on an incomplete sequence at the very end of the input. */
	if (!d->bad && used == 0 && d->eof && d->rawlen)
		d->bad = 1, d->badoff = d->rawoff;
	return 0;
}
