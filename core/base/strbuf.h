/*
 * strbuf.h — a growing text buffer: reports, pages, metrics, messages.
 *
 * Start from {0}; text is always NUL-terminated once something was added.
 * An allocation failure sets oom and every later call does nothing, so a
 * caller checks once at the end.  The caller frees p.
 */
#ifndef LW_STRBUF_H
#define LW_STRBUF_H

#include <stddef.h>

struct lw_strbuf {
	char *p;
	size_t len, cap;
	int oom;
};

/* Append printf-style text. */
void lw_strbuf_printf(struct lw_strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append n bytes of s. */
void lw_strbuf_add(struct lw_strbuf *b, const char *s, size_t n);

#endif
