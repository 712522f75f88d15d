"""Heavy end to end (ctest label `heavy`): the bulletin opened by the
programs offices use — LibreOffice converts the XLSX to PDF without error,
headless Chromium renders the HTML to a PNG."""

import os
import shutil
import subprocess
import tempfile
import unittest

import report_fixture as fx
from report_fixture import litwatch

SOFFICE = shutil.which("soffice")
CHROMIUM = shutil.which("chromium")


class Render(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="lw-render-")
        cls.cfg = fx.build(cls.dir)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def report(self, fmt):
        out = os.path.join(self.dir, "bulletin.%s" % fmt)
        litwatch("report", "--config", self.cfg, "--period", "2024Q3", "--format", fmt, "-o", out)
        return out

    @unittest.skipUnless(SOFFICE, "soffice (libreoffice-calc-nogui) is not installed")
    def test_libreoffice_converts_the_xlsx_to_pdf(self):
        xlsx = self.report("xlsx")
        home = os.path.join(self.dir, "home")
        os.makedirs(home, exist_ok=True)
        p = subprocess.run([SOFFICE, "--headless", "--norestore",
                            "-env:UserInstallation=file://" + home, "--convert-to", "pdf",
                            "--outdir", self.dir, xlsx],
                           capture_output=True, text=True, timeout=300,
                           env=dict(os.environ, HOME=home))
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        pdf = os.path.join(self.dir, "bulletin.pdf")
        with open(pdf, "rb") as f:
            data = f.read()
        self.assertTrue(data.startswith(b"%PDF-"), data[:16])
        # Several sheets, each at least a page.
        self.assertGreaterEqual(data.count(b"/Type /Page\n") + data.count(b"/Type/Page"), 1)

    @unittest.skipUnless(CHROMIUM, "chromium is not installed")
    def test_chromium_renders_the_html_to_a_png(self):
        page = self.report("html")
        png = os.path.join(self.dir, "bulletin.png")
        p = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                            "--disable-dev-shm-usage", "--user-data-dir=" + os.path.join(self.dir, "chr"),
                            "--window-size=1280,2000", "--screenshot=" + png, "file://" + page],
                           capture_output=True, text=True, timeout=300)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        with open(png, "rb") as f:
            head = f.read(24)
        self.assertEqual(head[:8], b"\x89PNG\r\n\x1a\n")
        width = int.from_bytes(head[16:20], "big")
        self.assertEqual(width, 1280)
        self.assertGreater(os.path.getsize(png), 20000)  # not a blank page


if __name__ == "__main__":
    unittest.main()
