#!/usr/bin/env bash
# Evidence through TLS: a client reads a secret file and POSTs it over HTTPS to a local server
# (a throwaway certificate made here). Under zoom (`vigil evidence capture`) the sensor probes
# the TLS library calls, so the stored report holds the plaintext sample (the secret found in
# it, redacted), marked tls, attributed to the server's address and port, and the secret file
# is marked sent there; the ciphertext samples of the same connection match nothing. Three
# clients: curl (OpenSSL SSL_write), Python's ssl module (SSL_write_ex, SSL_read_ex) and a Go
# program (crypto/tls.(*Conn).Write); curl again with a renamed copy of libssl preloaded (found
# by its symbols in what the process maps at its connect). Without zoom no uprobe is attached (bpftool perf, from
# inside the traced workload), and no plaintext record is made.
. "$(dirname "$0")/../lib/common.sh"
requires_root
requires_btf
requires_cmd openssl curl bpftool
requires_progs
[ -x "$DEMO/tlsclient" ] || skip "build/demo/tlsclient missing (make progs; needs golang-go)"

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TEST_TMP/key.pem" -out "$TEST_TMP/cert.pem" \
	-days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
# a path the zoom follows (suffix /token), content unique to this run
mkdir -p "$TEST_TMP/run/secrets"
SECRET=$TEST_TMP/run/secrets/token
printf 'vigil-tls-secret-%s' "$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$SECRET"

cat >"$TEST_TMP/server.py" <<'PY'
import http.server, ssl, sys, time
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        # a server's latency: the client lives on after its connect (on an idle machine a
        # curl to loopback exited within milliseconds, before the sensor read what it maps,
        # so a renamed libssl was never found: docs/EVIDENCE.md, TLS limits)
        time.sleep(0.25)
        self.send_response(200); self.send_header("Content-Length", "3"); self.end_headers()
        self.wfile.write(b"ok\n")
    do_GET = do_PUT = do_POST
    def log_message(self, *a):
        pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print("port", srv.server_address[1], flush=True)
srv.serve_forever()
PY
spawn_server https python3 "$TEST_TMP/server.py" "$TEST_TMP/cert.pem" "$TEST_TMP/key.pem"
PORT=$SERVER_PORT
URL=https://127.0.0.1:$PORT/upload

# The probes that vigil process ($1) holds now, one "program file" line each: bpftool perf
# lists perf-event attachments (uprobes among them) by holder; the program's name from its id.
cat >"$TEST_TMP/probes.sh" <<'SH'
bpftool perf -j | python3 -c '
import json, subprocess, sys
for p in json.load(sys.stdin):
    if p.get("pid") != int(sys.argv[1]) or "filename" not in p:
        continue
    prog = json.loads(subprocess.check_output(["bpftool", "prog", "show", "id", str(p["prog_id"]), "-j"]))
    print(prog.get("name", "?"), p["filename"])
' "$1"
SH

# Several sends, as a beacon makes them: the probes are attached when the zoom goes on (the
# workload's first event), so a send made in the first moments may go unprobed.
capture()
{
	local db=$1
	shift
	"$VIGIL" evidence capture --store "sqlite:$db" -- "$@" >"$db.out" 2>"$db.err" ||
		fail "capture: $(cat "$db.out" "$db.err")"
	local id
	id=$(sed -n 's/^incident \([0-9a-f]\{32\}\).*/\1/p' "$db.out")
	[ -n "$id" ] || fail "no incident: $(cat "$db.out")"
	"$VIGIL" evidence show "$id" --store "sqlite:$db" --json >"$db.json"
}

# The report's checks: the secret file is marked sent to the server; a plaintext flow (tls)
# to it holds the secret (redacted: its SHA-256 and the file named), one starts with the request
# line;
# no ciphertext flow matches it; the kernel's event rows name the TLS call.
check()
{
	python3 - "$1.json" "$PORT" "$SECRET" "$2" "$3" <<'PY'
import hashlib, json, sys
r = json.load(open(sys.argv[1])); port = int(sys.argv[2]); path = sys.argv[3]
call, line = sys.argv[4], sys.argv[5].encode()
secret = open(path, "rb").read()
dest = "127.0.0.1:%d" % port
f = [x for x in r["files"] if x["path"] == path]
assert f, ("secret file not in files", r["files"])
assert any(dest in x["sent_to"] for x in f), ("not marked sent", f)
tls = [x for x in r["flows"] if x.get("tls")]
plain = [x for x in tls if x["addr"] == "127.0.0.1" and x["port"] == port and x["direction"] == "out"]
assert plain, ("no plaintext flow to the server", r["flows"])
want = "sha256:%s len:%d" % (hashlib.sha256(secret).hexdigest(), len(secret))
# (the redaction note names the file, cut to its bound)
hit = [x for x in plain if any(want in red and "file:" in red for red in x["redactions"])]
assert hit, ("secret not found in a plaintext sample", want, plain)
sample = bytes.fromhex(hit[0]["sample_hex"])
assert secret not in sample and b"*" * len(secret) in sample, ("secret not redacted", sample)
assert any(bytes.fromhex(x["sample_hex"]).startswith(line) for x in plain), ("no request line", plain)
assert any(x["protocol"] == "http" for x in plain), plain
enc = [x for x in r["flows"] if not x.get("tls") and x["port"] == port]
assert enc, ("no ciphertext flow", r["flows"])
assert not any(x["redactions"] for x in enc), ("ciphertext matched the secret?", enc)
assert any(e["kind"] == "net_io" and ("tls=" + call) in e["detail"] for e in r["events"]), \
    ("no event row names " + call, [e["detail"] for e in r["events"] if e["kind"] == "net_io"][:5])
# the socket's own samples are TLS (a ClientHello; the first connection's may precede the zoom)
assert any(x["protocol"] == "tls" for x in enc), [x["detail"] for x in enc]
d = [x for x in r["destinations"] if x["addr"] == "127.0.0.1" and x["port"] == port]
assert len(d) == 1, d
print("ok:", call, len(plain), "plaintext flows to", dest)
PY
}

log "curl (OpenSSL SSL_write) under zoom"
capture "$TEST_TMP/curl.db" /bin/sh -c '
for i in 1 2 3 4 5 6; do
	curl -sS --cacert "$1" --data-binary @"$2" "$3" -o /dev/null || exit 1
	sleep 0.3
done
sh "$4" $PPID >"$5"' sh "$TEST_TMP/cert.pem" "$SECRET" "$URL" "$TEST_TMP/probes.sh" \
	"$TEST_TMP/probes-zoom"
check "$TEST_TMP/curl.db" SSL_write "POST /upload HTTP/1.1"
grep -E '^vg_tls_ssl_wri.* .*/libssl' "$TEST_TMP/probes-zoom" >/dev/null ||
	fail "no SSL_write uprobe on libssl while zoomed: $(cat "$TEST_TMP/probes-zoom")"

log "curl with a renamed copy of libssl preloaded (found by its symbols, not its name)"
mkdir -p "$TEST_TMP/hidden"
LIBSSL=$(ldd "$(command -v curl)" | awk '/libssl/ { print $3; exit }')
[ -f "$LIBSSL" ] || fail "curl's libssl not found"
cp "$LIBSSL" "$TEST_TMP/hidden/libhelper.so"
capture "$TEST_TMP/hidden.db" /bin/sh -c '
for i in 1 2 3 4 5 6; do
	LD_PRELOAD=$4 curl -sS --cacert "$1" --data-binary @"$2" "$3" -o /dev/null || exit 1
	sleep 0.3
done' sh "$TEST_TMP/cert.pem" "$SECRET" "$URL" "$TEST_TMP/hidden/libhelper.so"
check "$TEST_TMP/hidden.db" SSL_write "POST /upload HTTP/1.1"

log "Python ssl (SSL_write_ex, SSL_read_ex) under zoom"
capture "$TEST_TMP/py.db" python3 -c '
import socket, ssl, sys, time
ctx = ssl.create_default_context(cafile=sys.argv[1])
for i in range(6):
    secret = open(sys.argv[2], "rb").read()
    with ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[3]))),
                         server_hostname="127.0.0.1") as s:
        s.sendall(b"PUT /py HTTP/1.0\r\nContent-Length: %d\r\n\r\n" % len(secret) + secret)
        while s.recv(4096):
            pass
    time.sleep(0.3)
' "$TEST_TMP/cert.pem" "$SECRET" "$PORT"
check "$TEST_TMP/py.db" SSL_write_ex "PUT /py HTTP/1.0"
python3 - "$TEST_TMP/py.db.json" "$PORT" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); port = int(sys.argv[2])
inb = [x for x in r["flows"] if x.get("tls") and x["direction"] == "in" and x["port"] == port]
assert any(bytes.fromhex(x["sample_hex"]).startswith(b"HTTP/1.0 200") for x in inb), inb
PY

log "Go crypto/tls under zoom"
capture "$TEST_TMP/go.db" "$DEMO/tlsclient" "$TEST_TMP/cert.pem" "$SECRET" "127.0.0.1:$PORT" 8 300
check "$TEST_TMP/go.db" "crypto/tls.(*Conn).Write" "POST /upload HTTP/1.0"

log "without zoom: no uprobe, no plaintext"
"$VIGIL" trace --json -- /bin/sh -c '
curl -sS --cacert "$1" --data-binary @"$2" "$3" -o /dev/null || exit 1
sh "$4" $PPID >"$5"' sh "$TEST_TMP/cert.pem" "$SECRET" "$URL" "$TEST_TMP/probes.sh" \
	"$TEST_TMP/probes-nozoom" >"$TEST_TMP/trace.json" 2>"$TEST_TMP/trace.err" ||
	fail "trace: $(cat "$TEST_TMP/trace.err")"
[ -f "$TEST_TMP/probes-nozoom" ] || fail "the traced workload did not run"
[ ! -s "$TEST_TMP/probes-nozoom" ] || fail "uprobes without zoom: $(cat "$TEST_TMP/probes-nozoom")"
assert_ge "$(json_count "$TEST_TMP/trace.json" event.type=exec process.comm=curl)" 1 "curl traced"
assert_eq 0 "$(json_count "$TEST_TMP/trace.json" event.tls?)" "plaintext records without zoom"
echo ok
