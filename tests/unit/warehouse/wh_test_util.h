/*
 * wh_test_util.h — temporary directories and file helpers shared by the
 * warehouse tests.  Header-only, static functions: each test binary gets its
 * own copy.
 */
#ifndef LW_WH_TEST_UTIL_H
#define LW_WH_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A fresh directory under $TMPDIR (or /tmp); the path is written to dir. */
static inline void wh_tmpdir(char dir[256])
{
	const char *t = getenv("TMPDIR");
	snprintf(dir, 256, "%s/lw-wh-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		abort();
	}
}

/* Remove dir/name and its -wal, -shm, -journal companions. */
static inline void wh_unlink_db(const char *dir, const char *name)
{
	static const char *sfx[] = {"", "-wal", "-shm", "-journal"};
	char p[512];
	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof p, "%s/%s%s", dir, name, sfx[i]);
		unlink(p);
	}
}

/* Remove dir/name with its companions, then dir (which must then be empty). */
static inline void wh_rmdir(const char *dir, const char *name)
{
	wh_unlink_db(dir, name);
	rmdir(dir);
}

/* Read a whole file into a malloc'd buffer; *len receives its size.
 * NULL when it cannot be read. */
static inline char *wh_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL;
	long n;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (b = malloc((size_t)n + 1)) && fread(b, 1, (size_t)n, f) == (size_t)n) {
		*len = (size_t)n;
	} else {
		free(b);
		b = NULL;
	}
	fclose(f);
	return b;
}

static inline int wh_write(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ok = f && fwrite(data, 1, len, f) == len;
	if (f && fclose(f) != 0)
		ok = 0;
	return ok ? 0 : -1;
}

static inline int wh_copy(const char *from, const char *to)
{
	size_t n;
	char *b = wh_slurp(from, &n);
	int rc = b ? wh_write(to, b, n) : -1;
	free(b);
	return rc;
}

static inline int wh_exists(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0;
}

#endif
