#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# HTTP request lines (bpf/http.bpf.c): one python process serves HTTP/1.1 with keep-alive and
# requests it. Each connection's first request is an http event in each direction (sent:
# outbound with the server's port as `port`; received: inbound with it as `local_port`), the
# query string left out; the second request on the same kept-alive connection is not read (the
# per-socket note: docs/DETECTION.md limits); the server's responses and the client's reads of
# them are never http events; a request line longer than the 256 bytes copied is `truncated`,
# its path a prefix; writev and sendmsg are read like write and send; a request whose method
# comes in pieces (one byte first: the client's first write, the server's first read) is read
# once the method is whole.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"
requires_cmd python3

PORT=$(free_port)
cat >"$TEST_TMP/w.py" <<'PY'
import http.client, http.server, socket, sys, threading, time
port = int(sys.argv[1])
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers()
        self.wfile.write(b"ok")
    do_POST = do_GET
    def log_message(self, *a): pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", port), H)
threading.Thread(target=s.serve_forever, daemon=True).start()
c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
for path in ("/first?q=1", "/second"):        # one kept-alive connection
    c.request("GET", path); c.getresponse().read()
c.close()
c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
c.request("GET", "/long/" + "a" * 400); c.getresponse().read(); c.close()
for how in ("writev", "sendmsg"):
    k = socket.create_connection(("127.0.0.1", port))
    parts = [b"POST /%s HTTP/1.1\r\n" % how.encode(), b"Host: x\r\nContent-Length: 0\r\n\r\n"]
    if how == "writev":
        import os; os.writev(k.fileno(), parts)
    else:
        k.sendmsg(parts)
    k.recv(1024); k.close()
# dripped: the method's first byte alone, then the rest (the server's first read gets "G")
k = socket.create_connection(("127.0.0.1", port))
k.send(b"G"); time.sleep(0.3)
k.send(b"ET /dripped HTTP/1.1\r\nHost: x\r\n\r\n"); k.recv(1024); k.close()
s.shutdown()
PY
out=$TEST_TMP/http.jsonl
TRACE_OPTS=(--kinds http)
trace_json "$out" python3 "$TEST_TMP/w.py" "$PORT"
assert_eq 0 "$TRACE_RC" "workload status ($(cat "$TRACE_ERR"))"
assert_eq 1 "$(json_count "$out" kind=http event.method=GET event.path=/first event.direction=outbound \
	event.port="$PORT")" "the first request, sent: $(cat "$out")"
assert_eq 1 "$(json_count "$out" kind=http event.method=GET event.path=/first event.direction=inbound \
	event.local_port="$PORT")" "the first request, received: $(cat "$out")"
expect_none "$out" kind=http event.path=/second
assert_eq 2 "$(json_count "$out" kind=http event.truncated=true)" "the long request, cut: $(cat "$out")"
python3 - "$out" <<'PY' || fail "a cut path is not a prefix of the request's"
import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)["event"]
    if e.get("truncated"):
        assert e["path"].startswith("/long/aaaa") and 200 < len(e["path"]) < 256, e["path"]
PY
for how in writev sendmsg; do
	assert_eq 1 "$(json_count "$out" kind=http event.method=POST "event.path=/$how" \
		event.direction=outbound)" "$how, sent"
	assert_eq 1 "$(json_count "$out" kind=http event.method=POST "event.path=/$how" \
		event.direction=inbound)" "$how, received"
done
for dir in outbound inbound; do
	assert_eq 1 "$(json_count "$out" kind=http event.method=GET event.path=/dripped "event.direction=$dir")" \
		"a request dripped a byte at a time, $dir: $(cat "$out")"
done
# 1 + 1 (first) + 2 (long) + 4 (writev, sendmsg) + 2 (dripped): nothing else, no response
assert_eq 10 "$(json_count "$out" kind=http)" "http events: $(cat "$out")"
echo "ok: $TEST_NAME"
