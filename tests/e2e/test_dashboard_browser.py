"""End to end in a real browser: headless Chromium (python3-selenium with
chromium-driver) against litwatchd on loopback logs in with the form,
opens each page (a screenshot of each under the build directory,
dashboard-screenshots/) and checks its figures against `litwatch stats`,
sorts the ranking, acknowledges, closes and silences an alert (and finds
the audit rows), searches cases, maps a held agency name with the form and
sees the figures change, finds hostile names and causes inert in the DOM
with no alert fired, and logs out.

Every step waits for what it needs (an element of the next page, the old
page going stale), never for a fixed time: a loaded machine (the sanitizer
build, the parallel suite) only makes the waits longer."""

import json
import os
import shutil
import tempfile
import unittest
import urllib.parse

from test_dashboard import (CASE1, HELD, HOSTILE, HOSTILE_AGENCY, PASSWORDS, DashboardBase,
                            litwatch)
from test_dashboard_pages import EARS

try:
    from selenium import webdriver
    from selenium.common.exceptions import (NoAlertPresentException,
                                            StaleElementReferenceException, WebDriverException)
    from selenium.webdriver.common.by import By
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:  # pragma: no cover - .ci/packages installs python3-selenium
    webdriver = None

BUILD_DIR = os.environ.get("LW_BUILD_DIR", "")
SHOTS = os.path.join(BUILD_DIR or tempfile.gettempdir(), "dashboard-screenshots")
WAIT_S = 60  # generous: under the sanitizers a page can take seconds


class DashboardBrowser(DashboardBase):

    def setUp(self):
        super().setUp()
        if webdriver is None:
            self.fail("python3-selenium is not installed (.ci/packages)")
        self.profile = tempfile.mkdtemp(prefix="lw-chromium-")
        o = webdriver.ChromeOptions()
        for a in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--window-size=1280,900", "--user-data-dir=" + self.profile):
            o.add_argument(a)
        service = Service(executable_path=shutil.which("chromedriver") or
                                          "/usr/bin/chromedriver")
        self.browser = webdriver.Chrome(options=o, service=service)
        self.browser.set_page_load_timeout(WAIT_S)
        os.makedirs(SHOTS, exist_ok=True)

    def tearDown(self):
        self.browser.quit()
        shutil.rmtree(self.profile, ignore_errors=True)
        super().tearDown()

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def shot(self, name):
        self.browser.save_screenshot(os.path.join(SHOTS, name + ".png"))

    def wait_for(self, by, what):
        return WebDriverWait(self.browser, WAIT_S).until(
            EC.presence_of_element_located((by, what)))

    def open(self, path, element_id):
        """Load path and wait until element_id is in the page."""
        self.browser.get(self.url(path))
        return self.wait_for(By.ID, element_id)

    def gone(self, el):
        """Wait until element el left the document (the next page loaded).
        Chromedriver may answer "Node with given id does not belong to the
        document" instead of a stale reference when the page goes away
        mid-question (seen with Chromium 156): that is gone too."""
        def stale(_):
            try:
                el.is_enabled()
                return False
            except StaleElementReferenceException:
                return True
            except WebDriverException as e:
                if "does not belong to the document" in str(e):
                    return True
                raise
        WebDriverWait(self.browser, WAIT_S).until(stale)

    def click(self, element_id, then=None):
        """Click and wait for the next page: the old one's elements go stale
        (and, given, element `then` of the new one is there)."""
        el = self.wait_for(By.ID, element_id)
        el.click()
        self.gone(el)
        if then:
            self.wait_for(By.ID, then)

    def cells(self, table_id):
        """The text of the rows of table table_id: [[cell, ...], ...] (no heading)."""
        self.wait_for(By.ID, table_id)
        return [[td.text for td in tr.find_elements(By.TAG_NAME, "td")]
                for tr in self.browser.find_elements(By.CSS_SELECTOR, "#%s tr" % table_id)
                if tr.find_elements(By.TAG_NAME, "td")]

    def stats(self, period):
        return json.loads(litwatch("stats", "--config", self.cfg, "--period", period,
                                   "--format", "json").stdout)

    def no_alert(self):
        try:
            text = self.browser.switch_to.alert.text
        except NoAlertPresentException:
            return
        self.fail("a script ran: alert(%r)" % text)

    def test_log_in_open_each_page_sort_acknowledge_and_log_out(self):
        self.add_users()
        self.run_daemon()
        b = self.browser
        b.get(self.url("/ui/ranking?period=2024Q3"))
        self.assertIn("/ui/login", b.current_url)  # no session: the login form
        self.shot("login")
        self.wait_for(By.ID, "user").send_keys("ana")
        b.find_element(By.ID, "password").send_keys(PASSWORDS["ana"][1])
        self.click("login-submit", then="who")
        self.assertEqual(b.find_element(By.ID, "who").text, "ana (analyst)")
        cookie = b.get_cookie("lw_session")
        self.assertTrue(cookie["httpOnly"])
        self.assertEqual(cookie["sameSite"], "Strict")
        self.assertEqual(b.execute_script("return document.cookie"), "")  # HttpOnly

        self.open("/ui/", "risk")
        self.no_alert()
        self.shot("overview")
        cells = [td.text for td in b.find_elements(By.CSS_SELECTOR, "#risk td")]
        self.assertIn(HOSTILE_AGENCY, cells)  # shown as text...
        self.assertEqual(b.find_elements(By.TAG_NAME, "img"), [])  # ...never as an element
        self.assertEqual(b.find_elements(By.TAG_NAME, "script"), [])

        self.open("/ui/ranking?period=2024Q3", "ranking")
        self.no_alert()
        self.shot("ranking")
        rows = b.find_elements(By.CSS_SELECTOR, "#ranking tbody tr")
        names = [r.find_elements(By.TAG_NAME, "td")[1].text for r in rows]
        self.assertIn("市自然资源局", names)
        self.assertIn(HOSTILE_AGENCY, names)
        self.click("sort-filed", then="ranking")  # ascending
        self.click("sort-filed", then="ranking")  # descending
        filed = [int(r.find_elements(By.TAG_NAME, "td")[2].text)
                 for r in b.find_elements(By.CSS_SELECTOR, "#ranking tbody tr")]
        self.assertEqual(filed, sorted(filed, reverse=True))
        self.assertEqual(filed[0], 51)
        self.shot("ranking-sorted")

        self.open("/ui/alerts", "alerts")
        self.no_alert()
        self.shot("alerts")
        self.click("ack-1", then="alerts")
        self.assertTrue(b.current_url.endswith("/ui/alerts"))
        self.assertEqual(b.find_element(By.CSS_SELECTOR, "#alert-1 td.acked").text, "ana")
        self.wait_for(By.ID, "note-1").send_keys("核实属实")
        self.click("close-1", then="alerts")
        self.assertIn("confirmed", b.find_element(By.CSS_SELECTOR, "#alert-1 td.closed").text)
        self.shot("alerts-acted")
        self.assertEqual(self.audit("ack")[-1][:2], ("ana", "analyst"))
        self.assertEqual(self.audit("close")[-1][4], "confirmed: 核实属实")

        self.open("/ui/?lang=en", "risk")
        self.assertIn("Overview", b.find_element(By.TAG_NAME, "h1").text)
        self.shot("overview-en")
        self.click("logout", then="user")
        self.assertIn("/ui/login", b.current_url)
        self.assertIsNone(b.get_cookie("lw_session"))
        self.open("/ui/alerts", "user")
        self.assertIn("/ui/login", b.current_url)
        for page in ("login", "overview", "ranking", "alerts"):
            self.assertGreater(os.path.getsize(os.path.join(SHOTS, page + ".png")), 1000)

    def test_each_page_equals_stats_and_a_held_name_mapped_with_the_form_changes_them(self):
        self.cfg_doc["detect"] = {"rules": [EARS]}
        self.cfg = self.write_config(self.cfg_doc)
        self.add_users()
        self.run_daemon()
        b = self.browser
        self.open("/ui/login", "user").send_keys("ana")
        b.find_element(By.ID, "password").send_keys(PASSWORDS["ana"][1])
        self.click("login-submit", then="who")
        st = self.stats("2024Q3")
        by = {g["group"]: g for g in st["groups"]}

        # Overview of 2024Q3: the totals are `litwatch stats`'.
        self.open("/ui/?period=2024Q3", "figures")
        figs = {tr.find_element(By.TAG_NAME, "th").text: tr.find_elements(By.TAG_NAME, "td")[0].text
                for tr in b.find_elements(By.CSS_SELECTOR, "#figures tr")[1:]}
        self.assertEqual([int(figs["新收"]), int(figs["审结"]), int(figs["败诉"])],
                         [st["total"]["filed"], st["total"]["concluded"], st["total"]["lost"]])
        self.assertEqual([r[0] for r in self.cells("due-week")], [CASE1])
        self.shot("overview-2024Q3")

        # The agency page: its figures, its chart with a band and alarms.
        name = "市自然资源局"
        self.open("/ui/agency?period=2024Q3&name=" + urllib.parse.quote(name), "agency-figures")
        row = self.cells("agency-figures")[0]
        g = by[name]
        self.assertEqual([int(x) for x in row[1:4]], [g["filed"], g["concluded"], g["lost"]])
        chart = b.find_element(By.ID, "chart-1-0")
        self.assertTrue(chart.find_elements(By.CSS_SELECTOR, "polygon.band"))
        self.assertTrue(chart.find_elements(By.CSS_SELECTOR, "circle.alarm"))
        self.assertGreater(chart.size["width"], 300)  # drawn, not just present
        self.assertEqual([r[0] for r in self.cells("agency-unresolved")], [HELD])
        self.shot("agency")

        # Cases: the search form (no script), a hostile cause as text.
        self.open("/ui/cases", "search")
        b.find_element(By.NAME, "cause").send_keys(HOSTILE)
        self.click("search-submit", then="case-results")
        rows = self.cells("case-results")
        self.assertEqual(len(rows), 3)
        self.assertEqual({r[3] for r in rows}, {HOSTILE})
        self.assertEqual(b.find_elements(By.TAG_NAME, "img"), [])
        self.no_alert()
        self.shot("cases")
        self.open("/ui/case?case=" + urllib.parse.quote(CASE1), "case-fields")
        fields = {r[0]: r for r in [[c.text for c in tr.find_elements(By.XPATH, "./*")]
                                    for tr in b.find_elements(By.CSS_SELECTOR, "#case-fields tr")]}
        self.assertEqual(fields["filed_date"][1], "2024-07-01")
        self.assertTrue(fields["filed_date"][3].startswith("#"))
        self.assertEqual(self.cells("case-conflicts")[0][4], HOSTILE)
        self.assertEqual(b.find_elements(By.TAG_NAME, "img"), [])
        self.shot("case")

        # Deadlines, alerts with a silence (audited).
        self.open("/ui/deadlines", "obligations")
        self.assertEqual([r[2] for r in self.cells("obligations")],
                         ["report-new-suit", "defence", "loss-analysis"])
        self.shot("deadlines")
        self.open("/ui/alerts", "alerts")
        b.find_element(By.ID, "reason-2").send_keys("一次性集中立案")
        self.click("silence-2", then="silences")
        self.assertEqual(self.cells("silences")[0][1].strip(), "rule=filed")
        self.assertEqual(self.audit("silence")[-1][:2], ("ana", "analyst"))
        self.shot("alerts-silenced")

        # Sources: the held name, mapped with the form; the figures change.
        self.open("/ui/sources", "unresolved-names")
        self.assertEqual(self.cells("unresolved-names")[0][0], HELD)
        self.shot("sources")
        form = b.find_element(By.CSS_SELECTOR, "#held-1 form")
        form.find_element(By.NAME, "agency").send_keys(name)
        button = form.find_element(By.TAG_NAME, "button")
        button.click()
        self.gone(button)
        self.wait_for(By.ID, "agency-figures")
        after = {g["group"]: g for g in self.stats("2024Q3")["groups"]}[name]
        self.assertEqual(after["filed"], g["filed"] + 2)
        self.open("/ui/agency?period=2024Q3&name=" + urllib.parse.quote(name), "agency-figures")
        self.assertEqual(int(self.cells("agency-figures")[0][1]), after["filed"])
        self.open("/ui/ranking?period=2024Q3", "ranking")
        ranked = {r[1]: r for r in self.cells("ranking")}
        self.assertEqual(int(ranked[name][2]), after["filed"])
        self.assertEqual(self.audit("alias")[-1][:2], ("ana", "analyst"))
        self.shot("agency-after-mapping")
        self.open("/ui/import?id=1", "rejects")
        self.shot("import")
        self.no_alert()
        for page in ("overview-2024Q3", "agency", "cases", "case", "deadlines", "sources"):
            self.assertGreater(os.path.getsize(os.path.join(SHOTS, page + ".png")), 1000)


if __name__ == "__main__":
    unittest.main()
