#!/usr/bin/env python3
"""Drop-folder figures on the real daemon (issue 5): drop-to-commit latency of
a small file on an idle daemon beyond the settle time (p50, p95), files/s for
10,000 small files, and peak RSS (VmHWM) while importing a 1 GB CSV.

Usage: bench/dropfolder/run.py [--build DIR] [--gb N] [--files N] [--lat N]
Not a test: prints figures for docs/drop-folders.md ("Figures")."""

import argparse
import os
import sqlite3
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(SRC, "tests", "e2e"))

ap = argparse.ArgumentParser()
ap.add_argument("--build", default=os.path.join(SRC, "build"))
ap.add_argument("--gb", type=float, default=1.0, help="size of the big CSV (0: skip)")
ap.add_argument("--files", type=int, default=10000)
ap.add_argument("--lat", type=int, default=100, help="files dropped one by one")
args = ap.parse_args()
os.environ["LW_BIN_DIR"] = os.path.join(os.path.abspath(args.build), "bin")

import lwtest  # noqa: E402  (needs LW_BIN_DIR first)

SETTLE_MS = 200
HEADER = "\ufeff案号,被告,立案日期,结案日期,裁判结果\r\n"
ROW = "(2024)鄂9004行初%d号,市公安局,2024-03-01,2024-04-01,驳回诉讼请求\r\n"


def start(work):
    import json
    cfg = os.path.join(work, "litwatch.json")
    os.makedirs(os.path.join(work, "data", "inbox"), exist_ok=True)
    with open(cfg, "w") as f:
        json.dump({"data_dir": "data", "profile_dir": os.path.join(SRC, "conf/profiles"),
                   "sources": [{"name": "bench", "plugin": "spreadsheet", "inbox": "inbox",
                                "archive": "archive", "rejected": "rejected",
                                "settle": "%dms" % SETTLE_MS}]}, f)
    d = lwtest.Daemon(work, cfg)
    d.notify.wait_for("READY=1", timeout=30)
    return d


def vm(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) // 1024
    return 0


def imported(work):
    con = sqlite3.connect(os.path.join(work, "data", "litwatch.db"), timeout=30)
    try:
        return con.execute("SELECT count(*) FROM imports WHERE status = 'ok'").fetchone()[0]
    finally:
        con.close()


def latency(work):
    d = start(work)
    inbox = os.path.join(work, "data", "inbox")
    lat = []
    try:
        for i in range(args.lat):
            tmp = os.path.join(work, "f%d.csv" % i)
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(HEADER + ROW % (i + 1))
            want = i + 1
            time.sleep(0.05)  # idle daemon
            t0 = time.monotonic()
            os.rename(tmp, os.path.join(inbox, "f%d.csv" % i))
            while imported(work) < want:  # the commit is what counts
                time.sleep(0.002)
            lat.append((time.monotonic() - t0) * 1000 - SETTLE_MS)
    finally:
        d.stop()
    lat.sort()
    p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
    print("drop-to-commit beyond the %d ms settle time, %d files: p50 %.0f ms, p95 %.0f ms, "
          "max %.0f ms" % (SETTLE_MS, len(lat), p(0.5), p(0.95), lat[-1]))


def many(work):
    d = start(work)
    stage = os.path.join(work, "stage")
    for a in range(20):
        os.makedirs(os.path.join(stage, "局%02d" % a))
    for i in range(args.files):
        with open(os.path.join(stage, "局%02d" % (i % 20), "r%05d.csv" % i), "w",
                  encoding="utf-8") as f:
            f.write(HEADER + ROW % (10 ** 6 + i))
    t0 = time.monotonic()
    for a in range(20):
        os.rename(os.path.join(stage, "局%02d" % a), os.path.join(work, "data", "inbox", "局%02d" % a))
    while imported(work) < args.files:
        time.sleep(0.1)
    took = time.monotonic() - t0
    print("%d small files dropped at once: %.1f s, %.0f files/s (settle %d ms), VmHWM %d MiB" %
          (args.files, took, args.files / took, SETTLE_MS, vm(d.proc.pid, "VmHWM")))
    d.stop()


def big(work):
    path = os.path.join(work, "big.csv")
    target = int(args.gb * (1 << 30))
    t0 = time.monotonic()
    n = 0
    with open(path, "wb") as f:
        f.write(HEADER.encode("utf-8"))
        size = 0
        while size < target:
            chunk = "".join(ROW % i for i in range(n, n + 100000)).encode("utf-8")
            f.write(chunk)
            size += len(chunk)
            n += 100000
    print("generated %.2f GB CSV, %d rows, in %.0f s" % (size / 2 ** 30, n, time.monotonic() - t0))
    d = start(work)
    base = vm(d.proc.pid, "VmRSS")
    t0 = time.monotonic()
    os.rename(path, os.path.join(work, "data", "inbox", "big.csv"))
    peak = 0
    while imported(work) < 1:
        peak = max(peak, vm(d.proc.pid, "VmRSS"))
        time.sleep(0.5)
    took = time.monotonic() - t0
    print("1 file of %.2f GB (%d rows): imported in %.0f s (%.0f rows/s); daemon RSS idle %d MiB, "
          "VmHWM %d MiB" % (size / 2 ** 30, n, took, n / took, base, vm(d.proc.pid, "VmHWM")))
    d.stop()


for fn in (latency, many) + ((big,) if args.gb > 0 else ()):
    with tempfile.TemporaryDirectory(prefix="lw-bench-") as w:
        fn(w)
        sys.stdout.flush()
