"""End to end: `litwatch evaluate` raises an alert from warehouse rows and
delivers it to loopback receivers (webhook JSON, WeCom robot, e-mail over
SMTP with STARTTLS); a second run repeats nothing; a failing webhook is
retried later; `litwatch alerts` lists, acknowledges and silences."""

import base64
import email
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
import unittest

from receivers import HTTPReceiver, SMTPReceiver, make_cert

BIN = os.environ.get("LW_BIN_DIR", "")
SOURCE_DIR = os.environ.get("LW_SOURCE_DIR", "")


def litwatch(*args, check=True):
    p = subprocess.run([os.path.join(BIN, "litwatch")] + list(args), capture_output=True,
                       text=True, timeout=60)
    if check and p.returncode != 0:
        raise AssertionError("litwatch %s: exit %d\n%s%s" % (" ".join(args), p.returncode,
                                                           p.stdout, p.stderr))
    return p


class AlertsEndToEnd(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="lw-alerts-")
        self.db = os.path.join(self.dir, "litwatch.db")
        shutil.copy(os.path.join(SOURCE_DIR, "tests/fixtures/warehouse/v1.db"), self.db)
        litwatch("alerts", "list", "--db", self.db, check=False)
        self.http = HTTPReceiver()
        cert, key = make_cert(self.dir)
        self.smtp = SMTPReceiver(cert, key)
        with open(os.path.join(self.dir, "smtp.pass"), "w") as f:
            f.write("s3cret\n")
        os.chmod(os.path.join(self.dir, "smtp.pass"), 0o600)  # a password: others may not read it
        self.config = os.path.join(self.dir, "litwatch.json")
        with open(self.config, "w") as f:
            json.dump({
                "data_dir": self.dir,
                "warehouse": "litwatch.db",
                "detect": {"rules": [{"name": "loss_rate_high", "method": "loss-rate",
                                      "above_percent": 10, "min_concluded": 5,
                                      "severity": "critical"}]},
                "alerts": {
                    "retry": {"initial": "1s", "max": "1m", "max_attempts": 3},
                    "sinks": [
                        {"name": "hook", "type": "webhook",
                         "url": "http://127.0.0.1:%d/hook" % self.http.port},
                        {"name": "wx", "type": "wecom",
                         "url": "http://127.0.0.1:%d/wecom?key=k" % self.http.port},
                        {"name": "mail", "type": "email",
                         "url": "smtp://127.0.0.1:%d" % self.smtp.port,
                         "from": "litwatch@sfj.example.gov.cn",
                         "to": ["fazhi@sfj.example.gov.cn"], "ca_file": cert,
                         "username": "litwatch", "password_file": "smtp.pass"},
                    ]},
            }, f, ensure_ascii=False)
        # The fixture is schema v1: the writer upgrades it on first open.
        litwatch("evaluate", "--config", self.config, "--now", "2000-01-01", "--no-send")
        con = sqlite3.connect(self.db)
        # Start from the fixture's schema only: its sample rows would add alerts.
        con.execute("DELETE FROM case_defendants")
        con.execute("DELETE FROM field_provenance")
        con.execute("DELETE FROM conflicts")
        con.execute("DELETE FROM cases")
        con.execute("DELETE FROM alerts")
        con.execute("INSERT OR IGNORE INTO agencies(name) VALUES ('市自然资源和规划局')")
        aid = con.execute("SELECT id FROM agencies WHERE name = '市自然资源和规划局'").fetchone()[0]
        for i in range(10):
            no = "(2024)鄂9004行初%d号" % (i + 1)
            con.execute("INSERT INTO cases(case_no, case_no_raw, filed_date, concluded_date, "
                        "outcome, source) VALUES (?, ?, '2024-01-10', '2024-05-20', ?, 'e2e')",
                        (no, no, "revoked" if i < 2 else "claims_rejected"))
            con.execute("INSERT INTO case_defendants(case_no, agency_id, source) VALUES (?, ?, "
                        "'e2e')", (no, aid))
        con.commit()
        con.close()

    def tearDown(self):
        self.http.close()
        self.smtp.close()
        shutil.rmtree(self.dir)

    def test_alert_reaches_webhook_wecom_and_smtp_once(self):
        out = litwatch("evaluate", "--config", self.config, "--now", "2024-06-30").stdout
        self.assertIn("transitions 1", out)
        self.assertIn("notifications queued 3", out)
        hooks = self.http.json_posts("/hook")
        self.assertEqual(len(hooks), 1)
        doc = hooks[0]
        self.assertEqual(doc["status"], "firing")
        self.assertEqual(doc["version"], "4")
        self.assertIsInstance(doc["notificationId"], int)
        alert = doc["alerts"][0]
        self.assertEqual(alert["labels"]["agency"], "市自然资源和规划局")
        self.assertEqual(alert["labels"]["rule"], "loss_rate_high")
        self.assertEqual(alert["period"], "2024Q2")
        self.assertAlmostEqual(alert["value"], 20.0)
        hdr = [p for p in self.http.posts if p["path"] == "/hook"][0]["headers"]
        self.assertEqual(hdr["X-Litwatch-Notification-Id"], str(doc["notificationId"]))

        wx = self.http.json_posts("/wecom")
        self.assertEqual(len(wx), 1)
        self.assertEqual(wx[0]["msgtype"], "markdown")
        self.assertIn("【litwatch 预警】1 条触发", wx[0]["markdown"]["content"])
        self.assertIn("市自然资源和规划局 2024Q2 败诉率 20.00%", wx[0]["markdown"]["content"])

        self.assertEqual(len(self.smtp.mails), 1)
        m = self.smtp.mails[0]
        self.assertTrue(m["tls"], "mail must go after STARTTLS")
        self.assertEqual(m["rcpt"], ["<fazhi@sfj.example.gov.cn>"])
        msg = email.message_from_bytes(m["data"])
        subject = str(email.header.make_header(email.header.decode_header(msg["Subject"])))
        self.assertIn("litwatch 预警", subject)
        body = base64.b64decode(msg.get_payload()).decode()
        self.assertIn("市自然资源和规划局", body)

        # Run again at the same time: nothing new is queued or sent.
        out = litwatch("evaluate", "--config", self.config, "--now", "2024-06-30").stdout
        self.assertIn("notifications queued 0", out)
        self.assertIn("handed to sinks: 0", out)
        self.assertEqual(len(self.http.posts), 2)
        self.assertEqual(len(self.smtp.mails), 1)

        # The CLI sees it, acknowledges it, silences it.
        lst = litwatch("alerts", "list", "--db", self.db).stdout
        self.assertIn("firing", lst)
        self.assertIn("loss_rate_high", lst)
        show = litwatch("alerts", "show", "1", "--db", self.db).stdout
        self.assertIn("hook:sent", show)
        self.assertIn("mail:sent", show)
        self.assertIn("acknowledged", litwatch("alerts", "ack", "1", "--by", "王科长", "--db",
                                               self.db).stdout)
        out = litwatch("alerts", "silence", "--match", "agency=市自然资源和规划局", "--for", "2h",
                       "--comment", "已知", "--db", self.db).stdout
        self.assertIn("silence 1 until", out)
        self.assertIn("市自然资源和规划局", litwatch("alerts", "silences", "--db", self.db).stdout)
        litwatch("alerts", "unsilence", "1", "--db", self.db)
        bad = litwatch("alerts", "silence", "--match", "no_equals", "--for", "2h", "--comment",
                       "x", "--db", self.db, check=False)
        self.assertEqual(bad.returncode, 2)
        self.assertIn("expected name=value", bad.stderr)

    def test_failing_webhook_is_retried_not_lost(self):
        self.http.status = 500
        out = litwatch("evaluate", "--config", self.config, "--now", "2024-06-30").stdout
        self.assertIn("notifications queued 3", out)
        con = sqlite3.connect(self.db)
        row = con.execute("SELECT state, attempts, last_error FROM notifications "
                          "WHERE sink = 'hook'").fetchone()
        self.assertEqual(row[0], "queued")
        self.assertEqual(row[1], 1)
        self.assertIn("HTTP status 500", row[2])
        con.close()
        self.http.status = 200
        # The next run, past the 1 s backoff, delivers it, once (and nothing
        # else: the repeat interval, 24 h, has not passed).
        time.sleep(1.5)
        litwatch("evaluate", "--config", self.config, "--now", "2024-06-30T00:10:00Z")
        hooks = self.http.json_posts("/hook")
        self.assertEqual(len(hooks), 2)
        self.assertEqual(hooks[0]["notificationId"], hooks[1]["notificationId"])
        con = sqlite3.connect(self.db)
        self.assertEqual(con.execute("SELECT state, attempts FROM notifications WHERE sink = "
                                     "'hook'").fetchone(), ("sent", 2))
        con.close()


if __name__ == "__main__":
    unittest.main()
