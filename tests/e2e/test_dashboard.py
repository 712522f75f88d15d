"""End to end: the dashboard (issue 16, docs/dashboard.md) against the real
litwatchd on loopback, over plain HTTP as a browser and a script speak it:
users managed by `litwatch user` (yescrypt, a 0600 file), the login form and
its session cookie, redirects and 401s without a session, CSRF tokens, roles
and the audit table, HTTP Basic, rate-limited logins, hostile names escaped,
the ranking equal to `litwatch stats`, the XLSX download read by openpyxl,
and `check-config` refusing a network listen without TLS and users."""

import csv
import ctypes
import html.parser
import http.client
import io
import json
import os
import re
import shutil
import sqlite3
import stat
import statistics
import subprocess
import tempfile
import time
import unittest
import urllib.parse

import report_fixture as fx
from lwtest import BIN, DaemonTestCase, free_port

try:
    import openpyxl
except ImportError:  # pragma: no cover - .ci/packages installs python3-openpyxl
    openpyxl = None

HOSTILE = "<img src=x onerror=alert(1)>"
# The importer drops spaces from agency names; an img tag needs none.
HOSTILE_AGENCY = "<img/src=x/onerror=alert(1)>局"
# A name nobody confirmed (held while unknown_agencies is "hold").
HELD = "市自然资源管理局"
# One case of 市自然资源局 (the fixture's first), for obligations and a conflict.
CASE1 = "(2024)鄂9005行初1号"
PASSWORDS = {"ana": ("analyst", "analyst-pass-1"), "vi": ("viewer", "viewer-pass-1"),
             "adm": ("admin", "admin-pass-1")}


def litwatch(*args, stdin=None, check=0):
    p = subprocess.run([os.path.join(BIN, "litwatch"), *args], input=stdin, capture_output=True,
                       text=True, timeout=120)
    if check is not None and p.returncode != check:
        raise AssertionError("litwatch %s: exit %d (wanted %d)\n%s%s"
                             % (" ".join(args), p.returncode, check, p.stdout, p.stderr))
    return p


class Tags(html.parser.HTMLParser):
    """Every start tag, and the text of the tables by id: {id: [[cell, ...], ...]}."""

    def __init__(self):
        super().__init__()
        self.tags, self.tables = [], {}
        self.table = None
        self.row = self.cell = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        a = dict(attrs)
        if tag == "table":
            self.table = self.tables.setdefault(a.get("id", ""), [])
        elif tag == "tr" and self.table is not None:
            self.row = []
            self.table.append(self.row)
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row.append("".join(self.cell).strip())
            self.cell = None
        elif tag == "table":
            self.table = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def parse(body):
    p = Tags()
    p.feed(body)
    return p


class DashboardBase(DaemonTestCase):
    """The warehouse, the users and HTTP helpers (test_dashboard_browser too)."""

    @classmethod
    def setUpClass(cls):
        # One warehouse for the class (the bulletin tests' fixture, plus an
        # agency and a cause written as markup); each test copies it.
        cls.template = tempfile.mkdtemp(prefix="lw-dash-tpl-")
        cfg = fx.build(cls.template)
        c = fx.Cases()
        c.seq = 9000  # case numbers of their own, not the fixture's
        c.add(HOSTILE_AGENCY, "2024-07-12", "2024-08-12", lost=True, n=1, cause=HOSTILE)
        c.add(HOSTILE_AGENCY, "2024-07-12", n=2, cause=HOSTILE)
        path = os.path.join(cls.template, "hostile.csv")
        with open(path, "w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f, lineterminator="\r\n")
            w.writerow(fx.COURT)
            w.writerows(c.rows)
        litwatch("import", "--config", cfg, "--profile", "court-cases", "--json", path)
        # Two cases whose defendant nobody confirmed (held), and a row that
        # cannot go in (the file is partly imported, with a report).
        c = fx.Cases()
        c.seq = 9500
        c.add(HELD, "2024-07-15", n=2)
        c.rows.append(["(2024)鄂9005行初9599号", "潜江市人民法院", "行政处罚", "张三", HELD,
                       "2024-13-45", "", "", "是"])
        path = os.path.join(cls.template, "held.csv")
        with open(path, "w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f, lineterminator="\r\n")
            w.writerow(fx.COURT)
            w.writerows(c.rows)
        with open(cfg, encoding="utf-8") as f:
            hold = json.load(f)
        hold["unknown_agencies"] = "hold"
        hold_cfg = os.path.join(cls.template, "hold.json")
        with open(hold_cfg, "w", encoding="utf-8") as f:
            json.dump(hold, f, ensure_ascii=False)
        litwatch("import", "--config", hold_cfg, "--profile", "court-cases", "--json", path,
                 check=None)
        os.unlink(hold_cfg)
        con = sqlite3.connect(os.path.join(cls.template, "litwatch.db"))
        with con:
            con.execute("INSERT INTO alerts (id, rule, labels, period, fingerprint, state, summary)"
                        " VALUES (1, 'loss_rate', '{}', '2024Q3', 'fp-1', 'firing', ?)",
                        (HOSTILE + " loss rate rising",))
            # Obligations as core/deadlines stores them: one overdue, one
            # due in two days (this week), one done late.
            soon = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600 + 2 * 86400))
            agency = con.execute("SELECT id FROM agencies WHERE name = '市自然资源局'").fetchone()[0]
            for rule, due, done, status, late in (
                    ("report-new-suit", "2024-07-04", None, "open", None),
                    ("defence", soon, None, "open", None),
                    ("loss-analysis", "2024-09-10", "2024-09-15", "late", 5)):
                con.execute("INSERT INTO obligations (case_no, rule, agency_id, calendar, "
                            "start_date, due_date, done_date, status, days_late, computed_at) "
                            "VALUES (?, ?, ?, 'working', '2024-07-01', ?, ?, ?, ?, "
                            "'2024-07-01T00:00:00Z')", (CASE1, rule, agency, due, done, status,
                                                         late))
            con.execute("INSERT INTO conflicts (table_name, row_key, field, value_kept, "
                        "source_kept, value_other, source_other, import_id) VALUES ('cases', ?, "
                        "'cause', '行政处罚', 'court', ?, 'agency-sheet', 1)", (CASE1, HOSTILE))
            con.execute("INSERT INTO alerts (id, rule, labels, period, fingerprint, state, summary)"
                        " VALUES (2, 'filed', '{}', '2024Q3', 'fp-2', 'firing', 'filed up')")
        con.close()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.template, ignore_errors=True)

    def setUp(self):
        super().setUp()
        self.port = free_port()
        shutil.rmtree(self.dir)
        shutil.copytree(self.template, self.dir)
        with open(os.path.join(self.dir, "litwatch.json"), encoding="utf-8") as f:
            self.cfg_doc = json.load(f)
        self.cfg_doc["data_dir"] = self.dir
        self.cfg_doc["sources"] = []
        self.cfg_doc["http"] = {"listen": "127.0.0.1:%d" % self.port, "users_file": "users"}
        self.cfg = self.write_config(self.cfg_doc)
        self.users = os.path.join(self.dir, "users")

    def add_users(self):
        for name, (role, pw) in PASSWORDS.items():
            litwatch("user", "add", name, "--role", role, "--config", self.cfg, stdin=pw + "\n")

    def run_daemon(self):
        d = self.start(self.cfg)
        d.notify.wait_for("READY=1", timeout=20)
        self.d = d
        return d

    def db(self):
        return sqlite3.connect(os.path.join(self.dir, "litwatch.db"))

    # ---- HTTP ----

    def request(self, method, path, body=None, cookie=None, headers=None, basic=None):
        h = dict(headers or {})
        if cookie:
            h["Cookie"] = "lw_session=" + cookie
        if basic:
            import base64
            h["Authorization"] = "Basic " + base64.b64encode(
                ("%s:%s" % basic).encode()).decode()
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            h["Content-Type"] = "application/x-www-form-urlencoded"
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            c.request(method, path, body=data, headers=h)
            r = c.getresponse()
            raw = r.read()
            return r.status, raw, r.getheaders()
        finally:
            c.close()

    def get(self, path, cookie=None, **kw):
        s, raw, h = self.request("GET", path, cookie=cookie, **kw)
        return s, raw.decode("utf-8", "replace"), h

    def post(self, path, body, cookie=None, **kw):
        s, raw, h = self.request("POST", path, body=body, cookie=cookie, **kw)
        return s, raw.decode("utf-8", "replace"), h

    @staticmethod
    def header(headers, name):
        vals = [v for k, v in headers if k.lower() == name.lower()]
        return vals[0] if vals else None

    def login(self, name, password=None):
        """The form's POST; returns (session id, Set-Cookie)."""
        pw = password or PASSWORDS[name][1]
        s, body, h = self.post("/ui/login", {"user": name, "password": pw, "next": "/ui/"})
        self.assertEqual(s, 303, body)
        sc = self.header(h, "Set-Cookie")
        self.assertIsNotNone(sc, h)
        m = re.match(r"lw_session=([0-9a-f]{64});", sc)
        self.assertTrue(m, sc)
        return m.group(1), sc

    def csrf(self, cookie, page="/ui/alerts"):
        s, body, _ = self.get(page, cookie)
        self.assertEqual(s, 200, body)
        m = re.search(r'name="csrf" value="([0-9a-f]{64})"', body)
        self.assertTrue(m, body)
        return m.group(1)

    def audit(self, action):
        con = self.db()
        try:
            return con.execute("SELECT user, role, address, target, detail, ok FROM web_audit "
                               "WHERE action = ? ORDER BY id", (action,)).fetchall()
        finally:
            con.close()

    def acked_by(self, alert_id):
        con = self.db()
        try:
            return con.execute("SELECT acked_by FROM alerts WHERE id = ?", (alert_id,)).fetchone()[0]
        finally:
            con.close()


class Dashboard(DashboardBase):

    # ---- users ----

    def test_user_add_writes_a_0600_file_with_a_yescrypt_hash_passwd_and_del(self):
        self.add_users()
        self.assertEqual(stat.S_IMODE(os.stat(self.users).st_mode), 0o600)
        with open(self.users) as f:
            text = f.read()
        lines = [l for l in text.splitlines() if l and not l.startswith("#")]
        self.assertEqual(len(lines), 3, text)
        name, role, h = lines[0].split(":", 2)
        self.assertEqual((name, role), ("ana", "analyst"))
        self.assertRegex(h, r"^\$y\$[./0-9A-Za-z]+\$[./0-9A-Za-z]+\$[./0-9A-Za-z]{43}$")
        self.assertNotIn(PASSWORDS["ana"][1], text)
        # The same password twice: two salts.
        litwatch("user", "add", "ana2", "--role", "viewer", "--config", self.cfg,
                 stdin=PASSWORDS["ana"][1] + "\n")
        with open(self.users) as f:
            h2 = [l for l in f.read().splitlines() if l.startswith("ana2:")][0].split(":", 2)[2]
        self.assertNotEqual(h, h2)
        # Refusals: a short password, an existing name, no role.
        self.assertNotEqual(litwatch("user", "add", "bob", "--role", "viewer", "--config",
                                     self.cfg, stdin="short\n", check=None).returncode, 0)
        self.assertNotEqual(litwatch("user", "add", "ana", "--role", "viewer", "--config",
                                     self.cfg, stdin="long-enough-1\n", check=None).returncode, 0)
        self.assertNotEqual(litwatch("user", "add", "bob", "--config", self.cfg,
                                     stdin="long-enough-1\n", check=None).returncode, 0)
        litwatch("user", "passwd", "ana", "--config", self.cfg, stdin="new-password-9\n")
        litwatch("user", "del", "ana2", "--config", self.cfg)
        self.assertEqual(litwatch("user", "list", "--config", self.cfg).stdout,
                         "ana\tanalyst\nvi\tviewer\nadm\tadmin\n")
        self.assertEqual(stat.S_IMODE(os.stat(self.users).st_mode), 0o600)
        self.run_daemon()
        s, body, _ = self.post("/ui/login", {"user": "ana", "password": PASSWORDS["ana"][1]})
        self.assertEqual(s, 403, body)  # the old password no longer works
        self.login("ana", "new-password-9")

    # ---- sessions ----

    def test_login_sets_an_httponly_samesite_strict_cookie_and_logout_ends_it(self):
        self.add_users()
        self.run_daemon()
        s, body, _ = self.get("/ui/login")
        self.assertEqual(s, 200)
        self.assertIn('name="password"', body)
        sid, sc = self.login("ana")
        attrs = [a.strip() for a in sc.split(";")]
        self.assertIn("HttpOnly", attrs)
        self.assertIn("SameSite=Strict", attrs)
        self.assertIn("Path=/", attrs)
        self.assertNotIn("Secure", attrs)  # plain HTTP on loopback
        s, body, h = self.get("/ui/", sid)
        self.assertEqual(s, 200, body)
        self.assertIn("ana (analyst)", body)
        self.assertIn("default-src 'none'", self.header(h, "Content-Security-Policy"))
        self.assertEqual(self.get("/api/stats?period=2024Q3", sid)[0], 200)
        self.assertEqual(self.audit("login")[-1][0], "ana")
        # A next outside the site is never followed.
        s, _, h = self.post("/ui/login", {"user": "vi", "password": PASSWORDS["vi"][1],
                                          "next": "//evil.example/"})
        self.assertEqual((s, self.header(h, "Location")), (303, "/ui/"))
        # Log out: the cookie is cleared and the session is gone on the server.
        s, _, h = self.post("/ui/logout", {"csrf": self.csrf(sid)}, sid)
        self.assertEqual(s, 303)
        self.assertIn("Max-Age=0", self.header(h, "Set-Cookie"))
        s, _, h = self.get("/ui/", sid)
        self.assertEqual(s, 303)
        self.assertTrue(self.header(h, "Location").startswith("/ui/login"))
        self.assertEqual(self.get("/api/stats", sid)[0], 401)

    def test_without_a_session_pages_redirect_to_the_login_and_the_api_is_401(self):
        self.add_users()
        self.run_daemon()
        for page in ("/ui/", "/ui/ranking", "/ui/alerts", "/ui/ranking.xlsx"):
            s, body, h = self.get(page)
            self.assertEqual(s, 303, page)
            self.assertEqual(self.header(h, "Location"), "/ui/login?next=" + page)
        # The path goes back into Location percent-encoded: no header can
        # be injected through it (response splitting, a planted cookie).
        s, body, h = self.get("/ui/x%0d%0aSet-Cookie:%20lw_session=" + "1" * 64)
        self.assertEqual(s, 303)
        self.assertIsNone(self.header(h, "Set-Cookie"))
        self.assertEqual(self.header(h, "Location"),
                         "/ui/login?next=/ui/x%0D%0ASet-Cookie%3A%20lw_session%3D" + "1" * 64)
        s, body, h = self.get("/ui/", "0" * 64)  # a made-up session
        self.assertEqual(s, 303)
        s, body, h = self.get("/api/stats?period=2024Q3")
        self.assertEqual(s, 401, body)
        self.assertIn("Basic", self.header(h, "WWW-Authenticate"))
        self.assertNotIn('"groups"', body)
        # An action without a session: not done.
        s, body, _ = self.post("/ui/alerts/ack", {"id": "1"})
        self.assertIn(s, (303, 401))
        self.assertIsNone(self.acked_by(1))
        # The status API is untouched by the dashboard.
        self.assertEqual(self.get("/health")[:2], (200, "ok\n"))
        self.assertEqual(self.get("/status")[0], 200)

    def test_a_post_with_a_missing_wrong_or_stale_csrf_token_is_refused(self):
        self.add_users()
        self.run_daemon()
        old, _ = self.login("ana")
        stale = self.csrf(old)
        s, _, _ = self.post("/ui/logout", {"csrf": stale}, old)
        self.assertEqual(s, 303)
        sid, _ = self.login("ana")
        good = self.csrf(sid)
        self.assertNotEqual(good, stale)
        for body in ({"id": "1"}, {"id": "1", "csrf": ""}, {"id": "1", "csrf": "0" * 64},
                     {"id": "1", "csrf": stale}, {"id": "1", "csrf": good[:-1]}):
            s, text, _ = self.post("/ui/alerts/ack", body, sid)
            self.assertEqual(s, 403, (body, text))
            self.assertIn("CSRF", text)
        self.assertIsNone(self.acked_by(1))
        self.assertTrue(self.audit("csrf_refused"))
        s, text, _ = self.post("/ui/alerts/ack", {"id": "1", "csrf": good}, sid)
        self.assertEqual(s, 303, text)
        self.assertEqual(self.acked_by(1), "ana")

    # ---- roles and audit ----

    def test_a_viewer_cannot_acknowledge_an_analyst_can_and_both_are_audited(self):
        self.add_users()
        self.run_daemon()
        vi, _ = self.login("vi")
        s, body, _ = self.get("/ui/alerts", vi)
        self.assertEqual(s, 200)
        self.assertNotIn('id="ack-1"', body)  # no button for a viewer
        tok = re.search(r'name="csrf" value="([0-9a-f]{64})"', body).group(1)
        s, body, _ = self.post("/ui/alerts/ack", {"id": "1", "csrf": tok}, vi)
        self.assertEqual(s, 403, body)
        s, body, _ = self.post("/ui/alerts/close", {"id": "1", "csrf": tok,
                                                    "outcome": "confirmed"}, vi)
        self.assertEqual(s, 403, body)
        self.assertIsNone(self.acked_by(1))
        self.assertEqual(self.audit("ack"), [("vi", "viewer", "127.0.0.1", "1", "refused: role", 0)])

        ana, _ = self.login("ana")
        s, body, _ = self.get("/ui/alerts", ana)
        self.assertIn('id="ack-1"', body)
        tok = self.csrf(ana)
        s, body, h = self.post("/ui/alerts/ack", {"id": "1", "csrf": tok}, ana)
        self.assertEqual((s, self.header(h, "Location")), (303, "/ui/alerts"), body)
        self.assertEqual(self.acked_by(1), "ana")
        self.assertEqual(self.audit("ack")[-1], ("ana", "analyst", "127.0.0.1", "1", "", 1))
        s, body, _ = self.post("/ui/alerts/close", {"id": "1", "csrf": tok, "outcome": "not_real",
                                                    "note": "一次性集中立案"}, ana)
        self.assertEqual(s, 303, body)
        con = self.db()
        self.assertEqual(con.execute("SELECT outcome, note, closed_by FROM alert_reviews WHERE "
                                     "alert_id = 1").fetchone(), ("not_real", "一次性集中立案", "ana"))
        con.close()
        self.assertEqual(self.audit("close")[-1][:4], ("ana", "analyst", "127.0.0.1", "1"))
        self.assertEqual(self.audit("close")[-1][5], 1)
        s, body, _ = self.get("/ui/alerts", ana)
        self.assertIn("not_real", body)
        # A bad outcome or an alert that does not exist: refused, audited.
        s, body, _ = self.post("/ui/alerts/close", {"id": "2", "csrf": tok, "outcome": "bogus"}, ana)
        self.assertEqual(s, 400, body)
        s, body, _ = self.post("/ui/alerts/ack", {"id": "99", "csrf": tok}, ana)
        self.assertEqual(s, 404, body)
        self.assertEqual(self.audit("ack")[-1][5], 0)

    # ---- HTTP Basic ----

    def test_http_basic_works_for_the_api_and_a_wrong_password_is_401(self):
        self.add_users()
        self.run_daemon()
        s, body, _ = self.get("/api/stats?period=2024Q3", basic=("vi", PASSWORDS["vi"][1]))
        self.assertEqual(s, 200, body)
        doc = json.loads(body)
        self.assertEqual(doc["period"], "2024Q3")
        st = json.loads(litwatch("stats", "--config", self.cfg, "--period", "2024Q3",
                                 "--format", "json").stdout)
        self.assertEqual(doc["total"]["filed"], st["total"]["filed"])
        s, body, _ = self.get("/api/stats", basic=("vi", "wrong-password"))
        self.assertEqual(s, 401, body)
        s, body, _ = self.get("/api/stats", basic=("nobody", "wrong-password"))
        self.assertEqual(s, 401, body)
        s, body, _ = self.get("/ui/ranking?period=2024Q3", basic=("ana", PASSWORDS["ana"][1]))
        self.assertEqual(s, 200, body)

    def check_timing(self, name):
        def cost(user):
            t = time.monotonic()
            s, _, _ = self.get("/api/stats", basic=(user, "wrong-password"))
            self.assertEqual(s, 401)
            return time.monotonic() - t

        cost("warm-up")
        known, unknown = [], []
        for i in range(5):  # 5 for the known name: under the rate limit
            known.append(cost(name))  # interleaved: a busy machine slows both alike
            unknown.append(cost("ghost%d" % i))
        # The fastest of each: a busy machine only ever adds time.  Without
        # a real dummy hash an unknown name answers in well under a tenth.
        known, unknown = min(known), min(unknown)
        self.assertGreater(known, 0.003, "a yescrypt check takes milliseconds")
        self.assertGreater(unknown, known * 0.4, (known, unknown))
        self.assertLess(unknown, known * 2.5, (known, unknown))

    def test_an_unknown_name_costs_as_much_as_a_wrong_password(self):
        """An unknown name is checked against a real yescrypt hash made at
        start, so the answer's time does not tell whether a name exists."""
        self.add_users()
        self.run_daemon()
        self.check_timing("ana")

    def test_an_unknown_name_costs_as_much_even_with_a_costlier_hash(self):
        """A users file whose hashes are costlier than the default (made by
        another tool, or with a raised cost): the dummy hash follows them."""
        c = ctypes.CDLL("libcrypt.so.1")
        c.crypt.restype = c.crypt_gensalt.restype = ctypes.c_char_p
        setting = c.crypt_gensalt(b"$y$", 8, None, 0)  # 8x the default cost
        h = c.crypt(b"slow-password-1", setting).decode()
        self.assertTrue(h.startswith("$y$jCT$"), h)
        with open(self.users, "w") as f:
            f.write("slow:viewer:%s\n" % h)
        os.chmod(self.users, 0o600)
        self.run_daemon()
        self.assertEqual(self.get("/api/stats", basic=("slow", "slow-password-1"))[0], 200)
        self.check_timing("slow")

    # ---- rate limits ----

    def test_failed_logins_are_rate_limited_with_429(self):
        self.add_users()
        self.run_daemon()
        for i in range(5):
            s, body, _ = self.post("/ui/login", {"user": "ana", "password": "wrong-%d" % i})
            self.assertEqual(s, 403, body)
            self.assertNotIn("Set-Cookie", body)
        s, body, h = self.post("/ui/login", {"user": "ana", "password": PASSWORDS["ana"][1]})
        self.assertEqual(s, 429, body)
        self.assertIsNotNone(self.header(h, "Retry-After"))
        self.assertIsNone(self.header(h, "Set-Cookie"))
        # The name is locked for scripts too.
        s, body, h = self.get("/api/stats", basic=("ana", PASSWORDS["ana"][1]))
        self.assertEqual(s, 429, body)
        rows = self.audit("login")
        self.assertEqual(len([r for r in rows if r[4] == "wrong name or password"]), 5)
        self.assertEqual(rows[-1][4], "rate limited")

    # ---- hostile content ----

    def test_an_imported_name_written_as_markup_is_escaped_in_every_page(self):
        self.add_users()
        self.run_daemon()
        sid, _ = self.login("ana")
        for page in ("/ui/?lang=en", "/ui/", "/ui/ranking?period=2024Q3",
                     "/ui/ranking?period=2024Q3&sort=group&dir=desc", "/ui/alerts"):
            s, body, _ = self.get(page, sid)
            self.assertEqual(s, 200, page)
            self.assertNotIn("<img", body, page)
            self.assertNotIn("<script", body, page)
            tags = parse(body).tags
            self.assertFalse([t for t in tags if t[0] in ("img", "script")], page)
            self.assertFalse([t for t in tags if any(k.startswith("on") for k in t[1])], page)
        for page in ("/ui/", "/ui/ranking?period=2024Q3"):
            body = self.get(page, sid)[1]
            self.assertIn("&lt;img/src=x/onerror=alert(1)&gt;局", body, page)
            self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;局", body, page)
        self.assertIn("&lt;img src=x onerror=alert(1)&gt; loss rate rising",
                      self.get("/ui/alerts", sid)[1])
        # A hostile next or period comes back inert too.
        s, body, _ = self.get("/ui/login?next=%22%3E%3Cscript%3Ealert(1)%3C/script%3E")
        self.assertNotIn("<script", body)
        s, body, _ = self.get("/ui/ranking?period=%3Cscript%3E", sid)
        self.assertNotIn("<script", body)

    # ---- figures ----

    def test_the_ranking_equals_litwatch_stats_for_the_same_period(self):
        self.add_users()
        self.run_daemon()
        sid, _ = self.login("vi")
        for period in ("2024Q3", "2024", "2023Q3"):
            st = json.loads(litwatch("stats", "--config", self.cfg, "--period", period,
                                     "--format", "json").stdout)
            s, body, _ = self.get("/ui/ranking?period=" + period, sid)
            self.assertEqual(s, 200, body)
            rows = parse(body).tables["ranking"]
            head, data, total = rows[0], rows[1:-1], rows[-1]
            self.assertEqual(head[1:6], ["单位", "新收", "审结", "败诉", "败诉率%"])
            shown = {r[1]: r for r in data}
            want = {g["group"]: g for g in st["groups"]}
            # The ranking lists every agency, with or without cases in the
            # period (as the bulletin does); stats only those with cases.
            self.assertLessEqual(set(want), set(shown), period)
            self.assertIn("市生态环境局", shown)
            for name in set(shown) - set(want):
                self.assertEqual(shown[name][2:5], ["0", "0", "0"])
            for name, g in want.items():
                r = shown[name]
                self.assertEqual([int(r[2]), int(r[3]), int(r[4])],
                                 [g["filed"], g["concluded"], g["lost"]], (period, name))
                rate = None if r[5] == "n/a" else float(r[5])
                self.assertEqual(rate, g["loss_rate"], (period, name))
            self.assertEqual([int(total[2]), int(total[3]), int(total[4])],
                             [st["total"]["filed"], st["total"]["concluded"], st["total"]["lost"]])
        # Qianjiang: 51 filed, 36 concluded, 1 lost -> 2.78 (half-up).
        body = self.get("/ui/ranking?period=2024Q3", sid)[1]
        q = [r for r in parse(body).tables["ranking"] if r[1] == "市自然资源局"][0]
        self.assertEqual(q[2:6], ["51", "36", "1", "2.78"])
        h = [r for r in parse(body).tables["ranking"] if r[1] == HOSTILE_AGENCY][0]
        self.assertEqual(h[2:6], ["3", "1", "1", "100.00"])
        # Sorted by filed, descending: the figures in that order.
        body = self.get("/ui/ranking?period=2024Q3&sort=filed&dir=desc", sid)[1]
        filed = [int(r[2]) for r in parse(body).tables["ranking"][1:-1]]
        self.assertEqual(filed, sorted(filed, reverse=True))
        self.assertEqual(filed[0], 51)
        # The overview's figures are core/figures' too (this quarter: empty).
        body = self.get("/ui/?lang=en", sid)[1]
        self.assertIn("figures", parse(body).tables)

    def test_downloads_xlsx_opens_in_openpyxl_and_csv_equals_stats(self):
        if openpyxl is None:
            self.fail("python3-openpyxl is not installed (.ci/packages)")
        self.add_users()
        self.run_daemon()
        sid, _ = self.login("vi")
        st = {g["group"]: g for g in json.loads(litwatch(
            "stats", "--config", self.cfg, "--period", "2024Q3", "--format", "json").stdout)["groups"]}
        s, raw, h = self.request("GET", "/ui/ranking.xlsx?period=2024Q3", cookie=sid)
        self.assertEqual(s, 200, raw[:200])
        self.assertEqual(self.header(h, "Content-Type"),
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        self.assertIn('filename="2024Q3.xlsx"', self.header(h, "Content-Disposition"))
        wb = openpyxl.load_workbook(io.BytesIO(raw))
        cells = [c for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row]
        self.assertIn("市自然资源局", cells)
        self.assertIn(HOSTILE_AGENCY, cells)  # a string cell, never markup or a formula
        found = False
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                if "市自然资源局" in row:
                    nums = [c for c in row if isinstance(c, (int, float))]
                    if st["市自然资源局"]["filed"] in nums and 36 in nums:
                        found = True
        self.assertTrue(found, "no row with 51 filed and 36 concluded for 市自然资源局")
        # The same bytes as `litwatch report` for the same period.
        out = os.path.join(self.dir, "cli.csv")
        litwatch("report", "--config", self.cfg, "--period", "2024Q3", "--format", "csv", "-o", out)
        s, raw, h = self.request("GET", "/ui/ranking.csv?period=2024Q3", cookie=sid)
        self.assertEqual(s, 200)
        with open(out, "rb") as f:
            self.assertEqual(raw, f.read())
        s, raw, h = self.request("GET", "/ui/ranking.html?period=2024Q3", cookie=sid)
        self.assertEqual(s, 200)
        self.assertNotIn(b"<img src=x", raw)
        self.assertEqual(self.request("GET", "/ui/ranking.csv?period=nonsense", cookie=sid)[0], 400)

    # ---- configuration ----

    def test_check_config_refuses_a_network_listen_without_tls_and_users(self):
        cert = os.path.join(self.dir, "cert.pem")
        key = os.path.join(self.dir, "key.pem")
        for p in (cert, key):
            with open(p, "w") as f:
                f.write("-----BEGIN PLACEHOLDER-----\n")
        cases = [({"listen": "0.0.0.0:%d" % self.port}, False),
                 ({"listen": "0.0.0.0:%d" % self.port, "users_file": "users"}, False),
                 ({"listen": "192.0.2.1:%d" % self.port, "cert_file": cert, "key_file": key},
                  False),
                 ({"listen": "[::]:%d" % self.port, "users_file": "users", "cert_file": cert},
                  False),
                 ({"listen": "0.0.0.0:%d" % self.port, "users_file": "users", "cert_file": cert,
                   "key_file": key}, True),
                 ({"listen": "127.0.0.1:%d" % self.port}, True)]
        for http_cfg, ok in cases:
            self.cfg_doc["http"] = http_cfg
            path = self.write_config(self.cfg_doc, "c.json")
            r = litwatch("check-config", path, check=None)
            self.assertEqual(r.returncode == 0, ok, (http_cfg, r.stdout, r.stderr))
            if not ok:
                self.assertRegex(r.stdout + r.stderr, r"TLS|cert_file|key_file|users")
        # The daemon refuses such a config as well, before it listens.
        self.cfg_doc["http"] = {"listen": "0.0.0.0:%d" % self.port}
        path = self.write_config(self.cfg_doc, "c.json")
        p = subprocess.run([os.path.join(BIN, "litwatchd"), "--config", path],
                           capture_output=True, text=True, timeout=30)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("TLS", p.stdout + p.stderr)

    def test_a_network_listen_with_tls_and_users_serves_https_with_a_secure_cookie(self):
        import ssl
        cert = os.path.join(self.dir, "cert.pem")
        key = os.path.join(self.dir, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                        "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1"], check=True,
                       capture_output=True)
        os.chmod(key, 0o600)
        self.add_users()
        self.cfg_doc["http"] = {"listen": "0.0.0.0:%d" % self.port, "users_file": "users",
                                "cert_file": cert, "key_file": key}
        self.cfg = self.write_config(self.cfg_doc)
        litwatch("check-config", self.cfg)
        self.run_daemon()
        ctx = ssl.create_default_context(cafile=cert)
        ctx.check_hostname = False

        def https(method, path, body=None, headers=None):
            c = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=10, context=ctx)
            try:
                c.request(method, path, body=body, headers=headers or {})
                r = c.getresponse()
                return r.status, r.read().decode(), r.getheaders()
            finally:
                c.close()

        self.assertEqual(https("GET", "/health")[:2], (200, "ok\n"))
        import base64
        auth = "Basic " + base64.b64encode(("vi:" + PASSWORDS["vi"][1]).encode()).decode()
        s, body, _ = https("GET", "/api/stats?period=2024Q3", headers={"Authorization": auth})
        self.assertEqual(s, 200, body)
        self.assertEqual(https("GET", "/api/stats")[0], 401)
        s, body, h = https("POST", "/ui/login", urllib.parse.urlencode(
            {"user": "ana", "password": PASSWORDS["ana"][1]}),
            {"Content-Type": "application/x-www-form-urlencoded",
             "Origin": "https://127.0.0.1:%d" % self.port})
        self.assertEqual(s, 303, body)
        self.assertIn("Secure", [a.strip() for a in self.header(h, "Set-Cookie").split(";")])
        # Plain HTTP on the TLS port gets no page.
        with self.assertRaises(Exception):
            self.get("/api/stats", basic=("vi", PASSWORDS["vi"][1]))

    def test_without_a_users_file_the_pages_are_read_only_on_loopback(self):
        self.cfg_doc["http"] = {"listen": "127.0.0.1:%d" % self.port}
        self.cfg = self.write_config(self.cfg_doc)
        self.run_daemon()
        s, body, _ = self.get("/ui/ranking?period=2024Q3")
        self.assertEqual(s, 200, body)
        self.assertNotIn('id="ack-1"', self.get("/ui/alerts")[1])
        s, body, _ = self.post("/ui/alerts/ack", {"id": "1"})
        self.assertEqual(s, 403, body)
        self.assertIsNone(self.acked_by(1))


if __name__ == "__main__":
    unittest.main()
