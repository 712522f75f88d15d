/*
 * text.h — small UTF-8 helpers shared by the readers and the domain parsers.
 *
 * Chinese office documents mix full-width forms (ＡＢＣ１２３（）) with ASCII
 * and pad with ideographic spaces (U+3000).  These helpers fold and trim
 * such text; they never allocate unless the name says so.
 */
#ifndef LW_TEXT_H
#define LW_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Decode one UTF-8 code point from s[0..len).  Stores it in *cp and returns
 * the number of bytes used (1..4), or 0 when the sequence is invalid,
 * overlong, a surrogate or truncated. */
size_t lw_utf8_decode(const char *s, size_t len, uint32_t *cp);

/* Encode cp into out (at least 4 bytes); returns bytes written (1..4), or 0
 * for a code point that cannot be encoded. */
size_t lw_utf8_encode(uint32_t cp, char *out);

/* Nonzero when s[0..len) is valid UTF-8.  On failure and if bad_at is not
 * NULL, stores the byte offset of the first invalid sequence. */
int lw_utf8_valid(const char *s, size_t len, size_t *bad_at);

/* A file or folder name as UTF-8, malloc'd (NULL when out of memory).
 * Valid UTF-8 is copied as it is.  Anything else is what Chinese Windows
 * writes through an SMB share or a zip tool that kept the bytes: decoded
 * as GB18030 (a superset of GBK and GB2312) when the whole name decodes;
 * otherwise every byte of an invalid sequence is written as the four ASCII
 * characters "\xNN", so the name stays readable and unambiguous. */
char *lw_name_to_utf8(const char *name);

/* Full-width ASCII variants U+FF01..U+FF5E become their ASCII forms and the
 * ideographic space U+3000 becomes ' '.  Works in place on a NUL-terminated
 * string (the result is never longer); invalid bytes are kept as they are.
 * Returns s. */
char *lw_fold_fullwidth(char *s);

/* Trim leading and trailing white space in place: ASCII space and controls,
 * U+00A0, U+3000, U+FEFF (a stray BOM) and U+200B.  Returns s. */
char *lw_trim(char *s);

/* Length in bytes of s after lw_trim would run, without modifying it;
 * *start receives the offset of the first kept byte. */
size_t lw_trim_span(const char *s, size_t len, size_t *start);

/* Columns s takes in a terminal: 2 for East Asian wide characters (CJK,
 * full-width forms), 1 for others. */
size_t lw_text_width(const char *s);

/* Print s padded with spaces to width columns (no cut when wider). */
void lw_print_padded(const char *s, size_t width);

/* lw_text_compact flags. */
#define LW_COMPACT_KEEP_NEWLINE 0x1u /* keep '\n' (a clause boundary) */

/* A copy of text for keyword matching: at most cap - 1 bytes of it (cut at
 * a character boundary), full-width forms folded, white space (ASCII, NBSP,
 * U+3000, U+FEFF, U+200B) and invalid bytes dropped.  Writes a NUL-terminated
 * string into out (cap bytes, cap >= 1) and returns its length.  text may be
 * NULL (empty). */
size_t lw_text_compact(const char *text, char *out, size_t cap, unsigned flags);

/* Nonzero when s may name a source, rule or sink: 1..64 of letters, digits,
 * '-', '_' and '.' (names appear in log lines, metric labels and file
 * names, unquoted). */
int lw_name_ok(const char *s);

#endif
