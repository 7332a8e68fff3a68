#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Dry-run deviations are de-duplicated as detection is (docs/ENFORCEMENT.md): under the usual
# cooldown a workload that sends twice to a peer its profile lacks, and reads /etc/shadow twice,
# raises one R0011 and one R0010 alert, each `would-kill` (before, every repeat was an alert of
# its own: dry-run records skipped the kernel's de-duplication and the cooldown). A kill, and a
# kill a rail held back, is still always reported (t2014-enforce-rails).
. "$(dirname "$0")/../lib/common.sh"
requires_root
requires_cmd python3
vigil_has watch || skip "vigil watch is not part of this build"

T=$TEST_TMP
cat >"$T/udp_listen.py" <<'PY'
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print("port %d" % s.getsockname()[1], flush=True)
while True:
    data, peer = s.recvfrom(2048)
    print("got %d" % len(data), flush=True)
PY
spawn_server allowed python3 "$T/udp_listen.py"
ALLOWED=$SERVER_PORT
spawn_server other python3 "$T/udp_listen.py"
OTHER=$SERVER_PORT
got() { grep -c '^got' "$TEST_TMP/$1.log" || true; }
got_at_least() { [ "$(got "$1")" -ge "$2" ]; }

cat >"$T/drive.py" <<PY
import socket
a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
a.sendto(b"ok", ("127.0.0.1", $ALLOWED))
open("/etc/hostname").read()
if open("$T/mode").read().strip() == "attack":
    for i in range(2):
        a.sendto(b"x", ("127.0.0.1", $OTHER))
        open("/etc/shadow").read()
    print("done", flush=True)
PY
echo benign >"$T/mode"
"$VIGIL" learn --out "$T/p.yaml" --name drive -- python3 "$T/drive.py" 2>"$T/learn.err" ||
	fail "learn: $(cat "$T/learn.err")"
assert_file_contains "$T/p.yaml" "kubescape.io/completion: complete"
echo attack >"$T/mode"

"$VIGIL" watch --profile "$T/p.yaml" --alerts "file:$T/dry.jsonl" --enforce R0010,R0011 \
	-- python3 "$T/drive.py" >"$T/dry.out" 2>"$T/dry.err" && fail "no alert: $(cat "$T/dry.err")"
touch "$T/dry.jsonl"
assert_file_contains "$T/dry.out" done
wait_until 10 got_at_least other 2 || fail "dry-run: the peer got $(got other) of 2"
alerts() { json_count "$T/dry.jsonl" "$@"; }
assert_eq 1 "$(alerts rule_id=R0011 "key=UDP/127.0.0.1:$OTHER" action=would-kill)" \
	"one R0011 would-kill for two sends: $(cat "$T/dry.jsonl")"
assert_eq 1 "$(alerts rule_id=R0010 key=/etc/shadow action=would-kill)" \
	"one R0010 would-kill for two opens: $(cat "$T/dry.jsonl")"
echo "ok: $TEST_NAME"
