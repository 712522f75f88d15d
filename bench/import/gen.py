#!/usr/bin/python3
# 12345 work-order exports for bench/import/run.sh: FILES files of N rows,
# 10 columns, GB18030 CSV as Excel on Chinese Windows writes it.  Like a
# real export, rows come in work-order order, so reception times increase (a
# few seconds to a minute apart); agencies, categories, topics and callers
# are random.  File k continues where file k-1 stopped (new work-order
# numbers, later times), as a month's export follows the last.
#
# Writes, into WORK:
#   export-01.csv .. export-FF.csv  GB18030, in time order
#   export-01-shuffled.csv          file 1's rows in random order, as an
#                                   export sorted by agency or category is
#   export-01-utf8.csv              file 1 in UTF-8, for sqlite3 .import
#
# usage: gen.py WORK N FILES
import csv, datetime, random, sys

work, n, files = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
t = datetime.datetime(2023, 1, 1)
random.seed(7)
cats = ["咨询", "求助", "投诉", "建议", "举报", "感谢", "其它"]
agencies = ["市城市管理局", "市市场监督管理局", "市自然资源和规划局", "市住房和城乡建设局", "市公安局"]
topics = ["占道经营", "噪音扰民", "违章建筑", "物业纠纷", "食品安全", "价格投诉"]
status = ["已办结", "办理中", "已回访"]
satisfaction = ["满意", "基本满意", "不满意", "未评价"]
header = ["工单编号", "来电时间", "诉求类型", "问题分类", "诉求内容", "承办单位", "工单状态", "满意度",
          "来电号码", "来电人"]


def write(path, encoding, rows):
    with open(path, "w", encoding=encoding, newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(header)
        w.writerows(rows)


for k in range(files):
    rows = []
    for i in range(k * n, (k + 1) * n):
        t += datetime.timedelta(seconds=random.randint(1, 60))
        rows.append(["GD%010d" % i,
                     t.strftime("%Y-%m-%d %H:%M:%S"),
                     random.choice(cats), random.choice(topics),
                     "市民反映%s问题，请尽快处理" % random.choice(topics),
                     random.choice(agencies), random.choice(status), random.choice(satisfaction),
                     "1%010d" % random.randint(3000000000, 9999999999),
                     random.choice("赵钱孙李周吴郑王") + random.choice("伟芳娜敏静丽强磊")])
    write("%s/export-%02d.csv" % (work, k + 1), "gb18030", rows)
    if k == 0:
        write(work + "/export-01-utf8.csv", "utf-8", rows)
        random.Random(11).shuffle(rows)
        write(work + "/export-01-shuffled.csv", "gb18030", rows)
