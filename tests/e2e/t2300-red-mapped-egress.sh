#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2300 (red team): IPv4-mapped IPv6 peers. A dual-stack AF_INET6 socket reaches an IPv4 peer
# as ::ffff:a.b.c.d (Java's sockets do so by default). It is the same destination as a.b.c.d,
# both ways: a peer the profile allows stays allowed however it is spelt (not alerted, and not
# refused or killed where egress is enforced: the kernel's allow set judged it as an unknown
# IPv6 peer before), and a peer it does not allow is not hidden by the spelling (R0011, killed
# under enforcement). Learning by one spelling allows the other. R0007 (the API server,
# compared as text before) is in tests/unit/test_rules.c.
. "$(dirname "$0")/../lib/common.sh"
requires_root
requires_progs
requires_cmd python3
vigil_has watch || skip "vigil watch is not part of this build"

T=$TEST_TMP
MODE=$T/mode
M=$T/markers
mkdir -p "$M"

# a UDP listener on 127.0.0.1 (IPv4 only): counts the datagrams it receives
udp_counter allowed
ALLOWED=$SERVER_PORT
udp_counter other
OTHER=$SERVER_PORT
got() { udp_got "$1"; }
got_more() { [ "$(got "$1")" -gt "$2" ]; }

cat >"$T/drive.sh" <<EOS
#!/bin/bash
case "\$(cat '$MODE')" in
v4) '$PROGS/udp_send' sendto 127.0.0.1 $ALLOWED && '$PROGS/udp_send' connected 127.0.0.1 $ALLOWED ;;
mapped) '$PROGS/udp_send' sendto ::ffff:127.0.0.1 $ALLOWED &&
	'$PROGS/udp_send' connected ::ffff:127.0.0.1 $ALLOWED ;;
mapped-other) '$PROGS/udp_send' sendto ::ffff:127.0.0.1 $ALLOWED &&
	'$PROGS/udp_send' sendto ::ffff:127.0.0.1 $OTHER >'$M/sent' ;;
esac >/dev/null
echo end >'$M/end'
EOS

# learn NAME MODE
learn()
{
	echo "$2" >"$MODE"
	"$VIGIL" learn --out "$T/$1.yaml" --name drive -- /bin/bash "$T/drive.sh" \
		2>"$T/learn-$1.err" || fail "learn $1: $(cat "$T/learn-$1.err")"
}
learn p4 v4
learn p6 mapped
assert_file_contains "$T/p4.yaml" "127.0.0.1"

# watch NAME PROFILE MODE: one run with R0011 enforced (kill); alerts in $T/NAME.jsonl, RC
watch()
{
	local name=$1 profile=$2 mode=$3
	rm -f "$M"/*
	echo "$mode" >"$MODE"
	RC=0
	"$VIGIL" watch --profile "$T/$profile.yaml" --alerts "file:$T/$name.jsonl" --cooldown 0s \
		--enable R0011 --enforce R0011 --enforce-mode kill --enforce-switch "$T/switch" \
		-- /bin/bash "$T/drive.sh" >"$T/$name.out" 2>"$T/$name.err" || RC=$?
	touch "$T/$name.jsonl"
	[ -f "$M/end" ] || fail "$name: the workload did not run to its end: $(cat "$T/$name.err")"
	grep -q "not enforcing" "$T/$name.err" && fail "$name: not enforced: $(cat "$T/$name.err")"
	return 0
}
alerts() { json_count "$T/$1.jsonl" "${@:2}"; }

# allowed, spelt the other way: no alert, nothing killed, both datagrams delivered
for run in "p4 mapped" "p6 v4" "p6 mapped"; do
	set -- $run
	before=$(got allowed)
	watch "allowed-$1-$2" "$1" "$2"
	# (udp_send's arguments name the address: R0040 when they differ from the learned run's)
	assert_eq 0 "$(alerts "allowed-$1-$2" rule_id!=R0040)" \
		"alerts for an allowed peer ($2, learned as $1): $(cat "$T/allowed-$1-$2.jsonl")"
	assert_eq 0 "$(alerts "allowed-$1-$2" action=killed)" "killed ($2, learned as $1)"
	[ "$1$2" = p6v4 ] || [ "$1$2" = p4mapped ] || assert_eq 0 "$RC" "watch status ($2, learned as $1): $(cat "$T/allowed-$1-$2.err")"
	wait_until 10 got_more allowed $((before + 1)) ||
		fail "the allowed peer did not get both datagrams ($2, learned as $1): $(got allowed) after $before"
	log "allowed peer as $2, learned as $1: quiet, delivered"
done

# forbidden, spelt as mapped: R0011, the sender killed before the datagram left
before=$(got other)
watch forbidden p4 mapped-other
assert_eq 1 "$(alerts forbidden rule_id=R0011 action=killed)" \
	"R0011 for ::ffff:127.0.0.1:$OTHER: $(cat "$T/forbidden.jsonl")"
assert_eq 1 "$(alerts forbidden "message~:$OTHER")" "the alert names the peer"
[ ! -s "$M/sent" ] || fail "udp_send lived on: $(cat "$M/sent")"
sleep 1
assert_eq "$before" "$(got other)" "a datagram reached the forbidden peer"
echo ok
