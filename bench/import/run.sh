#!/bin/bash
# Import speed of a 12345 export: 1M work orders, 10 columns, GB18030 CSV as
# Excel on Chinese Windows writes it, callers' phone numbers hashed.  Like a
# real export, rows come in work-order order, so reception times increase
# (a few seconds to a minute apart); agencies, categories, topics and callers
# are random.
#
# Prints rows/s and peak RSS, in the same run, of
#   - litwatch import (the daemon's pipeline: decode, map, validate, hash, upsert)
#   - sqlite3 .import of the same rows, already UTF-8, into a bare table:
#     the floor of what SQLite can take
#   - pandas read_csv(...).to_sql(...) (python3-pandas), what an analyst
#     might script instead
#
# usage: bench/import/run.sh BUILD_DIR [ROWS]
set -euo pipefail
build=$(cd "${1:?usage: run.sh BUILD_DIR [ROWS]}" && pwd)
rows=${2:-1000000}
src=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/lw-bench-import-XXXXXX)
trap 'rm -rf "$work"' EXIT

/usr/bin/python3 - "$work" "$rows" <<'PY'
import csv, datetime, random, sys
work, n = sys.argv[1], int(sys.argv[2])
t = datetime.datetime(2023, 1, 1)
random.seed(7)
cats = ["咨询", "求助", "投诉", "建议", "举报", "感谢", "其它"]
agencies = ["市城市管理局", "市市场监督管理局", "市自然资源和规划局", "市住房和城乡建设局", "市公安局"]
topics = ["占道经营", "噪音扰民", "违章建筑", "物业纠纷", "食品安全", "价格投诉"]
status = ["已办结", "办理中", "已回访"]
header = ["工单编号", "来电时间", "诉求类型", "问题分类", "诉求内容", "承办单位", "工单状态", "满意度", "来电号码", "来电人"]
with open(work + "/export.csv", "w", encoding="gb18030", newline="") as g, \
     open(work + "/export-utf8.csv", "w", encoding="utf-8", newline="") as u:
    wg = csv.writer(g, lineterminator="\r\n"); wu = csv.writer(u)
    wg.writerow(header); wu.writerow(header)
    for i in range(n):
        t += datetime.timedelta(seconds=random.randint(1, 60))
        r = ["GD%010d" % i,
             t.strftime("%Y-%m-%d %H:%M:%S"),
             random.choice(cats), random.choice(topics), "市民反映%s问题，请尽快处理" % random.choice(topics),
             random.choice(agencies), random.choice(status), random.choice(["满意", "基本满意", "不满意", "未评价"]),
             "1%010d" % random.randint(3000000000, 9999999999), random.choice("赵钱孙李周吴郑王") + random.choice("伟芳娜敏静丽强磊")]
        wg.writerow(r); wu.writerow(r)
PY
head -c 32 /dev/urandom > "$work/pii.key"; chmod 600 "$work/pii.key"

repeat=${REPEAT:-3}
measure() { # name, cleanup-glob, command...: best of $repeat runs (seconds) and peak RSS (KiB)
	local name=$1 clean=$2 best= rss=0 secs r; shift 2
	for ((i = 0; i < repeat; i++)); do
		rm -f $clean
		/usr/bin/time -f "%e %M" -o "$work/time" "$@" > /dev/null 2> "$work/err" || { cat "$work/err"; exit 1; }
		read -r secs r < "$work/time"
		if [ -z "$best" ] || [ "$(echo "$secs < $best" | bc -l)" = 1 ]; then best=$secs; fi
		[ "$r" -gt "$rss" ] && rss=$r
	done
	printf "%-36s %8.2f s %12.0f rows/s %8.1f MiB peak RSS\n" "$name" "$best" \
		"$(echo "$rows / $best" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
	echo "$best" > "$work/$name.secs"
}

echo "import of $rows 12345 work orders ($(du -h "$work/export.csv" | cut -f1) GB18030 CSV), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg), best of $repeat runs each"
measure "litwatch import" "$work/lw.db*" "$build/bin/litwatch" import --db "$work/lw.db" \
	--profile hotline-12345 --profile-dir "$src/conf/profiles" --pii-key-file "$work/pii.key" \
	"$work/export.csv"
measure "sqlite3 .import (UTF-8, bare)" "$work/bare.db*" sqlite3 "$work/bare.db" \
	"PRAGMA journal_mode=WAL" ".mode csv" ".import $work/export-utf8.csv t"
# The same with litwatch's page size (16 KiB, core/warehouse/warehouse.c), so that
# the floor has every advantage litwatch gives itself.
measure "sqlite3 .import (bare, 16 KiB pages)" "$work/bare16.db*" sqlite3 "$work/bare16.db" \
	"PRAGMA page_size=16384" "PRAGMA journal_mode=WAL" ".mode csv" ".import $work/export-utf8.csv t"
if /usr/bin/python3 -c "import pandas" 2>/dev/null; then
	measure "pandas read_csv + to_sql" "$work/pandas.db*" /usr/bin/python3 -c "
import pandas, sqlite3, sys
df = pandas.read_csv('$work/export.csv', encoding='gb18030', dtype=str)
con = sqlite3.connect('$work/pandas.db')
df.to_sql('t', con, index=False, chunksize=50000)
con.commit()"
fi
ratio() { echo "$(cat "$work/$1.secs") / $(cat "$work/litwatch import.secs")" | bc -l | cut -c1-5; }
echo "litwatch / sqlite3 .import: $(ratio "sqlite3 .import (UTF-8, bare)")x (target 0.5x, stretch 0.8x);" \
	"with 16 KiB pages: $(ratio "sqlite3 .import (bare, 16 KiB pages)")x"
[ -f "$work/pandas read_csv + to_sql.secs" ] && echo "litwatch / pandas: $(ratio "pandas read_csv + to_sql")x (target > 1x)"
sqlite3 "$work/lw.db" "SELECT 'stored tickets: ' || count(*) || ', clear phone numbers: ' || (SELECT count(*) FROM tickets WHERE caller_mask NOT LIKE '%*%') FROM tickets"
