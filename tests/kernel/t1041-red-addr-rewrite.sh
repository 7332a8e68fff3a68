#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# t1041 (red team): the peer of a connect or a TCP Fast Open is the kernel's, not the caller's
# memory. A blocking connect() (or sendto with MSG_FASTOPEN) waits for its SYN-ACK; meanwhile
# another thread rewrites the sockaddr it passed to an allowed address. The SYN went to the
# first address; a sensor reading the sockaddr at sys_exit reported the second (and the
# kernel's allow set then dropped the event as allowed): any C2 at a round-trip of a few
# milliseconds could hide so. The peer is read from the socket once a connect began.
# The wait is made certain here by a listener whose accept queue is full (its SYNs are
# dropped, retransmitted after 1 s) and SO_SNDTIMEO of 1 s in the caller.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"
requires_progs
requires_cmd python3

cat >"$TEST_TMP/full.py" <<'EOF'
import socket, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(0)
filler = socket.create_connection(s.getsockname())  # fills the accept queue of 1
print("port %d" % s.getsockname()[1], flush=True)
time.sleep(600)
EOF
spawn_server full python3 "$TEST_TMP/full.py"
P=$SERVER_PORT
DECOY=9
[ "$P" != "$DECOY" ] || fail "the listener took port $DECOY"

out=$TEST_TMP/race.jsonl
TRACE_OPTS=(--kinds send,connect)
for how in connect fastopen; do
	trace_json "$out" "$PROGS/red_addr_race" "$how" 127.0.0.1 "$P" 127.0.0.1 "$DECOY"
	assert_eq 0 "$TRACE_RC" "red_addr_race $how status ($(cat "$TRACE_ERR"))"
	kind=connect
	[ "$how" = fastopen ] && kind=send
	assert_eq 1 "$(json_count "$out" "kind=$kind" event.addr=127.0.0.1 "event.port=$P")" \
		"$how: the event names the peer the SYN went to ($(cat "$out.cmd")): $(head -c 2000 "$out")"
	expect_none "$out" "event.port=$DECOY"
	log "$how: reported as 127.0.0.1:$P, not the rewritten :$DECOY"
done

# a UDP connect sets the socket's peer too: reported as before
spawn_server echo "$PROGS/tcp_echo" 0
trace_json "$out" "$PROGS/udp_send" connected 127.0.0.1 "$SERVER_PORT"
assert_eq 1 "$(json_count "$out" kind=connect event.proto=UDP event.addr=127.0.0.1 \
	"event.port=$SERVER_PORT")" "UDP connect: $(head -c 2000 "$out")"
echo ok
