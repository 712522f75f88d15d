"""End to end: the daemon guards its warehouse — a file deleted or replaced
under it, a damaged file, a schema version litwatch never wrote, a file or
directory it cannot write, and a WAL that a reader keeps from being
checkpointed (docs/operate.md, "The warehouse")."""

import glob
import os
import shutil
import sqlite3
import time
import unittest

from lwtest import SOURCE_DIR, DaemonTestCase, free_port
from test_dropfolder import cases, write_csv

PAGE = 16384


def no_dac_override():
    """Root ignores file modes: run the daemon without CAP_DAC_OVERRIDE
    (and DAC_READ_SEARCH) so that a mode of 0444 means what it says."""
    if os.geteuid() != 0:
        return None
    if not shutil.which("setpriv"):
        raise unittest.SkipTest("running as root without setpriv(1)")
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"]


class WarehouseGuard(DaemonTestCase):

    def setUp(self):
        super().setUp()
        self.port = free_port()
        os.makedirs(self.data(), exist_ok=True)

    def data(self, *p):
        return os.path.join(self.dir, "data", *p)

    def config(self, **top):
        cfg = {"data_dir": "data", "http": {"listen": "127.0.0.1:%d" % self.port},
               "profile_dir": os.path.join(SOURCE_DIR, "conf/profiles"),
               "sources": [{"name": "reports", "plugin": "spreadsheet", "settle": "200ms"}]}
        cfg.update(top)
        return self.write_config(cfg)

    def wait_for(self, cond, timeout=30.0, what="condition"):
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if cond():
                return time.monotonic() - t0
            time.sleep(0.05)
        raise AssertionError("timed out waiting for " + what)

    def archived(self, name):
        return glob.glob(self.data("archive", "*", "**", name), recursive=True)

    def make_warehouse(self):
        """A warehouse with some cases in it, written by the daemon."""
        d = self.start(self.config())
        d.notify.wait_for("READY=1")
        write_csv(self.data("inbox", "q1.csv"), cases(1, 2000))
        self.wait_for(lambda: self.archived("q1.csv"), what="q1.csv archived")
        self.assertEqual(d.stop(), 0)
        return self.data("litwatch.db")

    def refused(self, needles, **kw):
        d = self.start(self.config(), **kw)
        rc = d.proc.wait(20)
        log = d.log_text()
        self.assertEqual(rc, 1, log)
        self.assertNotIn("READY=1", "\n".join(d.notify.drain()), log)
        for n in needles:
            self.assertIn(n, log)
        return log

    def test_warehouse_deleted_while_running_stops_imports_and_keeps_the_file_in_the_inbox(self):
        d = self.start(self.config())
        d.notify.wait_for("READY=1")
        write_csv(self.data("inbox", "q1.csv"), cases(1, 3))
        self.wait_for(lambda: self.archived("q1.csv"), what="q1.csv archived")
        db = self.data("litwatch.db")
        for ext in ("", "-wal", "-shm"):
            if os.path.exists(db + ext):
                os.unlink(db + ext)
        write_csv(self.data("inbox", "q2.csv"), cases(10, 3))
        d.wait_log("%s was deleted or replaced while litwatchd runs" % db, timeout=20)
        time.sleep(1.0)
        self.assertTrue(os.path.exists(self.data("inbox", "q2.csv")), d.log_text())
        self.assertEqual(self.archived("q2.csv"), [])
        self.assertNotIn("q2.csv: ok", d.log_text())
        d.stop()

    def test_three_overwritten_pages_are_refused_at_start_with_the_recovery_steps(self):
        db = self.make_warehouse()
        size = os.path.getsize(db)
        self.assertGreater(size, 8 * PAGE)
        with open(db, "r+b") as f:
            for page in (3, 4, 5):  # 1-based page numbers; page 1 is the header
                f.seek((page - 1) * PAGE)
                f.write(os.urandom(PAGE))
        log = self.refused(["%s: damaged (PRAGMA quick_check:" % db,
                            "docs/operate.md, \"Backup and recovery\""])
        print("\n" + [l for l in log.splitlines() if "damaged" in l][0])

    def test_negative_user_version_is_refused_and_the_file_left_as_it_was(self):
        db = self.make_warehouse()
        con = sqlite3.connect(db)
        con.execute("PRAGMA user_version = -1")
        con.close()
        with open(db, "rb") as f:
            before = f.read()
        self.refused(["%s: schema version -1 is not one litwatch ever wrote" % db])
        with open(db, "rb") as f:
            self.assertEqual(f.read(), before)
        con = sqlite3.connect(db)
        self.assertEqual(con.execute("PRAGMA quick_check").fetchall(), [("ok",)])
        self.assertEqual(con.execute("SELECT count(*) FROM cases").fetchone(), (2000,))
        con.close()

    def test_read_only_warehouse_file_is_refused_at_start(self):
        wrap = no_dac_override()
        db = self.make_warehouse()
        os.chmod(db, 0o444)
        self.refused(["%s: the warehouse file is not writable" % db, "chmod"],
                     wrapper=wrap)

    def test_warehouse_in_a_read_only_directory_is_refused_at_start(self):
        wrap = no_dac_override()
        db = self.make_warehouse()
        os.chmod(self.data(), 0o555)
        try:
            self.refused(["%s: its directory %s is not writable" % (db, self.data())],
                         wrapper=wrap)
        finally:
            os.chmod(self.data(), 0o755)

    def test_wal_held_by_a_reader_warns_past_the_limit_then_is_truncated_when_it_leaves(self):
        d = self.start(self.config(wal_warn_size="1MiB"))
        d.notify.wait_for("READY=1")
        db = self.data("litwatch.db")
        write_csv(self.data("inbox", "q0.csv"), cases(1, 10))
        self.wait_for(lambda: self.archived("q0.csv"), what="q0.csv archived")
        reader = sqlite3.connect(db, isolation_level=None)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM cases").fetchone()  # holds a snapshot
        for i in range(4):
            write_csv(self.data("inbox", "q%d.csv" % (i + 1)), cases(1000 + i * 5000, 5000))
            self.wait_for(lambda: self.archived("q%d.csv" % (i + 1)), what="archived")
        d.wait_log("cannot be checkpointed", timeout=20)
        wal = os.path.getsize(db + "-wal")
        self.assertGreater(wal, 1 << 20)
        print("\nFIGURE WAL held by a reader: %.1f MiB" % (wal / 1048576))
        reader.execute("COMMIT")
        reader.close()
        d.wait_log("MiB -> 0.0 MiB now that readers left", timeout=30)
        self.assertEqual(os.path.getsize(db + "-wal"), 0)
        self.assertEqual(d.stop(), 0)


if __name__ == "__main__":
    unittest.main()
