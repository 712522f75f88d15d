"""End to end: file intake under the threat model of design.md §12 — clerks
write into their own inbox folder and nothing else, spreadsheet content is
hostile, 12345 exports are personal information.  Each test plants what a
hostile clerk could plant (links, hard links, swapped files, odd names) or
does what a slow or unlucky writer does, and checks that nothing outside the
inbox is read or written and nothing imported is lost."""

import csv
import glob
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import threading
import time
import unittest

from lwtest import BIN, SOURCE_DIR, DaemonTestCase

HEADER = ["案号", "被告", "立案日期", "结案日期", "裁判结果"]
PROFILES = os.path.join(SOURCE_DIR, "conf", "profiles")


def csv_bytes(rows, header=HEADER, encoding="utf-8-sig"):
    import io
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode(encoding)


def write_csv(path, rows, header=HEADER):
    tmp = path + (b".tmp" if isinstance(path, bytes) else ".tmp")
    with open(tmp, "wb") as f:
        f.write(csv_bytes(rows, header))
    os.replace(tmp, path)


def cases(first, n, agency="市自然资源局"):
    return [["(2024)鄂9004行初%d号" % i, agency, "2024-03-01", "", ""]
            for i in range(first, first + n)]


SWAP_HOOK_C = r"""
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int done;

static void after_open(const char *p, int fd)
{
	const char *want = getenv("LW_SWAP_PATH"), *to = getenv("LW_SWAP_TO");
	char orig[4096];
	if (fd < 0 || done || !want || !to || strcmp(p, want))
		return;
	done = 1;
	snprintf(orig, sizeof orig, "%s.orig", want);
	rename(want, orig);
	if (getenv("LW_SWAP_LINK") && !strcmp(getenv("LW_SWAP_LINK"), "1"))
		symlink(to, want);
	else
		link(to, want);
}

#define HOOK(name, ...) \
	int name(__VA_ARGS__, ...) \
	{ \
		static int (*real)(); \
		va_list ap; \
		mode_t mode = 0; \
		int fd; \
		va_start(ap, flags); \
		if (flags & (O_CREAT | O_TMPFILE)) \
			mode = va_arg(ap, mode_t); \
		va_end(ap); \
		if (!real) \
			real = (int (*)())dlsym(RTLD_NEXT, #name); \
		fd = CALL; \
		after_open(path, fd); \
		return fd; \
	}
#define CALL real(path, flags, mode)
HOOK(open, const char *path, int flags)
HOOK(open64, const char *path, int flags)
#undef CALL
#define CALL real(dfd, path, flags, mode)
HOOK(openat, int dfd, const char *path, int flags)
HOOK(openat64, int dfd, const char *path, int flags)
"""


def litwatch(*args):
    return subprocess.run([os.path.join(BIN, "litwatch"), *args], capture_output=True,
                          text=True, timeout=300)


class Intake(DaemonTestCase):

    def config(self, **src):
        s = {"name": "reports", "plugin": "spreadsheet", "inbox": "inbox", "archive": "archive",
             "rejected": "rejected", "settle": "200ms"}
        s.update(src)
        return self.write_config({"data_dir": "data", "profile_dir": PROFILES, "sources": [s]})

    def data(self, *p):
        return os.path.join(self.dir, "data", *p)

    def db(self, sql, blob=False):
        con = sqlite3.connect(self.data("litwatch.db"))
        if blob:
            con.text_factory = bytes
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    def wait_for(self, cond, timeout=30.0, what="condition"):
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if cond():
                return time.monotonic() - t0
            time.sleep(0.05)
        raise AssertionError("timed out waiting for " + what)

    def archived(self, name):
        return glob.glob(self.data("archive", "*", "**", name), recursive=True)

    def imp(self, *files, db=None):
        return litwatch("import", "--db", db or os.path.join(self.dir, "w.db"), "--profile",
                        "agency-case-report", "--profile-dir", PROFILES, "--json", *files)

    # ---- item 2: one open, one descriptor; hard links refused ----

    def test_hardlinked_file_in_inbox_is_rejected_unread_with_the_reason(self):
        os.makedirs(self.data("inbox"))
        secret = os.path.join(self.dir, "secret.csv")
        with open(secret, "wb") as f:
            f.write(csv_bytes(cases(1, 1, agency="SECRET-AGENCY")))
        os.chmod(secret, 0o600)
        os.link(secret, self.data("inbox", "linked.csv"))
        d = self.start(self.config())
        d.notify.wait_for("READY=1")
        self.wait_for(lambda: os.path.exists(self.data("rejected", "linked.csv.error.txt")),
                      what="hard-linked file rejected with a report")
        with open(self.data("rejected", "linked.csv.error.txt"), encoding="utf-8-sig") as f:
            report = f.read()
        self.assertIn("硬链接", report)
        self.assertIn("hard link", report)
        self.assertNotIn("SECRET", report)
        self.assertEqual(self.db("SELECT count(*) FROM cases"), [(0,)])
        self.assertEqual(d.stop(), 0)
        self.assertNotIn("SECRET", d.log_text())
        with open(self.data("litwatch.db"), "rb") as f:
            self.assertNotIn(b"SECRET", f.read())
        with open(secret, "rb") as f:  # the other name is untouched
            self.assertIn(b"SECRET-AGENCY", f.read())

    def test_one_shot_import_refuses_a_hard_link_and_names_the_reason(self):
        src = os.path.join(self.dir, "a.csv")
        with open(src, "wb") as f:
            f.write(csv_bytes(cases(1, 2, agency="SECRET-AGENCY")))
        os.link(src, os.path.join(self.dir, "b.csv"))
        out = self.imp(os.path.join(self.dir, "b.csv"))
        res = json.loads(out.stdout)
        self.assertEqual(res["status"], "rejected", out)
        self.assertIn("hard link", res["message"])
        self.assertIn("硬链接", res["message"])
        self.assertNotIn("SECRET", out.stdout + out.stderr)

    def swap_hook(self):
        """An LD_PRELOAD library that, right after the process's first
        successful open() of $LW_SWAP_PATH, renames it away and puts
        $LW_SWAP_TO (a symlink target or a file) under its name: what a
        clerk racing the daemon does, made deterministic."""
        so = os.path.join(self.dir, "swaphook.so")
        src = os.path.join(self.dir, "swaphook.c")
        with open(src, "w") as f:
            f.write(SWAP_HOOK_C)
        subprocess.run(["cc", "-shared", "-fPIC", "-O1", "-o", so, src, "-ldl"], check=True)
        return so

    def hooked(self, path, to, link):
        env = dict(os.environ, LD_PRELOAD=self.swap_hook(), LW_SWAP_PATH=path, LW_SWAP_TO=to,
                   LW_SWAP_LINK="1" if link else "0",
                   ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0")
        return env

    def test_one_shot_import_never_reads_a_file_swapped_after_it_was_opened(self):
        """Swapped for a symlink to a 0600 secret right after the first
        open: before, the hash was of the real file and the reader opened
        the path again, followed the link and echoed the secret's header
        into imports.message.  Swapped for a small file: before, the small
        file's rows were stored under the big file's hash."""
        secret = os.path.join(self.dir, "secret.csv")
        with open(secret, "wb") as f:
            f.write(csv_bytes([["SECRET-ROW", "x"]], header=["SECRET-HEADER", "b"]))
        os.chmod(secret, 0o600)
        small = os.path.join(self.dir, "small.csv")
        with open(small, "wb") as f:
            f.write(csv_bytes(cases(9000, 1, agency="SMALL-FILE-AGENCY")))
        dbp = os.path.join(self.dir, "w.db")
        import hashlib
        for n, (to, link) in enumerate(((secret, True), (small, False))):
            path = os.path.join(self.dir, "drop%d.csv" % n)
            body = csv_bytes(cases(100 * n + 1, 50))
            with open(path, "wb") as f:
                f.write(body)
            out = subprocess.run([os.path.join(BIN, "litwatch"), "import", "--db", dbp,
                                  "--profile", "agency-case-report", "--profile-dir", PROFILES,
                                  "--json", path], capture_output=True, text=True, timeout=120,
                                 env=self.hooked(path, to, link))
            self.assertTrue(os.path.islink(path) if link else os.path.exists(path + ".orig"),
                            "the hook did not swap: " + out.stderr)
            self.assertNotIn("SECRET", out.stdout + out.stderr)
            res = json.loads(out.stdout)
            self.assertEqual((res["status"], res["rows"]), ("ok", 50), out.stdout)
        con = sqlite3.connect(dbp)
        try:
            msgs = " ".join(m or "" for (m,) in con.execute("SELECT message FROM imports"))
            self.assertNotIn("SECRET", msgs)
            self.assertEqual(con.execute("SELECT count(*) FROM cases WHERE case_no LIKE "
                                         "'%9000%'").fetchone(), (0,))
            hashes = [h for (h,) in con.execute("SELECT content_hash FROM imports ORDER BY id")]
        finally:
            con.close()
        with open(os.path.join(self.dir, "drop1.csv.orig"), "rb") as f:
            self.assertEqual(hashes[-1], hashlib.sha256(f.read()).hexdigest())
        with open(dbp, "rb") as f:
            self.assertNotIn(b"SECRET", f.read())

    def test_drop_folder_never_reads_a_file_swapped_after_it_was_opened(self):
        os.makedirs(self.data("inbox"))
        secret = os.path.join(self.dir, "secret.csv")
        with open(secret, "wb") as f:
            f.write(csv_bytes([["SECRET-ROW", "x"]], header=["SECRET-HEADER", "b"]))
        os.chmod(secret, 0o600)
        path = self.data("inbox", "q1.csv")
        write_csv(path, cases(1, 5))
        d = self.start(self.config(), env=self.hooked(path, secret, True))
        d.notify.wait_for("READY=1")
        self.wait_for(lambda: self.db("SELECT count(*) FROM imports WHERE status != 'running'")
                      != [(0,)], what="an import finished")
        time.sleep(1)
        self.assertEqual(d.stop(), 0)
        self.assertTrue(os.path.islink(path), "the hook did not swap")
        self.assertNotIn("SECRET", d.log_text())
        # (the hook renamed the real file to q1.csv.orig in the inbox: a duplicate)
        self.assertEqual(self.db("SELECT status, rows_total FROM imports WHERE origin = 'q1.csv'"),
                         [("ok", 5)])
        with open(self.data("litwatch.db"), "rb") as f:
            self.assertNotIn(b"SECRET", f.read())

    # ---- item 7: the report of a partly imported file survives a retry ----

    def test_partial_file_retried_after_a_crash_keeps_its_report(self):
        """The import committed but the daemon died before the file moved
        (here: `litwatch import` into the same warehouse stands for the
        committed import); the retry is a duplicate and must still carry the
        clerk's report, rebuilt from the rows rejected the first time."""
        os.makedirs(self.data("inbox"))
        rows = cases(10, 2) + [["不是案号", "市公安局", "2024-03-01", "", ""],
                               ["(2024)鄂9004行初12号", "市公安局", "2024-13-01", "", ""]]
        body = csv_bytes(rows)
        first = os.path.join(self.dir, "first.csv")
        with open(first, "wb") as f:
            f.write(body)
        out = self.imp(first, db=self.data("litwatch.db"))
        self.assertEqual(json.loads(out.stdout)["status"], "partial", out)
        with open(self.data("inbox", ".m.tmp"), "wb") as f:
            f.write(body)
        os.replace(self.data("inbox", ".m.tmp"), self.data("inbox", "mixed.csv"))
        d = self.start(self.config())
        d.notify.wait_for("READY=1")
        self.wait_for(lambda: self.archived("mixed.csv"), what="retry archived")
        self.wait_for(lambda: self.archived("mixed.csv.error.txt"), timeout=5,
                      what="the retry's report")
        rep = self.archived("mixed.csv.error.txt")
        self.assertEqual(len(rep), 1, "the retry was archived without the clerk's report")
        with open(rep[0], encoding="utf-8-sig") as f:
            text = f.read()
        self.assertIn("第 4 行，A 案号 列", text)
        self.assertIn("row 5, column C 立案日期", text)
        self.assertIn("2024-13-01", text)
        self.assertEqual(self.db("SELECT status FROM imports ORDER BY id"),
                         [("partial",), ("duplicate",)])
        self.assertEqual(self.db("SELECT count(*) FROM cases"), [(2,)])
        self.assertEqual(d.stop(), 0)

    # ---- item 8: a slow writer loses no rows ----

    def test_slow_writer_pausing_past_the_open_grace_loses_no_rows(self):
        """A writer keeps the file open and pauses 32 s (longer than the 30 s
        after which an open file is taken), then writes more rows and
        closes.  Before: the first rows were imported, the file archived
        while still open, the later rows landed in the archived file and
        were never imported."""
        os.makedirs(self.data("inbox"))
        d = self.start(self.config())
        d.notify.wait_for("READY=1")
        # The folder's watch must be in place before the writer opens its
        # file (the daemon learns "still open" only from its create event):
        # a first file that arrives and moves proves it.
        write_csv(self.data("inbox", "probe.csv"), cases(100, 1))
        self.wait_for(lambda: self.archived("probe.csv"), what="probe.csv archived")
        path = self.data("inbox", "slow.csv")
        f = open(path, "wb")
        try:
            lines = csv_bytes(cases(1, 3))
            f.write(lines)
            f.flush()
            time.sleep(32.5)
            f.write(csv_bytes(cases(4, 3))[len(csv_bytes([])):])  # rows only, no header
            f.flush()
        finally:
            f.close()
        try:
            self.wait_for(lambda: self.db("SELECT count(*) FROM cases") == [(7,)], timeout=20,
                          what="all six rows imported")
        except AssertionError:
            raise AssertionError("got %r of 7 cases (6 + the probe); log:\n%s"
                                 % (self.db("SELECT count(*) FROM cases"), d.log_text()))
        self.wait_for(lambda: self.archived("slow.csv"), what="slow.csv archived")
        self.assertFalse(os.path.exists(path))
        self.assertEqual(d.stop(), 0)

    # ---- minor: an unreadable file is logged once ----

    def test_unreadable_file_is_logged_once_not_every_retry(self):
        os.makedirs(self.data("inbox"))
        write_csv(self.data("inbox", "locked.csv"), cases(1, 1))
        os.chmod(self.data("inbox", "locked.csv"), 0)
        # root reads everything: drop the capabilities that let it.
        wrapper = os.path.join(self.dir, "litwatchd-nocap")
        with open(wrapper, "w") as f:
            f.write("#!/bin/sh\nexec setpriv --bounding-set=-dac_override,-dac_read_search "
                    "--inh-caps=-dac_override,-dac_read_search %s \"$@\"\n"
                    % os.path.join(BIN, "litwatchd"))
        os.chmod(wrapper, 0o755)
        d = self.start(self.config(), binary=wrapper)
        d.notify.wait_for("READY=1")
        d.wait_log("locked.csv")
        time.sleep(23)  # two retries at 10 s
        n = len([l for l in d.log_text().splitlines() if "locked.csv" in l])
        self.assertEqual(n, 1, d.log_text())
        # It changes (the clerk fixes the permission): logged again only if
        # it still fails; here it imports.
        os.chmod(self.data("inbox", "locked.csv"), 0o644)
        self.wait_for(lambda: self.archived("locked.csv"), timeout=20, what="imported once readable")
        self.assertEqual(d.stop(), 0)

    # ---- minor: GBK names are stored as UTF-8 ----

    def test_gbk_file_and_folder_names_are_stored_as_utf8(self):
        inbox = self.data("inbox").encode()
        agency = "市公安局".encode("gbk")
        os.makedirs(os.path.join(inbox, agency))
        write_csv(os.path.join(inbox, agency, "一季度报表.csv".encode("gbk")), cases(1, 1, agency=""))
        d = self.start(self.config())
        d.notify.wait_for("READY=1")
        self.wait_for(lambda: self.db("SELECT count(*) FROM imports") == [(1,)], what="imported")
        (origin,), = self.db("SELECT origin FROM imports", blob=True)
        self.assertEqual(origin.decode("utf-8", "replace"), "市公安局/一季度报表.csv")
        names = [n for (n,) in self.db("SELECT name FROM agencies", blob=True)]
        self.assertIn("市公安局".encode(), names)
        self.assertEqual(d.stop(), 0)


class HotlineDownload(DaemonTestCase):

    def test_download_never_writes_through_links_planted_in_the_inbox(self):
        """A clerk who can write into the hotline inbox plants, for every
        second of the next 20 s, the temporary and the final download names
        as symbolic links to a file of the daemon's (to be overwritten) and
        to a 0666 file of the clerk's (to receive the clear export).  Both
        stay untouched, the downloads are still imported, and no file with
        the clear export is readable by anyone but the daemon."""
        from httpserver import TestServer
        header = ["工单编号", "来电时间", "诉求类型", "承办单位", "工单状态", "来电号码", "来电人"]
        body = ("\ufeff" + ",".join(header) +
                "\r\nGD1,2024-05-06 09:30,投诉,市城管局,办理中,13812345678,李四\r\n").encode()
        srv = TestServer(tls=False, smtp=False)
        srv.start()
        try:
            srv.route("/export.csv", status=200, body=body, headers={"Content-Type": "text/csv"})
            key = os.path.join(self.dir, "pii.key")
            with open(key, "wb") as f:
                f.write(os.urandom(32))
            os.chmod(key, 0o600)
            inbox = os.path.join(self.dir, "data", "hotline", "inbox")
            os.makedirs(inbox)
            victim = os.path.join(self.dir, "victim.conf")  # the daemon's own file
            with open(victim, "w") as f:
                f.write("ORIGINAL\n")
            drop = os.path.join(self.dir, "clerk-drop.txt")  # the clerk's, world-writable
            open(drop, "w").close()
            os.chmod(drop, 0o666)
            now = time.time()
            for t in range(int(now) - 2, int(now) + 25):
                stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(t))
                os.symlink(victim, os.path.join(inbox, ".download-%s.csv.part" % stamp))
                os.symlink(drop, os.path.join(inbox, "download-%s.csv" % stamp))
            cfg = self.write_config({
                "data_dir": "data", "pii_key_file": key, "profile_dir": PROFILES,
                "sources": [{"name": "h12345", "plugin": "hotline", "settle": "100ms",
                             "url": srv.url("/export.csv"), "interval": "2s"}]})
            d = self.start(cfg)
            d.notify.wait_for("READY=1")
            dbp = os.path.join(self.dir, "data", "litwatch.db")

            def imports():
                try:
                    con = sqlite3.connect(dbp)
                    try:
                        return con.execute("SELECT count(*) FROM imports").fetchone()[0]
                    finally:
                        con.close()
                except sqlite3.OperationalError:
                    return 0
            t0 = time.monotonic()
            while imports() < 3 and time.monotonic() - t0 < 30:
                time.sleep(0.1)
            self.assertEqual(d.stop(), 0)
            with open(victim) as f:
                self.assertEqual(f.read(), "ORIGINAL\n")
            with open(drop, "rb") as f:
                self.assertEqual(f.read(), b"")
            self.assertGreaterEqual(imports(), 3, d.log_text())
            for p in glob.glob(os.path.join(self.dir, "data", "**"), recursive=True):
                if os.path.islink(p) or not os.path.isfile(p):
                    continue
                with open(p, "rb") as f:
                    if b"13812345678" in f.read():
                        mode = stat.S_IMODE(os.stat(p).st_mode)
                        self.assertEqual(mode & 0o077, 0, "%s is mode %o" % (p, mode))
        finally:
            srv.stop()


if __name__ == "__main__":
    unittest.main()
