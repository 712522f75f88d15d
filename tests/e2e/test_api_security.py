"""End to end: the status API under the threat model of design.md §12 —
any local user (and any web page a local browser shows) can reach the
loopback port.  State-changing requests need the API token the daemon
writes at start; Host, Origin and Sec-Fetch-Site must say "this machine";
a manual poll respects the source's back-off; idle connections cannot
starve /health; a unix socket path never replaces a regular file;
conflicting Content-Length headers are refused; a URL's secrets never
reach the journal or /status through a reload error."""

import http.client
import json
import os
import signal
import socket
import stat
import subprocess
import time
import unittest

from httpserver import TestServer
from lwtest import BIN, SOURCE_DIR, TEST_PLUGIN_DIR, DaemonTestCase, free_port, http_get

BUILD_DIR = os.environ.get("LW_BUILD_DIR", os.path.join(BIN, ".."))
PLUGIN_DIR = os.path.join(BUILD_DIR, "lib", "litwatch", "plugins")


def raw(port, data, timeout=5.0):
    """Send bytes, return the status line and the whole answer."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(data)
        out = b""
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            out += chunk
            if b"\r\n\r\n" in out:
                head, _, body = out.partition(b"\r\n\r\n")
                n = [int(l.split(b":")[1]) for l in head.split(b"\r\n")
                     if l.lower().startswith(b"content-length:")]
                if n and len(body) >= n[0]:
                    break
        return out.decode("utf-8", "replace")
    finally:
        s.close()


def request(port, method, path, headers=None, timeout=5.0):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request(method, path, headers=headers or {})
        r = c.getresponse()
        return r.status, r.read().decode(), dict(r.getheaders())
    finally:
        c.close()


class ApiSecurity(DaemonTestCase):

    def setUp(self):
        super().setUp()
        self.port = free_port()
        os.makedirs(self.data(), exist_ok=True)

    def data(self, *p):
        return os.path.join(self.dir, "data", *p)

    def config(self, sources=None, listen=None, **top):
        cfg = {"data_dir": "data", "plugin_dir": TEST_PLUGIN_DIR,
               "http": {"listen": listen or "127.0.0.1:%d" % self.port},
               "sources": sources if sources is not None else
               [{"name": "t1", "plugin": "testsrc", "required_key": "x"}]}
        cfg.update(top)
        return self.write_config(cfg)

    def run_daemon(self, **kw):
        d = self.start(self.config(**kw))
        d.notify.wait_for("READY=1", timeout=20)
        return d

    def token(self):
        with open(self.data("api.token")) as f:
            return f.read().strip()

    def auth(self):
        if not os.path.exists(self.data("api.token")):
            return {}  # (a daemon without tokens: shows what it accepts)
        return {"Authorization": "Bearer " + self.token()}

    # ---- the token ----

    def test_post_needs_the_token_from_the_0600_file_which_is_new_at_every_start(self):
        d = self.run_daemon()
        st = os.stat(self.data("api.token"))
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o600)
        tok1 = self.token()
        self.assertRegex(tok1, r"^[0-9a-f]{64}$")
        status, body, hdr = request(self.port, "POST", "/sources/t1/poll")
        self.assertEqual(status, 401, body)
        self.assertIn(self.data("api.token"), body)
        self.assertEqual(hdr.get("WWW-Authenticate"), 'Bearer realm="litwatchd"')
        status, body, _ = request(self.port, "POST", "/sources/t1/poll",
                                  {"Authorization": "Bearer " + "0" * 64})
        self.assertEqual(status, 403, body)
        status, body, _ = request(self.port, "POST", "/sources/t1/poll", self.auth())
        self.assertEqual(status, 202, body)
        # The CLI reads the file and sends it.
        r = subprocess.run([os.path.join(BIN, "litwatch"), "poll", "t1", "--config", d.config],
                           capture_output=True, text=True, cwd=self.dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn(tok1, d.log_text())
        # GET needs no token.
        self.assertEqual(request(self.port, "GET", "/health")[:2], (200, "ok\n"))
        self.assertEqual(d.stop(), 0)
        d = self.run_daemon()
        self.assertNotEqual(self.token(), tok1)
        self.assertEqual(request(self.port, "POST", "/sources/t1/poll",
                                 {"Authorization": "Bearer " + tok1})[0], 403)
        self.assertEqual(d.stop(), 0)

    # ---- Host, Origin, Sec-Fetch-Site ----

    def test_a_cross_site_form_post_and_a_rebound_host_are_refused(self):
        d = self.run_daemon()
        ok = self.auth()
        # A web page's form: right Host, foreign Origin (and the token even).
        for extra in ({"Origin": "http://evil.example"},
                      {"Origin": "null"},
                      {"Sec-Fetch-Site": "cross-site"}):
            h = dict(ok, **extra)
            status, body, _ = request(self.port, "POST", "/sources/t1/poll", h)
            self.assertEqual(status, 403, (extra, body))
        # DNS rebinding: evil.example resolved to 127.0.0.1.
        for host in ("evil.example:%d" % self.port, "127.0.0.1:1", "127.0.0.1"):
            status, body, _ = request(self.port, "GET", "/status", {"Host": host})
            self.assertEqual(status, 403, (host, body))
            self.assertIn("Host", body)
        for host in ("127.0.0.1:%d" % self.port, "localhost:%d" % self.port,
                     "LOCALHOST:%d" % self.port):
            self.assertEqual(request(self.port, "GET", "/health", {"Host": host})[0], 200, host)
        h = dict(ok, Origin="http://127.0.0.1:%d" % self.port)
        h["Sec-Fetch-Site"] = "same-origin"
        self.assertEqual(request(self.port, "POST", "/sources/t1/poll", h)[0], 202)
        self.assertEqual(d.stop(), 0)

    # ---- duplicate Content-Length ----

    def test_conflicting_content_length_headers_are_refused(self):
        d = self.run_daemon()
        tok = self.token()
        req = ("POST /sources/t1/poll HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
               "Authorization: Bearer %s\r\nContent-Length: 0\r\nContent-Length: 5\r\n\r\n"
               "hello" % (self.port, tok)).encode()
        out = raw(self.port, req)
        self.assertTrue(out.startswith("HTTP/1.1 400"), out)
        self.assertNotIn("poll requested", d.log_text())
        self.assertEqual(d.stop(), 0)

    # ---- slowloris ----

    def test_hundreds_of_idle_connections_do_not_starve_health(self):
        d = self.run_daemon()
        idle = []
        try:
            for i in range(300):
                s = socket.socket()
                s.setblocking(False)
                s.connect_ex(("127.0.0.1", self.port))
                idle.append(s)
            for i, s in enumerate(idle[:40]):  # some send half a request
                try:
                    s.send(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-a: ")
                except OSError:
                    pass
            time.sleep(0.5)
            times = []
            for _ in range(5):
                t0 = time.monotonic()
                status, body = http_get(self.port, "/health", timeout=3)
                times.append(time.monotonic() - t0)
                self.assertEqual((status, body), (200, "ok\n"))
            r = subprocess.run([os.path.join(BIN, "litwatch"), "status", "--config", d.config],
                               capture_output=True, text=True, cwd=self.dir, timeout=15)
            self.assertEqual(r.returncode, 0, r.stderr)
            print("\nFIGURE /health with 300 idle connections open: worst %.3fs" % max(times))
        finally:
            for s in idle:
                s.close()
        self.assertEqual(d.stop(), 0)

    # ---- unix socket path ----

    def test_unix_listen_never_unlinks_a_regular_file(self):
        path = self.data("status.sock")
        with open(path, "w") as f:
            f.write("precious\n")
        d = self.start(self.config(listen="unix:" + path))
        d.notify.wait_for("READY=1", timeout=20)
        d.wait_log("%s exists and is not a socket" % path)
        with open(path) as f:
            self.assertEqual(f.read(), "precious\n")
        self.assertEqual(d.stop(), 0)
        # A stale socket from an earlier run is replaced.
        os.unlink(path)
        s = socket.socket(socket.AF_UNIX)
        s.bind(path)
        s.close()
        d = self.start(self.config(listen="unix:" + path))
        d.notify.wait_for("READY=1", timeout=20)
        d.wait_log("status API listening on unix:" + path)
        self.assertEqual(d.stop(), 0)

    # ---- a reload error does not show a URL's secrets ----

    def test_reload_error_with_a_secret_in_a_url_is_redacted_in_log_and_status(self):
        d = self.start(self.config(sources=[], plugin_dir=PLUGIN_DIR))
        d.notify.wait_for("READY=1", timeout=20)
        self.config(sources=[{"name": "court", "plugin": "courtfeed", "start": "2024-01-01",
                              "url": "htps://court.example/api?token=S3CRET-VALUE&x=1"}],
                    plugin_dir=PLUGIN_DIR)
        d.signal(signal.SIGHUP)
        d.wait_log("reload failed")
        st = json.loads(http_get(self.port, "/status")[1])
        self.assertIn("sources[0].url", st["last_reload_error"])
        self.assertNotIn("S3CRET-VALUE", st["last_reload_error"])
        self.assertNotIn("S3CRET-VALUE", d.log_text())
        self.assertIn("token=REDACTED", st["last_reload_error"])
        self.assertEqual(d.stop(), 0)


class PollBackoff(DaemonTestCase):
    """POST /sources/<name>/poll while the source backs off: nothing is
    fetched, the answer says when the next attempt is."""

    def setUp(self):
        super().setUp()
        self.srv = TestServer(tls=False, smtp=False).start()
        self.port = free_port()
        os.makedirs(os.path.join(self.dir, "data"), exist_ok=True)
        self.key = os.path.join(self.dir, "pii.key")
        with open(self.key, "wb") as f:
            f.write(os.urandom(32))
        os.chmod(self.key, 0o600)

    def tearDown(self):
        self.srv.stop()
        super().tearDown()

    def hammer(self, d, name, n=50):
        tok = ""
        if os.path.exists(os.path.join(self.dir, "data", "api.token")):
            with open(os.path.join(self.dir, "data", "api.token")) as f:
                tok = f.read().strip()
        answers = []
        for _ in range(n):
            answers.append(request(self.port, "POST", "/sources/%s/poll" % name,
                                   {"Authorization": "Bearer " + tok}))
        return answers

    def start_with(self, src):
        cfg = self.write_config({"data_dir": "data", "plugin_dir": PLUGIN_DIR,
                                 "profile_dir": os.path.join(SOURCE_DIR, "conf", "profiles"),
                                 "pii_key_file": self.key,
                                 "http": {"listen": "127.0.0.1:%d" % self.port},
                                 "sources": [src]})
        d = self.start(cfg)
        d.notify.wait_for("READY=1", timeout=20)
        return d

    def test_hotline_download_retry_after_3600_is_respected_by_50_posts(self):
        self.srv.route("/export.csv", status=503, retry_after="3600", bytes=1 << 20)
        d = self.start_with({"name": "hot", "plugin": "hotline",
                             "url": self.srv.url("/export.csv"), "interval": "1h"})
        t0 = time.monotonic()
        while not self.srv.requests and time.monotonic() - t0 < 10:
            time.sleep(0.05)
        time.sleep(0.3)
        answers = self.hammer(d, "hot")
        time.sleep(0.5)
        self.assertEqual(len(self.srv.requests), 1, "downloads: %d" % len(self.srv.requests))
        codes = {a[0] for a in answers}
        self.assertEqual(codes, {429}, answers[:2])
        ra = int(answers[-1][2]["Retry-After"])
        self.assertTrue(3000 < ra <= 3600, ra)
        self.assertIn("backing off", answers[-1][1])
        self.assertEqual(d.stop(), 0)

    def test_courtfeed_backing_off_after_retry_after_is_not_cut_short_by_posts(self):
        self.srv.route("/cases", status=503, retry_after="3600")
        d = self.start_with({"name": "court", "plugin": "courtfeed",
                             "url": self.srv.url("/cases"), "start": "2024-01-01",
                             "backoff_base": "50ms", "backoff_max": "1s"})
        d.wait_log("retry in")
        answers = self.hammer(d, "court", 20)
        time.sleep(0.5)
        self.assertEqual(len(self.srv.requests), 1)
        self.assertEqual({a[0] for a in answers}, {429}, answers[:2])
        self.assertGreater(int(answers[0][2]["Retry-After"]), 3000)
        self.assertEqual(d.stop(), 0)


if __name__ == "__main__":
    unittest.main()
