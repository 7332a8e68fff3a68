#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bind, listen, connect, accept with addresses, ports, protocol and direction; TCP state; a DNS
# question's name; a connect made only through io_uring; egress with no connect (send: UDP
# sendto/sendmsg/sendmmsg with an address, TCP Fast Open).
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

# send: a datagram to an address named in the call has no connect event; every message, or
# each peer once with de-duplication (as the agent runs)
out=$TEST_TMP/send.jsonl
TRACE_OPTS=(--kinds send,connect)
trace_json "$out" "$PROGS/udp_send" sendto 127.0.0.1 9 127.0.0.1 9
assert_eq 2 "$(json_count "$out" kind=send event.addr=127.0.0.1)" "send events without --dedup"
TRACE_OPTS=(--kinds send,connect --dedup)
for how in sendto sendmsg sendmmsg; do
	trace_json "$out" "$PROGS/udp_send" "$how" 127.0.0.1 9 127.0.0.2 9 127.0.0.1 9 127.0.0.3 10
	assert_eq 0 "$TRACE_RC" "udp_send $how status"
	for peer in "127.0.0.1 9" "127.0.0.2 9" "127.0.0.3 10"; do
		set -- $peer
		expect 1 "$out" kind=send event.proto=UDP event.direction=outbound event.family=inet \
			"event.addr=$1" "event.port=$2" "event.call=$how" event.fastopen=false event.fd=3
	done
	# the repeat to 127.0.0.1:9 is the same peer: reported once
	assert_eq 3 "$(json_count "$out" kind=send)" "send events of $how (one per peer)"
	expect_none "$out" kind=connect
done
TRACE_OPTS=(--kinds send,connect)
trace_json "$out" "$PROGS/udp_send" sendto ::1 9
expect 1 "$out" kind=send event.family=inet6 event.addr=::1 event.port=9 event.ret=5
# a sendmmsg of many messages: the last one's peer is seen too
many=()
for i in $(seq 1 40); do many+=(127.0.0.1 9); done
trace_json "$out" "$PROGS/udp_send" sendmmsg "${many[@]}" 127.0.0.4 11
expect 1 "$out" kind=send event.addr=127.0.0.4 event.port=11 event.call=sendmmsg event.ret=41
# the 41st message's peer has no note of the kernel's copy (the first 8 have): read from the
# sender's memory, and the record says so; the first message's is the kernel's copy
expect 1 "$out" kind=send event.addr=127.0.0.4 event.port=11 event.addr_from_memory=true
expect 1 "$out" kind=send event.addr=127.0.0.1 event.port=9 event.addr_from_memory=false
# a connected socket's sends go to the peer its connect event showed: no send event
trace_json "$out" "$PROGS/udp_send" connected 127.0.0.1 9
expect 1 "$out" kind=connect event.proto=UDP event.addr=127.0.0.1 event.port=9
expect_none "$out" kind=send
# TCP Fast Open: connects and sends in one sendto
trace_json "$out" "$PROGS/udp_send" fastopen 127.0.0.1 "$SERVER_PORT"
assert_eq 0 "$TRACE_RC" "udp_send fastopen status"
expect 1 "$out" kind=send event.proto=TCP event.fastopen=true event.addr=127.0.0.1 \
	"event.port=$SERVER_PORT" event.call=sendto
expect_none "$out" kind=connect
echo ok
