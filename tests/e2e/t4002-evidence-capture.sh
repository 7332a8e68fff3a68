#!/usr/bin/env bash
# The whole user-space evidence path on the real kernel: `vigil evidence capture` runs a client
# under the sensor (zoom on for its workload), which reads a token file and connects to a local
# listener every 0.3 s; the stored report names the destination with its connection count,
# interval and beacon score, the token file read, and the client's language.
set -euo pipefail
cd "$(dirname "$0")/../.."
VIGIL=${VIGIL:-build/vigil}
[ -x "$VIGIL" ] || { echo "build/vigil missing (run make)"; exit 77; }
[ "$(id -u)" -eq 0 ] || { echo "needs root (BPF sensor)"; exit 77; }
[ -x /usr/bin/python3 ] || { echo "python3 missing"; exit 77; }
tmp=$(mktemp -d /tmp/vigil-t4002-XXXXXX)
lpid=
trap '[ -n "$lpid" ] && kill $lpid 2>/dev/null; rm -rf "$tmp"' EXIT
STORE="sqlite:$tmp/evidence.db"

# the listener: accepts and drops connections, on a free loopback port
/usr/bin/python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(64)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
s.settimeout(30)
end = time.time() + 30
while time.time() < end:
    try:
        c, _ = s.accept(); c.recv(4096); c.close()
    except OSError:
        break
' "$tmp/port" &
lpid=$!
for _ in $(seq 50); do [ -s "$tmp/port" ] && break; sleep 0.1; done
PORT=$(cat "$tmp/port")
echo 'eyJhbGciOiJSUzI1NiJ9.dmlnaWwtdGVzdC1zZXJ2aWNlLWFjY291bnQ.c2lnbmF0dXJl' >"$tmp/sa-token"

set +e
"$VIGIL" evidence capture --store "$STORE" -- /usr/bin/python3 -c '
import socket, sys, time
tok = open(sys.argv[1], "rb").read()
for i in range(8):
    c = socket.create_connection(("127.0.0.1", int(sys.argv[2])))
    c.sendall(b"\x00\x01" + tok); c.close()
    time.sleep(0.3)
' "$tmp/sa-token" "$PORT" >"$tmp/out" 2>"$tmp/err"
st=$?
set -e
cat "$tmp/out" "$tmp/err"
if [ $st -ne 0 ] && grep -qiE "bpf|btf|permission|not permitted|tracefs" "$tmp/err"; then
	echo "sensor cannot run here: $(head -n 1 "$tmp/err")"; exit 77
fi
[ $st -eq 0 ]
ID=$(sed -n 's/^incident \([0-9a-f]\{32\}\).*/\1/p' "$tmp/out")
[ -n "$ID" ]
"$VIGIL" evidence show "$ID" --store "$STORE" --json >"$tmp/r.json"
"$VIGIL" evidence show "$ID" --store "$STORE" >"$tmp/r.txt"
head -n 20 "$tmp/r.txt"
/usr/bin/python3 - "$tmp/r.json" "$PORT" "$tmp/sa-token" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); port = int(sys.argv[2]); tok = sys.argv[3]
d = [x for x in r["destinations"] if x["addr"] == "127.0.0.1" and x["port"] == port]
assert len(d) == 1, r["destinations"]
d = d[0]
assert d["connections"] == 8, d
assert d["messages"] == 8, d
assert 250e6 <= d["interval_ns"] <= 450e6, d["interval_ns"]
assert d["beacon_band"] in ("high", "medium") and d["beacon_score"] >= 0.7, d
assert any(f["path"] == tok for f in r["files"]), r["files"]
langs = [p["language"] for p in r["processes"] if p["exe"].startswith("/usr/bin/python3")]
assert "python" in langs, r["processes"]
assert r["state"] == "closed" and r["event_count"] > 8
assert tok in r["summary"] and "127.0.0.1:%d" % port in r["summary"], r["summary"]
assert r["summary"].startswith("python3 (python)"), r["summary"]
PY

# The same secret sent with sendfile (file to socket inside the kernel, never in the client's
# memory, so no sample can show it): the report still says it was read and where it went.
# (a path the sensor's zoom follows: docs/EVIDENCE.md "sensitive files")
mkdir "$tmp/serviceaccount"
cp "$tmp/sa-token" "$tmp/serviceaccount/token"
"$VIGIL" evidence capture --store "$STORE" -- /usr/bin/python3 -c '
import os, socket, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
c = socket.create_connection(("127.0.0.1", int(sys.argv[2])))
os.sendfile(c.fileno(), fd, 0, 4096); c.close()
' "$tmp/serviceaccount/token" "$PORT" >"$tmp/out2" 2>"$tmp/err2" || { cat "$tmp/out2" "$tmp/err2"; exit 1; }
ID2=$(sed -n 's/^incident \([0-9a-f]\{32\}\).*/\1/p' "$tmp/out2")
[ -n "$ID2" ]
"$VIGIL" evidence show "$ID2" --store "$STORE" --json >"$tmp/r2.json"
/usr/bin/python3 - "$tmp/r2.json" "$PORT" "$tmp/serviceaccount/token" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); port = int(sys.argv[2]); tok = sys.argv[3]
f = [x for x in r["files"] if x["path"] == tok]
assert f and "127.0.0.1:%d" % port in f[0]["sent_to"], r["files"]
assert "read %s and sent it to 127.0.0.1:%d" % (tok, port) in r["summary"], r["summary"]
PY
echo ok
