#!/bin/sh
# bench/read/run.sh — throughput and peak memory of `litwatch read` against
# python3-openpyxl (read-only mode) and python3's csv module, in one run.
#
#   bench/read/run.sh [BUILD_DIR] [XLSX_ROWS] [CSV_ROWS]
#
# Each command runs REPEAT times (default 3) and the best run is printed:
# the VM is shared with other builds and fuzzers, and the best of several
# runs is the one least disturbed by them.  Besides wall time it prints CPU
# time (user + sys), which load inflates much less, and the speed-up on
# both; `uptime` before and after shows how quiet the machine was.
#
# Generates with real writers: a XLSX_ROWS x 10 .xlsx (libxlsxwriter, via
# tests/unit/read/gen_xlsxwriter) and a CSV_ROWS-row GB18030 CSV with CRLF
# (Python's codec, as Excel on Chinese Windows writes it).  Needs
# /usr/bin/time and /usr/bin/python3 with openpyxl.  Not a ctest: prints
# figures (see docs/readers.md for the last ones).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
xrows=${2:-300000}
crows=${3:-1000000}
work=${BENCH_DIR:-/tmp/lw-bench-read}
py=/usr/bin/python3
repeat=${REPEAT:-3}
lw=$build/bin/litwatch
gen=$build/bin/gen_xlsxwriter
mkdir -p "$work"

[ -f "$work/bench_$xrows.xlsx" ] || "$gen" bench "$work/bench_$xrows.xlsx" "$xrows"
[ -f "$work/bench_$crows.csv" ] || $py - "$work/bench_$crows.csv" "$crows" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
with open(path, "w", encoding="gb18030", newline="") as f:
    f.write("序号,案号,原告,被告,案由,立案日期,标的额,电话,承办法官,备注\r\n")
    for r in range(1, n + 1):
        note = '"含,逗号"' if r % 10 == 0 else ("已结" if r % 3 == 0 else "")
        f.write(f"{r},(2024)鄂01行初{r}号,原告{r % 5000},市人民政府,行政处罚,"
                f"2024-{r % 12 + 1:02d}-{r % 28 + 1:02d},{(r % 100000) / 100},"
                f"{13800000000 + r},王法官,{note}\r\n")
PY

# run LABEL ROWS CMD...: best of $repeat runs (by wall time); prints
# "LABEL rows/s wall cpu peakRSS_MB" and keeps rows/s (wall and cpu).
run() {
    label=$1 rows=$2
    shift 2
    best=
    i=0
    while [ "$i" -lt "$repeat" ]; do
        i=$((i + 1))
        /usr/bin/time -v "$@" >/dev/null 2>"$work/time.txt" || { cat "$work/time.txt"; exit 1; }
        secs=$(awk -F': ' '/Elapsed/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$work/time.txt")
        cpu=$(awk -F': ' '/User time|System time/ {s+=$2} END {print s}' "$work/time.txt")
        rss=$(awk -F': ' '/Maximum resident/ {printf "%.1f", $2/1024}' "$work/time.txt")
        if [ -z "$best" ] || awk -v a="$secs" -v b="$best" 'BEGIN {exit !(a < b)}'; then
            best=$secs bcpu=$cpu brss=$rss
        fi
    done
    rate=$(awk -v r="$rows" -v s="$best" 'BEGIN {printf "%.0f", r/(s>0?s:0.01)}')
    crate=$(awk -v r="$rows" -v s="$bcpu" 'BEGIN {printf "%.0f", r/(s>0?s:0.01)}')
    printf '%-20s %10s rows/s %7.2f s wall %7.2f s cpu %7s MB\n' "$label" "$rate" "$best" "$bcpu" "$brss"
    echo "$rate" >"$work/rate.$label"
    echo "$crate" >"$work/crate.$label"
}

echo "load before: $(uptime)"
echo "xlsx: $xrows rows x 10 columns ($(du -h "$work/bench_$xrows.xlsx" | cut -f1)), csv: $crows rows GB18030 ($(du -h "$work/bench_$crows.csv" | cut -f1))"
run litwatch-xlsx "$xrows" "$lw" read "$work/bench_$xrows.xlsx" --format csv
run openpyxl-readonly "$xrows" $py -c '
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
n = 0
for row in wb.worksheets[0].iter_rows(values_only=True):
    n += 1
print(n)' "$work/bench_$xrows.xlsx"
run litwatch-csv "$crows" "$lw" read "$work/bench_$crows.csv" --format csv
run python-csv "$crows" $py -c '
import sys, csv
n = 0
with open(sys.argv[1], encoding="gb18030", newline="") as f:
    for row in csv.reader(f):
        n += 1
print(n)' "$work/bench_$crows.csv"
r() { cat "$work/$1.$2"; }
awk -v a="$(r rate litwatch-xlsx)" -v b="$(r rate openpyxl-readonly)" \
    -v c="$(r rate litwatch-csv)" -v d="$(r rate python-csv)" \
    -v e="$(r crate litwatch-xlsx)" -v f="$(r crate openpyxl-readonly)" \
    -v g="$(r crate litwatch-csv)" -v h="$(r crate python-csv)" \
    'BEGIN {printf "speed-up (wall): xlsx %.1fx openpyxl (target >= 20x), csv %.1fx python csv (target >= 5x)\n", a/b, c/d
            printf "speed-up (cpu):  xlsx %.1fx openpyxl, csv %.1fx python csv\n", e/f, g/h}'
echo "load after: $(uptime)"
