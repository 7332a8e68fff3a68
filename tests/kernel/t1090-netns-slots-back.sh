#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# R2001's namespace notes (netns_wl, netns_own: at most 16 per cgroup) follow the namespaces,
# not only the cgroups. Under a watched parent, cgroups the sensor follows:
#   churn  makes 16 network namespaces (the cap), and they all end while the cgroup lives: their
#          entries go and the slots come back (they stayed until the cgroup went: a workload
#          that makes and drops namespaces was blind to its next ones); a listener in a new
#          namespace of it is then noted, and a connection into it from outside (nsenter --net)
#          is its netns_connect record;
#   old    notes one namespace, which ends while the cgroup lives; the kernel gives its inode
#          number to the next namespace made, here by a process of no workload (the test
#          itself), which connects inside it: that is no workload's record (an entry keyed by
#          the inode number, kept while the cgroup lived, blamed the old cgroup).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"
requires_root
requires_cmd unshare nsenter python3 ip bpftool

T=$TEST_TMP
P=$(new_cgroup netnsgone)
for c in churn old; do
	mkdir "$P/$c" || fail "cannot create $P/$c"
	on_exit remove_cgroup "$P/$c"
done
entries() { python3 "$TESTLIB/netns_entries.py" "$tracer" "$1" "$2"; }
is_n() { [ "$(entries "$1" "$2")" = "$3" ]; }
# the number of processes of cgroup DIR whose comm is NAME
ncomm() { for p in $(cat "$1/cgroup.procs"); do cat "/proc/$p/comm"; done 2>/dev/null | grep -c "^$2$"; }

out=$T/ns.jsonl
"$VIGIL" trace --json -o "$out" --kinds netns_connect --cgroup "$P" >"$T/trace.out" 2>"$T/trace.err" &
tracer=$!
churnsh=
podsh=
stop_all()
{
	kill -INT "$tracer" 2>/dev/null && wait "$tracer"
	touch "$T/done"
	for c in churn old; do
		for p in $(cat "$P/$c/cgroup.procs" 2>/dev/null); do
			[ "$p" = "$churnsh" ] || [ "$p" = "$podsh" ] || kill "$p" 2>/dev/null
		done
	done
	[ -z "$churnsh" ] || wait "$churnsh"
	[ -z "$podsh" ] || wait "$podsh"
}
on_exit stop_all
wait_until 20 test -e "$out" || fail "the trace did not start: $(cat "$T/trace.err")"

# 1. 16 namespaces, each kept by a sleep that unshare -n execs in it; then they all end
sh -c 'echo $$ >"$1/cgroup.procs"; i=0
while [ $i -lt 16 ]; do unshare -n sleep 300 & i=$((i + 1)); done; wait' sh "$P/churn" &
churnsh=$!
churn=$(cgroup_id "$P/churn")
wait_until 20 sh -c '[ "$(for p in $(cat "$1/cgroup.procs"); do cat /proc/$p/comm; done |
	grep -c "^sleep")" -ge 16 ]' sh "$P/churn" || fail "the namespaces did not start"
wait_until 10 is_n netns_wl "$churn" 16 || fail "16 namespaces noted: $(entries netns_wl "$churn")"
for p in $(cat "$P/churn/cgroup.procs"); do [ "$p" = "$churnsh" ] || kill "$p"; done
wait "$churnsh"
churnsh=
wait_until 15 is_n netns_wl "$churn" 0 ||
	fail "the entries of 16 namespaces that ended stayed: $(entries netns_wl "$churn") (cgroup alive)"
log "16 namespaces ended: their entries went while the cgroup lives"

# a new namespace of the same cgroup: noted (a slot came back), and a forward into it is its own
cat >"$T/srv.py" <<'PY'
import os, socket, sys, time
d = sys.argv[1]
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(8)
with open(d + "/port.tmp", "w") as f:
    f.write("%d %d\n" % (srv.getsockname()[1], os.getpid()))
os.rename(d + "/port.tmp", d + "/port")
a, _ = srv.accept()
a.recv(64)
a.close()
while not os.path.exists(d + "/done"):
    time.sleep(0.05)
PY
sh -c 'echo $$ >"$1/cgroup.procs"; exec unshare -n sh -c "ip link set lo up && exec python3 \"\$0\" \"\$1\"" "$2" "$3"' \
	sh "$P/churn" "$T/srv.py" "$T" &
podsh=$!
wait_until 20 test -s "$T/port" || fail "the listener did not start"
read -r port wpid <"$T/port"
wait_until 10 is_n netns_wl "$churn" 1 || fail "the new namespace was not noted: $(entries netns_wl "$churn")"
nsenter --net="/proc/$wpid/ns/net" python3 -c 'import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); s.send(b"x"); s.close()' "$port" ||
	fail "nsenter connect failed"
wait_until 10 grep -q netns_connect "$out" || fail "no netns_connect record for the forward: $(cat "$out")"
expect 1 "$out" kind=netns_connect "workload.cgroup_id=$churn" event.addr=127.0.0.1 "event.port=$port"
log "a new namespace after them is noted, and its forward is the cgroup's record"

# 2. a namespace of "old" ends (the cgroup stays); its inode number goes to a namespace of no
# workload, where a connection is made
sh -c 'echo $$ >"$1/cgroup.procs"; exec unshare -n sleep 300' sh "$P/old" &
oldpid=$!
old=$(cgroup_id "$P/old")
wait_until 10 sh -c '[ "$(readlink "/proc/$1/ns/net")" != "$(readlink /proc/self/ns/net)" ]' sh "$oldpid" ||
	fail "old's namespace was not made"
ino=$(stat -L -c %i "/proc/$oldpid/ns/net")
wait_until 10 is_n netns_wl "$old" 1 || fail "old's namespace was not noted: $(entries netns_wl "$old")"
kill "$oldpid"
wait "$oldpid" 2>/dev/null || true
cat >"$T/self.py" <<'PY'
import socket
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(1)
c = socket.create_connection(srv.getsockname()); c.close()
print("connected")
PY
reused=
for _ in $(seq 300); do
	if unshare -n sh -c '[ "$(stat -L -c %i /proc/self/ns/net)" = "$1" ] || exit 3
		ip link set lo up && exec python3 "$2"' sh "$ino" "$T/self.py" >"$T/reuse.out" 2>&1; then
		reused=1
		break
	fi
done
if [ -n "$reused" ]; then
	assert_file_contains "$T/reuse.out" connected
	sleep 1
	expect_none "$out" kind=netns_connect "workload.cgroup_id=$old"
	log "inode $ino reused by a namespace of no workload: its connection is not old's record"
else
	log "inode $ino was not reused in 300 namespaces (another job took it): that case not exercised"
fi
echo ok
