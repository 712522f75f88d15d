/*
 * header.c — find the header row among the first rows of a sheet and build
 * the column names.
 *
 * What clerks produce: a title row above the header (one merged cell such as
 * "2024年第一季度行政诉讼案件统计表"), sometimes a "填报单位：" line, then
 * the header, often over two rows: a group cell merged across its columns
 * ("审理情况") above the sub-columns ("立案日期", "结案日期"), with the
 * ungrouped names ("案号") merged down over both rows.  The names become
 * "案号", "审理情况/立案日期", "审理情况/结案日期".
 *
 * Merge information exists only in .xlsx; a CSV exported from such a sheet or
 * a .xls read with freexl keeps the same shape (value in the first cell of
 * the range, blanks in the rest), so the same layout is also recognised
 * without merges.
 */
#include "read/read_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"

static int blank(const char *s, size_t n)
{
	size_t st;
	unsigned char c0 = n ? (unsigned char)s[0] : 0;
	if (c0 > 0x20 && c0 < 0x7F) /* printable ASCII is never white space */
		return 0;
	return lw_trim_span(s, n, &st) == 0;
}

static size_t nonblank_count(const struct lw_rawrow *r)
{
	size_t c = 0;
	for (size_t i = 0; i < r->ncols; i++)
		c += !blank(lw_rawrow_cell(r, i), r->len[i]);
	return c;
}

int lw_row_is_blank(const struct lw_rawrow *r)
{
	for (size_t i = 0; i < r->ncols; i++)
		if (!blank(lw_rawrow_cell(r, i), r->len[i]))
			return 0;
	return 1;
}

int lw_row_is_total(const struct lw_rawrow *r)
{
	static const char *const words[] = {"合计", "总计", "小计"};
	for (size_t i = 0; i < r->ncols && i < 2; i++) {
		const char *s = lw_rawrow_cell(r, i);
		char compact[16];
		size_t n = 0, k = 0, st, len;

		/* Checked on every data row: a cell starting with printable
		 * ASCII is not blank and not 合/总/小 (UTF-8 E5/E6 ..). */
		if (r->len[i] && (unsigned char)s[0] > 0x20 && (unsigned char)s[0] < 0x7F)
			return 0;
		len = lw_trim_span(s, r->len[i], &st);
		if (!len)
			continue;
		if ((unsigned char)s[st] != 0xE5 && (unsigned char)s[st] != 0xE6)
			return 0; /* trimmed, so compact[0] is s[st] */
		/* "合 计" and "合\u3000计" are common: drop spaces before comparing. */
		while (k < len && n < sizeof compact - 1) {
			if (s[st + k] == ' ') {
				k++;
			} else if (k + 3 <= len && !memcmp(s + st + k, "\xe3\x80\x80", 3)) {
				k += 3;
			} else {
				compact[n++] = s[st + k++];
			}
		}
		compact[n] = '\0';
		for (size_t w = 0; w < sizeof words / sizeof words[0]; w++)
			if (!strncmp(compact, words[w], strlen(words[w])))
				return 1;
		return 0; /* only the first non-blank cell counts */
	}
	return 0;
}

int lw_row_is_footer(const struct lw_rawrow *r)
{
	/* The signature block under a government form's table: 填表人：王五
	 * 联系电话：…, 审核人：, 负责人：, 填报单位（盖章）, 制表日期：… */
	static const char *const words[] = {
		"填表人", "制表人", "填报人", "审核人", "审批人", "负责人", "单位负责人", "分管领导",
		"主要负责人", "经办人", "联系人", "联系电话", "填报单位", "填表单位", "报送单位",
		"制表日期", "填表日期", "填报日期", "报送日期", "制表时间", "填报时间",
	};
	for (size_t i = 0; i < r->ncols; i++) {
		const char *s = lw_rawrow_cell(r, i);
		size_t st, len = lw_trim_span(s, r->len[i], &st);
		if (!len)
			continue;
		if ((unsigned char)s[st] < 0x80)
			return 0; /* data starts with a number or a code */
		for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
			size_t wl = strlen(words[w]);
			const char *after = s + st + wl;
			size_t rest = len - wl;
			if (len < wl || memcmp(s + st, words[w], wl))
				continue;
			/* The word alone, or followed by a colon or 盖章: a label,
			 * not a name that happens to start like one. */
			if (rest == 0 || *after == ':' || *after == '(' ||
			    (rest >= 3 && (!memcmp(after, "\xef\xbc\x9a", 3) || /* ： */
					   !memcmp(after, "\xef\xbc\x88", 3))))        /* （ */
				return 1;
		}
		return 0; /* only the first non-blank cell counts */
	}
	return 0;
}

/* Looks like a number or a date: such a row is data, not a header line. */
static int numeric_like(const char *s, size_t n)
{
	size_t st, len = lw_trim_span(s, n, &st), digits = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[st + i];
		if (c >= '0' && c <= '9')
			digits++;
		else if (!strchr("+-.:/ ,%", c))
			return 0;
	}
	return digits > 0;
}

/* Header text: full-width folded, white-space runs made one space (none
 * between two CJK characters, where an Alt+Enter line break sits), trimmed. */
static char *clean_name(const char *s, size_t n)
{
	char *t = malloc(n + 1), *o;
	size_t i;
	int pend = 0;

	if (!t)
		return NULL;
	memcpy(t, s, n);
	t[n] = '\0';
	lw_fold_fullwidth(t);
	o = t;
	for (i = 0; t[i]; i++) {
		unsigned char c = (unsigned char)t[i];
		if (c == '\r' || c == '\n' || c == '\t' || c == ' ') {
			pend = 1;
			continue;
		}
		if (pend && o > t && !((unsigned char)o[-1] >= 0x80 && c >= 0x80))
			*o++ = ' ';
		pend = 0;
		*o++ = (char)c;
	}
	*o = '\0';
	lw_trim(t);
	return t;
}

static const char *cell_or_empty(const struct lw_rawrow *r, size_t c, size_t *len)
{
	if (!r || c >= r->ncols) {
		*len = 0;
		return "";
	}
	*len = r->len[c];
	return lw_rawrow_cell(r, c);
}

/* Does `next` continue the header in `h1`? */
static int is_second_line(const struct lw_rawrow *h1, const struct lw_rawrow *h2,
			  const struct lw_merge *m, size_t nm)
{
	size_t w = h1->ncols > h2->ncols ? h1->ncols : h2->ncols, n1 = 0, n2 = 0;
	int under_gap = 0, over_gap = 0;

	if (h2->num != h1->num + 1)
		return 0;
	for (size_t c = 0; c < h2->ncols; c++)
		if (numeric_like(lw_rawrow_cell(h2, c), h2->len[c]))
			return 0;
	for (size_t i = 0; i < nm; i++) /* a merge down over both lines settles it */
		if (m[i].r1 == h1->num && m[i].r2 >= h2->num)
			return 1;
	for (size_t c = 0; c < w; c++) {
		const char *s1 = cell_or_empty(h1, c, &n1), *s2 = cell_or_empty(h2, c, &n2);
		int b1 = blank(s1, n1), b2 = blank(s2, n2);
		if (b1 && !b2 && c > 0)
			under_gap = 1;
		if (!b1 && b2)
			over_gap = 1;
	}
	return under_gap && over_gap;
}

int lw_header_needs_merges(const struct lw_rawrow *rows, size_t nrows)
{
	size_t maxc = 0, hi = 0;
	const struct lw_rawrow *h1, *h2;

	for (size_t i = 0; i < nrows; i++) {
		size_t c = nonblank_count(&rows[i]);
		if (c > maxc)
			maxc = c;
	}
	if (maxc == 0)
		return 0;
	/* the header row exactly as lw_header_detect() picks it */
	for (hi = 0; hi < nrows; hi++) {
		size_t c = nonblank_count(&rows[hi]);
		if (c && (maxc == 1 || (c >= 2 && c * 2 >= maxc)))
			break;
	}
	if (hi == nrows)
		return 1;
	h1 = &rows[hi];
	/* a possible second line: is_second_line() rejects a row that is not
	 * adjacent or holds a number before it looks at any merge */
	if (hi + 1 < nrows && (h2 = &rows[hi + 1])->num == h1->num + 1) {
		for (size_t c = 0; c < h2->ncols; c++)
			if (numeric_like(lw_rawrow_cell(h2, c), h2->len[c]))
				goto one_line;
		return 1;
	}
one_line:
	/* one header line: merges only fill its empty names (the same test
	 * lw_header_detect() applies, on the cleaned name) */
	for (size_t c = 0; c < h1->ncols; c++) {
		char *n = clean_name(lw_rawrow_cell(h1, c), h1->len[c]);
		int empty = !n || !n[0];
		free(n);
		if (empty)
			return 1;
	}
	return 0;
}

void lw_header_free(struct lw_header *h)
{
	for (size_t i = 0; h->names && i < h->ncols; i++)
		free(h->names[i]);
	free(h->names);
	memset(h, 0, sizeof *h);
}

int lw_header_detect(struct lw_rawrow *rows, size_t nrows, const struct lw_merge *m,
		     size_t nm, struct lw_header *h, struct lw_err *e)
{
	size_t maxc = 0, hi = nrows, w = 0, n1 = 0, n2 = 0;
	const struct lw_rawrow *h1, *h2 = NULL;
	char **up = NULL, **lo = NULL;
	int rc = LW_ENOMEM;

	memset(h, 0, sizeof *h);
	for (size_t i = 0; i < nrows; i++) {
		size_t c = nonblank_count(&rows[i]);
		if (c > maxc)
			maxc = c;
	}
	if (maxc == 0) {
		h->first_data = nrows;
		return 0; /* no rows at all: the caller reports "empty" */
	}
	/* The header is the first row about as wide as the table: title rows
	 * and "填报单位" lines above it fill one or two cells. */
	for (size_t i = 0; i < nrows; i++) {
		size_t c = nonblank_count(&rows[i]);
		if (c && (maxc == 1 || (c >= 2 && c * 2 >= maxc))) {
			hi = i;
			break;
		}
	}
	h1 = &rows[hi];
	h->row = h1->num;
	h->nlines = 1;
	if (hi + 1 < nrows && is_second_line(h1, &rows[hi + 1], m, nm)) {
		h2 = &rows[hi + 1];
		h->nlines = 2;
	}
	h->first_data = hi + h->nlines;
	w = h1->ncols;
	if (h2 && h2->ncols > w)
		w = h2->ncols;
	up = calloc(w ? w : 1, sizeof *up);
	lo = calloc(w ? w : 1, sizeof *lo);
	if (!up || !lo)
		goto out;
	for (size_t c = 0; c < w; c++) {
		const char *s = cell_or_empty(h1, c, &n1);
		if (!(up[c] = clean_name(s, n1)))
			goto out;
		s = cell_or_empty(h2, c, &n2);
		if (!(lo[c] = clean_name(s, n2)))
			goto out;
	}
	/* Spread merged values over their ranges (header lines only). */
	for (size_t i = 0; i < nm; i++) {
		char **src = m[i].r1 == h->row ? up : (h2 && m[i].r1 == h2->num) ? lo : NULL;
		char *v;
		if (!src || m[i].c1 >= w)
			continue;
		v = src[m[i].c1];
		for (uint32_t r = m[i].r1; r <= m[i].r2 && r < h->row + h->nlines; r++) {
			char **dst = r == h->row ? up : lo;
			for (uint32_t c = m[i].c1; c <= m[i].c2 && c < w; c++) {
				if (dst == src && c == m[i].c1)
					continue;
				if (!dst[c][0]) {
					char *d = strdup(v);
					if (!d)
						goto out;
					free(dst[c]);
					dst[c] = d;
				}
			}
		}
	}
	if (h2) {
		/* Without merge information: a blank upper cell over a named lower
		 * one belongs to the group on its left. */
		for (size_t c = 1; c < w; c++) {
			if (!up[c][0] && lo[c][0] && up[c - 1][0] && lo[c - 1][0]) {
				char *d = strdup(up[c - 1]);
				if (!d)
					goto out;
				free(up[c]);
				up[c] = d;
			}
		}
	}
	h->names = calloc(w ? w : 1, sizeof *h->names);
	if (!h->names)
		goto out;
	h->ncols = w;
	for (size_t c = 0; c < w; c++) {
		size_t a = strlen(up[c]), b = strlen(lo[c]);
		char *nm2 = malloc(a + b + 2);
		if (!nm2)
			goto out;
		if (a && b && strcmp(up[c], lo[c]))
			sprintf(nm2, "%s/%s", up[c], lo[c]);
		else
			strcpy(nm2, a ? up[c] : lo[c]);
		h->names[c] = nm2;
	}
	/* Trailing unnamed columns are not part of the table. */
	while (h->ncols > 0 && !h->names[h->ncols - 1][0]) {
		free(h->names[h->ncols - 1]);
		h->ncols--;
	}
	rc = 0;
out:
	for (size_t c = 0; c < w; c++) {
		if (up)
			free(up[c]);
		if (lo)
			free(lo[c]);
	}
	free(up);
	free(lo);
	if (rc) {
		lw_header_free(h);
		lw_err_set(e, rc, "out of memory while reading the header");
	}
	return rc;
}
