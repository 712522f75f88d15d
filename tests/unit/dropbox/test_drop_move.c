/* Unit tests for what happens to a handed-out file (dropbox.c): archive to
 * the dated folder, " (2)" on collisions, reject with a BOM+CRLF report,
 * unmovable files reported once, disk full, files changed after hand-out,
 * odd names; and lw_file_sha256. */
#define _GNU_SOURCE /* mount(2) */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/mount.h>

#include "drop_test_util.h"

static int one_ready(struct tctx *t) { return t->nready >= 1; }
static int two_ready(struct tctx *t) { return t->nready >= 2; }
static int one_moved(struct tctx *t) { return t->nmoved >= 1; }
static int one_settled(struct tctx *t) { return t->nmoved + t->nmove_fail >= 1; }

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long n;
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = calloc(1, (size_t)n + 1);
	if (fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return b;
}

static void archive_goes_to_dated_folder_and_keeps_agency_folder(void **state)
{
	struct tctx t;
	char p[600], want[700], day[400];

	t_init(&t);
	t.policy = ARCHIVE;
	snprintf(p, sizeof p, "%s/自然资源局", t.inbox);
	t_mkdir(p);
	t_writef(&t, "自然资源局/2024 Q1.xlsx", "data");
	assert_int_equal(t_open(&t), 0);
	assert_true(t_run_until(&t, one_moved, 5000));
	t_today(&t, day, sizeof day);
	snprintf(want, sizeof want, "%s/自然资源局/2024 Q1.xlsx", day);
	assert_string_equal(t.last_dest, want);
	assert_true(t_exists(want));
	assert_false(t_exists(t.rel[0]));
	assert_true(t_exists(p)); /* clerks keep their folder */
	assert_int_equal(t_fini(&t), 0);
}

static void collision_gets_numbered_suffix_before_extension(void **state)
{
	static const struct { const char *name, *second, *third; } cases[] = {
		{"x.xlsx", "x (2).xlsx", "x (3).xlsx"},
		{"a.b.csv", "a.b (2).csv", "a.b (3).csv"},
		{"README", "README (2)", "README (3)"},
	};
	for (size_t c = 0; c < 3; c++) {
		struct tctx t;
		char day[400], p[800];

		t_init(&t);
		t.policy = ARCHIVE;
		t_today(&t, day, sizeof day);
		t_mkdir(t.archive);
		t_mkdir(day);
		snprintf(p, sizeof p, "%s/%s", day, cases[c].name);
		t_write(p, "older import");
		t_writef(&t, cases[c].name, "new");
		assert_int_equal(t_open(&t), 0);
		assert_true(t_run_until(&t, one_moved, 5000));
		snprintf(p, sizeof p, "%s/%s", day, cases[c].second);
		assert_string_equal(t.last_dest, p);
		/* The older one is untouched. */
		snprintf(p, sizeof p, "%s/%s", day, cases[c].name);
		{
			size_t n;
			char *b = slurp(p, &n);
			assert_string_equal(b, "older import");
			free(b);
		}
		t_writef(&t, cases[c].name, "newer");
		assert_true(t_run_until(&t, two_ready, 5000));
		t_run_until(&t, t_never, 300);
		snprintf(p, sizeof p, "%s/%s", day, cases[c].third);
		assert_string_equal(t.last_dest, p);
		assert_int_equal(t_fini(&t), 0);
	}
}

static void reject_writes_report_with_bom_and_crlf(void **state)
{
	struct tctx t;
	char p[600], rep[700];
	size_t n;
	char *b;

	t_init(&t);
	t.policy = REJECT;
	t.report = "第3行 第B列「立案日期」: 应为日期，实为\"abc\"\nRow 3, column B: expected a date\r\nend";
	snprintf(p, sizeof p, "%s/公安局", t.inbox);
	t_mkdir(p);
	t_writef(&t, "公安局/bad.xlsx", "data");
	assert_int_equal(t_open(&t), 0);
	assert_true(t_run_until(&t, one_moved, 5000));
	snprintf(p, sizeof p, "%s/公安局/bad.xlsx", t.rejected);
	assert_string_equal(t.last_dest, p);
	snprintf(rep, sizeof rep, "%s.error.txt", p);
	b = slurp(rep, &n);
	assert_non_null(b);
	assert_memory_equal(b, "\xEF\xBB\xBF", 3);
	/* The importer's report is the whole text: no second header. */
	assert_memory_equal(b + 3, "第3行", strlen("第3行"));
	assert_non_null(strstr(b, "第3行 第B列「立案日期」: 应为日期，实为\"abc\"\r\nRow 3, column B"));
	assert_non_null(strstr(b, "expected a date\r\nend\r\n"));
	for (size_t i = 0; i < n; i++)
		if (b[i] == '\n' && (i == 0 || b[i - 1] != '\r')) {
			print_error("bare LF at byte %zu of the report\n", i);
			fail();
		}
	assert_int_equal(b[n - 1], '\n');
	free(b);
	/* No temporary report left behind. */
	{
		char d[600];
		struct dirent *de;
		DIR *dir;
		snprintf(d, sizeof d, "%s/公安局", t.rejected);
		dir = opendir(d);
		while ((de = readdir(dir)))
			assert_null(strstr(de->d_name, "lw-report"));
		closedir(dir);
	}
	assert_int_equal(t_fini(&t), 0);
}

static void partly_accepted_file_is_archived_with_report(void **state)
{
	struct tctx t;
	char day[400], p[800];
	size_t n;
	char *b;

	t_init(&t);
	t.policy = ARCHIVE_REPORT;
	t.report = "第7行: 案号无法识别 / Row 7: case number not recognised";
	t_writef(&t, "part.csv", "x");
	assert_int_equal(t_open(&t), 0);
	assert_true(t_run_until(&t, one_moved, 5000));
	t_today(&t, day, sizeof day);
	snprintf(p, sizeof p, "%s/part.csv.error.txt", day);
	b = slurp(p, &n);
	assert_non_null(b);
	assert_memory_equal(b, "\xEF\xBB\xBF" "第7行", 3 + strlen("第7行"));
	assert_non_null(strstr(b, "Row 7"));
	free(b);
	assert_int_equal(t_fini(&t), 0);
}

static void odd_names_work(void **state)
{
	static const char *names[] = {"with space.xlsx", "行政诉讼 统计表.xlsx", "quote\"'s.csv",
				      "new\nline.csv", "tab\tname.csv"};
	struct tctx t;
	char day[400], p[800];

	t_init(&t);
	t.policy = ARCHIVE;
	snprintf(p, sizeof p, "%s/市 自然资源和规划局", t.inbox);
	t_mkdir(p);
	for (size_t i = 0; i < 5; i++) {
		snprintf(p, sizeof p, "市 自然资源和规划局/%s", names[i]);
		t_writef(&t, p, names[i]);
	}
	assert_int_equal(t_open(&t), 0);
	t_run_until(&t, t_never, 100);
	for (int k = 0; k < 100 && t.nmoved < 5; k++)
		t_run_until(&t, t_never, 50);
	assert_int_equal(t.nmoved, 5);
	t_today(&t, day, sizeof day);
	for (size_t i = 0; i < 5; i++) {
		snprintf(p, sizeof p, "%s/市 自然资源和规划局/%s", day, names[i]);
		if (!t_exists(p)) {
			print_error("expected %s\n", p);
			fail();
		}
		assert_string_equal(t.agency[i], "市 自然资源和规划局");
	}
	assert_int_equal(t_fini(&t), 0);
}

/* Make archive unwritable in a way that stops root too; returns a label,
 * or NULL when no such way is available here. */
static const char *make_unwritable(struct tctx *t, int *mounted)
{
	char day[400];

	*mounted = 0;
	t_mkdir(t->archive);
	if (geteuid() != 0) {
		assert_int_equal(chmod(t->archive, 0500), 0);
		return "chmod 0500 (EACCES)";
	}
	printf("# running as root: chmod cannot stop root; using a read-only tmpfs instead\n");
	if (mount("tmpfs", t->archive, "tmpfs", MS_RDONLY, "size=64k") == 0) {
		*mounted = 1;
		return "read-only tmpfs (EROFS)";
	}
	printf("# cannot mount (%s); making archive/<today> a plain file (ENOTDIR)\n",
	       strerror(errno));
	t_today(t, day, sizeof day);
	t_write(day, "not a folder");
	return "archive/<today> is a file (ENOTDIR)";
}

static void unmovable_file_reported_once_not_handed_out_again(void **state)
{
	struct tctx t;
	const char *how;
	int mounted;

	t_init(&t);
	t.policy = ARCHIVE;
	how = make_unwritable(&t, &mounted);
	printf("# unmovable archive: %s\n", how);
	t_writef(&t, "stuck.xlsx", "x");
	assert_int_equal(t_open(&t), 0);
	assert_true(t_run_until(&t, one_settled, 5000));
	assert_int_equal(t.nmove_fail, 1);
	assert_int_equal(t.nproblems, 1);
	assert_non_null(strstr(t.last_problem, "stays in the inbox"));
	for (int i = 0; i < 3; i++) {
		lw_dropbox_rescan(t.db);
		t_run_until(&t, t_never, 250);
	}
	assert_int_equal(t.nready, 1);
	assert_int_equal(t.nproblems, 1);
	{
		char p[600];
		snprintf(p, sizeof p, "%s/stuck.xlsx", t.inbox);
		assert_true(t_exists(p));
	}
	/* Once it changes (clerk saved a new version), it is taken again. */
	t_writef(&t, "stuck.xlsx", "new version");
	assert_true(t_run_until(&t, two_ready, 5000));
	if (mounted)
		umount(t.archive);
	assert_int_equal(t_fini(&t), 0);
}

static void disk_full_is_reported_and_file_stays(void **state)
{
	struct tctx t;
	char p[600], big[8192];

	t_init(&t);
	t.policy = ARCHIVE;
	t.conf.retry_ms = 300;
	t_mkdir(t.archive);
	if (mount("tmpfs", t.archive, "tmpfs", 0, "size=4k") != 0) {
		printf("# SKIP disk-full assertion: cannot mount a small tmpfs here (%s)\n",
		       strerror(errno));
		assert_int_equal(t_fini(&t), 0);
		skip();
	}
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	t_writef(&t, "big.csv", big); /* 8 KiB: crosses devices, 4 KiB free */
	assert_int_equal(t_open(&t), 0);
	assert_true(t_run_until(&t, one_settled, 5000));
	assert_int_equal(t.nmove_fail, 1);
	assert_int_equal(t.last_problem_errno, ENOSPC);
	assert_non_null(strstr(t.last_problem, "disk full"));
	snprintf(p, sizeof p, "%s/big.csv", t.inbox);
	assert_true(t_exists(p));
	/* Retried after retry_ms: handed out again. */
	assert_true(t_run_until(&t, two_ready, 5000));
	umount(t.archive);
	assert_int_equal(t_fini(&t), 0);
}

static void cross_device_archive_copies_and_removes(void **state)
{
	struct tctx t;
	char shm[64] = "/dev/shm/lw-drop-XXXXXX", p[600];
	struct stat a, b;
	size_t n;
	char *buf;

	if (!mkdtemp(shm) || stat(shm, &a) != 0) {
		skip();
	}
	t_init(&t);
	stat(t.inbox, &b);
	if (a.st_dev == b.st_dev) {
		printf("# SKIP: /dev/shm is on the same file system as %s\n", t.inbox);
		rmdir(shm);
		assert_int_equal(t_fini(&t), 0);
		skip();
	}
	snprintf(p, sizeof p, "%s/archive", shm);
	t.conf.archive = p;
	t.policy = ARCHIVE;
	t_writef(&t, "x.csv", "cross");
	assert_int_equal(t_open(&t), 0);
	assert_true(t_run_until(&t, one_moved, 5000));
	buf = slurp(t.last_dest, &n);
	assert_string_equal(buf, "cross");
	free(buf);
	snprintf(p, sizeof p, "%s/x.csv", t.inbox);
	assert_false(t_exists(p));
	assert_int_equal(t_fini(&t), 0);
	nftw(shm, t_rm_cb, 8, FTW_DEPTH | FTW_PHYS);
}

static void changed_after_handout_is_not_moved_and_comes_again(void **state)
{
	struct tctx t;
	char p[600];

	t_init(&t);
	t.policy = HOLD;
	t_writef(&t, "c.csv", "v1");
	assert_int_equal(t_open(&t), 0);
	assert_true(t_run_until(&t, one_ready, 5000));
	t_writef(&t, "c.csv", "v2, longer");
	lw_dropbox_archive(t.held[0], NULL);
	assert_true(t_run_until(&t, one_settled, 5000));
	assert_int_equal(t.last_move_rc, LW_EBUSY);
	snprintf(p, sizeof p, "%s/c.csv", t.inbox);
	assert_true(t_exists(p));
	assert_true(t_run_until(&t, two_ready, 5000));
	assert_int_equal(t_fini(&t), 0);
}

static void receipts_folder_must_be_one_name(void **state)
{
	static const char *const bad[] = {"..", "../x", "a/b", ".hidden"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct tctx t;
		t_init(&t);
		t.conf.receipts = bad[i];
		assert_int_equal(t_open(&t), LW_EINVAL);
		uv_loop_close(&t.loop);
	}
}

static void sha256_streams_and_refuses_symlinks(void **state)
{
	struct tctx t;
	char p[600], l[600], hex[65];
	struct lw_err err = {0};
	int64_t size = 0;

	t_init(&t);
	snprintf(p, sizeof p, "%s/abc", t.root);
	t_write(p, "abc");
	assert_int_equal(lw_file_sha256(p, hex, &size, &err), 0);
	assert_int_equal(size, 3);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	t_write(p, "");
	assert_int_equal(lw_file_sha256(p, hex, NULL, &err), 0);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	snprintf(l, sizeof l, "%s/link", t.root);
	assert_int_equal(symlink(p, l), 0);
	assert_int_equal(lw_file_sha256(l, hex, NULL, &err), LW_EPERM);
	assert_non_null(strstr(err.msg, "symbolic link"));
	snprintf(l, sizeof l, "%s/none", t.root);
	assert_int_equal(lw_file_sha256(l, hex, NULL, &err), LW_ENOENT);
	assert_int_equal(t_fini(&t), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(archive_goes_to_dated_folder_and_keeps_agency_folder),
		cmocka_unit_test(collision_gets_numbered_suffix_before_extension),
		cmocka_unit_test(reject_writes_report_with_bom_and_crlf),
		cmocka_unit_test(partly_accepted_file_is_archived_with_report),
		cmocka_unit_test(odd_names_work),
		cmocka_unit_test(unmovable_file_reported_once_not_handed_out_again),
		cmocka_unit_test(disk_full_is_reported_and_file_stays),
		cmocka_unit_test(cross_device_archive_copies_and_removes),
		cmocka_unit_test(changed_after_handout_is_not_moved_and_comes_again),
		cmocka_unit_test(sha256_streams_and_refuses_symlinks),
		cmocka_unit_test(receipts_folder_must_be_one_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
