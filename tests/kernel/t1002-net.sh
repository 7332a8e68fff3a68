#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bind, listen, connect, accept with addresses, ports, protocol and direction; TCP state; a DNS
# question's name; a connect made only through io_uring.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"
requires_progs

cat >"$TEST_TMP/net.py" <<'PY'
import socket
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(1)
port = srv.getsockname()[1]
c = socket.socket()
c.connect(("127.0.0.1", port))
a, peer = srv.accept()
print(port, c.getsockname()[1])
PY
out=$TEST_TMP/net.jsonl
TRACE_OPTS=(--kinds bind,listen,connect,accept,tcp_state)
trace_json "$out" python3 "$TEST_TMP/net.py"
assert_eq 0 "$TRACE_RC" "python status"
read -r sport cport <"$out.cmd"
expect 1 "$out" kind=bind event.proto=TCP event.local_addr=127.0.0.1 "event.local_port=$sport" event.ret=0
expect 1 "$out" kind=listen event.proto=TCP "event.local_port=$sport"
expect 1 "$out" kind=connect event.proto=TCP event.direction=outbound event.addr=127.0.0.1 \
	"event.port=$sport" "event.local_port=$cport" event.ret=0
expect 1 "$out" kind=accept event.proto=TCP event.direction=inbound "event.local_port=$sport" \
	"event.port=$cport"
expect 1 "$out" kind=tcp_state event.new_state=SYN_SENT "event.port=$sport"
expect 1 "$out" kind=tcp_state event.old_state=SYN_SENT event.new_state=ESTABLISHED

# DNS: the question's name, from a UDP datagram to a loopback responder (not traced itself)
spawn_server dns "$PROGS/dns_server" 0
out=$TEST_TMP/dns.jsonl
TRACE_OPTS=(--kinds dns --dns-port "$SERVER_PORT")
trace_json "$out" "$PROGS/dns_query" Vigil-Test.Example.org 127.0.0.1 "$SERVER_PORT"
expect 1 "$out" kind=dns event.domain=vigil-test.example.org event.qtype=A \
	event.server_addr=127.0.0.1 "event.server_port=$SERVER_PORT"
# the port is what marks DNS traffic: without --dns-port the same query is not DNS
out=$TEST_TMP/dns2.jsonl
TRACE_OPTS=(--kinds dns)
trace_json "$out" "$PROGS/dns_query" vigil-test.example.org 127.0.0.1 "$SERVER_PORT"
expect_none "$out" kind=dns

# io_uring CONNECT: no connect syscall, still a connect event with the address
spawn_server echo "$PROGS/tcp_echo" 0
out=$TEST_TMP/uring.jsonl
TRACE_OPTS=(--kinds connect,iouring_op)
trace_json "$out" "$PROGS/iouring_connect" 127.0.0.1 "$SERVER_PORT"
assert_eq 0 "$TRACE_RC" "iouring_connect status"
expect 1 "$out" kind=connect event.via_iouring=true event.addr=127.0.0.1 \
	"event.port=$SERVER_PORT" event.direction=outbound
expect_none "$out" kind=connect event.via_iouring!=true
expect 1 "$out" kind=iouring_op event.op=CONNECT
expect 1 "$out" kind=connect event.via_iouring=true event.proto=TCP
# SEND on the connected socket: the peer is known from the descriptor
expect 1 "$out" kind=iouring_op event.op=SEND event.addr=127.0.0.1 \
	"event.port=$SERVER_PORT"
echo ok
