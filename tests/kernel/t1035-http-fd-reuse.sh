#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# HTTP request lines on descriptor numbers the sensor already knows quiet (bpf/http.bpf.c's
# per-process note: a read or write of a file or pipe marks its number as needing no look).
# A TCP socket made (socket, accept), duplicated (dup2/dup3) or received over a UNIX socket
# (SCM_RIGHTS) onto such a number must be looked at again: its first request is an http event
# in each direction. Each reuse is asserted in the workload (the socket really has the quiet
# number). A socket already looked at stays so under a new number (its per-socket note).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"
requires_cmd python3

cat >"$TEST_TMP/w.py" <<'PY'
import os, socket
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(8); addr = srv.getsockname()
def quiet_number():
    # a descriptor read once (a file: known quiet), then closed: its number is free again
    z = os.open("/dev/zero", os.O_RDONLY); os.read(z, 64); os.close(z)
    return z
# socket() and accept() onto quiet numbers
n = quiet_number(); c = socket.socket(); assert c.fileno() == n, (c.fileno(), n)
c.connect(addr)
m = quiet_number(); a, _ = srv.accept(); assert a.fileno() == m, (a.fileno(), m)
c.sendall(b"GET /reused HTTP/1.1\r\nHost: x\r\n\r\n"); a.recv(1024)
# the same sockets under new numbers (dup: looked at again): their per-socket note says done
d, e = os.dup(c.fileno()), os.dup(a.fileno())
os.write(d, b"GET /again HTTP/1.1\r\nHost: x\r\n\r\n"); os.read(e, 1024)
# dup2 onto a pipe's numbers (each read or written once: quiet)
r, w = os.pipe(); os.write(w, b"x" * 8); os.read(r, 8)
c2 = socket.create_connection(addr); a2, _ = srv.accept()
os.dup2(c2.fileno(), w); os.write(w, b"GET /dup HTTP/1.1\r\nHost: x\r\n\r\n")
os.dup2(a2.fileno(), r); os.read(r, 1024)
# passed over a UNIX socket (SCM_RIGHTS) onto a quiet number
u1, u2 = socket.socketpair()
c3 = socket.create_connection(addr); a3, _ = srv.accept()
n = quiet_number(); socket.send_fds(u1, [b"x"], [c3.fileno()])
_, fds, _, _ = socket.recv_fds(u2, 1, 1); assert fds == [n], (fds, n)
os.write(n, b"GET /passed HTTP/1.1\r\nHost: x\r\n\r\n"); a3.recv(1024)
PY
out=$TEST_TMP/http.jsonl
TRACE_OPTS=(--kinds http)
trace_json "$out" python3 "$TEST_TMP/w.py"
assert_eq 0 "$TRACE_RC" "workload status ($(cat "$TRACE_ERR"))"
for path in /reused /dup /passed; do
	for dir in outbound inbound; do
		assert_eq 1 "$(json_count "$out" kind=http event.method=GET "event.path=$path" \
			"event.direction=$dir")" "$path $dir: $(cat "$out")"
	done
done
expect_none "$out" kind=http event.path=/again
assert_eq 6 "$(json_count "$out" kind=http)" "http events: $(cat "$out")"
echo "ok: $TEST_NAME"
