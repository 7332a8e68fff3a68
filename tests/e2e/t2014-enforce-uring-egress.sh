#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# R0011 enforcement (`vigil watch --enforce R0011`, docs/ENFORCEMENT.md) on egress with no
# connect and no DNS: a datagram to a peer not in the profile through every io_uring send form
# (IORING_OP_SENDMSG, SEND with an address, SEND_ZC, SENDMSG_ZC, SENDMSG on a fixed file,
# SENDMSG on an io-wq worker with the address in user memory overwritten after submission) and
# through the sendto, sendmsg and sendmmsg calls; and an io_uring CONNECT to a TCP listener not
# in the profile. dry-run: every datagram and the connection arrive, the alerts say would-kill.
# kill: the refused listeners receive nothing, each sender is killed before it can report (no
# "sent" line), one alert per sender says killed, and an io_uring SENDMSG to the allowed peer
# still arrives.
. "$(dirname "$0")/../lib/common.sh"
requires_root
requires_progs
requires_io_uring
requires_cmd python3
vigil_has watch || skip "vigil watch is not part of this build"

T=$TEST_TMP
MODE=$T/mode
M=$T/markers
mkdir -p "$M"
URING="sendmsg send send_zc sendmsg_zc fixed async"
CALLS="sendto sendmsg sendmmsg"

# a UDP listener: one line per datagram received
udp_counter allowed
ALLOWED=$SERVER_PORT
udp_counter other
OTHER=$SERVER_PORT
spawn_server tcp "$PROGS/tcp_echo" 0
TCP=$SERVER_PORT
got() { udp_got "$1"; }
conns() { grep -c '^conn' "$TEST_TMP/tcp.log" || true; }
conns_any() { [ "$(conns)" -ge 1 ]; }
got_at_least() { [ "$(got "$1")" -ge "$2" ]; }
echo "127.0.0.1 $OTHER" >"$T/other"
echo "127.0.0.1 $ALLOWED" >"$T/allowed"

cat >"$T/drive.sh" <<EOS
#!/bin/bash
'$PROGS/udp_send' sendto 127.0.0.1 $ALLOWED >/dev/null
if [ "\$(cat '$MODE')" = attack ]; then
	for how in $URING; do
		'$PROGS/iouring_send' \$how - <'$T/other' >'$M/uring-'\$how
	done
	'$PROGS/iouring_send' sendmsg - <'$T/allowed' >'$M/uring-allowed'
	for how in $CALLS; do
		'$PROGS/udp_send' \$how 127.0.0.1 $OTHER >'$M/call-'\$how
	done
	# last: in kill mode the budget's 10th kill (6 + 3 + 1), counted at submission before
	# the cgroup hook sees the connect: the hook must still refuse it
	'$PROGS/iouring_connect' 127.0.0.1 $TCP >'$M/connect'
fi
echo end >'$M/end'
EOS

echo benign >"$MODE"
"$VIGIL" learn --out "$T/p.yaml" --name drive -- /bin/bash "$T/drive.sh" \
	2>"$T/learn.err" || fail "learn: $(cat "$T/learn.err")"
assert_file_contains "$T/p.yaml" "kubescape.io/completion: complete"
echo attack >"$MODE"

# watch NAME [OPTIONS...]: one attack run; alerts in $T/NAME.jsonl
watch()
{
	local name=$1
	shift
	rm -f "$M"/*
	"$VIGIL" watch --profile "$T/p.yaml" --alerts "file:$T/$name.jsonl" --cooldown 0s \
		--enforce R0011 "$@" -- /bin/bash "$T/drive.sh" >"$T/$name.out" 2>"$T/$name.err" &&
		fail "$name: no alert"
	[ -f "$M/end" ] || fail "$name: the workload did not run to its end: $(cat "$T/$name.err")"
	touch "$T/$name.jsonl"
}
alerts() { json_count "$T/$1.jsonl" "${@:2}"; }
n=$(($(echo $URING $CALLS | wc -w)))

# dry-run: every datagram arrives, nothing is killed
watch dry
for f in $URING; do assert_file_contains "$M/uring-$f" "sent 1"; done
for f in $CALLS; do assert_file_contains "$M/call-$f" "sent 1"; done
assert_file_contains "$M/connect" "sent 6 bytes"
wait_until 10 conns_any || fail "dry-run: the TCP listener saw no connection"
wait_until 10 got_at_least other "$n" || fail "dry-run: the listener got $(got other) of $n"
assert_eq 1 "$(alerts dry rule_id=R0011 "key=TCP/127.0.0.1:$TCP" action=would-kill)" \
	"dry-run: io_uring CONNECT: $(cat "$T/dry.jsonl")"
assert_eq "$n" "$(alerts dry rule_id=R0011 "key=UDP/127.0.0.1:$OTHER" action=would-kill)" \
	"dry-run: one would-kill alert per sender: $(cat "$T/dry.jsonl")"
assert_eq 0 "$(alerts dry action=killed)" "dry-run killed something"

# kill: nothing reaches the refused peer, every sender dies before it reports
before=$(got other)
conns_before=$(conns)
allowed_before=$(got allowed)
watch kill --enforce-mode kill
for f in $URING; do
	[ ! -s "$M/uring-$f" ] || fail "kill: iouring_send $f lived on: $(cat "$M/uring-$f")"
done
for f in $CALLS; do
	[ ! -s "$M/call-$f" ] || fail "kill: udp_send $f lived on: $(cat "$M/call-$f")"
done
[ ! -s "$M/connect" ] || fail "kill: iouring_connect lived on: $(cat "$M/connect")"
assert_file_contains "$M/uring-allowed" "sent 1"
# the allowed peer got this run's two datagrams (udp_send, io_uring); the refused one as long
wait_until 10 got_at_least allowed $((allowed_before + 2)) ||
	fail "the allowed listener missed this run's datagrams: $(cat "$TEST_TMP/allowed.log")"
sleep 1
assert_eq "$before" "$(got other)" "a datagram reached the peer enforcement refused"
assert_eq "$conns_before" "$(conns)" "a connection reached the TCP peer enforcement refused"
assert_eq 1 "$(alerts kill rule_id=R0011 "key=TCP/127.0.0.1:$TCP" action=killed)" \
	"io_uring CONNECT killed: $(cat "$T/kill.jsonl")"
assert_eq "$n" "$(alerts kill rule_id=R0011 "key=UDP/127.0.0.1:$OTHER" action=killed)" \
	"one killed alert per sender: $(cat "$T/kill.jsonl")"
assert_eq 6 "$(alerts kill rule_id=R0011 action=killed process.comm=iouring_send)" \
	"every io_uring form killed: $(cat "$T/kill.jsonl")"
assert_eq 0 "$(alerts kill action=killed "key!=UDP/127.0.0.1:$OTHER" "key!=TCP/127.0.0.1:$TCP")" \
	"only the senders killed"
echo "ok: $TEST_NAME"
