/*
 * table.c — the format-neutral front end of the readers (see table.h): sniffs
 * the format from the first bytes, hands the file to the csv/xlsx/xls
 * backend, finds the header in the first rows and hands out data rows,
 * dropping blank and total rows.
 */
#define _GNU_SOURCE /* memmem */
#include "read/read_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct lw_table {
	enum lw_table_format fmt;
	char *name;
	struct lw_read_limits lim;
	struct lw_read_src src;
	struct lw_header hdr;
	struct lw_rawrow *scan; /* rows read while looking for the header */
	size_t nscan, iscan;
	struct lw_rawrow cur;
	const char **cellp;
	size_t cellp_cap;
	int eof;
	int failed;
	int pending; /* err was hit while looking for the header: report it after the rows before it */
	struct lw_err err;
	uint32_t footer[LW_TABLE_FOOTER_MAX]; /* row numbers of skipped footer lines */
	size_t nfooter;
};

static void fill_limits(struct lw_read_limits *l, const struct lw_table_opts *o)
{
	l->max_cell_bytes = o->max_cell_bytes ? o->max_cell_bytes : 8u << 20;
	l->max_cols = o->max_cols ? o->max_cols : 16384;
	l->max_part_bytes = o->max_part_bytes ? o->max_part_bytes : 4ull << 30;
	l->max_ratio = o->max_ratio ? o->max_ratio : 500;
	l->max_sst_bytes = o->max_sst_bytes ? o->max_sst_bytes : 256u << 20;
	l->header_scan = o->header_scan ? o->header_scan : 30;
}

/* UTF-16LE "EncryptionInfo": the stream an encrypted OOXML package keeps
 * inside its OLE2 container (MS-OFFCRYPTO). */
static const char enc_info[] = "E\0n\0c\0r\0y\0p\0t\0i\0o\0n\0I\0n\0f\0o\0";

static int cfb_encrypted(const struct lw_read_input *in)
{
	size_t pat = sizeof enc_info - 1;
	char buf[65536 + 64];
	size_t keep = 0;
	off_t off = 0;
	int fd, found = 0;

	if (in->mem)
		return memmem(in->mem, in->memlen, enc_info, pat) != NULL;
	fd = in->fd;
	for (;;) {
		ssize_t n = pread(fd, buf + keep, 65536, off);
		size_t have;
		if (n <= 0)
			break;
		off += n;
		have = keep + (size_t)n;
		if (memmem(buf, have, enc_info, pat)) {
			found = 1;
			break;
		}
		/* keep a tail in case the name straddles two reads */
		keep = have < 64 ? have : 64;
		memmove(buf, buf + have - keep, keep);
	}
	return found;
}

/* What the first bytes say.  Returns the format, or 0 with e set. */
static enum lw_table_format sniff(const unsigned char *s, size_t n, uint64_t total,
				  const struct lw_read_input *in, struct lw_err *e)
{
	static const unsigned char cfb[8] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};
	size_t i = 0;

	if (total == 0)
		return lw_err_set(e, LW_EFORMAT, "empty file"), LW_TABLE_UNKNOWN;
	if (n >= 4 && s[0] == 'P' && s[1] == 'K' && (s[2] == 3 || s[2] == 5) && (s[3] == 4 || s[3] == 6))
		return LW_TABLE_XLSX;
	if (n >= 8 && !memcmp(s, cfb, 8)) {
		if (cfb_encrypted(in))
			return lw_err_set(e, LW_ECRYPT, "encrypted workbook: save it without a password"),
			       LW_TABLE_UNKNOWN;
		return LW_TABLE_XLS;
	}
	if (n >= 4 && (!memcmp(s, "%PDF", 4) || !memcmp(s, "\x89PNG", 4) || !memcmp(s, "\xff\xd8\xff", 3) ||
		       !memcmp(s, "GIF8", 4) || !memcmp(s, "\x1f\x8b", 2) || !memcmp(s, "Rar!", 4) ||
		       !memcmp(s, "7z\xbc\xaf", 4)))
		return lw_err_set(e, LW_EFORMAT,
				  "not a spreadsheet (a %s file): send the .xlsx, .xls or .csv",
				  s[0] == '%' ? "PDF" : s[0] == 0x89 ? "PNG" : s[0] == 0xff ? "JPEG" :
				  s[0] == 'G' ? "GIF" : "compressed archive"),
		       LW_TABLE_UNKNOWN;
	if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
		i = 3;
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
		i++;
	if (i < n && s[i] == '<') {
		/* Many "export to Excel" buttons write an HTML table named .xls;
		 * "XML Spreadsheet 2003" is XML. */
		return lw_err_set(e, LW_EFORMAT,
				  "not a spreadsheet but an HTML/XML page (often saved as .xls by web "
				  "systems): open it in Excel and save as .xlsx"),
		       LW_TABLE_UNKNOWN;
	}
	return LW_TABLE_CSV;
}

static int open_common(const struct lw_read_input *in, const unsigned char *head, size_t nhead,
		       uint64_t total, const struct lw_table_opts *opts, struct lw_table **out,
		       struct lw_err *e)
{
	static const struct lw_table_opts none;
	const struct lw_table_opts *o = opts ? opts : &none;
	struct lw_table *t = calloc(1, sizeof *t);
	const char *base = strrchr(in->name, '/');
	struct lw_err scratch;
	int rc;

	*out = NULL;
	if (!e)
		e = &scratch; /* the code of a sniffing failure travels in it */
	if (!t)
		return lw_err_set(e, LW_ENOMEM, "out of memory");
	t->name = strdup(base ? base + 1 : in->name);
	if (!t->name) {
		free(t);
		return lw_err_set(e, LW_ENOMEM, "out of memory");
	}
	fill_limits(&t->lim, o);
	lw_rawrow_init(&t->cur, &t->lim);
	t->fmt = sniff(head, nhead, total, in, e);
	switch (t->fmt) {
	case LW_TABLE_CSV: rc = lw_csv_open(in, o, &t->lim, &t->src, e); break;
	case LW_TABLE_XLSX: rc = lw_xlsx_open(in, o, &t->lim, &t->src, e); break;
	case LW_TABLE_XLS: rc = lw_xls_open(in, o, &t->lim, &t->src, e); break;
	default: rc = e ? e->code : LW_EFORMAT; break;
	}
	if (rc)
		goto fail;
	t->scan = calloc(t->lim.header_scan, sizeof *t->scan);
	if (!t->scan) {
		rc = lw_err_set(e, LW_ENOMEM, "out of memory");
		goto fail;
	}
	while (t->nscan < t->lim.header_scan) {
		struct lw_rawrow *r = &t->scan[t->nscan];
		lw_rawrow_init(r, &t->lim);
		t->nscan++;
		rc = t->src.be->next(t->src.st, r, e);
		if (rc == LW_EEOF) {
			lw_rawrow_free(r);
			t->nscan--;
			t->eof = 1;
			break;
		}
		if (rc && t->nscan > 1) {
			lw_rawrow_free(r);
			t->nscan--;
			t->err = e->code ? *e : (struct lw_err){.code = rc};
			t->err.code = rc;
			if (t->src.sheet)
				lw_err_prefix(&t->err, "%s, sheet '%s'", t->name, t->src.sheet);
			else
				lw_err_prefix(&t->err, "%s", t->name);
			t->pending = 1;
			break;
		}
		if (rc)
			goto fail_located;
	}
	if (t->src.be->merges && lw_header_needs_merges(t->scan, t->nscan) &&
	    (rc = t->src.be->merges(t->src.st, &t->src, e)))
		goto fail_located;
	if ((rc = lw_header_detect(t->scan, t->nscan, t->src.merges, t->src.nmerges, &t->hdr, e)))
		goto fail_located;
	if (t->hdr.row == 0) {
		rc = lw_err_set(e, LW_EFORMAT, "no rows: the %s is empty",
				t->fmt == LW_TABLE_CSV ? "file" : "sheet");
		goto fail_located;
	}
	t->iscan = t->hdr.first_data;
	*out = t;
	return 0;
fail_located:
	if (t->src.sheet)
		lw_err_prefix(e, "%s, sheet '%s'", t->name, t->src.sheet);
	else
		lw_err_prefix(e, "%s", t->name);
	lw_table_close(t);
	return rc;
fail:
	lw_err_prefix(e, "%s", t->name);
	lw_table_close(t);
	return rc;
}

int lw_table_open_fd(int fd, const char *name, const struct lw_table_opts *opts,
		     struct lw_table **out, struct lw_err *e)
{
	struct lw_read_input in = {.fd = fd, .name = name ? name : "(file)"};
	unsigned char head[512];
	struct stat st;
	ssize_t n;

	*out = NULL;
	if (fstat(fd, &st) != 0)
		return lw_err_set(e, LW_EIO, "%s: cannot read: %s", in.name, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return lw_err_set(e, LW_EPERM, "%s: not a regular file", in.name);
	n = pread(fd, head, sizeof head, 0);
	if (n < 0)
		return lw_err_set(e, LW_EIO, "%s: cannot read: %s", in.name, strerror(errno));
	return open_common(&in, head, (size_t)n, (uint64_t)st.st_size, opts, out, e);
}

int lw_table_open(const char *path, const struct lw_table_opts *opts, struct lw_table **out,
		  struct lw_err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY), rc;

	*out = NULL;
	if (fd < 0)
		return lw_err_set(e, errno == ENOENT ? LW_ENOENT : LW_EIO, "%s: cannot open: %s", path,
				  strerror(errno));
	/* O_NONBLOCK only so that a FIFO cannot hang the open; the fstat in
	 * lw_table_open_fd refuses it. */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	rc = lw_table_open_fd(fd, path, opts, out, e);
	close(fd); /* the backends keep their own duplicate */
	return rc;
}

int lw_table_open_mem(const void *buf, size_t len, const char *name_hint,
		      const struct lw_table_opts *opts, struct lw_table **out, struct lw_err *e)
{
	struct lw_read_input in = {.mem = buf, .memlen = len, .fd = -1,
				   .name = name_hint ? name_hint : "(memory)"};
	if (!buf)
		in.mem = (const unsigned char *)"", len = 0, in.memlen = 0;
	return open_common(&in, in.mem, len < 512 ? len : 512, len, opts, out, e);
}

void lw_table_close(struct lw_table *t)
{
	if (!t)
		return;
	if (t->src.be)
		t->src.be->close(t->src.st);
	for (size_t i = 0; i < t->nscan; i++)
		lw_rawrow_free(&t->scan[i]);
	free(t->scan);
	lw_rawrow_free(&t->cur);
	lw_header_free(&t->hdr);
	free(t->src.sheet);
	free(t->src.merges);
	free(t->cellp);
	free(t->name);
	free(t);
}

int lw_table_next(struct lw_table *t, struct lw_row *row, struct lw_err *e)
{
	struct lw_rawrow *r;
	int rc;

	if (t->failed) {
		if (e)
			*e = t->err;
		return t->err.code;
	}
	for (;;) {
		if (t->iscan < t->nscan) {
			r = &t->scan[t->iscan++];
		} else {
			if (t->pending) {
				t->failed = 1;
				if (e)
					*e = t->err;
				return t->err.code;
			}
			if (t->eof)
				return LW_EEOF;
			rc = t->src.be->next(t->src.st, &t->cur, &t->err);
			if (rc == LW_EEOF) {
				t->eof = 1;
				return LW_EEOF;
			}
			if (rc) {
				t->err.code = rc;
				if (t->src.sheet)
					lw_err_prefix(&t->err, "%s, sheet '%s'", t->name, t->src.sheet);
				else
					lw_err_prefix(&t->err, "%s", t->name);
				t->failed = 1;
				if (e)
					*e = t->err;
				return rc;
			}
			r = &t->cur;
		}
		if (lw_row_is_blank(r) || lw_row_is_total(r))
			continue;
		if (lw_row_is_footer(r)) {
			if (t->nfooter < LW_TABLE_FOOTER_MAX)
				t->footer[t->nfooter] = r->num;
			t->nfooter++;
			continue;
		}
		break;
	}
	if ((rc = lw_rawrow_pad(r, t->hdr.ncols)))
		return lw_err_set(e, rc, "out of memory");
	if (r->ncols > t->cellp_cap) {
		const char **np = realloc(t->cellp, r->ncols * sizeof *np);
		if (!np)
			return lw_err_set(e, LW_ENOMEM, "out of memory");
		t->cellp = np;
		t->cellp_cap = r->ncols;
	}
	for (size_t i = 0; i < r->ncols; i++)
		t->cellp[i] = r->buf + r->off[i];
	row->num = r->num;
	row->ncols = r->ncols;
	row->cells = t->cellp;
	row->lens = r->len;
	return 0;
}

enum lw_table_format lw_table_format(const struct lw_table *t)
{
	return t->fmt;
}

const char *lw_table_format_name(enum lw_table_format f)
{
	switch (f) {
	case LW_TABLE_CSV: return "csv";
	case LW_TABLE_XLSX: return "xlsx";
	case LW_TABLE_XLS: return "xls";
	default: return "unknown";
	}
}

size_t lw_table_footer_rows(const struct lw_table *t, const uint32_t **rows)
{
	*rows = t->footer;
	return t->nfooter;
}

const char *lw_table_encoding(const struct lw_table *t)
{
	return t->src.encoding;
}

const char *lw_table_sheet(const struct lw_table *t)
{
	return t->src.sheet;
}

char lw_table_delimiter(const struct lw_table *t)
{
	return t->src.delimiter;
}

uint32_t lw_table_header_row(const struct lw_table *t, unsigned *nlines)
{
	if (nlines)
		*nlines = t->hdr.nlines;
	return t->hdr.row;
}

size_t lw_table_ncols(const struct lw_table *t)
{
	return t->hdr.ncols;
}

const char *lw_table_colname(const struct lw_table *t, size_t i)
{
	return i < t->hdr.ncols ? t->hdr.names[i] : NULL;
}
