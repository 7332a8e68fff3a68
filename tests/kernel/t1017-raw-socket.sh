#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# socket: the kinds that reach the wire below TCP and UDP (packet, raw, ICMP) are events with
# their family, type and protocol; an ordinary UDP socket is not; a repeat from the same
# executable is one event, another executable (a copy, even named as the first) is news.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"
requires_progs

out=$TEST_TMP/kinds.jsonl
TRACE_OPTS=(--kinds socket,exec) # exec: who the process is, however short-lived
cat >"$TEST_TMP/kinds.sh" <<SH
#!/bin/sh
"$PROGS/raw_socket" packet
"$PROGS/raw_socket" raw 127.0.0.1
"$PROGS/raw_socket" raw6
"$PROGS/raw_socket" udp
SH
trace_json "$out" /bin/sh "$TEST_TMP/kinds.sh"
assert_eq 0 "$TRACE_RC" "raw_socket status: $(cat "$out.cmd")"
expect 1 "$out" kind=socket event.family=AF_PACKET event.sock_type=SOCK_RAW event.protocol=768 \
	"process.exe=$PROGS/raw_socket"
expect 1 "$out" kind=socket event.family=AF_INET event.sock_type=SOCK_RAW event.protocol=1
expect 1 "$out" kind=socket event.family=AF_INET6 event.sock_type=SOCK_RAW event.protocol=58
expect_none "$out" kind=socket event.sock_type=SOCK_DGRAM event.protocol=0
assert_eq 3 "$(json_count "$out" kind=socket)" "socket events"

# repeats: the same kind from the same executable once; a copy named as the first is news
cp "$PROGS/raw_socket" "$TEST_TMP/other"
out=$TEST_TMP/repeat.jsonl
TRACE_OPTS=(--kinds socket,exec --dedup)
cat >"$TEST_TMP/repeat.sh" <<SH
#!/bin/sh
for i in 1 2 3; do "$PROGS/raw_socket" packet; done
"$TEST_TMP/other" packet - raw_socket
SH
trace_json "$out" /bin/sh "$TEST_TMP/repeat.sh"
assert_eq 0 "$TRACE_RC" "repeat status: $(cat "$out.cmd")"
assert_eq 1 "$(json_count "$out" kind=socket "process.exe=$PROGS/raw_socket")" "repeats reported"
expect 1 "$out" kind=socket "process.exe=$TEST_TMP/other" process.comm=raw_socket

# io_uring's SOCKET makes the same sockets with no socket() syscall: judged the same way
out=$TEST_TMP/uring.jsonl
TRACE_OPTS=(--kinds socket)
cat >"$TEST_TMP/uring.sh" <<SH
#!/bin/sh
"$PROGS/raw_socket" uring:packet &&
"$PROGS/raw_socket" uring:raw 127.0.0.1 &&
"$PROGS/raw_socket" uring:udp
SH
trace_json "$out" /bin/sh "$TEST_TMP/uring.sh"
assert_eq 0 "$TRACE_RC" "raw_socket uring status: $(cat "$out.cmd")"
assert_eq 1 "$(json_count "$out" kind=socket event.family=AF_PACKET event.sock_type=SOCK_RAW \
	event.protocol=768 event.via_iouring=true)" "io_uring packet socket"
assert_eq 1 "$(json_count "$out" kind=socket event.family=AF_INET event.sock_type=SOCK_RAW \
	event.protocol=1 event.via_iouring=true event.fd=4)" "io_uring raw socket"
assert_eq 2 "$(json_count "$out" kind=socket)" "socket events through io_uring"
echo "ok: $TEST_NAME"
