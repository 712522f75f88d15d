#!/bin/sh
# cli_matches_reference.sh LITWATCH REFDIR — end-to-end check of
# `litwatch detect`: run it on reference cases' series with their flags and
# compare the CSV with R's (relative 1e-6 EARS/CUSUM, 1e-4 Farrington; NA
# and alarms exact); also: a bad line exits 1, a bad flag exits 2.
set -eu
lw=$1; ref=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for case in ears_c2_default_seasonal_monthly cusum_default_weekly_outbreaks \
            farrington_default_seasonal_monthly; do
	f=$ref/$case.csv
	series=$(sed -n '1s/^# series: //p' "$f")
	args=$(sed -n '2s/^# args: //p' "$f")
	# shellcheck disable=SC2086
	"$lw" detect $args < "$ref/$series" > "$tmp/got.csv"
	sed 1,2d "$f" > "$tmp/want.csv"
	tol=1e-6; case $case in farrington*) tol=1e-4;; esac
	paste -d, "$tmp/want.csv" "$tmp/got.csv" | awk -F, -v tol=$tol -v c=$case '
	function rel(a, b) { if (a == b) return 0; d = a - b; if (d < 0) d = -d;
		m = (a < 0 ? -a : a); n = (b < 0 ? -b : b); return d / (m > n ? m : n) }
	NR == 1 { if ($0 != "t,observed,expected,upperbound,alarm,t,observed,expected,upperbound,alarm") { print c ": header " $0; bad = 1 } next }
	{ if ($1 != $6 || $2 != $7 || $5 != $10 || (($4 == "NA") != ($9 == "NA")) ||
	      ($4 != "NA" && rel($4, $9) > tol)) { print c ": expected " $0; bad = 1 } }
	END { exit bad }'
	echo "$case: ok"
done
printf '1\n2\nx\n' | "$lw" detect --method ears-c1 > /dev/null 2> "$tmp/err" && exit 1 || [ $? -eq 1 ]
grep -q 'line 3' "$tmp/err" || { echo "expected 'line 3' in: $(cat "$tmp/err")"; exit 1; }
"$lw" detect --method ears-c1 --bogus 1 < /dev/null > /dev/null 2>&1 && exit 1 || [ $? -eq 2 ]
echo "exit codes: ok"
