"""Install litwatch into a fresh prefix, build a third-party plugin against
the installed header with pkg-config, and run the installed daemon: it must
find that plugin (and its profiles) relative to its prefix, with no
plugin_dir in the configuration."""

import os
import subprocess
import unittest

from lwtest import DaemonTestCase

BUILD = os.environ.get("LW_BUILD_DIR", "")
SRC = os.environ.get("LW_SOURCE_DIR", "")


class InstalledTree(DaemonTestCase):

    def test_out_of_tree_plugin_builds_with_pkg_config_and_loads(self):
        prefix = os.path.join(self.dir, "prefix")
        subprocess.run(["cmake", "--install", BUILD, "--prefix", prefix],
                       check=True, capture_output=True)
        for rel in ("bin/litwatchd", "bin/litwatch", "include/litwatch/plugin.h",
                    "lib/systemd/system/litwatchd.service", "share/litwatch/examples/litwatch.json",
                    "share/litwatch/profiles/court-cases.json",
                    "share/litwatch/profiles/hotline-12345.json",
                    "lib/litwatch/plugins/lw-spreadsheet.so", "lib/litwatch/plugins/lw-hotline.so",
                    "lib/litwatch/plugins/lw-courtfeed.so", "lib/sysusers.d/litwatch.conf"):
            self.assertTrue(os.path.exists(os.path.join(prefix, rel)), rel)
        # The shipped example works with the installed tree as it is: plugins
        # and profiles found relative to the prefix, no path in the file.
        ex = subprocess.run([os.path.join(prefix, "bin/litwatch"), "check-config",
                             os.path.join(prefix, "share/litwatch/examples/litwatch.json")],
                            capture_output=True, text=True, cwd=self.dir)
        self.assertEqual(ex.returncode, 0, ex.stderr)
        self.assertIn("agency-reports (spreadsheet)", ex.stdout)
        pcdirs = [os.path.join(r, "") for r, _, files in os.walk(prefix)
                  if "litwatch-plugin.pc" in files]
        self.assertEqual(len(pcdirs), 1)
        env = dict(os.environ, PKG_CONFIG_PATH=pcdirs[0])
        cflags = subprocess.run(["pkg-config", "--cflags", "litwatch-plugin"], env=env,
                                check=True, capture_output=True, text=True).stdout.split()
        plugindir = subprocess.run(["pkg-config", "--variable=plugindir", "litwatch-plugin"],
                                   env=env, check=True, capture_output=True,
                                   text=True).stdout.strip()
        self.assertEqual(os.path.realpath(plugindir),
                         os.path.realpath(os.path.join(prefix, "lib/litwatch/plugins")))
        os.makedirs(plugindir, exist_ok=True)
        so = os.path.join(plugindir, "lw-hello.so")
        subprocess.run(["cc", "-shared", "-Wall", "-Wextra", "-Werror", *cflags, "-o", so,
                        os.path.join(SRC, "tests/oot/hello.c")], check=True)
        os.chmod(so, 0o755)

        cfg = self.write_config({"data_dir": "data", "sources": [
            {"name": "greeter", "plugin": "hello", "greeting": "nihao"}]})
        check = subprocess.run([os.path.join(prefix, "bin/litwatch"), "check-config", cfg],
                               capture_output=True, text=True)
        self.assertEqual(check.returncode, 0, check.stderr)
        d = self.start(cfg, binary=os.path.join(prefix, "bin/litwatchd"))
        d.notify.wait_for("READY=1")
        d.wait_log("greeter: nihao from an out-of-tree plugin")
        self.assertEqual(d.stop(), 0)


if __name__ == "__main__":
    unittest.main()
