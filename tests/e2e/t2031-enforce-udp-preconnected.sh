#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# R0011 on a UDP socket connected BEFORE enforcement began (docs/ENFORCEMENT.md): the test's shell
# connects a UDP socket to a peer the profile does not have (bash's /dev/udp: socket + connect)
# and hands it to `vigil watch --enforce R0011` as descriptor 3; the workload send()s on it
# without an address. No connect of the workload's was judged and the kernel runs no cgroup
# sendmsg hook on a connected socket: before the connected peer was judged at the send's exit
# both datagrams arrived and nothing was said. dry-run: both arrive, the alert says would-kill;
# kill: the first datagram has left (judged at the call's exit), the process dies before the
# second and before it reports, the alert says killed. A datagram to the profile's peer is
# untouched.
. "$(dirname "$0")/../lib/common.sh"
requires_root
requires_cmd python3
vigil_has watch || skip "vigil watch is not part of this build"

T=$TEST_TMP
udp_counter allowed
ALLOWED=$SERVER_PORT
udp_counter other
OTHER=$SERVER_PORT
got() { udp_got "$1"; }
got_at_least() { [ "$(got "$1")" -ge "$2" ]; }

# the workload: a datagram to the allowed peer on a socket of its own; in attack mode two
# send()s on descriptor 3 (connected by the shell before the workload existed)
cat >"$T/drive.py" <<PY
import socket, sys
a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
a.sendto(b"ok", ("127.0.0.1", $ALLOWED))
if open("$T/mode").read().strip() == "attack":
    s = socket.socket(fileno=3)
    s.send(b"x")
    s.send(b"y")
    print("sent 2", flush=True)
PY
echo benign >"$T/mode"
"$VIGIL" learn --out "$T/p.yaml" --name drive -- python3 "$T/drive.py" 2>"$T/learn.err" ||
	fail "learn: $(cat "$T/learn.err")"
assert_file_contains "$T/p.yaml" "kubescape.io/completion: complete"
echo attack >"$T/mode"

# watch NAME [OPTIONS...]: one attack run with a UDP socket connected to OTHER as descriptor 3
watch()
{
	local name=$1
	shift
	exec 3<>"/dev/udp/127.0.0.1/$OTHER" || fail "cannot connect a UDP socket"
	"$VIGIL" watch --profile "$T/p.yaml" --alerts "file:$T/$name.jsonl" --cooldown 0s \
		--enforce R0011 "$@" -- python3 "$T/drive.py" >"$T/$name.out" 2>"$T/$name.err" &&
		fail "$name: no alert: $(cat "$T/$name.err")"
	exec 3>&-
	touch "$T/$name.jsonl"
}
alerts() { json_count "$T/$1.jsonl" "${@:2}"; }
killed_alert() { [ "$(alerts kill rule_id=R0011 action=killed)" -ge 1 ]; }

watch dry
assert_file_contains "$T/dry.out" "sent 2"
wait_until 10 got_at_least other 2 || fail "dry-run: the peer got $(got other) of 2"
wait_until 10 got_at_least allowed 1 || fail "dry-run: the allowed peer got nothing"
[ "$(alerts dry rule_id=R0011 "key=UDP/127.0.0.1:$OTHER" action=would-kill event.fd=3)" -ge 1 ] ||
	fail "dry-run: no would-kill alert for the connected peer: $(cat "$T/dry.jsonl" "$T/dry.err")"

before=$(got other)
allowed_before=$(got allowed)
watch kill --enforce-mode kill
[ ! -s "$T/kill.out" ] || fail "kill: the sender lived on: $(cat "$T/kill.out")"
wait_until 10 got_at_least allowed $((allowed_before + 1)) || fail "kill: the allowed peer got nothing"
wait_until 10 killed_alert || true
sleep 1
assert_eq $((before + 1)) "$(got other)" "kill: only the first datagram (sent before the exit) left"
assert_eq 1 "$(alerts kill rule_id=R0011 "key=UDP/127.0.0.1:$OTHER" action=killed)" \
	"kill: one killed alert: $(cat "$T/kill.jsonl" "$T/kill.err")"
assert_eq 0 "$(alerts kill rule_id=R0011 "key=UDP/127.0.0.1:$ALLOWED")" "the allowed peer alerted"
echo "ok: a UDP socket connected before enforcement is judged at its first send"
