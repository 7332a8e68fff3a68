#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# R0011 on a UDP socket connected BEFORE enforcement began, written to without an address by the
# calls t2031 does not cover (docs/ENFORCEMENT.md): write(), and io_uring's SEND, SENDMSG (no
# msg_name) and WRITE. The test's shell connects the socket (bash's /dev/udp) to a
# peer the profile does not have and hands it to `vigil watch --enforce R0011` as descriptor 3.
# No cgroup hook runs for a datagram on a connected socket; before its peer was judged at these
# calls, every datagram arrived and nothing was said. Now: dry-run, both arrive and the alert
# says would-kill; kill, the first datagram has left (write: judged at the call's exit;
# io_uring: killed at submission, the request is still issued), the sender dies before the
# second, the alert says killed with the call that sent.
. "$(dirname "$0")/../lib/common.sh"
requires_root
requires_progs
requires_io_uring
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

# the workload: a datagram to the allowed peer on a socket of its own; then two datagrams on
# descriptor 3 (connected by the shell before the workload existed) the way $T/mode says
cat >"$T/drive.py" <<PY
import os, socket, subprocess
a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
a.sendto(b"ok", ("127.0.0.1", $ALLOWED))
mode = open("$T/mode").read().strip()
if mode == "write":
    os.write(3, b"x")
    os.write(3, b"y")
elif mode == "writev":
    os.writev(3, [b"x"])
    os.writev(3, [b"y"])
elif mode.startswith("uring-"):
    subprocess.run(["$PROGS/iouring_fdsend", mode[6:], "3", "2"], pass_fds=(3,))
    raise SystemExit(0)
print("sent 2", flush=True)
PY
echo benign >"$T/mode"
"$VIGIL" learn --out "$T/p.yaml" --name drive -- python3 "$T/drive.py" 2>"$T/learn.err" ||
	fail "learn: $(cat "$T/learn.err")"
assert_file_contains "$T/p.yaml" "kubescape.io/completion: complete"

# watch NAME MODE [OPTIONS...]: one run with a UDP socket connected to OTHER as descriptor 3
watch()
{
	local name=$1
	echo "$2" >"$T/mode"
	shift 2
	exec 3<>"/dev/udp/127.0.0.1/$OTHER" || fail "cannot connect a UDP socket"
	"$VIGIL" watch --profile "$T/p.yaml" --alerts "file:$T/$name.jsonl" --cooldown 0s \
		--enforce R0011 "$@" -- python3 "$T/drive.py" >"$T/$name.out" 2>"$T/$name.err" &&
		fail "$name: no alert: $(cat "$T/$name.err")"
	exec 3>&-
	touch "$T/$name.jsonl"
}
alerts() { json_count "$T/$1.jsonl" "${@:2}"; }

# dry-run: both datagrams arrive, each alerted would-kill (cooldown 0)
before=$(got other)
watch dry uring-sendmsg
assert_file_contains "$T/dry.out" "sent 2"
wait_until 10 got_at_least other $((before + 2)) || fail "dry-run: the peer got $(($(got other) - before)) of 2"
[ "$(alerts dry rule_id=R0011 "key=UDP/127.0.0.1:$OTHER" action=would-kill event.call=sendmsg)" -ge 1 ] ||
	fail "dry-run: no would-kill alert for the connected peer: $(cat "$T/dry.jsonl" "$T/dry.err")"

# kill: per call, exactly one datagram leaves, the sender dies, one killed alert names the call
# (writev and io_uring SEND_ZC/WRITEV take the same paths as write and io_uring SEND/WRITE:
# left out to keep the test cheap)
for how in write:write uring-send:send uring-write:write; do
	mode=${how%%:*} call=${how#*:}
	before=$(got other)
	allowed_before=$(got allowed)
	watch "kill-$mode" "$mode" --enforce-mode kill
	[ ! -s "$T/kill-$mode.out" ] || fail "$mode: the sender lived on: $(cat "$T/kill-$mode.out")"
	wait_until 10 got_at_least allowed $((allowed_before + 1)) || fail "$mode: the allowed peer got nothing"
	wait_until 10 got_at_least other $((before + 1)) || fail "$mode: the first datagram did not leave"
	sleep 0.5
	assert_eq $((before + 1)) "$(got other)" "$mode: only the first datagram left"
	assert_eq 1 "$(alerts "kill-$mode" rule_id=R0011 "key=UDP/127.0.0.1:$OTHER" action=killed "event.call=$call")" \
		"$mode: one killed alert: $(cat "$T/kill-$mode.jsonl" "$T/kill-$mode.err")"
	assert_eq 0 "$(alerts "kill-$mode" rule_id=R0011 "key=UDP/127.0.0.1:$ALLOWED")" "$mode: the allowed peer alerted"
done
echo "ok: $TEST_NAME"
