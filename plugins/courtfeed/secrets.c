/*
 * secrets.c — the two secret files a courtfeed source reads: the bearer
 * token and optional extra headers (see courtfeed.h).
 *
 * The token and header values are read from files, re-read when a file's
 * inode, size or mtime change (checked before every request), and never
 * logged; error messages name the file, never its content.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "courtfeed.h"

/* Read path if it changed since *wf was loaded: 1 when *out holds the new
 * content (malloc'd), 0 when unchanged, negative on error. */
static int reread(struct cf_watched_file *wf, char **out, char *err, size_t errlen)
{
	struct stat sb;
	int fd;
	ssize_t n;
	char *buf;

	*out = NULL;
	/* A token file is a few hundred bytes on local disk: a stat per
	 * request costs microseconds and keeps rotation simple. */
	if (stat(wf->path, &sb) != 0) {
		snprintf(err, errlen, "cannot read %s: %s", wf->path, strerror(errno));
		return CF_EIO;
	}
	if (wf->loaded && sb.st_dev == wf->dev && sb.st_ino == wf->ino &&
	    sb.st_size == wf->size &&
	    (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec == wf->mtime_ns)
		return 0;
	if (sb.st_size > 65536) {
		snprintf(err, errlen, "%s is larger than 64 KiB", wf->path);
		return CF_EFORMAT;
	}
	if ((fd = open(wf->path, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "cannot open %s: %s", wf->path, strerror(errno));
		return CF_EIO;
	}
	if (fstat(fd, &sb) != 0 || !(buf = malloc((size_t)sb.st_size + 1))) {
		close(fd);
		snprintf(err, errlen, "cannot read %s", wf->path);
		return CF_EIO;
	}
	n = read(fd, buf, (size_t)sb.st_size);
	close(fd);
	if (n < 0) {
		free(buf);
		snprintf(err, errlen, "cannot read %s: %s", wf->path, strerror(errno));
		return CF_EIO;
	}
	buf[n] = '\0';
	wf->dev = sb.st_dev;
	wf->ino = sb.st_ino;
	wf->size = sb.st_size;
	wf->mtime_ns = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
	wf->loaded = 1;
	wf->generation++;
	*out = buf;
	return 1;
}

/* Keep the token as written, minus surrounding whitespace; refuse control
 * characters (a newline would split the Authorization header). */
static int take_token(struct cf *st, char *text, char *err, size_t errlen)
{
	char *s = text, *e;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		e--;
	*e = '\0';
	for (char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			snprintf(err, errlen, "%s: the token holds a line break or control "
				 "character; write the token alone on one line", st->tok.path);
			return CF_EFORMAT;
		}
	if (!*s) {
		snprintf(err, errlen, "%s is empty: write the bearer token into it", st->tok.path);
		return CF_EFORMAT;
	}
	if (st->token) {
		explicit_bzero(st->token, strlen(st->token));
		free(st->token);
	}
	st->token = strdup(s);
	return st->token ? 0 : CF_ENOMEM;
}

void cf_free_headers(char **h)
{
	if (!h)
		return;
	for (char **p = h; *p; p++) {
		explicit_bzero(*p, strlen(*p));
		free(*p);
	}
	free(h);
}

/* "Name: value" lines; blank lines and lines starting with '#' are
 * skipped.  Only the line number is ever reported, never the content. */
static int take_headers(struct cf *st, char *text, char *err, size_t errlen)
{
	char **out = calloc(65, sizeof *out);
	size_t n = 0;
	unsigned lineno = 0;
	char *save = NULL;

	if (!out)
		return CF_ENOMEM;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t len = strlen(line), name = 0;
		lineno++;
		if (len && line[len - 1] == '\r')
			line[--len] = '\0';
		if (!len || line[0] == '#')
			continue;
		while (name < len && line[name] != ':' &&
		       (unsigned char)line[name] > 0x20 && line[name] != 0x7f)
			name++;
		if (!name || line[name] != ':' || n == 64) {
			snprintf(err, errlen, "%s line %u: expected \"Name: value\" (at most 64 headers)",
				 st->hdr.path, lineno);
			goto bad;
		}
		for (size_t i = name; i < len; i++)
			if (((unsigned char)line[i] < 0x20 && line[i] != '\t') || line[i] == 0x7f) {
				snprintf(err, errlen, "%s line %u: control character in the value",
					 st->hdr.path, lineno);
				goto bad;
			}
		if (!(out[n++] = strdup(line)))
			goto bad;
	}
	cf_free_headers(st->headers);
	st->headers = out;
	return 0;
bad:
	cf_free_headers(out);
	return CF_EFORMAT;
}

int cf_refresh_secrets(struct cf *st, char *err, size_t errlen)
{
	char *text = NULL;
	int rc = 0;

	if (st->tok.path) {
		if ((rc = reread(&st->tok, &text, err, errlen)) < 0)
			return rc;
		if (rc == 1) {
			rc = take_token(st, text, err, errlen);
			explicit_bzero(text, strlen(text));
			free(text);
			if (rc) {
				st->tok.loaded = 0; /* read again next time */
				return rc;
			}
			if (st->tok.generation > 1)
				st->api->log(st->src, LW_LOG_NOTICE, "courtfeed: token re-read from %s",
					     st->tok.path);
		}
	}
	if (st->hdr.path) {
		if ((rc = reread(&st->hdr, &text, err, errlen)) < 0)
			return rc;
		if (rc == 1) {
			rc = take_headers(st, text, err, errlen);
			explicit_bzero(text, strlen(text));
			free(text);
			if (rc) {
				st->hdr.loaded = 0;
				return rc;
			}
		}
	}
	return 0;
}
