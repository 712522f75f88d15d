/*
 * diag.c — a list of problems, collected rather than stopping at the first
 * (see diag.h).
 */
#include "base/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"

void lw_diag_add(struct lw_diag *d, const char *fmt, ...)
{
	char buf[LW_ERR_MSG_MAX + 256];
	va_list ap;
	char *m;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		char **tmp = realloc(d->msg, cap * sizeof *tmp);
		if (!tmp)
			return;
		d->msg = tmp;
		d->cap = cap;
	}
	if ((m = strdup(buf)))
		d->msg[d->n++] = m;
}

void lw_diag_free(struct lw_diag *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->msg[i]);
	free(d->msg);
	memset(d, 0, sizeof *d);
}
