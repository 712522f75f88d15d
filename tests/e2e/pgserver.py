"""A throw-away PostgreSQL 15 for the province tests: initdb into a
temporary directory as an unprivileged user (tests run as root in CI:
PostgreSQL refuses to run as root, so the server runs as `postgres`, or
`nobody`, through runuser), listening on a loopback port with password
(SCRAM) authentication for the pushing role, and on a unix socket with
trust for the test's own superuser queries."""

import os
import pwd
import shutil
import subprocess
import tempfile
import time

PG_BIN = os.environ.get("LW_PG_BIN", "/usr/lib/postgresql/15/bin")


def available():
    return os.path.exists(os.path.join(PG_BIN, "initdb"))


def _free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class PgServer:
    ROLE = "lwpush"
    PASSWORD = "s3cret-Pw-not-in-logs"
    DB = "province"

    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="lw-pg-")
        os.chmod(self.root, 0o755)
        self.data = os.path.join(self.root, "data")
        self.sock = os.path.join(self.root, "sock")
        self.port = _free_port()
        self.user = None
        if os.geteuid() == 0:
            for name in ("postgres", "nobody"):
                try:
                    self.user = pwd.getpwnam(name)
                    break
                except KeyError:
                    pass
        for d in (self.sock, self.data):
            os.mkdir(d, 0o700)
            if self.user:
                os.chown(d, self.user.pw_uid, self.user.pw_gid)
        self.as_user([os.path.join(PG_BIN, "initdb"), "-D", self.data, "-U", "admin", "-A",
                      "trust", "--no-sync", "-E", "UTF8", "--locale=C"])
        with open(os.path.join(self.data, "pg_hba.conf"), "w") as f:
            f.write("local all admin trust\n"
                    "host all %s 127.0.0.1/32 scram-sha-256\n" % self.ROLE)
        self.start()
        self.sql("CREATE ROLE %s LOGIN PASSWORD '%s'" % (self.ROLE, self.PASSWORD), db="postgres")
        self.sql("CREATE DATABASE %s OWNER %s" % (self.DB, self.ROLE), db="postgres")

    def as_user(self, cmd, check=True, **kw):
        if self.user:
            cmd = ["runuser", "-u", self.user.pw_name, "--"] + cmd
        p = subprocess.run(cmd, cwd="/", capture_output=True, text=True, timeout=120, **kw)
        if check and p.returncode != 0:
            raise AssertionError("%s: exit %d\n%s%s" % (" ".join(cmd), p.returncode, p.stdout,
                                                        p.stderr))
        return p

    def start(self):
        self.as_user([os.path.join(PG_BIN, "pg_ctl"), "-D", self.data, "-w", "-l",
                      os.path.join(self.sock, "log"), "-o",
                      "-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off "
                      "-c max_connections=50" % (self.port, self.sock), "start"])

    def stop(self, mode="fast"):
        self.as_user([os.path.join(PG_BIN, "pg_ctl"), "-D", self.data, "-w", "-m", mode, "stop"],
                     check=False)

    def sql(self, text, db=None, check=True):
        """Run text as the superuser; rows as lists of strings (NULL: None)."""
        p = self.as_user(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", self.sock, "-p",
                          str(self.port), "-U", "admin", "-d", db or self.DB, "-At", "-F", "\x1f",
                          "-P", "null=\x1e", "-c", text], check=check)
        if not check:
            return p
        rows = []
        for line in p.stdout.split("\n"):
            if line:
                rows.append([None if v == "\x1e" else v for v in line.split("\x1f")])
        return rows

    def copy_out(self, query):
        """COPY (query) TO STDOUT, as text: exact values, one line a row."""
        p = self.as_user(["psql", "-X", "-q", "-h", self.sock, "-p", str(self.port), "-U",
                          "admin", "-d", self.DB, "-c", "COPY (%s) TO STDOUT" % query])
        return p.stdout

    def dump(self):
        return self.as_user(["pg_dump", "-h", self.sock, "-p", str(self.port), "-U", "admin",
                             self.DB]).stdout

    def conninfo(self):
        return ("host=127.0.0.1 port=%d dbname=%s user=%s password=%s"
                % (self.port, self.DB, self.ROLE, self.PASSWORD))

    def close(self):
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)
