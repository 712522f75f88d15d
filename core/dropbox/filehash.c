/*
 * filehash.c — SHA-256 of a file's bytes, streamed, for the "same bytes
 * dropped again import nothing" rule (design.md §4; see dropbox.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dropbox/dropbox.h"

struct lw_filehash {
	int fd;
	EVP_MD_CTX *ctx;
	int64_t at;   /* bytes hashed so far */
	int done;     /* the end of the file was read */
	char name[256];
};

int lw_filehash_new(int fd, const char *name, struct lw_filehash **out, struct lw_err *err)
{
	struct lw_filehash *h = calloc(1, sizeof *h);

	*out = NULL;
	if (!h || !(h->ctx = EVP_MD_CTX_new()) ||
	    EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1) {
		lw_filehash_free(h);
		return lw_err_set(err, LW_ENOMEM, "%s: cannot set up SHA-256", name);
	}
	h->fd = fd;
	snprintf(h->name, sizeof h->name, "%s", name);
	*out = h;
	return 0;
}

void lw_filehash_free(struct lw_filehash *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->ctx);
	free(h);
}

int lw_filehash_step(struct lw_filehash *h, size_t max, struct lw_err *err)
{
	unsigned char buf[65536];
	size_t left = max;

	while (!h->done && left > 0) {
		/* pread: the descriptor's offset is the readers' (table.h) */
		ssize_t n = pread(h->fd, buf, left < sizeof buf ? left : sizeof buf, (off_t)h->at);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return lw_err_set(err, LW_EIO, "%s: read error while hashing: %s", h->name,
					  strerror(errno));
		if (n == 0) {
			h->done = 1;
			break;
		}
		if (EVP_DigestUpdate(h->ctx, buf, (size_t)n) != 1)
			return lw_err_set(err, LW_EIO, "%s: SHA-256 update failed", h->name);
		h->at += n;
		left -= (size_t)n;
	}
	return h->done;
}

int lw_filehash_end(struct lw_filehash *h, char out_hex[65], int64_t *bytes, struct lw_err *err)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int rc;

	out_hex[0] = '\0';
	while ((rc = lw_filehash_step(h, (size_t)1 << 20, err)) == 0)
		;
	if (rc < 0)
		return rc;
	if (EVP_DigestFinal_ex(h->ctx, md, &mdlen) != 1 || mdlen != 32)
		return lw_err_set(err, LW_EIO, "%s: SHA-256 final failed", h->name);
	for (unsigned i = 0; i < mdlen; i++) {
		out_hex[2 * i] = hex[md[i] >> 4];
		out_hex[2 * i + 1] = hex[md[i] & 15];
	}
	out_hex[64] = '\0';
	if (bytes)
		*bytes = h->at;
	return 0;
}

int lw_file_sha256_fd(int fd, const char *name, char out_hex[65], int64_t *bytes,
		      struct lw_err *err)
{
	struct lw_filehash *h;
	int rc;

	out_hex[0] = '\0';
	if ((rc = lw_filehash_new(fd, name, &h, err)) != 0)
		return rc;
	rc = lw_filehash_end(h, out_hex, bytes, err);
	lw_filehash_free(h);
	return rc;
}

int lw_file_sha256(const char *path, char out_hex[65], int64_t *bytes, struct lw_err *err)
{
	int fd, rc;

	out_hex[0] = '\0';
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return lw_err_set(err, errno == ENOENT ? LW_ENOENT : errno == ELOOP ? LW_EPERM : LW_EIO,
				  "%s: cannot open for hashing: %s", path,
				  errno == ELOOP ? "symbolic link refused" : strerror(errno));
	rc = lw_file_sha256_fd(fd, path, out_hex, bytes, err);
	close(fd);
	return rc;
}
