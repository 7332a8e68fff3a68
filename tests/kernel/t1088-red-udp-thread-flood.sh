#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# t1088 (red team): t1086's address rewrite under a thread flood. While the datagram's call is
# blocked (its payload on a userfaultfd page), 10 000 other threads of the workload send a
# datagram with an address each, then the sockaddr is rewritten to a decoy
# (tests/progs/red_udp_race -t). The kernel's copy of the blocked call's address was kept in an
# LRU map of 4 096 threads: the flood evicted it, and the sensor read the decoy from the caller's
# memory at the call's exit. Kept in the thread's own storage, the note survives any number of
# threads: the event names the peer the datagram went to. (A record whose address did come from
# memory says so: addr_from_memory, which none of these may carry.)
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"
requires_root
requires_progs

P=$(free_port)
DECOY=9
THREADS=10000
out=$TEST_TMP/flood.jsonl
TRACE_OPTS=(--kinds send)
for how in sendto sendmsg sendmmsg; do
	trace_json "$out" "$PROGS/red_udp_race" -t "$THREADS" "$how" 127.0.0.1 "$P" 127.0.0.1 "$DECOY"
	assert_eq 0 "$TRACE_RC" "red_udp_race -t $THREADS $how status ($(cat "$TRACE_ERR"))"
	assert_file_contains "$out.cmd" "received at 127.0.0.1:$P: yes"
	assert_eq 1 "$(json_count "$out" kind=send event.addr=127.0.0.1 "event.port=$P")" \
		"$how under $THREADS threads: the event names the peer the datagram went to: $(head -c 2000 "$out")"
	expect_none "$out" "event.port=$DECOY"
	expect_none "$out" kind=send event.addr_from_memory=true
	log "$how under $THREADS threads: reported as 127.0.0.1:$P, not the rewritten :$DECOY"
done
echo ok
