"""End to end: the alert engine in the REAL daemon.  A clerk drops a CSV of
cases into a spreadsheet source's inbox; once the import commits the engine
is kicked, evaluates a loss-rate rule and POSTs exactly one JSON
notification to a loopback webhook through the core's libcurl-multi driver;
after SIGTERM and a restart nothing is sent again.  A webhook answering 500
first is retried and delivered once, with the same notification id.  With
alerts configured and nothing to do, the daemon's idle CPU stays ~0."""

import csv
import datetime
import glob
import os
import signal
import sqlite3
import time
import unittest

from httpserver import TestServer
from lwtest import SOURCE_DIR, DaemonTestCase, free_port, http_get

HEADER = ["案号", "被告", "立案日期", "结案日期", "裁判结果"]
AGENCY = "市自然资源局"


def write_csv(path, rows):
    tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".tmp")
    with open(tmp, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(HEADER)
        w.writerows(rows)
    os.replace(tmp, path)


def beijing_today():
    return (datetime.datetime.utcnow() + datetime.timedelta(hours=8)).date().isoformat()


def losing_cases():
    """Three cases concluded today (the current quarter): two revoked
    (losses), one claim rejected — a loss rate of 66.7 %."""
    d = beijing_today()
    out = ["撤销被诉行政行为", "撤销被诉行政行为", "驳回原告诉讼请求"]
    return [["(2025)鄂9004行初%d号" % (i + 1), AGENCY, d, d, o] for i, o in enumerate(out)]


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class AlertsInDaemon(DaemonTestCase):

    def setUp(self):
        super().setUp()
        self.srv = TestServer(tls=False, smtp=False)
        self.srv.start()
        os.makedirs(self.data("inbox"))

    def tearDown(self):
        super().tearDown()
        self.srv.stop()

    def data(self, *p):
        return os.path.join(self.dir, "data", *p)

    def config(self, hook_path="/hook", debounce="200ms"):
        self.port = free_port()
        return self.write_config({
            "data_dir": "data",
            "http": {"listen": "127.0.0.1:%d" % self.port},
            "profile_dir": os.path.join(SOURCE_DIR, "conf/profiles"),
            "sources": [{"name": "reports", "plugin": "spreadsheet", "inbox": "inbox",
                         "archive": "archive", "rejected": "rejected", "settle": "200ms"}],
            "detect": {"rules": [{"name": "loss_rate_high", "method": "loss-rate",
                                  "series": "cases.lost.quarterly.by_agency",
                                  "above_percent": 10, "min_concluded": 2,
                                  "severity": "critical"}]},
            "alerts": {"debounce": debounce, "evaluate_every": "1h",
                       "retry": {"initial": "1s", "max": "4s", "max_attempts": 5},
                       "sinks": [{"name": "hook", "type": "webhook",
                                  "url": self.srv.url(hook_path), "timeout": "5s"}]},
        })

    def hooks(self, path="/hook"):
        return [r for r in self.srv.requests if r["path"] == path and r["method"] == "POST"]

    def wait_for(self, cond, timeout=20.0, what="condition"):
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if cond():
                return time.monotonic() - t0
            time.sleep(0.02)
        raise AssertionError("timed out waiting for " + what)

    def notifications(self):
        con = sqlite3.connect(self.data("litwatch.db"))
        try:
            return con.execute("SELECT id, state, attempts FROM notifications").fetchall()
        finally:
            con.close()

    def test_dropped_csv_fires_one_webhook_and_restart_sends_nothing_again(self):
        cfg = self.config()
        d = self.start(cfg)
        d.notify.wait_for("READY=1")
        self.assertEqual(self.hooks(), [])
        write_csv(self.data("inbox", "q.csv"), losing_cases())
        t0 = time.monotonic()
        self.wait_for(lambda: glob.glob(self.data("archive", "**", "q.csv"), recursive=True),
                      what="q.csv archived")
        t_import = time.monotonic() - t0
        self.wait_for(lambda: self.hooks(), what="the webhook POST")
        latency = time.monotonic() - t0 - t_import
        print("\nnotification %.2fs after the file was archived (debounce 200 ms)" % latency)
        self.wait_for(lambda: self.notifications() and self.notifications()[0][1] == "sent",
                      what="notification recorded sent")
        time.sleep(0.5)
        hooks = self.hooks()
        self.assertEqual(len(hooks), 1, hooks)
        import json
        doc = json.loads(hooks[0]["body"])
        self.assertEqual(doc["status"], "firing")
        self.assertEqual(doc["alerts"][0]["labels"]["agency"], AGENCY)
        self.assertEqual(doc["alerts"][0]["labels"]["rule"], "loss_rate_high")
        # The rate as the bulletin and `litwatch stats` publish it (2/3,
        # rounded half up to 2 decimals), not a figure of the rule's own.
        self.assertEqual(doc["alerts"][0]["value"], 66.67)
        self.assertEqual(hooks[0]["headers"]["X-Litwatch-Notification-Id"],
                         str(doc["notificationId"]))
        # /metrics: alerts by state, notifications per sink, last success.
        def metrics():
            return http_get(self.port, "/metrics")[1]
        self.wait_for(lambda: 'litwatch_notifications{sink="hook",state="sent"} 1' in metrics(),
                      what="metrics counting the sent notification")
        m = metrics()
        self.assertIn('litwatch_alerts{state="firing"} 1', m)
        self.assertIn('litwatch_notifications{sink="hook",state="queued"} 0', m)
        self.assertRegex(m, r'litwatch_source_last_success_timestamp_seconds\{source="reports"\} '
                            r'1[0-9]{9}')
        self.assertEqual(d.stop(), 0)

        # Restart: the engine evaluates at start and drains the outbox, and
        # nothing goes again.
        d = self.start(cfg)
        d.notify.wait_for("READY=1")
        time.sleep(1.5)
        self.assertEqual(len(self.hooks()), 1)
        self.assertEqual(len(self.notifications()), 1)
        self.assertEqual(d.stop(), 0)
        self.assertNotIn("error", d.log_text().replace("rejected", ""))

    def test_failing_webhook_is_retried_and_delivered_once(self):
        self.srv.route("/flaky", [dict(status=500), dict(status=200)])
        d = self.start(self.config("/flaky"))
        d.notify.wait_for("READY=1")
        write_csv(self.data("inbox", "q.csv"), losing_cases())
        self.wait_for(lambda: self.notifications() and self.notifications()[0][1] == "sent",
                      what="notification sent after a retry")
        time.sleep(0.5)
        hooks = self.hooks("/flaky")
        self.assertEqual(len(hooks), 2)
        self.assertEqual(hooks[0]["body"], hooks[1]["body"])
        self.assertEqual(hooks[0]["headers"]["X-Litwatch-Notification-Id"],
                         hooks[1]["headers"]["X-Litwatch-Notification-Id"])
        self.assertEqual(self.notifications()[0][1:], ("sent", 2))
        self.assertIn("HTTP status 500", d.log_text())
        self.assertEqual(d.stop(), 0)

    def test_busy_warehouse_delays_the_evaluation_without_losing_it(self):
        d = self.start(self.config(debounce="1s"))
        d.notify.wait_for("READY=1")
        write_csv(self.data("inbox", "q.csv"), losing_cases())
        self.wait_for(lambda: glob.glob(self.data("archive", "**", "q.csv"), recursive=True),
                      what="q.csv archived")
        # Another writer holds the warehouse longer than the engine's busy
        # timeout (2 s) when the debounced evaluation starts.
        con = sqlite3.connect(self.data("litwatch.db"), isolation_level=None)
        con.execute("BEGIN IMMEDIATE")
        time.sleep(4.0)
        self.assertEqual(self.hooks(), [])
        con.execute("ROLLBACK")
        con.close()
        try:
            self.wait_for(lambda: self.hooks(), what="the webhook POST after the retry")
        except AssertionError:
            raise AssertionError("no webhook POST after the retry; log:\n" + d.log_text())
        d.wait_log("warehouse busy")
        time.sleep(0.5)
        self.assertEqual(len(self.hooks()), 1)
        self.assertEqual(d.stop(), 0)

    def test_idle_cpu_stays_near_zero_with_alerts_configured(self):
        d = self.start(self.config())
        d.notify.wait_for("READY=1")
        time.sleep(1.0)  # the start-up evaluation and drain
        c0 = cpu_seconds(d.proc.pid)
        time.sleep(5.0)
        used = cpu_seconds(d.proc.pid) - c0
        print("\nidle CPU over 5 s: %.3f s" % used)
        self.assertLess(used, 0.05)
        self.assertEqual(d.stop(), 0)


if __name__ == "__main__":
    unittest.main()
