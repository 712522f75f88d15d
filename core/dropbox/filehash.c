/*
 * filehash.c — SHA-256 of a file's bytes, streamed, for the "same bytes
 * dropped again import nothing" rule (design.md §4; see dropbox.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <string.h>
#include <unistd.h>

#include "dropbox/dropbox.h"

int lw_file_sha256_fd(int fd, const char *name, char out_hex[65], int64_t *bytes,
		      struct lw_err *err)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = NULL;
	int64_t total = 0;
	int rc = 0;

	out_hex[0] = '\0';
	ctx = EVP_MD_CTX_new();
	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		rc = lw_err_set(err, LW_ENOMEM, "%s: cannot set up SHA-256", name);
		goto out;
	}
	for (;;) {
		/* pread: the descriptor's offset is the readers' (table.h) */
		ssize_t n = pread(fd, buf, sizeof buf, (off_t)total);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = lw_err_set(err, LW_EIO, "%s: read error while hashing: %s", name,
					strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		total += n;
		if (EVP_DigestUpdate(ctx, buf, (size_t)n) != 1) {
			rc = lw_err_set(err, LW_EIO, "%s: SHA-256 update failed", name);
			goto out;
		}
	}
	if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != 32) {
		rc = lw_err_set(err, LW_EIO, "%s: SHA-256 final failed", name);
		goto out;
	}
	for (unsigned i = 0; i < mdlen; i++) {
		out_hex[2 * i] = hex[md[i] >> 4];
		out_hex[2 * i + 1] = hex[md[i] & 15];
	}
	out_hex[64] = '\0';
	if (bytes)
		*bytes = total;
out:
	EVP_MD_CTX_free(ctx);
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
