#!/usr/bin/env python3
"""Hostile HTTP clients for the cockpit's denial-of-service tests (tests/e2e/t8002).

  http_flood.py bodies PORT N MIB [HEADER...]
      N connections at once, each sending a POST with a MIB MiB body as fast as the server
      takes it (no Expect: 100-continue, so the body follows the headers at once). Prints one
      JSON line: how many got an answer, their statuses, and how long the slowest took.

  http_flood.py slow PORT N SECONDS [--sources K] [--body TOKEN]
      Keeps N connections open for SECONDS, each sending one byte of a request's headers (or,
      with --body, of an authenticated POST's body) per second, reconnecting when the server
      closes one. Connection i binds source address 127.0.<1 + i // 250>.<1 + i % 250> spread
      over K addresses (default N: one each). Prints one JSON line: connections made, closed
      by the server, and the most open at once.

  http_flood.py post PORT TOKEN FILE...
      One poster per FILE, all at once, each on its own kept-alive connection: every line of a
      FILE is a JSON body POSTed to /api/v1/alerts with the node TOKEN. Prints one JSON line:
      requests, how many were not 200, items accepted and duplicates, the statuses, the first
      Retry-After of a refusal, and the seconds taken.

  http_flood.py slowread PORT N SECONDS PATH
      N connections (one source address each) send GET PATH (Connection: close) with a 4 KiB
      receive buffer and read nothing more than the status line for SECONDS; then each is
      drained to see whether the server closed it (after the whole answer, or cut). Prints one JSON line: connections made, their statuses, how many
      the server closed, and the bytes they received.

  http_flood.py deliver PORT TOKEN SECONDS TAG [STOPFILE]
      A legitimate agent during an attack: every 0.25 s, on a fresh connection from its own
      address (127.0.200.1), POSTs a batch
      of 20 alerts with ids of its own (TAG and a counter) to /api/v1/alerts, retrying 429/503
      after their Retry-After and a failed connection after 0.5 s, as the agent does, for
      SECONDS (or until STOPFILE exists). Prints one JSON line: batches, alerts sent, alerts
      acknowledged (accepted or duplicate), batches still unacknowledged at the end, statuses,
      and the slowest acknowledgement in seconds.

  http_flood.py probe PORT SECONDS [STOPFILE]
      GET /api/v1/health every 0.2 s for SECONDS (or until STOPFILE exists) from 127.0.0.1 (a
      fresh connection each time, as a probe does). Prints one JSON line: probes, failures, max
      and p50 latency in seconds.
"""
import json
import selectors
import socket
import sys
import time


def source(i, k):
    j = i % k
    return "127.0.%d.%d" % (1 + j // 250, 1 + j % 250)


def bodies(port, n, mib, headers):
    body = b"[" + b" " * (mib * 1024 * 1024 - 2) + b"]"
    head = ("POST /api/v1/alerts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            "Content-Length: %d\r\n%s\r\n" % (len(body), "".join(h + "\r\n" for h in headers))).encode()
    sel = selectors.DefaultSelector()
    conns = []
    whole = memoryview(head + body)  # one copy, shared: 60 x 15 MiB would slow the client
    start = time.time()
    for i in range(n):
        s = socket.create_connection(("127.0.0.1", port))
        s.setblocking(False)
        st = {"sock": s, "out": whole, "resp": b"", "done": None}
        conns.append(st)
        sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE, st)
    open_ = n
    while open_ and time.time() - start < 60:
        for key, ev in sel.select(timeout=1):
            st = key.data
            s = st["sock"]
            try:
                if ev & selectors.EVENT_READ:
                    d = s.recv(65536)
                    if d:
                        st["resp"] += d
                    if not d or b"\r\n\r\n" in st["resp"]:
                        raise ConnectionError
                if ev & selectors.EVENT_WRITE and st["out"]:
                    k = s.send(st["out"][:1 << 20])
                    st["out"] = st["out"][k:]
                    if not st["out"]:
                        sel.modify(s, selectors.EVENT_READ, st)
            except (ConnectionError, OSError):
                st["done"] = time.time() - start
                sel.unregister(s)
                s.close()
                open_ -= 1
    statuses = {}
    for st in conns:
        line = st["resp"].split(b"\r\n", 1)[0].decode(errors="replace")
        code = line.split(" ")[1] if line.startswith("HTTP/") else "none"
        statuses[code] = statuses.get(code, 0) + 1
    sent = sum(len(head) + len(body) - len(st["out"]) for st in conns)
    print(json.dumps({"answered": sum(1 for st in conns if st["resp"]), "statuses": statuses,
                      "slowest_s": max((st["done"] or 60) for st in conns),
                      "body_mib_sent": round(sent / 1048576, 1)}))


def slow(port, n, seconds, k, token):
    if token:
        head = ("POST /api/v1/alerts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                "Content-Length: 100000\r\n\r\n" % token).encode()
        drip = b" " * 100000
    else:
        head = b"GET /api/v1/health HTTP/1.1\r\n"
        drip = b"X-Slow: " + b"a" * 100000
    made = closed = most = 0
    conns = {}

    def connect(i):
        nonlocal made
        try:
            s = socket.socket()
            s.bind((source(i, k), 0))
            s.settimeout(2)
            s.connect(("127.0.0.1", port))
            s.sendall(head)
            s.setblocking(False)
            conns[i] = [s, 0]
            made += 1
        except OSError:
            conns.pop(i, None)

    end = time.time() + seconds
    for i in range(n):
        connect(i)
    while time.time() < end:
        t = time.time()
        for i in range(n):
            c = conns.get(i)
            if c is None:
                connect(i)
                continue
            s, off = c
            try:
                d = s.recv(4096)
                if d == b"" or d:  # closed, or answered (a cut connection may answer 408)
                    raise ConnectionError
            except BlockingIOError:
                pass
            except OSError:
                s.close()
                del conns[i]
                closed += 1
                continue
            try:
                s.send(drip[off:off + 1])
                c[1] = off + 1
            except OSError:
                s.close()
                del conns[i]
                closed += 1
        most = max(most, len(conns))
        time.sleep(max(0, 1 - (time.time() - t)))
    for s, _ in conns.values():
        s.close()
    print(json.dumps({"made": made, "closed_by_server": closed, "most_open": most}))


def probe(port, seconds, stopfile=None):
    import os
    lat, fails = [], 0
    end = time.time() + seconds
    # a file, not a signal: the caller's $! may be a shell around this process
    while time.time() < end and not (stopfile and os.path.exists(stopfile)):
        t = time.time()
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            resp = b""
            while b"\r\n\r\n" not in resp:
                d = s.recv(4096)
                if not d:
                    break
                resp += d
            s.close()
            if not resp.startswith(b"HTTP/1.1 200"):
                fails += 1
            lat.append(time.time() - t)
        except OSError:
            fails += 1
            lat.append(time.time() - t)
        time.sleep(max(0, 0.2 - (time.time() - t)))
    lat.sort()
    lat = lat or [0.0]
    print(json.dumps({"probes": len(lat), "failures": fails, "max_s": round(lat[-1], 3),
                      "p50_s": round(lat[len(lat) // 2], 3)}))


def post(port, token, files):
    import http.client
    import threading
    tot = {"requests": 0, "not_200": 0, "accepted": 0, "duplicates": 0, "statuses": {},
           "retry_after": None}
    lock = threading.Lock()

    def run(path):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for line in open(path):
            conn.request("POST", "/api/v1/alerts", body=line.encode(),
                         headers={"Authorization": "Bearer " + token,
                                  "Content-Type": "application/json"})
            r = conn.getresponse()
            d = r.read()
            with lock:
                tot["requests"] += 1
                tot["statuses"][str(r.status)] = tot["statuses"].get(str(r.status), 0) + 1
                if r.status != 200:
                    tot["not_200"] += 1
                    tot["retry_after"] = tot["retry_after"] or r.getheader("Retry-After")
                else:
                    j = json.loads(d)
                    tot["accepted"] += j["accepted"]
                    tot["duplicates"] += j["duplicates"]
        conn.close()

    t0 = time.time()
    threads = [threading.Thread(target=run, args=(f,)) for f in files]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    tot["seconds"] = round(time.time() - t0, 3)
    print(json.dumps(tot))


def slowread(port, n, seconds, path):
    conns, statuses = [], {}
    req = ("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % path).encode()
    for i in range(n):
        try:
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.bind((source(i, n), 0))
            s.settimeout(5)
            s.connect(("127.0.0.1", port))
            s.sendall(req)
            conns.append([s, b""])
        except OSError:
            pass
    end = time.time() + seconds
    for c in conns:  # the status line only
        try:
            c[1] = c[0].recv(16)
        except OSError:
            pass
    time.sleep(max(0, end - time.time()))
    closed = got = 0
    for c in conns:
        s = c[0]
        line = c[1].split(b"\r\n", 1)[0].decode(errors="replace")
        code = line.split(" ")[1] if line.startswith("HTTP/") and " " in line else "none"
        statuses[code] = statuses.get(code, 0) + 1
        s.setblocking(False)
        try:
            while True:  # what is buffered, then EOF (closed) or EAGAIN (still held open)
                d = s.recv(65536)
                if not d:
                    closed += 1
                    break
                got += len(d)
        except BlockingIOError:
            pass
        except OSError:
            closed += 1
        s.close()
    print(json.dumps({"made": len(conns), "statuses": statuses, "closed_by_server": closed,
                      "bytes_read": got}))


def deliver(port, token, seconds, tag, stopfile=None):
    import http.client
    import os
    out = {"batches": 0, "sent": 0, "acked": 0, "unacked_batches": 0, "statuses": {},
           "max_ack_s": 0.0}
    end = time.time() + seconds
    n = 0
    while time.time() < end and not (stopfile and os.path.exists(stopfile)):
        t0 = time.time()
        batch = [{"alert_id": ("%s%08x" % (tag, n + i)).rjust(32, "0")[-32:], "rule_id": "R0001",
                  "severity": 1, "message": "legit %s %d" % (tag, n + i),
                  "workload": {"id": "legit", "name": "legit"}} for i in range(20)]
        n += 20
        out["batches"] += 1
        out["sent"] += len(batch)
        body = json.dumps(batch).encode()
        acked = False
        while not acked and time.time() < end + 30:
            wait = 0.5
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=10,
                                               source_address=("127.0.200.1", 0))
                c.request("POST", "/api/v1/alerts", body=body,
                          headers={"Authorization": "Bearer " + token,
                                   "Content-Type": "application/json"})
                r = c.getresponse()
                d = r.read()
                code = str(r.status)
                if r.status == 200:
                    j = json.loads(d)
                    out["acked"] += j["accepted"] + j["duplicates"]
                    acked = True
                elif r.status in (429, 503):
                    wait = float(r.getheader("Retry-After") or 1)
                else:
                    break  # refused for good: counted as not acknowledged
                c.close()
            except (OSError, http.client.HTTPException):
                code = "none"
            out["statuses"][code] = out["statuses"].get(code, 0) + 1
            if not acked:
                time.sleep(wait)
        if acked:
            out["max_ack_s"] = round(max(out["max_ack_s"], time.time() - t0), 3)
        else:
            out["unacked_batches"] += 1
        time.sleep(max(0, 0.25 - (time.time() - t0)))
    print(json.dumps(out))


def main(argv):
    if len(argv) >= 4 and argv[0] == "bodies":
        bodies(int(argv[1]), int(argv[2]), int(argv[3]), argv[4:])
    elif len(argv) >= 4 and argv[0] == "slow":
        k, token, rest = int(argv[2]), None, argv[4:]
        while rest:
            if rest[0] == "--sources":
                k, rest = int(rest[1]), rest[2:]
            elif rest[0] == "--body":
                token, rest = rest[1], rest[2:]
            else:
                raise SystemExit(__doc__)
        slow(int(argv[1]), int(argv[2]), float(argv[3]), k, token)
    elif len(argv) >= 4 and argv[0] == "post":
        post(int(argv[1]), argv[2], argv[3:])
    elif len(argv) == 5 and argv[0] == "slowread":
        slowread(int(argv[1]), int(argv[2]), float(argv[3]), argv[4])
    elif len(argv) in (5, 6) and argv[0] == "deliver":
        deliver(int(argv[1]), argv[2], float(argv[3]), argv[4], argv[5] if len(argv) == 6 else None)
    elif len(argv) in (3, 4) and argv[0] == "probe":
        probe(int(argv[1]), float(argv[2]), argv[3] if len(argv) == 4 else None)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
