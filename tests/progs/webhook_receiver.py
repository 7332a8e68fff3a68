#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Test webhook receiver (loopback only): appends every POSTed JSON body to --out as one line
{"path": ..., "body": ...} and answers 200. --port 0 picks a free port, written to --port-file
once the socket listens, so a test can wait for it."""
import argparse
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 16 << 20
lock = threading.Lock()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            if n < 0 or n > MAX_BODY:
                self.send_response(413)
                self.end_headers()
                return
            raw = self.rfile.read(n)
            try:
                body = json.loads(raw)
            except ValueError:
                self.send_response(400)
                self.end_headers()
                return
            with lock, open(args.out, "a") as f:
                f.write(json.dumps({"path": self.path, "body": body}) + "\n")
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, fmt, *a):
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, args.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
