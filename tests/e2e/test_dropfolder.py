"""End to end: the spreadsheet and hotline plugins on the real daemon —
the drop-folder protocol an agency clerk sees (design.md §4), and crash
safety under SIGKILL."""

import csv
import glob
import json
import os
import random
import signal
import sqlite3
import subprocess
import time
import unittest

from lwtest import BIN, SOURCE_DIR, DaemonTestCase, free_port, http_get

HEADER = ["案号", "被告", "立案日期", "结案日期", "裁判结果"]


def write_csv(path, rows, header=HEADER, encoding="utf-8-sig"):
    tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".tmp")
    with open(tmp, "w", encoding=encoding, newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(header)
        w.writerows(rows)
    os.replace(tmp, path)  # complete at once, as a copy into a share does


def cases(first, n, agency="市自然资源局"):
    return [["(2024)鄂9004行初%d号" % i, agency, "2024-03-01", "", ""] for i in range(first, first + n)]


class DropFolder(DaemonTestCase):

    def config(self, port, **src):
        s = {"name": "reports", "plugin": "spreadsheet", "inbox": "inbox", "archive": "archive",
             "rejected": "rejected", "settle": "200ms"}
        s.update(src)
        return self.write_config({"data_dir": "data", "http": {"listen": "127.0.0.1:%d" % port},
                                  "profile_dir": os.path.join(SOURCE_DIR, "conf/profiles"),
                                  "sources": [s]})

    def data(self, *p):
        return os.path.join(self.dir, "data", *p)

    def db(self, sql):
        con = sqlite3.connect(self.data("litwatch.db"))
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

    def test_clerk_protocol_import_archive_reject_partial_duplicate(self):
        port = free_port()
        os.makedirs(self.data("inbox", "市交通运输局"))
        # A file already there at start, in an agency subfolder.
        write_csv(self.data("inbox", "市交通运输局", "q1.csv"), cases(1, 3, agency=""))
        d = self.start(self.config(port))
        d.notify.wait_for("READY=1")
        self.wait_for(lambda: self.archived("q1.csv"), what="q1.csv archived")
        self.assertEqual(self.db("SELECT count(*) FROM cases"), [(3,)])
        # The drop folder named the agency (the defendant column was empty).
        self.assertEqual(self.db("SELECT DISTINCT a.name FROM case_defendants d "
                                 "JOIN agencies a ON a.id = d.agency_id"), [("市交通运输局",)])
        self.assertTrue(os.path.isdir(self.data("inbox", "市交通运输局")))  # folder kept

        # Ignored names are left alone.
        for n in (".hidden.csv", "~$q2.xlsx", "x.tmp", "y.part", "z.crdownload"):
            with open(self.data("inbox", n), "w") as f:
                f.write("junk")

        # A file with bad rows: the good ones land, the report lists the bad.
        write_csv(self.data("inbox", "mixed 报表.csv"),
                  cases(10, 2) + [["不是案号", "市公安局", "2024-03-01", "", ""],
                                  ["(2024)鄂9004行初12号", "市公安局", "2024-13-01", "", ""]])
        self.wait_for(lambda: self.archived("mixed 报表.csv"), what="partial file archived")
        # The report is renamed into place just after the file is moved.
        self.wait_for(lambda: self.archived("mixed 报表.csv.error.txt"), timeout=5,
                      what="the partial file's report")
        rep = self.archived("mixed 报表.csv.error.txt")
        self.assertEqual(len(rep), 1)
        with open(rep[0], "rb") as f:
            text = f.read()
        self.assertTrue(text.startswith(b"\xef\xbb\xbf"))  # BOM for Notepad
        self.assertIn(b"\r\n", text)
        text = text.decode("utf-8-sig")
        self.assertIn("第 4 行，A 案号 列", text)
        self.assertIn("row 5, column C 立案日期", text)
        self.assertEqual(self.db("SELECT count(*) FROM cases"), [(5,)])

        # A file without the required column is rejected as a whole.
        write_csv(self.data("inbox", "wrong.csv"), [["1", "x"]], header=["序号", "备注"])
        self.wait_for(lambda: os.path.exists(self.data("rejected", "wrong.csv")) and
                      os.path.exists(self.data("rejected", "wrong.csv.error.txt")),
                      what="wrong.csv rejected with its report")
        with open(self.data("rejected", "wrong.csv.error.txt"), encoding="utf-8-sig") as f:
            text = f.read()
        self.assertIn("缺少必填列「案号」", text)
        self.assertIn("headers found: 序号, 备注", text)

        # The same bytes again, anywhere in the inbox: nothing imported
        # twice, archived (the content hash is looked up first).
        write_csv(self.data("inbox", "again.csv"), cases(1, 3, agency=""))
        os.makedirs(self.data("inbox", "市交通运输局", "sub"), exist_ok=True)
        write_csv(self.data("inbox", "市交通运输局", "q1-copy.csv"), cases(1, 3, agency=""))
        self.wait_for(lambda: self.archived("q1-copy.csv"), what="duplicate archived")
        self.wait_for(lambda: self.archived("again.csv"), what="duplicate archived")
        self.assertEqual(self.db("SELECT count(*) FROM imports WHERE status = 'duplicate'"), [(2,)])
        self.assertEqual(self.db("SELECT count(*) FROM cases"), [(5,)])

        for n in (".hidden.csv", "~$q2.xlsx", "x.tmp", "y.part", "z.crdownload"):
            self.assertTrue(os.path.exists(self.data("inbox", n)), n)
        st = json.loads(http_get(port, "/status")[1])["sources"][0]
        self.assertEqual(st["counters"]["files_rejected"], 1)  # wrong.csv
        self.assertGreaterEqual(st["counters"]["files_imported"], 3)
        self.assertIsNotNone(st["last_import"])
        self.assertIn("wrong.csv: rejected", st["last_reject"])
        # The table shows the rejections too, and the last one.
        table = subprocess.run([os.path.join(BIN, "litwatch"), "status", "--config", d.config],
                               capture_output=True, text=True, cwd=self.dir).stdout
        self.assertIn("REJ.FILE", table)
        row = [l for l in table.splitlines() if l.startswith("reports ")][0].split()
        self.assertEqual(row[6:8], ["1", "2"])  # 1 file rejected, 2 rows rejected (mixed 报表.csv)
        self.assertIn("reports: last rejection", table)
        self.assertIn("wrong.csv: rejected", table)
        self.assertEqual(d.stop(), 0)

    def test_every_file_gets_a_receipt_in_the_agency_folder_and_receipts_are_not_taken(self):
        port = free_port()
        agency = self.data("inbox", "市公安局")
        os.makedirs(agency)
        receipts = os.path.join(agency, "回执")
        d = self.start(self.config(port))
        d.notify.wait_for("READY=1")
        write_csv(os.path.join(agency, "ok.csv"), cases(1, 2, agency=""))
        write_csv(os.path.join(agency, "some bad.csv"),
                  cases(3, 1, agency="") + [["不是案号", "", "2024-03-01", "", ""]])
        write_csv(os.path.join(agency, "wrong.csv"), [["1", "x"]], header=["序号", "备注"])
        for name in ("ok.csv", "some bad.csv", "wrong.csv"):
            self.wait_for(lambda n=name: os.path.exists(os.path.join(receipts, n + ".回执.txt")),
                          what="receipt of " + name)
        texts = {}
        for name in ("ok.csv", "some bad.csv", "wrong.csv"):
            with open(os.path.join(receipts, name + ".回执.txt"), "rb") as f:
                raw = f.read()
            self.assertTrue(raw.startswith(b"\xef\xbb\xbf"))
            texts[name] = raw.decode("utf-8-sig")
            # One header block, no server path.
            self.assertEqual(texts[name].count("litwatch 导入报告"), 1)
            self.assertNotIn(self.dir, texts[name])
        self.assertIn("已全部导入", texts["ok.csv"])
        self.assertIn("部分导入", texts["some bad.csv"])
        self.assertIn("未导入", texts["wrong.csv"])
        # The same name again gets its own receipt, never over the first.
        write_csv(os.path.join(agency, "ok.csv"), cases(20, 1, agency=""))
        self.wait_for(lambda: os.path.exists(os.path.join(receipts, "ok.csv (2).回执.txt")),
                      what="second receipt")
        # A spreadsheet put into the receipts folder is not imported.
        write_csv(os.path.join(receipts, "stray.csv"), cases(30, 1, agency=""))
        time.sleep(1.5)
        self.assertTrue(os.path.exists(os.path.join(receipts, "stray.csv")))
        self.assertEqual(self.db("SELECT count(*) FROM cases WHERE case_no LIKE '%行初30号'"), [(0,)])
        # A receipts folder that is a planted link is never written through.
        other = self.data("inbox", "市交通运输局")
        os.makedirs(other)
        target = os.path.join(self.dir, "not-for-clerks")
        os.makedirs(target)
        os.symlink(target, os.path.join(other, "回执"))
        write_csv(os.path.join(other, "q.csv"), cases(40, 1, agency=""))
        self.wait_for(lambda: self.archived("q.csv"), what="q.csv archived")
        time.sleep(0.5)
        self.assertEqual(os.listdir(target), [])
        d.wait_log("receipt not written")

    def test_both_clerks_hear_when_their_files_disagree_on_a_defendant(self):
        port = free_port()
        gaj, cgj = self.data("inbox", "市公安局"), self.data("inbox", "市城管局")
        os.makedirs(gaj)
        os.makedirs(cgj)
        d = self.start(self.config(port, agency_from_folder=True))
        d.notify.wait_for("READY=1")
        # The same case, each agency's file leaving the defendant to its folder.
        write_csv(os.path.join(gaj, "gaj.csv"), cases(70, 1, agency=""))
        self.wait_for(lambda: self.archived("gaj.csv"), what="gaj.csv archived")
        write_csv(os.path.join(cgj, "cgj.csv"), cases(70, 2, agency=""))  # not the same bytes
        self.wait_for(lambda: self.archived("cgj.csv"), what="cgj.csv archived")
        note = os.path.join(gaj, "回执", "cgj.csv.通知.txt")
        self.wait_for(lambda: os.path.exists(note), what="the notice for the first clerk")
        with open(note, encoding="utf-8-sig") as f:
            text = f.read()
        self.assertIn("贵单位此前报送的案件 (2024)鄂9004行初70号（被告「市公安局」）", text)
        self.assertIn("「市城管局」", text)
        with open(os.path.join(cgj, "回执", "cgj.csv.回执.txt"), encoding="utf-8-sig") as f:
            self.assertIn("已记录为冲突", f.read())
        self.assertEqual(self.db("SELECT count(*) FROM conflicts WHERE field = 'principal'"),
                         [(1,)])

    def test_sigterm_during_an_import_rolls_it_back_and_exits_zero(self):
        """SIGTERM while a big file imports: the import rolls back, the file
        stays in the inbox, the daemon exits 0 promptly (the last source
        stopping inside the import's completion must not free the queue
        under its own feet), and the next start imports the file whole."""
        port = free_port()
        cfg = self.config(port, settle="50ms")
        os.makedirs(self.data("inbox"))
        write_csv(self.data("inbox", "big.csv"), cases(100000, 150000))
        d = self.start(cfg)
        d.notify.wait_for("READY=1")
        self.wait_for(lambda: json.loads(http_get(port, "/status")[1])["sources"][0]["state"]
                      == "busy", what="import running")
        t0 = time.monotonic()
        self.assertEqual(d.stop(), 0)
        self.assertLess(time.monotonic() - t0, 10)
        self.assertTrue(os.path.exists(self.data("inbox", "big.csv")))
        self.assertEqual(self.db("SELECT count(*) FROM cases"), [(0,)])
        d = self.start(cfg)
        d.notify.wait_for("READY=1")
        self.wait_for(lambda: self.archived("big.csv"), timeout=120, what="big.csv archived")
        self.assertEqual(self.db("SELECT count(*) FROM cases"), [(150000,)])
        self.assertEqual(d.stop(), 0)

    def test_reload_restarts_a_changed_drop_folder_and_it_keeps_importing(self):
        port = free_port()
        os.makedirs(self.data("inbox"))
        cfg = self.config(port)
        d = self.start(cfg)
        d.notify.wait_for("READY=1")
        write_csv(self.data("inbox", "a.csv"), cases(1, 5))
        self.wait_for(lambda: self.archived("a.csv"), what="a.csv archived")
        self.config(port, settle="100ms", poll="300ms")  # rewrites the same file
        d.signal(signal.SIGHUP)
        d.notify.wait_for("RELOADING=1")
        d.notify.wait_for("READY=1")
        d.wait_log("reports: settings changed: restarting")
        write_csv(self.data("inbox", "b.csv"), cases(100, 5))
        self.wait_for(lambda: self.archived("b.csv"), what="b.csv archived after the reload")
        self.assertEqual(self.db("SELECT count(*) FROM cases"), [(10,)])
        self.assertIn("polling", d.log_text())
        self.assertEqual(d.stop(), 0)

    def test_symlink_in_inbox_is_refused_not_followed(self):
        port = free_port()
        os.makedirs(self.data("inbox"))
        secret = os.path.join(self.dir, "secret.csv")
        write_csv(secret, cases(1, 1))
        os.symlink(secret, self.data("inbox", "link.csv"))
        d = self.start(self.config(port))
        d.notify.wait_for("READY=1")
        d.wait_log("link.csv")
        time.sleep(0.5)
        self.assertEqual(self.db("SELECT count(*) FROM cases"), [(0,)])
        self.assertTrue(os.path.islink(self.data("inbox", "link.csv")))
        self.assertEqual(d.stop(), 0)

    def test_sigkill_during_imports_never_loses_or_doubles_a_file(self):
        """Kill -9 at random moments while a stream of files is imported;
        after a clean final run every file is imported exactly once, no
        import is partial and the warehouse is intact."""
        port = free_port()
        cfg = self.config(port, settle="50ms", max_outstanding=2)
        os.makedirs(self.data("inbox"))
        nfiles, per = 60, 2000
        for i in range(nfiles):
            write_csv(self.data("inbox", "f%02d.csv" % i), cases(10000 + i * per, per))
        rng = random.Random(1234)
        kills = int(os.environ.get("LW_SIGKILL_ROUNDS", "50"))
        rounds = 0
        for _ in range(kills):
            rounds += 1
            d = self.start(cfg)
            d.notify.wait_for("READY=1", timeout=30)
            time.sleep(rng.uniform(0.0, 0.25))
            d.proc.send_signal(signal.SIGKILL)
            d.proc.wait()
            d.kill()
            if not glob.glob(self.data("inbox", "*.csv")):
                break
        print("SIGKILL rounds with files still in the inbox: %d" % rounds)
        self.assertGreaterEqual(rounds, min(kills, 20))
        d = self.start(cfg)
        d.notify.wait_for("READY=1", timeout=30)
        self.wait_for(lambda: not glob.glob(self.data("inbox", "*.csv")), timeout=300,
                      what="inbox drained")
        self.assertEqual(d.stop(), 0)
        self.assertEqual(self.db("SELECT count(*) FROM cases"), [(nfiles * per,)])
        landed = self.db("SELECT origin, count(*) FROM imports WHERE status IN ('ok', 'partial') "
                         "GROUP BY origin HAVING count(*) > 1")
        self.assertEqual(landed, [])  # never imported twice
        self.assertEqual(self.db("SELECT count(*) FROM imports WHERE status = 'running'"), [(0,)])
        self.assertEqual(self.db("PRAGMA integrity_check"), [("ok",)])
        self.assertEqual(len(glob.glob(self.data("archive", "*", "f*.csv"))), nfiles)


class Hotline(DaemonTestCase):

    def test_scheduled_download_is_imported_hashed_and_updates_status(self):
        from httpserver import TestServer
        header = ["工单编号", "来电时间", "诉求类型", "承办单位", "工单状态", "来电号码", "来电人"]
        body = "\ufeff" + ",".join(header) + "\r\nGD1,2024-05-06 09:30,投诉,市城管局,办理中,13812345678,李四\r\n"
        srv = TestServer()
        srv.start()
        try:
            srv.route("/export.csv", status=200, body=body.encode("utf-8"),
                      headers={"Content-Type": "text/csv"})
            key = os.path.join(self.dir, "pii.key")
            with open(key, "wb") as f:
                f.write(os.urandom(32))
            os.chmod(key, 0o600)
            cfg = self.write_config({
                "data_dir": "data", "pii_key_file": key,
                "profile_dir": os.path.join(SOURCE_DIR, "conf/profiles"),
                "sources": [{"name": "h12345", "plugin": "hotline", "settle": "100ms",
                             "url": srv.url("/export.csv"), "interval": "1h"}]})
            d = self.start(cfg)
            d.notify.wait_for("READY=1")
            dbp = os.path.join(self.dir, "data", "litwatch.db")

            def tickets():
                con = sqlite3.connect(dbp)
                try:
                    return con.execute("SELECT ticket_no, status, caller_mask FROM tickets").fetchall()
                except sqlite3.OperationalError:
                    return []
                finally:
                    con.close()
            t0 = time.monotonic()
            while not tickets() and time.monotonic() - t0 < 30:
                time.sleep(0.05)
            self.assertEqual(tickets(), [("GD1", "in_progress", "138****5678")])
            self.assertEqual(d.stop(), 0)
            with open(dbp, "rb") as f:
                self.assertNotIn(b"13812345678", f.read())
        finally:
            srv.stop()

    def test_hotline_without_pii_key_is_refused_by_the_configuration(self):
        cfg = self.write_config({"data_dir": "data",
                                 "profile_dir": os.path.join(SOURCE_DIR, "conf/profiles"),
                                 "sources": [{"name": "h", "plugin": "hotline"}]})
        out = subprocess.run([os.path.join(BIN, "litwatch"), "check-config", cfg],
                             capture_output=True, text=True)
        self.assertEqual(out.returncode, 1)
        self.assertIn("sources[0].profile: profile \"hotline-12345\" stores callers' phone numbers "
                      "and names only as keyed hashes: set pii_key_file", out.stderr)


if __name__ == "__main__":
    unittest.main()
