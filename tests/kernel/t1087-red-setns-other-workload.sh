#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# t1087 (red team): setns into another workload's network namespace, not the host's. Two
# workloads (cgroups a and b under one traced cgroup): a's process runs in a network namespace
# of its own; b's process joins it with setns on /proc/PID/ns/net (what `nsenter -t PID -n`
# does from one container into another's network). Before: the setns record said which types
# changed and that none was the host's, nothing more (V1105 judges the host's only). Now the
# record's `other` names CLONE_NEWNET (netns_wl: the workload whose processes run there), and
# a process of a itself joining the same namespace (its own workload's) does not set it.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"
requires_root
requires_progs
requires_cmd unshare

CG=$(new_cgroup top)
mkdir "$CG/a" "$CG/b"
on_exit rmdir "$CG/a" "$CG/b"
out=$TEST_TMP/setns.jsonl
"$VIGIL" trace --json --kinds setns,exec --cgroup "$CG" -o "$out" >"$TEST_TMP/trace.out" \
	2>"$TEST_TMP/trace.err" &
TRACE=$!
on_exit kill "$TRACE"
for _ in $(seq 100); do [ -e "$out" ] && break; sleep 0.1; done
[ -e "$out" ] || fail "the sensor did not start: $(cat "$TEST_TMP/trace.err")"

# a: a network namespace of its own (the exec in it notes it as a's)
sh -c 'echo $$ >"$1/cgroup.procs" && exec unshare -n sleep 30' sh "$CG/a" &
A=$!
on_exit kill "$A"
# a's sleep runs in its own namespace and is asleep, so past its exec (the hook that notes the
# namespace as a's): waited for, bounded; the joins below went on after 5 s regardless before.
# Asleep: in clock_nanosleep or nanosleep (x86_64 230, 35; arm64 115, 101).
a_ready() {
	[ "$(readlink "/proc/$A/ns/net")" != "$(readlink /proc/self/ns/net)" ] &&
		[ "$(readlink "/proc/$A/exe")" = "$(readlink -f /bin/sleep)" ] &&
		case $(cut -d' ' -f1 "/proc/$A/syscall") in 230 | 35 | 115 | 101) true ;; *) false ;; esac
}
wait_until 20 a_ready || fail "a's sleep never ran in a network namespace of its own"
# b joins it (another workload's); then a process of a joins it (its own workload's)
sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2" "$3"' sh "$CG/b" "$PROGS/setns_join" "/proc/$A/ns/net" ||
	fail "setns from b failed"
sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2" "$3"' sh "$CG/a" "$PROGS/setns_join" "/proc/$A/ns/net" ||
	fail "setns from a failed"
sleep 1
kill "$TRACE" "$A" 2>/dev/null || true
wait "$TRACE" "$A" 2>/dev/null || true

b_id=$(cgroup_id "$CG/b")
a_id=$(cgroup_id "$CG/a")
assert_eq 1 "$(json_count "$out" kind=setns "workload.cgroup_id=$b_id" event.other~CLONE_NEWNET)" \
	"b's setns into a's network namespace: $(grep setns "$out" | head -c 3000)"
assert_eq 1 "$(json_count "$out" kind=setns "workload.cgroup_id=$a_id" event.joined~CLONE_NEWNET)" \
	"a's own setns is seen: $(grep setns "$out" | head -c 3000)"
assert_eq 0 "$(json_count "$out" kind=setns "workload.cgroup_id=$a_id" event.other~CLONE_NEWNET)" \
	"a joining its own workload's namespace is not another's: $(grep setns "$out" | head -c 3000)"
log "setns into another workload's network namespace: other=CLONE_NEWNET; into its own: not"
echo ok
