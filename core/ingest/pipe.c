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
 * packed into its window's arena (struct lw_wrow: the values, their lengths,
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
 * wins, as in the file's order.  Rows are packed in the file's order into
 * a scratch arena, then copied in key order into the window's own, so the
 * consumer reads them front to back (lw_win_sort); a window in order
 * already (an export in time order) is handed over as it is.  Windows start
 * small and double, so that the consumer does not wait for a whole big
 * window before the first row.
 * Other targets (cases: few rows, defendants, notices that name rows in
 * order) keep the file's order in small windows.
 */
#include "ingest/pipe.h"
#include "ingest/window.h"

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
 * rows hold: with NWIN windows and the scratch arena alive, the pipe's
 * memory stays under about (NWIN + 1) * WIN_BYTES plus one row (RSS budget
 * of issue 18: 128 MiB beside the page cache).  A bench row packs into ~850 bytes (its cells and its
 * mapped values, hashes included), so a window holds ~20 000 of them;
 * 24 and 32 MiB windows were no faster on the bench (docs/import.md). */
#define WIN_BYTES (16u << 20)
#define PREFETCH_AHEAD LW_WIN_PREFETCH_AHEAD /* rows (lw_pipe_next) */

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
	struct lw_arena fill;      /* sorted pipes: rows in the file's order, before the sort */
	struct lw_window w[NWIN];
	size_t head;            /* next window the consumer reads */
	size_t pos;             /* next row in it */
	int holding;            /* the consumer holds w[head] */
	/* Work either thread does when it would wait for the other
	 * (lw_pipe_idle): a piece at a time, one thread at a time. */
	int (*idle)(void *ud);
	void *idle_ud;
	int idle_busy;
	pthread_cond_t idle_done; /* a piece ended */
	struct lw_pipe_row out; /* the consumer's view of the current row */
};

/* Fill window w from the table.  Runs on the producer thread. */
static void fill(struct lw_pipe *p, struct lw_window *w)
{
	size_t max_rows = p->sorted ? p->next_rows : SMALL_ROWS;
	size_t max_bytes = p->sorted ? WIN_BYTES : SMALL_BYTES;
	struct lw_arena *a = p->sorted ? &p->fill : &w->a;
	struct lw_row row;

	lw_win_reset(w);
	lw_arena_reset(a);
	while (w->n < max_rows && a->bytes < max_bytes) {
		int rc = lw_table_next(p->tab, &row, &w->err);
		if (rc != 0) {
			w->end = 1;
			w->rc = rc;
			break;
		}
		if (lw_record_map(p->map, p->ctx, row.num, row.cells, row.ncols, &p->scratch) != 0 ||
		    lw_win_pack(p->map, w, a, &row, &p->scratch) != 0) {
			lw_err_set(&w->err, LW_ENOMEM, "out of memory mapping row %u", row.num);
			w->end = 1;
			w->rc = LW_ENOMEM;
			break;
		}
	}
	if (p->sorted) {
		if (lw_win_sort(w, &p->fill) != 0) {
			lw_err_set(&w->err, LW_ENOMEM, "out of memory sorting rows");
			w->n = 0;
			w->end = 1;
			w->rc = LW_ENOMEM;
		}
		if (p->next_rows < WIN_ROWS)
			p->next_rows *= 2;
	}
}

/* With p->mu held, by a thread about to wait for the other: do a piece of
 * the idle work (the lock dropped meanwhile).  1 when a piece was done,
 * after which the caller checks again what it waits for. */
static int idle_piece(struct lw_pipe *p)
{
	int (*fn)(void *) = p->idle;
	int done;

	if (!fn || p->idle_busy)
		return 0;
	p->idle_busy = 1;
	pthread_mutex_unlock(&p->mu);
	done = fn(p->idle_ud);
	pthread_mutex_lock(&p->mu);
	p->idle_busy = 0;
	if (done && p->idle == fn)
		p->idle = NULL;
	pthread_cond_broadcast(&p->idle_done);
	return 1;
}

static void *producer(void *arg)
{
	struct lw_pipe *p = arg;

	for (size_t k = 0;; k = (k + 1) % NWIN) {
		struct lw_window *w = &p->w[k];
		int end;

		pthread_mutex_lock(&p->mu);
		while (w->full && !p->stop)
			if (!idle_piece(p))
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
	pthread_cond_init(&p->idle_done, NULL);
	if ((rc = pthread_create(&p->thread, NULL, producer, p)) != 0) {
		pthread_cond_destroy(&p->filled);
		pthread_cond_destroy(&p->freed);
		pthread_cond_destroy(&p->idle_done);
		pthread_mutex_destroy(&p->mu);
		free(p);
		return lw_err_set(e, LW_ENOMEM, "cannot start the import's reader thread: %s",
				  strerror(rc));
	}
	*out = p;
	return 0;
}

/* The window the consumer reads, waited for when the producer is still
 * filling it. */
static struct lw_window *hold(struct lw_pipe *p)
{
	struct lw_window *w = &p->w[p->head];

	if (!p->holding) {
		pthread_mutex_lock(&p->mu);
		while (!w->full)
			if (!idle_piece(p))
				pthread_cond_wait(&p->filled, &p->mu);
		pthread_mutex_unlock(&p->mu);
		p->holding = 1;
		p->pos = 0;
	}
	return w;
}

/* Done with the window held: hand it back and go on to the next. */
static void release(struct lw_pipe *p)
{
	pthread_mutex_lock(&p->mu);
	p->w[p->head].full = 0;
	pthread_cond_signal(&p->freed);
	pthread_mutex_unlock(&p->mu);
	p->holding = 0;
	p->head = (p->head + 1) % NWIN;
}

/* How the table ended, after the last window's rows. */
static int end_of(const struct lw_window *w, struct lw_err *e)
{
	if (w->rc != LW_EEOF && e)
		*e = w->err;
	return w->rc;
}

static int give(struct lw_pipe *p, const struct lw_window *w, size_t i, struct lw_pipe_row **row,
		struct lw_err *e)
{
	/* Fetch a row a few ahead into the cache: this thread's time is the
	 * import's. */
	if (i + PREFETCH_AHEAD < w->n)
		lw_win_prefetch(w->rows[i + PREFETCH_AHEAD].r);
	if (lw_win_unpack(w->rows[i].r, &p->out) != 0)
		return lw_err_set(e, LW_ENOMEM, "out of memory");
	*row = &p->out;
	return 0;
}

int lw_pipe_next(struct lw_pipe *p, struct lw_pipe_row **row, struct lw_err *e)
{
	for (;;) {
		struct lw_window *w = hold(p);
		if (p->pos < w->n)
			return give(p, w, p->pos++, row, e);
		if (w->end)
			return end_of(w, e);
		release(p);
	}
}

int lw_pipe_window(struct lw_pipe *p, size_t *n, struct lw_err *e)
{
	*n = 0;
	for (;;) {
		struct lw_window *w = hold(p);
		if (p->pos < w->n) {
			*n = w->n;
			p->pos = w->n; /* all of it given, row by row through lw_pipe_row */
			return 0;
		}
		if (w->end)
			return end_of(w, e);
		release(p);
	}
}

int lw_pipe_row(struct lw_pipe *p, size_t i, struct lw_pipe_row **row, struct lw_err *e)
{
	const struct lw_window *w = &p->w[p->head];

	if (!p->holding || i >= w->n)
		return lw_err_set(e, LW_EINVAL, "row %zu is not in the window held", i);
	return give(p, w, i, row, e);
}

void lw_pipe_idle(struct lw_pipe *p, int (*fn)(void *ud), void *ud)
{
	pthread_mutex_lock(&p->mu);
	p->idle = fn;
	p->idle_ud = ud;
	pthread_mutex_unlock(&p->mu);
	/* A thread asleep wakes for it only when its own wait ends: fine, it
	 * is asleep because it had something to wait for. */
}

void lw_pipe_idle_stop(struct lw_pipe *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->idle = NULL;
	while (p->idle_busy)
		pthread_cond_wait(&p->idle_done, &p->mu);
	pthread_mutex_unlock(&p->mu);
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
		lw_win_free(&p->w[k]);
	lw_arena_free(&p->fill);
	lw_record_free(&p->scratch);
	lw_record_free(&p->out.rec);
	pthread_cond_destroy(&p->filled);
	pthread_cond_destroy(&p->freed);
	pthread_cond_destroy(&p->idle_done);
	pthread_mutex_destroy(&p->mu);
	free(p);
}
