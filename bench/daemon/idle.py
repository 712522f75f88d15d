#!/usr/bin/env python3
"""Figures for the daemon's foundation: time from exec to READY=1, CPU used
while idle over a window, and RSS at idle.  Runs the real litwatchd on the
sample configuration (plus its status API) in a temporary directory.

usage: bench/daemon/idle.py BUILD_DIR [SECONDS]"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time


def main():
    build = os.path.abspath(sys.argv[1])
    window = float(sys.argv[2]) if len(sys.argv) > 2 else 60.0
    tick = os.sysconf("SC_CLK_TCK")
    work = tempfile.mkdtemp(prefix="lw-bench-idle-")
    try:
        src = os.path.join(os.path.dirname(__file__), "../../conf/litwatch.json")
        with open(src) as f:
            cfg = json.load(f)
        path = os.path.join(work, "litwatch.json")
        with open(path, "w") as f:
            json.dump(cfg, f)
        nsock = os.path.join(work, "notify")
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.bind(nsock)
        env = dict(os.environ, NOTIFY_SOCKET=nsock)
        t0 = time.monotonic()
        p = subprocess.Popen([os.path.join(build, "bin/litwatchd"), "--config", path], cwd=work,
                             env=env, stderr=subprocess.DEVNULL)
        while b"READY=1" not in s.recv(4096):
            pass
        ready = time.monotonic() - t0

        def cpu():
            with open("/proc/%d/stat" % p.pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / tick

        def rss_kib():
            with open("/proc/%d/status" % p.pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
            return -1

        def wakeups():
            with open("/proc/%d/status" % p.pid) as f:
                v = [l for l in f if "ctxt_switches" in l]
            return sum(int(l.split()[1]) for l in v)

        time.sleep(1)
        c0, w0 = cpu(), wakeups()
        time.sleep(window)
        c1, w1 = cpu(), wakeups()
        print("start to READY=1:        %.1f ms" % (ready * 1000))
        print("idle CPU over %.0f s:     %.3f s (%.4f %%)" % (window, c1 - c0, 100 * (c1 - c0) / window))
        print("context switches idle:   %d over %.0f s" % (w1 - w0, window))
        print("RSS at idle:             %.1f MiB" % (rss_kib() / 1024))
        p.send_signal(signal.SIGTERM)
        p.wait(10)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
