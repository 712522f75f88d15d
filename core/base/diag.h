/*
 * diag.h — a list of problems found in one pass (configuration, options,
 * rules), so that an operator fixes a file once rather than error by error.
 */
#ifndef LW_DIAG_H
#define LW_DIAG_H

#include <stddef.h>

/* A list of error messages, one per problem found. */
struct lw_diag {
	size_t n, cap;
	char **msg;
};

/* Append a message (copied).  Allocation failure drops the message. */
void lw_diag_add(struct lw_diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void lw_diag_free(struct lw_diag *d);

#endif
