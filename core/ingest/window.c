/*
 * window.c — a window of packed rows (window.h): the arena rows are carved
 * from, packing a mapped row, the key order, and a row back as a record.
 * pipe.c says why rows are packed and sorted; the figures are in
 * docs/import.md ("Order of the rows").
 */
#include "ingest/window.h"

#include <stdlib.h>
#include <string.h>

#define BLOCK_SIZE (1u << 20) /* the arena's unit; a bigger row gets a block of its own */
#define PREFETCH_AHEAD LW_WIN_PREFETCH_AHEAD

/* ---- a window's arena (producer thread) ---- */

/* n bytes of arena a, aligned for any struct when align is set (text is
 * packed byte to byte). */
static void *ar_carve(struct lw_arena *a, size_t n, int align)
{
	struct lw_wblock *b = a->cur;
	void *p;

	if (align && b)
		b->used = (b->used + 7) & ~(size_t)7;
	/* Blocks are kept from window to window; go on to the next one that
	 * has room, or put a new one after the current. */
	while (b && b->cap - b->used < n && b->next && b->next->used == 0 && b->next->cap >= n)
		b = b->next;
	if (!b || b->cap - b->used < n) {
		/* a multiple of 8, so that aligning used never passes cap */
		size_t cap = n > BLOCK_SIZE ? (n + 7) & ~(size_t)7 : BLOCK_SIZE;
		struct lw_wblock *nb = malloc(sizeof *nb + cap);
		if (!nb)
			return NULL;
		nb->cap = cap;
		nb->used = 0;
		if (b) {
			nb->next = b->next;
			b->next = nb;
		} else {
			nb->next = a->head;
			a->head = nb;
		}
		b = nb;
	}
	a->cur = b;
	if (align)
		b->used = (b->used + 7) & ~(size_t)7;
	p = b->data + b->used;
	b->used += n;
	a->bytes += n;
	return p;
}

static void *ar_alloc(struct lw_arena *a, size_t n)
{
	return ar_carve(a, n, 1);
}

static char *ar_dup(struct lw_arena *a, const char *s, size_t len)
{
	char *d = ar_carve(a, len + 1, 0);
	if (d) {
		memcpy(d, s, len);
		d[len] = '\0';
	}
	return d;
}

/* Empty a for the next rows: blocks of one big row are let go, the others
 * kept. */
void lw_arena_reset(struct lw_arena *a)
{
	struct lw_wblock **pb = &a->head;

	while (*pb) {
		struct lw_wblock *b = *pb;
		if (b->cap > BLOCK_SIZE) {
			*pb = b->next;
			free(b);
			continue;
		}
		b->used = 0;
		pb = &b->next;
	}
	a->cur = a->head;
	a->bytes = 0;
}

void lw_arena_free(struct lw_arena *a)
{
	while (a->head) {
		struct lw_wblock *next = a->head->next;
		free(a->head);
		a->head = next;
	}
}

void lw_win_reset(struct lw_window *w)
{
	lw_arena_reset(&w->a);
	w->n = 0;
	w->end = 0;
	memset(&w->err, 0, sizeof w->err);
}

void lw_win_free(struct lw_window *w)
{
	lw_arena_free(&w->a);
	free(w->rows);
}

static char **dup_list(struct lw_arena *a, char *const *v, size_t n)
{
	char **d = ar_alloc(a, (n ? n : 1) * sizeof *d);

	if (!d)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (v[i] && !(d[i] = ar_dup(a, v[i], strlen(v[i]))))
			return NULL;
		else if (!v[i])
			d[i] = NULL;
	return d;
}

/* Bytes at..at+7 of key (len bytes) as a big-endian integer, zero-padded. */
static uint64_t be_prefix(const char *key, uint32_t len, uint32_t at)
{
	uint64_t v = 0;

	for (uint32_t i = at; i < at + 8; i++)
		v = v << 8 | (i < len ? (unsigned char)key[i] : 0);
	return v;
}

/* The bytes from o to the end of its row, when the row is in one block
 * (first: the block o was carved from); else o's own struct only
 * (prefetching is a hint). */
static uint32_t span_of(const struct lw_arena *a, const struct lw_wblock *first, const struct lw_wrow *o)
{
	return a->cur == first ? (uint32_t)(a->cur->data + a->cur->used - (const char *)o)
			       : (uint32_t)sizeof *o;
}

/* Pack row (its cells) and r (the row mapped) into arena a, its place at
 * the end of w's rows.  Only the cells of mapped columns are kept: a
 * rejected row's report (rows.c, raw_json) shows no other. */
int lw_win_pack(const struct lw_mapping *map, struct lw_window *w, struct lw_arena *a,
		const struct lw_row *row, const struct lw_record *r)
{
	struct lw_wrow *o;
	struct lw_wblock *first;
	uint32_t nvals = 0;

	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 1024;
		struct lw_wref *rows = realloc(w->rows, cap * sizeof *rows);
		if (!rows)
			return -1;
		w->rows = rows;
		w->cap = cap;
	}
	for (int c = 0; c < LW_REC_MAX_COLS; c++)
		nvals += r->val[c] != NULL;
	if (!(o = ar_alloc(a, sizeof *o)))
		return -1;
	first = a->cur;
	if (!(o->vals = ar_alloc(a, (nvals ? nvals : 1) * sizeof *o->vals)) ||
	    !(o->cells = ar_alloc(a, (row->ncols ? row->ncols : 1) * sizeof *o->cells)))
		return -1;
	o->num = row->num;
	o->ncells = (uint32_t)row->ncols;
	for (size_t c = 0; c < row->ncols; c++) {
		if (c >= map->ncols || map->role[c] != LW_COL_MAPPED || !row->lens[c])
			o->cells[c] = "";
		else if (!(o->cells[c] = ar_dup(a, row->cells[c], row->lens[c])))
			return -1;
	}
	o->target = r->target;
	o->mask_text = r->mask_text;
	o->keylen = r->key ? (uint32_t)strlen(r->key) : 0;
	o->key = NULL;
	if (r->key && !(o->key = ar_dup(a, r->key, o->keylen)))
		return -1;
	o->nvals = 0;
	for (int c = 0; c < LW_REC_MAX_COLS; c++) {
		struct lw_wval *v;
		if (!r->val[c])
			continue;
		v = &o->vals[o->nvals++];
		v->col = (uint32_t)c;
		v->len = (uint32_t)strlen(r->val[c]);
		if (!(v->p = ar_dup(a, r->val[c], v->len)))
			return -1;
	}
	o->nagencies = (uint32_t)r->nagencies;
	o->agencies = o->agencies_raw = NULL;
	if (r->nagencies && (!(o->agencies = dup_list(a, r->agencies, r->nagencies)) ||
			     !(o->agencies_raw = dup_list(a, r->agencies_raw, r->nagencies))))
		return -1;
	o->nerrors = (uint32_t)r->nerrors;
	o->errors = NULL;
	if (r->nerrors) {
		if (!(o->errors = ar_alloc(a, r->nerrors * sizeof *o->errors)))
			return -1;
		for (size_t i = 0; i < r->nerrors; i++) {
			const struct lw_field_error *fe = &r->errors[i];
			struct lw_field_error *d = &o->errors[i];
			char *s3[3] = {fe->reason_zh, fe->reason_en, fe->value};
			char **l = dup_list(a, s3, 3);
			if (!l)
				return -1;
			d->col = fe->col;
			d->field = fe->field;
			d->reason_zh = l[0];
			d->reason_en = l[1];
			d->value = l[2];
		}
	}
	o->nwarnings = (uint32_t)r->nwarnings;
	o->warnings = NULL;
	if (r->nwarnings && !(o->warnings = dup_list(a, r->warnings, r->nwarnings)))
		return -1;
	/* The row's parts follow o in one block unless a block ended within
	 * the row: then span covers o's block only (prefetching is a hint). */
	o->span = span_of(a, first, o);
	w->rows[w->n].k0 = be_prefix(o->key, o->keylen, 0);
	w->rows[w->n].k1 = be_prefix(o->key, o->keylen, 8);
	w->rows[w->n++].r = o;
	return 0;
}

/* Key order (bytes, then length), then source order: equal keys keep the
 * file's order. */
static int by_key(const void *a, const void *b)
{
	const struct lw_wref *p = a, *q = b;
	const struct lw_wrow *x, *y;

	if (p->k0 != q->k0)
		return p->k0 < q->k0 ? -1 : 1;
	if (p->k1 != q->k1)
		return p->k1 < q->k1 ? -1 : 1;
	x = p->r;
	y = q->r;
	if (x->keylen > 16 && y->keylen > 16) {
		uint32_t n = (x->keylen < y->keylen ? x->keylen : y->keylen) - 16;
		int d = memcmp(x->key + 16, y->key + 16, n);
		if (d)
			return d;
	}
	if (x->keylen != y->keylen)
		return x->keylen < y->keylen ? -1 : 1;
	return x->num < y->num ? -1 : x->num > y->num;
}

/* p, a pointer into the row at [from, from + span), moved by delta; a
 * pointer elsewhere (the "" of an empty cell) is left alone. */
static void *moved(const void *p, uintptr_t from, uint32_t span, uintptr_t delta)
{
	uintptr_t v = (uintptr_t)p;
	return (void *)(v >= from && v - from < span ? v + delta : v);
}

static void move_list(char **l, size_t n, uintptr_t from, uint32_t span, uintptr_t delta)
{
	for (size_t i = 0; i < n; i++)
		l[i] = moved(l[i], from, span, delta);
}

/* Row o, packed in one piece (span), copied as one piece into arena a and
 * its pointers moved along: one memcpy instead of a copy per value. */
static struct lw_wrow *move_row(struct lw_arena *a, const struct lw_wrow *o)
{
	struct lw_wrow *d = ar_alloc(a, o->span);
	uintptr_t from = (uintptr_t)o, delta;
	uint32_t span = o->span;

	if (!d)
		return NULL;
	memcpy(d, o, span);
	delta = (uintptr_t)d - from;
#define MOVE(p) ((p) = moved((p), from, span, delta))
	MOVE(d->key);
	MOVE(d->cells);
	move_list((char **)d->cells, d->ncells, from, span, delta);
	MOVE(d->vals);
	for (uint32_t i = 0; i < d->nvals; i++)
		MOVE(d->vals[i].p);
	if (d->nagencies) {
		MOVE(d->agencies);
		MOVE(d->agencies_raw);
		move_list(d->agencies, d->nagencies, from, span, delta);
		move_list(d->agencies_raw, d->nagencies, from, span, delta);
	}
	if (d->nerrors) {
		MOVE(d->errors);
		for (uint32_t i = 0; i < d->nerrors; i++) {
			MOVE(d->errors[i].reason_zh);
			MOVE(d->errors[i].reason_en);
			MOVE(d->errors[i].value);
		}
	}
	if (d->nwarnings) {
		MOVE(d->warnings);
		move_list(d->warnings, d->nwarnings, from, span, delta);
	}
#undef MOVE
	return d;
}

/* A copy of packed row o into arena a: in one piece when it was packed in
 * one (the common case), else value by value. */
static struct lw_wrow *copy_row(struct lw_arena *a, const struct lw_wrow *o)
{
	struct lw_wrow *d;
	struct lw_wblock *first;

	if (o->span > sizeof *o)
		return move_row(a, o);
	if (!(d = ar_alloc(a, sizeof *d)))
		return NULL;
	first = a->cur;
	*d = *o;
	if (!(d->vals = ar_alloc(a, (o->nvals ? o->nvals : 1) * sizeof *d->vals)) ||
	    !(d->cells = ar_alloc(a, (o->ncells ? o->ncells : 1) * sizeof *d->cells)))
		return NULL;
	for (uint32_t i = 0; i < o->nvals; i++) {
		d->vals[i] = o->vals[i];
		if (!(d->vals[i].p = ar_dup(a, o->vals[i].p, o->vals[i].len)))
			return NULL;
	}
	for (uint32_t c = 0; c < o->ncells; c++)
		if (!o->cells[c][0])
			d->cells[c] = "";
		else if (!(d->cells[c] = ar_dup(a, o->cells[c], strlen(o->cells[c]))))
			return NULL;
	if (o->key && !(d->key = ar_dup(a, o->key, o->keylen)))
		return NULL;
	if (o->nagencies && (!(d->agencies = dup_list(a, o->agencies, o->nagencies)) ||
			     !(d->agencies_raw = dup_list(a, o->agencies_raw, o->nagencies))))
		return NULL;
	if (o->nerrors) {
		if (!(d->errors = ar_alloc(a, o->nerrors * sizeof *d->errors)))
			return NULL;
		for (uint32_t i = 0; i < o->nerrors; i++) {
			const struct lw_field_error *fe = &o->errors[i];
			char *s3[3] = {fe->reason_zh, fe->reason_en, fe->value};
			char **l = dup_list(a, s3, 3);
			if (!l)
				return NULL;
			d->errors[i] = *fe;
			d->errors[i].reason_zh = l[0];
			d->errors[i].reason_en = l[1];
			d->errors[i].value = l[2];
		}
	}
	if (o->nwarnings && !(d->warnings = dup_list(a, o->warnings, o->nwarnings)))
		return NULL;
	d->span = span_of(a, first, d);
	return d;
}

/* Fetch row o into the cache ahead of its use (a hint). */
void lw_win_prefetch(const struct lw_wrow *o)
{
	for (uint32_t off = 0; off < o->span; off += 64)
		__builtin_prefetch((const char *)o + off);
}

/* Nonzero when w's rows are in key order already (an export in time order). */
static int in_key_order(const struct lw_window *w)
{
	for (size_t i = 1; i < w->n; i++)
		if (by_key(&w->rows[i - 1], &w->rows[i]) > 0)
			return 0;
	return 1;
}

/* Sort w's rows (packed in the file's order into scratch) by key, and lay
 * them out in that order in w's own arena: the consumer then reads its rows
 * front to back instead of all over 16 MiB.  Measured on a shuffled export
 * of 300 000 rows: the writer thread, whose time is the import's, spent
 * 0.28 s less (its cache misses), the producer 0.12 s more, and it has time
 * to spare; 1.58-1.61 s instead of 1.68-1.80 s, peak RSS 93 MiB instead of
 * 76 MiB (the scratch arena).  A window in order already is only handed
 * over. */
int lw_win_sort(struct lw_window *w, struct lw_arena *scratch)
{
	if (in_key_order(w)) {
		struct lw_arena t = w->a;
		w->a = *scratch;
		*scratch = t;
		return 0;
	}
	qsort(w->rows, w->n, sizeof *w->rows, by_key);
	for (size_t i = 0; i < w->n; i++) {
		if (i + PREFETCH_AHEAD < w->n)
			lw_win_prefetch(w->rows[i + PREFETCH_AHEAD].r);
		if (!(w->rows[i].r = copy_row(&w->a, w->rows[i].r)))
			return -1;
	}
#ifndef NDEBUG
	/* Debug builds (the sanitizer suite) wipe what was copied: a pointer
	 * left behind into the scratch arena then reads garbage in the tests. */
	for (struct lw_wblock *b = scratch->head; b; b = b->next)
		memset(b->data, 0x5a, b->used);
#endif
	return 0;
}

int lw_win_unpack(const struct lw_wrow *o, struct lw_pipe_row *out)
{
	struct lw_record *r = &out->rec;

	lw_record_clear(r);
	r->target = o->target;
	r->row = o->num;
	r->mask_text = o->mask_text;
	r->key = o->key;
	r->keylen = o->keylen;
	r->measured = 1;
	for (uint32_t i = 0; i < o->nvals; i++) {
		r->val[o->vals[i].col] = o->vals[i].p;
		r->vlen[o->vals[i].col] = o->vals[i].len;
	}
	r->agencies = o->agencies;
	r->agencies_raw = o->agencies_raw;
	r->nagencies = o->nagencies;
	if (o->nerrors) {
		if (!(r->errors = calloc(o->nerrors, sizeof *r->errors)))
			return -1;
		r->nerrors = o->nerrors;
		for (uint32_t i = 0; i < o->nerrors; i++) {
			const struct lw_field_error *fe = &o->errors[i];
			struct lw_field_error *d = &r->errors[i];
			d->col = fe->col;
			d->field = fe->field;
			if ((fe->reason_zh && !(d->reason_zh = strdup(fe->reason_zh))) ||
			    (fe->reason_en && !(d->reason_en = strdup(fe->reason_en))) ||
			    (fe->value && !(d->value = strdup(fe->value))))
				return -1;
		}
	}
	if (o->nwarnings) {
		if (!(r->warnings = calloc(o->nwarnings, sizeof *r->warnings)))
			return -1;
		r->nwarnings = o->nwarnings;
		for (uint32_t i = 0; i < o->nwarnings; i++)
			if (o->warnings[i] && !(r->warnings[i] = strdup(o->warnings[i])))
				return -1;
	}
	out->num = o->num;
	out->cells = o->cells;
	out->ncells = o->ncells;
	return 0;
}
