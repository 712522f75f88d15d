"""End to end in a real browser: headless Chromium (python3-selenium with
chromium-driver) against litwatchd on loopback logs in with the form,
opens each page (a screenshot of each under the build directory,
dashboard-screenshots/), sorts the ranking, acknowledges an alert, finds a
hostile agency name inert in the DOM with no alert fired, and logs out."""

import os
import shutil
import tempfile
import unittest

from test_dashboard import HOSTILE_AGENCY, PASSWORDS, DashboardBase

try:
    from selenium import webdriver
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:  # pragma: no cover - .ci/packages installs python3-selenium
    webdriver = None

BUILD_DIR = os.environ.get("LW_BUILD_DIR", "")
SHOTS = os.path.join(BUILD_DIR or tempfile.gettempdir(), "dashboard-screenshots")


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
        self.browser.set_page_load_timeout(30)
        os.makedirs(SHOTS, exist_ok=True)

    def tearDown(self):
        self.browser.quit()
        shutil.rmtree(self.profile, ignore_errors=True)
        super().tearDown()

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def shot(self, name):
        self.browser.save_screenshot(os.path.join(SHOTS, name + ".png"))

    def click(self, element_id):
        """Click and wait for the next page: the old one's elements go stale."""
        el = self.browser.find_element(By.ID, element_id)
        el.click()
        WebDriverWait(self.browser, 15).until(EC.staleness_of(el))

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
        b.find_element(By.ID, "user").send_keys("ana")
        b.find_element(By.ID, "password").send_keys(PASSWORDS["ana"][1])
        self.click("login-submit")
        self.assertEqual(b.find_element(By.ID, "who").text, "ana (analyst)")
        cookie = b.get_cookie("lw_session")
        self.assertTrue(cookie["httpOnly"])
        self.assertEqual(cookie["sameSite"], "Strict")
        self.assertEqual(b.execute_script("return document.cookie"), "")  # HttpOnly

        b.get(self.url("/ui/"))
        self.no_alert()
        self.shot("overview")
        cells = [td.text for td in b.find_elements(By.CSS_SELECTOR, "#risk td")]
        self.assertIn(HOSTILE_AGENCY, cells)  # shown as text...
        self.assertEqual(b.find_elements(By.TAG_NAME, "img"), [])  # ...never as an element
        self.assertEqual(b.find_elements(By.TAG_NAME, "script"), [])

        b.get(self.url("/ui/ranking?period=2024Q3"))
        self.no_alert()
        self.shot("ranking")
        rows = b.find_elements(By.CSS_SELECTOR, "#ranking tbody tr")
        names = [r.find_elements(By.TAG_NAME, "td")[1].text for r in rows]
        self.assertIn("市自然资源局", names)
        self.assertIn(HOSTILE_AGENCY, names)
        self.click("sort-filed")  # ascending
        self.click("sort-filed")  # descending
        filed = [int(r.find_elements(By.TAG_NAME, "td")[2].text)
                 for r in b.find_elements(By.CSS_SELECTOR, "#ranking tbody tr")]
        self.assertEqual(filed, sorted(filed, reverse=True))
        self.assertEqual(filed[0], 51)
        self.shot("ranking-sorted")

        b.get(self.url("/ui/alerts"))
        self.no_alert()
        self.shot("alerts")
        self.click("ack-1")
        self.assertTrue(b.current_url.endswith("/ui/alerts"))
        self.assertEqual(b.find_element(By.CSS_SELECTOR, "#alert-1 td.acked").text, "ana")
        b.find_element(By.ID, "note-1").send_keys("核实属实")
        self.click("close-1")
        self.assertIn("confirmed", b.find_element(By.CSS_SELECTOR, "#alert-1 td.closed").text)
        self.shot("alerts-acted")
        self.assertEqual(self.audit("ack")[-1][:2], ("ana", "analyst"))
        self.assertEqual(self.audit("close")[-1][4], "confirmed: 核实属实")

        b.get(self.url("/ui/?lang=en"))
        self.assertIn("Overview", b.find_element(By.TAG_NAME, "h1").text)
        self.shot("overview-en")
        self.click("logout")
        self.assertIn("/ui/login", b.current_url)
        self.assertIsNone(b.get_cookie("lw_session"))
        b.get(self.url("/ui/alerts"))
        self.assertIn("/ui/login", b.current_url)
        for page in ("login", "overview", "ranking", "alerts"):
            self.assertGreater(os.path.getsize(os.path.join(SHOTS, page + ".png")), 1000)


if __name__ == "__main__":
    unittest.main()
