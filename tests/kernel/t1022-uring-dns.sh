#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# DNS in io_uring requests: questions sent by IORING_OP_SEND (with an address, or on a connected
# UDP socket), SENDMSG, SEND_ZC over UDP, and DNS over TCP written by SEND, SENDMSG, WRITE and
# WRITEV, are dns events as the syscalls' are: one per question, exactly, with the server.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"
requires_progs
requires_io_uring

# one port for both: a UDP responder and a TCP listener on the same number
spawn_server tcp "$PROGS/tcp_echo" 0
PORT=$SERVER_PORT
spawn udp "$PROGS/dns_server" "$PORT"
wait_for_line "$TEST_TMP/udp.log" "^port $PORT\$" 30
out=$TEST_TMP/dns.jsonl
TRACE_OPTS=(--kinds dns --dns-port "$PORT")
for how in udp-send udp-sendmsg udp-conn udp-zc tcp-send tcp-sendmsg tcp-write tcp-writev; do
	trace_json "$out" "$PROGS/iouring_dns" "$how" 127.0.0.1 "$PORT" One.Example.org \
		two.example.org three.example.net
	assert_eq 0 "$TRACE_RC" "iouring_dns $how status ($(cat "$TRACE_ERR"))"
	assert_contains "$(cat "$out.cmd")" "sent 3" "$how: requests completed"
	tcp=false
	case $how in tcp-*) tcp=true ;; esac
	for name in one.example.org two.example.org three.example.net; do
		assert_eq 1 "$(json_count "$out" kind=dns "event.domain=$name" event.qtype=A \
			event.server_addr=127.0.0.1 "event.server_port=$PORT")" \
			"$how: dns events for $name"
	done
	assert_eq 3 "$(json_count "$out" kind=dns)" "$how: dns events"
	if $tcp; then
		assert_eq 3 "$(json_count "$out" kind=dns event.tcp=true)" "$how: over TCP"
	else
		assert_eq 0 "$(json_count "$out" kind=dns event.tcp=true)" "$how: over UDP"
	fi
done
echo "ok: $TEST_NAME"
