#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Zoom capture bounds (bpf/zoom.bpf.c): a payload sample is at most 512 bytes of a message;
# the samples of a workload stop at its byte budget (VIGIL_ZOOM_BUDGET) while every message is
# still reported with its byte count; the samples left out are counted (trace's zoom line).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"
requires_progs

spawn_server echo "$PROGS/tcp_echo" 0
ECHO_PORT=$SERVER_PORT
cat >"$TEST_TMP/send.py" <<PY
import socket, time
c = socket.create_connection(("127.0.0.1", $ECHO_PORT))
c.send(b"B" * 2000)       # one message larger than a sample
got = 0
while got < 2000:
    got += len(c.recv(65536))
for i in range(10):        # then small ones, until the budget is spent
    c.send(b"%03d" % i + b"s" * 297)
    got = 0
    while got < 300:
        got += len(c.recv(65536))
PY
out=$TEST_TMP/budget.jsonl
export VIGIL_ZOOM_BUDGET=3000
# shellcheck disable=SC2034 # read by trace_json (sensor-lib.sh)
TRACE_OPTS=(--zoom --kinds net_io)
trace_json "$out" python3 "$TEST_TMP/send.py"
unset VIGIL_ZOOM_BUDGET
assert_eq 0 "$TRACE_RC" "send.py status"

# the big message: reported with all its bytes, sampled 512
expect 1 "$out" kind=net_io event.direction=outbound event.bytes=2000 event.sample_len=512
# every small outbound message is reported with its size, sampled or not
[ "$(json_count "$out" kind=net_io event.direction=outbound event.bytes=300)" = 10 ] ||
	fail "10 outbound messages of 300 bytes: $(json_get "$out" event.bytes kind=net_io | tr '\n' ' ')"
# the samples add up to the budget exactly, and the last ones are left out
total=$(json_get "$out" event.sample_len kind=net_io | awk '{ s += $1 } END { print s + 0 }')
assert_eq 3000 "$total" "sampled bytes in all"
[ "$(json_count "$out" kind=net_io event.sample_len=0)" -ge 1 ] || fail "no message without sample"
line=$(grep 'trace: zoom:' "$TRACE_ERR" || true)
[[ $line =~ budget\ spent\ ([0-9]+) ]] || fail "no zoom counters line: $(cat "$TRACE_ERR")"
[ "${BASH_REMATCH[1]}" -ge 1 ] || fail "budget drops not counted: $line"
echo ok
