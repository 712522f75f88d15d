"""End to end: the real litwatchd, its systemd notifications, reloads,
shutdown and status API."""

import json
import os
import signal
import subprocess
import time
import unittest

from lwtest import BIN, TEST_PLUGIN_DIR, DaemonTestCase, free_port, http_get


def source(name, **kw):
    s = {"name": name, "plugin": "testsrc", "required_key": "x"}
    s.update(kw)
    return s


class DaemonLifecycle(DaemonTestCase):

    def base_config(self, port, sources):
        return {"data_dir": "data", "plugin_dir": TEST_PLUGIN_DIR,
                "http": {"listen": "127.0.0.1:%d" % port}, "sources": sources}

    def test_ready_reload_bad_then_good_then_sigterm_exits_zero(self):
        port = free_port()
        cfg = self.write_config(self.base_config(port, [
            source("keep", marker="k1"), source("change", marker="c1"),
            source("remove", marker="r1")]))
        d = self.start(cfg)
        took = d.notify.wait_for("READY=1")
        print("time to READY=1: %.3fs" % took)
        self.assertTrue(os.path.exists(os.path.join(self.dir, "data", "litwatch.db")))
        status, body = http_get(port, "/health")
        self.assertEqual((status, body), (200, "ok\n"))

        # A broken config: the daemon keeps running on the old one.
        with open(cfg, "w") as f:
            f.write('{"data_dir": "data", "sources": [ {"name": "x"} ')
        d.signal(signal.SIGHUP)
        d.notify.wait_for("RELOADING=1")
        d.notify.wait_for("READY=1")
        d.wait_log("reload failed with 1 error(s); still running on the previous configuration")
        self.assertIn("invalid JSON", d.log_text())
        st = json.loads(http_get(port, "/status")[1])
        self.assertEqual(st["reload_failures"], 1)
        self.assertEqual([s["name"] for s in st["sources"]], ["keep", "change", "remove"])
        self.assertTrue(all(s["state"] == "idle" for s in st["sources"]))
        self.assertIn("invalid JSON", st["last_reload_error"])

        # A good config: only what changed restarts.
        self.write_config(self.base_config(port, [
            source("keep", marker="k1"), source("change", marker="c2"),
            source("added", marker="a1")]))
        d.signal(signal.SIGHUP)
        d.notify.wait_for("RELOADING=1")
        d.notify.wait_for("READY=1")
        d.wait_log("configuration reloaded")
        log = d.log_text()
        self.assertEqual(log.count("keep: testsrc started"), 1, log)
        self.assertIn("change: settings changed: restarting", log)
        self.assertIn("change: testsrc started: marker=c2", log)
        self.assertIn("remove: removed: stopping", log)
        self.assertIn("added: testsrc started: marker=a1", log)
        st = json.loads(http_get(port, "/status")[1])
        self.assertEqual([s["name"] for s in st["sources"]], ["keep", "change", "added"])
        self.assertEqual(st["reloads"], 1)
        self.assertIsNone(st["last_reload_error"])

        d.signal(signal.SIGTERM)
        d.notify.wait_for("STOPPING=1")
        t0 = time.monotonic()
        self.assertEqual(d.stop(), 0)
        self.assertLess(time.monotonic() - t0, 5)
        log = d.log_text()
        for name in ("keep", "change", "added"):
            self.assertIn("%s: testsrc stopped" % name, log)
        self.assertIn("core: stopped", log)
        # Log lines carry journald priorities and the source name.
        for line in log.splitlines():
            self.assertRegex(line, r"^<[3-7]>[A-Za-z0-9._-]+: ")

    def test_invalid_config_at_start_exits_1_listing_every_error(self):
        cfg = self.write_config({"data_dir": "data", "plugin_dir": TEST_PLUGIN_DIR,
                                 "log_levle": "info",
                                 "sources": [source("a", count=0), {"name": "b"}]})
        d = self.start(cfg)
        self.assertEqual(d.proc.wait(10), 1)
        log = d.log_text()
        self.assertIn('config: log_levle: unknown key (did you mean "log_level"?)', log)
        self.assertIn("config: sources[0].count: must be between 1 and 100; got 0", log)
        self.assertIn("config: sources[1].plugin: required key is missing", log)
        self.assertIn("refusing to start: 3 configuration error(s)", log)

    def test_source_that_fails_to_start_is_reported_and_others_run(self):
        port = free_port()
        cfg = self.write_config(self.base_config(port, [
            source("bad", fail_start=True), source("good")]))
        d = self.start(cfg)
        d.notify.wait_for("READY=1")
        st = {s["name"]: s for s in json.loads(http_get(port, "/status")[1])["sources"]}
        self.assertEqual(st["bad"]["state"], "failing")
        self.assertEqual(st["bad"]["last_error"], "testsrc refuses to start (fail_start is set)")
        self.assertEqual(st["good"]["state"], "idle")
        _, metrics = http_get(port, "/metrics")
        self.assertIn('litwatch_errors_total{source="bad"} 2', metrics)
        self.assertIn('litwatch_source_state{source="bad",state="failing"} 1', metrics)
        self.assertIn('litwatch_source_state{source="good",state="idle"} 1', metrics)
        self.assertEqual(d.stop(), 0)

    def test_watchdog_pings_at_half_the_interval(self):
        cfg = self.write_config({"data_dir": "data", "sources": []})
        d = self.start(cfg, env={"WATCHDOG_USEC": "400000"})
        d.notify.wait_for("READY=1")
        t = d.notify.wait_for("WATCHDOG=1", timeout=2)
        t2 = d.notify.wait_for("WATCHDOG=1", timeout=2)
        self.assertLess(t + t2, 1.0)
        self.assertEqual(d.stop(), 0)

    def test_shutdown_is_bounded_when_a_source_hangs(self):
        cfg = self.write_config({"data_dir": "data", "plugin_dir": TEST_PLUGIN_DIR,
                                 "shutdown_timeout": "300ms",
                                 "sources": [source("slow", stop_delay="1h")]})
        d = self.start(cfg)
        d.notify.wait_for("READY=1")
        t0 = time.monotonic()
        self.assertEqual(d.stop(), 0)
        self.assertLess(time.monotonic() - t0, 3)
        self.assertIn("slow: did not stop within 300 ms; exiting anyway", d.log_text())

    def test_status_command_over_a_unix_socket(self):
        sock = os.path.join(self.dir, "status.sock")
        cfg = self.write_config({"data_dir": "data", "plugin_dir": TEST_PLUGIN_DIR,
                                 "http": {"listen": "unix:" + sock},
                                 "sources": [source("s1"), source("s2", enabled=False)]})
        d = self.start(cfg)
        d.notify.wait_for("READY=1")
        out = subprocess.run([os.path.join(BIN, "litwatch"), "status", "--config", cfg],
                             capture_output=True, text=True, timeout=10)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertRegex(out.stdout, r"\ns1 +testsrc +idle ")
        self.assertRegex(out.stdout, r"\ns2 +testsrc +stopped .*disabled in the configuration")
        js = subprocess.run([os.path.join(BIN, "litwatch"), "status", "--listen", "unix:" + sock,
                             "--json"], capture_output=True, text=True, timeout=10)
        self.assertEqual(json.loads(js.stdout)["sources"][0]["name"], "s1")
        # litwatch poll: do a source's work now.  It reads the API token from
        # data_dir, which this configuration gives relative to the directory
        # the daemon started in.
        lw = os.path.join(BIN, "litwatch")
        p = subprocess.run([lw, "poll", "s1", "--config", cfg], capture_output=True, text=True,
                           cwd=self.dir)
        self.assertEqual((p.returncode, p.stdout), (0, "s1: polling\n"), p.stderr)
        d.wait_log("s1: testsrc poked")
        p = subprocess.run([lw, "poll", "s2", "--config", cfg], capture_output=True, text=True,
                           cwd=self.dir)
        self.assertEqual((p.returncode, p.stderr), (1, 's2: source "s2" is not running\n'))
        p = subprocess.run([lw, "poll", "nosuch", "--config", cfg], capture_output=True, text=True,
                           cwd=self.dir)
        self.assertEqual((p.returncode, p.stderr), (1, 'nosuch: no source called "nosuch"\n'))
        self.assertEqual(d.stop(), 0)
        self.assertFalse(os.path.exists(sock))
        # Without a daemon, status says so and fails.
        out = subprocess.run([os.path.join(BIN, "litwatch"), "status", "--config", cfg],
                             capture_output=True, text=True, timeout=10)
        self.assertEqual(out.returncode, 1)
        self.assertIn("cannot reach litwatchd", out.stderr)

    def test_unknown_url_is_404_and_post_is_405(self):
        import urllib.error
        import urllib.request
        port = free_port()
        cfg = self.write_config(self.base_config(port, []))
        d = self.start(cfg)
        d.notify.wait_for("READY=1")
        with self.assertRaises(urllib.error.HTTPError) as e:
            http_get(port, "/nope")
        self.assertEqual(e.exception.code, 404)
        req = urllib.request.Request("http://127.0.0.1:%d/status" % port, data=b"x")
        with self.assertRaises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(req, timeout=5)
        self.assertEqual(e.exception.code, 405)
        self.assertEqual(d.stop(), 0)


class CheckConfig(DaemonTestCase):

    def test_check_config_prints_ok_or_every_error(self):
        good = self.write_config({"data_dir": "d", "plugin_dir": TEST_PLUGIN_DIR,
                                  "sources": [source("a")]}, "good.json")
        out = subprocess.run([os.path.join(BIN, "litwatch"), "check-config", good],
                             capture_output=True, text=True)
        self.assertEqual(out.returncode, 0)
        self.assertEqual(out.stdout, "OK: %s: 1 source(s): a (testsrc)\n" % good)
        bad = self.write_config({"data_dir": "d", "plugin_dir": TEST_PLUGIN_DIR,
                                 "sources": [source("a", interval="soon"), source("a")]},
                                "bad.json")
        out = subprocess.run([os.path.join(BIN, "litwatch"), "check-config", bad],
                             capture_output=True, text=True)
        self.assertEqual(out.returncode, 1)
        self.assertIn('sources[0].interval: expected a duration such as "500ms", "15m" or "1h"; '
                      'got "soon"', out.stderr)
        self.assertIn('sources[1].name: duplicate source name "a" (also sources[0])', out.stderr)
        self.assertIn("2 error(s)", out.stderr)


if __name__ == "__main__":
    unittest.main()
