/*
 * err.c — error codes and messages (see err.h).
 */
#include "base/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int lw_err_set(struct lw_err *e, int code, const char *fmt, ...)
{
	if (e) {
		va_list ap;
		va_start(ap, fmt);
		e->code = code;
		vsnprintf(e->msg, sizeof e->msg, fmt, ap);
		va_end(ap);
	}
	return code;
}

int lw_err_prefix(struct lw_err *e, const char *fmt, ...)
{
	char pre[256];
	size_t plen, olen;
	va_list ap;

	if (!e)
		return LW_EINVAL;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof pre, fmt, ap);
	va_end(ap);
	plen = strlen(pre) + 2; /* "pre: " */
	olen = strnlen(e->msg, sizeof e->msg - 1);
	if (plen + olen >= sizeof e->msg) /* keep the prefix, cut the tail */
		olen = sizeof e->msg - 1 - plen;
	memmove(e->msg + plen, e->msg, olen);
	memcpy(e->msg, pre, plen - 2);
	e->msg[plen - 2] = ':';
	e->msg[plen - 1] = ' ';
	e->msg[plen + olen] = '\0';
	return e->code;
}

const char *lw_strerror(int code)
{
	switch (code) {
	case LW_OK: return "success";
	case LW_ENOMEM: return "out of memory";
	case LW_EIO: return "input/output error";
	case LW_EINVAL: return "invalid argument";
	case LW_EFORMAT: return "unexpected format";
	case LW_ENOENT: return "not found";
	case LW_EABI: return "plugin ABI mismatch";
	case LW_ELIMIT: return "safety limit exceeded";
	case LW_EENCODING: return "invalid text encoding";
	case LW_EBUSY: return "resource busy";
	case LW_EEXIST: return "already exists";
	case LW_ECANCELED: return "cancelled";
	case LW_EPERM: return "permission refused";
	case LW_EVERSION: return "written by a newer version";
	case LW_EDB: return "database error";
	case LW_ECRYPT: return "encrypted input";
	case LW_EEOF: return "end of input";
	}
	return "unknown error";
}
