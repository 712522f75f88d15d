/*
 * xlsx.c — .xlsx backend: opens the zip (libzip), loads the workbook parts
 * (xlsx_parts.c) and streams the chosen sheet's XML through expat, one row
 * per lw_table_next(): the row end handler suspends the parser
 * (XML_StopParser resumable) so memory holds one row, never the sheet.
 *
 * Before expat, the sheet goes through the fast scanner (xlsx_scan.c, the
 * why and the numbers are there), which calls the same handlers; if it
 * meets anything outside its subset of XML, the sheet is read again from
 * the start with expat, the rows already delivered being skipped, so the
 * result is always what expat gives.
 *
 * Merged ranges are listed after the sheet data, but the header (at the
 * top) needs them first.  Getting them means inflating the whole sheet a
 * second time (a deflate stream cannot be entered at its tail), which was
 * half the zlib time; so it is done only when the first rows say merges
 * could change the header (lw_header_needs_merges: a two-line header or an
 * empty header name), through the backend's merges() hook: a quick scan
 * for <mergeCell ref=".."/> keeping only ranges in the first rows.
 */
#define _GNU_SOURCE /* memmem */
#include "read/xlsx.h"

#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SHEET_CHUNK (128 * 1024)
#define MERGE_ROWS 64 /* merges below this row cannot touch the header */

struct xsheet {
	XML_Parser p;           /* first: lw_xml_parser's convention */
	zip_t *z;
	zip_source_t *zsrc;
	struct lw_workbook wb;
	const char *sheet_path; /* member of the chosen sheet (in wb) */
	struct lw_zmember m;
	const struct lw_read_limits *lim;
	struct lw_rawrow *row;  /* row being filled (the caller's) */
	uint32_t rownum;        /* last row number seen */
	size_t col;             /* next column when a cell has no r= */
	int have_row, sheet_end, suspended, final_fed;
	/* current cell */
	int in_c, in_v, in_is_t, in_rph;
	char ctype;             /* 's' shared, 'i' inline, 'b' bool, 'e' error, 'n' number, 'S' str, 'd' */
	unsigned kind;
	size_t ccol;
	char *val;
	size_t vlen, vcap;
	int err;                /* LW_E* set by a handler */
	char errmsg[256];
	/* fast scanner (fast = 1) until it gives up; then expat skips the
	 * rows the scanner delivered */
	int fast;
	struct lw_xscan scan;
	uint32_t delivered, skip;
};

int lw_xlsx_expat_only;

static void fail(struct xsheet *x, int code, const char *msg)
{
	char L[8];
	if (x->err)
		return;
	x->err = code;
	snprintf(x->errmsg, sizeof x->errmsg, "row %u, column %s: %s", x->rownum,
		 lw_col_letter(x->ccol, L), msg);
	if (!x->fast)
		XML_StopParser(x->p, XML_FALSE);
}

/* "BC12" -> column 54 (0-based); -1 when there are no letters. */
static long ref_col(const char *r, uint32_t *row)
{
	long c = 0;
	int any = 0;
	while ((*r >= 'A' && *r <= 'Z') || (*r >= 'a' && *r <= 'z')) {
		c = c * 26 + ((*r | 0x20) - 'a' + 1);
		if (c > 1 << 20)
			return -1;
		r++;
		any = 1;
	}
	if (row)
		*row = (uint32_t)strtoul(r, NULL, 10);
	return any ? c - 1 : -1;
}

/* Local part of an element name ("x:row" -> "row").  Inline: it runs
 * twice per element (15M times on the 300k-row bench), and sheet names
 * are short, so a loop beats a strrchr call. */
static inline const char *lname(const char *el)
{
	const char *ln = el;
	for (const char *p = el; *p; p++)
		if (*p == ':')
			ln = p + 1;
	return ln;
}

/* Unsigned decimal prefix of s, saturating (style indexes, row numbers). */
static unsigned long small_num(const char *s)
{
	unsigned long n = 0;
	for (; *s >= '0' && *s <= '9'; s++)
		n = n < 100000000ul ? n * 10 + (unsigned long)(*s - '0') : n;
	return n;
}

static void cell_start(struct xsheet *x, const XML_Char **atts)
{
	const char *r = NULL, *t = NULL, *s = NULL;
	long c;
	/* hot path (once per cell): one pass, one-letter unprefixed names */
	for (size_t i = 0; atts[i]; i += 2) {
		const char *a = atts[i];
		if (a[0] && a[1] == '\0') {
			if (a[0] == 'r')
				r = atts[i + 1];
			else if (a[0] == 't')
				t = atts[i + 1];
			else if (a[0] == 's')
				s = atts[i + 1];
		}
	}
	c = r ? ref_col(r, NULL) : -1;
	x->ccol = c >= 0 ? (size_t)c : x->col;
	x->col = x->ccol + 1;
	x->ctype = 'n';
	if (t) {
		/* t="s" | "inlineStr" | "b" | "e" | "str" | "d"; anything else is a number */
		switch (t[0]) {
		case 's':
			if (!t[1])
				x->ctype = 's';
			else if (!strcmp(t, "str"))
				x->ctype = 'S';
			break;
		case 'i':
			if (!strcmp(t, "inlineStr"))
				x->ctype = 'i';
			break;
		case 'b': case 'e': case 'd':
			if (!t[1])
				x->ctype = t[0];
			break;
		}
	}
	x->kind = LW_NUM_PLAIN;
	if (s) {
		unsigned long xf = small_num(s);
		if (xf < x->wb.nxf)
			x->kind = x->wb.xf_kind[xf];
	}
	x->in_c = 1;
	x->vlen = 0;
}

/* Dispatch on the local name's first letter and length instead of a
 * strcmp chain: c, v, t, is, rPh, row, sheetData are all we look at. */
static void XMLCALL sh_start(void *u, const XML_Char *el, const XML_Char **atts)
{
	struct xsheet *x = u;
	const char *ln = lname(el);

	switch (ln[0]) {
	case 'c':
		if (!ln[1])
			cell_start(x, atts);
		break;
	case 'v':
		if (!ln[1])
			x->in_v = x->in_c;
		break;
	case 't':
		if (!ln[1])
			x->in_is_t = x->in_c;
		break;
	case 'r':
		if (!strcmp(ln, "rPh")) {
			x->in_rph = 1;
		} else if (!strcmp(ln, "row")) {
			const char *r = lw_xml_attr(atts, "r");
			uint32_t n = r ? (uint32_t)strtoul(r, NULL, 10) : 0;
			x->rownum = n > x->rownum ? n : x->rownum + 1;
			x->col = 0;
			lw_rawrow_clear(x->row, x->rownum);
		}
		break;
	}
}

static void XMLCALL sh_text(void *u, const XML_Char *s, int len)
{
	struct xsheet *x = u;
	if (!(x->in_v || (x->in_is_t && !x->in_rph)))
		return;
	if (x->vlen + (size_t)len + 1 > x->vcap) {
		size_t nc = x->vcap ? x->vcap * 2 : 256;
		char *nv;
		while (nc < x->vlen + (size_t)len + 1)
			nc *= 2;
		if (x->vlen + (size_t)len > x->lim->max_cell_bytes) {
			fail(x, LW_ELIMIT, "cell too long");
			return;
		}
		if (!(nv = realloc(x->val, nc))) {
			fail(x, LW_ENOMEM, "out of memory");
			return;
		}
		x->val = nv;
		x->vcap = nc;
	}
	memcpy(x->val + x->vlen, s, (size_t)len);
	x->vlen += (size_t)len;
}

/* A number written as a plain decimal that needs no reformatting: at most
 * 15 significant digits (so it is exactly what Excel shows), no exponent,
 * no leading zeros, no trailing fractional zeros.  Most writers emit
 * numbers this way; skipping strtod + printf halves the time per cell. */
static int plain_decimal(const char *s, size_t n)
{
	size_t i = s[0] == '-', digits = 0, dot = 0;
	if (n == i)
		return 0;
	if (s[i] == '0' && i + 1 < n && s[i + 1] != '.')
		return 0;
	for (; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else if (s[i] == '.' && !dot)
			dot = i;
		else
			return 0;
	}
	if (dot && (dot == n - 1 || s[n - 1] == '0' || dot == (size_t)(s[0] == '-')))
		return 0;
	return digits <= 15;
}

static void end_cell(struct xsheet *x)
{
	char buf[360];
	const char *out = x->val ? x->val : "";
	size_t n = x->vlen;
	int rc;

	if (x->val)
		x->val[x->vlen] = '\0';
	switch (x->ctype) {
	case 's': {
		char *end;
		unsigned long i;
		if (!n)
			break;
		i = strtoul(x->val, &end, 10);
		if (*end || i >= x->wb.nsst) {
			fail(x, LW_EFORMAT, "shared string index out of range");
			return;
		}
		out = x->wb.sst + x->wb.sst_off[i];
		n = (i + 1 < x->wb.nsst ? x->wb.sst_off[i + 1] : x->wb.sst_used) - x->wb.sst_off[i] - 1;
		break;
	}
	case 'b':
		out = n && x->val[0] == '1' ? "TRUE" : "FALSE";
		n = n ? strlen(out) : 0;
		break;
	case 'n':
		if (!n || plain_decimal(x->val, n))
			break; /* digits as written: phone numbers, case numbers */
		{
			char *end;
			double v = strtod(x->val, &end);
			if (*end)
				break; /* not a number after all: keep the text */
			if (x->kind != LW_NUM_PLAIN) {
				size_t k = lw_fmt_serial(v, x->wb.date1904, (enum lw_numkind)x->kind, buf);
				if (k) {
					out = buf;
					n = k;
					break;
				}
			}
			n = lw_fmt_number(v, buf);
			out = buf;
		}
		break;
	default: /* inline, str, error (#N/A), d: the text itself */
		break;
	}
	if (x->ctype == 'n' && x->kind != LW_NUM_PLAIN && n && out == x->val) {
		/* an integer serial in a date-formatted cell */
		size_t k = lw_fmt_serial(strtod(x->val, NULL), x->wb.date1904,
					 (enum lw_numkind)x->kind, buf);
		if (k) {
			out = buf;
			n = k;
		}
	}
	rc = lw_rawrow_add(x->row, x->ccol, out, n);
	if (rc == LW_ELIMIT)
		fail(x, rc, x->ccol >= x->lim->max_cols ? "too many columns" : "cell too long");
	else if (rc)
		fail(x, rc, "out of memory");
}

static void XMLCALL sh_end(void *u, const XML_Char *el)
{
	struct xsheet *x = u;
	const char *ln = lname(el);

	switch (ln[0]) {
	case 'c':
		if (ln[1])
			break;
		if (x->in_c)
			end_cell(x);
		x->in_c = x->in_v = x->in_is_t = 0;
		break;
	case 'v':
		if (!ln[1])
			x->in_v = 0;
		break;
	case 't':
		if (!ln[1])
			x->in_is_t = 0;
		break;
	case 'r':
		if (!strcmp(ln, "rPh")) {
			x->in_rph = 0;
		} else if (!strcmp(ln, "row")) {
			if (x->err) {
				;
			} else if (x->skip) {
				x->skip--; /* delivered by the fast scanner before it gave up */
			} else {
				x->have_row = 1;
				if (!x->fast)
					XML_StopParser(x->p, XML_TRUE);
			}
		}
		break;
	case 's':
		if (!strcmp(ln, "sheetData")) {
			x->sheet_end = 1;
			if (!x->err && !x->fast)
				XML_StopParser(x->p, XML_TRUE);
		}
		break;
	}
}

static int parse_status(struct xsheet *x, enum XML_Status st, struct lw_err *e)
{
	if (st == XML_STATUS_SUSPENDED) {
		x->suspended = 1;
		return 0;
	}
	x->suspended = 0;
	if (st == XML_STATUS_OK)
		return 0;
	if (x->err)
		return lw_err_set(e, x->err, "%s", x->errmsg);
	if (XML_GetErrorCode(x->p) == XML_ERROR_ABORTED)
		return lw_err_set(e, LW_EFORMAT, "%s: XML with a DTD is refused", x->m.name);
	return lw_err_set(e, LW_EFORMAT, "%s: broken XML at line %lu after row %u: %s", x->m.name,
			  (unsigned long)XML_GetCurrentLineNumber(x->p), x->rownum,
			  XML_ErrorString(XML_GetErrorCode(x->p)));
}

static int make_parser(struct xsheet *x, struct lw_err *e)
{
	if (!(x->p = lw_xml_parser(x)))
		return lw_err_set(e, LW_ENOMEM, "out of memory");
	XML_SetElementHandler(x->p, sh_start, sh_end);
	XML_SetCharacterDataHandler(x->p, sh_text);
	return 0;
}

/* The fast scanner gave up: read the sheet again from its start with
 * expat, skipping the rows already handed out. */
static int start_expat(struct xsheet *x, struct lw_err *e)
{
	int rc;

	lw_xscan_free(&x->scan);
	x->fast = 0;
	lw_zmember_close(&x->m);
	if ((rc = lw_zmember_open(x->z, x->sheet_path, x->lim, &x->m, e)))
		return rc == LW_ENOENT ? lw_err_set(e, LW_EFORMAT, "%s vanished", x->sheet_path) : rc;
	x->skip = x->delivered;
	x->rownum = 0;
	x->col = 0;
	x->in_c = x->in_v = x->in_is_t = x->in_rph = 0;
	x->have_row = x->sheet_end = x->suspended = x->final_fed = 0;
	x->err = 0;
	x->vlen = 0;
	return make_parser(x, e);
}

static int scan_stop(void *u)
{
	struct xsheet *x = u;
	return x->have_row || x->sheet_end || x->err;
}

static int sheet_next(void *st, struct lw_rawrow *row, struct lw_err *e)
{
	struct xsheet *x = st;
	int rc;

	x->row = row;
	x->have_row = 0;
	lw_rawrow_clear(row, x->rownum + 1);
	if (x->fast) {
		if (x->sheet_end)
			return LW_EEOF;
		if (lw_xscan_run(&x->scan) == 0) {
			if (x->err)
				return lw_err_set(e, x->err, "%s", x->errmsg);
			if (x->have_row) {
				x->delivered++;
				return lw_rawrow_end(row);
			}
			return LW_EEOF; /* </sheetData> */
		}
		if ((rc = start_expat(x, e)))
			return rc;
		lw_rawrow_clear(row, 1);
	}
	if (x->suspended) {
		if (x->sheet_end)
			return LW_EEOF;
		if ((rc = parse_status(x, XML_ResumeParser(x->p), e)))
			return rc;
	}
	while (!x->have_row && !x->sheet_end && !x->suspended) {
		void *buf;
		long long n;
		if (x->final_fed)
			return LW_EEOF;
		if (!(buf = XML_GetBuffer(x->p, SHEET_CHUNK)))
			return lw_err_set(e, LW_ENOMEM, "out of memory");
		if ((n = lw_zmember_read(&x->m, buf, SHEET_CHUNK, e)) < 0)
			return (int)n;
		x->final_fed = n == 0;
		if ((rc = parse_status(x, XML_ParseBuffer(x->p, (int)n, n == 0), e)))
			return rc;
	}
	if (x->have_row)
		return lw_rawrow_end(row);
	return LW_EEOF;
}

static void sheet_close(void *st)
{
	struct xsheet *x = st;
	if (!x)
		return;
	lw_zmember_close(&x->m);
	lw_xscan_free(&x->scan);
	if (x->p)
		XML_ParserFree(x->p);
	lw_workbook_free(&x->wb);
	if (x->z)
		zip_discard(x->z);
	free(x->val);
	free(x);
}


/* Collect <mergeCell ref="A1:D2"/> in the first MERGE_ROWS rows. */
static int scan_merges(struct xsheet *x, const char *path, struct lw_read_src *src,
		       struct lw_err *e)
{
	struct lw_zmember m;
	enum { KEEP = 256 };
	char *buf = malloc(SHEET_CHUNK + KEEP + 1);
	size_t have = 0;
	int rc;

	if (!buf)
		return lw_err_set(e, LW_ENOMEM, "out of memory");
	if ((rc = lw_zmember_open(x->z, path, x->lim, &m, e))) {
		free(buf);
		return rc;
	}
	for (;;) {
		long long n = lw_zmember_read(&m, buf + have, SHEET_CHUNK, e);
		char *p = buf, *end;
		if (n < 0) {
			rc = (int)n;
			break;
		}
		have += (size_t)n;
		buf[have] = '\0';
		end = buf + have;
		while ((p = memmem(p, (size_t)(end - p), "mergeCell ", 10))) {
			char *ref = memmem(p, (size_t)(end - p), "ref=\"", 5), *q;
			if (!ref || !(q = memchr(ref + 5, '"', (size_t)(end - ref - 5))))
				break; /* cut by the chunk end: rescanned with the next chunk */
			if (ref - p < 64) {
				struct lw_merge mg;
				long c1 = ref_col(ref + 5, &mg.r1), c2 = -1;
				char *colon = memchr(ref + 5, ':', (size_t)(q - ref - 5));
				if (colon)
					c2 = ref_col(colon + 1, &mg.r2);
				if (c1 >= 0 && c2 >= c1 && mg.r1 >= 1 && mg.r2 >= mg.r1 &&
				    mg.r1 <= MERGE_ROWS && src->nmerges < 4096) {
					struct lw_merge *nm = realloc(src->merges,
								      (src->nmerges + 1) * sizeof *nm);
					if (!nm) {
						rc = lw_err_set(e, LW_ENOMEM, "out of memory");
						goto out;
					}
					mg.c1 = (uint32_t)c1;
					mg.c2 = (uint32_t)c2;
					src->merges = nm;
					nm[src->nmerges++] = mg;
				}
			}
			p = q + 1;
		}
		if (n == 0)
			break;
		/* keep the tail in case a tag straddles the chunk boundary */
		if (!p)
			p = have > KEEP ? end - KEEP : buf;
		if ((size_t)(end - p) > KEEP)
			p = end - KEEP;
		have = (size_t)(end - p);
		memmove(buf, p, have);
	}
out:
	lw_zmember_close(&m);
	free(buf);
	return rc;
}

static int sheet_merges(void *st, struct lw_read_src *src, struct lw_err *e)
{
	struct xsheet *x = st;
	return scan_merges(x, x->sheet_path, src, e);
}

static const struct lw_read_backend xlsx_backend = {sheet_next, sheet_close, sheet_merges};

int lw_xlsx_open(const struct lw_read_input *in, const struct lw_table_opts *o,
		 const struct lw_read_limits *lim, struct lw_read_src *src, struct lw_err *e)
{
	struct xsheet *x = calloc(1, sizeof *x);
	zip_error_t ze;
	size_t si = 0;
	int rc, zerr = 0;

	if (!x)
		return lw_err_set(e, LW_ENOMEM, "out of memory");
	x->lim = lim;
	zip_error_init(&ze);
	if (in->mem) {
		x->zsrc = zip_source_buffer_create(in->mem, in->memlen, 0, &ze);
		if (x->zsrc && !(x->z = zip_open_from_source(x->zsrc, ZIP_RDONLY, &ze)))
			zip_source_free(x->zsrc);
	} else {
		/* zip_fdopen reads through a descriptor of the file already open
		 * (never the path again); on success it owns the duplicate. */
		int fd = fcntl(in->fd, F_DUPFD_CLOEXEC, 0);
		x->z = fd >= 0 ? zip_fdopen(fd, ZIP_RDONLY, &zerr) : NULL;
		if (!x->z) {
			if (fd >= 0)
				close(fd);
			else
				zerr = ZIP_ER_OPEN;
			zip_error_init_with_code(&ze, zerr);
		}
	}
	if (!x->z) {
		rc = lw_err_set(e, LW_EFORMAT, "damaged .xlsx (zip archive unreadable: %s)",
				zip_error_strerror(&ze));
		zip_error_fini(&ze);
		goto fail;
	}
	zip_error_fini(&ze);
	if ((rc = lw_workbook_load(x->z, lim, &x->wb, e)))
		goto fail;
	if (x->wb.nsheets == 0) {
		rc = lw_err_set(e, LW_EFORMAT, "workbook has no sheets");
		goto fail;
	}
	if (o->sheet_name && *o->sheet_name) {
		for (si = 0; si < x->wb.nsheets; si++)
			if (!strcmp(x->wb.sheets[si].name, o->sheet_name))
				break;
		if (si == x->wb.nsheets) {
			rc = lw_err_set(e, LW_ENOENT, "no sheet named '%s' (the workbook has %zu sheets)",
					o->sheet_name, x->wb.nsheets);
			goto fail;
		}
	} else if (o->sheet_index > 0) {
		if ((size_t)o->sheet_index > x->wb.nsheets) {
			rc = lw_err_set(e, LW_ENOENT, "no sheet %d (the workbook has %zu sheets)",
					o->sheet_index, x->wb.nsheets);
			goto fail;
		}
		si = (size_t)o->sheet_index - 1;
	} else {
		for (si = 0; si < x->wb.nsheets && x->wb.sheets[si].hidden; si++)
			;
		if (si == x->wb.nsheets)
			si = 0;
	}
	if (!(src->sheet = strdup(x->wb.sheets[si].name))) {
		rc = lw_err_set(e, LW_ENOMEM, "out of memory");
		goto fail;
	}
	x->sheet_path = x->wb.sheets[si].path;
	if ((rc = lw_zmember_open(x->z, x->wb.sheets[si].path, lim, &x->m, e)))
		goto fail_sheet;
	if (lw_xlsx_expat_only) {
		if ((rc = make_parser(x, e)))
			goto fail;
	} else {
		if (lw_xscan_init(&x->scan, &x->m)) {
			rc = lw_err_set(e, LW_ENOMEM, "out of memory");
			goto fail;
		}
		x->scan.user = x;
		x->scan.start = sh_start;
		x->scan.end = sh_end;
		x->scan.text = sh_text;
		x->scan.stop = scan_stop;
		x->fast = 1;
	}
	src->be = &xlsx_backend;
	src->st = x;
	strcpy(src->encoding, "UTF-8");
	return 0;
fail_sheet:
	if (rc == LW_ENOENT)
		rc = lw_err_set(e, LW_EFORMAT, "sheet '%s' is missing from the archive (%s)",
				x->wb.sheets[si].name, x->wb.sheets[si].path);
fail:
	sheet_close(x);
	return rc;
}
