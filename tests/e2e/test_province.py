"""End to end: county daemons push their warehouses into one real
PostgreSQL 15 (docs/province.md), started by the test (pgserver.py).

- three counties push into one PostgreSQL; every row of every table that
  goes up is the same, value for value, as in each county's SQLite; the
  provincial figures views equal each county's `litwatch stats` and their
  sum; no clear phone number or name is in `pg_dump`;
- faults while a COPY is open (SIGKILL of the daemon, PostgreSQL restarted,
  pg_terminate_backend, the role's rights revoked then restored) lose and
  duplicate nothing (row by row again), and the daemon shows the failures
  in /status and /metrics;
- a county whose warehouse had data before it was ever configured to push,
  and that cannot reach the province for a while, catches up;
- check-config refuses a conninfo file others can read."""

import csv
import json
import os
import random
import signal
import sqlite3
import subprocess
import tempfile
import time
import unittest

import pgserver
from lwtest import BIN, SOURCE_DIR, TEST_PLUGIN_DIR, Daemon, DaemonTestCase, free_port, http_get

PROFILES = os.path.join(SOURCE_DIR, "conf", "profiles")
TABLES = ["imports", "agencies", "cases", "case_defendants", "tickets", "alerts", "obligations"]
COURT_HEADER = ["案号", "法院", "案由", "原告", "被告", "立案日期", "结案日期", "裁判结果", "负责人出庭"]
HOTLINE_HEADER = ["工单编号", "来电时间", "诉求类型", "问题分类", "诉求标题", "诉求内容", "承办单位",
                  "来电号码", "联系电话", "来电人"]
AGENCIES = ["县自然资源局", "县市场监管局", "县城管局", "县公安局"]
OUTCOMES = ["判决撤销被诉行政行为", "判决驳回原告的诉讼请求", "准予撤诉", "调解结案", ""]
NAME = "王小明"
COUNTS = ["filed", "concluded", "lost", "withdrawn", "mediated", "hearings", "head_appeared"]


def litwatch(*args, check=0):
    p = subprocess.run([os.path.join(BIN, "litwatch"), *args], capture_output=True, text=True,
                       timeout=300)
    if check is not None and p.returncode != check:
        raise AssertionError("litwatch %s: exit %d\n%s%s" % (" ".join(args), p.returncode,
                                                              p.stdout, p.stderr))
    return p


def phone(county, i):
    return "13%d%07d" % (int(county[-1]) % 10, i)


def copy_text(v):
    """A SQLite value as PostgreSQL's COPY TO prints it."""
    if v is None:
        return "\\N"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, int):
        return str(v)
    out = []
    for ch in str(v):
        out.append({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\b": "\\b",
                    "\f": "\\f", "\v": "\\v"}.get(ch, ch))
    return "".join(out)


@unittest.skipUnless(pgserver.available(), "PostgreSQL 15 server binaries not installed")
class Province(DaemonTestCase):

    @classmethod
    def setUpClass(cls):
        cls.pg = pgserver.PgServer()

    @classmethod
    def tearDownClass(cls):
        cls.pg.close()

    def setUp(self):
        super().setUp()
        self.key = os.path.join(self.dir, "pii.key")
        with open(self.key, "wb") as f:
            f.write(os.urandom(32))
        os.chmod(self.key, 0o600)
        # A database of its own for each test: the province is theirs alone.
        Province.ndb = getattr(Province, "ndb", 0) + 1
        self.pg.DB = "province%d" % Province.ndb
        self.pg.sql("CREATE DATABASE %s OWNER %s" % (self.pg.DB, self.pg.ROLE), db="postgres")
        self.conninfo = os.path.join(self.dir, "province.conninfo")
        self.write_conninfo(self.pg.conninfo())
        self.nfile = 0

    def write_conninfo(self, text):
        with open(self.conninfo + ".tmp", "w") as f:
            f.write(text + "\n")
        os.chmod(self.conninfo + ".tmp", 0o600)
        os.replace(self.conninfo + ".tmp", self.conninfo)

    # ---- a county ----------------------------------------------------------

    def county_config(self, county, port, batch_rows=500, conninfo=None):
        return self.write_config({
            "data_dir": "c" + county, "plugin_dir": TEST_PLUGIN_DIR,
            "http": {"listen": "127.0.0.1:%d" % port}, "sources": [],
            "province": {"conninfo_file": conninfo or self.conninfo, "county": county,
                         "interval": "200ms", "batch_rows": batch_rows}},
            name="c%s.json" % county)

    def db(self, county):
        return os.path.join(self.dir, "c" + county, "litwatch.db")

    def write_csv(self, header, rows):
        self.nfile += 1
        path = os.path.join(self.dir, "in%d.csv" % self.nfile)
        with open(path, "w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f, lineterminator="\r\n")
            w.writerow(header)
            w.writerows(rows)
        return path

    def import_cases(self, county, first, n, seed):
        rnd = random.Random(seed)
        rows = []
        for i in range(first, first + n):
            year = rnd.choice([2023, 2024, 2024])
            filed = "%d-%02d-%02d" % (year, rnd.randint(1, 12), rnd.randint(1, 28))
            outcome = rnd.choice(OUTCOMES)
            concluded = "" if not outcome else "%d-12-%02d" % (year, rnd.randint(29, 31))
            rows.append(["(%d)豫%s行初%d号" % (year, county[2:], i), "县人民法院", "行政处罚", "张三",
                         rnd.choice(AGENCIES), filed, concluded, outcome, rnd.choice(["是", "否", ""])])
        self.imp(county, "court-cases", self.write_csv(COURT_HEADER, rows))

    def import_tickets(self, county, first, n, seed):
        rnd = random.Random(seed)
        rows = []
        for i in range(first, first + n):
            rows.append(["GD%s%06d" % (county, i), "2024-%02d-%02d 09:%02d" % (
                rnd.randint(1, 12), rnd.randint(1, 28), rnd.randint(0, 59)),
                rnd.choice(["投诉", "举报", "咨询"]), "占道经营", "标题\t%d" % seed,
                "请回电\\%d\n第二行" % seed, rnd.choice(AGENCIES), phone(county, i), "", NAME])
        self.imp(county, "hotline-12345", self.write_csv(HOTLINE_HEADER, rows))

    def imp(self, county, profile, path):
        os.makedirs(os.path.dirname(self.db(county)), exist_ok=True)
        litwatch("import", "--db", self.db(county), "--profile", profile, "--profile-dir",
                 PROFILES, "--pii-key-file", self.key, path)

    def local_seq(self, county):
        con = sqlite3.connect(self.db(county))
        try:
            r = con.execute("SELECT seq FROM sqlite_sequence WHERE name = 'province_feed'").fetchone()
            return r[0] if r else 0
        finally:
            con.close()

    def mark(self, county):
        r = self.pg.sql("SELECT hwm FROM litwatch.counties WHERE county = '%s'" % county,
                        check=False)
        if r.returncode != 0 or not r.stdout.strip():
            return -1
        return int(r.stdout.strip())

    def wait_pushed(self, county, timeout=120):
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            want = self.local_seq(county)
            if want > 0 and self.mark(county) == want:
                return
            time.sleep(0.1)
        raise AssertionError("county %s: province mark %d, county feed at %d"
                             % (county, self.mark(county), self.local_seq(county)))

    # ---- comparisons -------------------------------------------------------

    def assert_same_rows(self, county):
        con = sqlite3.connect(self.db(county))
        try:
            for t in TABLES:
                cols = [r[1] for r in con.execute("SELECT * FROM pragma_table_info('%s')" % t)]
                qcols = ", ".join('"%s"' % c for c in cols)
                local = sorted("\t".join([county] + [copy_text(v) for v in row])
                               for row in con.execute("SELECT %s FROM %s" % (qcols, t)))
                remote = sorted(l for l in self.pg.copy_out(
                    "SELECT county, %s FROM litwatch.%s WHERE county = '%s'"
                    % (qcols, t, county)).split("\n") if l)
                self.assertEqual(len(remote), len(local), "%s %s: row count" % (county, t))
                self.assertEqual(remote, local, "%s %s: rows differ" % (county, t))
        finally:
            con.close()

    def stats(self, county, year, by=None):
        args = ["stats", "--db", self.db(county), "--period", str(year), "--format", "json"]
        if by:
            args += ["--by", by]
        return json.loads(litwatch(*args).stdout)

    def pg_counts(self, sql):
        r = self.pg.sql(sql)
        return [int(v or 0) for v in r[0]] if r else [0] * len(COUNTS)

    def assert_same_figures(self, counties):
        province = [0] * len(COUNTS)
        for c in counties:
            st = self.stats(c, 2024)
            mine = [st["total"][k] for k in COUNTS]
            self.assertEqual(self.pg_counts(
                "SELECT %s FROM litwatch.figures_county_year WHERE county = '%s' AND year = '2024'"
                % (", ".join(COUNTS), c)), mine, "county %s" % c)
            self.assertEqual(self.pg_counts(
                "SELECT filed FROM litwatch.figures_county_year WHERE county = '%s' AND year = "
                "'2023'" % c)[0], st["total"]["filed_prev_year"])
            for g in self.stats(c, 2024, by="agency")["groups"]:
                self.assertEqual(self.pg_counts(
                    "SELECT %s FROM litwatch.figures_agency_month WHERE county = '%s' AND agency = "
                    "'%s' AND month LIKE '2024-%%'" % (", ".join("sum(%s)" % k for k in COUNTS), c,
                                                       g["group"])),
                    [g[k] for k in COUNTS], "county %s agency %s" % (c, g["group"]))
            province = [a + b for a, b in zip(province, mine)]
        self.assertTrue(all(province[:3]), province)
        self.assertEqual(self.pg_counts("SELECT %s FROM litwatch.figures_province_year WHERE "
                                        "year = '2024'" % ", ".join(COUNTS)), province)

    def status(self, port):
        return json.loads(http_get(port, "/status")[1])["province"]

    # ---- the tests ---------------------------------------------------------

    def test_three_counties_push_into_one_province_and_the_figures_add_up(self):
        counties = ["411121", "411122", "411123"]
        ports = {}
        for i, c in enumerate(counties):
            ports[c] = free_port()
            self.import_cases(c, 1, 40 + 10 * i, seed=i)  # before the daemon: a reseed
            self.start(self.county_config(c, ports[c]))
        for i, c in enumerate(counties):
            self.import_tickets(c, 1, 200, seed=i)
            self.import_cases(c, 30, 40, seed=10 + i)  # updates and new cases
        for c in counties:
            self.wait_pushed(c)
            self.assert_same_rows(c)
        self.assert_same_figures(counties)
        # Rows deleted or changed by any writer (here an operator's sqlite3)
        # go up too: the feed is written by triggers.
        con = sqlite3.connect(self.db("411122"))
        con.execute("PRAGMA foreign_keys = ON")
        gone = con.execute("SELECT case_no FROM cases ORDER BY case_no LIMIT 3").fetchall()
        con.executemany("DELETE FROM cases WHERE case_no = ?", gone)  # defendants cascade
        con.execute("UPDATE tickets SET status = '已办结' WHERE ticket_no LIKE 'GD411122%5'")
        con.commit()
        con.close()
        self.wait_pushed("411122")
        self.assert_same_rows("411122")
        self.assertEqual(self.pg.sql("SELECT count(*) FROM litwatch.case_defendants WHERE "
                                     "county = '411122' AND case_no = '%s'" % gone[0][0]),
                         [["0"]])
        self.assert_same_figures(counties)
        # litwatch stats --pg: a county's figures from the province are its own,
        # document for document; without --county, one line per county.
        for c in counties:
            for extra in ([], ["--withdrawn-after-change-is-loss"]):
                mine = litwatch("stats", "--db", self.db(c), "--period", "2024", "--format",
                                "json", *extra).stdout
                theirs = litwatch("stats", "--pg", self.conninfo, "--county", c, "--period",
                                  "2024", "--format", "json", *extra).stdout
                self.assertEqual(json.loads(theirs), json.loads(mine))
        city = json.loads(litwatch("stats", "--pg", self.conninfo, "--period", "2024",
                                   "--format", "json").stdout)
        self.assertEqual(city["by"], "county")
        self.assertEqual([g["group"] for g in city["groups"]], counties)
        for g in city["groups"]:
            total = self.stats(g["group"], 2024)["total"]
            self.assertEqual({k: g[k] for k in total}, total)
        self.assertEqual(city["total"]["filed"],
                         sum(self.stats(c, 2024)["total"]["filed"] for c in counties))
        table = litwatch("stats", "--pg", self.conninfo, "--period", "2024").stdout
        self.assertIn("411122", table)
        # litwatch report --pg: a county's bulletin from the province is its
        # own, byte for byte in every format (the same code over the rows
        # read back); an unknown county is a clear error.
        for c in ("411121", "411123"):
            for fmt in ("json", "csv", "html", "xlsx"):
                mine, theirs = (os.path.join(self.dir, "%s-%s.%s" % (c, w, fmt))
                                for w in ("county", "province"))
                litwatch("report", "--db", self.db(c), "--period", "2024Q4", "--format", fmt,
                         "-o", mine)
                litwatch("report", "--pg", self.conninfo, "--county", c, "--period", "2024Q4",
                         "--format", fmt, "-o", theirs)
                with open(mine, "rb") as a, open(theirs, "rb") as b:
                    self.assertEqual(b.read(), a.read(), "%s %s" % (c, fmt))
        r = litwatch("report", "--pg", self.conninfo, "--county", "419999", "--period", "2024",
                     "--format", "json", "-o", os.path.join(self.dir, "x.json"), check=1)
        self.assertIn("no county 419999", r.stderr)
        # Partitioned by county: each county's rows in its own partition.
        self.assertEqual(self.pg.sql("SELECT count(*) FROM litwatch.tickets_411122")[0][0], "200")
        # Nothing clear crossed the link: no phone number, no name, no password.
        dump = self.pg.dump()
        for c in counties:
            for i in (1, 77, 200):
                self.assertNotIn(phone(c, i), dump)
        self.assertNotIn(NAME, dump)
        self.assertNotIn("张三", dump)
        # The same keyed hash on both sides (row by row above), and in the dump.
        con = sqlite3.connect(self.db("411121"))
        h = con.execute("SELECT caller_hash FROM tickets WHERE ticket_no = 'GD411121000001'"
                        ).fetchone()[0]
        con.close()
        self.assertRegex(h, "^[0-9a-f]{64}$")
        self.assertIn(h, dump)
        st = self.status(ports["411121"])
        self.assertEqual((st["county"], st["lag_rows"]), ("411121", 0))
        self.assertEqual(st["high_water_mark"], self.local_seq("411121"))
        self.assertIsNotNone(st["last_success"])
        metrics = http_get(ports["411121"], "/metrics")[1]
        self.assertIn("litwatch_province_lag_rows 0", metrics)
        for d in self.daemons:
            self.assertNotIn(pgserver.PgServer.PASSWORD, d.log_text())

    def wait_copy(self, county, timeout=30):
        """Until the county's backend is inside a COPY (the test hook holds
        it open)."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            r = self.pg.sql("SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                            "'litwatch %s' AND state = 'active' AND query LIKE 'COPY%%'" % county)
            if r[0][0] != "0":
                return
            time.sleep(0.02)
        raise AssertionError("county %s never in a COPY" % county)

    def test_faults_mid_copy_lose_and_duplicate_nothing(self):
        c, port = "411124", free_port()
        cfg = self.county_config(c, port, batch_rows=40)
        env = {"LW_PROVINCE_TEST_PAUSE_MS": "150"}
        self.import_cases(c, 1, 60, seed=1)
        d = self.start(cfg, env=env)
        d.notify.wait_for("READY=1")
        # SIGKILL mid-COPY, twenty times (each with new and changed rows).
        for k in range(20):
            self.import_tickets(c, 1 + 20 * k, 40, seed=100 + k)
            self.wait_copy(c)
            before = self.mark(c)
            d.kill()
            self.assertEqual(self.mark(c), before)  # the open batch did not land
            d = self.start(cfg, env=env)
        d.notify.wait_for("READY=1")
        # PostgreSQL restarted mid-COPY.
        self.import_tickets(c, 400, 150, seed=200)
        self.wait_copy(c)
        self.pg.stop("immediate")
        time.sleep(0.5)
        self.pg.start()
        # The connection dropped mid-COPY.
        self.import_cases(c, 50, 50, seed=300)
        self.wait_copy(c)
        self.pg.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                    "application_name = 'litwatch %s'" % c)
        # Rights revoked mid-COPY: no login, no connection; then restored.
        self.import_tickets(c, 500, 100, seed=400)
        self.wait_copy(c)
        failures = self.status(port)["failures"]
        self.addCleanup(self.pg.sql, "ALTER ROLE %s LOGIN" % pgserver.PgServer.ROLE)
        self.pg.sql("ALTER ROLE %s NOLOGIN" % pgserver.PgServer.ROLE)
        self.pg.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                    "application_name = 'litwatch %s'" % c)
        start = time.monotonic()
        while self.status(port)["failures"] < failures + 2 and time.monotonic() - start < 30:
            time.sleep(0.1)
        st = self.status(port)
        self.assertEqual(st["state"], "retrying", st)
        self.assertGreater(st["lag_rows"], 0, st)
        self.assertIn("not permitted to log in", st["last_error"])
        self.assertNotIn(pgserver.PgServer.PASSWORD, st["last_error"])
        self.assertRegex(http_get(port, "/metrics")[1], r"litwatch_province_failures_total [1-9]")
        self.pg.sql("ALTER ROLE %s LOGIN" % pgserver.PgServer.ROLE)
        self.wait_pushed(c)
        self.assert_same_rows(c)
        self.assert_same_figures([c])
        self.assertNotIn(pgserver.PgServer.PASSWORD, d.log_text())

    def test_disk_full_at_the_province_retries_and_loses_nothing(self):
        # The role's tables live on a 4 MiB filesystem: the first push runs
        # out of space, fails whole, and is retried with back-off; imports
        # go on; once the filesystem grows, every row arrives once.
        if os.geteuid() != 0:
            self.skipTest("needs root to mount a small filesystem for a tablespace")
        small = tempfile.mkdtemp(prefix="lw-pg-small-")
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", small],
                           capture_output=True, text=True)
        if r.returncode != 0:
            self.skipTest("cannot mount a tmpfs here (%s)" % r.stderr.strip())
        # Cleanups run last first: the database goes, then the tablespace,
        # then the filesystem (the server, shared by the other tests, must
        # never be left with a tablespace whose files are gone).
        self.addCleanup(subprocess.run, ["umount", small], capture_output=True)
        if self.pg.user:
            os.chown(small, self.pg.user.pw_uid, self.pg.user.pw_gid)
        role = pgserver.PgServer.ROLE
        self.pg.sql("CREATE TABLESPACE small LOCATION '%s'" % small, db="postgres")
        self.addCleanup(self.pg.sql, "DROP TABLESPACE small", db="postgres")
        self.addCleanup(self.pg.sql, "DROP DATABASE %s WITH (FORCE)" % self.pg.DB, db="postgres")
        self.pg.sql("GRANT CREATE ON TABLESPACE small TO %s" % role, db="postgres")
        self.pg.sql("ALTER ROLE %s SET default_tablespace = small" % role, db="postgres")
        self.addCleanup(self.pg.sql, "ALTER ROLE %s RESET default_tablespace" % role,
                        db="postgres")
        c, port = "411127", free_port()
        self.import_tickets(c, 1, 20000, seed=9)
        d = self.start(self.county_config(c, port, batch_rows=2000))
        d.notify.wait_for("READY=1")
        start = time.monotonic()
        st = self.status(port)
        while time.monotonic() - start < 60:
            st = self.status(port)
            if st["failures"] >= 2:
                break
            time.sleep(0.2)
        self.assertEqual(st["state"], "retrying", st)
        self.assertIn("No space left on device", st["last_error"])
        self.assertGreater(st["lag_rows"], 0)
        self.import_cases(c, 1, 30, seed=10)  # the county goes on meanwhile
        r = subprocess.run(["mount", "-o", "remount,size=256m", small], capture_output=True,
                           text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.wait_pushed(c)
        self.assert_same_rows(c)
        self.assertEqual(self.status(port)["state"], "ok")
        self.assertEqual(d.stop(), 0, d.log_text())

    def test_a_county_registered_again_over_its_old_rows_is_upserted_not_seeded(self):
        # A new county's first push COPYs straight into its partition: only
        # safe when the province holds nothing of it.  Here the county's
        # registration was removed at the province but its rows stayed, and
        # a case's defendant changed meanwhile: the push must not take the
        # short cut (it would keep the old defendant beside the new one).
        c, port = "411126", free_port()
        self.import_cases(c, 1, 20, seed=8)
        d = self.start(self.county_config(c, port))
        self.wait_pushed(c)
        self.assertIn("sending every row", d.log_text())
        self.assertEqual(d.stop(), 0, d.log_text())
        self.pg.sql("DELETE FROM litwatch.counties WHERE county = '%s'" % c)
        con = sqlite3.connect(self.db(c))
        case_no, old = con.execute("SELECT case_no, agency_id FROM case_defendants ORDER BY "
                                   "case_no LIMIT 1").fetchone()
        other = con.execute("SELECT id FROM agencies WHERE id != ? AND id NOT IN (SELECT "
                            "agency_id FROM case_defendants WHERE case_no = ?) LIMIT 1",
                            (old, case_no)).fetchone()[0]
        con.execute("UPDATE case_defendants SET agency_id = ? WHERE case_no = ? AND agency_id = ?",
                    (other, case_no, old))
        con.commit()
        con.close()
        self.start(self.county_config(c, port))
        self.wait_pushed(c)
        self.assert_same_rows(c)
        self.assertEqual(self.pg.sql("SELECT count(*) FROM litwatch.case_defendants WHERE "
                                     "county = '%s' AND case_no = '%s' AND agency_id = %d"
                                     % (c, case_no, old)), [["0"]])

    def test_offline_county_catches_up(self):
        c, port = "411125", free_port()
        # Nobody listens there: the province is unreachable.
        self.write_conninfo("host=127.0.0.1 port=%d dbname=x user=y password=z" % free_port())
        self.import_cases(c, 1, 30, seed=5)
        d = self.start(self.county_config(c, port))
        d.notify.wait_for("READY=1")
        start = time.monotonic()
        while time.monotonic() - start < 20:
            st = self.status(port)
            if st["failures"] >= 2:
                break
            time.sleep(0.1)
        self.assertEqual(st["state"], "retrying")
        self.assertIn("cannot connect", st["last_error"])
        self.import_tickets(c, 1, 300, seed=6)  # imports go on while offline
        self.assertEqual(self.mark(c), -1)
        self.write_conninfo(self.pg.conninfo())  # back online (read at each connect)
        self.wait_pushed(c, timeout=90)
        self.assert_same_rows(c)
        self.assertEqual(self.status(port)["state"], "ok")
        # A clean stop (SIGTERM) with the pusher idle, then one mid-push.
        self.assertEqual(d.stop(), 0, d.log_text())
        self.import_tickets(c, 1000, 500, seed=7)
        d = self.start(self.county_config(c, port, batch_rows=50),
                       env={"LW_PROVINCE_TEST_PAUSE_MS": "100"})
        self.wait_copy(c)
        self.assertEqual(d.stop(), 0, d.log_text())
        self.start(self.county_config(c, port))
        self.wait_pushed(c)
        self.assert_same_rows(c)


class ProvinceConfig(DaemonTestCase):

    def test_check_config_refuses_a_conninfo_others_can_read_and_a_bad_county(self):
        ci = os.path.join(self.dir, "ci")
        with open(ci, "w") as f:
            f.write("host=127.0.0.1 password=x\n")
        os.chmod(ci, 0o644)
        cfg = self.write_config({"data_dir": "d", "sources": [],
                                 "province": {"conninfo_file": ci, "county": "41112"}})
        p = litwatch("check-config", cfg, check=None)
        self.assertNotEqual(p.returncode, 0)
        out = p.stdout + p.stderr
        self.assertIn("province.conninfo_file", out)
        self.assertIn("province.county", out)
        self.assertNotIn("password=x", out)
        os.chmod(ci, 0o600)
        cfg = self.write_config({"data_dir": "d", "sources": [],
                                 "province": {"conninfo_file": ci, "county": "411121",
                                              "interval": "5s", "sslmode": "verify-full"}})
        litwatch("check-config", cfg, check=0)


if __name__ == "__main__":
    unittest.main()
