/*
 * jobs.c — the serial import queue on a libuv worker thread (see jobs.h).
 *
 * Only one job runs at a time, so the warehouse's writer connection and the
 * pipeline (lw_ingest) are used by one thread at a time; libuv's queue gives
 * the happens-before between consecutive jobs.  The pipeline is (re)built
 * on the worker when the settings changed, so a reload never touches it
 * while a job runs.
 *
 * Fairness between sources: a job that runs is never preempted (a file
 * lands whole, in one transaction), but when one finishes the next is the
 * oldest waiting job of a *different* tag (source) than the one that just
 * ran, if there is one.  So a source with a queue of big files cannot make
 * another source's small file wait for more than the one import already
 * running.  Jobs of the same tag still run in the order they were queued
 * (a source's cursor read comes after its earlier writes).
 */
#include "daemon/jobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "deadlines/obligations.h"
#include "read/table.h"

enum job_kind { JOB_FILE, JOB_RECORDS, JOB_JSON, JOB_CURSOR };

struct job {
	enum job_kind kind;
	struct lw_jobs *owner;
	uv_work_t work;
	/* inputs (owned copies) */
	char *source, *profile, *path, *origin, *agency, *sheet, *encoding, *cursor_in, *state_in,
		*sha256;
	json_t *items;
	char *json, *pointer;
	size_t json_len;
	struct lw_table_opts topts;
	/* outputs */
	int rc;
	struct lw_ingest_result res;
	char *cursor_out;
	lw_job_done done;
	void (*cursor_done)(void *ud, int rc, const char *cursor);
	void *ud;
	const void *tag;     /* who queued it, for lw_jobs_cancel_tag */
	volatile int cancel; /* asks a running import to roll back */
	struct job *next;
};

/* Settings, deep-copied. */
struct settings {
	struct lw_ingest_settings s;
	char *profile_dir, *pii_key_file;
	char **prec;
};

struct lw_jobs {
	uv_loop_t *loop;
	struct lw_wh *wh;
	struct lw_ingest *ing;   /* used on the worker only */
	struct settings *cur;    /* what ing was built with (worker) */
	struct settings *next;   /* set on the loop, taken by the next job */
	uv_mutex_t lock;         /* guards next */
	struct job *head, *tail; /* waiting */
	struct job *running;
	size_t waiting;
	volatile int cancel;
	int closing;
	const void *last_tag;    /* tag of the job that ran last (fairness);
				    compared only, never dereferenced */
	void (*close_cb)(void *ud);
	void *close_ud;
	void (*after_cb)(void *ud); /* after every job (lw_jobs_after_each) */
	void *after_ud;
};

void lw_jobs_after_each(struct lw_jobs *j, void (*cb)(void *ud), void *ud)
{
	if (!j)
		return;
	j->after_cb = cb;
	j->after_ud = ud;
}

static void settings_free(struct settings *st)
{
	if (!st)
		return;
	free(st->profile_dir);
	free(st->pii_key_file);
	for (size_t i = 0; i < st->s.nprecedence; i++)
		free(st->prec[i]);
	free(st->prec);
	json_decref(st->s.agencies);
	lw_dl_conf_unref(st->s.deadlines);
	free(st);
}

static struct settings *settings_copy(const struct lw_ingest_settings *in)
{
	struct settings *st = calloc(1, sizeof *st);

	if (!st)
		return NULL;
	st->s = *in;
	lw_dl_conf_ref(st->s.deadlines);
	st->profile_dir = in->profile_dir ? strdup(in->profile_dir) : NULL;
	st->pii_key_file = in->pii_key_file ? strdup(in->pii_key_file) : NULL;
	st->prec = calloc(in->nprecedence + 1, sizeof *st->prec);
	st->s.agencies = in->agencies ? json_deep_copy(in->agencies) : NULL;
	if (!st->prec) {
		st->s.nprecedence = 0;
		settings_free(st);
		return NULL;
	}
	for (size_t i = 0; i < in->nprecedence; i++)
		st->prec[i] = strdup(in->precedence[i]);
	st->s.profile_dir = st->profile_dir;
	st->s.pii_key_file = st->pii_key_file;
	st->s.precedence = (const char *const *)st->prec;
	return st;
}

int lw_jobs_new(uv_loop_t *loop, struct lw_wh *wh, const struct lw_ingest_settings *settings,
		struct lw_jobs **out, struct lw_err *e)
{
	struct lw_jobs *j = calloc(1, sizeof *j);

	*out = NULL;
	if (!j)
		return lw_err_set(e, LW_ENOMEM, "out of memory");
	j->loop = loop;
	j->wh = wh;
	uv_mutex_init(&j->lock);
	if (!(j->next = settings_copy(settings))) {
		uv_mutex_destroy(&j->lock);
		free(j);
		return lw_err_set(e, LW_ENOMEM, "out of memory");
	}
	*out = j;
	return 0;
}

int lw_jobs_set_settings(struct lw_jobs *j, const struct lw_ingest_settings *settings,
			 struct lw_err *e)
{
	struct settings *st = settings_copy(settings), *old;

	if (!st)
		return lw_err_set(e, LW_ENOMEM, "out of memory");
	uv_mutex_lock(&j->lock);
	old = j->next;
	j->next = st;
	uv_mutex_unlock(&j->lock);
	settings_free(old);
	return 0;
}

size_t lw_jobs_waiting(const struct lw_jobs *j)
{
	return j->waiting;
}

static void job_free(struct job *jb)
{
	free(jb->source);
	free(jb->profile);
	free(jb->path);
	free(jb->origin);
	free(jb->agency);
	free(jb->sheet);
	free(jb->encoding);
	free(jb->cursor_in);
	free(jb->state_in);
	free(jb->sha256);
	free(jb->cursor_out);
	free(jb->json);
	free(jb->pointer);
	json_decref(jb->items);
	lw_ingest_result_clear(&jb->res);
	free(jb);
}

/* ---- worker side ---- */

/* Make sure the pipeline matches the latest settings (worker thread). */
static int ensure_ingest(struct lw_jobs *j, struct lw_err *e)
{
	struct settings *st;
	struct lw_ingest *ing = NULL;
	int rc;

	uv_mutex_lock(&j->lock);
	st = j->next;
	j->next = NULL;
	uv_mutex_unlock(&j->lock);
	if (!st)
		return j->ing ? 0 : lw_err_set(e, LW_EINVAL, "import pipeline not configured");
	if ((rc = lw_ingest_new(j->wh, &st->s, &ing, e)) != 0) {
		/* Keep the previous pipeline, if any, and retry the new settings
		 * with the next job. */
		uv_mutex_lock(&j->lock);
		if (!j->next)
			j->next = st;
		else
			settings_free(st);
		uv_mutex_unlock(&j->lock);
		return j->ing ? 0 : rc;
	}
	/* New rules or a new holiday year (a reload): every stored obligation
	 * follows them before the next file lands.  At start the daemon has
	 * done this already (same rules: skipped). */
	if (st->s.deadlines && j->cur && j->cur->s.deadlines != st->s.deadlines) {
		size_t n = 0;
		struct lw_err re = {0};
		if (lw_obligations_recompute_all(j->wh, st->s.deadlines, &n, &re) != 0)
			lw_log(LW_LOG_ERR, "deadlines", "recomputing obligations: %s", re.msg);
		else
			lw_log(LW_LOG_INFO, "deadlines", "obligations of %zu case(s) recomputed", n);
	}
	lw_ingest_free(j->ing);
	settings_free(j->cur);
	j->ing = ing;
	j->cur = st;
	return 0;
}

static void work(uv_work_t *w)
{
	struct job *jb = w->data;
	struct lw_jobs *j = jb->owner;
	struct lw_err err = {0};

	if (j->cancel || jb->cancel) {
		jb->rc = LW_ECANCELED;
		return;
	}
	if ((jb->rc = ensure_ingest(j, &err)) != 0) {
		jb->res.status = "failed";
		jb->res.message = strdup(err.msg);
		return;
	}
	switch (jb->kind) {
	case JOB_FILE: {
		struct lw_ingest_file f = {jb->source, jb->profile, jb->path, jb->origin, jb->agency,
					   &jb->topts, &jb->cancel};
		jb->rc = lw_ingest_file(j->ing, &f, &jb->res, &err);
		break;
	}
	case JOB_RECORDS: {
		struct lw_ingest_records rq = {jb->source, jb->profile, jb->origin, jb->items,
					       jb->cursor_in, jb->state_in, jb->sha256};
		jb->rc = lw_ingest_records(j->ing, &rq, &jb->res, &err);
		break;
	}
	case JOB_JSON: {
		json_error_t jerr;
		json_t *doc = json_loadb(jb->json, jb->json_len, 0, &jerr), *items;
		char msg[512];
		struct lw_ingest_records rq = {jb->source, jb->profile, jb->origin, NULL,
					       jb->cursor_in, jb->state_in, NULL};
		if (!doc) {
			snprintf(msg, sizeof msg, "%s: invalid JSON at line %d, column %d: %s",
				 jb->origin ? jb->origin : "page", jerr.line, jerr.column, jerr.text);
		} else if (!(items = lw_json_pointer(doc, jb->pointer)) || !json_is_array(items)) {
			snprintf(msg, sizeof msg, "%s: no array of records at JSON pointer \"%s\"",
				 jb->origin ? jb->origin : "page", jb->pointer);
		} else {
			rq.items = items;
			jb->rc = lw_ingest_records(j->ing, &rq, &jb->res, &err);
			json_decref(doc);
			break;
		}
		json_decref(doc);
		/* Nothing stored, nothing moved: the feed will fetch it again. */
		jb->res.status = "rejected";
		jb->res.message = strdup(msg);
		jb->rc = 0;
		break;
	}
	case JOB_CURSOR:
		jb->rc = lw_ingest_cursor(j->ing, jb->source, &jb->cursor_out, &err);
		break;
	}
	/* Say why it failed ("database or disk is full"), not only a code. */
	if (jb->rc != 0 && jb->rc != LW_ECANCELED && !jb->res.message && err.msg[0])
		jb->res.message = strdup(err.msg);
}

json_t *lw_json_pointer(json_t *doc, const char *pointer)
{
	const char *p = pointer;

	if (!p || !*p)
		return doc;
	if (*p != '/')
		return NULL;
	while (doc && *p == '/') {
		char tok[256];
		size_t n = 0;
		p++;
		while (*p && *p != '/' && n + 1 < sizeof tok) {
			if (p[0] == '~' && p[1] == '1') {
				tok[n++] = '/';
				p += 2;
			} else if (p[0] == '~' && p[1] == '0') {
				tok[n++] = '~';
				p += 2;
			} else {
				tok[n++] = *p++;
			}
		}
		if (*p && *p != '/')
			return NULL; /* token too long */
		tok[n] = '\0';
		if (json_is_object(doc)) {
			doc = json_object_get(doc, tok);
		} else if (json_is_array(doc)) {
			char *end;
			unsigned long i = strtoul(tok, &end, 10);
			if (!n || *end || (tok[0] == '0' && n > 1))
				return NULL;
			doc = json_array_get(doc, i);
		} else {
			return NULL;
		}
	}
	return doc;
}

/* ---- loop side ---- */

static void start_next(struct lw_jobs *j);

static void finish_close(struct lw_jobs *j)
{
	void (*cb)(void *) = j->close_cb;
	void *ud = j->close_ud;

	lw_ingest_free(j->ing);
	settings_free(j->cur);
	settings_free(j->next);
	uv_mutex_destroy(&j->lock);
	free(j);
	if (cb)
		cb(ud);
}

static void deliver(struct job *jb)
{
	if (jb->kind == JOB_CURSOR) {
		if (jb->cursor_done)
			jb->cursor_done(jb->ud, jb->rc, jb->cursor_out);
	} else if (jb->done) {
		jb->done(jb->ud, jb->rc, &jb->res);
	}
}

static void after_work(uv_work_t *w, int status)
{
	struct job *jb = w->data;
	struct lw_jobs *j = jb->owner;

	if (status == UV_ECANCELED)
		jb->rc = LW_ECANCELED;
	/* The job stays "running" while its callback runs: a callback that
	 * ends the daemon (the last source stopping) calls lw_jobs_close, which
	 * must then leave the freeing to us instead of freeing j under us. */
	deliver(jb);
	j->running = NULL;
	job_free(jb);
	if (!j->closing && j->after_cb)
		j->after_cb(j->after_ud);
	if (j->closing)
		finish_close(j);
	else
		start_next(j);
}

static void start_next(struct lw_jobs *j)
{
	struct job *jb, **pp, *prev = NULL;

	if (j->running || !j->head)
		return;
	/* Oldest job of another tag than the last one, else the oldest. */
	for (pp = &j->head; *pp && (*pp)->tag == j->last_tag; pp = &(*pp)->next)
		prev = *pp;
	if (!*pp) {
		pp = &j->head;
		prev = NULL;
	}
	jb = *pp;
	*pp = jb->next;
	if (j->tail == jb)
		j->tail = prev;
	jb->next = NULL;
	j->waiting--;
	j->last_tag = jb->tag;
	jb->work.data = jb;
	j->running = jb;
	if (uv_queue_work(j->loop, &jb->work, work, after_work) != 0) {
		j->running = NULL;
		jb->rc = LW_EIO;
		deliver(jb);
		job_free(jb);
	}
}

static int enqueue(struct lw_jobs *j, const void *tag, struct job *jb)
{
	if (j->closing || j->cancel) {
		job_free(jb);
		return LW_ECANCELED;
	}
	jb->owner = j;
	jb->tag = tag;
	if (j->tail)
		j->tail->next = jb;
	else
		j->head = jb;
	j->tail = jb;
	j->waiting++;
	start_next(j);
	return 0;
}

static char *dup0(const char *s)
{
	return s ? strdup(s) : NULL;
}

int lw_jobs_import_file(struct lw_jobs *j, const void *tag, const struct lw_ingest_file *f,
			lw_job_done done, void *ud)
{
	struct job *jb = calloc(1, sizeof *jb);

	if (!jb)
		return LW_ENOMEM;
	jb->kind = JOB_FILE;
	jb->source = dup0(f->source);
	jb->profile = dup0(f->profile);
	jb->path = dup0(f->path);
	jb->origin = dup0(f->origin);
	jb->agency = dup0(f->agency);
	if (f->table_opts) {
		jb->topts = *f->table_opts;
		jb->sheet = dup0(f->table_opts->sheet_name);
		jb->encoding = dup0(f->table_opts->encoding);
		jb->topts.sheet_name = jb->sheet;
		jb->topts.encoding = jb->encoding;
	}
	jb->done = done;
	jb->ud = ud;
	if (!jb->source || !jb->profile || !jb->path) {
		job_free(jb);
		return LW_ENOMEM;
	}
	return enqueue(j, tag, jb);
}

int lw_jobs_import_records(struct lw_jobs *j, const void *tag, const struct lw_ingest_records *rq,
			   lw_job_done done, void *ud)
{
	struct job *jb = calloc(1, sizeof *jb);

	if (!jb)
		return LW_ENOMEM;
	jb->kind = JOB_RECORDS;
	jb->source = dup0(rq->source);
	jb->profile = dup0(rq->profile);
	jb->origin = dup0(rq->origin);
	jb->cursor_in = dup0(rq->cursor);
	jb->state_in = dup0(rq->cursor_state);
	jb->sha256 = dup0(rq->sha256);
	jb->items = json_incref(rq->items);
	jb->done = done;
	jb->ud = ud;
	if (!jb->source || !jb->profile || !jb->items) {
		job_free(jb);
		return LW_ENOMEM;
	}
	return enqueue(j, tag, jb);
}

int lw_jobs_import_json(struct lw_jobs *j, const void *tag, const char *source, const char *profile,
			const char *origin, const char *json, size_t len, const char *items_pointer,
			const char *cursor, const char *cursor_state, lw_job_done done, void *ud)
{
	struct job *jb = calloc(1, sizeof *jb);

	if (!jb)
		return LW_ENOMEM;
	jb->kind = JOB_JSON;
	jb->source = dup0(source);
	jb->profile = dup0(profile);
	jb->origin = dup0(origin);
	jb->pointer = dup0(items_pointer ? items_pointer : "");
	jb->cursor_in = dup0(cursor);
	jb->state_in = dup0(cursor_state);
	jb->json = malloc(len + 1);
	jb->json_len = len;
	jb->done = done;
	jb->ud = ud;
	if (!jb->source || !jb->profile || !jb->pointer || !jb->json) {
		job_free(jb);
		return LW_ENOMEM;
	}
	memcpy(jb->json, json, len);
	jb->json[len] = '\0';
	return enqueue(j, tag, jb);
}

int lw_jobs_cursor(struct lw_jobs *j, const void *tag, const char *source,
		   void (*done)(void *ud, int rc, const char *cursor), void *ud)
{
	struct job *jb = calloc(1, sizeof *jb);

	if (!jb)
		return LW_ENOMEM;
	jb->kind = JOB_CURSOR;
	jb->source = dup0(source);
	jb->cursor_done = done;
	jb->ud = ud;
	if (!jb->source) {
		job_free(jb);
		return LW_ENOMEM;
	}
	return enqueue(j, tag, jb);
}

/* Drop waiting jobs matching tag (NULL: all) and ask the running one to
 * roll back. */
static void cancel_matching(struct lw_jobs *j, const void *tag)
{
	struct job **pp = &j->head, *keep_tail = NULL;

	while (*pp) {
		struct job *jb = *pp;
		if (tag && jb->tag != tag) {
			keep_tail = jb;
			pp = &jb->next;
			continue;
		}
		*pp = jb->next;
		j->waiting--;
		jb->rc = LW_ECANCELED;
		deliver(jb);
		job_free(jb);
	}
	j->tail = keep_tail;
	if (j->running && (!tag || j->running->tag == tag))
		j->running->cancel = 1;
}

void lw_jobs_cancel_tag(struct lw_jobs *j, const void *tag)
{
	if (j && tag)
		cancel_matching(j, tag);
}

void lw_jobs_cancel(struct lw_jobs *j)
{
	if (!j)
		return;
	j->cancel = 1;
	cancel_matching(j, NULL);
}

void lw_jobs_close(struct lw_jobs *j, void (*cb)(void *ud), void *ud)
{
	if (!j) {
		if (cb)
			cb(ud);
		return;
	}
	j->closing = 1;
	j->cancel = 1;
	j->close_cb = cb;
	j->close_ud = ud;
	/* Waiting jobs never start; the running one rolls back. */
	cancel_matching(j, NULL);
	if (!j->running)
		finish_close(j);
	/* else after_work() finishes the close. */
}
