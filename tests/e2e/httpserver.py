"""httpserver.py — a loopback HTTP, HTTPS and SMTP server for litwatch's
tests (Python 3 standard library only).

In-process (Python e2e tests):

    from httpserver import TestServer
    srv = TestServer(tls=True)          # certificates made with the openssl CLI
    srv.start()
    srv.route("/cases", status=200, body=b"{}", headers={"ETag": '"v1"'})
    srv.route("/flaky", [dict(status=503, retry_after="2"), dict(status=200)])
    url = srv.url("/cases")             # http://127.0.0.1:PORT/cases
    surl = srv.url("/cases", tls=True)  # https://...; trust srv.ca_file
    ... srv.requests  -> [{"method", "path", "query", "headers", "body"}]
    ... srv.messages  -> [{"mail_from", "rcpt", "data", "tls", "auth"}]
    srv.stop()

A route is one response (keyword arguments below), a list of them served
in order (the last one repeats), or a callable(request_dict) -> dict.
Without a route, faults come from the query string, which lets a C test
script the server from the URL alone:

    _status=429        status code (default 200)
    _retry_after=7     Retry-After value (seconds or an HTTP-date)
    _delay_ms=500      wait before answering
    _bytes=N           a body of N bytes ("x" * N)
    _body=text         this body
    _etag="v1"         ETag; answers 304 when If-None-Match matches
    _last_modified=... Last-Modified header
    _truncate=100      announce 100 more bytes than sent, then close
    _reset=1           reset the connection (RST) without answering

Response keywords for route(): status, body (bytes|str), headers (dict),
delay_ms, bytes, etag, last_modified, retry_after, truncate, reset.

Control endpoints (for tests in other languages): GET /_requests (JSON list
of recorded requests, control requests excluded), GET /_smtp (JSON list of
received messages), POST /_clear (forget both).

Command line: `python3 httpserver.py [--no-tls] [--smtp-require-tls]` prints
one JSON line {"http": port, "https": port, "smtp": port, "ca": file} and
serves until stdin reaches EOF (so it dies with the test that started it)
or SIGTERM.

The SMTP receiver speaks EHLO/HELO, STARTTLS (with the same certificate),
AUTH PLAIN/LOGIN (any credentials accepted, recorded), MAIL, RCPT (a
recipient containing "reject" gets 550), DATA, RSET, NOOP and QUIT.
"""

import base64
import json
import os
import shutil
import socket
import socketserver
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def make_certs(directory):
    """Create a CA and a leaf certificate for 127.0.0.1/localhost/::1 in
    directory with the openssl CLI; returns (ca_file, cert_file, key_file)."""
    ca_key = os.path.join(directory, "ca.key")
    ca = os.path.join(directory, "ca.pem")
    key = os.path.join(directory, "server.key")
    csr = os.path.join(directory, "server.csr")
    cert = os.path.join(directory, "server.pem")
    ext = os.path.join(directory, "server.ext")
    run = lambda *a: subprocess.run(["openssl"] + list(a), check=True,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-keyout", ca_key, "-out", ca, "-days", "2", "-subj", "/CN=litwatch test CA")
    run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", key, "-out", csr, "-subj", "/CN=127.0.0.1")
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\n"
                "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
    run("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
        "-out", cert, "-days", "2", "-extfile", ext)
    return ca, cert, key


def _query_response(query):
    """The response a URL's _fault parameters ask for."""
    q = {k: v[-1] for k, v in urllib.parse.parse_qs(query, keep_blank_values=True).items()}
    r = {}
    if "_status" in q:
        r["status"] = int(q["_status"])
    for k in ("retry_after", "etag", "last_modified", "body"):
        if "_" + k in q:
            r[k] = q["_" + k]
    for k in ("delay_ms", "bytes", "truncate", "reset"):
        if "_" + k in q:
            r[k] = int(q["_" + k])
    return r


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so clients can reuse connections
    disable_nagle_algorithm = True  # headers and body go in separate writes
    server_version = "lwtest/1"

    def log_message(self, fmt, *args):
        pass

    def handle(self):
        try:
            super().handle()
        except (ConnectionError, ssl.SSLError, socket.timeout, OSError):
            pass

    def do_GET(self):
        self._serve()

    def do_POST(self):
        self._serve()

    def do_PUT(self):
        self._serve()

    def do_HEAD(self):
        self._serve()

    def _send(self, status, body, headers):
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _serve(self):
        ts = self.server.owner
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        u = urllib.parse.urlsplit(self.path)
        if u.path.startswith("/_"):
            return self._control(ts, u.path)
        req = {
            "method": self.command,
            "path": u.path,
            "query": {k: v[-1] for k, v in urllib.parse.parse_qs(u.query, keep_blank_values=True).items()},
            "raw_query": u.query,
            "headers": {k: v for k, v in self.headers.items()},
            "body": body,
            "tls": isinstance(self.connection, ssl.SSLSocket),
            "client_port": self.client_address[1],
        }
        with ts.lock:
            ts.requests.append(req)
            spec = ts._next_response(u.path)
        if spec is None:
            spec = _query_response(u.query)
        elif callable(spec):
            spec = spec(req)
        self._respond(req, spec)

    def _respond(self, req, spec):
        if spec.get("delay_ms"):
            time.sleep(spec["delay_ms"] / 1000.0)
        if spec.get("reset"):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        status = int(spec.get("status", 200))
        headers = {"Content-Type": "application/json"}
        headers.update(spec.get("headers", {}))
        body = spec.get("body", b"")
        if isinstance(body, str):
            body = body.encode()
        if spec.get("bytes") is not None:
            body = b"x" * int(spec["bytes"])
        if spec.get("retry_after") is not None:
            headers["Retry-After"] = str(spec["retry_after"])
        if spec.get("last_modified"):
            headers["Last-Modified"] = spec["last_modified"]
        etag = spec.get("etag")
        if etag:
            headers["ETag"] = etag
            if req["headers"].get("If-None-Match") == etag:
                status, body = 304, b""
        if spec.get("truncate"):
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body) + int(spec["truncate"])))
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
            self.close_connection = True
            return
        self._send(status, body, headers)

    def _control(self, ts, path):
        with ts.lock:
            if path == "/_requests":
                data = [dict(r, body=r["body"].decode("utf-8", "replace")) for r in ts.requests]
            elif path == "/_smtp":
                data = ts.messages
            elif path == "/_clear":
                ts.requests.clear()
                ts.messages.clear()
                data = {"ok": True}
            else:
                return self._send(404, b"unknown control path\n", {})
            out = json.dumps(data, ensure_ascii=False).encode()
        self._send(200, out, {"Content-Type": "application/json"})


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, owner, ctx=None):
        self.owner = owner
        self.ctx = ctx
        super().__init__(("127.0.0.1", 0), _Handler)

    def get_request(self):
        sock, addr = self.socket.accept()
        if self.ctx:
            # Handshake in the handler's thread, not the accept loop.
            sock = self.ctx.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, addr

    def finish_request(self, request, client_address):
        if self.ctx:
            try:
                request.settimeout(10)
                request.do_handshake()
                request.settimeout(None)
            except (ssl.SSLError, OSError):
                return  # e.g. the client refused our certificate
        super().finish_request(request, client_address)


class _SMTPHandler(socketserver.StreamRequestHandler):
    def _reply(self, line):
        self.wfile.write((line + "\r\n").encode())
        self.wfile.flush()

    def handle(self):
        try:
            self._session()
        except (ConnectionError, ssl.SSLError, OSError, UnicodeDecodeError):
            pass

    def _session(self):
        ts = self.server.owner
        tls = False
        mail_from, rcpt, auth = None, [], None
        self._reply("220 lwtest ESMTP")
        while True:
            raw = self.rfile.readline(4096)
            if not raw:
                return
            line = raw.decode("utf-8").rstrip("\r\n")
            verb = line.split(" ", 1)[0].upper()
            arg = line[len(verb):].strip()
            if verb in ("EHLO", "HELO"):
                if verb == "HELO":
                    self._reply("250 lwtest")
                    continue
                ext = ["lwtest", "8BITMIME", "AUTH PLAIN LOGIN"]
                if ts.ctx and not tls:
                    ext.insert(1, "STARTTLS")
                for e in ext[:-1]:
                    self._reply("250-" + e)
                self._reply("250 " + ext[-1])
            elif verb == "STARTTLS" and ts.ctx and not tls:
                self._reply("220 go ahead")
                self.wfile.flush()
                self.connection = ts.ctx.wrap_socket(self.connection, server_side=True)
                self.rfile = self.connection.makefile("rb")
                self.wfile = self.connection.makefile("wb")
                tls = True
                mail_from, rcpt, auth = None, [], None
            elif verb == "AUTH":
                parts = arg.split()
                mech = parts[0].upper() if parts else ""
                if mech == "PLAIN":
                    resp = parts[1] if len(parts) > 1 else None
                    if resp is None:
                        self._reply("334 ")
                        resp = self.rfile.readline().decode().strip()
                    fields = base64.b64decode(resp).split(b"\0")
                    auth = {"user": fields[1].decode(), "password": fields[2].decode()}
                elif mech == "LOGIN":
                    if len(parts) > 1:
                        user = base64.b64decode(parts[1]).decode()
                    else:
                        self._reply("334 VXNlcm5hbWU6")
                        user = base64.b64decode(self.rfile.readline().strip()).decode()
                    self._reply("334 UGFzc3dvcmQ6")
                    pw = base64.b64decode(self.rfile.readline().strip()).decode()
                    auth = {"user": user, "password": pw}
                else:
                    self._reply("504 unsupported mechanism")
                    continue
                self._reply("235 authenticated")
            elif verb == "MAIL":
                if ts.smtp_require_tls and not tls:
                    self._reply("530 must issue STARTTLS first")
                    continue
                mail_from, rcpt = arg.split(":", 1)[1].strip(), []
                self._reply("250 ok")
            elif verb == "RCPT":
                to = arg.split(":", 1)[1].strip()
                if "reject" in to:
                    self._reply("550 no such user")
                    continue
                rcpt.append(to)
                self._reply("250 ok")
            elif verb == "DATA":
                if not mail_from or not rcpt:
                    self._reply("503 need MAIL and RCPT first")
                    continue
                self._reply("354 end with <CRLF>.<CRLF>")
                lines = []
                while True:
                    dl = self.rfile.readline()
                    if not dl:
                        return
                    if dl in (b".\r\n", b".\n"):
                        break
                    lines.append(dl[1:] if dl.startswith(b"..") else dl)
                with ts.lock:
                    ts.messages.append({"mail_from": mail_from, "rcpt": rcpt,
                                        "data": b"".join(lines).decode("utf-8", "replace"),
                                        "tls": tls, "auth": auth})
                mail_from, rcpt = None, []
                self._reply("250 queued")
            elif verb == "RSET":
                mail_from, rcpt = None, []
                self._reply("250 ok")
            elif verb == "NOOP":
                self._reply("250 ok")
            elif verb == "QUIT":
                self._reply("221 bye")
                return
            else:
                self._reply("502 command not implemented")


class _SMTPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, owner):
        self.owner = owner
        super().__init__(("127.0.0.1", 0), _SMTPHandler)


class TestServer:
    """HTTP + HTTPS + SMTP on 127.0.0.1, ephemeral ports.  See the module
    comment."""

    def __init__(self, tls=True, smtp=True, smtp_require_tls=False):
        self.lock = threading.Lock()
        self.requests = []
        self.messages = []
        self.routes = {}
        self.want_tls = tls
        self.want_smtp = smtp
        self.smtp_require_tls = smtp_require_tls
        self.ctx = None
        self.ca_file = None
        self._dir = None
        self._servers = []

    def start(self):
        if self.want_tls:
            self._dir = tempfile.mkdtemp(prefix="lw-tls-")
            self.ca_file, cert, key = make_certs(self._dir)
            self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.ctx.load_cert_chain(cert, key)
        self.http = _HTTPServer(self)
        self._servers.append(self.http)
        self.http_port = self.http.server_address[1]
        self.https_port = self.smtp_port = None
        if self.ctx:
            self.https = _HTTPServer(self, self.ctx)
            self._servers.append(self.https)
            self.https_port = self.https.server_address[1]
        if self.want_smtp:
            self.smtp = _SMTPServer(self)
            self._servers.append(self.smtp)
            self.smtp_port = self.smtp.server_address[1]
        for s in self._servers:
            threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.05},
                             daemon=True).start()
        return self

    def stop(self):
        for s in self._servers:
            s.shutdown()
            s.server_close()
        self._servers = []
        if self._dir:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def url(self, path="/", tls=False):
        if tls:
            return "https://127.0.0.1:%d%s" % (self.https_port, path)
        return "http://127.0.0.1:%d%s" % (self.http_port, path)

    def route(self, path, spec=None, **kw):
        """Script the answers for path (see the module comment)."""
        with self.lock:
            self.routes[path] = list(spec) if isinstance(spec, list) else (spec or kw)

    def clear(self):
        with self.lock:
            self.requests.clear()
            self.messages.clear()

    def _next_response(self, path):
        spec = self.routes.get(path)
        if isinstance(spec, list):
            return spec.pop(0) if len(spec) > 1 else spec[0]
        return spec


def main(argv):
    srv = TestServer(tls="--no-tls" not in argv, smtp_require_tls="--smtp-require-tls" in argv)
    srv.start()
    print(json.dumps({"http": srv.http_port, "https": srv.https_port, "smtp": srv.smtp_port,
                      "ca": srv.ca_file}), flush=True)
    try:
        while sys.stdin.read(4096):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        srv.stop()
    return 0


if __name__ == "__main__":
    import signal
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    sys.exit(main(sys.argv[1:]))
