/*
 * settle.c — what the drop-folder service knows about each file: entries by
 * relative path, the settle logic and the ready queue with its concurrency
 * limit (see dropbox.h; watch.c feeds it events and scan results).
 *
 * Every path known to the dropbox is an entry (struct drop_ent) keyed by its
 * relative path.  Its life:
 *
 *   event / scan -> NOW -> (stat off-loop) -> SETTLE -> ... -> READY -> OUT
 *        -> MOVING -> gone          (archive/reject, dropbox.c)
 *        -> gone                    (release: found again by a later scan)
 *
 * A file is ready when two stats at least settle_ms apart saw the same
 * size, mtime, device and inode and, if inotify saw it created, it has been
 * closed since (or renamed into place).  Closing alone is not enough: a
 * writer that appends in several open/close rounds would otherwise be cut
 * short, and on SMB-served folders the close may come before the last
 * bytes.  A file inotify saw created but never saw closed is taken after
 * max(30 s, 10 x settle) unchanged anyway (hard links give IN_CREATE with
 * no close).  The SETTLE queue is kept ordered by check_at so one timer
 * serves all files; stats run in batches on the thread pool, one batch at
 * a time, so 10,000 files cost 20 stat batches and no fds.
 */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "base/log.h"
#include "dropbox/dropbox_int.h"

#define CHECK_BATCH 512

/* ---- small helpers ---- */

char *drop_join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s;

	if (!la)
		return strdup(b);
	if (!lb)
		return strdup(a);
	s = malloc(la + lb + 2);
	if (!s)
		return NULL;
	memcpy(s, a, la);
	s[la] = '/';
	memcpy(s + la + 1, b, lb + 1);
	return s;
}

void drop_snap_of(struct drop_snap *s, const void *statbuf)
{
	const struct stat *st = statbuf;

	s->size = (uint64_t)st->st_size;
	s->dev = (uint64_t)st->st_dev;
	s->ino = (uint64_t)st->st_ino;
	s->mt_s = (int64_t)st->st_mtim.tv_sec;
	s->mt_ns = st->st_mtim.tv_nsec;
	s->valid = 1;
}

int drop_snap_eq(const struct drop_snap *a, const struct drop_snap *b)
{
	return a->valid && b->valid && a->size == b->size && a->dev == b->dev &&
	       a->ino == b->ino && a->mt_s == b->mt_s && a->mt_ns == b->mt_ns;
}

int lw_drop_name_ignored(const char *name)
{
	static const char *const sfx[] = {".tmp", ".part", ".crdownload", ".error.txt"};
	size_t n = strlen(name);

	if (name[0] == '.' || !strncmp(name, "~$", 2))
		return 1;
	for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
		size_t k = strlen(sfx[i]);
		/* Case-insensitive: Windows clients write ".TMP" too. */
		if (n >= k && !strcasecmp(name + n - k, sfx[i]))
			return 1;
	}
	return 0;
}

void drop_report(struct lw_dropbox *db, const char *rel, int code, int sys_errno,
		 const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (db->conf.problem) {
		struct lw_drop_problem p = {rel ? rel : "", code, sys_errno, msg};
		db->conf.problem(db->conf.ud, &p);
	} else {
		lw_log(LW_LOG_ERR, db->who, "%s", msg);
	}
}

/* ---- lists ---- */

static void list_del(struct drop_ent *e)
{
	struct drop_list *l = e->list;

	if (!l)
		return;
	if (e->prev)
		e->prev->next = e->next;
	else
		l->first = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		l->last = e->prev;
	e->prev = e->next = NULL;
	e->list = NULL;
	l->n--;
}

static void list_push(struct drop_list *l, struct drop_ent *e)
{
	assert(!e->list);
	e->prev = l->last;
	e->next = NULL;
	if (l->last)
		l->last->next = e;
	else
		l->first = e;
	l->last = e;
	e->list = l;
	l->n++;
}

/* Insert into q_settle keeping check_at ordered; walks from the tail, so
 * the usual case (now + settle, later than everything queued) is O(1). */
static void settle_insert(struct lw_dropbox *db, struct drop_ent *e)
{
	struct drop_list *l = &db->q_settle;
	struct drop_ent *p = l->last;

	while (p && p->check_at > e->check_at)
		p = p->prev;
	if (p == l->last) {
		list_push(l, e);
		return;
	}
	e->list = l;
	e->prev = p;
	e->next = p ? p->next : l->first;
	e->next->prev = e;
	if (p)
		p->next = e;
	else
		l->first = e;
	l->n++;
}

/* ---- entries by relative path ---- */

static size_t hash_str(const char *s)
{
	size_t h = 1469598103934665603u;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211u;
	return h;
}

static struct drop_ent *ent_find(struct lw_dropbox *db, const char *rel)
{
	if (!db->ht_cap)
		return NULL;
	for (struct drop_ent *e = db->ht[hash_str(rel) & (db->ht_cap - 1)]; e; e = e->hnext)
		if (!strcmp(e->rel, rel))
			return e;
	return NULL;
}

int drop_ht_grow(struct lw_dropbox *db)
{
	size_t cap = db->ht_cap ? db->ht_cap * 2 : 256;
	struct drop_ent **t = calloc(cap, sizeof *t);

	if (!t)
		return LW_ENOMEM;
	for (size_t i = 0; i < db->ht_cap; i++) {
		struct drop_ent *e = db->ht[i], *n;
		for (; e; e = n) {
			size_t b = hash_str(e->rel) & (cap - 1);
			n = e->hnext;
			e->hnext = t[b];
			t[b] = e;
		}
	}
	free(db->ht);
	db->ht = t;
	db->ht_cap = cap;
	return 0;
}

static struct drop_ent *ent_new(struct lw_dropbox *db, const char *rel)
{
	struct drop_ent *e;
	const char *slash;
	size_t b;

	if ((db->ht_n + 1) * 4 > db->ht_cap * 3 && drop_ht_grow(db) != 0)
		return NULL;
	e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	e->db = db;
	e->rel = strdup(rel);
	e->abs = drop_join(db->inbox, rel);
	slash = strchr(rel, '/');
	e->agency = slash ? strndup(rel, (size_t)(slash - rel)) : NULL;
	if (!e->rel || !e->abs || (slash && !e->agency)) {
		free(e->rel);
		free(e->abs);
		free(e->agency);
		free(e);
		return NULL;
	}
	e->pub.path = e->abs;
	e->pub.rel = e->rel;
	e->pub.agency = e->agency;
	b = hash_str(rel) & (db->ht_cap - 1);
	e->hnext = db->ht[b];
	db->ht[b] = e;
	db->ht_n++;
	return e;
}

static void ent_free(struct drop_ent *e)
{
	free(e->receipt);
	json_decref(e->notices);
	free(e->rel);
	free(e->abs);
	free(e->agency);
	free(e);
}

struct drop_ent *drop_ent_of(const struct lw_drop_file *f)
{
	return (struct drop_ent *)(void *)f; /* pub is the first member */
}

/* Remove e from every structure and free it. */
void drop_forget(struct lw_dropbox *db, struct drop_ent *e)
{
	struct drop_ent **pp = &db->ht[hash_str(e->rel) & (db->ht_cap - 1)];

	while (*pp && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = e->hnext;
	db->ht_n--;
	list_del(e);
	ent_free(e);
}

/* ---- settle checks (stat batches on the thread pool) ---- */

struct check_item {
	struct drop_ent *e;
	struct drop_snap s;
	int err;  /* errno of lstat, 0 ok */
	int type; /* 'f', 'l', 'o' */
};

struct check_work {
	uv_work_t req;
	struct lw_dropbox *db;
	size_t n;
	struct check_item it[];
};

static void kick_checks(struct lw_dropbox *db);

static void check_run(uv_work_t *req)
{
	struct check_work *w = req->data;

	for (size_t i = 0; i < w->n; i++) {
		struct check_item *it = &w->it[i];
		struct stat st;
		if (lstat(it->e->abs, &st) != 0) {
			it->err = errno;
			continue;
		}
		drop_snap_of(&it->s, &st);
		it->type = S_ISREG(st.st_mode) ? 'f' : S_ISLNK(st.st_mode) ? 'l' : 'o';
	}
}

static uint64_t open_grace_ms(const struct lw_dropbox *db)
{
	uint64_t g = (uint64_t)db->conf.settle_ms * 10;
	return g < 30000 ? 30000 : g;
}

static void schedule_settle(struct lw_dropbox *db, struct drop_ent *e, uint64_t delay)
{
	list_del(e);
	e->st = ENT_SETTLE;
	e->check_at = uv_now(db->loop) + delay;
	settle_insert(db, e);
}

static void refuse(struct lw_dropbox *db, struct drop_ent *e, int type, uint64_t ino)
{
	list_del(e);
	if (e->st != ENT_REFUSED || e->refused_ino != ino)
		drop_report(db, e->rel, LW_EPERM, 0,
			    "%s: %s refused, not followed; drop the file itself", e->abs,
			    type == 'l' ? "symbolic link" : "not a regular file");
	e->st = ENT_REFUSED;
	e->refused_ino = ino;
}

static int is_stuck(const struct lw_dropbox *db, const struct drop_snap *s)
{
	for (const struct drop_stuck *k = db->stuck; k; k = k->next)
		if (drop_snap_eq(&k->key, s))
			return 1;
	return 0;
}

static void make_ready(struct lw_dropbox *db, struct drop_ent *e)
{
	list_del(e);
	if (is_stuck(db, &e->snap)) {
		e->st = ENT_STUCK; /* reported when it first failed */
		return;
	}
	e->st = ENT_READY;
	e->taken_open = e->open;
	e->pub.size = e->snap.size;
	e->pub.mtime = e->snap.mt_s;
	e->pub.mtime_nsec = e->snap.mt_ns;
	e->pub.dev = e->snap.dev;
	e->pub.ino = e->snap.ino;
	list_push(&db->q_ready, e);
}

static void check_done(uv_work_t *req, int status)
{
	struct check_work *w = req->data;
	struct lw_dropbox *db = w->db;
	uint64_t now = uv_now(db->loop), settle = (uint64_t)db->conf.settle_ms;

	db->check_w = NULL;
	if (status != 0 || db->closing) {
		/* Put them back so close (or a later batch) finds them. */
		for (size_t i = 0; i < w->n; i++) {
			w->it[i].e->st = ENT_NOW;
			list_push(&db->q_now, w->it[i].e);
		}
		goto out;
	}
	for (size_t i = 0; i < w->n; i++) {
		struct check_item *it = &w->it[i];
		struct drop_ent *e = it->e;

		if (e->dirty) { /* an event came while we looked: look again */
			e->dirty = 0;
			e->st = ENT_NOW;
			list_push(&db->q_now, e);
			continue;
		}
		if (it->err == ENOENT || it->err == ENOTDIR) {
			drop_forget(db, e); /* gone (deleted, renamed away) */
			continue;
		}
		if (it->err) { /* EACCES on a folder...: keep trying, slowly */
			schedule_settle(db, e, settle > 1000 ? settle : 1000);
			continue;
		}
		if (it->type != 'f') {
			refuse(db, e, it->type, it->s.ino);
			continue;
		}
		if (!drop_snap_eq(&e->snap, &it->s)) {
			e->snap = it->s;
			e->stable_since = now;
			schedule_settle(db, e, settle);
			continue;
		}
		if (now - e->stable_since >= settle &&
		    (!e->open || now - e->stable_since >= open_grace_ms(db))) {
			if (e->open)
				lw_log(LW_LOG_DEBUG, db->who, "%s: still open after %llu ms unchanged; taking it",
				       e->rel, (unsigned long long)(now - e->stable_since));
			make_ready(db, e);
		} else {
			/* An open file is looked at no more than twice a second. */
			schedule_settle(db, e, e->open && settle < 500 ? 500 : settle);
		}
	}
out:
	free(w);
	kick_checks(db);
	drop_pump(db);
	drop_job_done(db);
}

static void on_settle_timer(uv_timer_t *t)
{
	kick_checks(t->data);
}

/* Start a stat batch with everything in q_now and whatever in q_settle is
 * due; or arm the timer for the next due entry. */
static void kick_checks(struct lw_dropbox *db)
{
	uint64_t now = uv_now(db->loop);
	size_t n = 0, want;
	struct check_work *w;

	if (db->closing || db->check_w)
		return;
	want = db->q_now.n;
	for (struct drop_ent *e = db->q_settle.first; e && e->check_at <= now && want < CHECK_BATCH;
	     e = e->next)
		want++;
	if (want > CHECK_BATCH)
		want = CHECK_BATCH;
	if (!want) {
		if (db->q_settle.first)
			uv_timer_start(&db->t_settle, on_settle_timer, db->q_settle.first->check_at - now, 0);
		return;
	}
	w = malloc(sizeof *w + want * sizeof w->it[0]);
	if (!w) {
		uv_timer_start(&db->t_settle, on_settle_timer, 1000, 0);
		return;
	}
	w->db = db;
	w->req.data = w;
	while (n < want && db->q_now.first) {
		struct drop_ent *e = db->q_now.first;
		list_del(e);
		w->it[n++] = (struct check_item){.e = e};
	}
	while (n < want && db->q_settle.first && db->q_settle.first->check_at <= now) {
		struct drop_ent *e = db->q_settle.first;
		list_del(e);
		w->it[n++] = (struct check_item){.e = e};
	}
	w->n = n;
	for (size_t i = 0; i < n; i++) {
		w->it[i].e->st = ENT_STATING;
		w->it[i].e->dirty = 0;
	}
	if (uv_queue_work(db->loop, &w->req, check_run, check_done) != 0) {
		for (size_t i = 0; i < n; i++) {
			w->it[i].e->st = ENT_NOW;
			list_push(&db->q_now, w->it[i].e);
		}
		free(w);
		uv_timer_start(&db->t_settle, on_settle_timer, 1000, 0);
		return;
	}
	db->check_w = w;
	db->in_flight++;
}

/* Something happened to rel (event, or a reset): look at it soon.  A file
 * handed out or being moved is left alone (never handed out twice). */
void drop_touch(struct lw_dropbox *db, const char *rel, int open_flag)
{
	struct drop_ent *e = ent_find(db, rel);

	if (!e) {
		e = ent_new(db, rel);
		if (!e) {
			db->want_full = 1; /* out of memory: a later rescan finds it */
			return;
		}
	}
	switch (e->st) {
	case ENT_OUT:
	case ENT_MOVING:
		/* Remember a close (or a new create) that comes while the file
		 * is imported: drop_hold_open decides on it. */
		e->open = open_flag;
		return;
	case ENT_STATING:
		e->dirty = 1;
		e->open = open_flag;
		return;
	default:
		list_del(e);
		e->st = ENT_NOW;
		e->open = open_flag;
		list_push(&db->q_now, e);
	}
	kick_checks(db);
}

/* A scan finished: take what it found.  Called by dropscan.c. */
void drop_scan_apply(struct lw_dropbox *db, struct scan_item *it, size_t n)
{
	uint64_t now = uv_now(db->loop);

	for (size_t i = 0; i < n; i++) {
		struct drop_ent *e = ent_find(db, it[i].rel);
		if (it[i].type != 'f') {
			if (!e && !(e = ent_new(db, it[i].rel)))
				continue;
			if (e->st == ENT_REFUSED || e->st == ENT_SETTLE || e->st == ENT_NOW ||
			    e->st == 0)
				refuse(db, e, it[i].type, it[i].snap.ino);
			continue;
		}
		if (!e) {
			if (!(e = ent_new(db, it[i].rel)))
				continue;
			e->snap = it[i].snap;
			e->stable_since = now;
			schedule_settle(db, e, (uint64_t)db->conf.settle_ms);
		} else if (e->st == ENT_REFUSED ||
			   (e->st == ENT_DEFERRED && now >= e->retry_at)) {
			drop_touch(db, e->rel, 0);
		}
	}
	kick_checks(db);
	drop_pump(db);
}

/* ---- handing out ---- */

void drop_pump(struct lw_dropbox *db)
{
	unsigned max = db->conf.max_outstanding;

	if (db->pumping)
		return;
	db->pumping = 1;
	while (!db->closing && db->outstanding < max && db->q_ready.first) {
		struct drop_ent *e = db->q_ready.first;
		list_del(e);
		e->st = ENT_OUT;
		db->outstanding++;
		db->st.handed_out++;
		db->conf.ready(db->conf.ud, &e->pub);
	}
	db->pumping = 0;
}

void lw_dropbox_release(const struct lw_drop_file *f)
{
	struct drop_ent *e = drop_ent_of(f);
	struct lw_dropbox *db = e->db;

	assert(e->st == ENT_OUT);
	db->outstanding--;
	db->st.released++;
	drop_forget(db, e);
	drop_pump(db);
}

void lw_dropbox_defer(const struct lw_drop_file *f)
{
	struct drop_ent *e = drop_ent_of(f);
	struct lw_dropbox *db = e->db;

	assert(e->st == ENT_OUT);
	db->outstanding--;
	db->st.released++;
	drop_defer(db, e);
	drop_pump(db);
}

static void on_retry_timer(uv_timer_t *t)
{
	struct lw_dropbox *db = t->data;
	uint64_t now = uv_now(db->loop);

	for (size_t i = 0; i < db->ht_cap; i++)
		for (struct drop_ent *e = db->ht[i], *n; e; e = n) {
			n = e->hnext;
			if (e->st == ENT_DEFERRED && now >= e->retry_at)
				drop_touch(db, e->rel, 0);
		}
}

/* A writer that pauses past the open grace had its file taken while still
 * open; moving it then would carry the writer's open descriptor into the
 * archive, and every row written after that would land there, never
 * imported (rename keeps the inode).  So the first move of such a file
 * waits: the file stays in the inbox until the writer closes it (inotify
 * says so) or it stays unchanged for another open grace; it is then handed
 * out again and imported as a new version if it changed (a duplicate,
 * archived, if not).  Held once only, so a file some program keeps open
 * forever still reaches the archive. */
int drop_hold_open(struct lw_dropbox *db, struct drop_ent *e)
{
	if (!e->taken_open || !e->open || e->held || db->polling)
		return 0;
	e->held = 1;
	db->outstanding--;
	lw_log(LW_LOG_NOTICE, db->who,
	       "%s: imported while its writer still has it open; kept in the inbox until it is "
	       "closed, changes are then imported as a new version", e->rel);
	e->stable_since = uv_now(db->loop);
	schedule_settle(db, e, open_grace_ms(db));
	kick_checks(db);
	drop_pump(db);
	return 1;
}

/* Disk full while moving e: leave it, try again after retry_ms. */
void drop_defer(struct lw_dropbox *db, struct drop_ent *e)
{
	e->st = ENT_DEFERRED;
	e->retry_at = uv_now(db->loop) + (uint64_t)db->conf.retry_ms;
	uv_timer_start(&db->t_retry, on_retry_timer, (uint64_t)db->conf.retry_ms, 0);
}

/* e cannot be moved: remember its identity so it is not handed out again
 * until it changes. */
void drop_mark_stuck(struct lw_dropbox *db, struct drop_ent *e)
{
	struct drop_stuck *k = calloc(1, sizeof *k);

	e->st = ENT_STUCK;
	if (!k)
		return;
	k->key = e->snap;
	k->next = db->stuck;
	db->stuck = k;
	db->n_stuck++;
}

void drop_free_entries(struct lw_dropbox *db)
{
	for (size_t i = 0; i < db->ht_cap; i++)
		for (struct drop_ent *e = db->ht[i], *n; e; e = n) {
			n = e->hnext;
			ent_free(e);
		}
	free(db->ht);
	db->ht = NULL;
	db->ht_cap = db->ht_n = 0;
	while (db->stuck) {
		struct drop_stuck *k = db->stuck;
		db->stuck = k->next;
		free(k);
	}
}

void drop_checks_cancel(struct lw_dropbox *db)
{
	if (db->check_w)
		uv_cancel((uv_req_t *)&db->check_w->req);
}

size_t drop_checks_running(const struct lw_dropbox *db)
{
	return db->check_w ? db->check_w->n : 0;
}

void drop_forget_open(struct lw_dropbox *db)
{
	for (size_t i = 0; i < db->ht_cap; i++)
		for (struct drop_ent *e = db->ht[i]; e; e = e->hnext)
			e->open = 0;
}
