/*
 * cmd_read.c — `litwatch read FILE [--sheet NAME|N] [--encoding E]
 * [--format csv|jsonl]`: prints what the tabular reader sees, so that an
 * operator can check a clerk's file before importing it.  Detected format,
 * encoding, sheet and header row go to stderr; rows to stdout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "read/table.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: litwatch read FILE [--sheet NAME|N] [--encoding E] [--format csv|jsonl]\n"
		   "  --sheet NAME|N   sheet by name or 1-based number (default: first visible)\n"
		   "  --encoding E     CSV text encoding, e.g. GB18030, UTF-8, UTF-16LE (default: detect)\n"
		   "  --format F       csv (RFC 4180, UTF-8; default) or jsonl (one object per row)\n");
}

/* CSV output through our own buffer: one pass per cell decides on quoting
 * (stdio's per-call locking and four memchr per cell cost more than the
 * reader itself on a large file). */
static struct {
	char buf[1 << 16];
	size_t n;
	int failed;
} ob;

static void ob_flush(void)
{
	if (ob.n && fwrite(ob.buf, 1, ob.n, stdout) != ob.n)
		ob.failed = 1;
	ob.n = 0;
}

static void ob_put_slow(const char *s, size_t n)
{
	ob_flush();
	if (n > sizeof ob.buf) {
		if (fwrite(s, 1, n, stdout) != n)
			ob.failed = 1;
		return;
	}
	memcpy(ob.buf, s, n);
	ob.n = n;
}

/* Called for every cell and separator: the common case inline. */
static inline void ob_put(const char *s, size_t n)
{
	if (ob.n + n > sizeof ob.buf) {
		ob_put_slow(s, n);
		return;
	}
	memcpy(ob.buf + ob.n, s, n);
	ob.n += n;
}

/* Does s[0..n) (NUL-terminated at n) need quotes?  strcspn is vectorised
 * in glibc and measured faster than a byte loop on these short cells; a
 * NUL inside the cell stops it early, then the rest is checked by hand. */
static int needs_quotes(const char *s, size_t n)
{
	size_t k = strcspn(s, ",\"\r\n");
	if (k >= n)
		return 0;
	if (s[k])
		return 1;
	for (; k < n; k++)
		if (s[k] == ',' || s[k] == '"' || s[k] == '\n' || s[k] == '\r')
			return 1;
	return 0;
}

static void put_csv_cell(const char *s, size_t n)
{
	if (!needs_quotes(s, n)) {
		ob_put(s, n);
		return;
	}
	ob_put("\"", 1);
	for (size_t st = 0; st < n;) {
		const char *q = memchr(s + st, '"', n - st);
		size_t end = q ? (size_t)(q - s) + 1 : n;
		ob_put(s + st, end - st);
		if (q)
			ob_put("\"", 1);
		st = end;
	}
	ob_put("\"", 1);
}

/* The reader usually stores a row's cells back to back, each ended by a
 * NUL.  Then one check of the whole span (four memchr, vectorised) tells
 * that no cell needs quotes, and the row is written with one copy, the
 * NULs between cells becoming commas: per-cell strcspn and copies were a
 * third of the time on the CSV bench.  Returns 0 when it did not apply. */
static int put_csv_span(const char *const *cells, const size_t *lens, size_t n)
{
	const char *a = cells[0];
	size_t len, at;

	for (size_t i = 0; i + 1 < n; i++)
		if (cells[i + 1] != cells[i] + lens[i] + 1)
			return 0;
	len = (size_t)(cells[n - 1] - a) + lens[n - 1];
	if (len + 2 > sizeof ob.buf / 2 || memchr(a, ',', len) || memchr(a, '"', len) ||
	    memchr(a, '\n', len) || memchr(a, '\r', len))
		return 0;
	if (ob.n + len + 2 > sizeof ob.buf)
		ob_flush();
	memcpy(ob.buf + ob.n, a, len);
	for (size_t i = 0, o = ob.n; i + 1 < n; i++) {
		at = (size_t)(cells[i] - a) + lens[i];
		ob.buf[o + at] = ',';
	}
	ob.n += len;
	memcpy(ob.buf + ob.n, "\r\n", 2);
	ob.n += 2;
	return 1;
}

static void put_csv_row(const char *const *cells, const size_t *lens, size_t n)
{
	if (lens && n && put_csv_span(cells, lens, n))
		return;
	for (size_t i = 0; i < n; i++) {
		if (i) {
			if (ob.n == sizeof ob.buf)
				ob_flush();
			ob.buf[ob.n++] = ',';
		}
		put_csv_cell(cells[i], lens ? lens[i] : strlen(cells[i]));
	}
	ob_put("\r\n", 2);
}

/* JSON keys: the header names, made unique and never empty. */
static char **make_keys(const struct lw_table *t, size_t n)
{
	char **k = calloc(n ? n : 1, sizeof *k);
	if (!k)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const char *name = lw_table_colname(t, i);
		char L[8], buf[64];
		size_t dup = 1;
		if (!name || !*name)
			name = lw_col_letter(i, L);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(k[j], name))
				dup++;
		if (dup > 1) {
			size_t len = strlen(name) + 24;
			k[i] = malloc(len);
			if (k[i])
				snprintf(k[i], len, "%s_%zu", name, dup);
		} else {
			k[i] = strdup(name);
		}
		(void)buf;
		if (!k[i]) {
			for (size_t j = 0; j < i; j++)
				free(k[j]);
			free(k);
			return NULL;
		}
	}
	return k;
}

int lw_cmd_read(int argc, char **argv)
{
	struct lw_table_opts o = {0};
	const char *file = NULL, *format = "csv";
	struct lw_table *t = NULL;
	struct lw_err e = {0};
	struct lw_row row;
	char **keys = NULL;
	size_t ncols, nrows = 0;
	int rc, status = 1;
	unsigned nlines;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--sheet") && i + 1 < argc) {
			const char *v = argv[++i];
			char *end;
			long n = strtol(v, &end, 10);
			if (*v && !*end && n > 0 && n < 65536)
				o.sheet_index = (int)n;
			else
				o.sheet_name = v;
		} else if (!strcmp(argv[i], "--encoding") && i + 1 < argc) {
			o.encoding = argv[++i];
		} else if (!strcmp(argv[i], "--format") && i + 1 < argc) {
			format = argv[++i];
			if (strcmp(format, "csv") && strcmp(format, "jsonl")) {
				fprintf(stderr, "litwatch read: --format must be csv or jsonl\n");
				return 2;
			}
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "litwatch read: unknown or incomplete option '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		} else if (!file) {
			file = argv[i];
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (!file) {
		usage(stderr);
		return 2;
	}
	if ((rc = lw_table_open(file, &o, &t, &e))) {
		fprintf(stderr, "litwatch read: %s\n", e.msg);
		return 1;
	}
	ncols = lw_table_ncols(t);
	fprintf(stderr, "format: %s\nencoding: %s\n", lw_table_format_name(lw_table_format(t)),
		lw_table_encoding(t));
	if (lw_table_sheet(t))
		fprintf(stderr, "sheet: %s\n", lw_table_sheet(t));
	fprintf(stderr, "header row: %u", lw_table_header_row(t, &nlines));
	if (nlines > 1)
		fprintf(stderr, "-%u", lw_table_header_row(t, NULL) + nlines - 1);
	fprintf(stderr, " (%zu columns)\n", ncols);
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	if (!strcmp(format, "csv")) {
		const char **names = calloc(ncols ? ncols : 1, sizeof *names);
		if (!names)
			goto out;
		for (size_t i = 0; i < ncols; i++)
			names[i] = lw_table_colname(t, i);
		put_csv_row(names, NULL, ncols);
		free(names);
	} else if (!(keys = make_keys(t, ncols))) {
		fprintf(stderr, "litwatch read: out of memory\n");
		goto out;
	}
	while ((rc = lw_table_next(t, &row, &e)) == 0) {
		nrows++;
		if (!keys) {
			put_csv_row(row.cells, row.lens, row.ncols);
			continue;
		}
		json_t *obj = json_object();
		for (size_t i = 0; obj && i < row.ncols; i++) {
			char L[8];
			const char *k = i < ncols ? keys[i] : lw_col_letter(i, L);
			json_object_set_new(obj, k, json_stringn(row.cells[i], row.lens[i]));
		}
		ob_flush();
		if (!obj || json_dumpf(obj, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER) != 0) {
			json_decref(obj);
			fprintf(stderr, "litwatch read: cannot write row %u\n", row.num);
			goto out;
		}
		json_decref(obj);
		putc('\n', stdout);
	}
	ob_flush();
	if (rc != LW_EEOF) {
		fflush(stdout);
		fprintf(stderr, "litwatch read: %s\n", e.msg);
		goto out;
	}
	fprintf(stderr, "data rows: %zu\n", nrows);
	status = fflush(stdout) == 0 && !ob.failed ? 0 : 1;
out:
	for (size_t i = 0; keys && i < ncols; i++)
		free(keys[i]);
	free(keys);
	lw_table_close(t);
	return status;
}
