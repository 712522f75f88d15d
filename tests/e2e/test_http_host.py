"""End to end: plugins reach the daemon's HTTP client through the ABI 1
host entries (http_request, http_cancel, backoff).  The test plugin
`httpsrc` polls a URL on the loopback test server (httpserver.py)."""

import os
import signal
import time
import unittest

from httpserver import TestServer
from lwtest import TEST_PLUGIN_DIR, DaemonTestCase, free_port, http_get

TOKEN = "tok-9f8e7d6c5b4a-SECRET"
HTTP_PLUGIN_DIR = os.path.join(os.path.dirname(TEST_PLUGIN_DIR), "http-dir")


class HostHttp(DaemonTestCase):

    def setUp(self):
        super().setUp()
        self.srv = TestServer(tls=True, smtp=False).start()

    def tearDown(self):
        self.srv.stop()
        super().tearDown()

    def config(self, port, **src):
        s = {"name": "poll", "plugin": "httpsrc"}
        s.update(src)
        return self.write_config({"data_dir": "data", "plugin_dir": HTTP_PLUGIN_DIR,
                                  "http": {"listen": "127.0.0.1:%d" % port}, "sources": [s]})

    def wait_requests(self, n, timeout=10.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if len(self.srv.requests) >= n:
                return
            time.sleep(0.02)
        self.fail("expected %d request(s), got %d" % (n, len(self.srv.requests)))

    def test_https_poll_with_token_counts_requests_and_never_logs_the_token(self):
        port = free_port()
        self.srv.route("/feed", status=200, body=b'{"items": []}')
        cfg = self.config(port, url=self.srv.url("/feed", tls=True) + "?page=1",
                          ca_file=self.srv.ca_file, token=TOKEN, interval="50ms")
        d = self.start(cfg)
        d.notify.wait_for("READY=1")
        self.wait_requests(3)
        d.wait_log("httpsrc: status 200, 13 bytes")
        req = self.srv.requests[0]
        self.assertEqual(req["headers"].get("Authorization"), "Bearer " + TOKEN)
        self.assertTrue(req["tls"])
        # Connections are reused between polls.
        self.assertIn("connects 0", d.log_text())
        _, metrics = http_get(port, "/metrics")
        line = [l for l in metrics.splitlines() if l.startswith('litwatch_requests_total{source="poll"}')]
        self.assertTrue(line and int(line[0].split()[-1]) >= 3, metrics)
        self.assertEqual(d.stop(), 0)
        self.assertNotIn(TOKEN, d.log_text())

    def test_failures_back_off_and_errors_name_the_url_without_secrets(self):
        port = free_port()
        self.srv.route("/busy", status=503, retry_after="1")
        cfg = self.config(port, url=self.srv.url("/busy") + "?token=" + TOKEN, interval="10ms",
                          token=TOKEN)
        d = self.start(cfg)
        d.notify.wait_for("READY=1")
        self.wait_requests(1)
        time.sleep(0.5)
        # Retry-After: 1 outweighs the 100 ms back-off: one request only.
        self.assertEqual(len(self.srv.requests), 1)
        d.wait_log("result 0, status 503")
        self.assertEqual(d.stop(), 0)
        self.assertNotIn(TOKEN, d.log_text())

    def test_transport_error_message_is_redacted(self):
        port = free_port()
        dead = free_port()
        cfg = self.config(port, url="http://127.0.0.1:%d/x?token=%s&page=2" % (dead, TOKEN),
                          token=TOKEN, interval="1h")
        d = self.start(cfg)
        d.notify.wait_for("READY=1")
        d.wait_log("token=REDACTED&page=2")
        self.assertEqual(d.stop(), 0)
        self.assertNotIn(TOKEN, d.log_text())

    def stop_in_flight(self, mode):
        port = free_port()
        self.srv.route("/slow", delay_ms=5000)
        cfg = self.config(port, url=self.srv.url("/slow"), stop_mode=mode)
        d = self.start(cfg)
        d.notify.wait_for("READY=1")
        self.wait_requests(1)
        t0 = time.monotonic()
        self.assertEqual(d.stop(), 0)
        took = time.monotonic() - t0
        self.assertLess(took, 3.0, d.log_text())
        return d.log_text()

    def test_sigterm_with_a_request_in_flight_cancelled_by_the_plugin(self):
        log = self.stop_in_flight("cancel")
        self.assertIn("cancelling the request in flight", log)
        self.assertIn("result -11", log)

    def test_sigterm_with_a_request_in_flight_abandoned_by_the_plugin(self):
        log = self.stop_in_flight("abandon")
        self.assertNotIn("result -11", log)
        self.assertIn("stopped", log)


if __name__ == "__main__":
    unittest.main()
