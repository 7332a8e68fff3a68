#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A stand-in for kube-apiserver's pod endpoints, for tests: no kube-apiserver can run on the
development machines. HTTPS with the given certificate; every request must carry
"Authorization: Bearer TOKEN" (401 otherwise). Serves what a test wrote from the API
reference's shapes (tests/data/k8s/README.md):

  GET /api/v1/pods?fieldSelector=spec.nodeName=NODE            -> the PodList file
  GET /api/v1/pods?...&watch=1&resourceVersion=RV               -> the watch file's lines
                                                                   (chunked), then holds the
                                                                   stream open until --hold s

  fake_apiserver.py --cert C --key K --token T --podlist F --watch F --log F [--hold S]

Prints "port N" (a free loopback port) first. Each request is logged as one JSON line:
{"path": ..., "auth": true|false}."""
import argparse
import http.server
import json
import ssl
import sys
import threading
import time


def main():
    ap = argparse.ArgumentParser()
    for a in ("--cert", "--key", "--token", "--podlist", "--watch", "--log"):
        ap.add_argument(a, required=True)
    ap.add_argument("--hold", type=float, default=20.0)
    args = ap.parse_args()
    token = open(args.token).read().strip()
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def do_GET(self):
            auth = self.headers.get("Authorization", "") == f"Bearer {token}"
            with lock, open(args.log, "a") as f:
                f.write(json.dumps({"path": self.path, "auth": auth}) + "\n")
            if not auth:
                body = b'{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Unauthorized","code":401}'
                self.send_response(401)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            if not self.path.startswith("/api/v1/pods?"):
                self.send_error(404)
                return
            if "watch=1" in self.path:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                try:
                    for line in open(args.watch, "rb"):
                        line = line.rstrip(b"\n") + b"\n"
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
                        self.wfile.flush()
                    time.sleep(args.hold)
                    self.wfile.write(b"0\r\n\r\n")
                except (BrokenPipeError, ConnectionResetError):
                    pass
                return
            body = open(args.podlist, "rb").read()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    print(f"port {srv.server_address[1]}", flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
