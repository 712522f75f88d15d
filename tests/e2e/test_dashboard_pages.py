"""End to end: the dashboard's pages beyond the first part (issue 16,
docs/dashboard.md), over HTTP against the real litwatchd: the agency page's
charts equal to `litwatch detect` on the same series, its figures equal to
`litwatch stats`; the case search and the case page with provenance and
conflicts; silences from the alerts page, audited; the deadlines page and
this week's deadlines on the overview; the sources and imports page, a
partly imported file's report, and mapping a held name to an agency, after
which the figures change; the risk grade's configured thresholds; the
admin's reload; and every hostile value inert."""

import json
import os
import re
import sqlite3
import subprocess
import time
import unittest

from lwtest import BIN
from test_dashboard import (CASE1, HELD, HOSTILE, HOSTILE_AGENCY, DashboardBase, litwatch,
                            parse)

EARS = {"name": "agency_filed", "series": "cases.filed.monthly.by_agency", "method": "ears-c1",
        "baseline": 3, "for": 1}


def stats(cfg, period):
    return json.loads(litwatch("stats", "--config", cfg, "--period", period, "--format",
                               "json").stdout)


class DashboardPages(DashboardBase):

    def tearDown(self):
        # A clean stop: exit 0, and under the sanitizers no leak report
        # (LeakSanitizer exits 23) from anything the pages allocated.
        d = getattr(self, "d", None)
        if d is not None and d.proc.poll() is None:
            rc = d.stop(30)
            log = d.log_text()
            self.assertNotIn("Sanitizer", log, log[-4000:])
            self.assertEqual(rc, 0, log[-4000:])
        super().tearDown()

    def session(self, name="ana"):
        self.add_users()
        self.run_daemon()
        sid, _ = self.login(name)
        return sid

    def page(self, path, sid, status=200):
        s, body, h = self.get(path, sid)
        self.assertEqual(s, status, (path, body[:500]))
        self.assertNotIn("<img", body, path)  # hostile values are text, never markup
        self.assertNotIn("<script", body, path)
        return body

    # ---- agency page ----

    def monthly_filed(self, agency):
        """The agency's cases filed per month from the warehouse's first
        filing month to this month (Beijing): the series of the rule."""
        con = self.db()
        first = con.execute("SELECT min(filed_date) FROM cases").fetchone()[0]
        days = [r[0] for r in con.execute(
            "SELECT c.filed_date FROM case_defendants d JOIN cases c ON c.case_no = d.case_no "
            "JOIN agencies a ON a.id = d.agency_id WHERE a.name = ?", (agency,))]
        con.close()
        now = time.gmtime(time.time() + 8 * 3600)
        y, m = int(first[:4]), int(first[5:7])
        months = []
        while (y, m) <= (now.tm_year, now.tm_mon):
            months.append("%04d-%02d" % (y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return months, [sum(1 for d in days if d.startswith(p)) for p in months]

    def test_agency_page_charts_each_series_with_the_detectors_band_and_its_alarms(self):
        self.cfg_doc["detect"] = {"rules": [EARS]}
        self.cfg = self.write_config(self.cfg_doc)
        sid = self.session("vi")
        body = self.page("/ui/agency?name=%E5%B8%82%E8%87%AA%E7%84%B6%E8%B5%84%E6%BA%90%E5%B1%80"
                         "&period=2024Q3", sid)
        # Figures: core/figures', as `litwatch stats` prints them.
        st = {g["group"]: g for g in stats(self.cfg, "2024Q3")["groups"]}["市自然资源局"]
        row = parse(body).tables["agency-figures"][1]
        self.assertEqual([row[0]] + [int(x) for x in row[1:4]] + [float(row[4])],
                         ["2024Q3", st["filed"], st["concluded"], st["lost"], st["loss_rate"]])
        # The filed series: a band (the rule's upper bound) and alarms at the
        # periods `litwatch detect` finds with the same method on the same
        # counts.
        chart = re.search(r'<svg[^>]*id="chart-1-0".*?</svg>', body, re.S)
        self.assertTrue(chart, body[:3000])
        chart = chart.group(0)
        self.assertIn('class="band"', chart)
        months, counts = self.monthly_filed("市自然资源局")
        det = subprocess.run([os.path.join(BIN, "litwatch"), "detect", "--method", "ears-c1",
                              "--baseline", "3"], input="\n".join(map(str, counts)) + "\n",
                             capture_output=True, text=True, check=True).stdout.splitlines()[1:]
        want = sorted(months[int(l.split(",")[0]) - 1] for l in det if l.endswith(",1"))
        got = sorted(re.findall(r'<circle class="alarm"[^>]*><title>([0-9-]+):', chart))
        self.assertTrue(want, det)
        self.assertEqual(got, want)
        self.assertIn("2024-07", got)  # 51 filed after months of none
        self.assertIn("agency_filed (ears-c1)", body)
        # Losses per quarter: drawn, without a band (no rule watches them).
        self.assertIn('id="chart-4-0"', body)
        # Its cases (latest first), obligations and the held name like it.
        cases = parse(body).tables["cases"]
        self.assertEqual(len(cases) - 1, 50)
        self.assertIn("(68)", body)  # 51 + 17 cases in all
        obl = parse(body).tables["agency-obligations"]
        self.assertEqual(sorted(r[1] for r in obl[1:]),
                         ["defence", "loss-analysis", "report-new-suit"])
        held = parse(body).tables["agency-unresolved"]
        self.assertEqual(held[1][0], HELD)
        self.assertNotIn('action="/ui/agencies/alias"', body)  # a viewer gets no form
        # The hostile agency's page: its name is text.
        s, body, _ = self.get("/ui/agency?name=" + __import__("urllib.parse").parse.quote(
            HOSTILE_AGENCY), sid)
        self.assertEqual(s, 200)
        self.assertIn("&lt;img/src=x/onerror=alert(1)&gt;局", body)
        self.assertNotIn("<img", body)
        self.page("/ui/agency?name=nobody", sid, 404)
        self.page("/ui/agency?name=x&period=nonsense", sid, 404)

    # ---- cases ----

    def test_case_search_pages_filters_and_the_case_page_shows_provenance_and_conflicts(self):
        sid = self.session("vi")
        q = "/ui/cases?agency=%E5%B8%82%E8%87%AA%E7%84%B6%E8%B5%84%E6%BA%90%E5%B1%80"
        body = self.page(q, sid)
        rows = parse(body).tables["case-results"][1:]
        self.assertEqual(len(rows), 50)
        self.assertIn('id="next"', body)
        rows2 = parse(self.page(q + "&page=2", sid)).tables["case-results"][1:]
        self.assertEqual(len(rows2), 18)  # 68 in all
        self.assertFalse(set(r[0] for r in rows) & set(r[0] for r in rows2))
        # Filters: dates, outcome, cause; all agree with the warehouse.
        body = self.page(q + "&from=2023-01-01&to=2023-12-31", sid)
        self.assertEqual(len(parse(body).tables["case-results"]) - 1, 17)
        con = self.db()
        lost = con.execute("SELECT count(*) FROM cases WHERE outcome = 'revoked'").fetchone()[0]
        con.close()
        body = self.page("/ui/cases?outcome=revoked", sid)
        self.assertEqual(len(parse(body).tables["case-results"]) - 1, min(lost, 50))
        body = self.page("/ui/cases?cause=" + __import__("urllib.parse").parse.quote(HOSTILE), sid)
        rows = parse(body).tables["case-results"][1:]
        self.assertEqual(len(rows), 3)
        self.assertEqual(rows[0][3], HOSTILE)  # shown as text
        body = self.page("/ui/cases?case=" + __import__("urllib.parse").parse.quote(CASE1), sid)
        self.assertIn(CASE1, [r[0] for r in parse(body).tables["case-results"][1:]])
        self.page("/ui/cases?from=2024-13", sid, 400)
        self.page("/ui/cases?page=999", sid, 400)
        # The case page: every field, each with its source, import and row.
        body = self.page("/ui/case?case=" + __import__("urllib.parse").parse.quote(CASE1), sid)
        fields = {r[0]: r for r in parse(body).tables["case-fields"][1:]}
        con = self.db()
        src, imp, row, filed = con.execute("SELECT source, import_id, source_row, filed_date "
                                           "FROM cases WHERE case_no = ?", (CASE1,)).fetchone()
        origin = con.execute("SELECT origin FROM imports WHERE id = ?", (imp,)).fetchone()[0]
        con.close()
        self.assertEqual(fields["filed_date"][1:], [filed, src, "#%d %s" % (
            imp, os.path.basename(origin)), str(row)])
        self.assertIn('href="/ui/import?id=%d"' % imp, body)
        self.assertNotIn(os.path.dirname(origin), body)  # no server path
        self.assertEqual(parse(body).tables["case-defendants"][1][0], "市自然资源局")
        conflict = parse(body).tables["case-conflicts"][1]
        self.assertEqual(conflict[:6], ["cases", "cause", "行政处罚", "court", HOSTILE,
                                        "agency-sheet"])
        self.page("/ui/case?case=nothing", sid, 404)

    # ---- silences ----

    def test_an_analyst_silences_an_alert_with_a_reason_and_ends_it_and_both_are_audited(self):
        sid = self.session("ana")
        tok = self.csrf(sid)
        s, body, _ = self.post("/ui/alerts/silence", {"id": "2", "for": "7d", "reason": "",
                                                      "csrf": tok}, sid)
        self.assertEqual(s, 400, body)
        s, body, h = self.post("/ui/alerts/silence", {"id": "2", "for": "7d",
                                                      "reason": "集中立案，已核实", "csrf": tok}, sid)
        self.assertEqual(s, 303, body)
        con = self.db()
        sil = con.execute("SELECT id, matchers, created_by, comment, julianday(ends_at) - "
                          "julianday(starts_at), expired_at FROM silences").fetchall()
        con.close()
        self.assertEqual(len(sil), 1)
        sid_, matchers, by, comment, days, expired = sil[0]
        self.assertEqual(json.loads(matchers), [{"name": "rule", "negate": False,
                                                 "value": "filed"}])
        self.assertEqual((by, comment, round(days, 3), expired), ("ana", "集中立案，已核实", 7.0, None))
        self.assertEqual(self.audit("silence")[-1][:4], ("ana", "analyst", "127.0.0.1", "2"))
        self.assertIn("集中立案", self.audit("silence")[-1][4])
        body = self.page("/ui/alerts", sid)
        row = parse(body).tables["silences"][1]
        self.assertEqual((row[0], row[1], row[4], row[5], row[6]),
                         (str(sid_), "rule=filed", "ana", "集中立案，已核实", "生效中"))
        s, body, _ = self.post("/ui/alerts/unsilence", {"id": str(sid_), "csrf": tok}, sid)
        self.assertEqual(s, 303, body)
        con = self.db()
        self.assertIsNotNone(con.execute("SELECT expired_at FROM silences").fetchone()[0])
        con.close()
        self.assertEqual(self.audit("unsilence")[-1][5], 1)
        self.assertEqual(parse(self.page("/ui/alerts?lang=en", sid)).tables["silences"][1][6],
                         "ended")
        # Filters by state; a viewer gets no form and is refused.
        body = self.page("/ui/alerts?state=resolved", sid)
        self.assertEqual(len(parse(body).tables["alerts"]), 1)
        self.assertEqual(len(parse(self.page("/ui/alerts?state=firing", sid)).tables["alerts"]), 3)
        self.page("/ui/alerts?state=bogus", sid, 400)
        vi, _ = self.login("vi")
        body = self.page("/ui/alerts", vi)
        self.assertNotIn('id="silence-1"', body)
        s, _, _ = self.post("/ui/alerts/silence", {"id": "1", "for": "1d", "reason": "x",
                                                   "csrf": self.csrf(vi)}, vi)
        self.assertEqual(s, 403)
        self.assertEqual(self.audit("silence")[-1][4:], ("refused: role", 0))

    # ---- deadlines ----

    def test_deadlines_page_lists_overdue_due_and_late_and_the_overview_this_weeks(self):
        sid = self.session("vi")
        body = self.page("/ui/deadlines", sid)
        obl = parse(body).tables["obligations"][1:]
        self.assertEqual([(r[0], r[1], r[2], r[5]) for r in obl],
                         [(CASE1, "市自然资源局", "report-new-suit", "已逾期"),
                          (CASE1, "市自然资源局", "defence", "未到期"),
                          (CASE1, "市自然资源局", "loss-analysis", "迟办")])
        self.assertEqual(obl[2][6], "超 5")
        body = self.page("/ui/deadlines?state=overdue&lang=en", sid)
        self.assertEqual([r[5] for r in parse(body).tables["obligations"][1:]], ["overdue"])
        self.page("/ui/deadlines?state=nonsense", sid, 400)
        # The case page: that case's obligations, in every state; none for another.
        q = __import__("urllib.parse").parse.quote
        case_obl = parse(self.page("/ui/case?case=" + q(CASE1), sid)).tables["case-obligations"]
        self.assertEqual(sorted((r[0], r[2], r[5]) for r in case_obl[1:]),
                         sorted((r[0], r[2], r[5]) for r in obl))
        con = self.db()
        other = con.execute("SELECT case_no FROM cases WHERE case_no NOT IN (SELECT case_no FROM "
                            "obligations) LIMIT 1").fetchone()[0]
        con.close()
        body = self.page("/ui/case?case=" + q(other), sid)
        self.assertEqual(len(parse(body).tables["case-obligations"]), 1)  # the header only
        # The overview: only the one due within the week.
        body = self.page("/ui/?period=2024Q3", sid)
        week = parse(body).tables["due-week"][1:]
        self.assertEqual([(r[0], r[2]) for r in week], [(CASE1, "defence")])
        # The overview's figures are `litwatch stats`'.
        st = stats(self.cfg, "2024Q3")["total"]
        figs = {r[0]: r[1:] for r in parse(body).tables["figures"][1:]}
        self.assertEqual([int(figs["新收"][0]), int(figs["审结"][0]), int(figs["败诉"][0])],
                         [st["filed"], st["concluded"], st["lost"]])
        self.assertEqual(float(figs["败诉率%"][0]), st["loss_rate"])

    # ---- risk grade ----

    def test_the_risk_grade_follows_the_configured_thresholds(self):
        self.cfg_doc["dashboard"] = {"idle_timeout": "10m", "risk": {
            "loss_rate": [10, 15, 19], "min_concluded": 5, "overdue": [1, None, None],
            "firing": [None, None, None], "complaints_growth": [None, None, None]}}
        self.cfg = self.write_config(self.cfg_doc)
        litwatch("check-config", self.cfg)
        sid = self.session("vi")
        risk = {r[0]: r for r in parse(self.page("/ui/?period=2024Q3", sid)).tables["risk"][1:]}
        self.assertEqual(risk["市公安局"][1], "20.00")
        self.assertEqual(risk["市公安局"][5], "红")    # 20 % >= 19
        self.assertEqual(risk["市自然资源局"][2], "1")  # one overdue obligation
        self.assertEqual(risk["市自然资源局"][5], "黄")  # 2.78 % loss, 1 overdue
        self.assertEqual(risk[HOSTILE_AGENCY][5], "-")  # 1 concluded: below the minimum
        for bad in ({"risk": {"loss_rate": [30, 20, 10]}}, {"risk": {"loss_rate": [1, 2]}},
                    {"idle_timeout": "5s"}, {"colour": "red"}):
            self.cfg_doc["dashboard"] = bad
            r = litwatch("check-config", self.write_config(self.cfg_doc, "bad.json"), check=None)
            self.assertNotEqual(r.returncode, 0, bad)
            self.assertIn("dashboard", r.stdout + r.stderr)

    # ---- idle sessions ----

    def test_a_session_expires_after_the_configured_idle_time_and_use_keeps_it(self):
        # The shortest idle timeout the configuration accepts is 1 minute:
        # this test waits for it once.
        self.cfg_doc["dashboard"] = {"idle_timeout": "1m"}
        self.cfg = self.write_config(self.cfg_doc)
        busy = self.session("vi")
        idle, _ = self.login("ana")
        for _ in range(7):  # used every 10 s: never idle for a minute
            self.page("/ui/", busy)
            time.sleep(10)
        self.page("/ui/", busy)
        s, _, h = self.get("/ui/", idle)
        self.assertEqual(s, 303)
        self.assertTrue(self.header(h, "Location").startswith("/ui/login"))
        s, _, _ = self.get("/api/stats?period=2024Q3", idle)
        self.assertEqual(s, 401)

    # ---- sources, imports, aliases ----

    def test_sources_page_shows_imports_and_a_report_and_mapping_a_held_name_changes_figures(self):
        sid = self.session("ana")
        body = self.page("/ui/sources", sid)
        con = self.db()
        partial = con.execute("SELECT id, rejected FROM imports WHERE status = 'partial'").fetchone()
        nimports = con.execute("SELECT count(*) FROM imports").fetchone()[0]
        con.close()
        self.assertIsNotNone(partial)
        rejected = parse(body).tables["rejected-imports"][1:]
        self.assertEqual([r[0] for r in rejected], [str(partial[0])])
        self.assertEqual(rejected[0][2], "held.csv")
        self.assertEqual(len(parse(body).tables["recent-imports"]) - 1, nimports)
        held = parse(body).tables["unresolved-names"][1:]
        self.assertEqual([(r[0], r[2]) for r in held], [(HELD, "2")])
        # The report of the partly imported file: its row and the reason.
        body = self.page("/ui/import?id=%d" % partial[0], sid)
        rej = parse(body).tables["rejects"][1:]
        self.assertEqual(len(rej), partial[1])
        self.assertTrue(any("2024-13-45" in " ".join(r) or "立案日期" in " ".join(r) for r in rej),
                        rej)
        self.page("/ui/import?id=9999", sid, 404)
        # Map it: the same code as `litwatch agencies alias`.
        before = {g["group"]: g for g in stats(self.cfg, "2024Q3")["groups"]}["市自然资源局"]
        # The ranking, built and kept (cache.c) before the mapping...
        for _ in range(2):
            rank = {r[1]: r for r in parse(self.page("/ui/ranking?period=2024Q3", sid)).tables[
                "ranking"][1:-1]}
            self.assertEqual(int(rank["市自然资源局"][2]), before["filed"])
        tok = self.csrf(sid, "/ui/sources")
        s, body, h = self.post("/ui/agencies/alias", {"name": HELD, "agency": "市自然资源局",
                                                      "csrf": tok}, sid)
        self.assertEqual(s, 303, body)
        self.assertTrue(self.header(h, "Location").startswith("/ui/agency?name=%E5%B8%82"))
        after = {g["group"]: g for g in stats(self.cfg, "2024Q3")["groups"]}["市自然资源局"]
        self.assertEqual(after["filed"], before["filed"] + 2)
        # ...is built again: the warehouse changed.
        rank = {r[1]: r for r in parse(self.page("/ui/ranking?period=2024Q3", sid)).tables[
            "ranking"][1:-1]}
        self.assertEqual(int(rank["市自然资源局"][2]), after["filed"])
        self.assertNotIn(HELD, [r[0] for r in parse(self.page("/ui/sources", sid)).tables[
            "unresolved-names"][1:]])
        self.assertIn("-> 市自然资源局: 2 rows", self.audit("alias")[-1][4])
        self.assertEqual(litwatch("agencies", "unresolved", "--config", self.cfg,
                                  "--json").stdout.strip(), "[]")
        # A viewer is refused, audited; a stale token too.
        vi, _ = self.login("vi")
        s, _, _ = self.post("/ui/agencies/alias", {"name": "x", "agency": "市公安局",
                                                   "csrf": self.csrf(vi, "/ui/sources")}, vi)
        self.assertEqual(s, 403)
        self.assertEqual(self.audit("alias")[-1][4:], ("refused: role", 0))
        s, _, _ = self.post("/ui/agencies/alias", {"name": "x", "agency": "市公安局",
                                                   "csrf": "0" * 64}, sid)
        self.assertEqual(s, 403)

    # ---- admin ----

    def test_only_an_admin_reloads_and_polls_through_the_daemon(self):
        sid = self.session("ana")
        s, _, _ = self.post("/ui/admin/reload", {"csrf": self.csrf(sid, "/ui/sources")}, sid)
        self.assertEqual(s, 403)
        self.assertNotIn('id="reload"', self.page("/ui/sources", sid))
        adm, _ = self.login("adm")
        body = self.page("/ui/sources", adm)
        self.assertIn('id="reload"', body)
        tok = self.csrf(adm, "/ui/sources")
        s, body, _ = self.post("/ui/admin/reload", {"csrf": tok}, adm)
        self.assertEqual(s, 303, body)
        deadline = time.time() + 20
        while time.time() < deadline:
            st = json.loads(self.get("/status")[1])
            if st["reloads"] >= 1:
                break
            time.sleep(0.1)
        self.assertEqual(st["reloads"], 1)
        # The session survived the reload; polling a source that is not
        # configured answers as the API does.
        s, body, _ = self.post("/ui/admin/poll", {"source": "nosuch", "csrf": tok}, adm)
        self.assertEqual(s, 404, body)
        self.assertIn("no source", body)
        self.assertEqual([a[:2] for a in self.audit("reload")],
                         [("ana", "analyst"), ("adm", "admin")])


if __name__ == "__main__":
    unittest.main()
