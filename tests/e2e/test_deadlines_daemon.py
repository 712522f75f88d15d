"""End to end: deadlines (时限监督) in the REAL daemon, with the shipped
default rules of conf/litwatch.json.  An agency's report says it received
the papers 40 days ago and filed its defence, but gives no report date
(报备日期): time has passed, so report-new-suit (3 working days) is overdue
and exactly one overdue alert reaches a loopback webhook.  A later file
fills the report date: the obligation becomes `late` (with the days late),
the alert resolves, and — one message per agency per day — nothing more is
sent today.  The clock is the real one: the dates are relative to today
(Beijing time)."""

import csv
import datetime
import glob
import json
import os
import sqlite3
import subprocess
import time
import unittest

from lwtest import BIN, SOURCE_DIR, DaemonTestCase, free_port
from receivers import HTTPReceiver

AGENCY = "县自然资源局"
CASE = "(2026)豫1121行初15号"
HEADER = ["案号", "被告", "收到应诉通知书日期", "答辩日期", "报备日期"]


def beijing_today():
    return (datetime.datetime.utcnow() + datetime.timedelta(hours=8)).date()


def write_csv(path, rows):
    tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".tmp")
    with open(tmp, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(HEADER)
        w.writerows(rows)
    os.replace(tmp, path)


class DeadlinesInDaemon(DaemonTestCase):

    def setUp(self):
        super().setUp()
        today = beijing_today()
        for y in {today.year, (today - datetime.timedelta(days=40)).year}:
            if not os.path.exists(os.path.join(SOURCE_DIR, "conf/holidays/%d.json" % y)):
                self.skipTest("conf/holidays has no %d.json" % y)
        self.hook = HTTPReceiver()
        os.makedirs(self.data("inbox"))

    def tearDown(self):
        super().tearDown()
        self.hook.close()

    def data(self, *p):
        return os.path.join(self.dir, "data", *p)

    def config(self):
        with open(os.path.join(SOURCE_DIR, "conf/litwatch.json"), encoding="utf-8") as f:
            shipped = json.load(f)
        dl = shipped["deadlines"]
        dl["holidays_dir"] = os.path.join(SOURCE_DIR, "conf/holidays")
        return self.write_config({
            "data_dir": "data",
            "http": {"listen": "127.0.0.1:%d" % free_port()},
            "profile_dir": os.path.join(SOURCE_DIR, "conf/profiles"),
            "sources": [{"name": "reports", "plugin": "spreadsheet", "inbox": "inbox",
                         "archive": "archive", "rejected": "rejected", "settle": "200ms",
                         "profile": "agency-case-report"}],
            "alerts": {"debounce": "200ms", "evaluate_every": "1h",
                       "sinks": [{"name": "bureau", "type": "webhook", "send_resolved": True,
                                  "url": "http://127.0.0.1:%d/hook" % self.hook.port,
                                  "timeout": "5s"}]},
            "deadlines": dl,
        })

    def wait_for(self, cond, timeout=20.0, what="condition"):
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if cond():
                return
            time.sleep(0.05)
        raise AssertionError("timed out waiting for " + what)

    def query(self, sql):
        con = sqlite3.connect(self.data("litwatch.db"))
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    def deadlines(self):
        out = subprocess.run([os.path.join(BIN, "litwatch"), "deadlines", "--db",
                              self.data("litwatch.db"), "--format", "json"],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        return {r["rule"]: r for r in json.loads(out.stdout)}

    def test_overdue_report_alerts_once_then_a_later_report_date_makes_it_late_and_resolves(self):
        today = beijing_today()
        papers = today - datetime.timedelta(days=40)
        defence = papers + datetime.timedelta(days=3)
        d = self.start(self.config())
        d.notify.wait_for("READY=1")

        write_csv(self.data("inbox", "r1.csv"),
                  [[CASE, AGENCY, papers.isoformat(), defence.isoformat(), ""]])
        self.wait_for(lambda: self.hook.json_posts("/hook"), what="the overdue webhook POST")
        time.sleep(1.0)  # nothing else may follow
        posts = self.hook.json_posts("/hook")
        self.assertEqual(len(posts), 1, posts)
        msg = posts[0]
        self.assertEqual(msg["status"], "firing")
        self.assertEqual(msg["groupLabels"], {"agency": AGENCY, "group": "deadlines"})
        self.assertEqual(len(msg["alerts"]), 1, msg["alerts"])
        alert = msg["alerts"][0]
        self.assertEqual(alert["labels"]["rule"], "deadline-overdue")
        self.assertEqual(alert["labels"]["obligation"], "report-new-suit")
        self.assertEqual(alert["labels"]["case_no"], CASE)
        self.assertIn("逾期", alert["annotations"]["summary"])
        rows = self.deadlines()
        self.assertEqual(rows["report-new-suit"]["state"], "overdue")
        self.assertEqual(rows["defence"]["state"], "met")
        self.assertEqual(rows["appeal"]["state"], "waiting")
        due = datetime.date.fromisoformat(rows["report-new-suit"]["due"])
        self.assertEqual(rows["report-new-suit"]["days_late"], (today - due).days)

        # A later file fills the report date: late, and the alert resolves.
        reported = today - datetime.timedelta(days=1)
        write_csv(self.data("inbox", "r2.csv"),
                  [[CASE, AGENCY, papers.isoformat(), defence.isoformat(), reported.isoformat()]])
        self.wait_for(lambda: self.query("SELECT state FROM alerts WHERE rule = 'deadline-overdue'")
                      == [("resolved",)], what="the overdue alert resolved")
        stored = self.query("SELECT status, done_date, days_late FROM obligations "
                            "WHERE rule = 'report-new-suit'")
        self.assertEqual(stored, [("late", reported.isoformat(), (reported - due).days)])
        rows = self.deadlines()
        self.assertEqual(rows["report-new-suit"]["state"], "late")
        self.assertEqual(rows["report-new-suit"]["days_late"], (reported - due).days)
        time.sleep(1.0)
        # Told once today already: the resolution waits for tomorrow.
        self.assertEqual(len(self.hook.json_posts("/hook")), 1)
        self.assertIn("obligations of", d.log_text())


if __name__ == "__main__":
    unittest.main()
