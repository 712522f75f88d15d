#!/usr/bin/python3
# Run a command and print, on one line: wall seconds, user CPU seconds,
# system CPU seconds, peak RSS (KiB) and bytes written to storage.
#
# Why not /usr/bin/time: it has no bytes written.  The kernel adds a reaped
# child's I/O counters to its parent's, so /proc/self/io read before and
# after wait4 gives the child's write_bytes (pages it dirtied, WAL and
# checkpoint alike) without sampling a process that may end at any time.
#
# usage: measure.py OUT_FILE COMMAND [ARG...]   (the command's stdout goes to
# /dev/null, its stderr to OUT_FILE.err; a failure exits with its status)
import os, sys, time


def write_bytes():
    with open("/proc/self/io") as f:
        for line in f:
            if line.startswith("write_bytes:"):
                return int(line.split()[1])
    return 0


out, argv = sys.argv[1], sys.argv[2:]
w0 = write_bytes()
t0 = time.monotonic()
pid = os.fork()
if pid == 0:
    fd = os.open(os.devnull, os.O_WRONLY)
    os.dup2(fd, 1)
    fd = os.open(out + ".err", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 2)
    os.execvp(argv[0], argv)
_, status, ru = os.wait4(pid, 0)
wall = time.monotonic() - t0
with open(out, "w") as f:
    f.write("%.3f %.3f %.3f %d %d\n" % (wall, ru.ru_utime, ru.ru_stime, ru.ru_maxrss,
                                        write_bytes() - w0))
code = os.waitstatus_to_exitcode(status)
# litwatch import exits 1 when some rows were rejected: still a measurement.
sys.exit(code if code not in (0, 1) else 0)
