/*
 * pipe.c — read and map a table on a second thread (see pipe.h).
 *
 * Why a thread: for a big 12345 export, reading, decoding and mapping
 * (dates, vocabularies, agencies, HMAC of personal data) is about a third
 * of an import's CPU and SQLite the rest; both are serial.  A producer
 * thread that reads and maps while the caller writes overlaps the two
 * (docs/import.md has the figures).
 *
 * Shape: NWIN windows of rows travel between the two threads; a window is
 * FREE (the producer may fill it) or FULL (the consumer may read it),
 * handed over under one mutex with one condition variable per direction,
 * so the lock is taken twice per window, not per row.  Each mapped row is
 * packed into its window's arena (struct wrow: the values, their lengths,
 * the cells a rejected row's report needs), a few hundred bytes a row
 * instead of a record of its own; the consumer gets it back as a
 * struct lw_record whose values point into the arena.
 *
 * Order: a work-order export (target tickets) is sorted by key within
 * each window (up to WIN_ROWS rows or WIN_BYTES of arena), so that rows
 * reach the primary key's B-tree in order even when the export is not
 * (docs/import.md: a shuffled export cost 1.6x the ordered one, nearly all
 * of it in SQLite's index descents).  The sort is stable on the source row,
 * so a later row of the same key is still stored after the earlier one and
 * wins, as in the file's order.  Windows start small and double, so that
 * the consumer does not wait for a whole big window before the first row.
 * Other targets (cases: few rows, defendants, notices that name rows in
 * order) keep the file's order in small windows.
 */
#include "ingest/pipe.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define NWIN 2
/* Unsorted windows (cases): as small as the old batches. */
#define SMALL_ROWS 256
#define SMALL_BYTES (1u << 20)
/* Sorted windows: the first holds FIRST_ROWS rows, each next one twice
 * as many, up to WIN_ROWS.  Measured in SQLite alone (docs/import.md):
 * windows of 65 536 rows take a shuffled export's insert from 4.0 s to
 * 2.1 s of CPU, 16 384 only to 2.8 s. */
#define FIRST_ROWS 4096
#define WIN_ROWS 65536
/* ... and a window ends once its arena passes this size, whatever the
 * rows hold: with NWIN windows alive, the pipe's memory stays under about
 * NWIN * WIN_BYTES plus one row (RSS budget of issue 18: 128 MiB beside
 * the page cache).  A bench row packs into ~850 bytes (its cells and its
 * mapped values, hashes included), so a window holds ~20 000 of them;
 * 24 and 32 MiB windows were no faster on the bench (docs/import.md). */
#define WIN_BYTES (16u << 20)
#define PREFETCH_AHEAD 4 /* rows (lw_pipe_next) */
#define BLOCK_SIZE (1u << 20) /* the arena's unit; a bigger row gets a block of its own */

/* One mapped value of a packed row. */
struct wval {
	uint32_t col, len;
	char *p;
};

/* A mapped row, packed into its window's arena. */
struct wrow {
	uint32_t num, ncells, keylen, nvals;
	uint32_t nagencies, nerrors, nwarnings;
	uint32_t span;          /* bytes of the arena from this struct to the row's last value */
	int mask_text;
	enum lw_target target;
	char *key;
	const char **cells;
	struct wval *vals;
	char **agencies, **agencies_raw;
	struct lw_field_error *errors; /* strings in the arena */
	char **warnings;
};

/* A row's place in its window, with the first 16 bytes of its key read
 * big-endian (zero-padded: keys hold no NUL), so that the sort compares
 * two integers and touches the row itself only past them. */
struct wref {
	uint64_t k0, k1;
	struct wrow *r;
};

struct wblock {
	struct wblock *next;
	size_t cap, used;
	char data[];
};

struct window {
	int full;               /* 0: FREE, 1: FULL */
	int end;                /* the table ends after these rows */
	int rc;                 /* ... with this (LW_EEOF: normal end) */
	struct lw_err err;
	struct wref *rows;      /* in the order the consumer gets them */
	size_t n, cap;
	struct wblock *head, *cur; /* the arena; kept from window to window */
	size_t bytes;           /* arena in use */
};

struct lw_pipe {
	struct lw_table *tab;
	const struct lw_mapping *map;
	const struct lw_map_ctx *ctx;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t filled, freed;
	int stop;               /* the consumer has gone: the producer quits */
	int sorted;             /* windows sorted by key (tickets) */
	size_t next_rows;       /* rows of the next sorted window */
	struct lw_record scratch; /* the producer's: a row mapped before packing */
	struct window w[NWIN];
	size_t head;            /* next window the consumer reads */
	size_t pos;             /* next row in it */
	int holding;            /* the consumer holds w[head] */
	struct lw_pipe_row out; /* the consumer's view of the current row */
};

/* ---- a window's arena (producer thread) ---- */

/* n bytes of w's arena, aligned for any struct when align is set (text
 * is packed byte to byte). */
static void *win_carve(struct window *w, size_t n, int align)
{
	struct wblock *b = w->cur;
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
		struct wblock *nb = malloc(sizeof *nb + cap);
		if (!nb)
			return NULL;
		nb->cap = cap;
		nb->used = 0;
		if (b) {
			nb->next = b->next;
			b->next = nb;
		} else {
			nb->next = w->head;
			w->head = nb;
		}
		b = nb;
	}
	w->cur = b;
	if (align)
		b->used = (b->used + 7) & ~(size_t)7;
	p = b->data + b->used;
	b->used += n;
	w->bytes += n;
	return p;
}

static void *win_alloc(struct window *w, size_t n)
{
	return win_carve(w, n, 1);
}

static char *win_dup(struct window *w, const char *s, size_t len)
{
	char *d = win_carve(w, len + 1, 0);
	if (d) {
		memcpy(d, s, len);
		d[len] = '\0';
	}
	return d;
}

/* Empty w for the next rows: blocks of one big row are let go, the others
 * kept. */
static void win_reset(struct window *w)
{
	struct wblock **pb = &w->head;

	while (*pb) {
		struct wblock *b = *pb;
		if (b->cap > BLOCK_SIZE) {
			*pb = b->next;
			free(b);
			continue;
		}
		b->used = 0;
		pb = &b->next;
	}
	w->cur = w->head;
	w->n = 0;
	w->bytes = 0;
	w->end = 0;
	memset(&w->err, 0, sizeof w->err);
}

static void win_free(struct window *w)
{
	while (w->head) {
		struct wblock *next = w->head->next;
		free(w->head);
		w->head = next;
	}
	free(w->rows);
}

static char **dup_list(struct window *w, char *const *v, size_t n)
{
	char **d = win_alloc(w, (n ? n : 1) * sizeof *d);

	if (!d)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (v[i] && !(d[i] = win_dup(w, v[i], strlen(v[i]))))
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

/* Pack row (its cells) and r (the row mapped) into w.  Only the cells of
 * mapped columns are kept: a rejected row's report (rows.c, raw_json)
 * shows no other. */
static int pack(const struct lw_pipe *p, struct window *w, const struct lw_row *row,
		const struct lw_record *r)
{
	struct wrow *o;
	struct wblock *first;
	uint32_t nvals = 0;

	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 1024;
		struct wref *rows = realloc(w->rows, cap * sizeof *rows);
		if (!rows)
			return -1;
		w->rows = rows;
		w->cap = cap;
	}
	for (int c = 0; c < LW_REC_MAX_COLS; c++)
		nvals += r->val[c] != NULL;
	if (!(o = win_alloc(w, sizeof *o)))
		return -1;
	first = w->cur;
	if (!(o->vals = win_alloc(w, (nvals ? nvals : 1) * sizeof *o->vals)) ||
	    !(o->cells = win_alloc(w, (row->ncols ? row->ncols : 1) * sizeof *o->cells)))
		return -1;
	o->num = row->num;
	o->ncells = (uint32_t)row->ncols;
	for (size_t c = 0; c < row->ncols; c++) {
		if (c >= p->map->ncols || p->map->role[c] != LW_COL_MAPPED || !row->lens[c])
			o->cells[c] = "";
		else if (!(o->cells[c] = win_dup(w, row->cells[c], row->lens[c])))
			return -1;
	}
	o->target = r->target;
	o->mask_text = r->mask_text;
	o->keylen = r->key ? (uint32_t)strlen(r->key) : 0;
	o->key = NULL;
	if (r->key && !(o->key = win_dup(w, r->key, o->keylen)))
		return -1;
	o->nvals = 0;
	for (int c = 0; c < LW_REC_MAX_COLS; c++) {
		struct wval *v;
		if (!r->val[c])
			continue;
		v = &o->vals[o->nvals++];
		v->col = (uint32_t)c;
		v->len = (uint32_t)strlen(r->val[c]);
		if (!(v->p = win_dup(w, r->val[c], v->len)))
			return -1;
	}
	o->nagencies = (uint32_t)r->nagencies;
	o->agencies = o->agencies_raw = NULL;
	if (r->nagencies && (!(o->agencies = dup_list(w, r->agencies, r->nagencies)) ||
			     !(o->agencies_raw = dup_list(w, r->agencies_raw, r->nagencies))))
		return -1;
	o->nerrors = (uint32_t)r->nerrors;
	o->errors = NULL;
	if (r->nerrors) {
		if (!(o->errors = win_alloc(w, r->nerrors * sizeof *o->errors)))
			return -1;
		for (size_t i = 0; i < r->nerrors; i++) {
			const struct lw_field_error *fe = &r->errors[i];
			struct lw_field_error *d = &o->errors[i];
			char *s3[3] = {fe->reason_zh, fe->reason_en, fe->value};
			char **l = dup_list(w, s3, 3);
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
	if (r->nwarnings && !(o->warnings = dup_list(w, r->warnings, r->nwarnings)))
		return -1;
	/* The row's parts follow o in one block unless a block ended within
	 * the row: then span covers o's block only (prefetching is a hint). */
	o->span = w->cur == first ? (uint32_t)(w->cur->data + w->cur->used - (char *)o)
				  : (uint32_t)sizeof *o;
	w->rows[w->n].k0 = be_prefix(o->key, o->keylen, 0);
	w->rows[w->n].k1 = be_prefix(o->key, o->keylen, 8);
	w->rows[w->n++].r = o;
	return 0;
}

/* Key order (bytes, then length), then source order: equal keys keep the
 * file's order. */
static int by_key(const void *a, const void *b)
{
	const struct wref *p = a, *q = b;
	const struct wrow *x, *y;

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

/* Nonzero when w's rows are in key order already (an export in time
 * order): the sort is then skipped. */
static int in_key_order(const struct window *w)
{
	for (size_t i = 1; i < w->n; i++)
		if (by_key(&w->rows[i - 1], &w->rows[i]) > 0)
			return 0;
	return 1;
}

/* Fill window w from the table.  Runs on the producer thread. */
static void fill(struct lw_pipe *p, struct window *w)
{
	size_t max_rows = p->sorted ? p->next_rows : SMALL_ROWS;
	size_t max_bytes = p->sorted ? WIN_BYTES : SMALL_BYTES;
	struct lw_row row;

	win_reset(w);
	while (w->n < max_rows && w->bytes < max_bytes) {
		int rc = lw_table_next(p->tab, &row, &w->err);
		if (rc != 0) {
			w->end = 1;
			w->rc = rc;
			break;
		}
		if (lw_record_map(p->map, p->ctx, row.num, row.cells, row.ncols, &p->scratch) != 0 ||
		    pack(p, w, &row, &p->scratch) != 0) {
			lw_err_set(&w->err, LW_ENOMEM, "out of memory mapping row %u", row.num);
			w->end = 1;
			w->rc = LW_ENOMEM;
			break;
		}
	}
	if (p->sorted) {
		if (!in_key_order(w))
			qsort(w->rows, w->n, sizeof *w->rows, by_key);
		if (p->next_rows < WIN_ROWS)
			p->next_rows *= 2;
	}
}

static void *producer(void *arg)
{
	struct lw_pipe *p = arg;

	for (size_t k = 0;; k = (k + 1) % NWIN) {
		struct window *w = &p->w[k];
		int end;

		pthread_mutex_lock(&p->mu);
		while (w->full && !p->stop)
			pthread_cond_wait(&p->freed, &p->mu);
		if (p->stop) {
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		pthread_mutex_unlock(&p->mu);
		fill(p, w);
		end = w->end;
		pthread_mutex_lock(&p->mu);
		w->full = 1;
		pthread_cond_signal(&p->filled);
		pthread_mutex_unlock(&p->mu);
		if (end)
			return NULL;
	}
}

int lw_pipe_start(struct lw_table *tab, const struct lw_mapping *map,
		  const struct lw_map_ctx *ctx, struct lw_pipe **out, struct lw_err *e)
{
	struct lw_pipe *p = calloc(1, sizeof *p);
	int rc;

	*out = NULL;
	if (!p)
		return lw_err_set(e, LW_ENOMEM, "out of memory");
	p->tab = tab;
	p->map = map;
	p->ctx = ctx;
	p->sorted = map->profile->target == LW_TARGET_TICKETS;
	p->next_rows = FIRST_ROWS;
	if (pthread_mutex_init(&p->mu, NULL) != 0) {
		free(p);
		return lw_err_set(e, LW_ENOMEM, "cannot create the import's reader lock");
	}
	pthread_cond_init(&p->filled, NULL);
	pthread_cond_init(&p->freed, NULL);
	if ((rc = pthread_create(&p->thread, NULL, producer, p)) != 0) {
		pthread_cond_destroy(&p->filled);
		pthread_cond_destroy(&p->freed);
		pthread_mutex_destroy(&p->mu);
		free(p);
		return lw_err_set(e, LW_ENOMEM, "cannot start the import's reader thread: %s",
				  strerror(rc));
	}
	*out = p;
	return 0;
}

/* Make p->out the record of packed row o: values point into the window,
 * errors and warnings are copied (the consumer may add an error, and
 * lw_record_clear frees them). */
static int unpack(struct lw_pipe *p, const struct wrow *o)
{
	struct lw_record *r = &p->out.rec;

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
	p->out.num = o->num;
	p->out.cells = o->cells;
	p->out.ncells = o->ncells;
	return 0;
}

int lw_pipe_next(struct lw_pipe *p, struct lw_pipe_row **row, struct lw_err *e)
{
	struct window *w = &p->w[p->head];

	for (;;) {
		if (!p->holding) {
			pthread_mutex_lock(&p->mu);
			while (!w->full)
				pthread_cond_wait(&p->filled, &p->mu);
			pthread_mutex_unlock(&p->mu);
			p->holding = 1;
			p->pos = 0;
		}
		if (p->pos < w->n) {
			/* A sorted window hands out rows from all over its
			 * arena: fetch a row a few ahead into the cache (the
			 * misses were ~13% of this thread's time without). */
			if (p->pos + PREFETCH_AHEAD < w->n) {
				const struct wrow *ahead = w->rows[p->pos + PREFETCH_AHEAD].r;
				for (uint32_t off = 0; off < ahead->span; off += 64)
					__builtin_prefetch((const char *)ahead + off);
			}
			if (unpack(p, w->rows[p->pos++].r) != 0)
				return lw_err_set(e, LW_ENOMEM, "out of memory");
			*row = &p->out;
			return 0;
		}
		if (w->end) {
			if (w->rc != LW_EEOF && e)
				*e = w->err;
			return w->rc;
		}
		/* Done with this window: hand it back and go on to the next. */
		pthread_mutex_lock(&p->mu);
		w->full = 0;
		pthread_cond_signal(&p->freed);
		pthread_mutex_unlock(&p->mu);
		p->holding = 0;
		p->head = (p->head + 1) % NWIN;
		w = &p->w[p->head];
	}
}

int lw_pipe_sorted(const struct lw_pipe *p)
{
	return p->sorted;
}

void lw_pipe_free(struct lw_pipe *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_signal(&p->freed);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->thread, NULL);
	for (size_t k = 0; k < NWIN; k++)
		win_free(&p->w[k]);
	lw_record_free(&p->scratch);
	lw_record_free(&p->out.rec);
	pthread_cond_destroy(&p->filled);
	pthread_cond_destroy(&p->freed);
	pthread_mutex_destroy(&p->mu);
	free(p);
}
