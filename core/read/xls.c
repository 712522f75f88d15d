/*
 * xls.c — legacy .xls (BIFF8, Excel 97-2003, still what many county offices
 * send) through freexl.
 *
 * freexl parses the whole workbook at open (it is not a streaming reader);
 * BIFF8 caps a sheet at 65536 rows x 256 columns, so memory is bounded by the
 * format.  It recognises date formats itself and hands dates over as ISO
 * text; it has no merged-cell API, so the header is found by its shape (see
 * header.c).  A memory buffer is given to freexl through a memfd, since
 * freexl only opens paths.
 */
#define _GNU_SOURCE
#include "read/read_int.h"

#include <errno.h>
#include <fcntl.h>
#include <freexl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct xls {
	const void *h;
	unsigned rows;
	unsigned short cols;
	unsigned next; /* 0-based row to read next */
	int fd;
};

static int xls_next(void *st, struct lw_rawrow *r, struct lw_err *e)
{
	struct xls *x = st;
	char buf[360];
	int rc;

	if (x->next >= x->rows)
		return LW_EEOF;
	lw_rawrow_clear(r, x->next + 1);
	for (unsigned short c = 0; c < x->cols; c++) {
		FreeXL_CellValue v;
		const char *s = NULL;
		size_t n = 0;
		if (freexl_get_cell_value(x->h, x->next, c, &v) != FREEXL_OK)
			continue;
		switch (v.type) {
		case FREEXL_CELL_INT:
			n = (size_t)snprintf(buf, sizeof buf, "%d", v.value.int_value);
			s = buf;
			break;
		case FREEXL_CELL_DOUBLE:
			n = lw_fmt_number(v.value.double_value, buf);
			s = buf;
			break;
		case FREEXL_CELL_TEXT: case FREEXL_CELL_SST_TEXT: case FREEXL_CELL_DATE:
		case FREEXL_CELL_DATETIME: case FREEXL_CELL_TIME:
			s = v.value.text_value ? v.value.text_value : "";
			n = strlen(s);
			break;
		default:
			break;
		}
		if (!s)
			continue;
		if ((rc = lw_rawrow_add(r, c, s, n))) {
			char L[8];
			return lw_err_set(e, rc, "row %u, column %s: %s", x->next + 1,
					  lw_col_letter(c, L), rc == LW_ELIMIT ? "cell too long" : "out of memory");
		}
	}
	x->next++;
	return 0;
}

static void xls_close(void *st)
{
	struct xls *x = st;
	if (!x)
		return;
	if (x->h)
		freexl_close(x->h);
	if (x->fd >= 0)
		close(x->fd);
	free(x);
}

static const struct lw_read_backend xls_backend = {xls_next, xls_close, NULL};

static const char *freexl_why(int rc)
{
	switch (rc) {
	case FREEXL_FILE_NOT_FOUND: return "cannot open the file";
	case FREEXL_INSUFFICIENT_MEMORY: return "out of memory";
	case FREEXL_BIFF_WORKBOOK_NOT_FOUND: return "no Excel workbook stream inside (a Word or other OLE2 file?)";
	case FREEXL_CRAFTED_FILE: return "severely corrupted file";
	default: return "damaged or unsupported .xls (save it as .xlsx)";
	}
}

int lw_xls_open(const struct lw_read_input *in, const struct lw_table_opts *o,
		const struct lw_read_limits *lim, struct lw_read_src *src, struct lw_err *e)
{
	struct xls *x = calloc(1, sizeof *x);
	char path[64];
	const char *p = path;
	unsigned int info = 0, nsheets = 0;
	unsigned short si = 0;
	const char *name = NULL;
	int rc;

	if (!x)
		return lw_err_set(e, LW_ENOMEM, "out of memory");
	x->fd = -1;
	if (in->mem) {
		size_t off = 0;
		x->fd = memfd_create("lw-xls", MFD_CLOEXEC);
		if (x->fd < 0) {
			rc = lw_err_set(e, LW_EIO, "memfd_create: %s", strerror(errno));
			goto fail;
		}
		while (off < in->memlen) {
			ssize_t w = write(x->fd, in->mem + off, in->memlen - off);
			if (w <= 0) {
				rc = lw_err_set(e, LW_EIO, "memfd write: %s", strerror(errno));
				goto fail;
			}
			off += (size_t)w;
		}
	} else if ((x->fd = fcntl(in->fd, F_DUPFD_CLOEXEC, 0)) < 0) {
		rc = lw_err_set(e, LW_EIO, "cannot open: %s", strerror(errno));
		goto fail;
	}
	/* freexl (1.x and 2.x) opens only by path: no descriptor or memory
	 * API.  /proc/self/fd/N reopens the very file our descriptor holds
	 * (the magic link follows the open file, not a name a clerk could
	 * swap), so the workbook is still read from the one file opened. */
	snprintf(path, sizeof path, "/proc/self/fd/%d", x->fd);
	rc = freexl_open(p, &x->h);
	if (rc != FREEXL_OK) {
		rc = lw_err_set(e, LW_EFORMAT, "%s", freexl_why(rc));
		goto fail;
	}
	if (freexl_get_info(x->h, FREEXL_BIFF_PASSWORD, &info) == FREEXL_OK &&
	    info == FREEXL_BIFF_OBFUSCATED) {
		rc = lw_err_set(e, LW_ECRYPT, "encrypted workbook: save it without a password");
		goto fail;
	}
	freexl_get_info(x->h, FREEXL_BIFF_SHEET_COUNT, &nsheets);
	if (nsheets == 0) {
		rc = lw_err_set(e, LW_EFORMAT, "workbook has no sheets");
		goto fail;
	}
	if (o->sheet_name && *o->sheet_name) {
		for (si = 0; si < nsheets; si++)
			if (freexl_get_worksheet_name(x->h, si, &name) == FREEXL_OK && name &&
			    !strcmp(name, o->sheet_name))
				break;
		if (si == nsheets) {
			rc = lw_err_set(e, LW_ENOENT, "no sheet named '%s' (the workbook has %u sheets)",
					o->sheet_name, nsheets);
			goto fail;
		}
	} else if (o->sheet_index > 0) {
		if ((unsigned)o->sheet_index > nsheets) {
			rc = lw_err_set(e, LW_ENOENT, "no sheet %d (the workbook has %u sheets)",
					o->sheet_index, nsheets);
			goto fail;
		}
		si = (unsigned short)(o->sheet_index - 1);
	}
	if (freexl_select_active_worksheet(x->h, si) != FREEXL_OK ||
	    freexl_worksheet_dimensions(x->h, &x->rows, &x->cols) != FREEXL_OK) {
		rc = lw_err_set(e, LW_EFORMAT, "cannot read sheet %u", si + 1u);
		goto fail;
	}
	if (x->cols > lim->max_cols)
		x->cols = (unsigned short)lim->max_cols;
	name = NULL;
	freexl_get_worksheet_name(x->h, si, &name);
	if (!(src->sheet = strdup(name ? name : ""))) {
		rc = lw_err_set(e, LW_ENOMEM, "out of memory");
		goto fail;
	}
	src->be = &xls_backend;
	src->st = x;
	strcpy(src->encoding, "BIFF8");
	return 0;
fail:
	xls_close(x);
	return rc;
}
