#!/bin/bash
# The quarterly bulletin on a county's ten years: 200 agencies, ~200 000
# cases (2016-2025, a co-defendant on one in ten) and 5 M 12345 work orders
# (a third concerning law enforcement), imported month by month by two
# sources (so "sent since the quarter began" looks at one quarter's rows).
#
# Prints, in the same run, best of 3, time and peak RSS of
#   - litwatch report --period 2025Q3 in each format (xlsx, html, csv, json)
#   - sqlite3 running analyst.sql: the same figures as an analyst would
#     write them by hand (no ranking, no formatting, no file)
# Target (issue 14): every format under 2 s and within 2x of the bare SQL.
#
# usage: bench/report/run.sh BUILD_DIR [TICKETS] [KEEP_DB]
set -euo pipefail
build=$(cd "${1:?usage: run.sh BUILD_DIR [TICKETS] [KEEP_DB]}" && pwd)
tickets=${2:-5000000}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/lw-bench-report-XXXXXX)
trap 'rm -rf "$work"' EXIT
db=${3:-$work/w.db}

if [ ! -s "$db" ]; then
  # An empty warehouse at the current schema, through the real writer.
  printf '案号,被告,立案日期\r\n' > "$work/empty.csv"
  "$build/bin/litwatch" import --db "$db" --profile court-cases \
    --profile-dir "$here/../../conf/profiles" "$work/empty.csv" > /dev/null || true
  /usr/bin/python3 - "$db" "$tickets" <<'PY'
import datetime, random, sqlite3, sys
db, nt = sys.argv[1], int(sys.argv[2])
random.seed(14)
con = sqlite3.connect(db)
con.execute("PRAGMA journal_mode=OFF")
con.execute("PRAGMA synchronous=OFF")
con.execute("DELETE FROM imports")
agencies = ["第%03d局" % i for i in range(200)]
con.executemany("INSERT INTO agencies(id, name) VALUES (?, ?)", enumerate(agencies, 1))
# One import per source and month, 2016-01 .. 2025-12, started as the month ends.
imp = {}
for y in range(2016, 2026):
    for m in range(1, 13):
        for src in ("court-feed", "hotline"):
            cur = con.execute("INSERT INTO imports(source, origin, started_at, finished_at, status)"
                              " VALUES (?, ?, ?, ?, 'ok')",
                              (src, "%s-%04d-%02d.csv" % (src, y, m), "%04d-%02d-28T12:00:00Z" % (y, m),
                               "%04d-%02d-28T12:05:00Z" % (y, m)))
            imp[(src, y, m)] = cur.lastrowid
outcomes = ["claims_rejected"] * 10 + ["revoked", "confirmed_illegal", "withdrawn", "mediated",
                                        "dismissed", "ordered_perform"] + ["pending"] * 2
acts = ["行政处罚", "行政许可", "行政强制", "征收征用", "信息公开", "不履行法定职责"]
cases, defs = [], []
for i in range(200000):
    d = datetime.date(2016, 1, 1) + datetime.timedelta(days=random.randrange(3650))
    o = random.choice(outcomes)
    concl = None if o == "pending" else min(d + datetime.timedelta(days=random.randint(30, 200)),
                                            datetime.date(2025, 12, 31))
    no = "(%d)鄂9005行初%d号" % (d.year, i + 1)
    iid = imp[("court-feed", d.year, d.month)]
    cases.append((no, no, d.year, "行政处罚纠纷", random.choice(acts), d.isoformat(),
                  concl.isoformat() if concl else None, o, random.randint(0, 1),
                  random.randint(0, 1), "court-feed", iid))
    a = random.randrange(200) + 1
    defs.append((no, a, "principal", "court-feed", iid))
    if i % 10 == 0:
        defs.append((no, (a % 200) + 1, "co-defendant", "court-feed", iid))
con.executemany("INSERT INTO cases(case_no, case_no_raw, year, cause, act_type, filed_date,"
                " concluded_date, outcome, hearing_held, head_appeared, source, import_id)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", cases)
con.executemany("INSERT INTO case_defendants(case_no, agency_id, role, source, import_id)"
                " VALUES (?,?,?,?,?)", defs)
cats = ["complaint", "consult", "help", "report", "suggestion", "other"]
t0 = datetime.datetime(2016, 1, 1)
step = 3650 * 86400 / nt
def gen():
    t = t0
    for i in range(nt):
        t = t0 + datetime.timedelta(seconds=int(i * step))
        yield ("GD%010d" % i, t.strftime("%Y-%m-%d %H:%M:%S"), random.choice(cats),
               random.randrange(200) + 1, 1 if random.random() < 0.33 else 0, "hotline",
               imp[("hotline", t.year, t.month)])
con.executemany("INSERT INTO tickets(ticket_no, received_at, category, agency_id, law_enforcement,"
                " source, import_id) VALUES (?,?,?,?,?,?,?)", gen())
con.commit()
con.execute("ANALYZE")
con.commit()
PY
fi

best() { # best of 3: "seconds peakKiB"
  local b="" r
  for _ in 1 2 3; do
    r=$(/usr/bin/time -f "%e %M" "$@" 2>&1 >/dev/null | tail -1)
    if [ -z "$b" ] || awk -v a="${r% *}" -v c="${b% *}" 'BEGIN{exit !(a<c)}'; then b=$r; fi
  done
  echo "$b"
}

echo "warehouse: $(du -h "$db" | cut -f1), $(sqlite3 "$db" 'SELECT count(*) FROM cases') cases," \
     "$(sqlite3 "$db" 'SELECT count(*) FROM tickets') work orders, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
printf '%-34s %8s %10s\n' "" "seconds" "peak RSS"
sql=$(best sqlite3 "$db" ".read $here/analyst.sql")
printf '%-34s %8s %7s MiB\n' "sqlite3 analyst.sql (bare SQL)" "${sql% *}" "$(( ${sql#* } / 1024 ))"
for f in xlsx html csv json; do
  r=$(best "$build/bin/litwatch" report --db "$db" --period 2025Q3 --format $f -o "$work/b.$f")
  ratio=$(awk -v a="${r% *}" -v b="${sql% *}" 'BEGIN{printf "%.2f", (b > 0 ? a / b : 0)}')
  printf '%-34s %8s %7s MiB   %sx the SQL\n' "litwatch report --format $f" "${r% *}" \
         "$(( ${r#* } / 1024 ))" "$ratio"
done
