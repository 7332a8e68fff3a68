#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A TCP connection opened inside a workload's network namespace by a process outside the workload
# (R2001's fact): the kernel shape of a port forward (containerd's forward joins the pod
# sandbox's network namespace and connects to localhost:PORT) and of `nsenter --net`. The
# workload here is a listener in a network namespace of its own (unshare -n); from outside it,
# nsenter connects with connect() and with io_uring's CONNECT. Each is one netns_connect record of
# the workload, naming the outsider and the address as the namespace sees it; the workload's own
# loopback connection is a connect, never a netns_connect; and a host connection in the host's
# namespace is nothing (the namespace is not a workload's).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"
requires_progs
requires_cmd unshare nsenter python3 ip

cat >"$TEST_TMP/srv.py" <<'PY'
import os, socket, sys, time
d = sys.argv[1]
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(8)
port = srv.getsockname()[1]
with open(d + "/port.tmp", "w") as f:
    f.write("%d %d\n" % (port, os.getpid()))
os.rename(d + "/port.tmp", d + "/port")
for _ in range(2):          # the two outsiders
    a, _ = srv.accept()
    a.recv(64)
    a.close()
while not os.path.exists(d + "/go"):
    time.sleep(0.05)
c = socket.create_connection(("127.0.0.1", port))   # the workload's own
a, _ = srv.accept()
c.close(); a.close()
print("port", port)
PY

# a listener in the host's namespace, for a host connection that must stay unseen
spawn_server hostecho "$PROGS/tcp_echo" 0 1
hport=$SERVER_PORT

out=$TEST_TMP/ns.jsonl
TRACE_OPTS=(--kinds connect,netns_connect)
trace_json "$out" unshare -n sh -c 'ip link set lo up && exec python3 "$0" "$1"' \
	"$TEST_TMP/srv.py" "$TEST_TMP" &
tracer=$!
wait_until 20 test -s "$TEST_TMP/port" || fail "the workload did not listen: $(cat "$out.err" 2>/dev/null)"
read -r port wpid <"$TEST_TMP/port"
ns=/proc/$wpid/ns/net
[ "$(stat -Lc %i "$ns")" != "$(stat -Lc %i /proc/self/ns/net)" ] || fail "the workload shares the host's network namespace"

# 1. connect() from outside, inside the workload's namespace
nsenter --net="$ns" python3 -c 'import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); s.send(b"x"); s.close()' "$port" ||
	fail "nsenter connect failed"
# 2. io_uring CONNECT from outside
nsenter --net="$ns" "$PROGS/iouring_connect" 127.0.0.1 "$port" >/dev/null || fail "io_uring connect failed"
# 3. a host connection in the host's namespace
python3 -c 'import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); s.close()' "$hport"
touch "$TEST_TMP/go"
wait "$tracer" || fail "vigil trace failed: $(cat "$out.err")"
grep -q "^port $port" "$out.cmd" || fail "the workload did not finish: $(cat "$out.cmd")"

expect 1 "$out" kind=netns_connect process.comm=python3 event.proto=TCP event.addr=127.0.0.1 \
	"event.port=$port" event.direction=outbound
expect 1 "$out" kind=netns_connect event.addr=127.0.0.1 "event.port=$port" "process.comm!=python3"
assert_eq 2 "$(json_count "$out" kind=netns_connect)" "netns_connect records"
expect_none "$out" kind=netns_connect "process.pid=$wpid"
expect 1 "$out" kind=connect "process.pid=$wpid" event.addr=127.0.0.1 "event.port=$port"
expect_none "$out" "event.port=$hport"
log "two outsiders' connections in the workload's namespace (connect, io_uring), its own is a connect"
