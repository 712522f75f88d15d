"""End to end: `litwatch import` and `litwatch stats` on real files (CSV as
Excel writes it, .xlsx made by openpyxl) into a real SQLite warehouse."""

import csv
import io
import json
import os
import sqlite3
import subprocess
import unittest

from lwtest import BIN, SOURCE_DIR, DaemonTestCase

PROFILES = os.path.join(SOURCE_DIR, "conf", "profiles")


def litwatch(*args, check=None):
    p = subprocess.run([os.path.join(BIN, "litwatch"), *args], capture_output=True, text=True,
                       timeout=300)
    if check is not None and p.returncode != check:
        raise AssertionError("exit %d (wanted %d)\nstdout: %s\nstderr: %s"
                             % (p.returncode, check, p.stdout, p.stderr))
    return p


def write_csv(path, header, rows, encoding="utf-8-sig"):
    with open(path, "w", encoding=encoding, newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(header)
        w.writerows(rows)


COURT_HEADER = ["案号", "法院", "案由", "原告", "被告", "立案日期", "结案日期", "裁判结果", "负责人出庭"]


class ImportAndStats(DaemonTestCase):

    def setUp(self):
        super().setUp()
        self.db = os.path.join(self.dir, "w.db")
        self.key = os.path.join(self.dir, "pii.key")
        with open(self.key, "wb") as f:
            f.write(os.urandom(32))
        os.chmod(self.key, 0o600)

    def imp(self, profile, *files, check=None, extra=()):
        return litwatch("import", "--db", self.db, "--profile", profile, "--profile-dir", PROFILES,
                        "--pii-key-file", self.key, "--json", *extra, *files, check=check)

    def query(self, sql, *args):
        con = sqlite3.connect(self.db)
        try:
            return con.execute(sql, args).fetchall()
        finally:
            con.close()

    def test_qianjiang_2023_loss_rate_half_up_and_truncated(self):
        # 51 filed in 2023; 36 concluded in 2023, one of them lost.
        rows = []
        for i in range(1, 52):
            concluded = i <= 36
            outcome = ("判决撤销被诉行政行为" if i == 1 else "判决驳回原告的诉讼请求") if concluded else ""
            rows.append(["(2023)鄂9005行初%d号" % i, "潜江市人民法院", "行政处罚", "张三",
                         "潜江市自然资源和规划局", "2023-02-%02d" % (i % 28 + 1),
                         "2023-11-%02d" % (i % 28 + 1) if concluded else "", outcome, "是"])
        f = os.path.join(self.dir, "qj.csv")
        write_csv(f, COURT_HEADER, rows)
        out = json.loads(self.imp("court-cases", f, check=0).stdout)
        self.assertEqual((out["rows"], out["inserted"], out["rejected"]), (51, 51, 0))
        for rounding, want in (("half-up", 2.78), ("truncate", 2.77)):
            st = json.loads(litwatch("stats", "--db", self.db, "--by", "agency", "--period", "2023",
                                     "--rounding", rounding, "--format", "json", check=0).stdout)
            g = [x for x in st["groups"] if x["group"] == "潜江市自然资源和规划局"][0]
            self.assertEqual((g["filed"], g["concluded"], g["lost"]), (51, 36, 1))
            # The total is its own object, never a group.
            self.assertNotIn("(全部 all)", [x["group"] for x in st["groups"]])
            self.assertEqual((st["total"]["filed"], st["total"]["lost"]), (51, 1))
            self.assertEqual(st["total"]["loss_rate"], want)
            self.assertEqual((st["period"], st["rounding"]), ("2023", rounding))
            self.assertEqual(g["loss_rate"], want)
            self.assertEqual(g["head_appearance_rate"], 100.0)
        # The plaintiff's name is never stored in clear.
        self.assertEqual(self.query("SELECT count(*) FROM cases WHERE plaintiff_mask = '张*'"),
                         [(51,)])
        with open(self.db, "rb") as fh:
            self.assertNotIn("张三".encode(), fh.read())

    def test_same_bytes_twice_import_nothing_and_say_so(self):
        f = os.path.join(self.dir, "a.csv")
        write_csv(f, COURT_HEADER, [["(2024)京0105行初1号", "朝阳区法院", "", "", "北京市朝阳区城管委",
                                     "2024-01-05", "", "", ""]])
        first = json.loads(self.imp("court-cases", f, check=0).stdout)
        again = json.loads(self.imp("court-cases", f, check=0).stdout)
        self.assertEqual(first["status"], "ok")
        self.assertEqual(again["status"], "duplicate")
        self.assertEqual(again["duplicate_of"], first["import_id"])
        self.assertEqual(again["rows"], 0)
        self.assertEqual(self.query("SELECT count(*) FROM cases"), [(1,)])
        text = litwatch("import", "--db", self.db, "--profile", "court-cases", "--profile-dir",
                        PROFILES, f, check=0).stdout
        self.assertIn("same bytes imported before: nothing changed", text)

    def test_bad_rows_are_listed_and_good_rows_land(self):
        f = os.path.join(self.dir, "bad.csv")
        write_csv(f, COURT_HEADER, [
            ["(2024)鄂9004行初15号", "", "", "", "市自然资源局", "2024-03-01", "", "", ""],
            ["不是案号", "", "", "", "市自然资源局", "2024-03-01", "", "", ""],
            ["(2024)鄂9004行初16号", "", "", "", "市自然资源局", "2024-02-30", "", "", ""],
            ["(2024)鄂9004行初17号", "", "", "", "", "2024-03-01", "", "", "否"],
        ])
        p = self.imp("court-cases", f, check=1)
        out = json.loads(p.stdout)
        self.assertEqual((out["status"], out["rows"], out["inserted"], out["rejected"]),
                         ("partial", 4, 1, 3))
        errs = {(e["row"], e["column"], e["field"]) for e in out["errors"]}
        self.assertIn((3, "A 案号", "case_no"), errs)
        self.assertIn((4, "F 立案日期", "filed_date"), errs)
        self.assertIn((5, "E 被告", "defendant"), errs)
        self.assertEqual(self.query("SELECT count(*) FROM rejects"), [(3,)])
        self.assertEqual(self.query("SELECT source_row, source_column FROM rejects ORDER BY 1"),
                         [(3, "A 案号"), (4, "F 立案日期"), (5, "E 被告")])
        rep = litwatch("import", "--db", os.path.join(self.dir, "fresh.db"), "--profile",
                       "court-cases", "--profile-dir", PROFILES, "--report", f, check=1).stdout
        self.assertIn("第 4 行，F 立案日期 列：2月没有30日（2024年2月只有29天）", rep)
        self.assertIn("row 4, column F 立案日期", rep)

    def test_missing_required_column_rejects_the_file_listing_headers(self):
        f = os.path.join(self.dir, "nocase.csv")
        write_csv(f, ["序号", "被告", "立案日期"], [["1", "市公安局", "2024-01-01"]])
        p = self.imp("court-cases", f, check=2)
        out = json.loads(p.stdout)
        self.assertEqual(out["status"], "rejected")
        self.assertIn("missing required column for case_no", out["message"])
        self.assertIn("accepted names: 案号, 案件编号", out["message"])
        self.assertIn("headers found: 序号, 被告, 立案日期", out["message"])
        self.assertEqual(self.query("SELECT status FROM imports"), [("rejected",)])

    def test_stats_csv_cells_from_spreadsheets_never_become_formulas(self):
        # A clerk's 被告 cell that Excel would run as a formula (CSV injection).
        f = os.path.join(self.dir, "evil.csv")
        evil = '=HYPERLINK("http://evil.example/x","点击")'
        write_csv(f, COURT_HEADER, [
            ["(2024)鄂9004行初31号", "", "", "", evil, "2024-03-01", "", "", ""],
            ["(2024)鄂9004行初32号", "", "", "", "+SUM(1,2)", "2024-03-02", "", "", ""],
            ["(2024)鄂9004行初33号", "", "", "", "@cmd", "2024-03-03", "", "", ""],
        ])
        self.imp("court-cases", f, check=0)
        out = litwatch("stats", "--db", self.db, "--period", "2024", "--format", "csv",
                       check=0).stdout
        rows = list(csv.reader(io.StringIO(out)))
        groups = [r[0] for r in rows[1:]]
        for g in groups:
            self.assertFalse(g[:1] in ("=", "+", "-", "@"), "formula cell in the CSV: %r" % g)
        self.assertIn("'" + evil, groups)
        self.assertIn("'+SUM(1,2)", groups)
        self.assertIn("'@cmd", groups)

    def test_two_files_disagreeing_on_the_defendant_is_a_conflict_not_two_principals(self):
        f1 = os.path.join(self.dir, "gaj.csv")
        f2 = os.path.join(self.dir, "cgj.csv")
        write_csv(f1, COURT_HEADER, [["(2024)鄂9004行初41号", "", "", "", "市公安局", "2024-03-01",
                                      "", "", ""]])
        write_csv(f2, COURT_HEADER, [["(2024)鄂9004行初41号", "", "", "", "市城管局", "2024-03-01",
                                      "", "", ""]])
        self.imp("court-cases", f1, check=0)
        rep = litwatch("import", "--db", self.db, "--profile", "court-cases", "--profile-dir",
                       PROFILES, "--report", f2, check=0).stdout
        self.assertIn("此前报送的被告是「市公安局」，本文件填的是「市城管局」，已记录为冲突", rep)
        self.assertEqual(self.query("SELECT count(*) FROM case_defendants WHERE role = 'principal'"),
                         [(1,)])
        self.assertEqual(self.query("SELECT table_name, field, value_kept, value_other FROM "
                                    "conflicts"),
                         [("case_defendants", "principal", "市公安局", "市城管局")])

    def test_clerk_reports_say_in_chinese_what_is_wrong_with_the_file(self):
        files = {
            "empty.csv": b"",
            "scan.pdf": b"%PDF-1.4\n1 0 obj\n",
            "export.xls": b"<html><body><table><tr><td>x</td></tr></table></body></html>",
            "broken.xlsx": b"PK\x03\x04" + b"\x00" * 64,
        }
        want = {
            "empty.csv": "文件是空的",
            "scan.pdf": "这是 PDF 文件，不是表格",
            "export.xls": "这是网页文件，不是真正的表格",
            "broken.xlsx": "文件已损坏",
        }
        for name, data in files.items():
            path = os.path.join(self.dir, name)
            with open(path, "wb") as f:
                f.write(data)
            rep = litwatch("import", "--db", self.db, "--profile", "court-cases", "--profile-dir",
                           PROFILES, "--report", path, check=2).stdout
            self.assertIn(want[name], rep, name)
            self.assertNotIn("请按上面的说明更正", rep.split("怎么办")[0], name)

    def test_form_footer_lines_are_skipped_and_listed_once(self):
        f = os.path.join(self.dir, "form.csv")
        write_csv(f, COURT_HEADER, [
            ["(2024)鄂9004行初51号", "", "", "", "市公安局", "2024-03-01", "", "", ""],
            ["填表人：王五    联系电话：13812345678", "", "", "", "", "", "", "", ""],
            ["审核人：", "", "", "", "", "", "", "", ""],
            ["填报单位（盖章）", "", "", "", "", "", "", "", ""],
        ])
        p = litwatch("import", "--db", self.db, "--profile", "court-cases", "--profile-dir",
                     PROFILES, "--report", f, check=0)
        self.assertIn("已全部导入", p.stdout)
        self.assertIn("已跳过表格下方的签名栏（填表人、审核人等），不是数据：第 3、4、5 行", p.stdout)
        self.assertNotIn("13812345678", p.stdout)
        self.assertEqual(self.query("SELECT count(*) FROM rejects"), [(0,)])

    def test_co_defendants_each_count_and_aliases_resolve(self):
        f = os.path.join(self.dir, "co.csv")
        write_csv(f, COURT_HEADER, [
            ["（２０２４）鄂９００４行初２０号", "", "", "", "市自然资源局、市住房和城乡建设局",
             "2024-04-01", "", "", ""]])
        self.imp("court-cases", f, check=0)
        self.assertEqual(self.query("SELECT case_no FROM cases"), [("(2024)鄂9004行初20号",)])
        self.assertEqual(sorted(self.query(
            "SELECT a.name, d.role FROM case_defendants d JOIN agencies a ON a.id = d.agency_id")),
            [("市住房和城乡建设局", "co-defendant"), ("市自然资源局", "principal")])

    def test_later_record_moves_case_forward_and_precedence_keeps_conflicts(self):
        a = os.path.join(self.dir, "agency.csv")
        write_csv(a, ["案号", "被告", "法院", "立案日期"],
                  [["(2024)鄂9004行初30号", "市市场监管局", "某某法院", "2024-01-10"]])
        c = os.path.join(self.dir, "court.csv")
        write_csv(c, COURT_HEADER, [["(2024)鄂9004行初30号", "潜江市人民法院", "", "",
                                     "市市场监管局", "2024-01-10", "2024-06-01",
                                     "判决驳回原告的诉讼请求", "是"]])
        self.imp("agency-case-report", a, check=0, extra=("--source", "agency"))
        out = json.loads(self.imp("court-cases", c, check=0,
                                  extra=("--source", "court", "--precedence", "court,agency")).stdout)
        self.assertEqual(out["updated"], 1)
        self.assertEqual(self.query("SELECT court, concluded_date, outcome FROM cases"),
                         [("潜江市人民法院", "2024-06-01", "claims_rejected")])
        self.assertEqual(self.query("SELECT field, value_kept, source_kept, value_other, source_other "
                                    "FROM conflicts"),
                         [("court", "潜江市人民法院", "court", "某某法院", "agency")])
        self.assertEqual(self.query("SELECT source FROM field_provenance WHERE field = 'court'"),
                         [("court",)])

    def test_hotline_gb18030_export_hashes_callers_and_updates_status(self):
        header = ["工单编号", "来电时间", "诉求类型", "问题分类", "诉求内容", "承办单位", "工单状态",
                  "满意度", "来电号码", "来电人"]
        f1 = os.path.join(self.dir, "h1.csv")
        write_csv(f1, header, [["GD20240001", "2024/5/6 9:30", "投诉", "城管执法", "占道经营罚款",
                                "市城管局", "办理中", "未评价", "13812345678", "李四"]],
                  encoding="gb18030")
        out = json.loads(self.imp("hotline-12345", f1, check=0).stdout)
        self.assertEqual(out["inserted"], 1)
        row = self.query("SELECT received_at, category, status, caller_mask, length(caller_hash), "
                         "law_enforcement FROM tickets")
        self.assertEqual(row, [("2024-05-06 09:30:00", "complaint", "in_progress", "138****5678",
                                64, 1)])
        f2 = os.path.join(self.dir, "h2.csv")
        write_csv(f2, header, [["GD20240001", "2024/5/6 9:30", "投诉", "城管执法", "占道经营罚款",
                                "市城管局", "已办结", "满意", "13812345678", "李四"]],
                  encoding="gb18030")
        out = json.loads(self.imp("hotline-12345", f2, check=0).stdout)
        self.assertEqual((out["updated"], out["inserted"]), (1, 0))
        self.assertEqual(self.query("SELECT status, satisfaction FROM tickets"),
                         [("closed", "satisfied")])
        with open(self.db, "rb") as fh:
            data = fh.read()
        self.assertNotIn(b"13812345678", data)
        self.assertNotIn("李四".encode(), data)

    def test_hotline_export_out_of_order_later_row_of_a_key_wins_problems_in_row_order(self):
        # The importer stores a work-order export sorted by key within
        # windows (pipe.c); what lands and what the report says must be as
        # if the rows were stored in the file's order.
        header = ["工单编号", "来电时间", "诉求类型", "问题分类", "诉求内容", "承办单位", "工单状态",
                  "满意度", "来电号码", "来电人"]
        rows = []
        for i in range(3000):
            rows.append(["GD%06d" % ((i * 7919) % 3000), "2024/5/6 9:30", "投诉", "城管执法", "内容%d" % i,
                         "市城管局", "办理中", "未评价", "13812345678", "李四"])
        # Bad dates, rejected: keys GD002757, GD000595, GD001190 (stored in
        # key order, listed in row order).
        rows[3][1] = "2024/2/30 9:30"
        rows[5][1] = "不是日期"
        rows[10][1] = "2024/13/1 8:00"
        # Key GD999999 three times: the last one's status must win.
        rows[100][0] = rows[200][0] = rows[2900][0] = "GD999999"
        rows[100][6], rows[200][6], rows[2900][6] = "办理中", "已办结", "已回访"
        f = os.path.join(self.dir, "shuffled.csv")
        write_csv(f, header, rows, encoding="gb18030")
        out = json.loads(self.imp("hotline-12345", f, check=1).stdout)
        self.assertEqual((out["rows"], out["rejected"]), (3000, 3))
        self.assertEqual((out["inserted"], out["updated"]), (2995, 2))
        listed = [e["row"] for e in out["errors"]]
        self.assertEqual(listed, sorted(listed))
        self.assertEqual(listed, [5, 7, 12])  # data row i is row i + 2 (the header is row 1)
        st = self.query("SELECT status, source_row FROM tickets WHERE ticket_no = 'GD999999'")
        self.assertEqual(st, [("visited", 2902)])
        self.assertEqual(self.query("SELECT count(*) FROM tickets"), [(2995,)])

    def test_xlsx_agency_report_with_title_and_two_row_header(self):
        script = (
            "import openpyxl, sys\n"
            "wb = openpyxl.Workbook(); ws = wb.active\n"
            "ws.append(['2024年第一季度行政诉讼案件统计表'])\n"
            "ws.merge_cells('A1:E1')\n"
            "ws.append(['案号', '案由', '审理情况', None, None])\n"
            "ws.append([None, None, '立案日期', '结案日期', '裁判结果'])\n"
            "ws.merge_cells('A2:A3'); ws.merge_cells('B2:B3'); ws.merge_cells('C2:E2')\n"
            "import datetime\n"
            "ws.append(['(2024)鄂9004行初40号', '行政许可', datetime.date(2024,1,8), datetime.date(2024,3,9), '确认违法'])\n"
            "ws.append(['合计', None, None, None, None])\n"
            "wb.save(sys.argv[1])\n")
        f = os.path.join(self.dir, "report.xlsx")
        subprocess.run(["/usr/bin/python3", "-c", script, f], check=True)
        out = json.loads(self.imp("agency-case-report", f, check=0,
                                  extra=("--agency", "市交通运输局")).stdout)
        self.assertEqual((out["rows"], out["inserted"]), (1, 1))
        self.assertEqual(self.query("SELECT filed_date, concluded_date, outcome, agency_lost FROM cases"),
                         [("2024-01-08", "2024-03-09", "confirmed_illegal", 1)])
        self.assertEqual(self.query("SELECT a.name FROM case_defendants d JOIN agencies a "
                                    "ON a.id = d.agency_id"), [("市交通运输局",)])

    def test_unreadable_file_is_rejected_with_a_clear_message(self):
        f = os.path.join(self.dir, "not.xlsx")
        with open(f, "wb") as fh:
            fh.write(b"PK\x03\x04 this is a truncated zip")
        out = json.loads(self.imp("court-cases", f, check=2).stdout)
        self.assertEqual(out["status"], "rejected")
        self.assertIn("not.xlsx", out["message"])


if __name__ == "__main__":
    unittest.main()
