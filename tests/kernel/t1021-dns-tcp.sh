#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# DNS over TCP: the questions of length-prefixed messages written to a TCP connection to the
# DNS port, however the client writes them (writev of length and message, one write, sendmsg,
# send, one byte per write, several messages in one write, a message longer than the bytes
# the sensor copies), are dns events with tcp=true, one per question.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"
requires_progs

spawn_server dns "$PROGS/tcp_echo" 0
out=$TEST_TMP/dns.jsonl
TRACE_OPTS=(--kinds dns --dns-port "$SERVER_PORT")
for how in writev write sendmsg send split pipelined big; do
	trace_json "$out" "$PROGS/dns_tcp" "$how" 127.0.0.1 "$SERVER_PORT" One.Example.org \
		two.example.org three.example.net
	assert_eq 0 "$TRACE_RC" "dns_tcp $how status ($(cat "$TRACE_ERR"))"
	for name in one.example.org two.example.org three.example.net; do
		assert_eq 1 "$(json_count "$out" kind=dns "event.domain=$name" event.qtype=A \
			event.tcp=true event.server_addr=127.0.0.1 "event.server_port=$SERVER_PORT")" \
			"$how: dns events for $name"
	done
	assert_eq 3 "$(json_count "$out" kind=dns)" "$how: dns events"
done
# as the agent runs (--dedup): the pieces of a stream are never de-duplicated (the same byte
# written twice is still needed)
TRACE_OPTS=(--kinds dns --dns-port "$SERVER_PORT" --dedup)
trace_json "$out" "$PROGS/dns_tcp" split 127.0.0.1 "$SERVER_PORT" aaa.example.org aaa.example.org
assert_eq 2 "$(json_count "$out" kind=dns event.domain=aaa.example.org event.tcp=true)" \
	"split, de-duplicated: dns events"
# the port is what marks DNS traffic: without --dns-port the same stream is not DNS
TRACE_OPTS=(--kinds dns)
trace_json "$out" "$PROGS/dns_tcp" writev 127.0.0.1 "$SERVER_PORT" one.example.org
assert_eq 0 "$TRACE_RC" "dns_tcp status"
expect_none "$out" kind=dns
echo "ok: $TEST_NAME"
