#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# R2001's namespace map (netns_wl: network namespace -> workload) cannot be flooded, nor keep a
# gone cgroup's namespaces. Under a watched parent, three cgroups the sensor follows but never
# watches itself:
#   flood  makes 40 network namespaces (unshare -n) and execs in each: the kernel notes only
#          its first VG_NETNS_PER_WL (16), the others are counted as table drops (V0002);
#   pod    a listener in a namespace of its own, made after the flood: still noted, and a
#          connection opened in it from outside (nsenter --net, a port forward's shape) is
#          still its netns_connect record (R2001's fact);
#   gone   a namespace noted, then the cgroup ends and is removed: its entry goes (the sensor
#          prunes gone cgroups' entries; no unwatch ever names it), so a reused inode number
#          cannot send a new pod's forward to a dead cgroup.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"
requires_progs
requires_cmd unshare nsenter python3 ip bpftool

T=$TEST_TMP
P=$(new_cgroup netns)
for c in flood pod gone; do
	mkdir "$P/$c" || fail "cannot create $P/$c"
	on_exit remove_cgroup "$P/$c"
done

# how many entries of the trace's map NAME name cgroup id ID (tests/lib/netns_entries.py)
entries() { python3 "$TESTLIB/netns_entries.py" "$tracer" "$1" "$2"; }
is_n() { [ "$(entries "$1" "$2")" = "$3" ]; }

out=$T/ns.jsonl
"$VIGIL" trace --json -o "$out" --kinds netns_connect --cgroup "$P" >"$T/trace.out" 2>"$T/trace.err" &
tracer=$!
# first at the end: the trace, then the workloads, each waited for (the runner checks that
# nothing of the test is left: the flood's sleeps end first, so that their shell reaps them)
floodsh=
podsh=
stop_all()
{
	kill -INT "$tracer" 2>/dev/null && wait "$tracer"
	touch "$T/done"
	for p in $(cat "$P/flood/cgroup.procs"); do
		[ "$p" = "$floodsh" ] || kill "$p"
	done
	[ -z "$floodsh" ] || wait "$floodsh"
	[ -z "$podsh" ] || wait "$podsh"
}
on_exit stop_all
wait_until 20 test -e "$out" || fail "the trace did not start: $(cat "$T/trace.err")"

# 1. the flood: 40 namespaces, each kept by a sleep that unshare -n execs in it
sh -c 'echo $$ >"$1/cgroup.procs"; i=0
while [ $i -lt 40 ]; do unshare -n sleep 300 & i=$((i + 1)); done; wait' sh "$P/flood" &
floodsh=$!
flood=$(cgroup_id "$P/flood")
# every sleep running (in its namespace): 40 + the shell
wait_until 20 sh -c '[ "$(grep -c . "$1/cgroup.procs")" -ge 41 ] &&
	[ "$(for p in $(cat "$1/cgroup.procs"); do cat /proc/$p/comm; done | grep -c "^sleep")" -ge 40 ]' \
	sh "$P/flood" || fail "the flood did not start its namespaces"
n=$(entries netns_wl "$flood") || fail "cannot read netns_wl"
assert_eq 16 "$n" "the flooding cgroup's entries (40 namespaces, the cap)"
assert_eq 1 "$(entries netns_own "$flood")" "the flooding cgroup's index"

# 2. a pod made after the flood is still noted, and a forward into it is its record
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
# alive to the end: a freed namespace's inode number is soon another's (step 3's)
while not os.path.exists(d + "/done"):
    time.sleep(0.05)
PY
sh -c 'echo $$ >"$1/cgroup.procs"; exec unshare -n sh -c "ip link set lo up && exec python3 \"\$0\" \"\$1\"" "$2" "$3"' \
	sh "$P/pod" "$T/srv.py" "$T" &
podsh=$!
wait_until 20 test -s "$T/port" || fail "the pod did not listen"
read -r port wpid <"$T/port"
pod=$(cgroup_id "$P/pod")
assert_eq 1 "$(entries netns_wl "$pod")" "the pod's entry"
nsenter --net="/proc/$wpid/ns/net" python3 -c 'import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); s.send(b"x"); s.close()' "$port" ||
	fail "nsenter connect failed"
wait_until 10 grep -q netns_connect "$out" ||
	fail "no netns_connect record for the forward into the pod: $(cat "$out")"
expect 1 "$out" kind=netns_connect "workload.cgroup_id=$pod" event.addr=127.0.0.1 "event.port=$port"

# 3. a gone cgroup's entry goes (no unwatch names it: the sensor prunes it)
sh -c 'echo $$ >"$1/cgroup.procs"; exec unshare -n sleep 300' sh "$P/gone" &
gone=$(cgroup_id "$P/gone")
wait_until 10 is_n netns_wl "$gone" 1 || fail "the gone cgroup's namespace was not noted: $(entries netns_wl "$gone"); $(cat "$P/gone/cgroup.procs")"
remove_cgroup "$P/gone" || fail "cannot remove $P/gone"
wait_until 15 is_n netns_wl "$gone" 0 || fail "a removed cgroup's netns_wl entry stayed"
assert_eq 0 "$(entries netns_own "$gone")" "a removed cgroup's netns_own entry"
assert_eq 1 "$(entries netns_wl "$pod")" "the live pod's entry (not pruned)"
assert_eq 16 "$(entries netns_wl "$flood")" "the live flood's entries (not pruned)"

# the refused notes are counted: table drops, reported (V0002 in the agent)
stop_all
tables=$(sed -n 's/.*tables \([0-9]*\)).*/\1/p' "$T/trace.err")
assert_ge "${tables:-0}" 24 "table drops (40 namespaces, 16 noted): $(cat "$T/trace.err")"
log "a flood of namespaces stops at the cap, a later pod is noted and its forward seen, a gone cgroup's entry goes"
