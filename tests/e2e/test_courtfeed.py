"""End to end: the courtfeed plugin polls a court case feed on a loopback
HTTPS server (self-signed CA made at test time) and stores the cases in a
real SQLite warehouse through the real daemon.  Faults are injected by the
feed server; the invariants checked are that every case lands exactly once,
that the stored cursor never moves past data not stored, and that the
source reports `failing` after repeated failures.

Figures (printed, for the report): cases/s of a 10,000-case backfill and
the daemon's CPU while idle between polls."""

import datetime
import json
import os
import signal
import sqlite3
import subprocess
import threading
import time
import unittest

import httpserver
from httpserver import TestServer
from lwtest import BIN, SOURCE_DIR, DaemonTestCase, free_port, http_get

BUILD_DIR = os.environ.get("LW_BUILD_DIR", os.path.join(BIN, ".."))
PLUGIN_DIR = os.path.join(BUILD_DIR, "lib", "litwatch", "plugins")
PROFILES = os.path.join(SOURCE_DIR, "conf", "profiles")
TOKEN = "cf-Tok-7d1e55a0c3b94f2e-SECRET"
TOKEN2 = "cf-Tok-rotated-0a9b8c7d-SECRET"

AGENCIES = ["潜江市自然资源和规划局", "潜江市市场监督管理局", "潜江市人力资源和社会保障局",
            "潜江市公安局", "潜江市生态环境局", "潜江市城市管理执法局", "潜江市住房和城乡建设局",
            "潜江市园林街道办事处"]
CAUSES = ["行政处罚", "行政许可", "行政强制", "征收征用", "信息公开", "不履行法定职责", "行政协议"]
OUTCOMES = ["", "判决驳回诉讼请求", "判决撤销被诉行政行为", "准予撤诉", "确认违法",
            "裁定驳回起诉", "调解结案", "责令履行法定职责"]
SURNAMES = "张王李赵刘陈杨黄周吴"


def make_cases(n, year=2024):
    """n realistic court items, ordered by 更新时间 (update time)."""
    base = datetime.datetime(2024, 1, 2, 8, 0, 0)
    out = []
    for i in range(1, n + 1):
        filed = datetime.date(year, 1, 1) + datetime.timedelta(days=i % 360)
        outcome = OUTCOMES[i % len(OUTCOMES)]
        concluded = (filed + datetime.timedelta(days=30 + i % 90)).isoformat() if outcome else ""
        out.append({
            "案号": "(%d)鄂9004行初%d号" % (year, i),
            "法院": "湖北省潜江市人民法院",
            "案由": CAUSES[i % len(CAUSES)],
            "原告": SURNAMES[i % 10] + "某" * (1 + i % 2),
            "被告": AGENCIES[i % len(AGENCIES)],
            "立案日期": filed.isoformat(),
            "结案日期": concluded,
            "裁判结果": outcome,
            "负责人出庭": "是" if i % 3 else "否",
            "更新时间": (base + datetime.timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%S+08:00"),
        })
    return out


class Feed:
    """The court's interface in the default shape:
    GET /cases?updated_since=C&page=n&page_size=k  ->
    {"total", "page", "items", "next_cursor"}.  next_cursor is the
    high-water mark of the whole query (a snapshot, the same on every page),
    which is why the plugin moves the stored cursor at the end of a pass.
    Faults queued with fault() answer the next requests instead."""

    def __init__(self, srv, cases, token=TOKEN):
        self.srv = srv
        self.cases = cases
        self.token = token
        self.faults = []
        self.lock = threading.Lock()
        self.pages_served = 0
        self.delay_ms = 0
        self.times = []  # when each request arrived
        srv.route("/cases", self.answer)

    def fault(self, *specs):
        with self.lock:
            self.faults.extend(specs)

    def answer(self, req):
        with self.lock:
            self.times.append(time.monotonic())
            f = self.faults.pop(0) if self.faults else None
            token = self.token
        if f is not None:
            return f(req) if callable(f) else f
        return self.serve(req, token)

    def serve(self, req, token=None):
        """The answer without faults."""
        token = token or self.token
        if req["headers"].get("Authorization") != "Bearer " + token:
            return {"status": 401, "body": '{"error": "invalid token"}'}
        q = req["query"]
        since = q.get("updated_since", "")
        page, size = int(q.get("page", "1")), int(q.get("page_size", "100"))
        sel = [c for c in self.cases if c["更新时间"] > since]
        items = sel[(page - 1) * size: page * size]
        doc = {"total": len(sel), "page": page, "items": items,
               "next_cursor": sel[-1]["更新时间"] if sel else since}
        with self.lock:
            self.pages_served += 1
        return {"status": 200, "body": json.dumps(doc, ensure_ascii=False),
                "delay_ms": self.delay_ms}


class FixedPortHTTP(httpserver._HTTPServer):
    """The test server's HTTP side on a port chosen before it starts."""

    def __init__(self, owner, port):
        self.owner = owner
        self.ctx = None
        httpserver.ThreadingHTTPServer.__init__(self, ("127.0.0.1", port), httpserver._Handler)


class Courtfeed(DaemonTestCase):

    def setUp(self):
        super().setUp()
        self.srv = TestServer(tls=True, smtp=False).start()
        self.db = os.path.join(self.dir, "data", "litwatch.db")
        self.token_file = os.path.join(self.dir, "secrets", "court.token")
        os.makedirs(os.path.dirname(self.token_file))
        self.write_token(TOKEN)
        self.key = os.path.join(self.dir, "pii.key")
        with open(self.key, "wb") as f:
            f.write(os.urandom(32))
        os.chmod(self.key, 0o600)
        self.port = free_port()

    def tearDown(self):
        self.srv.stop()
        super().tearDown()

    def write_token(self, tok):
        tmp = self.token_file + ".new"
        with open(tmp, "w") as f:
            f.write(tok + "\n")
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.token_file)  # how a rotation script does it

    def config(self, **src):
        s = {"name": "court", "plugin": "courtfeed", "url": self.srv.url("/cases", tls=True),
             "ca_file": self.srv.ca_file, "token_file": self.token_file, "start": "2024-01-01",
             "page_size": 500, "interval": "1h", "timeout": "5s", "backoff_base": "50ms",
             "backoff_max": "400ms"}
        s.update(src)
        return self.write_config({"data_dir": "data", "plugin_dir": PLUGIN_DIR,
                                  "profile_dir": PROFILES, "pii_key_file": self.key,
                                  "http": {"listen": "127.0.0.1:%d" % self.port},
                                  "sources": [s]})

    def run_daemon(self, **src):
        os.makedirs(os.path.join(self.dir, "data"), exist_ok=True)
        d = self.start(self.config(**src))
        d.notify.wait_for("READY=1", timeout=20)
        return d

    def query(self, sql, *args):
        con = sqlite3.connect(self.db, timeout=10)
        try:
            return con.execute(sql, args).fetchall()
        finally:
            con.close()

    def count_cases(self):
        try:
            return self.query("SELECT count(*) FROM cases")[0][0]
        except sqlite3.OperationalError:
            return 0

    def cursor(self):
        r = self.query("SELECT cursor FROM cursors WHERE source = 'court'")
        return r[0][0] if r else None

    def wait_polls_done(self, d, n=1, timeout=120.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if d.log_text().count("courtfeed: poll done") >= n:
                return
            if d.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.fail("no %d finished poll(s); log:\n%s" % (n, d.log_text()[-6000:]))

    def status(self):
        _, body = http_get(self.port, "/status")
        return [s for s in json.loads(body)["sources"] if s["name"] == "court"][0]

    def assert_all_landed(self, cases, d=None):
        self.assertEqual(self.count_cases(), len(cases))
        self.assertEqual(self.cursor(), cases[-1]["更新时间"])
        self.assertEqual(self.query("PRAGMA integrity_check"), [("ok",)])
        if d is not None:
            self.assertNotIn(TOKEN, d.log_text())
            self.assertNotIn(TOKEN2, d.log_text())

    def assert_no_secret_in_warehouse(self):
        with open(self.db, "rb") as f:
            data = f.read()
        for ext in ("", "-wal"):
            p = self.db + ext
            if os.path.exists(p):
                with open(p, "rb") as f:
                    data += f.read()
        self.assertNotIn(TOKEN.encode(), data)
        self.assertNotIn(TOKEN2.encode(), data)

    # ---- the backfill ----

    def test_backfill_of_10000_cases_over_20_pages_lands_every_case_and_the_last_cursor(self):
        cases = make_cases(10000)
        feed = Feed(self.srv, cases)
        t0 = time.monotonic()
        d = self.run_daemon()
        self.wait_polls_done(d)
        took = time.monotonic() - t0
        self.assert_all_landed(cases, d)
        self.assertEqual(feed.pages_served, 20)
        reqs = self.srv.requests
        self.assertEqual(reqs[0]["query"], {"updated_since": "2024-01-01", "page": "1",
                                            "page_size": "500"})
        self.assertTrue(all(r["tls"] for r in reqs))
        self.assertEqual(self.query("SELECT count(*) FROM rejects"), [(0,)])
        # Mapped through the court-cases profile: 判决撤销 (revoked) is a loss.
        self.assertEqual(self.query("SELECT cause, outcome, agency_lost FROM cases WHERE "
                                    "case_no_raw = '(2024)鄂9004行初2号'"),
                         [(CAUSES[2], "revoked", 1)])
        print("\nFIGURE backfill: %d cases in %.2fs from daemon start = %.0f cases/s"
              % (len(cases), took, len(cases) / took))
        # The next poll asks from the stored cursor and finds nothing new.
        st = self.status()
        self.assertEqual(st["state"], "idle")
        self.assertEqual(d.stop(), 0)
        self.assert_no_secret_in_warehouse()

    def test_idle_between_polls_uses_almost_no_cpu(self):
        feed = Feed(self.srv, make_cases(50))
        d = self.run_daemon(interval="1h")
        self.wait_polls_done(d)
        time.sleep(0.5)
        tick = os.sysconf("SC_CLK_TCK")

        def cpu():
            with open("/proc/%d/stat" % d.proc.pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return int(fields[11]) + int(fields[12])  # utime + stime

        c0, t0 = cpu(), time.monotonic()
        time.sleep(30)
        c1, t1 = cpu(), time.monotonic()
        used = (c1 - c0) / tick
        print("\nFIGURE idle: %.3fs CPU over %.1fs between polls (%.4f%%)"
              % (used, t1 - t0, 100 * used / (t1 - t0)))
        self.assertLess(used, 0.1)
        self.assertEqual(feed.pages_served, 1)
        self.assertEqual(d.stop(), 0)

    # ---- faults ----

    def test_5xx_then_success_retries_the_same_page(self):
        cases = make_cases(1200)
        feed = Feed(self.srv, cases)
        feed.fault({"status": 503}, {"status": 502}, {"status": 500})
        d = self.run_daemon()
        self.wait_polls_done(d)
        self.assert_all_landed(cases, d)
        self.assertIn("HTTP 503 from the server", d.log_text())
        pages = [r["query"].get("page") for r in self.srv.requests]
        self.assertEqual(pages, ["1", "1", "1", "1", "2", "3"])
        self.assertEqual(self.status()["state"], "idle")

    def test_429_retry_after_is_respected(self):
        cases = make_cases(600)
        feed = Feed(self.srv, cases)
        feed.fault({"status": 429, "retry_after": "2"})
        d = self.run_daemon()
        self.wait_polls_done(d)
        self.assert_all_landed(cases, d)
        times = feed.times
        self.assertGreaterEqual(times[1] - times[0], 1.95)  # timer granularity
        self.assertLess(times[1] - times[0], 3.5)
        print("\nFIGURE 429: Retry-After 2 -> next request %.2fs later" % (times[1] - times[0]))

    def test_timeout_then_success(self):
        cases = make_cases(700)
        feed = Feed(self.srv, cases)
        feed.fault({"status": 200, "body": "{}", "delay_ms": 2500})
        d = self.run_daemon(timeout="1s")
        self.wait_polls_done(d)
        self.assert_all_landed(cases, d)
        self.assertRegex(d.log_text(), r"page 1: .*(imed out|timeout)")

    def test_connection_refused_until_the_server_comes_up(self):
        cases = make_cases(800)
        dead = free_port()
        d = self.run_daemon(url="http://127.0.0.1:%d/cases" % dead, max_failures=3)
        end = time.monotonic() + 20
        while time.monotonic() < end and self.status()["state"] != "failing":
            time.sleep(0.1)
        self.assertEqual(self.status()["state"], "failing")
        self.assertIn("onnect", d.log_text())
        self.assertEqual(self.count_cases(), 0)
        # The server comes up on that port: the next retry succeeds.
        owner = TestServer(tls=False, smtp=False)  # routes only; not started
        Feed(owner, cases)
        httpd = FixedPortHTTP(owner, dead)
        threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        try:
            self.wait_polls_done(d)
            self.assert_all_landed(cases, d)
            self.assertIn("recovered after", d.log_text())
            self.assertEqual(self.status()["state"], "idle")
        finally:
            httpd.shutdown()
            httpd.server_close()

    def test_dns_failure_is_a_retried_failure(self):
        d = self.run_daemon(url="https://no-such-host.invalid/cases", max_failures=2)
        end = time.monotonic() + 20
        while time.monotonic() < end and self.status()["state"] != "failing":
            time.sleep(0.1)
        self.assertEqual(self.status()["state"], "failing")
        self.assertIn("no-such-host.invalid", d.log_text())
        self.assertIsNone(self.cursor())

    def test_invalid_json_and_truncated_pages_are_fetched_again_cursor_untouched(self):
        cases = make_cases(1500)
        feed = Feed(self.srv, cases)
        good = feed.serve
        calls = {"n": 0}

        def page2_broken(req):
            calls["n"] += 1
            return {"status": 200, "body": '{"total": 1500, "items": [{"案号": '}

        def page2_truncated(req):
            r = good(req)
            return dict(r, truncate=400)

        # page 1 fine, page 2 invalid JSON, then page 2 truncated, then fine.
        feed.fault(good, page2_broken, page2_truncated)
        d = self.run_daemon()
        self.wait_polls_done(d)
        self.assert_all_landed(cases, d)
        log = d.log_text()
        self.assertIn("unusable answer: invalid JSON", log)
        pages = [r["query"].get("page") for r in self.srv.requests]
        self.assertEqual(pages, ["1", "2", "2", "2", "3"])

    def test_a_page_with_bad_records_stores_rejects_and_the_rest(self):
        cases = make_cases(1000)
        bad = [dict(cases[10], 案号="not a case number"), dict(cases[11], 被告="")]
        cases_sent = cases[:10] + bad + cases[12:]
        feed = Feed(self.srv, cases_sent)
        d = self.run_daemon()
        self.wait_polls_done(d)
        self.assertEqual(self.count_cases(), 998)
        self.assertEqual(self.query("SELECT count(*) FROM rejects")[0][0], 2)
        self.assertEqual(self.cursor(), cases[-1]["更新时间"])
        self.assertIn("partial", d.log_text())

    def test_401_is_logged_once_then_a_rotated_token_file_is_used_without_restart(self):
        cases = make_cases(900)
        feed = Feed(self.srv, cases, token=TOKEN2)  # the court rotated: ours has expired
        d = self.run_daemon(backoff_base="2s", backoff_max="30s", max_failures=2)
        d.wait_log("token rejected (HTTP 401): update %s" % self.token_file, timeout=10)
        end = time.monotonic() + 20
        while time.monotonic() < end and self.status()["state"] != "failing":
            time.sleep(0.1)
        self.assertEqual(self.status()["state"], "failing")
        self.assertEqual(self.count_cases(), 0)
        time.sleep(0.3)
        t0 = time.monotonic()
        self.write_token(TOKEN2)
        self.wait_polls_done(d, timeout=10)
        took = time.monotonic() - t0
        self.assert_all_landed(cases, d)
        log = d.log_text()
        self.assertEqual(log.count("courtfeed: token rejected (HTTP 401)"), 1, log)
        self.assertIn("the token file changed; retrying now", log)
        self.assertLess(took, 5.0)  # not the backoff: the file change
        self.assertEqual(self.status()["state"], "idle")
        _, metrics = http_get(self.port, "/metrics")
        self.assertIn('litwatch_source_state{source="court",state="idle"} 1', metrics)
        self.assertEqual(d.stop(), 0)
        self.assertNotIn(TOKEN, d.log_text())
        self.assertNotIn(TOKEN2, d.log_text())
        self.assert_no_secret_in_warehouse()

    def test_n_consecutive_failures_show_failing_in_status_json_and_metrics(self):
        feed = Feed(self.srv, make_cases(10))
        feed.fault(*([{"status": 503}] * 50))
        d = self.run_daemon(max_failures=3)
        end = time.monotonic() + 20
        while time.monotonic() < end and self.status()["state"] != "failing":
            time.sleep(0.1)
        out = subprocess.run([os.path.join(BIN, "litwatch"), "status", "--json",
                              "--listen", "127.0.0.1:%d" % self.port],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        src = [s for s in json.loads(out.stdout)["sources"] if s["name"] == "court"][0]
        self.assertEqual(src["state"], "failing")
        self.assertIn("HTTP 503", src["detail"])
        _, metrics = http_get(self.port, "/metrics")
        self.assertIn('litwatch_source_state{source="court",state="failing"} 1', metrics)
        self.assertGreaterEqual(len(self.srv.requests), 3)

    # ---- crash safety ----

    def test_sigkill_mid_backfill_then_restart_lands_everything_once(self):
        cases = make_cases(10000)
        feed = Feed(self.srv, cases)
        feed.delay_ms = 60  # pages arrive slowly enough to be killed among them
        d = self.run_daemon(page_size=250)
        end = time.monotonic() + 60
        while time.monotonic() < end and feed.pages_served < 15:
            time.sleep(0.01)
        self.assertGreaterEqual(feed.pages_served, 15)
        d.proc.send_signal(signal.SIGKILL)
        d.proc.wait()
        before = self.count_cases()
        self.assertGreater(before, 0)
        self.assertLess(before, 10000)
        # The cursor never moved past data not stored: mid-pass it is unset.
        self.assertIsNone(self.cursor())
        self.assertEqual(self.query("PRAGMA integrity_check"), [("ok",)])
        feed.delay_ms = 0
        self.daemons.remove(d)
        d.kill()
        os.unlink(d.notify.path)
        d2 = self.run_daemon(page_size=250)
        self.wait_polls_done(d2)
        self.assert_all_landed(cases, d2)
        self.assertEqual(self.query("SELECT count(DISTINCT case_no) FROM cases")[0][0], 10000)
        print("\nFIGURE sigkill: %d cases stored before kill -9; restart completed to 10000"
              % before)

    def test_sigkill_with_cursor_commit_per_page_resumes_after_the_last_stored_page(self):
        cases = make_cases(4000)

        # A server whose next_cursor is the high-water mark of the page.
        def hw(req):
            q = req["query"]
            since = q.get("updated_since", "")
            page, size = int(q["page"]), int(q["page_size"])
            sel = [c for c in cases if c["更新时间"] > since]
            items = sel[(page - 1) * size: page * size]
            doc = {"total": len(sel), "items": items,
                   "next_cursor": items[-1]["更新时间"] if items else since}
            return {"status": 200, "body": json.dumps(doc, ensure_ascii=False), "delay_ms": 60}

        self.srv.route("/cases", hw)
        d = self.run_daemon(page_size=200, cursor_commit="page")
        end = time.monotonic() + 60
        while time.monotonic() < end and len(self.srv.requests) < 8:
            time.sleep(0.01)
        d.proc.send_signal(signal.SIGKILL)
        d.proc.wait()
        stored, cur = self.count_cases(), self.cursor()
        # The cursor is that of the last stored page: exactly `stored` cases below it.
        self.assertEqual(cur, cases[stored - 1]["更新时间"])
        self.daemons.remove(d)
        d.kill()
        os.unlink(d.notify.path)
        n0 = len(self.srv.requests)
        d2 = self.run_daemon(page_size=200, cursor_commit="page")
        self.wait_polls_done(d2)
        self.assert_all_landed(cases, d2)
        first = self.srv.requests[n0]["query"]
        self.assertEqual(first["updated_since"], cur)
        self.assertEqual(first["page"], "1")

    # ---- other shapes ----

    def test_cursor_token_pagination_with_items_pointer_and_extra_query(self):
        cases = make_cases(1000)

        def tok(req):
            q = req["query"]
            pos = int(q.get("cursor") or 0) if q.get("cursor", "").isdigit() else 0
            n = int(q["limit"])
            items = cases[pos:pos + n]
            return {"status": 200, "body": json.dumps(
                {"data": {"records": items}, "meta": {"next": str(pos + len(items))}},
                ensure_ascii=False)}

        self.srv.route("/cases", tok)
        d = self.run_daemon(pagination="cursor-token", cursor_param="cursor",
                            items_pointer="/data/records", next_cursor_pointer="/meta/next",
                            total_pointer="", page_size_param="limit", page_size=300,
                            extra_query=["court=%E9%84%829004", "kind=admin"])
        self.wait_polls_done(d)
        self.assertEqual(self.count_cases(), 1000)
        self.assertEqual(self.cursor(), "1000")
        q = self.srv.requests[0]["raw_query"]
        self.assertEqual(q, "cursor=2024-01-01&limit=300&court=%E9%84%829004&kind=admin")
        self.assertEqual(len(self.srv.requests), 5)  # 300+300+300+100, then empty

    def test_offset_pagination_and_headers_from_a_file(self):
        cases = make_cases(1000)
        hdr = os.path.join(self.dir, "headers.txt")
        with open(hdr, "w") as f:
            f.write("X-Api-Key: k-123\r\nX-Court: 9004\n")
        os.chmod(hdr, 0o600)

        def off(req):
            q = req["query"]
            if req["headers"].get("X-Api-Key") != "k-123":
                return {"status": 403, "body": "{}"}
            o, n = int(q["offset"]), int(q["limit"])
            return {"status": 200, "body": json.dumps(
                {"count": len(cases), "rows": cases[o:o + n]}, ensure_ascii=False)}

        self.srv.route("/cases", off)
        d = self.run_daemon(pagination="offset", offset_param="offset", page_size_param="limit",
                            page_size=400, items_pointer="/rows", total_pointer="/count",
                            next_cursor_pointer="", headers_file=hdr)
        self.wait_polls_done(d)
        self.assertEqual(self.count_cases(), 1000)
        offsets = [int(r["query"]["offset"]) for r in self.srv.requests]
        self.assertEqual(offsets[:3], [0, 400, 800])
        self.assertEqual(self.srv.requests[0]["headers"].get("X-Court"), "9004")
        self.assertNotIn("k-123", d.log_text())

    def test_next_link_pagination_and_a_link_to_another_host_is_refused(self):
        cases = make_cases(600)

        def link(req):
            q = req["query"]
            pos = int(q.get("from", "0"))
            items = cases[pos:pos + 250]
            doc = {"items": items, "next_cursor": cases[-1]["更新时间"]}
            if pos + 250 < len(cases):
                doc["links"] = {"next": "/cases?from=%d" % (pos + 250)}
            return {"status": 200, "body": json.dumps(doc, ensure_ascii=False)}

        self.srv.route("/cases", link)
        d = self.run_daemon(pagination="next-link", next_link_pointer="/links/next",
                            page_size=250)
        self.wait_polls_done(d)
        self.assert_all_landed(cases, d)
        self.assertEqual([r["query"].get("from") for r in self.srv.requests],
                         [None, "250", "500"])
        self.assertTrue(all("Bearer" in r["headers"].get("Authorization", "")
                            for r in self.srv.requests))
        self.assertEqual(d.stop(), 0)

    def test_next_link_to_another_host_never_gets_the_token(self):
        self.srv.route("/cases", {"status": 200, "body": json.dumps(
            {"items": make_cases(2), "links": {"next": "https://evil.example/steal"}})})
        d = self.run_daemon(pagination="next-link", next_link_pointer="/links/next",
                            max_failures=1)
        d.wait_log("is not a URL on the configured server")
        self.assertEqual(self.count_cases(), 0)

    # ---- endless pagination: a pass always ends ----

    def wait_pass_stopped(self, d, timeout=30.0):
        d.wait_log("courtfeed: pass stopped", timeout=timeout)
        time.sleep(0.3)  # a looping pass would fetch more in this time
        return d.log_text()

    def test_next_link_bouncing_a_b_a_fails_the_pass_naming_the_page(self):
        items = make_cases(4)
        hops = {None: "/cases?p=b", "b": "/cases?p=a", "a": "/cases?p=b"}

        def bounce(req):
            p = req["query"].get("p")
            i = {None: 0, "a": 1, "b": 2}[p]
            doc = {"items": items[i:i + 1], "links": {"next": hops[p]}}
            return {"status": 200, "body": json.dumps(doc, ensure_ascii=False)}

        self.srv.route("/cases", bounce)
        d = self.run_daemon(pagination="next-link", next_link_pointer="/links/next")
        log = self.wait_pass_stopped(d)
        self.assertEqual([r["query"].get("p") for r in self.srv.requests], [None, "b", "a"])
        self.assertIn("court: courtfeed: pass stopped at page 3: the next link "
                      "https://127.0.0.1:%d/cases was already fetched in this pass (page 2)"
                      % self.srv.https_port, log)
        self.assertEqual(self.status()["state"], "failing")
        self.assertIsNone(self.cursor())  # the pass did not finish: no cursor moved
        self.assertEqual(d.stop(), 0)

    def test_cursor_token_repeated_anywhere_in_the_pass_fails_the_pass(self):
        items = make_cases(4)
        nxt = {"2024-01-01": "t1", "t1": "t2", "t2": "t1"}

        def tokens(req):
            c = req["query"]["cursor"]
            doc = {"items": items[:1], "next": nxt[c]}
            return {"status": 200, "body": json.dumps(doc, ensure_ascii=False)}

        self.srv.route("/cases", tokens)
        d = self.run_daemon(pagination="cursor-token", cursor_param="cursor",
                            next_cursor_pointer="/next")
        log = self.wait_pass_stopped(d)
        self.assertEqual([r["query"]["cursor"] for r in self.srv.requests],
                         ["2024-01-01", "t1", "t2"])
        self.assertIn("court: courtfeed: pass stopped at page 3: the next cursor token "
                      "was already sent in this pass (page 2)", log)
        self.assertEqual(self.status()["state"], "failing")
        self.assertEqual(d.stop(), 0)

    def test_page_pagination_that_never_empties_stops_at_max_pages(self):
        items = make_cases(1)

        def endless(req):  # never empty, no total
            return {"status": 200, "body": json.dumps({"items": items}, ensure_ascii=False)}

        self.srv.route("/cases", endless)
        d = self.run_daemon(total_pointer="", max_pages=7)
        log = self.wait_pass_stopped(d)
        self.assertEqual(len(self.srv.requests), 7)
        self.assertIn("court: courtfeed: pass stopped at page 7: max_pages (7) reached and "
                      "the feed still has more", log)
        self.assertEqual(self.status()["state"], "failing")
        self.assertIsNone(self.cursor())
        self.assertEqual(d.stop(), 0)

    def test_start_must_be_a_date(self):
        os.makedirs(os.path.join(self.dir, "data"), exist_ok=True)
        d = self.start(self.config(start="2024-02-30"))
        d.wait_log('start: "2024-02-30" is not a date written YYYY-MM-DD', timeout=20)


if __name__ == "__main__":
    unittest.main()
