/*
 * dropscan.c — walking the inbox tree on the thread pool, for the initial
 * scan, polling, safety rescans, inotify queue overflows and new
 * subdirectories (see dropbox_int.h).
 *
 * The walk never follows a symbolic link (fstatat AT_SYMLINK_NOFOLLOW, the
 * directory opened O_NOFOLLOW) and holds one directory fd at a time: a
 * directory is read whole, closed, then its subdirectories are visited.
 * In inotify mode the watch on a directory is added *before* it is listed,
 * so a file landing in between is either listed or reported by an event.
 * The wd -> path map is shared with the loop thread under a mutex, held
 * across inotify_add_watch and the map update so the loop never reads an
 * event for a wd it cannot name yet.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "dropbox/dropbox_int.h"

struct scan_work {
	uv_work_t req;
	struct lw_dropbox *db;
	char **roots;
	size_t nroots;
	int watch_fd; /* -1: polling */
	struct scan_item *items;
	size_t n, cap;
	int watch_errno; /* inotify_add_watch failure (ENOSPC: limit) */
	int root_errno;  /* the inbox itself could not be read */
	int root_listed;
	int oom;
};

/* ---- wd map ---- */

int drop_wmap_set(struct wd_map *m, int wd, const char *rel)
{
	char *s = strdup(rel);

	if (!s)
		return LW_ENOMEM;
	if (wd >= m->cap) {
		int cap = m->cap ? m->cap : 64;
		char **p;
		while (cap <= wd)
			cap *= 2;
		p = realloc(m->rel, (size_t)cap * sizeof *p);
		if (!p) {
			free(s);
			return LW_ENOMEM;
		}
		memset(p + m->cap, 0, (size_t)(cap - m->cap) * sizeof *p);
		m->rel = p;
		m->cap = cap;
	}
	free(m->rel[wd]);
	m->rel[wd] = s;
	return 0;
}

char *drop_wmap_get(struct wd_map *m, int wd)
{
	char *s = NULL;

	pthread_mutex_lock(&m->mu);
	if (wd >= 0 && wd < m->cap && m->rel[wd])
		s = strdup(m->rel[wd]);
	pthread_mutex_unlock(&m->mu);
	return s;
}

void drop_wmap_clear(struct wd_map *m, int wd)
{
	pthread_mutex_lock(&m->mu);
	if (wd >= 0 && wd < m->cap) {
		free(m->rel[wd]);
		m->rel[wd] = NULL;
	}
	pthread_mutex_unlock(&m->mu);
}

/* ---- the walk (thread pool) ---- */

static int add_item(struct scan_work *w, char *rel, int type, const struct stat *st)
{
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 256;
		struct scan_item *p = realloc(w->items, cap * sizeof *p);
		if (!p)
			return -1;
		w->items = p;
		w->cap = cap;
	}
	w->items[w->n].rel = rel;
	w->items[w->n].type = type;
	drop_snap_of(&w->items[w->n].snap, st);
	w->n++;
	return 0;
}

/* Stack of directories still to visit (relative paths, owned). */
struct dirstack {
	char **v;
	size_t n, cap;
};

static int push_dir(struct dirstack *s, char *rel)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;
		char **p = realloc(s->v, cap * sizeof *p);
		if (!p)
			return -1;
		s->v = p;
		s->cap = cap;
	}
	s->v[s->n++] = rel;
	return 0;
}

static void add_watch(struct scan_work *w, const char *abs, const char *rel)
{
	struct wd_map *m = &w->db->wmap;
	int wd;

	pthread_mutex_lock(&m->mu);
	wd = inotify_add_watch(w->watch_fd, abs, drop_watch_mask());
	if (wd >= 0) {
		if (drop_wmap_set(m, wd, rel) != 0)
			w->oom = 1;
	} else if (errno != ENOENT && errno != ENOTDIR && errno != EACCES && !w->watch_errno) {
		w->watch_errno = errno;
	}
	pthread_mutex_unlock(&m->mu);
}

/* List one directory: files become items, subdirectories go on the stack. */
static void scan_dir(struct scan_work *w, const char *rel, struct dirstack *todo)
{
	char *abs = drop_join(w->db->inbox, rel);
	struct dirent *de;
	DIR *d;
	int fd;

	if (!abs) {
		w->oom = 1;
		return;
	}
	if (w->watch_fd >= 0)
		add_watch(w, abs, rel);
	fd = open(abs, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (!rel[0])
			w->root_errno = errno;
		if (fd >= 0)
			close(fd);
		free(abs);
		return;
	}
	if (!rel[0])
		w->root_listed = 1;
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		char *crel;

		if (lw_drop_name_ignored(de->d_name))
			continue; /* also ".", "..", dot-directories */
		if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue; /* vanished meanwhile */
		if (!(crel = drop_join(rel, de->d_name))) {
			w->oom = 1;
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			/* Receipts are written there by the daemon: never taken. */
			if (w->db->receipts && !strcmp(de->d_name, w->db->receipts)) {
				free(crel);
				continue;
			}
			if (push_dir(todo, crel) != 0) {
				free(crel);
				w->oom = 1;
			}
			continue;
		}
		if (add_item(w, crel, S_ISREG(st.st_mode) ? 'f' : S_ISLNK(st.st_mode) ? 'l' : 'o',
			     &st) != 0) {
			free(crel);
			w->oom = 1;
			break;
		}
	}
	closedir(d);
	free(abs);
}

static void scan_run(uv_work_t *req)
{
	struct scan_work *w = req->data;
	struct dirstack todo = {0};

	for (size_t i = 0; i < w->nroots; i++) {
		char *r = strdup(w->roots[i]);
		if (!r || push_dir(&todo, r) != 0) {
			free(r);
			w->oom = 1;
		}
	}
	while (todo.n) {
		char *rel = todo.v[--todo.n];
		scan_dir(w, rel, &todo);
		free(rel);
	}
	free(todo.v);
}

static void scan_free(struct scan_work *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->items[i].rel);
	free(w->items);
	for (size_t i = 0; i < w->nroots; i++)
		free(w->roots[i]);
	free(w->roots);
	free(w);
}

static void scan_done(uv_work_t *req, int status)
{
	struct scan_work *w = req->data;
	struct lw_dropbox *db = w->db;

	db->scan_w = NULL;
	if (status != 0 || db->closing)
		goto out;
	db->st.scans++;
	if (w->watch_errno) {
		char why[160];
		snprintf(why, sizeof why, "cannot watch every folder of the inbox (%s%s)",
			 strerror(w->watch_errno),
			 w->watch_errno == ENOSPC ? ": raise fs.inotify.max_user_watches" : "");
		drop_fall_back_to_polling(db, why);
	}
	if (w->root_errno)
		drop_root_lost(db, w->root_errno);
	else if (w->root_listed)
		drop_root_found(db);
	if (w->oom) {
		lw_log(LW_LOG_ERR, db->who, "out of memory while scanning %s; will rescan", db->inbox);
		db->want_full = 1;
	}
	drop_scan_apply(db, w->items, w->n);
	drop_scan_finished(db);
out:
	if (status != 0 || db->closing)
		db->scan_running = 0;
	scan_free(w);
	drop_job_done(db);
}

int drop_scan_start(struct lw_dropbox *db, char **roots, size_t nroots)
{
	struct scan_work *w = calloc(1, sizeof *w);

	if (!w) {
		for (size_t i = 0; i < nroots; i++)
			free(roots[i]);
		free(roots);
		return LW_ENOMEM;
	}
	w->db = db;
	w->req.data = w;
	w->roots = roots;
	w->nroots = nroots;
	w->watch_fd = db->polling ? -1 : db->ino_fd;
	if (uv_queue_work(db->loop, &w->req, scan_run, scan_done) != 0) {
		scan_free(w);
		return LW_EIO;
	}
	db->scan_w = w;
	db->scan_running = 1;
	db->in_flight++;
	return 0;
}

void drop_scan_cancel(struct lw_dropbox *db)
{
	if (db->scan_w)
		uv_cancel((uv_req_t *)&db->scan_w->req);
}
