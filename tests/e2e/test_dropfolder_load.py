"""End to end: drop folders under load and hostile files, on the real daemon
(issue 5, "Load and hostile files" and "Visibility").

Defaults are reduced so that the suite stays quick on 2 cores and under
ASan; set LW_LOAD_FILES (default 10000), LW_LOAD_BIG_MB (default 30) to
change the sizes."""

import glob
import json
import os
import shutil
import sqlite3
import subprocess
import time
import unittest
import zipfile

from lwtest import BIN, SOURCE_DIR, DaemonTestCase, free_port

HEADER = "案号,被告,立案日期,结案日期,裁判结果\r\n"
NFILES = int(os.environ.get("LW_LOAD_FILES", "10000"))
BIG_MB = int(os.environ.get("LW_LOAD_BIG_MB", "30"))


def csv_bytes(first, n, agency="市自然资源局"):
    rows = "".join("(2024)鄂9004行初%d号,%s,2024-03-01,,\r\n" % (i, agency)
                   for i in range(first, first + n))
    return ("\ufeff" + HEADER + rows).encode("utf-8")


def drop(path, data):
    """Write under a hidden name, then rename into place (what copy tools do)."""
    tmp = os.path.join(os.path.dirname(path), ".drop-" + str(os.getpid()) + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def big_csv(path, first, mb):
    """A CSV of about mb MiB with unique case numbers from first; returns rows."""
    row = "(2024)鄂9004行初%d号,市公安局,2024-03-01,2024-04-01,驳回诉讼请求\r\n"
    per = len((row % (first + 10 ** 6)).encode("utf-8"))
    n = mb * (1 << 20) // per
    tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".tmp")
    with open(tmp, "wb") as f:
        f.write(("\ufeff" + HEADER).encode("utf-8"))
        step = 20000
        for k in range(first, first + n, step):
            f.write("".join(row % i for i in range(k, min(k + step, first + n))).encode("utf-8"))
    os.replace(tmp, path)
    return n


def proc_status(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmHWM", "VmRSS"):
                out[k] = int(v.split()[0]) // 1024  # MiB
    return out


def under_asan(pid):
    with open("/proc/%d/maps" % pid) as f:
        return "libasan" in f.read()


def can_mount():
    d = "/tmp/lw-mount-probe-%d" % os.getpid()
    os.makedirs(d, exist_ok=True)
    try:
        ok = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", d],
                            capture_output=True).returncode == 0
        if ok:
            subprocess.run(["umount", d])
        return ok
    except OSError:
        return False
    finally:
        os.rmdir(d)


class Load(DaemonTestCase):

    def setUp(self):
        super().setUp()
        self.mounts = []

    def tearDown(self):
        for d in self.daemons:
            d.kill()
        for m in reversed(self.mounts):
            subprocess.run(["umount", "-l", m])
        super().tearDown()

    def mount_tmpfs(self, path, opts):
        os.makedirs(path, exist_ok=True)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", path],
                           capture_output=True, text=True)
        if r.returncode != 0:
            return False
        self.mounts.append(path)
        return True

    def source(self, name, **kw):
        s = {"name": name, "plugin": "spreadsheet", "inbox": "in-" + name,
             "archive": "archive-" + name, "rejected": "rejected-" + name, "settle": "100ms",
             "agency_from_folder": True}
        s.update(kw)
        os.makedirs(self.path(s["inbox"]), exist_ok=True)
        return s

    def config(self, sources, data_dir="data"):
        self.port = free_port()
        self.cfg = self.write_config({
            "data_dir": data_dir, "http": {"listen": "127.0.0.1:%d" % self.port},
            "profile_dir": os.path.join(SOURCE_DIR, "conf/profiles"), "sources": sources})
        return self.cfg

    def path(self, *p):
        return os.path.join(self.dir, "data", *p)

    def db(self, sql, args=()):
        con = sqlite3.connect(os.path.join(self.dbdir, "litwatch.db"), timeout=30)
        try:
            return con.execute(sql, args).fetchall()
        finally:
            con.close()

    def run_daemon(self, sources, data_dir=None):
        self.dbdir = data_dir or self.path()
        d = self.start(self.config(sources, data_dir or "data"))
        d.notify.wait_for("READY=1", timeout=30)
        return d

    def status(self, table=False):
        out = subprocess.run([os.path.join(BIN, "litwatch"), "status", "--config", self.cfg] +
                             ([] if table else ["--json"]),
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        return out.stdout if table else json.loads(out.stdout)

    def wait_for(self, cond, timeout=30.0, what="condition", d=None):
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if cond():
                return time.monotonic() - t0
            if d is not None and d.proc.poll() is not None:
                raise AssertionError("daemon exited (%s) waiting for %s; log:\n%s" %
                                     (d.proc.returncode, what, d.log_text()[-4000:]))
            time.sleep(0.05)
        raise AssertionError("timed out after %.0fs waiting for %s%s" % (
            timeout, what, "; log tail:\n" + d.log_text()[-3000:] if d else ""))

    def files(self, root):
        return [os.path.join(dp, f) for dp, _, fs in os.walk(root) for f in fs]

    # ---- 1 ----
    def test_10000_small_files_imported_once_with_bounded_memory_and_fds(self):
        src = self.source("agencies")
        d = self.run_daemon([src])
        pid = d.proc.pid
        asan = under_asan(pid)
        time.sleep(0.3)
        base_fds = len(os.listdir("/proc/%d/fd" % pid))
        base_rss = proc_status(pid)["VmRSS"]
        # Staged outside the inbox, then each agency folder renamed in at once.
        stage = os.path.join(self.dir, "stage")
        nag = 20
        for a in range(nag):
            os.makedirs(os.path.join(stage, "局%02d" % a))
        for i in range(NFILES):
            a = i % nag
            with open(os.path.join(stage, "局%02d" % a, "r%05d.csv" % i), "wb") as f:
                f.write(csv_bytes(100000 + i, 1, agency=""))
        t0 = time.monotonic()
        for a in range(nag):
            os.rename(os.path.join(stage, "局%02d" % a), self.path("in-agencies", "局%02d" % a))

        peak_fds, queues, last_poll = 0, [], 0.0
        inbox = self.path("in-agencies")

        def drained():
            nonlocal peak_fds, last_poll
            peak_fds = max(peak_fds, len(os.listdir("/proc/%d/fd" % pid)))
            if time.monotonic() - last_poll > 1.0:
                last_poll = time.monotonic()
                queues.append(self.status()["sources"][0]["queue"])
            # Receipts (inbox/<agency>/回执/) stay: they are for the clerks.
            return not any(fs for dp, _, fs in os.walk(inbox)
                           if os.path.basename(dp) != "回执")
        self.wait_for(drained, timeout=120 + NFILES * (0.05 if asan else 0.01),
                      what="inbox drained", d=d)
        took = time.monotonic() - t0
        mem = proc_status(pid)
        queues.append(self.status()["sources"][0]["queue"])
        print("\n%d files in %.1fs (%.0f files/s); VmHWM %d MiB (RSS at start %d MiB); "
              "fds %d at start, %d at most; queue samples %s" %
              (NFILES, took, NFILES / took, mem["VmHWM"], base_rss, base_fds, peak_fds,
               queues[:3] + ["..."] + queues[-3:]))
        self.assertEqual(self.db("SELECT count(*), count(DISTINCT origin) FROM imports "
                                 "WHERE status = 'ok'"), [(NFILES, NFILES)])
        self.assertEqual(self.db("SELECT count(*) FROM imports WHERE status <> 'ok'"), [(0,)])
        self.assertEqual(self.db("SELECT count(*) FROM cases"), [(NFILES,)])
        self.assertEqual(len(self.files(self.path("archive-agencies"))), NFILES)
        # The queue was visible in `litwatch status` and drained to zero.
        self.assertGreater(max(queues), 0, queues)
        self.assertEqual(queues[-1], 0, queues)
        # Bounded: a handful of fds above idle (a scan's directory, files
        # being hashed/read/moved; max_outstanding 4), memory that does not
        # grow with the number of files (a path per waiting file only).
        self.assertLessEqual(peak_fds, base_fds + 24, "fds: idle %d, peak %d" % (base_fds, peak_fds))
        bound = base_rss + (300 if asan else 60)
        self.assertLessEqual(mem["VmHWM"], bound, "VmHWM %d MiB, expected <= %d" % (mem["VmHWM"], bound))
        self.assertEqual(d.stop(), 0)

    # ---- 2 ----
    def test_big_import_does_not_starve_another_source(self):
        big, small = self.source("big"), self.source("small")
        d = self.run_daemon([big, small])
        # One big file and more behind it in the same source: the import
        # queue holds up to max_outstanding (4) of them at once.
        stage = os.path.join(self.dir, "stage")
        os.makedirs(stage)
        first = 10 ** 6
        for k, mb in enumerate((BIG_MB, max(1, BIG_MB // 3), max(1, BIG_MB // 3),
                                max(1, BIG_MB // 3))):
            first += big_csv(os.path.join(stage, "big%d.csv" % k), first, mb) + 1
        for k in range(4):
            os.rename(os.path.join(stage, "big%d.csv" % k), self.path("in-big", "big%d.csv" % k))
        # An import's row commits with its rows, so "running" is seen through
        # `litwatch status`: all four files handed out (one importing, three
        # queued behind it) and none finished yet.
        st = lambda: {s["name"]: s for s in self.status()["sources"]}["big"]
        self.wait_for(lambda: st()["queue"] == 4, what="the big source's files all queued", d=d)
        done_before = self.db("SELECT count(*) FROM imports WHERE source = 'big'")[0][0]
        t0 = time.monotonic()
        drop(self.path("in-small", "urgent.csv"), csv_bytes(1, 3))
        self.wait_for(lambda: self.db("SELECT count(*) FROM imports WHERE source = 'small' "
                                      "AND status = 'ok'") == [(1,)],
                      timeout=600, what="the small file imported", d=d)
        latency = time.monotonic() - t0
        sid = self.db("SELECT id FROM imports WHERE source = 'small'")[0][0]
        ahead = self.db("SELECT origin, (julianday(finished_at) - julianday(started_at)) * 86400 "
                        "FROM imports WHERE source = 'big' AND id < ? ORDER BY id", (sid,))
        print("\nsmall file imported %.2fs after its drop; big imports done at the drop: %d; "
              "big imports that ran before it (s): %s" % (latency, done_before, ahead))
        # Only the import already running at the drop may go first; no
        # queued file of the big source goes ahead of the small one.
        self.assertLessEqual(len(ahead), done_before + 1,
                             "imports of `big` that went ahead of the small file: %s" % ahead)
        self.wait_for(lambda: not glob.glob(self.path("in-big", "*.csv")), timeout=600,
                      what="big files imported", d=d)
        self.assertEqual(self.db("SELECT status, count(*) FROM imports GROUP BY status"),
                         [("ok", 5)])
        self.assertEqual(d.stop(), 0)

    # ---- 3 ----
    def test_names_with_spaces_chinese_quotes_and_newlines(self):
        src = self.source("names")
        d = self.run_daemon([src])
        names = ["two words.csv", "市公安局 2024年 第一季度.csv", "it's.csv", 'say "hi".csv',
                 "line\nbreak.csv", "tab\there & $HOME;`x`.csv"]
        for k, n in enumerate(names):
            drop(self.path("in-names", n), csv_bytes(500 + 10 * k, 2))
        bad = 'bad "引号"\n\'x\'.csv'
        drop(self.path("in-names", bad), "序号,备注\r\n1,x\r\n".encode("utf-8"))
        rej = self.path("rejected-names", bad)
        # Receipts are written just after each move: wait for the last of them too.
        self.wait_for(lambda: os.path.exists(rej) and os.path.exists(rej + ".error.txt") and
                      len(glob.glob(self.path("archive-names", "*", "*"))) == len(names) and
                      os.path.isdir(self.path("in-names", "回执")) and
                      len(os.listdir(self.path("in-names", "回执"))) == len(names) + 1,
                      what="all names archived or rejected, with their receipts", d=d)
        for n in names:
            self.assertEqual(len(glob.glob(self.path("archive-names", "*", glob.escape(n)))), 1, n)
        origins = sorted(r[0] for r in self.db("SELECT origin FROM imports WHERE status = 'ok'"))
        self.assertEqual(origins, sorted(names))
        with open(rej + ".error.txt", encoding="utf-8-sig") as f:
            self.assertIn("缺少必填列「案号」", f.read())
        self.assertEqual(self.db("SELECT count(*) FROM cases"), [(2 * len(names),)])
        # Only the receipts folder is left (a receipt per file, docs/drop-folders.md).
        self.assertEqual(os.listdir(self.path("in-names")), ["回执"])
        self.assertEqual(d.stop(), 0)

    # ---- 4 ----
    def test_file_that_cannot_be_moved_is_reported_once_not_reimported(self):
        src = self.source("ro")
        os.makedirs(self.path("archive-ro"))
        if not self.mount_tmpfs(self.path("archive-ro"), "size=1m,ro"):
            print("\nSKIPPED ASSERTION: cannot mount a read-only tmpfs (not root?)")
            self.skipTest("mounting needs root")
        d = self.run_daemon([src])
        drop(self.path("in-ro", "stuck.csv"), csv_bytes(1, 2))
        self.wait_for(lambda: "stuck.csv stays in the inbox" in d.log_text(),
                      what="the move failure logged", d=d)
        # Other events and rescans do not take it again: new files in the
        # same folder, a reload (SIGHUP: the source is unchanged), time.
        for k in range(3):
            drop(self.path("in-ro", "other%d.csv" % k), csv_bytes(100 + k * 10, 1))
            time.sleep(0.7)
        d.signal(1)
        d.notify.wait_for("READY=1", timeout=30)
        time.sleep(1.5)
        rows = self.db("SELECT status FROM imports WHERE origin = 'stuck.csv'")
        log = d.log_text()
        print("\nimports of stuck.csv: %s; 'cannot move to' lines for it: %d" %
              (rows, log.count("stuck.csv stays in the inbox")))
        self.assertEqual(rows, [("ok",)])
        self.assertEqual(log.count("stuck.csv stays in the inbox"), 1, log)
        self.assertIn("Read-only file system", log)
        self.assertTrue(os.path.exists(self.path("in-ro", "stuck.csv")))
        st = self.status()["sources"][0]
        self.assertIn("stays in the inbox", st["last_error"])
        self.assertIsNotNone(st["last_error_at"])
        self.assertEqual(d.stop(), 0)

    # ---- 5 ----
    def test_full_disk_stops_imports_loses_nothing_and_resumes(self):
        dd = os.path.join(self.dir, "smalldisk")
        if not self.mount_tmpfs(dd, "size=64m"):
            self.skipTest("cannot mount a tmpfs (not root?)")
        src = self.source("full", inbox=self.path("in-full"), archive=self.path("archive-full"),
                          rejected=self.path("rejected-full"))
        d = self.run_daemon([src], data_dir=dd)
        # Fill what is left of the warehouse's file system.
        filler = os.path.join(dd, "filler")
        with open(filler, "wb") as f:
            try:
                while True:
                    f.write(b"\0" * 65536)
                    f.flush()
            except OSError:
                pass
        nfiles, per = 6, 3000
        for k in range(nfiles):
            drop(self.path("in-full", "f%d.csv" % k), csv_bytes(10000 + k * per, per))
        self.wait_for(lambda: "full" in d.log_text() and "kept in the inbox" in d.log_text(),
                      what="a disk-full log line", d=d)
        time.sleep(1)
        line = [l for l in d.log_text().splitlines() if "kept in the inbox" in l][0]
        print("\nlog: " + line)
        self.assertEqual(len(glob.glob(self.path("in-full", "*.csv"))), nfiles - len(
            glob.glob(self.path("archive-full", "*", "*.csv"))))
        self.assertEqual(self.status()["sources"][0]["last_error"] is not None, True)
        os.unlink(filler)
        t0 = time.monotonic()
        self.wait_for(lambda: len(glob.glob(self.path("archive-full", "*", "*.csv"))) == nfiles,
                      timeout=90, what="all files landed after space was freed", d=d)
        print("all landed %.1fs after space was freed" % (time.monotonic() - t0))
        self.assertEqual(self.db("SELECT count(*) FROM cases"), [(nfiles * per,)])
        self.assertEqual(self.db("SELECT origin, count(*) FROM imports WHERE status = 'ok' "
                                 "GROUP BY origin HAVING count(*) <> 1"), [])
        self.assertEqual(self.db("SELECT count(DISTINCT origin) FROM imports WHERE status = 'ok'"),
                         [(nfiles,)])
        self.assertEqual(self.db("PRAGMA integrity_check"), [("ok",)])
        self.assertEqual(d.stop(), 0)

    # ---- 6 ----
    def test_status_shows_state_waiting_last_import_and_last_error(self):
        good, bad = self.source("good"), self.source("bad")
        d = self.run_daemon([good, bad])
        drop(self.path("in-good", "ok.csv"), csv_bytes(1, 2))
        secret = os.path.join(self.dir, "secret.csv")
        drop(secret, csv_bytes(50, 1))
        os.symlink(secret, self.path("in-bad", "link.csv"))
        self.wait_for(lambda: glob.glob(self.path("archive-good", "*", "ok.csv")) and
                      "symbolic link" in d.log_text(), what="import and refusal", d=d)
        time.sleep(0.3)
        st = {s["name"]: s for s in self.status()["sources"]}
        self.assertEqual(st["good"]["state"], "idle")
        self.assertEqual(st["good"]["queue"], 0)
        self.assertIsNotNone(st["good"]["last_import"])
        self.assertIsNone(st["good"]["last_error"])
        self.assertIsNone(st["bad"]["last_import"])
        self.assertIn("symbolic link refused", st["bad"]["last_error"])
        self.assertIsNotNone(st["bad"]["last_error_at"])
        table = self.status(table=True)
        print("\n" + table)
        for col in ("SOURCE", "STATE", "QUEUE", "LAST IMPORT", "LAST ERROR"):
            self.assertIn(col, table)
        rows = {l.split()[0]: l for l in table.splitlines() if l.startswith(("good ", "bad "))}
        self.assertIn("idle", rows["good"])
        self.assertIn(st["good"]["last_import"], rows["good"])
        self.assertIn("symbolic link refused", rows["bad"])
        self.assertEqual(d.stop(), 0)

    # ---- 7 ----
    def test_hostile_spreadsheets_rejected_with_a_report_daemon_keeps_going(self):
        src = self.source("hostile")
        d = self.run_daemon([src])
        hostile = {}
        # Zip bomb: a 200 MB sheet of zeros compresses to ~200 KB.
        zb = os.path.join(self.dir, "bomb.xlsx")
        with zipfile.ZipFile(zb, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
            with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as m:
                chunk = b"0" * (1 << 20)
                for _ in range(200):
                    m.write(chunk)
        with open(zb, "rb") as f:
            hostile["zipbomb.xlsx"] = f.read()
        # XML entity bomb ("billion laughs") in the shared strings and sheet.
        laughs = '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "ha">' + "".join(
            '<!ENTITY %s "%s">' % (chr(98 + i), ("&%s;" % chr(97 + i)) * 10) for i in range(9)) + \
            ']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' \
            '<si><t>&j;</t></si></sst>'
        eb = os.path.join(self.dir, "ent.xlsx")
        with zipfile.ZipFile(eb, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
            z.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook xmlns="http://schemas.'
                       'openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.'
                       'openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet '
                       'name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
            z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns='
                       '"http://schemas.openxmlformats.org/package/2006/relationships"><Relation'
                       'ship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
                       '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
                       '</Relationships>')
            z.writestr("xl/sharedStrings.xml", laughs)
            z.writestr("xl/worksheets/sheet1.xml", laughs.replace("sst", "worksheet"))
        with open(eb, "rb") as f:
            hostile["entities.xlsx"] = f.read()
        # Password-protected workbook: an OLE2 container with EncryptionInfo.
        hostile["encrypted.xlsx"] = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 +
                                     "EncryptionInfo".encode("utf-16-le") + os.urandom(4096))
        hostile["empty.xlsx"] = b""
        hostile["garbage.xlsx"] = os.urandom(50000)
        hostile["truncated.xlsx"] = hostile["entities.xlsx"][:300]
        t0 = time.monotonic()
        for n, data in hostile.items():
            drop(self.path("in-hostile", n), data)
        drop(self.path("in-hostile", "good.csv"), csv_bytes(1, 5))
        self.wait_for(lambda: all(os.path.exists(self.path("rejected-hostile", n + ".error.txt"))
                                  for n in hostile), timeout=60, what="all hostile files rejected",
                      d=d)
        self.wait_for(lambda: glob.glob(self.path("archive-hostile", "*", "good.csv")),
                      what="the good file archived", d=d)
        print("\nall rejected within %.1fs" % (time.monotonic() - t0))
        for n in hostile:
            with open(self.path("rejected-hostile", n + ".error.txt"), encoding="utf-8-sig") as f:
                text = f.read()
            print("%s: %s" % (n, " | ".join(text.splitlines()[4:6])[:200]))
            self.assertIn("未导入", text)
            self.assertGreater(len(text.splitlines()), 4, text)  # a reason, not just the header
        self.assertIsNone(d.proc.poll())
        # Still importing after all that.
        drop(self.path("in-hostile", "after.csv"), csv_bytes(100, 2))
        self.wait_for(lambda: glob.glob(self.path("archive-hostile", "*", "after.csv")),
                      what="a file after the hostile ones", d=d)
        self.assertEqual(self.db("SELECT count(*) FROM cases"), [(7,)])
        self.assertEqual(self.db("SELECT count(*) FROM imports WHERE status = 'rejected'"),
                         [(len(hostile),)])
        self.assertEqual(d.stop(), 0)


if __name__ == "__main__":
    unittest.main()
