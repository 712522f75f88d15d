"""End to end: agency names in 被告 and 承办单位 resolve through the same
normaliser and alias table; names nobody has confirmed are held (never a new
agency per typo or formula) until an operator maps them, and then every held
row gets its agency.  Through the real `litwatch import`, `litwatch agencies`
and `litwatch evaluate`, configured with --config."""

import csv
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import unittest

from lwtest import BIN, SOURCE_DIR

PROFILES = os.path.join(SOURCE_DIR, "conf", "profiles")
HOTLINE = ["工单编号", "来电时间", "诉求类型", "问题分类", "诉求内容", "承办单位"]
COURT = ["案号", "法院", "案由", "被告", "立案日期", "结案日期", "裁判结果"]


def litwatch(*args, check=0):
    p = subprocess.run([os.path.join(BIN, "litwatch"), *args], capture_output=True, text=True,
                       timeout=120)
    if check is not None and p.returncode != check:
        raise AssertionError("litwatch %s: exit %d (wanted %d)\n%s%s"
                             % (" ".join(args), p.returncode, check, p.stdout, p.stderr))
    return p


class Agencies(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="lw-agencies-")
        self.key = os.path.join(self.dir, "pii.key")
        with open(self.key, "wb") as f:
            f.write(os.urandom(32))
        os.chmod(self.key, 0o600)
        self.db = os.path.join(self.dir, "litwatch.db")
        self.write_config({"市城管局": ["城管局", "市城市管理局"], "市自然资源局": []})

    def tearDown(self):
        shutil.rmtree(self.dir)

    def write_config(self, agencies, **extra):
        self.cfg = os.path.join(self.dir, "litwatch.json")
        doc = {"data_dir": self.dir, "warehouse": "litwatch.db", "profile_dir": PROFILES,
               "pii_key_file": self.key, "agencies": agencies}
        doc.update(extra)
        with open(self.cfg, "w") as f:
            json.dump(doc, f, ensure_ascii=False)

    def write(self, name, header, rows):
        path = os.path.join(self.dir, name)
        with open(path, "w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f, lineterminator="\r\n")
            w.writerow(header)
            w.writerows(rows)
        return path

    def imp(self, profile, path, check=0):
        return json.loads(litwatch("import", "--config", self.cfg, "--profile", profile, "--json",
                                   path, check=check).stdout)

    def q(self, sql, *args):
        con = sqlite3.connect(self.db)
        try:
            return con.execute(sql, args).fetchall()
        finally:
            con.close()

    def tickets(self):
        return self.write("h.csv", HOTLINE, [
            ["GD1", "2024-05-06 09:00", "投诉", "城管执法", "占道经营罚款", "市城管局"],
            ["GD2", "2024-05-06 10:00", "投诉", "城管执法", "占道经营罚款", "城管局"],
            ["GD3", "2024-05-06 11:00", "投诉", "城管执法", "占道经营罚款", "市 城市管理局"],
            ["GD4", "2024-05-07 09:00", "投诉", "城管执法", "噪音", "市城管执法大队"],
            ["GD5", "2024-05-07 10:00", "投诉", "城管执法", "噪音", '=HYPERLINK("http://x","y")'],
        ])

    def test_work_orders_resolve_through_aliases_and_unknown_names_are_held(self):
        out = self.imp("hotline-12345", self.tickets())
        self.assertEqual((out["inserted"], out["unresolved_agencies"]), (5, 2))
        rows = dict(self.q("SELECT t.ticket_no, g.name FROM tickets t LEFT JOIN agencies g "
                           "ON g.id = t.agency_id"))
        self.assertEqual(rows, {"GD1": "市城管局", "GD2": "市城管局", "GD3": "市城管局",
                                "GD4": None, "GD5": None})
        # No agency grew out of the typo or the formula.
        self.assertEqual(sorted(r[0] for r in self.q("SELECT name FROM agencies")), ["市城管局"])
        held = json.loads(litwatch("agencies", "unresolved", "--config", self.cfg,
                                   "--json").stdout)
        self.assertEqual(sorted((h["name"], h["tickets"]) for h in held),
                         [('=HYPERLINK("http://x","y")', 1), ("市城管执法大队", 1)])
        self.assertEqual(self.q("SELECT unresolved FROM imports"), [(2,)])
        # The clerk's report says so.
        rep = litwatch("import", "--db", os.path.join(self.dir, "other.db"), "--config", self.cfg,
                       "--profile", "hotline-12345", "--report", self.tickets()).stdout
        self.assertIn("2 行的机关名称（被告或承办单位）尚未登记", rep)

        # The operator maps the typo: the held work order gets its agency.
        p = litwatch("agencies", "alias", "市城管局", "市城管执法大队", "--config", self.cfg)
        self.assertIn("1 rows now belong to this agency", p.stdout)
        self.assertEqual(self.q("SELECT g.name FROM tickets t JOIN agencies g ON g.id = "
                                "t.agency_id WHERE ticket_no = 'GD4'"), [("市城管局",)])
        held = json.loads(litwatch("agencies", "unresolved", "--config", self.cfg,
                                   "--json").stdout)
        self.assertEqual([h["name"] for h in held], ['=HYPERLINK("http://x","y")'])
        # A later export with the same typo resolves at once.
        f = self.write("h2.csv", HOTLINE, [["GD6", "2024-05-08 09:00", "投诉", "城管执法", "噪音",
                                            "市城管执法大队"]])
        self.assertEqual(self.imp("hotline-12345", f)["unresolved_agencies"], 0)

        # Per-agency 12345 series exist now.
        with open(self.cfg) as fh:
            doc = json.load(fh)
        doc["detect"] = {"rules": [{"name": "t", "method": "ears-c1",
                                    "series": "tickets.weekly.by_category_agency"}]}
        with open(self.cfg, "w") as fh:
            json.dump(doc, fh, ensure_ascii=False)
        out = litwatch("evaluate", "--config", self.cfg, "--now", "2024-05-10", "--no-send").stdout
        self.assertRegex(out, r"^series [1-9]")

    def test_held_defendant_counts_for_its_agency_once_mapped(self):
        f = self.write("c.csv", COURT, [
            ["(2024)鄂9004行初1号", "", "", "市自然资源局", "2024-03-01", "2024-06-01", "撤销被告作出的决定"],
            ["(2024)鄂9004行初2号", "", "", "市自然资源和规划局", "2024-03-02", "2024-06-01",
             "撤销被告作出的决定"],
        ])
        out = self.imp("court-cases", f)
        self.assertEqual(out["unresolved_agencies"], 1)
        self.assertEqual(self.q("SELECT count(*) FROM case_defendants"), [(1,)])
        self.assertEqual(self.q("SELECT name FROM case_defendants_unresolved"),
                         [("市自然资源和规划局",)])
        stats = json.loads(litwatch("stats", "--config", self.cfg, "--period", "2024",
                                    "--format", "json").stdout)
        lost = {r["group"]: r["lost"] for r in stats["groups"]}
        self.assertEqual(lost.get("市自然资源局"), 1)
        # The alias goes into the configuration this time: the next start
        # (here: the next import) resolves what was held.
        self.write_config({"市城管局": ["城管局"], "市自然资源局": ["市自然资源和规划局"]})
        self.imp("court-cases", self.write("empty.csv", COURT, [
            ["(2024)鄂9004行初3号", "", "", "市自然资源局", "2024-03-03", "", ""]]))
        self.assertEqual(self.q("SELECT count(*) FROM case_defendants_unresolved"), [(0,)])
        stats = json.loads(litwatch("stats", "--config", self.cfg, "--period", "2024",
                                    "--format", "json").stdout)
        lost = {r["group"]: r["lost"] for r in stats["groups"]}
        self.assertEqual(lost.get("市自然资源局"), 2)

    def test_without_an_agency_list_new_names_are_accepted_as_before(self):
        self.write_config({})
        out = self.imp("hotline-12345", self.tickets())
        self.assertEqual(out["unresolved_agencies"], 0)
        self.assertEqual(self.q("SELECT count(*) FROM tickets WHERE agency_id IS NULL"), [(0,)])
        # The operator may also hold names without listing agencies.
        self.write_config({}, unknown_agencies="hold")
        f = self.write("h3.csv", HOTLINE, [["GD9", "2024-05-09 09:00", "投诉", "城管执法", "噪音",
                                            "新名称局"]])
        self.assertEqual(self.imp("hotline-12345", f)["unresolved_agencies"], 1)


if __name__ == "__main__":
    unittest.main()
