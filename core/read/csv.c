/*
 * csv.c — CSV/TSV backend: encoding detection, delimiter sniffing and a
 * pull parser for RFC 4180 as real files bend it.
 *
 * Why not libcsv (Debian libcsv-dev)?  It is a push parser: csv_parse()
 * takes a chunk and calls back once per field and per record, so a pull
 * iterator on top of it must queue every record a chunk yields (or feed it
 * one byte at a time), and each field is copied into libcsv's buffer and
 * then again into ours.  Measured on the 1M-row GB18030 bench file (see
 * docs/readers.md) this parser, which copies a field once straight into the
 * row and scans unquoted runs with memchr-style loops, is faster; and it
 * knows the record number when the decoder hits an invalid byte, which is
 * what the error message must name.
 *
 * Reality it accepts: CRLF, LF and lone CR line ends (old Mac exports);
 * quoted fields with delimiters, doubled quotes and line breaks; a stray
 * quote inside an unquoted field is kept as text; text after a closing quote
 * is kept too ("abc"def -> abc"def is what Excel shows as abcdef; we keep
 * the characters).  A quote never closed makes the cell grow until
 * max_cell_bytes, reported as a probable unclosed quote.
 */
#include "read/read_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "read/encoding.h"

struct csv {
	struct lw_dec d;
	int fd;
	char delim;
	uint32_t row;      /* records delivered */
	int skip_lf;       /* last record ended in CR: a following LF belongs to it */
	int done;
};

/* Pick the delimiter that splits the first lines most consistently. */
static char sniff_delim(const char *s, size_t n)
{
	static const char cand[] = {',', '\t', ';', '|'};
	enum { MAXL = 64 };
	unsigned counts[4][MAXL];
	size_t lines = 0, i = 0;
	int best = 0;
	size_t best_score = 0, best_mode = 0;

	memset(counts, 0, sizeof counts);
	while (i < n && lines < MAXL) {
		int q = 0;
		for (; i < n; i++) {
			char c = s[i];
			if (c == '"')
				q = !q;
			else if (!q && (c == '\n' || c == '\r'))
				break;
			else if (!q)
				for (int k = 0; k < 4; k++)
					counts[k][lines] += c == cand[k];
		}
		if (i >= n && lines > 0)
			break; /* a line cut by the sample end is not counted */
		lines++;
		while (i < n && (s[i] == '\n' || s[i] == '\r'))
			i++;
	}
	for (int k = 0; k < 4; k++) {
		size_t mode = 0, score = 0;
		for (size_t a = 0; a < lines; a++) {
			size_t same = 0;
			if (!counts[k][a])
				continue;
			for (size_t b = 0; b < lines; b++)
				same += counts[k][b] == counts[k][a];
			if (same > score || (same == score && counts[k][a] > mode))
				score = same, mode = counts[k][a];
		}
		if (score > best_score || (score == best_score && mode > best_mode)) {
			best = k;
			best_score = score;
			best_mode = mode;
		}
	}
	return cand[best];
}

static int csv_fail(struct csv *c, int rc, struct lw_err *e, size_t col, const char *detail)
{
	char L[8];
	c->done = 1;
	lw_col_letter(col, L);
	return lw_err_set(e, rc, "row %u, column %s: %s", c->row, L, detail);
}

static int csv_next(void *st, struct lw_rawrow *r, struct lw_err *e)
{
	struct csv *c = st;
	struct lw_dec *d = &c->d;
	enum { START, PLAIN, QUOTED, QUOTE } s = START;
	int rc, any = 0;

	if (c->done)
		return LW_EEOF;
	lw_rawrow_clear(r, c->row + 1);
	for (;;) {
		const char *p, *end;
		if (d->pos == d->len) {
			if ((rc = lw_dec_fill(d, e)))
				return c->done = 1, rc;
			if (d->pos == d->len) {
				if (d->bad) {
					c->row++;
					c->done = 1;
					return lw_err_set(e, LW_EENCODING,
							  "row %u: bytes invalid in %s at byte offset %llu "
							  "(wrong encoding? pass --encoding)",
							  c->row, d->name, (unsigned long long)d->badoff);
				}
				if (d->eof)
					break;
				continue;
			}
		}
		p = d->out + d->pos;
		end = d->out + d->len;
		if (c->skip_lf) {
			c->skip_lf = 0;
			if (*p == '\n') {
				d->pos++;
				continue;
			}
		}
		any = 1;
		if (s == START && r->ncols == 0 && !lw_csv_slow_only) {
			/* Fast path for the usual record: whole in the buffer, no
			 * quote, no lone CR.  One memchr finds its end, the fields
			 * are split in a single copy (lw_rawrow_split).  Anything
			 * else, or a limit that might be hit, goes the byte-wise way
			 * below, which gives the same result and names the cell. */
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			if (nl) {
				size_t n = (size_t)(nl - p);
				if (n && p[n - 1] == '\r')
					n--;
				rc = lw_rawrow_split(r, p, n, c->delim);
				if (rc == 0) {
					d->pos = (size_t)(nl + 1 - d->out);
					c->row++;
					return 0;
				}
				if (rc != LW_ELIMIT)
					goto limit;
			}
		}
		while (p < end) {
			const char *q = p;
			switch (s) {
			case START:
				if ((rc = lw_rawrow_begin(r, r->ncols)))
					goto limit;
				if (*p == '"') {
					s = QUOTED;
					p++;
				} else {
					s = PLAIN;
				}
				break;
			case PLAIN:
				while (q < end && *q != c->delim && *q != '\n' && *q != '\r')
					q++;
				if ((rc = lw_rawrow_append(r, p, (size_t)(q - p))))
					goto limit;
				p = q;
				if (p == end)
					break;
				goto field_end;
			case QUOTED:
				while (q < end && *q != '"')
					q++;
				if ((rc = lw_rawrow_append(r, p, (size_t)(q - p))))
					goto limit;
				p = q;
				if (p < end) {
					s = QUOTE;
					p++;
				}
				break;
			case QUOTE:
				if (*p == '"') {
					if ((rc = lw_rawrow_append(r, "\"", 1)))
						goto limit;
					s = QUOTED;
					p++;
				} else if (*p == c->delim || *p == '\n' || *p == '\r') {
					goto field_end;
				} else {
					s = PLAIN; /* "abc"def: keep the rest as text */
				}
				break;
			}
			continue;
		field_end:
			if ((rc = lw_rawrow_end(r)))
				goto limit;
			if (*p == c->delim) {
				s = START;
				p++;
				continue;
			}
			c->skip_lf = *p == '\r';
			d->pos = (size_t)(p + 1 - d->out);
			c->row++;
			return 0;
		}
		d->pos = d->len;
	}
	/* End of input. */
	c->done = 1;
	if (!any && s == START && r->ncols == 0)
		return LW_EEOF;
	if (s == QUOTED) {
		c->row++;
		return csv_fail(c, LW_EFORMAT, e, r->ncols - 1,
				"quoted field never closed (missing \")");
	}
	if ((rc = lw_rawrow_end(r)))
		return rc;
	if (r->ncols == 0 && (rc = lw_rawrow_add(r, 0, "", 0)))
		return rc;
	c->row++;
	return 0;
limit:
	c->row++;
	if (rc == LW_ENOMEM)
		return csv_fail(c, rc, e, r->ncols ? r->ncols - 1 : 0,
				"out of memory");
	if (r->ncols >= r->lim->max_cols)
		return csv_fail(c, rc, e, r->ncols,
				"too many columns for a spreadsheet");
	return csv_fail(c, rc, e, r->ncols - 1,
			s == QUOTED ? "cell too long: probably a quote (\") that is never closed"
				    : "cell too long");
}

static void csv_close(void *st)
{
	struct csv *c = st;
	lw_dec_free(&c->d);
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

int lw_csv_slow_only;

static const struct lw_read_backend csv_backend = {csv_next, csv_close, NULL};

int lw_csv_open(const struct lw_read_input *in, const struct lw_table_opts *o,
		const struct lw_read_limits *lim, struct lw_read_src *src, struct lw_err *e)
{
	struct csv *c = calloc(1, sizeof *c);
	unsigned char *head = NULL;
	const unsigned char *sample;
	size_t n = 0, bom = 0;
	char enc[32];
	int rc = LW_ENOMEM, eof = 0;

	if (!c)
		return lw_err_set(e, LW_ENOMEM, "out of memory");
	c->fd = -1;
	c->d.cd = (iconv_t)-1;
	if (in->mem) {
		sample = in->mem;
		n = in->memlen < 65536 ? in->memlen : 65536;
		eof = n == in->memlen;
	} else {
		ssize_t got;
		/* A duplicate shares the caller's offset: start from the top. */
		c->fd = fcntl(in->fd, F_DUPFD_CLOEXEC, 0);
		if (c->fd < 0 || lseek(c->fd, 0, SEEK_SET) != 0) {
			rc = lw_err_set(e, LW_EIO, "cannot open: %s", strerror(errno));
			goto fail;
		}
		if (!(head = malloc(65536)))
			goto fail;
		while ((got = pread(c->fd, head + n, 65536 - n, (off_t)n)) > 0)
			n += (size_t)got;
		eof = n < 65536;
		sample = head;
	}
	if (o->encoding && *o->encoding) {
		snprintf(enc, sizeof enc, "%s", o->encoding);
		lw_enc_detect(sample, n, eof, (char[32]){0}, &bom, NULL); /* still skip a BOM */
		if (bom == 3 && strcasecmp(enc, "UTF-8") && strcasecmp(enc, "UTF8"))
			bom = 0;
		if (bom == 2 && strncasecmp(enc, "UTF-16", 6))
			bom = 0;
		if (bom == 2 && (!strcasecmp(enc, "UTF-16")))
			bom = 0; /* iconv's "UTF-16" reads the BOM itself */
	} else if ((rc = lw_enc_detect(sample, n, eof, enc, &bom, e))) {
		goto fail;
	}
	if ((rc = lw_dec_init(&c->d, c->fd, in->mem, in->memlen, bom, enc, e)))
		goto fail;
	if ((rc = lw_dec_fill(&c->d, e)))
		goto fail;
	c->delim = o->delimiter ? o->delimiter : sniff_delim(c->d.out, c->d.len);
	src->be = &csv_backend;
	src->st = c;
	snprintf(src->encoding, sizeof src->encoding, "%s", enc);
	src->delimiter = c->delim;
	free(head);
	return 0;
fail:
	free(head);
	csv_close(c);
	return rc;
}
