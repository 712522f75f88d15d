#!/usr/bin/env python3
"""Province push benchmark (issue 17, docs/province.md).

Starts a throw-away PostgreSQL 15 (tests/e2e/pgserver.py), imports TICKETS
12345 work orders and CASES court cases into a county warehouse with
`litwatch import`, then starts litwatchd with a `province` section and
measures, in the same run:
  - the first push into an empty PostgreSQL: rows/s (rows of every table
    that goes up) and the daemon's peak RSS, from the daemon's start and
    from the county's registration at the province (the push itself);
  - the floor: psql \\copy of the same tickets and cases (exported from the
    warehouse as CSV) into bare tables without keys;
  - an incremental batch: 1000 changed work orders imported, and the time
    from the end of `litwatch import` (its SQLite commit) until the
    province's high-water mark covers them, at interval 1s;
  - a county's bulletin from the province (report --pg) beside its own.

usage: bench/province/run.py BUILD_DIR [TICKETS [CASES]]   (default 1000000 100000)
"""
import csv
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(SRC, "tests", "e2e"))
import pgserver  # noqa: E402

build = os.path.abspath(sys.argv[1])
tickets = int(sys.argv[2]) if len(sys.argv) > 2 else 1000000
ncases = int(sys.argv[3]) if len(sys.argv) > 3 else 100000
litwatch = os.path.join(build, "bin", "litwatch")
work = tempfile.mkdtemp(prefix="lw-bench-province-")
os.chmod(work, 0o755)
db = os.path.join(work, "c", "litwatch.db")
os.makedirs(os.path.dirname(db))
key = os.path.join(work, "pii.key")
with open(key, "wb") as f:
    f.write(os.urandom(32))
os.chmod(key, 0o600)
profiles = os.path.join(SRC, "conf", "profiles")
rnd = random.Random(7)
agencies = ["县城市管理局", "县市场监督管理局", "县自然资源局", "县住房和城乡建设局", "县公安局"]


def imp(profile, path):
    subprocess.run([litwatch, "import", "--db", db, "--profile", profile, "--profile-dir",
                    profiles, "--pii-key-file", key, path], check=True, stdout=subprocess.DEVNULL)


def write_tickets(path, first, n, tag):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["工单编号", "来电时间", "诉求类型", "问题分类", "诉求内容", "承办单位", "来电号码"])
        for i in range(first, first + n):
            w.writerow(["GD%010d" % i, "2024-%02d-%02d 10:00:00" % (rnd.randint(1, 12),
                        rnd.randint(1, 28)), rnd.choice(["咨询", "投诉", "举报"]), "占道经营",
                        "市民反映问题%s" % tag, rnd.choice(agencies),
                        "1%010d" % rnd.randint(3000000000, 9999999999)])


def write_cases(path, n):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["案号", "法院", "案由", "被告", "立案日期", "结案日期", "裁判结果"])
        for i in range(1, n + 1):
            w.writerow(["(2024)豫1121行初%d号" % i, "县人民法院", "行政处罚", rnd.choice(agencies),
                        "2024-%02d-%02d" % (rnd.randint(1, 6), rnd.randint(1, 28)),
                        "2024-%02d-%02d" % (rnd.randint(7, 12), rnd.randint(1, 28)),
                        rnd.choice(["判决驳回原告的诉讼请求", "判决撤销被诉行政行为", "准予撤诉"])])


def local_seq():
    con = sqlite3.connect(db)
    r = con.execute("SELECT seq FROM sqlite_sequence WHERE name = 'province_feed'").fetchone()
    con.close()
    return r[0] if r else 0


def mark(pg):
    r = pg.sql("SELECT hwm FROM litwatch.counties WHERE county = '411121'", check=False)
    return int(r.stdout.strip()) if r.returncode == 0 and r.stdout.strip() else -1


t0 = time.time()
write_tickets(os.path.join(work, "t.csv"), 1, tickets, "")
write_cases(os.path.join(work, "c.csv"), ncases)
imp("hotline-12345", os.path.join(work, "t.csv"))
imp("court-cases", os.path.join(work, "c.csv"))
print(flush=True)
print("prepared %d work orders and %d cases in %.0f s" % (tickets, ncases, time.time() - t0))

pg = pgserver.PgServer()
try:
    ci = os.path.join(work, "ci")
    with open(ci, "w") as f:
        f.write(pg.conninfo())
    os.chmod(ci, 0o600)
    cfg = os.path.join(work, "c.json")
    with open(cfg, "w") as f:
        f.write('{"data_dir": "%s", "sources": [], "province": {"conninfo_file": "%s", '
                '"county": "411121", "interval": "1s", "batch_rows": %s}}'
                % (os.path.dirname(db), ci, os.environ.get("BATCH_ROWS", "5000")))
    start = time.monotonic()
    d = subprocess.Popen([os.path.join(build, "bin", "litwatchd"), "--config", cfg],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    registered = None
    while local_seq() == 0 or mark(pg) != local_seq():
        if registered is None and mark(pg) >= 0:
            registered = time.monotonic()  # connected, schema made, county registered
        time.sleep(0.2)
    secs = time.monotonic() - start
    push_secs = time.monotonic() - (registered or start)
    with open("/proc/%d/status" % d.pid) as f:
        rss = [l for l in f if l.startswith("VmHWM")][0].split()[1]
    rows = int(pg.sql("SELECT (SELECT count(*) FROM litwatch.tickets) + (SELECT count(*) FROM "
                      "litwatch.cases) + (SELECT count(*) FROM litwatch.case_defendants) + "
                      "(SELECT count(*) FROM litwatch.imports) + (SELECT count(*) FROM "
                      "litwatch.agencies)")[0][0])
    print("%-34s %8.1f s %10.0f rows/s %8.1f MiB peak RSS" % ("litwatchd first push", secs,
                                                             rows / secs, int(rss) / 1024))
    print("%-34s %8.1f s %10.0f rows/s  (from the county's registration at the province;"
          " without the daemon's start and warehouse check)" % ("  of which the push itself",
                                                               push_secs, rows / push_secs))
    # The floor: \copy of the same rows into bare tables.
    con = sqlite3.connect(db)
    for t in ("tickets", "cases"):
        cols = [r[1] for r in con.execute("SELECT * FROM pragma_table_info('%s')" % t)]
        with open(os.path.join(work, t + ".csv"), "w", newline="") as f:
            w = csv.writer(f)
            for row in con.execute("SELECT * FROM %s" % t):
                w.writerow(row)
        pg.sql("CREATE TABLE bare_%s (%s)" % (t, ", ".join('"%s" text' % c for c in cols)))
    con.close()
    os.chmod(work, 0o755)
    for t in ("tickets", "cases"):
        os.chmod(os.path.join(work, t + ".csv"), 0o644)
    start = time.monotonic()
    p = pg.as_user(["/usr/bin/time", "-f", "%M", "psql", "-X", "-q", "-h", pg.sock, "-p",
                    str(pg.port), "-U", "admin", "-d", pg.DB, "-c",
                    "\\copy bare_tickets FROM '%s/tickets.csv' CSV" % work, "-c",
                    "\\copy bare_cases FROM '%s/cases.csv' CSV" % work])
    csecs = time.monotonic() - start
    crss = int(p.stderr.strip().split("\n")[-1])
    n = tickets + ncases
    print("%-34s %8.1f s %10.0f rows/s %8.1f MiB peak RSS (psql)" % ("psql \\copy, bare tables",
                                                                    csecs, n / csecs, crss / 1024))
    print("first push / \\copy (rows/s): %.2f from the daemon's start, %.2f the push itself"
          % ((rows / secs) / (n / csecs), (rows / push_secs) / (n / csecs)))
    # Incremental: 1000 changed work orders, from their commit to the province.
    write_tickets(os.path.join(work, "u.csv"), 1, 1000, " (更新)")
    imp("hotline-12345", os.path.join(work, "u.csv"))
    committed = time.monotonic()
    want = local_seq()
    while mark(pg) < want:
        time.sleep(0.02)
    print("1000 changed rows visible at the province %.2f s after their commit (interval 1s)"
          % (time.monotonic() - committed))
    # A county's bulletin from the province (report --pg reads the county
    # back into a temporary warehouse) beside the county's own.
    times = []
    for args in (["--pg", ci, "--county", "411121"], ["--db", db]):
        out = os.path.join(work, "bulletin-%d.json" % len(times))
        t0 = time.monotonic()
        subprocess.run([litwatch, "report", *args, "--period", "2024Q3", "--format", "json", "-o",
                        out], check=True, stdout=subprocess.DEVNULL)
        times.append((time.monotonic() - t0, open(out, "rb").read()))
    print("litwatch report --pg --county (2024Q3) %.1f s, --db %.1f s; the same bytes: %s"
          % (times[0][0], times[1][0], times[0][1] == times[1][1]))
    d.terminate()
    d.wait()
finally:
    pg.close()
    subprocess.run(["rm", "-rf", work])
