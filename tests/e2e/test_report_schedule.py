"""End to end: bulletins on schedule in the REAL daemon.  The reports
section asks for the quarterly bulletin 0 days after the quarter ends: at
start litwatchd makes last quarter's bulletin into the reports folder, as a
warehouse row, and sends it once — by e-mail with the XLSX attached to a
loopback SMTP server, and as a markdown summary with the top 3 to loopback
WeCom and DingTalk robots.  After a restart nothing is made or sent again,
and `litwatch report` gives the same bytes for the same warehouse."""

import base64
import datetime
import email
import email.policy
import json
import os
import sqlite3
import tempfile
import time
import unittest

import report_fixture as fx
from lwtest import DaemonTestCase
from receivers import HTTPReceiver, SMTPReceiver, make_cert
from report_fixture import litwatch

try:
    import openpyxl
except ImportError:  # pragma: no cover
    openpyxl = None


def last_quarter():
    """Label and a few dates inside the quarter before today (Beijing)."""
    today = (datetime.datetime.utcnow() + datetime.timedelta(hours=8)).date()
    q = (today.month - 1) // 3
    y = today.year
    if q == 0:
        y, q = y - 1, 4
    first_month = 3 * (q - 1) + 1
    return "%dQ%d" % (y, q), y, first_month


class ScheduledBulletin(DaemonTestCase):

    def setUp(self):
        super().setUp()
        self.http = HTTPReceiver()
        cert, key = make_cert(self.dir)
        self.smtp = SMTPReceiver(cert, key)
        self.label, y, m = last_quarter()
        # The fixture's agencies, with their cases moved into last quarter.
        base = fx.build(self.dir)
        con = sqlite3.connect(os.path.join(self.dir, "litwatch.db"))
        con.execute("UPDATE cases SET filed_date = printf('%04d-%02d-%s', ?, ?, substr(filed_date, 9)),"
                    " concluded_date = CASE WHEN concluded_date IS NULL THEN NULL ELSE"
                    " printf('%04d-%02d-%s', ?, ?, substr(concluded_date, 9)) END"
                    " WHERE filed_date >= '2024-07-01'", (y, m, y, m + 1))
        con.commit()
        con.close()
        with open(base, encoding="utf-8") as f:
            cfg = json.load(f)
        cfg["alerts"] = {"sinks": [
            {"name": "mail", "type": "email", "url": "smtp://127.0.0.1:%d" % self.smtp.port,
             "from": "litwatch@sfj.example.gov.cn", "to": ["fazhi@sfj.example.gov.cn"],
             "ca_file": cert},
            {"name": "wx", "type": "wecom", "url": "http://127.0.0.1:%d/wecom?key=k" % self.http.port},
            {"name": "ding", "type": "dingtalk",
             "url": "http://127.0.0.1:%d/ding?access_token=t" % self.http.port, "secret": "SEC"},
        ]}
        cfg["reports"] = {"dir": "reports", "title": "潜江市司法局", "min_concluded": 5,
                          "bulletins": [{"name": "quarterly", "every": "quarter", "after_days": 0,
                                         "formats": ["xlsx", "html", "json"],
                                         "send_to": ["mail", "wx", "ding"]}]}
        self.cfg = self.write_config(cfg)

    def tearDown(self):
        self.http.close()
        self.smtp.close()
        super().tearDown()

    def q(self, sql):
        con = sqlite3.connect(os.path.join(self.dir, "litwatch.db"))
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    def wait_sent(self, n, timeout=30.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                if self.q("SELECT count(*) FROM bulletin_sends WHERE status = 'sent'")[0][0] >= n:
                    return
            except sqlite3.OperationalError:
                pass
            time.sleep(0.2)
        raise AssertionError("sends not recorded: %r" % (self.q("SELECT * FROM bulletin_sends"),))

    def test_due_bulletin_is_made_once_sent_once_and_survives_a_restart(self):
        self.assertEqual(litwatch("check-config", self.cfg).returncode, 0)
        d = self.start(self.cfg)
        self.wait_sent(3)
        rows = self.q("SELECT name, period, files FROM bulletins")
        self.assertEqual([(r[0], r[1]) for r in rows], [("quarterly", self.label)])
        files = json.loads(rows[0][2])
        self.assertEqual(sorted(os.path.basename(f) for f in files),
                         sorted("quarterly-%s.%s" % (self.label, e) for e in ("xlsx", "html", "json")))
        stamp = {f: os.stat(f).st_mtime_ns for f in files}
        # E-mail: the XLSX attached, a Chinese subject.
        self.assertEqual(len(self.smtp.mails), 1)
        msg = email.message_from_bytes(self.smtp.mails[0]["data"], policy=email.policy.default)
        self.assertIn("通报", str(msg["Subject"]))
        self.assertIn("潜江市司法局", str(msg["Subject"]))
        att = [p for p in msg.iter_attachments()]
        self.assertEqual(att[0].get_filename(), "quarterly-%s.xlsx" % self.label)
        xlsx = os.path.join(self.dir, "att.xlsx")
        with open(xlsx, "wb") as f:
            f.write(att[0].get_content())
        with open(files[[f.endswith(".xlsx") for f in files].index(True)], "rb") as f:
            self.assertEqual(open(xlsx, "rb").read(), f.read())
        if openpyxl:
            self.assertIn("排名", openpyxl.load_workbook(xlsx).sheetnames)
        # Robots: markdown with the top 3 of the annual ranking.
        wx = self.http.json_posts("/wecom")
        ding = self.http.json_posts("/ding")
        self.assertEqual((len(wx), len(ding)), (1, 1))
        self.assertEqual(wx[0]["msgtype"], "markdown")
        md = wx[0]["markdown"]["content"]
        self.assertIn("不得评为优秀", md)
        for name in ("市城管局", "市公安局", "市税务局"):
            self.assertIn(name, md)
        self.assertIn("1. ", md)
        self.assertEqual(ding[0]["markdown"]["text"], md)
        ding_path = [p["path"] for p in self.http.posts if p["path"].startswith("/ding")][0]
        self.assertIn("&timestamp=", ding_path)
        self.assertIn("&sign=", ding_path)
        # The same warehouse gives the same data on demand.
        out = os.path.join(self.dir, "ondemand.json")
        litwatch("report", "--config", self.cfg, "--period", self.label, "--format", "json",
                 "-o", out)
        with open(out, "rb") as a, open([f for f in files if f.endswith(".json")][0], "rb") as b:
            self.assertEqual(a.read(), b.read())
        d.stop()
        # A restart: nothing made again, nothing sent again.
        d2 = self.start(self.cfg)
        d2.wait_log("ready")
        time.sleep(3)
        self.assertEqual(self.q("SELECT count(*) FROM bulletins"), [(1,)])
        self.assertEqual(self.q("SELECT attempts FROM bulletin_sends"), [(1,), (1,), (1,)])
        self.assertEqual(len(self.smtp.mails), 1)
        self.assertEqual(len(self.http.posts), 2)
        self.assertEqual({f: os.stat(f).st_mtime_ns for f in files}, stamp)
        d2.stop()

    def test_a_failed_send_backs_off_and_is_retried_before_the_next_check(self):
        # The robots answer 500 twice, then accept.  With alerts.retry at
        # 1 s (doubling, max 2 s) the send lands within seconds; the next
        # schedule check would be 10 minutes away.
        with open(self.cfg, encoding="utf-8") as f:
            cfg = json.load(f)
        cfg["alerts"]["retry"] = {"initial": "1s", "max": "2s", "max_attempts": 5}
        cfg["reports"]["bulletins"][0]["send_to"] = ["wx"]
        cfg_path = self.write_config(cfg)
        self.http.status = 500
        d = self.start(cfg_path)
        end = time.monotonic() + 20
        while time.monotonic() < end and len(self.http.json_posts("/wecom")) < 2:
            time.sleep(0.1)
        self.assertEqual(len(self.http.json_posts("/wecom")), 2)
        self.http.status = 200
        self.wait_sent(1, timeout=20)
        self.assertEqual(self.q("SELECT status, attempts FROM bulletin_sends"), [("sent", 3)])
        times = [p["at"] for p in self.http.posts]
        # Backed off: 1 s after the first failure, 2 s after the second.
        self.assertGreaterEqual(times[1] - times[0], 0.9)
        self.assertGreaterEqual(times[2] - times[1], 1.9)
        self.assertEqual(len(self.http.json_posts("/wecom")), 3)
        d.stop()

    def test_a_send_to_a_sink_no_longer_configured_waits_without_spinning(self):
        # A bulletin's send to a sink the configuration dropped since stays
        # pending (nothing to send it with), and is not a failure to retry:
        # no short timer, no busy loop.
        d = self.start(self.cfg)
        self.wait_sent(3)
        d.stop()
        con = sqlite3.connect(os.path.join(self.dir, "litwatch.db"))
        con.execute("INSERT INTO bulletin_sends (bulletin_id, sink) SELECT id, 'gone' FROM bulletins")
        con.commit()
        con.close()
        d = self.start(self.cfg)
        d.wait_log("ready")
        time.sleep(4)
        self.assertNotIn("tried again", d.log_text())
        self.assertEqual(self.q("SELECT status, attempts FROM bulletin_sends WHERE sink = 'gone'"),
                         [("pending", 0)])
        d.stop()

    def test_a_sink_the_alerts_section_lacks_is_a_config_error(self):
        with open(self.cfg, encoding="utf-8") as f:
            cfg = json.load(f)
        cfg["reports"]["bulletins"][0]["send_to"] = ["nosuch"]
        cfg["reports"]["bulletins"][0]["every"] = "fortnight"
        path = self.write_config(cfg, "bad.json")
        p = litwatch("check-config", path, check=None)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("reports.bulletins[0].every", p.stdout + p.stderr)


if __name__ == "__main__":
    unittest.main()
