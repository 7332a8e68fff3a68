#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# t1086 (red team): the peer of a datagram sent with an address (sendto, sendmsg, sendmmsg, no
# connect) is the kernel's copy, not the caller's memory. The kernel copies the sockaddr when
# the call begins, then the payload; the payload is on a userfaultfd page, and the thread that
# serves its fault rewrites the sockaddr to a decoy before the copy goes on
# (tests/progs/red_udp_race.c: deterministic, no timing). The datagram arrives at the first
# address (the program's own receiver says so); a sensor reading the sockaddr at sys_exit
# reported the decoy, and a kernel allow set holding the decoy would have hidden the send.
# The same for a DNS question: sent to a DNS port, the decoy not one; a sensor misled there
# would not read the question (a mining pool's name, R1008) at all.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"
requires_root
requires_progs

P=$(free_port)
DECOY=9
out=$TEST_TMP/race.jsonl
TRACE_OPTS=(--kinds send,dns --dns-port "$P")
for how in sendto sendmsg sendmmsg; do
	trace_json "$out" "$PROGS/red_udp_race" "$how" 127.0.0.1 "$P" 127.0.0.1 "$DECOY"
	assert_eq 0 "$TRACE_RC" "red_udp_race $how status ($(cat "$TRACE_ERR"))"
	assert_file_contains "$out.cmd" "received at 127.0.0.1:$P: yes"
	assert_eq 1 "$(json_count "$out" kind=send event.addr=127.0.0.1 "event.port=$P")" \
		"$how: the event names the peer the datagram went to: $(head -c 2000 "$out")"
	expect_none "$out" "event.port=$DECOY"
	log "$how: reported as 127.0.0.1:$P, not the rewritten :$DECOY"
done
trace_json "$out" "$PROGS/red_udp_race" dns 127.0.0.1 "$P" 127.0.0.1 "$DECOY" pool.supportxmr.com
assert_eq 0 "$TRACE_RC" "red_udp_race dns status ($(cat "$TRACE_ERR"))"
assert_file_contains "$out.cmd" "received at 127.0.0.1:$P: yes"
assert_eq 1 "$(json_count "$out" kind=dns event.domain=pool.supportxmr.com "event.server_port=$P")" \
	"dns: the question is read, to the port it went to: $(head -c 2000 "$out")"
log "dns: the question for pool.supportxmr.com read, to 127.0.0.1:$P"
echo ok
