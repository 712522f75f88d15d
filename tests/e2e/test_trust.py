"""End to end: litwatch refuses the files that someone other than its
operator could change or read — the configuration itself, profiles and
their directory, secret files (tokens, header files, passwords) — and says
which file, its mode, and the command that fixes it."""

import os
import shutil
import subprocess
import tempfile
import unittest

from lwtest import BIN, SOURCE_DIR

BUILD_DIR = os.environ.get("LW_BUILD_DIR", "")
PLUGIN_DIR = os.path.join(BUILD_DIR, "lib", "litwatch", "plugins")


def check_config(path):
    return subprocess.run([os.path.join(BIN, "litwatch"), "check-config", path],
                          capture_output=True, text=True, timeout=60)


class TrustedFiles(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="lw-trust-")
        self.profiles = os.path.join(self.dir, "profiles")
        shutil.copytree(os.path.join(SOURCE_DIR, "conf", "profiles"), self.profiles)
        os.chmod(self.profiles, 0o755)
        self.token = os.path.join(self.dir, "court.token")
        with open(self.token, "w") as f:
            f.write("t0ken\n")
        os.chmod(self.token, 0o600)
        self.cfg = os.path.join(self.dir, "litwatch.json")
        with open(self.cfg, "w") as f:
            f.write('{"data_dir": "%s", "plugin_dir": "%s", "profile_dir": "%s", "sources": ['
                    '{"name": "court", "plugin": "courtfeed", "url": "https://127.0.0.1:9/x", '
                    '"token_file": "%s"}]}' % (self.dir, PLUGIN_DIR, self.profiles, self.token))
        os.chmod(self.cfg, 0o644)

    def tearDown(self):
        shutil.rmtree(self.dir)

    def test_a_sound_setup_passes(self):
        p = check_config(self.cfg)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_configuration_writable_by_others_is_refused(self):
        os.chmod(self.cfg, 0o666)
        p = check_config(self.cfg)
        self.assertEqual(p.returncode, 1)
        self.assertIn("configuration file %s is writable by others; refusing to use it "
                      "(mode 0666; fix with: chmod go-w '%s')" % (self.cfg, self.cfg), p.stderr)

    def test_token_readable_by_others_is_refused(self):
        os.chmod(self.token, 0o644)
        p = check_config(self.cfg)
        self.assertEqual(p.returncode, 1)
        self.assertIn("is readable by others; refusing to use it (mode 0644; fix with: chmod 600 "
                      "'%s')" % self.token, p.stderr)
        self.assertNotIn("t0ken", p.stdout + p.stderr)

    def test_token_writable_by_its_group_is_refused(self):
        os.chmod(self.token, 0o620)
        p = check_config(self.cfg)
        self.assertEqual(p.returncode, 1)
        self.assertIn("is writable by its group", p.stderr)

    def test_profile_or_its_directory_writable_by_others_is_refused(self):
        prof = os.path.join(self.profiles, "court-cases.json")
        os.chmod(prof, 0o666)
        p = check_config(self.cfg)
        self.assertEqual(p.returncode, 1)
        self.assertIn("profile file %s is writable by others" % prof, p.stderr)
        os.chmod(prof, 0o644)
        os.chmod(self.profiles, 0o777)
        p = check_config(self.cfg)
        self.assertEqual(p.returncode, 1)
        self.assertIn("profile directory %s is writable by others" % self.profiles, p.stderr)
        # The one-shot import takes the same profiles: the same refusal.
        data = os.path.join(self.dir, "x.csv")
        with open(data, "w") as f:
            f.write("案号,被告\n")
        p = subprocess.run([os.path.join(BIN, "litwatch"), "import", "--db",
                            os.path.join(self.dir, "w.db"), "--profile", "court-cases",
                            "--profile-dir", self.profiles, data],
                           capture_output=True, text=True, timeout=60)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("profile directory %s is writable by others" % self.profiles,
                      p.stdout + p.stderr)
        os.chmod(self.profiles, 0o755)


if __name__ == "__main__":
    unittest.main()
