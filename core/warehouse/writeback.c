/*
 * writeback.c — the kernel starts writing SQLite's files while SQLite is
 * still writing them (writeback.h).
 *
 * A big import writes its pages twice, into the WAL and at the checkpoint
 * into the database, and makes each durable with fdatasync
 * (synchronous=FULL).  Linux keeps written pages in its cache until a
 * threshold or a 30 s timer sends them to the disk, so each fdatasync
 * found all of them still to write and waited for them: of a 300 000-row
 * import's 1.2 s, 0.07 s in the WAL's fdatasync at the commit, 0.07 s in
 * the database's after the checkpoint, both on the writer thread with
 * nothing else to do.  Here, every time SQLite has written another
 * KICK_BYTES to a file, the kernel is asked to start writing that file out
 * (sync_file_range(SYNC_FILE_RANGE_WRITE): it starts the writes and waits
 * for none of them), so the disk works while SQLite goes on; the
 * fdatasyncs are left with the last few pages (measured: the commit with
 * its checkpoint 0.22-0.25 s -> 0.17-0.19 s).  Nothing changes in what is
 * durable when: SQLite still calls fdatasync where it did.
 *
 * How: SQLite's unix VFS makes its system calls through a table that a
 * program may change (sqlite3_vfs.xSetSystemCall; SQLite's own test suite
 * uses it to inject faults).  The pwrite and pwrite64 entries are replaced
 * by functions that call the originals and count the bytes per descriptor.
 * The table is changed once, before the process opens its first
 * connection (lw_wh_writeback_install from warehouse.c's setup).
 * Where sync_file_range does not exist (not Linux) nothing is installed.
 */
#ifdef __linux__
#define _GNU_SOURCE 1 /* sync_file_range */
#endif
#include "warehouse/writeback.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>
#include <unistd.h>

#ifdef SYNC_FILE_RANGE_WRITE

/* 2 MiB: the smallest of 2, 8 and 16 MiB measured, and the fastest commit
 * (0.17-0.19 s against 0.19-0.22 s with 8 MiB); the calls cost the same
 * in all (the kernel's work is per page written, not per call). */
#define KICK_BYTES ((int64_t)2 << 20)
/* Descriptors tracked; SQLite's files come early in a process's table.
 * A higher descriptor is written as before, without a kick. */
#define SLOTS 1024

/* As SQLite's os_unix.c calls them. */
typedef ssize_t (*pwrite_fn)(int, const void *, size_t, off_t);
typedef ssize_t (*pwrite64_fn)(int, const void *, size_t, off64_t);

static _Atomic int64_t pending[SLOTS]; /* bytes written since the last kick */
static pwrite_fn real_pwrite;
static pwrite64_fn real_pwrite64;

static void count(int fd, ssize_t n)
{
	if (n <= 0 || fd < 0 || fd >= SLOTS)
		return;
	if (atomic_fetch_add_explicit(&pending[fd], n, memory_order_relaxed) + n < KICK_BYTES)
		return;
	atomic_store_explicit(&pending[fd], 0, memory_order_relaxed);
	/* A hint: a failure (a filesystem without it) changes nothing. */
	(void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
}

static ssize_t counted_pwrite(int fd, const void *buf, size_t n, off_t off)
{
	ssize_t r = real_pwrite(fd, buf, n, off);

	count(fd, r);
	return r;
}

static ssize_t counted_pwrite64(int fd, const void *buf, size_t n, off64_t off)
{
	ssize_t r = real_pwrite64(fd, buf, n, off);

	count(fd, r);
	return r;
}

void lw_wh_writeback_install(void)
{
	sqlite3_vfs *v = sqlite3_vfs_find("unix");

	if (!v || v->iVersion < 3 || !v->xGetSystemCall || !v->xSetSystemCall)
		return;
	/* A build of SQLite may use either, or neither (then nothing counts). */
	if ((real_pwrite = (pwrite_fn)v->xGetSystemCall(v, "pwrite")) &&
	    v->xSetSystemCall(v, "pwrite", (sqlite3_syscall_ptr)counted_pwrite) != SQLITE_OK)
		real_pwrite = NULL;
	if ((real_pwrite64 = (pwrite64_fn)v->xGetSystemCall(v, "pwrite64")) &&
	    v->xSetSystemCall(v, "pwrite64", (sqlite3_syscall_ptr)counted_pwrite64) != SQLITE_OK)
		real_pwrite64 = NULL;
}

int lw_wh_writeback_installed(void)
{
	return real_pwrite || real_pwrite64;
}

#else

void lw_wh_writeback_install(void)
{
}

int lw_wh_writeback_installed(void)
{
	return 0;
}

#endif
