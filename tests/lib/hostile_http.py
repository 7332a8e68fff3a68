#!/usr/bin/env python3
"""Hostile clients for the cockpit's transport tests (tests/e2e/t8012). Each prints one JSON line.

  hostile_http.py tlsstall PORT CAFILE N SECONDS
      N TCP connections to a TLS cockpit, each from its own address (127.0.<1 + i // 250>.
      <1 + i % 250>), that never finish the handshake: every other one sends the first bytes of
      a ClientHello, the rest nothing. Meanwhile a health probe over TLS from 127.0.254.1 every
      0.2 s for SECONDS. Then each stalled connection is checked: closed by the server, or open.

  hostile_http.py raw PORT CAFILE FILE [--read-continue]
      Sends FILE's bytes as they are (over TLS when CAFILE is not "-"), then reads the answer
      until the server closes or 5 s pass: the status lines seen, whether "100 Continue" came,
      and the bytes received. With --read-continue, stops reading after the first status line.

  hostile_http.py getbodies PORT N MIB PATH [TOKEN]
      N connections at once, each sending GET PATH with a chunked body of MIB MiB (1 MiB
      chunks) as fast as the server takes it. The status of each, and the MiB the server took.
"""
import json
import re
import socket
import ssl
import sys
import threading
import time


def tls_ctx(cafile):
    return ssl.create_default_context(cafile=cafile)


def connect(port, src="127.0.0.1", cafile=None, timeout=10):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(src, 0))
    if cafile:
        s = tls_ctx(cafile).wrap_socket(s, server_hostname="localhost")
    return s


def read_all(s, limit_s=5.0, stop_at_status=False):
    out = b""
    end = time.time() + limit_s
    s.settimeout(0.5)
    while time.time() < end:
        try:
            d = s.recv(65536)
        except socket.timeout:
            continue
        except (ConnectionError, ssl.SSLError, OSError):
            break
        if not d:
            break
        out += d
        if stop_at_status and b"\r\n" in out:
            break
    return out


def statuses(raw):
    # an answer follows the body before it directly (no line break): find each status line
    return [m.decode(errors="replace") for m in re.findall(rb"HTTP/1\.[01] [0-9]{3} [^\r]*", raw)]


def tlsstall(port, cafile, n, seconds):
    socks = []
    for i in range(n):
        src = "127.0.%d.%d" % (1 + i // 250, 1 + i % 250)
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(src, 0))
            if i % 2:
                s.send(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")  # a ClientHello's start
            socks.append(s)
        except OSError:
            pass
    lat, fails = [], 0
    end = time.time() + seconds
    while time.time() < end:
        t = time.time()
        try:
            s = connect(port, "127.0.254.1", cafile, timeout=5)
            s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            ok = read_all(s, 5).startswith(b"HTTP/1.1 200")
            s.close()
        except OSError:
            ok = False
        lat.append(time.time() - t)
        fails += not ok
        time.sleep(0.2)
    still_open = 0
    for s in socks:
        s.setblocking(False)
        try:
            still_open += s.recv(16) != b""
        except BlockingIOError:
            still_open += 1
        except OSError:
            pass
        s.close()
    lat.sort()
    print(json.dumps({"stalled": len(socks), "still_open": still_open, "probes": len(lat),
                      "probe_failures": fails, "probe_max_s": round(lat[-1], 3) if lat else None}))


def raw(port, cafile, path, stop_at_status):
    data = open(path, "rb").read()
    s = connect(port, cafile=None if cafile == "-" else cafile)
    t = time.time()
    try:
        s.sendall(data)
    except OSError:
        pass
    out = read_all(s, 5, stop_at_status)
    print(json.dumps({"statuses": statuses(out), "continue": b"100 Continue" in out,
                      "bytes": len(out), "seconds": round(time.time() - t, 3),
                      "body": out.split(b"\r\n\r\n")[-1][:300].decode(errors="replace")}))


def getbodies(port, n, mib, path, token):
    res = []
    lock = threading.Lock()
    chunk = b"100000\r\n" + b"a" * 0x100000 + b"\r\n"

    def one(i):
        sent = 0
        status = None
        try:
            s = connect(port, "127.0.%d.%d" % (100 + i // 250, 1 + i % 250), timeout=20)
            auth = b"Authorization: Bearer %s\r\n" % token.encode() if token else b""
            s.sendall(b"GET %s HTTP/1.1\r\nHost: x\r\n%sTransfer-Encoding: chunked\r\n\r\n" %
                      (path.encode(), auth))
            try:
                for _ in range(mib):
                    s.sendall(chunk)
                    sent += 1
                s.sendall(b"0\r\n\r\n")
            except OSError:
                pass
            st = statuses(read_all(s, 10, True))
            status = st[0].split()[1] if st else None
            s.close()
        except OSError:
            pass
        with lock:
            res.append((status, sent))

    th = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in th:
        t.start()
    for t in th:
        t.join()
    counts = {}
    for st, _ in res:
        counts[str(st)] = counts.get(str(st), 0) + 1
    print(json.dumps({"statuses": counts, "mib_sent": sum(s for _, s in res)}))


def main():
    a = sys.argv[1:]
    if a[0] == "tlsstall":
        tlsstall(int(a[1]), a[2], int(a[3]), float(a[4]))
    elif a[0] == "raw":
        raw(int(a[1]), a[2], a[3], "--read-continue" in a)
    elif a[0] == "getbodies":
        getbodies(int(a[1]), int(a[2]), int(a[3]), a[4], a[5] if len(a) > 5 else None)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
