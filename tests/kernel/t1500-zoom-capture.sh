#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Zoom capture (bpf/zoom.bpf.c): with zoom on for a workload, TCP traffic both ways (plain
# syscalls and io_uring) comes as net_io events with byte counts and payload samples, DNS
# questions and answers as UDP net_io samples, and reads of a token file (plain read and
# io_uring READ) as file_read events with the content; a file that is not sensitive gives no
# file_read; with zoom off, none of these events.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"
requires_progs
requires_io_uring

hex() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'; }

# No wait before the workload's first step: `vigil trace --zoom -- CMD` turns zoom on for its
# cgroup before it starts (once set only after, a quick read was over first: captured 1 in 6).

spawn_server echo "$PROGS/tcp_echo" 0
ECHO_PORT=$SERVER_PORT
spawn_server dns "$PROGS/dns_server" 0 127.0.0.1
DNS_PORT=$SERVER_PORT

tok_dir=$TEST_TMP/root/var/run/secrets/kubernetes.io/serviceaccount
mkdir -p "$tok_dir"
TOKEN=eyJ-zoom-$RANDOM$RANDOM-$(head -c 9 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s' "$TOKEN" >"$tok_dir/token"
printf 'not a secret %s\n' "$RANDOM" >"$TEST_TMP/plain.txt"

PAYLOAD=zoom-payload-$RANDOM$RANDOM
cat >"$TEST_TMP/tcp.py" <<PY
import socket, sys
c = socket.create_connection(("127.0.0.1", $ECHO_PORT))
c.send(b"$PAYLOAD")
got = b""
while len(got) < len(b"$PAYLOAD"):
    d = c.recv(4096)
    if not d:
        break
    got += d
print(len(got))
PY
URING_MSG=zoom-uring-$RANDOM$RANDOM

run_all()
{
	local tag=$1
	shift
	# shellcheck disable=SC2034,SC2054 # read by trace_json; a comma list is one argument
	TRACE_OPTS=("$@" --kinds net_io,file_read --dns-port "$DNS_PORT")
	trace_json "$TEST_TMP/$tag-tcp.jsonl" python3 "$TEST_TMP/tcp.py"
	assert_eq 0 "$TRACE_RC" "tcp.py status ($tag)"
	trace_json "$TEST_TMP/$tag-uring.jsonl" "$PROGS/iouring_connect" 127.0.0.1 "$ECHO_PORT" "$URING_MSG"
	assert_eq 0 "$TRACE_RC" "iouring_connect status ($tag)"
	trace_json "$TEST_TMP/$tag-cat.jsonl" head -c 65536 "$tok_dir/token" "$TEST_TMP/plain.txt"
	assert_eq 0 "$TRACE_RC" "head status ($tag)"
	trace_json "$TEST_TMP/$tag-uread.jsonl" "$PROGS/iouring_openat" "$tok_dir/token"
	assert_eq 0 "$TRACE_RC" "iouring_openat status ($tag)"
	trace_json "$TEST_TMP/$tag-dns.jsonl" "$PROGS/dns_query" zoom-test.example.org 127.0.0.1 "$DNS_PORT"
	assert_eq 0 "$TRACE_RC" "dns_query status ($tag)"
}

run_all on --zoom
out=$TEST_TMP/on-tcp.jsonl
expect 1 "$out" kind=net_io event.proto=TCP event.direction=outbound event.addr=127.0.0.1 \
	"event.port=$ECHO_PORT" "event.bytes=${#PAYLOAD}" "event.sample_hex=$(hex "$PAYLOAD")" \
	event.via_iouring!=true
expect 1 "$out" kind=net_io event.proto=TCP event.direction=inbound "event.port=$ECHO_PORT" \
	"event.sample_hex~$(hex "$PAYLOAD" | cut -c1-16)"
in_bytes=$(json_get "$out" event.bytes kind=net_io event.direction=inbound "event.port=$ECHO_PORT" |
	awk '{ s += $1 } END { print s + 0 }')
assert_eq "${#PAYLOAD}" "$in_bytes" "inbound bytes"

out=$TEST_TMP/on-uring.jsonl
expect 1 "$out" kind=net_io event.via_iouring=true event.direction=outbound \
	"event.port=$ECHO_PORT" "event.bytes=${#URING_MSG}" "event.sample_hex=$(hex "$URING_MSG")"

out=$TEST_TMP/on-cat.jsonl
expect 1 "$out" kind=file_read "event.path=$tok_dir/token" "event.bytes=${#TOKEN}" \
	"event.sample_hex=$(hex "$TOKEN")" event.via_iouring!=true
expect_none "$out" kind=file_read "event.path~plain.txt"

out=$TEST_TMP/on-uread.jsonl
expect 1 "$out" kind=file_read "event.path=$tok_dir/token" event.via_iouring=true \
	"event.bytes=${#TOKEN}" "event.sample_hex=$(hex "$TOKEN")"

# DNS both ways: the question to the responder and its answer (peer from the question)
out=$TEST_TMP/on-dns.jsonl
expect 1 "$out" kind=net_io event.proto=UDP event.direction=outbound "event.port=$DNS_PORT" \
	"event.sample_hex~$(hex zoom-test | cut -c1-8)"
expect 1 "$out" kind=net_io event.proto=UDP event.direction=inbound "event.port=$DNS_PORT" \
	event.addr=127.0.0.1 "event.sample_len!=0"

# io_uring SEND and RECV (the demo update's -op send): both directions with samples
if [ -x "$DEMO/update" ] && [ -x "$DEMO/c2" ]; then
	. "$TESTLIB/demo.sh"
	demo_c2_start 0
	TRACE_OPTS=(--zoom --kinds net_io,file_read)
	trace_json "$TEST_TMP/sendrecv.jsonl" "$DEMO/update" -token "$tok_dir/token" \
		-c2 "$DEMO_C2" -n 1 -op send -q
	assert_eq 0 "$TRACE_RC" "update -op send status"
	out=$TEST_TMP/sendrecv.jsonl
	expect 1 "$out" kind=net_io event.via_iouring=true event.direction=outbound \
		"event.port=$DEMO_C2_PORT" "event.sample_hex~$(hex "$TOKEN")"
	expect 1 "$out" kind=net_io event.via_iouring=true event.direction=inbound \
		"event.port=$DEMO_C2_PORT" "event.sample_len!=0"
	expect 1 "$out" kind=file_read event.via_iouring=true "event.path=$tok_dir/token"
else
	log "demo programs not built: io_uring SEND/RECV not checked"
fi

# Ways around the sample: vectored writes and reads (the first buffer is sampled, the count is
# the call's), and a secret copied to a socket inside the kernel
# (sendfile, splice, copy_file_range: no user buffer, so the record names the file instead).
VEC_A=vec-a-$RANDOM$RANDOM
cat >"$TEST_TMP/bypass.py" <<PY
import os, socket
tok = "$tok_dir/token"
c = socket.create_connection(("127.0.0.1", $ECHO_PORT))
os.writev(c.fileno(), [b"$VEC_A", b"-second-buffer"])
fd = os.open(tok, os.O_RDONLY)
a, b = bytearray(4), bytearray(4096)
got = os.readv(fd, [a, b])
os.close(fd)
fd = os.open(tok, os.O_RDONLY)
sent = os.sendfile(c.fileno(), fd, 0, 65536)
os.close(fd)
r, w = os.pipe()
fd = os.open(tok, os.O_RDONLY)
moved = os.splice(fd, w, 65536)
os.splice(r, c.fileno(), moved)
os.close(fd)
print(got, sent, moved)
PY
TRACE_OPTS=(--zoom --kinds net_io,file_read)
trace_json "$TEST_TMP/bypass.jsonl" python3 "$TEST_TMP/bypass.py"
assert_eq 0 "$TRACE_RC" "bypass.py status"
out=$TEST_TMP/bypass.jsonl
expect 1 "$out" kind=net_io event.direction=outbound "event.port=$ECHO_PORT" \
	"event.bytes=$((${#VEC_A} + 14))" "event.sample_hex=$(hex "$VEC_A")"
# readv: 4 + the rest of the token, the first buffer sampled
expect 1 "$out" kind=file_read "event.path=$tok_dir/token" "event.bytes=${#TOKEN}" \
	"event.sample_hex=$(hex "${TOKEN:0:4}")"
# sendfile: the file read without a sample, the message naming it
expect 2 "$out" kind=file_read "event.path=$tok_dir/token" "event.bytes=${#TOKEN}" event.sample_len=0
expect 1 "$out" kind=net_io event.direction=outbound "event.port=$ECHO_PORT" \
	"event.bytes=${#TOKEN}" "event.from_file=$tok_dir/token"
# splice through a pipe: the file read and the bytes out are both recorded (not linked)
expect 2 "$out" kind=net_io event.direction=outbound "event.port=$ECHO_PORT" "event.bytes=${#TOKEN}"

# the syscall sequence: every call while zoomed (not only the first use of each number)
cat >"$TEST_TMP/pids.py" <<'PY'
import os
for i in range(7):
    os.getpid()
PY
TRACE_OPTS=(--zoom --kinds syscall)
trace_json "$TEST_TMP/sys-on.jsonl" python3 "$TEST_TMP/pids.py"
expect 7 "$TEST_TMP/sys-on.jsonl" kind=syscall event.syscall=getpid
TRACE_OPTS=(--kinds syscall)
trace_json "$TEST_TMP/sys-off.jsonl" python3 "$TEST_TMP/pids.py"
n=$(json_count "$TEST_TMP/sys-off.jsonl" kind=syscall event.syscall=getpid)
[ "$n" -le 1 ] || fail "zoom off: $n getpid events (want the first use only)"

# zoom off: the same programs, none of these events
run_all off
for f in "$TEST_TMP"/off-*.jsonl; do
	expect_none "$f" kind=net_io
	expect_none "$f" kind=file_read
done
echo ok
