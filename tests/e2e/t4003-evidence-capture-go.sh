#!/usr/bin/env bash
# The founding demo's client shape, on the real kernel: a Go program (built here with Debian's
# go) reads a token and sends it in a binary frame to a local listener every 0.3 s, a new
# connection each time. `vigil evidence capture` must report the destination and interval, the
# token read, and Go as the language (read from the live process's ELF).
set -euo pipefail
cd "$(dirname "$0")/../.."
VIGIL=${VIGIL:-build/vigil}
[ -x "$VIGIL" ] || { echo "build/vigil missing (run make)"; exit 77; }
[ "$(id -u)" -eq 0 ] || { echo "needs root (BPF sensor)"; exit 77; }
command -v go >/dev/null || { echo "go (golang-go) missing"; exit 77; }
[ -x /usr/bin/python3 ] || { echo "python3 missing"; exit 77; }
tmp=$(mktemp -d /tmp/vigil-t4003-XXXXXX)
lpid=
trap '[ -n "$lpid" ] && kill $lpid 2>/dev/null; rm -rf "$tmp"' EXIT

cat >"$tmp/main.go" <<'GO'
package main

import (
	"encoding/binary"
	"net"
	"os"
	"time"
)

func main() {
	tok, err := os.ReadFile(os.Args[1])
	if err != nil {
		panic(err)
	}
	for i := 0; i < 8; i++ {
		c, err := net.Dial("tcp", os.Args[2])
		if err != nil {
			panic(err)
		}
		frame := make([]byte, 6+len(tok))
		binary.BigEndian.PutUint32(frame, uint32(len(tok)+2))
		frame[4], frame[5] = 0xff, 0x81
		copy(frame[6:], tok)
		c.Write(frame)
		c.Close()
		time.Sleep(300 * time.Millisecond)
	}
}
GO
(cd "$tmp" && HOME=$tmp GOCACHE=$tmp/cache GOPATH=$tmp/gopath GO111MODULE=off go build -o client main.go)

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
echo 'eyJhbGciOiJSUzI1NiJ9.dmlnaWwtZ28tY2xpZW50.c2lnbmF0dXJl' >"$tmp/token"

"$VIGIL" evidence capture --store "sqlite:$tmp/e.db" -- "$tmp/client" "$tmp/token" "127.0.0.1:$PORT" >"$tmp/out"
cat "$tmp/out"
ID=$(sed -n 's/^incident \([0-9a-f]\{32\}\).*/\1/p' "$tmp/out")
"$VIGIL" evidence show "$ID" --store "sqlite:$tmp/e.db" --json >"$tmp/r.json"
/usr/bin/python3 - "$tmp/r.json" "$PORT" "$tmp/token" "$tmp/client" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); port = int(sys.argv[2]); tok = sys.argv[3]; exe = sys.argv[4]
d = [x for x in r["destinations"] if x["addr"] == "127.0.0.1" and x["port"] == port]
assert len(d) == 1 and d[0]["connections"] == 8, r["destinations"]
assert 250e6 <= d[0]["interval_ns"] <= 450e6 and d[0]["beacon_score"] >= 0.7, d
assert any(f["path"] == tok for f in r["files"]), r["files"]
p = [x for x in r["processes"] if x["exe"] == exe]
assert p and p[0]["language"] == "go" and p[0]["language_version"].startswith("go1."), r["processes"]
assert "go" in r["languages"]
assert r["summary"].startswith("client (go) read " + tok), r["summary"]
PY
echo ok
