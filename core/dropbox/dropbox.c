/*
 * dropbox.c — what happens to a handed-out file: archive, reject (with the
 * clerk's .error.txt report) or release (see dropbox.h).
 *
 * Moves run on the libuv thread pool.  Nothing is ever overwritten: the
 * target name is claimed atomically with renameat2(RENAME_NOREPLACE), or
 * link() where the file system lacks it, or O_CREAT|O_EXCL when the target
 * is on another file system (EXDEV: copy, fsync, then unlink the source).
 * A taken name gets " (2)", " (3)"... before its extension, as Windows
 * Explorer does, which is what clerks recognise.
 *
 * The report is written first, under a hidden temporary name in the target
 * folder, then the file is moved, then the report is renamed beside it: a
 * crash leaves either the file in the inbox (re-imported as a duplicate,
 * which the content hash turns into nothing) or the file with its report,
 * never a rejected file without one.
 *
 * Report format: UTF-8 with a byte-order mark and CRLF line ends.  Clerks
 * open it by double-click on Chinese Windows: Notepad before Windows 10
 * 1903 reads a file without BOM as the ANSI code page (GBK), turning
 * Chinese into mojibake, and shows LF-only text as one long line.  With
 * BOM + CRLF every Notepad, WPS and Excel shows it right.
 */
#define _GNU_SOURCE /* renameat2, RENAME_NOREPLACE */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "dropbox/dropbox_int.h"

#define MAX_SUFFIX 9999

struct move_work {
	uv_work_t req;
	struct drop_ent *e;
	int reject;
	char *report;  /* full text to write (header + body), or NULL */
	char *receipt; /* the same for the clerk's receipts folder, or NULL */
	json_t *notices; /* {agency: formatted text} for other clerks, or NULL */
	char *base;    /* archive/<date> or rejected */
	struct drop_snap expect;
	/* results */
	char *dest;
	int rc, sys_errno;
	char msg[768];
};

/* ---- thread-pool side ---- */

static int fail(struct move_work *w, int err, const char *what, const char *path)
{
	w->sys_errno = err;
	w->rc = err == EACCES || err == EPERM || err == EROFS ? LW_EPERM : LW_EIO;
	snprintf(w->msg, sizeof w->msg, "%s %s: %s", what, path, strerror(err));
	return -1;
}

/* mkdir -p of the directory part of path. */
static int make_parent_dirs(struct move_work *w, const char *path)
{
	char *buf = strdup(path), *slash;

	if (!buf)
		return fail(w, ENOMEM, "cannot create folder for", path);
	slash = strrchr(buf, '/');
	if (slash && slash != buf) {
		*slash = '\0';
		for (char *p = buf + 1;; p++) {
			if (*p == '/' || *p == '\0') {
				char c = *p;
				*p = '\0';
				if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
					int e = errno;
					fail(w, e, "cannot create folder", buf);
					free(buf);
					return -1;
				}
				*p = c;
				if (!c)
					break;
			}
		}
	}
	free(buf);
	return 0;
}

/* "dir/name.ext" -> "dir/name (k).ext"; no extension when the only dot
 * starts the name.  malloc'd. */
static char *suffixed(const char *path, int k)
{
	const char *base = strrchr(path, '/'), *dot;
	size_t stem;
	char *s;

	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	if (!dot || dot == base)
		dot = path + strlen(path);
	stem = (size_t)(dot - path);
	s = malloc(strlen(path) + 16);
	if (s)
		sprintf(s, "%.*s (%d)%s", (int)stem, path, k, dot);
	return s;
}

/* Copy src to dst (which must not exist) for a move across file systems;
 * keeps the mtime.  0, or -1 with errno (EEXIST: name taken). */
static int copy_excl(const char *src, const char *dst)
{
	char buf[65536];
	struct stat st;
	int in = -1, out = -1, e = 0;

	in = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return -1;
	if (fstat(in, &st) != 0) {
		e = errno;
		goto done;
	}
	/* the copy is no more readable than the file was (a 0600 hotline
	 * export stays 0600) */
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, st.st_mode & 0666);
	if (out < 0) {
		e = errno;
		goto done;
	}
	for (;;) {
		ssize_t n = read(in, buf, sizeof buf), off = 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = errno;
			break;
		}
		if (n == 0)
			break;
		while (off < n) {
			ssize_t m = write(out, buf + off, (size_t)(n - off));
			if (m < 0 && errno == EINTR)
				continue;
			if (m < 0) {
				e = errno;
				goto done;
			}
			off += m;
		}
	}
	if (!e) {
		struct timespec ts[2] = {st.st_atim, st.st_mtim};
		futimens(out, ts);
		if (fsync(out) != 0)
			e = errno;
	}
done:
	if (out >= 0 && close(out) != 0 && !e)
		e = errno;
	if (e && out >= 0)
		unlink(dst); /* never leave half a copy */
	close(in);
	errno = e;
	return e ? -1 : 0;
}

/* Move src to target or its first free " (k)" variant; sets w->dest. */
static int move_noreplace(struct move_work *w, const char *src, const char *target)
{
	for (int k = 1; k <= MAX_SUFFIX; k++) {
		char *name = k == 1 ? strdup(target) : suffixed(target, k);
		int r;

		if (!name)
			return fail(w, ENOMEM, "cannot move", src);
		r = renameat2(AT_FDCWD, src, AT_FDCWD, name, RENAME_NOREPLACE);
		if (r != 0 && (errno == EINVAL || errno == ENOSYS)) {
			/* No RENAME_NOREPLACE here: link() never replaces. */
			r = link(src, name);
			if (r == 0)
				unlink(src);
		}
		if (r != 0 && errno == EXDEV) {
			r = copy_excl(src, name);
			if (r == 0 && unlink(src) != 0) {
				int e = errno;
				unlink(name); /* keep one copy only: the inbox one */
				free(name);
				return fail(w, e, "cannot remove after copying", src);
			}
		}
		if (r == 0) {
			w->dest = name;
			return 0;
		}
		if (errno != EEXIST) {
			int e = errno;
			fail(w, e, "cannot move to", name);
			free(name);
			return -1;
		}
		free(name);
	}
	return fail(w, EEXIST, "no free name for", target);
}

/* Write the report to a hidden temporary file in the folder of target. */
static char *write_report_tmp(struct move_work *w, const char *target)
{
	size_t len = strlen(target);
	char *tmp = malloc(len + 32), *slash;
	FILE *f = NULL;
	int fd;

	if (!tmp) {
		fail(w, ENOMEM, "cannot write report for", target);
		return NULL;
	}
	memcpy(tmp, target, len + 1);
	slash = strrchr(tmp, '/');
	strcpy(slash + 1, ".lw-report-XXXXXX");
	fd = mkstemp(tmp);
	if (fd < 0 || !(f = fdopen(fd, "wb"))) {
		fail(w, errno, "cannot write report in the folder of", target);
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		free(tmp);
		return NULL;
	}
	fchmod(fd, 0644);
	if (fwrite(w->report, 1, strlen(w->report), f) != strlen(w->report) || fflush(f) != 0 ||
	    fsync(fd) != 0) {
		fail(w, errno, "cannot write report", tmp);
		fclose(f);
		unlink(tmp);
		free(tmp);
		return NULL;
	}
	if (fclose(f) != 0) {
		fail(w, errno, "cannot write report", tmp);
		unlink(tmp);
		free(tmp);
		return NULL;
	}
	return tmp;
}

/* The receipts folder of e (inbox/<agency>/<receipts>, or inbox/<receipts>
 * for a file at the top), opened without following a link anywhere below
 * the inbox and created when missing.  The inbox is clerks' ground: a link
 * planted as the folder is refused, and nothing is written through one. */
static int open_receipts_dir(const struct lw_dropbox *db, const char *agency)
{
	int fd = open(db->inbox, O_RDONLY | O_DIRECTORY | O_CLOEXEC), sub;

	if (fd < 0)
		return -1;
	if (agency) {
		sub = openat(fd, agency, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		if ((fd = sub) < 0)
			return -1;
	}
	if (mkdirat(fd, db->receipts, 0750) != 0 && errno != EEXIST) {
		close(fd);
		return -1;
	}
	sub = openat(fd, db->receipts, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	close(fd);
	return sub;
}

/* Write text as <name><suffix> (".回执.txt", ".通知.txt") in the receipts
 * folder of agency: a fresh file under a random name (O_EXCL|O_NOFOLLOW),
 * then a rename that never replaces; " (2)", " (3)" … when the name is
 * taken.  Failures are logged: the file itself is archived or rejected
 * either way. */
static void write_receipt(struct move_work *w, const char *agency, const char *text,
			  const char *suffix)
{
	const struct drop_ent *e = w->e;
	const char *base = strrchr(e->rel, '/') ? strrchr(e->rel, '/') + 1 : e->rel;
	size_t len = strlen(text);
	char tmp[32], name[1024];
	int dfd = open_receipts_dir(e->db, agency), fd = -1, r = -1;

	if (dfd < 0)
		goto fail;
	/* An unpredictable name: clerks can write here too. */
	for (int k = 0; k < 8 && fd < 0; k++) {
		unsigned char rnd[8];
		if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
			goto fail;
		snprintf(tmp, sizeof tmp, ".lw-receipt-%02x%02x%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1],
			 rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	/* No fsync: a receipt lost in a crash is rewritten by nothing, but
	 * nothing depends on it either (the archive keeps the report of a file
	 * with problems); one fsync per file halved the rate of small files. */
	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		goto fail;
	for (int k = 1; k <= MAX_SUFFIX; k++) {
		if (k == 1)
			snprintf(name, sizeof name, "%s%s", base, suffix);
		else
			snprintf(name, sizeof name, "%s (%d)%s", base, k, suffix);
		r = renameat2(dfd, tmp, dfd, name, RENAME_NOREPLACE);
		if (r != 0 && (errno == EINVAL || errno == ENOSYS)) {
			r = linkat(dfd, tmp, dfd, name, 0); /* never replaces either */
			if (r == 0)
				unlinkat(dfd, tmp, 0);
		}
		if (r == 0 || errno != EEXIST)
			break;
	}
	if (r != 0)
		goto fail;
	close(fd);
	close(dfd);
	return;
fail:
	lw_log(LW_LOG_WARNING, e->db->who, "%s: receipt not written to its %s folder: %s", e->rel,
	       e->db->receipts, strerror(errno));
	if (fd >= 0) {
		close(fd);
		unlinkat(dfd, tmp, 0);
	}
	if (dfd >= 0)
		close(dfd);
}

static const char *e_agency(const struct move_work *w)
{
	return w->e->agency;
}

static void move_run(uv_work_t *req)
{
	struct move_work *w = req->data;
	const char *src = w->e->abs;
	char *target = drop_join(w->base, w->e->rel), *tmp = NULL, *rep = NULL;
	struct drop_snap now;
	struct stat st;

	if (!target) {
		fail(w, ENOMEM, "cannot move", src);
		return;
	}
	if (lstat(src, &st) != 0) {
		w->rc = LW_ENOENT;
		w->sys_errno = errno;
		snprintf(w->msg, sizeof w->msg, "%s vanished before it could be moved", src);
		goto out;
	}
	drop_snap_of(&now, &st);
	if (!S_ISREG(st.st_mode) || !drop_snap_eq(&now, &w->expect)) {
		w->rc = LW_EBUSY;
		snprintf(w->msg, sizeof w->msg, "%s changed after it was read; taking it again", src);
		goto out;
	}
	if (make_parent_dirs(w, target) != 0)
		goto out;
	if (w->report && !(tmp = write_report_tmp(w, target)))
		goto out;
	if (move_noreplace(w, src, target) != 0)
		goto out;
	/* The report first, right after the file: whoever sees the file in the
	 * archive sees its report an instant later, not after the receipts. */
	if (tmp) {
		rep = malloc(strlen(w->dest) + sizeof ".error.txt");
		if (rep) {
			sprintf(rep, "%s.error.txt", w->dest);
			/* A stale report by this new name describes no file:
			 * replacing it is right. */
			if (rename(tmp, rep) == 0) {
				free(tmp);
				tmp = NULL;
			}
		}
		if (tmp)
			lw_log(LW_LOG_ERR, w->e->db->who, "%s: moved, but its report stays in %s: %s",
			       w->dest, tmp, strerror(errno));
	}
	if (w->receipt)
		write_receipt(w, e_agency(w), w->receipt, ".回执.txt");
	if (w->notices) {
		const char *agency;
		json_t *text;
		json_object_foreach(w->notices, agency, text)
			write_receipt(w, agency, json_string_value(text), ".通知.txt");
	}
out:
	if (tmp && !w->dest)
		unlink(tmp);
	free(tmp);
	free(rep);
	free(target);
}

/* ---- loop side ---- */

static void move_done(uv_work_t *req, int status)
{
	struct move_work *w = req->data;
	struct drop_ent *e = w->e;
	struct lw_dropbox *db = e->db;
	void (*moved)(void *, const char *, const char *, int) = db->conf.moved;
	char *rel;

	db->outstanding--;
	if (db->closing)
		goto out;
	if (status != 0 && !w->rc) { /* cancelled: left in place */
		w->rc = LW_ECANCELED;
		snprintf(w->msg, sizeof w->msg, "%s: move cancelled", e->abs);
	}
	if (w->rc == 0) {
		if (w->reject)
			db->st.rejected++;
		else
			db->st.archived++;
		lw_log(LW_LOG_INFO, db->who, "%s -> %s", e->rel, w->dest);
		if (moved)
			moved(db->conf.ud, e->rel, w->dest, 0);
		drop_forget(db, e);
	} else if (w->rc == LW_ENOENT || w->rc == LW_EBUSY || w->rc == LW_ECANCELED) {
		lw_log(LW_LOG_NOTICE, db->who, "%s", w->msg);
		if (moved)
			moved(db->conf.ud, e->rel, NULL, w->rc);
		rel = strdup(e->rel);
		drop_forget(db, e);
		if (rel && w->rc != LW_ENOENT)
			drop_touch(db, rel, 0); /* settle again, hand out again */
		free(rel);
	} else if (w->sys_errno == ENOSPC || w->sys_errno == EDQUOT) {
		drop_report(db, e->rel, LW_EIO, w->sys_errno,
			    "disk full: %s; %s stays in the inbox, retrying in %lld s", w->msg, e->rel,
			    (long long)(db->conf.retry_ms / 1000));
		if (moved)
			moved(db->conf.ud, e->rel, NULL, w->rc);
		drop_defer(db, e);
	} else {
		drop_report(db, e->rel, w->rc, w->sys_errno,
			    "%s; %s stays in the inbox and is not taken again until it changes",
			    w->msg, e->rel);
		if (moved)
			moved(db->conf.ud, e->rel, NULL, w->rc);
		drop_mark_stuck(db, e);
	}
	drop_pump(db);
out:
	free(w->report);
	free(w->receipt);
	json_decref(w->notices);
	free(w->base);
	free(w->dest);
	free(w);
	drop_job_done(db);
}

/* The report as a clerk's Windows editor shows it: BOM first, CRLF line
 * ends.  The body is the importer's whole report (it names the file, the
 * time and the result itself: one header, not two).  malloc'd. */
static char *format_report(const char *body)
{
	static const char head[] = "\xEF\xBB\xBF";
	size_t hl = sizeof head - 1, bl = strlen(body), extra = 0;
	char *out, *o;

	for (size_t i = 0; i < bl; i++)
		extra += body[i] == '\n' && (i == 0 || body[i - 1] != '\r');
	out = malloc(hl + bl + extra + 3);
	if (!out)
		return NULL;
	memcpy(out, head, hl);
	o = out + hl;
	for (size_t i = 0; i < bl; i++) {
		if (body[i] == '\n' && (i == 0 || body[i - 1] != '\r'))
			*o++ = '\r';
		*o++ = body[i];
	}
	if (bl && body[bl - 1] != '\n') {
		*o++ = '\r';
		*o++ = '\n';
	}
	*o = '\0';
	return out;
}

static int start_move(const struct lw_drop_file *f, const char *report, int reject)
{
	struct drop_ent *e = drop_ent_of(f);
	struct lw_dropbox *db = e->db;
	struct move_work *w = calloc(1, sizeof *w);
	char date[16];
	time_t t = time(NULL);
	struct tm tm;

	if (e->st != ENT_OUT || db->closing) {
		free(w);
		return LW_EINVAL;
	}
	if (drop_hold_open(db, e)) {
		free(w);
		return 0;
	}
	if (!w)
		goto oom;
	w->e = e;
	w->reject = reject;
	w->expect = e->snap;
	w->req.data = w;
	if (report && !(w->report = format_report(report)))
		goto oom;
	if (e->receipt && !(w->receipt = format_report(e->receipt)))
		goto oom;
	if (e->notices) {
		const char *agency;
		json_t *text;
		char *body;
		w->notices = json_object();
		json_object_foreach(e->notices, agency, text) {
			if (!(body = format_report(json_string_value(text))))
				goto oom;
			json_object_set_new(w->notices, agency, json_string(body));
			free(body);
		}
	}
	localtime_r(&t, &tm);
	strftime(date, sizeof date, "%Y-%m-%d", &tm);
	w->base = reject ? strdup(db->rejected) : drop_join(db->archive, date);
	if (!w->base)
		goto oom;
	if (uv_queue_work(db->loop, &w->req, move_run, move_done) != 0)
		goto oom;
	e->st = ENT_MOVING;
	db->in_flight++;
	return 0;
oom:
	if (w) {
		free(w->report);
	free(w->receipt);
	json_decref(w->notices);
		free(w->base);
		free(w);
	}
	/* Leave it in the inbox; it is handed out again later. */
	lw_log(LW_LOG_ERR, db->who, "%s: out of memory, cannot move; left in the inbox", e->rel);
	lw_dropbox_release(f);
	return LW_ENOMEM;
}

int lw_dropbox_archive(const struct lw_drop_file *f, const char *report)
{
	return start_move(f, report, 0);
}

int lw_dropbox_receipt(const struct lw_drop_file *f, const char *text)
{
	struct drop_ent *e = drop_ent_of(f);

	if (!e->db->receipts || !text)
		return 0;
	free(e->receipt);
	return (e->receipt = strdup(text)) ? 0 : LW_ENOMEM;
}

int lw_dropbox_notice(const struct lw_drop_file *f, const char *agency, const char *text)
{
	struct drop_ent *e = drop_ent_of(f);
	const char *was;
	char *joined;
	int rc;

	if (!e->db->receipts || !text || !agency || !*agency || agency[0] == '.' ||
	    strchr(agency, '/'))
		return 0;
	if (!e->notices && !(e->notices = json_object()))
		return LW_ENOMEM;
	was = json_string_value(json_object_get(e->notices, agency));
	if (!(joined = malloc((was ? strlen(was) + 1 : 0) + strlen(text) + 1)))
		return LW_ENOMEM;
	sprintf(joined, "%s%s%s", was ? was : "", was ? "\n" : "", text);
	rc = json_object_set_new(e->notices, agency, json_string(joined)) ? LW_ENOMEM : 0;
	free(joined);
	return rc;
}

int lw_dropbox_reject(const struct lw_drop_file *f, const char *report)
{
	return start_move(f, report ? report : "", 1);
}
