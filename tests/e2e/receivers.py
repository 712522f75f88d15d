"""Loopback receivers for the alert sinks: an HTTP server that records
webhook / robot POSTs, and an SMTP server that offers STARTTLS (with a
throw-away self-signed certificate) and records the messages."""

import http.server
import json
import os
import socketserver
import ssl
import subprocess
import threading
import time


class HTTPReceiver:
    """Records every POST as dict(path, headers, body); answers with
    self.status (default 200) and self.reply (bytes)."""

    def __init__(self):
        self.posts = []
        self.status = 200
        self.reply = b'{"errcode":0,"errmsg":"ok"}'
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                outer.posts.append({"path": self.path, "headers": dict(self.headers),
                                    "body": body, "at": time.monotonic()})
                self.send_response(outer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(outer.reply)))
                self.end_headers()
                self.wfile.write(outer.reply)

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def json_posts(self, path):
        return [json.loads(p["body"]) for p in self.posts if p["path"].startswith(path)]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def make_cert(directory):
    """A self-signed certificate for 127.0.0.1; returns (cert, key)."""
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


class SMTPReceiver:
    """A minimal ESMTP server: EHLO, STARTTLS, MAIL, RCPT, DATA, QUIT.
    Each message is recorded as dict(sender, rcpt, data, tls)."""

    def __init__(self, cert, key):
        self.mails = []
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(cert, key)
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                conn = self.request
                f = conn.makefile("rb")
                tls = False
                mail = {"rcpt": []}

                def send(s):
                    conn.sendall((s + "\r\n").encode())

                send("220 127.0.0.1 ESMTP litwatch-test")
                while True:
                    line = f.readline()
                    if not line:
                        return
                    cmd = line.decode("utf-8", "replace").strip()
                    up = cmd.upper()
                    if up.startswith("EHLO") or up.startswith("HELO"):
                        conn.sendall(b"250-127.0.0.1\r\n250 8BITMIME\r\n" if tls else
                                     b"250-127.0.0.1\r\n250 STARTTLS\r\n")
                    elif up == "STARTTLS":
                        send("220 ready")
                        conn = outer.ctx.wrap_socket(conn, server_side=True)
                        f = conn.makefile("rb")
                        tls = True
                    elif up.startswith("MAIL FROM:"):
                        mail = {"sender": cmd[10:].strip(), "rcpt": []}
                        send("250 ok")
                    elif up.startswith("RCPT TO:"):
                        mail["rcpt"].append(cmd[8:].strip())
                        send("250 ok")
                    elif up == "DATA":
                        send("354 end with .")
                        data = b""
                        while True:
                            part = f.readline()
                            if not part or part in (b".\r\n", b".\n"):
                                break
                            data += part
                        mail["data"] = data
                        mail["tls"] = tls
                        outer.mails.append(mail)
                        send("250 queued")
                    elif up == "QUIT":
                        send("221 bye")
                        return
                    else:
                        send("250 ok")

        class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
