#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# exec, fork and exit of a command run as its own workload: every field of the exec event,
# the workload it is attributed to, and trace ending with the command's exit status.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"

mkdir "$TEST_TMP/work dir"
out=$TEST_TMP/exec.jsonl
trace_json "$out" /bin/sh -c "cd '$TEST_TMP/work dir' && /bin/true && exec /bin/echo alpha 'beta gamma'"
assert_eq 0 "$TRACE_RC" "trace exit status"
assert_contains "$(cat "$out.cmd")" "alpha beta gamma"

expect 1 "$out" kind=exec event.path=/usr/bin/echo process.args.0=/bin/echo process.args.1=alpha \
	"process.args.2=beta gamma" "process.cwd=$TEST_TMP/work dir" process.comm=echo process.uid=0 \
	process.gid=0 event.upper_layer=false event.memfd=false workload.cgroup~/vigil/ \
	workload.container_id=
# the shell is the first exec; echo replaces it (same pid), true ran in a forked child
sh_pid=$(json_get "$out" process.pid kind=exec process.args.0=/bin/sh | head -n 1)
[ -n "$sh_pid" ] || fail "no exec of the shell"
expect 1 "$out" kind=exec event.path=/usr/bin/echo "process.pid=$sh_pid"
child=$(json_get "$out" event.child_pid kind=fork "process.pid=$sh_pid" | head -n 1)
[ -n "$child" ] || fail "no fork event from the shell"
expect 1 "$out" kind=exec event.path=/usr/bin/true "process.pid=$child" "process.ppid=$sh_pid"
expect 1 "$out" kind=exit "process.pid=$child" event.code=0
expect 1 "$out" kind=exit "process.pid=$sh_pid" process.exe=/usr/bin/echo
# every event belongs to the command's cgroup, none to another workload
cg=$(json_get "$out" workload.cgroup_id | sort -u)
assert_eq 1 "$(echo "$cg" | wc -l)" "distinct workloads"
start=$(json_get "$out" process.start_ns kind=exec "process.pid=$sh_pid" | sort -u | wc -l)
assert_eq 1 "$start" "start time of one process"

# trace exits with the command's status
trace_json "$TEST_TMP/rc.jsonl" /bin/sh -c 'exit 7'
assert_eq 7 "$TRACE_RC" "trace exit status of a failing command"
# a command that cannot run is an error (2), with a message
rc=0
"$VIGIL" trace -o /dev/null -- /nonexistent/cmd 2>"$TEST_TMP/err" || rc=$?
assert_eq 2 "$rc" "exit status for a missing command"
assert_contains "$(cat "$TEST_TMP/err")" "cannot run /nonexistent/cmd"
echo ok
