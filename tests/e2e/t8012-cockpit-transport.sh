#!/usr/bin/env bash
# The cockpit's transport against hostile clients (a network peer with no token, or an analyst
# token; issue 11 "denial of service", session 10's hostile pass), on a real TLS cockpit and a
# loopback one in open mode:
#   TLS handshakes that never finish (150 from 150 addresses) are cut at the header deadline
#   while health answers within 1 s; huge or many headers are 431; a refused Expect:
#   100-continue is never asked for its body; a compressed body (Content-Encoding) is 415, not
#   an "invalid JSON" nor inflated; pipelined writes are each answered; HTTP/1.0 is answered and
#   closed; a chunked body sent slowly is cut at the body deadline; and a query (GET) is not a
#   way to make the cockpit hold bodies outside its budget: a body on a query is 413 and 30
#   chunked 15 MiB bodies sent to queries leave resident memory where it was (before: each was
#   read whole, 30 x 15 MiB held at once, with no token at all in open mode).
. "$(dirname "$0")/../lib/common.sh"
requires_cmd python3 curl openssl
. "$TESTLIB/cockpit.sh"
hh=$TESTLIB/hostile_http.py

cd "$TEST_TMP"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-keyout server.key -out server.pem -subj /CN=cockpit \
	-addext subjectAltName=IP:127.0.0.1,DNS:localhost 2>/dev/null || fail "openssl"
cd - >/dev/null
head -c 24 /dev/urandom | base64 >"$TEST_TMP/analyst"
analyst=$(cat "$TEST_TMP/analyst")
store=sqlite:$TEST_TMP/t.db
cockpit_start tls --store $store --tls-cert "$TEST_TMP/server.pem" --tls-key "$TEST_TMP/server.key" \
	--analyst-token-file "$TEST_TMP/analyst" --header-timeout 3s --body-timeout 3s
port=$COCKPIT_PORT
ca=$TEST_TMP/server.pem
token=$(cockpit_node_token $store node-1)
json() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(eval(sys.argv[2], {}, {"d": d}))' "$1" "$2"; }
raw() { # NAME CAFILE|-: sends $TEST_TMP/NAME.req
	python3 "$hh" raw "${PORT:-$port}" "$2" "$TEST_TMP/$1.req" "${@:3}"
}
health() { curl -s --cacert "$ca" -o /dev/null -w '%{http_code}' "https://127.0.0.1:$port/api/v1/health"; }

# 1. 150 TLS handshakes that never finish, for 8 s: health within 1 s throughout, every one cut.
out=$(python3 "$hh" tlsstall $port "$ca" 150 8)
log "stalled handshakes: $out"
[ "$(json "$out" 'd["stalled"] == 150 and d["probe_failures"] == 0 and d["probe_max_s"] < 1.0')" = True ] ||
	fail "health did not answer within 1 s while handshakes stalled: $out"
[ "$(json "$out" 'd["still_open"]')" = 0 ] || fail "stalled handshakes outlived the 3 s header deadline: $out"

# 2. Huge and many headers: 431, the connection closed; the cockpit still answers.
python3 -c 'import sys; sys.stdout.buffer.write(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-A: " + b"a" * 300000 + b"\r\n\r\n")' >"$TEST_TMP/huge.req"
python3 -c 'import sys; sys.stdout.buffer.write(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(20000)) + b"\r\n")' >"$TEST_TMP/many.req"
for r in huge many; do
	out=$(raw $r "$ca")
	log "$r headers: $out"
	[ "$(json "$out" 'd["statuses"][:1]')" = "['HTTP/1.1 431 Request Header Fields Too Large']" ] || fail "$r headers: $out"
done
assert_eq 200 "$(health)" "health after huge headers"

# 3. Expect: 100-continue: a wrong token is refused without asking for the body; a node's is asked.
printf 'POST /api/v1/alerts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer vgn_%064d\r\nExpect: 100-continue\r\nContent-Length: 10000000\r\n\r\n' 0 >"$TEST_TMP/expect-bad.req"
out=$(raw expect-bad "$ca")
log "Expect with a wrong token: $out"
[ "$(json "$out" 'd["statuses"] == ["HTTP/1.1 401 Unauthorized"] and not d["continue"]')" = True ] || fail "Expect with a wrong token: $out"
printf 'POST /api/v1/alerts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n' "$token" >"$TEST_TMP/expect-ok.req"
out=$(raw expect-ok "$ca" --read-continue)
[ "$(json "$out" 'd["continue"]')" = True ] || fail "Expect with a node token got no 100 Continue: $out"

# 4. Content-Encoding: refused on the headers (415), whatever the body; identity is accepted.
for enc in gzip br deflate; do
	code=$(printf '[]' | gzip -c | curl -s --cacert "$ca" -o "$TEST_TMP/enc" -w '%{http_code}' \
		-H "Authorization: Bearer $token" -H "Content-Encoding: $enc" --data-binary @- \
		"https://127.0.0.1:$port/api/v1/alerts")
	assert_eq 415 "$code" "a body with Content-Encoding: $enc ($(cat "$TEST_TMP/enc"))"
done
code=$(curl -s --cacert "$ca" -o "$TEST_TMP/enc" -w '%{http_code}' -H "Authorization: Bearer $token" \
	-H "Content-Encoding: gzip" -d '[]' "https://127.0.0.1:$port/api/v1/alerts")
assert_eq 415 "$code" "plain JSON labelled gzip"
assert_contains "$(cat "$TEST_TMP/enc")" "Content-Encoding is not supported"
code=$(curl -s --cacert "$ca" -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" \
	-H "Content-Encoding: identity" -d '[]' "https://127.0.0.1:$port/api/v1/alerts")
assert_eq 200 "$code" "Content-Encoding: identity"

# 5. Pipelined writes: five in one send, five answers; HTTP/1.0: answered, then closed.
python3 - "$token" >"$TEST_TMP/pipe.req" <<'PY'
import json, sys
out = b""
for i in range(5):
    body = json.dumps([{"alert_id": "%032x" % (0xb1be0 + i), "rule_id": "R0001", "message": "pipelined %d" % i}]).encode()
    out += b"POST /api/v1/alerts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: %d\r\n%s\r\n" % (
        sys.argv[1].encode(), len(body), b"Connection: close\r\n" if i == 4 else b"") + body
sys.stdout.buffer.write(out)
PY
out=$(raw pipe "$ca")
log "pipelined: $out"
[ "$(json "$out" 'd["statuses"] == ["HTTP/1.1 200 OK"] * 5')" = True ] || fail "pipelined writes: $out"
printf 'GET /api/v1/health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n' >"$TEST_TMP/h10.req"
out=$(raw h10 "$ca")
[ "$(json "$out" 'len(d["statuses"]) == 1 and " 200 " in d["statuses"][0] and d["seconds"] < 4')" = True ] ||
	fail "HTTP/1.0: $out"

# 6. A chunked body sent a byte every 0.5 s is cut at the 3 s body deadline.
python3 - $port "$ca" "$token" <<'PY' >"$TEST_TMP/slowchunk"
import socket, ssl, sys, time
ctx = ssl.create_default_context(cafile=sys.argv[2])
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))), server_hostname="localhost")
s.sendall(b"POST /api/v1/alerts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nTransfer-Encoding: chunked\r\n\r\n" % sys.argv[3].encode())
t = time.time()
try:
    while time.time() - t < 20:
        s.sendall(b"1\r\n \r\n")
        time.sleep(0.5)
except OSError:
    pass
print(round(time.time() - t, 1))
PY
log "slow chunked body cut after $(cat "$TEST_TMP/slowchunk") s"
[ "$(python3 -c "print(float(open('$TEST_TMP/slowchunk').read()) < 8)")" = True ] || fail "a slow chunked body was not cut"

# 7. Bodies on queries, on an open-mode cockpit (loopback, reads need no token).
cockpit_start open --store sqlite:$TEST_TMP/o.db
PORT=$COCKPIT_PORT
opid=$COCKPIT_PID
code=$(curl -s -o "$TEST_TMP/q" -w '%{http_code}' -X GET -d '{"a":1}' "$COCKPIT_URL/api/v1/nodes")
assert_eq 413 "$code" "a query with a body ($(cat "$TEST_TMP/q"))"
hwm() { awk '/^VmHWM/ {print $2}' /proc/$opid/status; }
before=$(hwm)
out=$(python3 "$hh" getbodies $PORT 30 15 /api/v1/nodes)
after=$(hwm)
log "30 x 15 MiB chunked bodies on queries: $out; peak resident memory ${before} -> ${after} kB"
[ $((after - before)) -lt 40960 ] || fail "bodies of queries were held: peak resident memory grew by $(((after - before) / 1024)) MB"
[ "$(json "$out" 'd["statuses"].get("200", 0)')" = 0 ] || fail "a query with a body was answered 200: $out"
assert_eq 200 "$(curl -s -o /dev/null -w '%{http_code}' "$COCKPIT_URL/api/v1/health")" "open cockpit still serving"
assert_eq 200 "$(health)" "TLS cockpit still serving"
log "transport attacks held"
