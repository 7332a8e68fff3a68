#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Egress through io_uring with no connect: SENDMSG with msg_name, SEND with an address, their
# zero-copy forms, a socket given as a fixed file, a request run on an io-wq worker whose
# address is overwritten in user memory after submission, and TCP Fast Open by SENDMSG. Each
# is a send event (via_iouring) with the peer the kernel copied, as the syscall forms are.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"
requires_progs

out=$TEST_TMP/send.jsonl
# every message, without de-duplication: one event per request
TRACE_OPTS=(--kinds send,connect)
trace_json "$out" "$PROGS/iouring_send" sendmsg 127.0.0.1 9 127.0.0.1 9
assert_eq 0 "$TRACE_RC" "iouring_send status ($(cat "$TRACE_ERR"))"
assert_eq 2 "$(json_count "$out" kind=send event.addr=127.0.0.1 event.via_iouring=true)" \
	"send events of two SENDMSG requests without --dedup"

# each form, as the agent runs (--dedup): each peer once, whichever request sent to it
TRACE_OPTS=(--kinds send,connect --dedup)
for how in sendmsg send send_zc sendmsg_zc fixed; do
	call=$how fd=4
	[ "$how" = fixed ] && call=sendmsg fd=-1
	trace_json "$out" "$PROGS/iouring_send" "$how" 127.0.0.1 9 127.0.0.2 9 127.0.0.1 9 127.0.0.3 10
	assert_eq 0 "$TRACE_RC" "iouring_send $how status ($(cat "$TRACE_ERR"))"
	assert_eq "sent 4" "$(cat "$out.cmd")" "iouring_send $how output"
	for peer in "127.0.0.1 9" "127.0.0.2 9" "127.0.0.3 10"; do
		set -- $peer
		assert_eq 1 "$(json_count "$out" kind=send event.proto=UDP event.direction=outbound \
			event.family=inet "event.addr=$1" "event.port=$2" "event.call=$call" \
			event.via_iouring=true event.fastopen=false "event.fd=$fd")" \
			"$how: send events to $1:$2"
	done
	assert_eq 3 "$(json_count "$out" kind=send)" "send events of $how (one per peer)"
	expect_none "$out" kind=connect
done

# IPv6
TRACE_OPTS=(--kinds send,connect)
trace_json "$out" "$PROGS/iouring_send" send_zc ::1 9
assert_eq 1 "$(json_count "$out" kind=send event.family=inet6 event.addr=::1 event.port=9 \
	event.call=send_zc event.via_iouring=true)" "send_zc to ::1"

# the address is the kernel's copy, taken when the request was prepared: overwriting it in
# user memory after submission (the request then runs on an io-wq worker) changes nothing
trace_json "$out" "$PROGS/iouring_send" async 127.0.0.2 19
assert_eq 0 "$TRACE_RC" "iouring_send async status ($(cat "$TRACE_ERR"))"
assert_eq 1 "$(json_count "$out" kind=send event.addr=127.0.0.2 event.port=19 \
	event.call=sendmsg event.via_iouring=true)" "async SENDMSG to 127.0.0.2:19"
assert_eq 1 "$(json_count "$out" kind=send)" "send events of the async SENDMSG"

# TCP Fast Open through SENDMSG: connects and sends in one request
spawn_server echo "$PROGS/tcp_echo" 0
trace_json "$out" "$PROGS/iouring_send" fastopen 127.0.0.1 "$SERVER_PORT"
assert_eq 0 "$TRACE_RC" "iouring_send fastopen status ($(cat "$TRACE_ERR"))"
assert_eq 1 "$(json_count "$out" kind=send event.proto=TCP event.fastopen=true \
	event.addr=127.0.0.1 "event.port=$SERVER_PORT" event.call=sendmsg event.via_iouring=true)" \
	"Fast Open SENDMSG"
expect_none "$out" kind=connect

# a SEND without an address on a connected socket goes to the peer of its connect event
trace_json "$out" "$PROGS/iouring_connect" 127.0.0.1 "$SERVER_PORT"
assert_eq 0 "$TRACE_RC" "iouring_connect status"
assert_eq 1 "$(json_count "$out" kind=connect event.via_iouring=true event.addr=127.0.0.1)" \
	"io_uring CONNECT"
expect_none "$out" kind=send
echo ok
