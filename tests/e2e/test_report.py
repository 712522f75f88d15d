"""End to end: `litwatch report` on a warehouse built by `litwatch import`,
every format read back by a real reader: the XLSX by openpyxl (figures equal
to `litwatch stats`, ranks, flags, native charts over the right ranges), the
CSV by the csv module, the HTML by html.parser, the JSON by json."""

import csv
import html.parser
import io
import json
import os
import re
import shutil
import tempfile
import unittest
import zipfile

import report_fixture as fx
from report_fixture import litwatch

try:
    import openpyxl
except ImportError:  # pragma: no cover - .ci/packages installs python3-openpyxl
    openpyxl = None


def stats(cfg, period, rounding=None):
    args = ["stats", "--config", cfg, "--period", period, "--format", "json"]
    if rounding:
        args += ["--rounding", rounding]
    return json.loads(litwatch(*args).stdout)


def expected_ranking(groups, min_concluded):
    """The ranking rule written independently: loss rate as published,
    then lost, then filed, then the name (code points)."""
    ranked = [g for g in groups if g["concluded"] >= max(min_concluded, 1)
              and g["loss_rate"] is not None]
    ranked.sort(key=lambda g: (-g["loss_rate"], -g["lost"], -g["filed"], g["group"]))
    return [g["group"] for g in ranked]


def xlsx_name(s):
    """What the XLSX shows for a name from outside (formula-like: behind ')."""
    return "'" + s if s and s[0] in "=+-@\t\r" else s


class Report(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="lw-report-")
        cls.cfg = fx.build(cls.dir)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def report(self, fmt, period="2024Q3", *extra, cfg=None):
        out = os.path.join(self.dir, "b-%s-%s.%s" % (period.replace(".", "_"), len(extra), fmt))
        litwatch("report", "--config", cfg or self.cfg, "--period", period, "--format", fmt,
                 "-o", out, *extra)
        return out

    def doc(self, period="2024Q3", *extra, cfg=None):
        with open(self.report("json", period, *extra, cfg=cfg), encoding="utf-8") as f:
            return json.load(f)

    # ---- JSON: data, ranks, flags ------------------------------------------

    def test_json_figures_equal_stats_and_total_is_its_own_object(self):
        d = self.doc()
        st = stats(self.cfg, "2024Q3")
        by = {g["group"]: g for g in d["groups"]}
        for g in st["groups"]:
            for k, v in g.items():
                if k != "group":
                    self.assertEqual(by[g["group"]][k], v, (g["group"], k))
        for k, v in st["total"].items():
            self.assertEqual(d["headline"]["period"][k], v, k)
        self.assertNotIn("(全部 all)", by)
        self.assertEqual(d["headline"]["same_period_last_year"]["filed"],
                         stats(self.cfg, "2023Q3")["total"]["filed"])
        self.assertEqual(d["headline"]["year_to_date"]["filed"],
                         stats(self.cfg, "2024-01..2024-09")["total"]["filed"])
        self.assertEqual(d["headline"]["change_on_last_year"]["filed"],
                         d["headline"]["period"]["filed"]
                         - d["headline"]["same_period_last_year"]["filed"])

    def test_ranking_ties_minimum_concluded_and_agencies_without_cases(self):
        d = self.doc()
        ranked = [g["group"] for g in d["groups"] if g["loss_rate_rank"] is not None]
        self.assertEqual(ranked, expected_ranking(d["groups"], 5))
        # 20 % each: 2 lost before 1 lost; then 12 filed before 10; then the name.
        self.assertEqual(ranked[:3], ["市公安局", "市城管局", "市税务局"])
        self.assertEqual([g["loss_rate_rank"] for g in d["groups"][:len(ranked)]],
                         list(range(1, len(ranked) + 1)))
        by = {g["group"]: g for g in d["groups"]}
        # 2 of 2 lost but below the minimum of 5 concluded: listed, not ranked.
        self.assertIsNone(by["市水利局"]["loss_rate_rank"])
        self.assertEqual((by["市水利局"]["lost"], by["市水利局"]["loss_rate"]), (2, 100.0))
        # A configured agency without any case is listed with zeros: a zero is a result.
        z = by[fx.SILENT]
        self.assertEqual((z["filed"], z["concluded"], z["lost"], z["loss_rate"]), (0, 0, 0, None))
        # With the minimum lowered, the small agencies rank first.
        d1 = self.doc("2024Q3", "--min-concluded", "1")
        self.assertEqual([g["group"] for g in d1["groups"] if g["loss_rate_rank"]][:2],
                         expected_ranking(d1["groups"], 1)[:2])
        self.assertEqual(d1["groups"][0]["loss_rate"], 100.0)

    def test_annual_top3_and_highest_growth_are_flagged(self):
        d = self.doc()
        ytd = sorted((g for g in d["groups"] if g["year_to_date"]["loss_rate_rank"]),
                     key=lambda g: g["year_to_date"]["loss_rate_rank"])
        top = {g["group"] for g in ytd[:3]}
        self.assertEqual({g["group"] for g in d["groups"] if g["not_excellent"]}, top)
        # 市城管局: 6 lost of 15 concluded this year, the highest annual rate.
        self.assertEqual(ytd[0]["group"], "市城管局")
        self.assertEqual(ytd[0]["year_to_date"]["loss_rate"], 40.0)
        growth = [g for g in d["groups"] if g["highest_growth"]]
        self.assertEqual(len(growth), 1)
        best = max((g for g in d["groups"] if g["year_to_date"]["yoy_filed_growth"] is not None),
                   key=lambda g: g["year_to_date"]["yoy_filed_growth"])
        self.assertEqual(growth[0]["group"], best["group"])

    def test_quarter_without_any_data_lists_every_agency_and_ranks_nobody(self):
        d = self.doc("2019Q1")
        self.assertEqual(d["headline"]["period"]["filed"], 0)
        self.assertIsNone(d["headline"]["period"]["loss_rate"])
        self.assertTrue(all(g["loss_rate_rank"] is None for g in d["groups"]))
        self.assertIn(fx.SILENT, [g["group"] for g in d["groups"]])
        self.assertGreaterEqual(len(d["groups"]), 9)
        self.assertEqual(d["lost_cases"], [])
        for fmt in ("xlsx", "html", "csv"):
            self.assertGreater(os.path.getsize(self.report(fmt, "2019Q1")), 0)

    def test_periods_across_a_year_boundary_ytd_and_the_previous_period(self):
        d = self.doc("2023-11..2024-08")
        self.assertEqual(d["period"], {"label": "2023-11..2024-08", "start": "2023-11-01",
                                       "last": "2024-08-31", "months": 10})
        self.assertEqual(d["same_period_last_year"]["label"], "2022-11..2023-08")
        self.assertEqual(d["previous_period"]["label"], "2023-01..2023-10")
        self.assertEqual(d["year_to_date"]["label"], "2024-01..2024-08")
        self.assertEqual(d["headline"]["period"]["filed"],
                         stats(self.cfg, "2023-11..2024-08")["total"]["filed"])
        q1 = self.doc("2024Q1")
        self.assertEqual(q1["previous_period"]["label"], "2023Q4")
        h = self.doc("2024H2")
        self.assertEqual((h["period"]["start"], h["period"]["last"]), ("2024-07-01", "2024-12-31"))
        # The same range written as a quarter gets the quarter's label.
        self.assertEqual(self.doc("2024-07..2024-09")["period"]["label"], "2024Q3")
        self.assertEqual(self.doc("ytd")["period"]["start"][5:], "01-01")
        bad = litwatch("report", "--config", self.cfg, "--period", "2024Q5", "--format", "json",
                       "-o", os.path.join(self.dir, "x.json"), check=2)
        self.assertIn("expected 2024, 2024H1, 2024Q3", bad.stderr)

    def test_same_warehouse_gives_the_same_bytes(self):
        a = self.report("json")
        with open(a, "rb") as f:
            first = f.read()
        with open(self.report("json"), "rb") as f:
            self.assertEqual(f.read(), first)

    def test_lost_cases_hotline_and_completeness(self):
        d = self.doc()
        lost = d["lost_cases"]
        self.assertEqual(len(lost), d["headline"]["period"]["lost"])
        self.assertEqual(sorted(lost, key=lambda c: (c["concluded_date"], c["case_no"])), lost)
        self.assertTrue(all(c["outcome"] == "revoked" for c in lost))
        h = {x["agency"]: x for x in d["hotline"]["agencies"]}
        # 20 enforcement work orders for 城管 (the 社保 one is not enforcement), 2/3 complaints.
        self.assertEqual(h["市城管局"]["enforcement"], 20)
        self.assertEqual(h["市城管局"]["complaints"], 13)
        self.assertEqual(h["市城管局"]["enforcement_last_year"], 8)
        self.assertEqual(h["市城管局"]["suits_filed"], 10)
        self.assertEqual(h["市自然资源局"]["enforcement"], 10)
        c = d["completeness"]
        self.assertFalse(c["complete"])
        self.assertEqual(c["silent_agencies"], [fx.SILENT])
        self.assertEqual([s["source"] for s in c["sources"]], ["cli"])

    # ---- the Qianjiang check in every format ------------------------------

    def test_qianjiang_half_up_and_truncated_in_every_format(self):
        trunc = os.path.join(self.dir, "trunc.json")
        with open(self.cfg, encoding="utf-8") as f:
            doc = json.load(f)
        doc["rounding"] = "truncate"
        with open(trunc, "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False)
        for cfg, want in ((self.cfg, "2.78"), (trunc, "2.77")):
            d = self.doc(cfg=cfg)
            g = [x for x in d["groups"] if x["group"] == "市自然资源局"][0]
            self.assertEqual((g["filed"], g["concluded"], g["lost"]), (51, 36, 1))
            self.assertEqual(g["loss_rate"], float(want))
            with open(self.report("csv", cfg=cfg), encoding="utf-8-sig") as f:
                rows = [r for r in csv.reader(f) if r and r[1:2] == ["市自然资源局"]]
            self.assertEqual(rows[0][8], want)
            with open(self.report("html", cfg=cfg), encoding="utf-8") as f:
                page = f.read()
            row = re.search(r"<tr[^>]*><td class=\"n\">\d+</td><td>市自然资源局</td>.*?</tr>", page)
            self.assertIn(">%s%%" % want, row.group(0))
            if openpyxl:
                ws = openpyxl.load_workbook(self.report("xlsx", cfg=cfg))["排名"]
                for r in ws.iter_rows(min_row=3, values_only=True):
                    if r[1] == "市自然资源局":
                        self.assertEqual("%.2f" % (r[8] * 100), want)

    # ---- XLSX read back by openpyxl ---------------------------------------

    @unittest.skipUnless(openpyxl, "python3-openpyxl is not installed")
    def test_xlsx_sheets_headers_figures_ranks_flags_and_charts(self):
        path = self.report("xlsx")
        d = self.doc()
        st = {g["group"]: g for g in stats(self.cfg, "2024Q3")["groups"]}
        wb = openpyxl.load_workbook(path)
        self.assertEqual(wb.sheetnames, ["通报", "排名", "败诉案件", "12345与诉讼", "时限", "逾期事项",
                                         "数据完整性", "月度"])
        ws = wb["排名"]
        head = [c.value for c in ws[1]]
        self.assertEqual(head[:9], ["败诉率排名", "单位", "新收案件", "上年同期新收", "新收同比增长",
                                    "增长排名", "审结", "败诉", "败诉率"])
        self.assertEqual(ws.freeze_panes, "C3")
        self.assertEqual(ws.print_title_rows, "$1:$2")
        self.assertEqual(ws.page_setup.orientation, "landscape")
        self.assertEqual(str(ws.page_setup.paperSize), "9")
        col = {h: i for i, h in enumerate(head)}
        rows = list(ws.iter_rows(min_row=3, values_only=True))
        self.assertEqual(len(rows), len(d["groups"]))
        for r, g in zip(rows, d["groups"]):
            self.assertEqual(r[col["单位"]], xlsx_name(g["group"]))
            s = st.get(g["group"])
            if s is None:  # no case at all: zeros
                self.assertEqual(r[col["新收案件"]], 0)
                continue
            self.assertEqual(r[col["新收案件"]], s["filed"])
            self.assertEqual(r[col["审结"]], s["concluded"])
            self.assertEqual(r[col["败诉"]], s["lost"])
            self.assertEqual(r[col["调撤"]], s["withdrawn_mediated"])
            if s["loss_rate"] is None:
                self.assertEqual(r[col["败诉率"]], "—")
            else:
                self.assertAlmostEqual(r[col["败诉率"]] * 100, s["loss_rate"], places=9)
            self.assertEqual(r[col["败诉率排名"]], g["loss_rate_rank"])
            self.assertEqual(r[col["不得评为优秀"]] == "是", g["not_excellent"])
            self.assertEqual(r[col["发案增长最高"]] == "是", g["highest_growth"])
        self.assertEqual(ws.cell(3, col["败诉率"] + 1).number_format, "0.00%")
        # Conditional formats: the flagged rows, and a data bar on the loss rate.
        kinds = sorted(r.type for rng in ws.conditional_formatting for r in rng.rules)
        self.assertEqual(kinds, ["dataBar", "expression", "expression"])
        # Native charts over the right ranges.
        nranked = sum(1 for g in d["groups"] if g["loss_rate_rank"])
        with zipfile.ZipFile(path) as z:
            charts = sorted(n for n in z.namelist() if re.match(r"xl/charts/chart\d+\.xml", n))
            self.assertEqual(len(charts), 2)
            bar, line = (z.read(n).decode() for n in charts)
        self.assertIn("<c:barChart>", bar)
        self.assertIn("<c:f>'排名'!$B$3:$B$%d</c:f>" % (nranked + 2), bar)
        self.assertIn("<c:f>'排名'!$I$3:$I$%d</c:f>" % (nranked + 2), bar)
        self.assertIn("<c:lineChart>", line)
        self.assertIn("<c:f>'月度'!$B$2:$B$13</c:f>", line)
        self.assertIn("<c:f>'月度'!$C$2:$C$13</c:f>", line)
        m = wb["月度"]
        self.assertEqual([m.cell(i, 3).value for i in range(2, 14)], d["monthly_filed"]["last_year"])
        # First page: the warning that data is missing.
        first = [c for row in wb["通报"].iter_rows(max_row=4, values_only=True) for c in row if c]
        self.assertTrue(any("数据不完整" in c for c in first), first)

    # ---- hostile names and causes come out inert --------------------------

    def test_hostile_names_are_inert_in_every_format(self):
        # CSV: never a formula cell.
        with open(self.report("csv"), encoding="utf-8-sig") as f:
            text = f.read()
        for row in csv.reader(io.StringIO(text)):
            for cell in row:
                self.assertFalse(cell[:1] in ("=", "+", "-", "@") and not re.match(r"^-\d", cell),
                                 "formula cell in the CSV: %r" % cell)
        self.assertIn("'" + fx.EVIL_AGENCY.replace(" ", ""), text)
        # HTML: no element, attribute or script from the data.
        with open(self.report("html"), encoding="utf-8") as f:
            page = f.read()
        tags = []

        class P(html.parser.HTMLParser):
            def handle_starttag(self, tag, attrs):
                tags.append((tag, attrs))
        P().feed(page)
        self.assertNotIn("script", [t for t, _ in tags])
        self.assertNotIn("img", [t for t, _ in tags])
        self.assertFalse(any(a.startswith("on") for _, attrs in tags for a, _ in attrs))
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;局", page)
        self.assertFalse(any(a in ("href", "src") for _, attrs in tags for a, _ in attrs))
        self.assertIn("default-src 'none'", page)
        # XLSX: string cells only, no formula anywhere.
        path = self.report("xlsx")
        with zipfile.ZipFile(path) as z:
            for n in z.namelist():
                if n.startswith("xl/worksheets/sheet"):
                    self.assertNotIn("<f>", z.read(n).decode(), n)
        if openpyxl:
            ws = openpyxl.load_workbook(path)["败诉案件"]
            cells = [c for row in ws.iter_rows(min_row=3) for c in row if c.value]
            self.assertTrue(all(c.data_type in ("s", "n") for c in cells))
            self.assertIn(fx.EVIL_CAUSE, [c.value for c in cells])
        # JSON: the names as data, unchanged.
        names = [g["group"] for g in self.doc()["groups"]]
        self.assertIn(fx.SCRIPT_AGENCY, names)

    def test_deadlines_section_gives_the_on_time_rate_and_lists_what_was_late(self):
        d = tempfile.mkdtemp(prefix="lw-report-dl-")
        try:
            with open(os.path.join(fx.SOURCE_DIR, "conf", "litwatch.json"), encoding="utf-8") as f:
                rules = json.load(f)["deadlines"]
            key = os.path.join(d, "pii.key")
            with open(key, "wb") as f:
                f.write(os.urandom(32))
            os.chmod(key, 0o600)
            cfg = os.path.join(d, "litwatch.json")
            with open(cfg, "w", encoding="utf-8") as f:
                json.dump({"data_dir": d, "warehouse": "litwatch.db", "profile_dir": fx.PROFILES,
                           "pii_key_file": key, "deadlines": rules}, f, ensure_ascii=False)
            src = os.path.join(d, "cases.csv")
            with open(src, "w", encoding="utf-8-sig", newline="") as f:
                w = csv.writer(f)
                w.writerow(["案号", "被告", "立案日期", "收到应诉通知书日期", "报备日期"])
                # papers on Monday 09-02: report due 09-05 (3 working days)
                w.writerow(["(2024)鄂9004行初61号", "市公安局", "2024-09-01", "2024-09-02",
                            "2024-09-10"])  # late by 5 days
                w.writerow(["(2024)鄂9004行初62号", "市公安局", "2024-09-01", "2024-09-02",
                            "2024-09-04"])  # met
                w.writerow(["(2024)鄂9004行初63号", "市公安局", "2024-09-18", "2024-09-20",
                            ""])            # due 09-25, still not reported at the quarter's end
            litwatch("import", "--config", cfg, "--profile", "court-cases", src)
            litwatch("deadlines", "--config", cfg, "--format", "json")  # stores the obligations
            out = os.path.join(d, "b.json")
            litwatch("report", "--config", cfg, "--period", "2024Q3", "--format", "json", "-o", out)
            with open(out, encoding="utf-8") as f:
                dl = json.load(f)["deadlines"]
            late = {(r["case_no"], r["rule"]): r for r in dl["late_or_overdue"]}
            self.assertEqual(late[("(2024)鄂9004行初61号", "report-new-suit")]["state"], "late")
            self.assertEqual(late[("(2024)鄂9004行初61号", "report-new-suit")]["days_late"], 5)
            self.assertEqual(late[("(2024)鄂9004行初63号", "report-new-suit")]["state"], "overdue")
            self.assertNotIn(("(2024)鄂9004行初62号", "report-new-suit"), late)
            ga = [a for a in dl["agencies"] if a["agency"] == "市公安局"][0]
            self.assertGreaterEqual(ga["met"], 1)
            self.assertGreaterEqual(ga["late"], 1)
            self.assertGreaterEqual(ga["overdue"], 1)
            denom = ga["met"] + ga["late"] + ga["overdue"]
            self.assertAlmostEqual(ga["on_time_rate"], round(100.0 * ga["met"] / denom, 2))
            if openpyxl:
                x = os.path.join(d, "b.xlsx")
                litwatch("report", "--config", cfg, "--period", "2024Q3", "--format", "xlsx",
                         "-o", x)
                ws = openpyxl.load_workbook(x)["时限"]
                self.assertIn("按时报备率", [c.value for row in ws.iter_rows(max_row=5) for c in row])
        finally:
            shutil.rmtree(d)

    def test_stats_json_and_report_json_agree_on_the_total(self):
        st = stats(self.cfg, "2024Q3")
        self.assertEqual(set(st), {"period", "start", "last", "by", "rounding",
                                   "withdrawn_after_change_is_loss", "groups", "total"})
        self.assertNotIn("group", st["total"])


if __name__ == "__main__":
    unittest.main()
