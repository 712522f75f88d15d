#!/bin/bash
# The dashboard under load (issue 16): every page with 20 concurrent
# clients on the bulletin's benchmark warehouse (bench/report: 10 years x
# 200 agencies, ~200 000 cases, 5 M 12345 work orders; fewer work orders by
# argument), beside the cheapest file the same daemon serves (its
# stylesheet, from memory on the loop) as the floor.  Prints p50 / p95 /
# p99 (ms) and requests/s per page, and the first request's time (ms): a
# page is built once and kept until the warehouse changes (core/web/cache.c),
# so "first" is what the first reader after an import waits.  Target: every
# page p95 < 100 ms.
#
# The load tool is ApacheBench from Debian:  apt-get install apache2-utils
#
# usage: bench/web/run.sh BUILD_DIR [TICKETS] [DB] [REQUESTS]
#   TICKETS   work orders in a new warehouse (default 5000000)
#   DB        a warehouse to reuse (made by bench/web/gen.sh when missing)
#   REQUESTS  per page (default 1000)
set -euo pipefail
build=$(cd "${1:?usage: run.sh BUILD_DIR [TICKETS] [DB] [REQUESTS]}" && pwd)
tickets=${2:-5000000}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/lw-bench-web-XXXXXX)
db=${3:-$work/w.db}
n=${4:-1000}
clients=20
command -v ab > /dev/null || { echo "ab not found: apt-get install apache2-utils" >&2; exit 2; }
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

[ -s "$db" ] || "$here/gen.sh" "$build" "$db" "$tickets"
db=$(cd "$(dirname "$db")" && pwd)/$(basename "$db")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$work/litwatch.json" <<JSON
{"data_dir": "$work", "warehouse": "$db", "profile_dir": "$here/../../conf/profiles",
 "http": {"listen": "127.0.0.1:$port", "users_file": "users"},
 "detect": {"rules": [
   {"name": "agency_filed", "series": "cases.filed.monthly.by_agency", "method": "ears-c2"},
   {"name": "agency_lost", "series": "cases.lost.quarterly.by_agency", "method": "cusum",
    "baseline": 8},
   {"name": "tickets_rise", "series": "tickets.weekly.by_category_agency", "method": "ears-c1"}]},
 "deadlines": {"holidays_dir": "$here/../../conf/holidays", "rules": [
   {"name": "conclude-in-60", "start": "filed_date", "done": "concluded_date", "length": 60,
    "calendar": "calendar"}]}}
JSON
printf 'bench-password-1\n' | "$build/bin/litwatch" user add bench --role viewer \
  --config "$work/litwatch.json" > /dev/null
"$build/bin/litwatchd" --config "$work/litwatch.json" > "$work/daemon.log" 2>&1 &
pid=$!
# Started (obligations recomputed) and the alert engine's first evaluation
# done: nothing else competes with the pages.
for _ in $(seq 1200); do
  curl -sf "http://127.0.0.1:$port/metrics" 2>/dev/null | grep -q '^litwatch_alerts{' && break
  sleep 0.5
done
curl -sf "http://127.0.0.1:$port/metrics" | grep -q '^litwatch_alerts{' ||
  { echo "the daemon did not come up:"; tail "$work/daemon.log"; exit 1; }
sid=$(curl -s -D - -o /dev/null --data 'user=bench&password=bench-password-1' \
  "http://127.0.0.1:$port/ui/login" | sed -n 's/^Set-Cookie: lw_session=\([0-9a-f]*\);.*/\1/p')
[ -n "$sid" ] || { echo "login failed"; exit 1; }
agency=$(python3 -c 'import urllib.parse; print(urllib.parse.quote("第007局"))')
case_no=$(sqlite3 "$db" "SELECT case_no FROM cases WHERE year = 2020 LIMIT 1")
case1=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$case_no")

echo "warehouse: $(du -h "$db" | cut -f1), $(sqlite3 "$db" 'SELECT count(*) FROM cases') cases," \
     "$(sqlite3 "$db" 'SELECT count(*) FROM tickets') work orders," \
     "$(sqlite3 "$db" 'SELECT count(*) FROM obligations') obligations; $(nproc) cores," \
     "load $(cut -d' ' -f1 /proc/loadavg); $clients clients, $n requests a page"
printf '%-44s %8s %8s %8s %8s %9s\n' page first_ms p50_ms p95_ms p99_ms req/s
for page in \
  "/ui/style.css" \
  "/ui/?period=2025Q3" \
  "/ui/ranking?period=2025Q3" \
  "/ui/ranking?period=2025Q3&sort=filed&dir=desc" \
  "/ui/agency?name=$agency&period=2025Q3" \
  "/ui/cases" \
  "/ui/cases?agency=$agency&from=2020-01-01&to=2020-12-31" \
  "/ui/cases?cause=%E5%A4%84%E7%BD%9A&outcome=revoked" \
  "/ui/case?case=$case1" \
  "/ui/alerts" \
  "/ui/deadlines" \
  "/ui/sources" \
  "/ui/import?id=1" \
  "/api/stats?period=2025Q3"; do
  first=$(curl -s -o /dev/null -w '%{time_total}' -b "lw_session=$sid" \
    "http://127.0.0.1:$port$page" | awk '{printf "%d", $1 * 1000}')
  out=$(ab -q -k -n "$n" -c "$clients" -C "lw_session=$sid" "http://127.0.0.1:$port$page" 2>&1)
  if ! grep -q '^Non-2xx responses' <<<"$out"; then :; else
    echo "$page: non-2xx answers"; grep -E 'Non-2xx|Failed' <<<"$out"; fi
  p() { awk -v k="$1%" '$1 == k {print $2}' <<<"$out"; }
  rps=$(awk '/^Requests per second/ {print $4}' <<<"$out")
  label=$page
  [ ${#label} -gt 44 ] && label=${label:0:41}...
  printf '%-44s %8s %8s %8s %8s %9s\n' "$label" "$first" "$(p 50)" "$(p 95)" "$(p 99)" "$rps"
done
