/*
 * pipe.c — read and map a table on a second thread (see pipe.h).
 *
 * Why a thread: for a big 12345 export, reading, decoding and mapping
 * (dates, vocabularies, agencies, HMAC of personal data) is about a third
 * of an import's CPU and SQLite the rest; both are serial.  A producer
 * thread that reads and maps while the caller writes overlaps the two
 * (docs/import.md has the figures).  Rows keep their order.
 *
 * Shape: NBATCH batches of up to BATCH_ROWS rows travel between the two
 * threads; a batch is FREE (the producer may fill it) or FULL (the
 * consumer may read it), handed over under one mutex with one condition
 * variable per direction, so the lock is taken twice per batch, not per
 * row.  Everything a row owns (its mapped record and a copy of its cells,
 * which a rejected row needs for its report) lives in the batch and is
 * reused: the producer allocates and frees; the consumer reads (and may
 * attach an error to a row it could not store).
 */
#include "ingest/pipe.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define NBATCH 4
#define BATCH_ROWS 256
/* A batch also ends once its cells pass this size: rows of big cells
 * (up to the readers' 1 MB per cell) must not multiply the memory in
 * flight by BATCH_ROWS.  At most NBATCH batches of about this much, each
 * twice (cells and mapped values), are alive at once. */
#define BATCH_BYTES (1u << 20)

struct slot {
	struct lw_pipe_row row;
	size_t cell0; /* index of the row's first cell in batch->cellv */
};

struct batch {
	int full;               /* 0: FREE, 1: FULL */
	size_t n;               /* rows in it */
	int end;                /* the table ends after these rows */
	int rc;                 /* ... with this (LW_EEOF: normal end) */
	struct lw_err err;
	struct slot slot[BATCH_ROWS];
	const char **cellv;     /* every row's cell pointers, into text */
	size_t ncellv, capcellv;
	size_t *celloff;        /* offsets into text while filling */
	char *text;
	size_t ntext, captext;
};

struct lw_pipe {
	struct lw_table *tab;
	const struct lw_mapping *map;
	const struct lw_map_ctx *ctx;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t filled, freed;
	int stop;               /* the consumer has gone: the producer quits */
	struct batch b[NBATCH];
	size_t head;            /* next batch the consumer reads */
	size_t pos;             /* next row in it */
	int holding;            /* the consumer holds b[head] */
};

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	if (!(q = realloc(*p, n * size)))
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

/* Copy a row's cells into the batch; pointers are fixed up at publish
 * time (text may move while the batch fills). */
static int keep_cells(struct batch *b, struct slot *s, const struct lw_row *row)
{
	size_t need = b->ntext, ncell = b->ncellv + row->ncols;

	for (size_t c = 0; c < row->ncols; c++)
		need += row->lens[c] + 1;
	if (grow((void **)&b->text, &b->captext, need, 1))
		return -1;
	if (ncell > b->capcellv) {
		size_t cap = b->capcellv, cap2 = b->capcellv;
		/* cellv and celloff share one capacity */
		if (grow((void **)&b->celloff, &cap, ncell, sizeof *b->celloff) ||
		    grow((void **)&b->cellv, &cap2, cap, sizeof *b->cellv))
			return -1;
		b->capcellv = cap;
	}
	s->cell0 = b->ncellv;
	s->row.ncells = row->ncols;
	for (size_t c = 0; c < row->ncols; c++) {
		b->celloff[b->ncellv++] = b->ntext;
		memcpy(b->text + b->ntext, row->cells[c], row->lens[c] + 1);
		b->ntext += row->lens[c] + 1;
	}
	return 0;
}

/* Fill batch b from the table.  Runs on the producer thread. */
static void fill(struct lw_pipe *p, struct batch *b)
{
	struct lw_row row;

	b->n = 0;
	b->end = 0;
	b->ncellv = b->ntext = 0;
	memset(&b->err, 0, sizeof b->err);
	while (b->n < BATCH_ROWS && b->ntext < BATCH_BYTES) {
		struct slot *s = &b->slot[b->n];
		int rc = lw_table_next(p->tab, &row, &b->err);
		if (rc != 0) {
			b->end = 1;
			b->rc = rc;
			break;
		}
		if (keep_cells(b, s, &row) != 0 ||
		    lw_record_map(p->map, p->ctx, row.num, row.cells, row.ncols, &s->row.rec) != 0) {
			lw_err_set(&b->err, LW_ENOMEM, "out of memory mapping row %u", row.num);
			b->end = 1;
			b->rc = LW_ENOMEM;
			break;
		}
		lw_record_measure(&s->row.rec);
		s->row.num = row.num;
		b->n++;
	}
	for (size_t i = 0; i < b->ncellv; i++)
		b->cellv[i] = b->text + b->celloff[i];
	for (size_t i = 0; i < b->n; i++)
		b->slot[i].row.cells = b->cellv + b->slot[i].cell0;
}

static void *producer(void *arg)
{
	struct lw_pipe *p = arg;

	for (size_t k = 0;; k = (k + 1) % NBATCH) {
		struct batch *b = &p->b[k];
		int end;

		pthread_mutex_lock(&p->mu);
		while (b->full && !p->stop)
			pthread_cond_wait(&p->freed, &p->mu);
		if (p->stop) {
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		pthread_mutex_unlock(&p->mu);
		fill(p, b);
		end = b->end;
		pthread_mutex_lock(&p->mu);
		b->full = 1;
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

int lw_pipe_next(struct lw_pipe *p, struct lw_pipe_row **row, struct lw_err *e)
{
	struct batch *b = &p->b[p->head];

	for (;;) {
		if (!p->holding) {
			pthread_mutex_lock(&p->mu);
			while (!b->full)
				pthread_cond_wait(&p->filled, &p->mu);
			pthread_mutex_unlock(&p->mu);
			p->holding = 1;
			p->pos = 0;
		}
		if (p->pos < b->n) {
			*row = &b->slot[p->pos++].row;
			return 0;
		}
		if (b->end) {
			if (b->rc != LW_EEOF && e)
				*e = b->err;
			return b->rc;
		}
		/* Done with this batch: hand it back and go on to the next. */
		pthread_mutex_lock(&p->mu);
		b->full = 0;
		pthread_cond_signal(&p->freed);
		pthread_mutex_unlock(&p->mu);
		p->holding = 0;
		p->head = (p->head + 1) % NBATCH;
		b = &p->b[p->head];
	}
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
	for (size_t k = 0; k < NBATCH; k++) {
		struct batch *b = &p->b[k];
		for (size_t i = 0; i < BATCH_ROWS; i++)
			lw_record_free(&b->slot[i].row.rec);
		free(b->cellv);
		free(b->celloff);
		free(b->text);
	}
	pthread_cond_destroy(&p->filled);
	pthread_cond_destroy(&p->freed);
	pthread_mutex_destroy(&p->mu);
	free(p);
}
