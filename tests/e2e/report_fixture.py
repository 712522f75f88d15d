"""A warehouse for the bulletin tests, built through `litwatch import` from
CSV files as clerks send them: 2024Q3 against 2023Q3, with the ranking's
tie rules, the minimum of concluded cases, an agency without cases, the
Qianjiang check (51 filed, 36 concluded, 1 lost) and hostile names."""

import csv
import json
import os
import subprocess

BIN = os.environ.get("LW_BIN_DIR", "")
SOURCE_DIR = os.environ.get("LW_SOURCE_DIR", "")
PROFILES = os.path.join(SOURCE_DIR, "conf", "profiles")

COURT = ["案号", "法院", "案由", "原告", "被告", "立案日期", "结案日期", "裁判结果", "负责人出庭"]
HOTLINE = ["工单编号", "来电时间", "诉求类型", "问题分类", "诉求内容", "承办单位"]

EVIL_AGENCY = "=cmd|' /C calc'!A0"
SCRIPT_AGENCY = "<script>alert(1)</script>局"
EVIL_CAUSE = "<img src=x onerror=alert(2)>=HYPERLINK(\"http://evil\")"
WON, LOST = "判决驳回原告的诉讼请求", "判决撤销被诉行政行为"
SILENT = "市生态环境局"


def litwatch(*args, check=0):
    p = subprocess.run([os.path.join(BIN, "litwatch"), *args], capture_output=True, text=True,
                       timeout=300)
    if check is not None and p.returncode != check:
        raise AssertionError("litwatch %s: exit %d (wanted %d)\n%s%s"
                             % (" ".join(args), p.returncode, check, p.stdout, p.stderr))
    return p


class Cases:
    def __init__(self):
        self.rows = []
        self.seq = 0

    def add(self, agency, filed, concluded=None, lost=False, n=1, cause="行政处罚", head="是"):
        for _ in range(n):
            self.seq += 1
            year = filed[:4]
            outcome = (LOST if lost else WON) if concluded else ""
            self.rows.append(["(%s)鄂9005行初%d号" % (year, self.seq), "潜江市人民法院", cause, "张三",
                              agency, filed, concluded or "", outcome, head])


def build(d, rounding="half-up", extra_config=None):
    """Write litwatch.json and the warehouse into d; returns the config path."""
    key = os.path.join(d, "pii.key")
    with open(key, "wb") as f:
        f.write(os.urandom(32))
    os.chmod(key, 0o600)
    cfg = os.path.join(d, "litwatch.json")
    doc = {"data_dir": d, "warehouse": "litwatch.db", "profile_dir": PROFILES,
           "pii_key_file": key, "unknown_agencies": "accept", "rounding": rounding,
           "agencies": {"市自然资源局": [], "市城管局": ["城管局"], "市公安局": [], "市税务局": [],
                        "市交通局": [], "市水利局": [], SILENT: []}}
    doc.update(extra_config or {})
    with open(cfg, "w") as f:
        json.dump(doc, f, ensure_ascii=False)
    c = Cases()
    # Qianjiang check: 51 filed, 36 concluded (in the quarter), 1 lost.
    for i in range(51):
        c.add("市自然资源局", "2024-07-%02d" % (i % 28 + 1),
              "2024-09-%02d" % (i % 28 + 1) if i < 36 else None, lost=(i == 0))
    c.add("市自然资源局", "2023-08-01", n=17)               # growth 51/17: +200 %
    # Equal loss rates (20 %): more lost first, then more filed, then the name.
    c.add("市公安局", "2024-07-02", "2024-08-02", lost=True, n=2)
    c.add("市公安局", "2024-07-03", "2024-08-03", n=8)
    c.add("市公安局", "2024-07-04", n=2)                    # filed 12
    c.add("市公安局", "2023-07-04", n=6)
    for a in ("市城管局", "市税务局"):                       # filed 10, 2 of 10 lost
        c.add(a, "2024-07-05", "2024-08-05", lost=True, n=2)
        c.add(a, "2024-07-06", "2024-08-06", n=8)
    c.add("市城管局", "2023-08-06", n=4)                    # growth +150 %
    c.add("市城管局", "2024-01-10", "2024-02-10", lost=True, n=4)   # YTD: 6 of 15
    c.add("市城管局", "2024-01-11", "2024-02-11", n=1)
    c.add("市交通局", "2024-07-07", "2024-08-07", lost=True, n=1)   # 1 of 5: fewer lost
    c.add("市交通局", "2024-07-08", "2024-08-08", n=4)
    c.add("市水利局", "2024-07-09", "2024-08-09", lost=True, n=2)   # 2 of 2: below the minimum
    c.add(SCRIPT_AGENCY, "2024-07-10", "2024-08-10", lost=True, n=1, cause=EVIL_CAUSE)
    c.add(SCRIPT_AGENCY, "2024-07-10", "2024-08-10", n=4)
    c.add(EVIL_AGENCY, "2024-07-11", "2024-08-11", lost=True, n=1, cause=EVIL_CAUSE)
    path = os.path.join(d, "cases.csv")
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(COURT)
        w.writerows(c.rows)
    litwatch("import", "--config", cfg, "--profile", "court-cases", "--json", path)
    rows = []
    for i in range(30):
        rows.append(["GD%d" % i, "2024-08-%02d 09:00" % (i % 28 + 1), "投诉" if i % 3 else "咨询",
                     "城管执法", "占道经营被罚款", "市城管局" if i < 20 else "市自然资源局"])
    for i in range(8):
        rows.append(["GX%d" % i, "2023-08-%02d 09:00" % (i + 1), "投诉", "城管执法", "占道经营被罚款",
                     "市城管局"])
    rows.append(["GY1", "2024-08-03 10:00", "咨询", "社保", "社保卡办理", "市城管局"])
    path = os.path.join(d, "hotline.csv")
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(HOTLINE)
        w.writerows(rows)
    litwatch("import", "--config", cfg, "--profile", "hotline-12345", "--json", path)
    return cfg
