"""End to end: citizens' personal data (PIPL) never leaves the mapper in
clear.  A 12345 export that carries phone numbers under two aliases, an ID
number in an unknown column, a phone in an ignored 备注 column, phones, ID
and bank numbers inside the free text, a bad row (so that it lands in
`rejects`), and a second export without its header row, go through the real
`litwatch import` and `litwatch evaluate` (a rule on the topic series, a
webhook sink).  Then the raw bytes of everything they wrote — the warehouse
and its WAL, stdout/stderr, the notification bodies — are searched for each
clear value."""

import csv
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import unittest

from lwtest import BIN, SOURCE_DIR
from receivers import HTTPReceiver

PROFILES = os.path.join(SOURCE_DIR, "conf", "profiles")

PHONE_A = "13812345678"      # 来电号码
PHONE_B = "13987654321"      # 联系电话, the second alias of the same field
PHONE_NOTE = "13700001111"   # in the ignored 备注 column
PHONE_TEXT = "13611112222"   # inside 诉求内容
PHONE_TOPIC = "13533334444"  # inside 问题分类: becomes an alert label
ID_COLUMN = "11010519491231002X"   # 身份证号: a column the profile does not know
ID_TEXT = "420106199001011231"     # inside 诉求标题
BANK_TEXT = "6222021234567890128"  # inside 诉求内容
NAME = "王小明"
CLEAR = [PHONE_A, PHONE_B, PHONE_NOTE, PHONE_TEXT, PHONE_TOPIC, ID_COLUMN, ID_TEXT, BANK_TEXT]

HEADER = ["工单编号", "来电时间", "诉求类型", "问题分类", "诉求标题", "诉求内容", "承办单位",
          "来电号码", "联系电话", "来电人", "身份证号", "备注"]


def litwatch(*args, check=None):
    p = subprocess.run([os.path.join(BIN, "litwatch"), *args], capture_output=True, text=True,
                       timeout=120)
    if check is not None and p.returncode != check:
        raise AssertionError("litwatch %s: exit %d (wanted %d)\n%s%s"
                             % (" ".join(args), p.returncode, check, p.stdout, p.stderr))
    return p


class PersonalDataNeverInClear(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="lw-pii-")
        self.db = os.path.join(self.dir, "litwatch.db")
        self.key = os.path.join(self.dir, "pii.key")
        with open(self.key, "wb") as f:
            f.write(os.urandom(32))
        os.chmod(self.key, 0o600)
        self.http = HTTPReceiver()
        self.outputs = []

    def tearDown(self):
        self.http.close()
        if os.environ.get("LW_TEST_KEEP"):
            print("kept", self.dir)
        else:
            shutil.rmtree(self.dir)

    def imp(self, path, check=None):
        p = litwatch("import", "--db", self.db, "--profile", "hotline-12345", "--profile-dir",
                     PROFILES, "--pii-key-file", self.key, "--json", path, check=check)
        self.outputs += [p.stdout, p.stderr]
        return p

    def write(self, name, rows, header=HEADER):
        path = os.path.join(self.dir, name)
        with open(path, "w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f, lineterminator="\r\n")
            if header:
                w.writerow(header)
            w.writerows(rows)
        return path

    def assert_nothing_in_clear(self, blobs):
        for what, data in blobs:
            for v in CLEAR + [NAME]:
                self.assertNotIn(v.encode(), data, "%s holds %s in clear" % (what, v))

    def test_every_copy_of_personal_data_is_hashed_or_masked(self):
        rows = []
        # Eight quiet weeks of one work order each, then a burst on one topic.
        for week in range(8):
            day = 1 + week * 7
            rows.append(["GD%04d" % week, "2024-01-%02d 09:00" % day if day <= 31 else
                         "2024-02-%02d 09:00" % (day - 31), "投诉", "占道经营 %s" % PHONE_TOPIC,
                         "身份证 %s 反映" % ID_TEXT, "请回电 %s，退款到卡 %s" % (PHONE_TEXT, BANK_TEXT),
                         "市城管局", PHONE_A, PHONE_B, NAME, ID_COLUMN, "备用 %s" % PHONE_NOTE])
        for i in range(12):
            rows.append(["GDX%03d" % i, "2024-03-04 10:%02d" % i, "投诉", "占道经营 %s" % PHONE_TOPIC,
                         "标题", "内容 %s" % PHONE_TEXT, "市城管局", "", PHONE_B, NAME, ID_COLUMN,
                         PHONE_NOTE])
        # A bad row: lands in rejects with its raw cells.
        rows.append(["GDBAD", "2024-13-45 99:99", "投诉", "占道 %s" % PHONE_TOPIC,
                     "身份证 %s" % ID_TEXT, "请回电 %s" % PHONE_TEXT, "市城管局", PHONE_A, PHONE_B,
                     NAME, ID_COLUMN, "备注 %s" % PHONE_NOTE])
        out = json.loads(self.imp(self.write("export.csv", rows)).stdout)
        self.assertEqual(out["status"], "partial")
        self.assertEqual((out["inserted"], out["rejected"]), (20, 1))

        # The second alias fills in where the first column is empty: all
        # 20 rows carry a caller hash, and the phone of GDX000 is PHONE_B's.
        con = sqlite3.connect(self.db)
        try:
            self.assertEqual(con.execute("SELECT count(*) FROM tickets WHERE caller_hash IS NOT "
                                         "NULL").fetchone()[0], 20)
            self.assertEqual(con.execute("SELECT caller_mask FROM tickets WHERE ticket_no = "
                                         "'GDX000'").fetchone()[0], "139****4321")
            content, topic, title = con.execute(
                "SELECT content, topic, title FROM tickets WHERE ticket_no = 'GD0000'").fetchone()
            self.assertEqual(content, "请回电 136****2222，退款到卡 6222***********0128")
            self.assertEqual(topic, "占道经营 135****4444")
            self.assertEqual(title, "身份证 4201**********1231 反映")
            raw = json.loads(con.execute("SELECT raw FROM rejects").fetchone()[0])
        finally:
            con.close()
        # rejects.raw: mapped, non-personal columns only.
        self.assertNotIn("身份证号", raw)
        self.assertNotIn("备注", raw)
        self.assertNotIn("来电号码", raw)
        self.assertNotIn("联系电话", raw)
        self.assertNotIn("来电人", raw)
        self.assertEqual(raw["工单编号"], "GDBAD")

        # An export without its header row: the first caller's data is
        # never echoed, and the message says what is wrong.
        headless = self.write("noheader.csv", rows[:3], header=None)
        p = self.imp(headless)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("第一行不是表头", json.loads(p.stdout)["message"])

        # An alert on the topic series: its labels and notification body.
        config = os.path.join(self.dir, "litwatch.json")
        with open(config, "w") as f:
            json.dump({"data_dir": self.dir, "warehouse": "litwatch.db",
                       "pii_key_file": self.key,
                       "detect": {"rules": [{"name": "topic_burst", "method": "ears-c1",
                                             "series": "tickets.weekly.by_topic",
                                             "severity": "warning"}]},
                       "alerts": {"sinks": [{"name": "hook", "type": "webhook",
                                             "url": "http://127.0.0.1:%d/hook" % self.http.port}]}},
                      f, ensure_ascii=False)
        p = litwatch("evaluate", "--config", config, "--now", "2024-03-06", check=0)
        self.outputs += [p.stdout, p.stderr]
        posts = self.http.json_posts("/hook")
        self.assertTrue(posts, "the burst raised no notification:\n" + p.stdout + p.stderr)
        self.assertIn("135****4444", json.dumps(posts, ensure_ascii=False))

        blobs = [("litwatch output", "\n".join(self.outputs).encode()),
                 ("notifications", json.dumps(posts, ensure_ascii=False).encode())]
        for name in sorted(os.listdir(self.dir)):
            if name.startswith("litwatch.db"):
                with open(os.path.join(self.dir, name), "rb") as f:
                    blobs.append((name, f.read()))
        self.assert_nothing_in_clear(blobs)


if __name__ == "__main__":
    unittest.main()
