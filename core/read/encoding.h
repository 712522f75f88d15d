/*
 * encoding.h — (internal) guessing a text file's encoding and decoding it to
 * UTF-8 in chunks.  Used by csv.c.
 */
#ifndef LW_READ_ENCODING_H
#define LW_READ_ENCODING_H

#include <iconv.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "read/read_int.h"

/* Guess the encoding of the first bytes of a file.  Writes an iconv name
 * ("UTF-8", "GB18030", "UTF-16LE", ...) into name and the length of a byte
 * order mark to skip into *bom.  eof says whether s holds the whole file
 * (else a sequence cut at the end is not held against it).  Returns 0 or
 * LW_EENCODING when nothing fits. */
int lw_enc_detect(const unsigned char *s, size_t n, int eof, char name[32], size_t *bom,
		  struct lw_err *e);

/* Chunked decoder from a file descriptor or a memory buffer to UTF-8. */
struct lw_dec {
	int fd;                      /* -1 for memory input */
	const unsigned char *mem;
	size_t memlen, mempos;
	unsigned char *raw;          /* raw bytes not yet decoded */
	size_t rawlen, rawcap;
	uint64_t rawoff;             /* file offset of raw[0] */
	int utf8;                    /* pass-through with validation, no iconv */
	iconv_t cd;
	char *out;                   /* decoded UTF-8: out[pos..len) unread */
	size_t pos, len, outcap;
	int eof;                     /* source exhausted */
	int bad;                     /* an invalid sequence follows out[len] */
	uint64_t badoff;             /* its file offset */
	char name[32];
	const uint32_t *gb2;         /* GB18030 two-byte table (shared), or NULL */
};

/* Start decoding from byte `skip` (after a BOM).  fd is not closed by the
 * decoder. */
int lw_dec_init(struct lw_dec *d, int fd, const unsigned char *mem, size_t memlen,
		size_t skip, const char *encoding, struct lw_err *e);
/* Discard out[0..pos) and decode more.  Returns 0 (maybe nothing new: check
 * len > pos, eof and bad), or LW_EIO / LW_ENOMEM. */
int lw_dec_fill(struct lw_dec *d, struct lw_err *e);
void lw_dec_free(struct lw_dec *d);

#endif
