"""Shared helpers for litwatch end-to-end tests: run the real daemon with a
real configuration, listen on a NOTIFY_SOCKET like systemd does, and talk to
its status API over loopback."""

import json
import os
import shutil
import sys
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.request

BIN = os.environ.get("LW_BIN_DIR", "")
TEST_PLUGIN_DIR = os.environ.get("LW_TEST_PLUGIN_DIR", "")
SOURCE_DIR = os.environ.get("LW_SOURCE_DIR", "")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Notify:
    """A datagram socket that receives sd_notify messages."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        if os.path.exists(path):
            os.unlink(path)  # left by an earlier daemon of the same test
        self.sock.bind(path)
        self.messages = []

    def wait_for(self, key, timeout=10.0):
        """Wait until a message containing the line `key` (e.g. READY=1)
        arrives; returns the seconds waited.  Earlier messages are kept."""
        start = time.monotonic()
        for m in self.messages:
            if key in m.split("\n"):
                self.messages.remove(m)
                return 0.0
        while True:
            left = timeout - (time.monotonic() - start)
            if left <= 0:
                raise AssertionError("no %s within %.1fs; got %r" % (key, timeout, self.messages))
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(4096).decode()
            except socket.timeout:
                continue
            if key in data.split("\n"):
                return time.monotonic() - start
            self.messages.append(data)

    def drain(self):
        self.sock.settimeout(0.01)
        try:
            while True:
                self.messages.append(self.sock.recv(4096).decode())
        except (socket.timeout, BlockingIOError):
            pass
        return self.messages

    def close(self):
        self.sock.close()


class Daemon:
    """A litwatchd process under test."""

    def __init__(self, workdir, config_path, env=None, binary=None, wrapper=None):
        self.workdir = workdir
        self.config = config_path
        self.notify = Notify(os.path.join(workdir, "notify.sock"))
        self.log_path = os.path.join(workdir, "daemon.log")
        self.log = open(self.log_path, "wb")
        e = dict(os.environ)
        e["NOTIFY_SOCKET"] = self.notify.path
        e.pop("JOURNAL_STREAM", None)
        if env:
            e.update(env)
        self.proc = subprocess.Popen(
            (wrapper or []) + [binary or os.path.join(BIN, "litwatchd"), "--config", config_path],
            cwd=workdir, env=e, stdout=self.log, stderr=subprocess.STDOUT)

    def log_text(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def wait_log(self, needle, timeout=10.0):
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if needle in self.log_text():
                return
            time.sleep(0.02)
        raise AssertionError("log never showed %r; log:\n%s" % (needle, self.log_text()))

    def signal(self, sig):
        if sig == signal.SIGTERM:
            self.terminated = True
        self.proc.send_signal(sig)

    def stop(self, timeout=15.0):
        # One SIGTERM only: a second one during shutdown kills the process
        # (the default action is back once the daemon closed its handlers).
        if self.proc.poll() is None and not getattr(self, "terminated", False):
            self.signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        finally:
            self.log.close()
            self.notify.close()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        self.notify.close()


def http_get(port, path, timeout=5.0):
    with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=timeout) as r:
        return r.status, r.read().decode()


class DaemonTestCase(unittest.TestCase):
    """Gives each test a fresh temporary directory and stops daemons."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="lw-e2e-")
        self.daemons = []

    def tearDown(self):
        for d in self.daemons:
            d.kill()
        if os.environ.get("LW_TEST_KEEP"):  # keep logs and warehouse for a post-mortem
            print("kept", self.dir, file=sys.stderr)
            return
        shutil.rmtree(self.dir, ignore_errors=True)

    def write_config(self, cfg, name="litwatch.json"):
        path = os.path.join(self.dir, name)
        with open(path + ".tmp", "w") as f:
            json.dump(cfg, f, ensure_ascii=False, indent=1)
        os.replace(path + ".tmp", path)
        return path

    def start(self, cfg_path, **kw):
        d = Daemon(self.dir, cfg_path, **kw)
        self.daemons.append(d)
        return d
