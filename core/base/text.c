/*
 * text.c — UTF-8 decoding, full-width folding and trimming (see text.h).
 */
#include "base/text.h"

#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t lw_utf8_decode(const char *str, size_t len, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t c;
	size_t n;

	if (len == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	} else if ((s[0] & 0xE0) == 0xC0) {
		n = 2;
		c = s[0] & 0x1F;
	} else if ((s[0] & 0xF0) == 0xE0) {
		n = 3;
		c = s[0] & 0x0F;
	} else if ((s[0] & 0xF8) == 0xF0) {
		n = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	/* Reject overlong forms, surrogates and values past U+10FFFF. */
	if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF)
		return 0;
	*cp = c;
	return n;
}

size_t lw_utf8_encode(uint32_t cp, char *out)
{
	unsigned char *o = (unsigned char *)out;

	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	} else if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	} else if (cp < 0x10000) {
		if (cp >= 0xD800 && cp <= 0xDFFF)
			return 0;
		o[0] = (unsigned char)(0xE0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	} else if (cp <= 0x10FFFF) {
		o[0] = (unsigned char)(0xF0 | (cp >> 18));
		o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
		o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		o[3] = (unsigned char)(0x80 | (cp & 0x3F));
		return 4;
	}
	return 0;
}

int lw_utf8_valid(const char *s, size_t len, size_t *bad_at)
{
	size_t i = 0;

	while (i < len) {
		uint32_t cp;
		size_t n;
		if ((unsigned char)s[i] < 0x80) { /* fast path for ASCII */
			i++;
			continue;
		}
		n = lw_utf8_decode(s + i, len - i, &cp);
		if (n == 0) {
			if (bad_at)
				*bad_at = i;
			return 0;
		}
		i += n;
	}
	return 1;
}

/* The full-width form U+FF01..U+FF5E (EF BC 81..EF BD 9E) or the
 * ideographic space U+3000 (E3 80 80) at p: its ASCII, or 0.  Byte
 * patterns, not decoding: a lead byte EF or E3 never occurs inside another
 * character, so this is what decoding would find, at a fraction of the
 * cost on text that is mostly ideographs (the 12345 import folds every
 * work order's text). */
static char fold_at(const unsigned char *p)
{
	if (p[0] == 0xEF && p[1] == 0xBC && p[2] >= 0x81 && p[2] <= 0xBF)
		return (char)(p[2] - 0x81 + 0x21);
	if (p[0] == 0xEF && p[1] == 0xBD && p[2] >= 0x80 && p[2] <= 0x9E)
		return (char)(p[2] - 0x80 + 0x60);
	if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80)
		return ' ';
	return 0;
}

char *lw_fold_fullwidth(char *s)
{
	unsigned char *r = (unsigned char *)s, *w;
	char c;

	while (*r && ((*r != 0xEF && *r != 0xE3) || !fold_at(r)))
		r++;
	for (w = r; *r;) {
		if ((*r == 0xEF || *r == 0xE3) && (c = fold_at(r)) != 0) {
			*w++ = (unsigned char)c;
			r += 3;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return s;
}

/* Width of the white-space code point at s, or 0 if there is none. */
static size_t space_at(const char *s, size_t len)
{
	uint32_t cp;
	size_t n = lw_utf8_decode(s, len, &cp);

	if (n == 1 && (cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || cp < 0x20 || cp == 0x7F))
		return 1;
	if (n > 1 && (cp == 0x00A0 || cp == 0x3000 || cp == 0xFEFF || cp == 0x200B))
		return n;
	return 0;
}

size_t lw_trim_span(const char *s, size_t len, size_t *start)
{
	size_t b = 0, e = len, n;

	while (b < e && (n = space_at(s + b, e - b)) > 0)
		b += n;
	/* Walk back to the start of the last code point and test it. */
	while (e > b) {
		size_t p = e - 1;
		while (p > b && ((unsigned char)s[p] & 0xC0) == 0x80)
			p--;
		if (space_at(s + p, e - p) != e - p)
			break;
		e = p;
	}
	if (start)
		*start = b;
	return e - b;
}

char *lw_trim(char *s)
{
	size_t start, n = lw_trim_span(s, strlen(s), &start);

	memmove(s, s + start, n);
	s[n] = '\0';
	return s;
}

size_t lw_text_compact(const char *text, char *out, size_t cap, unsigned flags)
{
	size_t len = text ? strlen(text) : 0, r = 0, w = 0;

	if (len > cap - 1) {
		len = cap - 1;
		while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
			len--; /* cut at a character boundary */
	}
	/* Folding never makes text longer, so it can run in out itself. */
	if (len)
		memmove(out, text, len);
	out[len] = '\0';
	lw_fold_fullwidth(out);
	len = strlen(out);
	while (r < len) {
		uint32_t cp;
		size_t n = lw_utf8_decode(out + r, len - r, &cp);
		int space;
		if (n == 0) {
			r++; /* drop an invalid byte */
			continue;
		}
		space = cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || cp == 0xA0 || cp == 0x3000 ||
			cp == 0xFEFF || cp == 0x200B;
		if (cp == '\n' && (flags & LW_COMPACT_KEEP_NEWLINE))
			space = 0;
		if (!space) {
			memmove(out + w, out + r, n);
			w += n;
		}
		r += n;
	}
	out[w] = '\0';
	return w;
}

size_t lw_text_width(const char *s)
{
	size_t len = strlen(s), i = 0, w = 0;

	while (i < len) {
		uint32_t cp;
		size_t n = lw_utf8_decode(s + i, len - i, &cp);
		if (!n) {
			i++;
			w++;
			continue;
		}
		/* The wide ranges that matter for Chinese text. */
		w += (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
			     (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
			     (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
			     (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD)
			     ? 2 : 1;
		i += n;
	}
	return w;
}

void lw_print_padded(const char *s, size_t width)
{
	size_t w = lw_text_width(s);

	fputs(s, stdout);
	for (; w < width; w++)
		putchar(' ');
}

int lw_name_ok(const char *s)
{
	if (!*s || strlen(s) > 64)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
			return 0;
	return 1;
}

char *lw_name_to_utf8(const char *name)
{
	size_t len = strlen(name), bad;
	char *out;

	if (lw_utf8_valid(name, len, &bad))
		return strdup(name);
	{
		/* GB18030 needs at most 4 bytes per character, UTF-8 at most 4
		 * for the same character: 4 per input byte is always enough. */
		iconv_t cd = iconv_open("UTF-8", "GB18030");
		if (cd != (iconv_t)-1) {
			size_t cap = len * 4 + 1, inleft = len, outleft = cap - 1;
			char *in = (char *)name, *o;
			if (!(out = malloc(cap))) {
				iconv_close(cd);
				return NULL;
			}
			o = out;
			if (iconv(cd, &in, &inleft, &o, &outleft) != (size_t)-1 && inleft == 0 &&
			    iconv(cd, NULL, NULL, &o, &outleft) != (size_t)-1) {
				*o = '\0';
				iconv_close(cd);
				if (lw_utf8_valid(out, (size_t)(o - out), NULL))
					return out;
			}
			iconv_close(cd);
			free(out);
		}
	}
	if (!(out = malloc(len * 4 + 1)))
		return NULL;
	{
		size_t i = 0, o = 0;
		while (i < len) {
			uint32_t cp;
			size_t n = lw_utf8_decode(name + i, len - i, &cp);
			if (n) {
				memcpy(out + o, name + i, n);
				o += n;
				i += n;
			} else {
				o += (size_t)sprintf(out + o, "\\x%02X", (unsigned char)name[i]);
				i++;
			}
		}
		out[o] = '\0';
	}
	return out;
}
