# SPDX-License-Identifier: Apache-2.0
# t2018's workload, one process (so its exec and arguments are the same on every run): an HTTP
# server (python's http.server, threaded) on each port of the plan's "serve" line, and a client
# (http.client) that sends the plan's requests, "METHOD PORT PATH" one per line, to 127.0.0.1.
# The server reads each request (inbound), the client writes it (outbound).
import http.client
import http.server
import os
import sys
import threading

plan = open(sys.argv[1]).read().split("\n")
os.chdir(sys.argv[2])
servers = []
for port in plan[0].split()[1:]:
    s = http.server.ThreadingHTTPServer(("127.0.0.1", int(port)), http.server.SimpleHTTPRequestHandler)
    s.RequestHandlerClass.log_message = lambda *a: None
    threading.Thread(target=s.serve_forever, daemon=True).start()
    servers.append(s)
for line in plan[1:]:
    if not line.strip():
        continue
    method, port, path = line.split()
    c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=10)
    c.request(method, path, body=b"x" if method == "POST" else None)
    r = c.getresponse()
    r.read()
    c.close()
    print(method, port, path, r.status, flush=True)
for s in servers:
    s.shutdown()
