#!/bin/bash
# The bulletin's benchmark warehouse (bench/report/run.sh: 10 years x 200
# agencies, ~200 000 cases, TICKETS 12345 work orders, default 5 M), made
# by that script's own generator, so that both benchmarks measure the same
# data.
#
# usage: bench/web/gen.sh BUILD_DIR DB [TICKETS]
set -euo pipefail
build=$(cd "${1:?usage: gen.sh BUILD_DIR DB [TICKETS]}" && pwd)
db=${2:?usage: gen.sh BUILD_DIR DB [TICKETS]}
tickets=${3:-5000000}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/lw-bench-web-gen-XXXXXX)
trap 'rm -rf "$work"' EXIT
[ -s "$db" ] && { echo "$db exists: kept" >&2; exit 0; }
# An empty warehouse at the current schema, through the real writer.
printf '案号,被告,立案日期\r\n' > "$work/empty.csv"
"$build/bin/litwatch" import --db "$db" --profile court-cases \
  --profile-dir "$here/../../conf/profiles" "$work/empty.csv" > /dev/null || true
# The generator: the Python between <<'PY' and PY in bench/report/run.sh.
awk '/<<.PY.$/{on=1; next} /^PY$/{on=0} on' "$here/../report/run.sh" > "$work/gen.py"
/usr/bin/python3 "$work/gen.py" "$db" "$tickets"
