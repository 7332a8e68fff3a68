#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Exec into a running container from outside (R2000's fact), as the kernel captures it at the
# exec: tests/progs/enter_ns renames itself to a tool name, forks the runtime's stages ("runc",
# "runc:[1:CHILD]") and enters like a runtime's exec. The exec record carries entered, the tool
# (the first ancestor past the runtime's processes: comm and pid, exact) and how it was told:
#  - a new pid namespace, the command its pid 2 (a container with its own pid namespace);
#  - the same pid namespace, the command moved into a child cgroup beside a process already
#    there by a runtime-named parent outside it (a hostPID container): entered_host_pid;
#  - the hostPID shape when the runtime returned before the exec (runc exits once its init
#    closed the sync pipe, just before the execve: the command is then the tool's, as an
#    orphan is): told by the note taken at the execve's call, the caller being the runtime's
#    init (comm runc:[2:INIT], its executable named runc and outside its mount namespace);
# and not: the namespace's pid 1, the only task of the child cgroup (an entrypoint), the
# runtime's stages themselves, a tool's own plain child; nor the late shape when the caller
# lacks one of the three (renamed only, a file named runc in its own mount namespace, a comm
# of its own), nor when it is alone in the child cgroup (an entrypoint whose runtime returned).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"
requires_progs
EN=$PROGS/enter_ns

# 1. pid namespace: the tool is named "conmon" here, and is the real process that started it
out=$TEST_TMP/ns.jsonl
trace_json "$out" "$EN" ns conmon /bin/echo entered-ns
assert_eq 0 "$TRACE_RC" "enter_ns ns: $(cat "$out.cmd" "$TRACE_ERR")"
tool=$(sed -n 's/^tool //p' "$out.cmd")
pid=$(sed -n 's/^entered //p' "$out.cmd")
[ -n "$tool" ] && [ -n "$pid" ] || fail "enter_ns printed no pids: $(cat "$out.cmd")"
expect 1 "$out" kind=exec event.path=/usr/bin/echo "process.pid=$pid" event.entered=true \
	event.entered_by=conmon "event.entered_pid=$tool"
assert_eq "" "$(json_get "$out" event.entered_host_pid kind=exec event.path=/usr/bin/echo)" \
	"entered_host_pid of an entry into a pid namespace"
# the namespace's pid 1 (sleep) and the tool's own exec of enter_ns: not entries
expect 1 "$out" kind=exec event.path=/usr/bin/sleep
expect_none "$out" kind=exec event.path=/usr/bin/sleep event.entered=true
expect_none "$out" kind=exec event.entered=true "process.pid!=$pid"

# 2. hostPID: same pid namespace, moved into the child cgroup beside a process already there
out=$TEST_TMP/cg.jsonl
trace_json "$out" "$EN" cgroup containerd-shim /bin/echo entered-cg
assert_eq 0 "$TRACE_RC" "enter_ns cgroup: $(cat "$out.cmd" "$TRACE_ERR")"
tool=$(sed -n 's/^tool //p' "$out.cmd")
pid=$(sed -n 's/^entered //p' "$out.cmd")
expect 1 "$out" kind=exec event.path=/usr/bin/echo "process.pid=$pid" event.entered=true \
	event.entered_host_pid=true event.entered_by=containerd-shim "event.entered_pid=$tool"
# the sleeper was alone in the child cgroup when it ran: the entrypoint's shape
expect_none "$out" kind=exec event.path=/usr/bin/sleep event.entered=true
expect_none "$out" kind=exec event.entered=true "process.pid!=$pid"

# 3. alone in the child cgroup: an entrypoint, not an entry
out=$TEST_TMP/alone.jsonl
trace_json "$out" "$EN" alone conmon /bin/echo entrypoint
assert_eq 0 "$TRACE_RC" "enter_ns alone: $(cat "$out.cmd" "$TRACE_ERR")"
expect 1 "$out" kind=exec event.path=/usr/bin/echo
expect_none "$out" kind=exec event.entered=true

# 4. the same command run twice within a second: two entries (never a repeat)
out=$TEST_TMP/twice.jsonl
trace_json "$out" /bin/sh -c "$EN ns conmon /bin/true && $EN ns conmon /bin/true"
assert_eq 0 "$TRACE_RC" "enter_ns twice: $(cat "$out.cmd" "$TRACE_ERR")"
assert_eq 2 "$(json_count "$out" kind=exec event.path=/usr/bin/true event.entered=true)" \
	"entries of one command twice"
# 5. hostPID, the runtime gone before the exec: its init's exec was noted at the call. The
#    program runs under the name runc (a copy) so that its executable is the runtime's by name.
mkdir -p "$TEST_TMP/rt"
cp "$EN" "$TEST_TMP/rt/runc"
late() { # OUT MODE [CMD...]: the late shape run by the runc copy, the tool named conmon
	local out=$1 mode=$2
	shift 2
	trace_json "$out" "$TEST_TMP/rt/runc" "$mode" conmon "$@"
	assert_eq 0 "$TRACE_RC" "enter_ns $mode: $(cat "$out.cmd" "$TRACE_ERR")"
}
out=$TEST_TMP/late.jsonl
late "$out" late /bin/echo entered-late
tool=$(sed -n 's/^tool //p' "$out.cmd")
pid=$(sed -n 's/^entered //p' "$out.cmd")
[ -n "$tool" ] && [ -n "$pid" ] || fail "enter_ns late printed no pids: $(cat "$out.cmd")"
expect 1 "$out" kind=exec event.path=/usr/bin/echo "process.pid=$pid" event.entered=true \
	event.entered_host_pid=true event.entered_by=conmon "event.entered_pid=$tool"
expect_none "$out" kind=exec event.entered=true "process.pid!=$pid"

# 6. not the runtime's init: each of its three facts missing in turn, and the entrypoint shape
#    a) renamed runc:[2:INIT], its executable not named as the runtime's (enter_ns itself)
out=$TEST_TMP/late-name.jsonl
trace_json "$out" "$EN" late conmon /bin/echo late-name
assert_eq 0 "$TRACE_RC" "enter_ns late (own name): $(cat "$out.cmd" "$TRACE_ERR")"
expect 1 "$out" kind=exec event.path=/usr/bin/echo
expect_none "$out" kind=exec event.entered=true
#    b) a file named runc in the caller's own mount namespace (a workload's)
out=$TEST_TMP/late-samens.jsonl
late "$out" late-samens /bin/echo late-samens
expect 1 "$out" kind=exec event.path=/usr/bin/echo
expect_none "$out" kind=exec event.entered=true
#    c) the runtime's executable, a comm of the caller's own
out=$TEST_TMP/late-comm.jsonl
ENTER_NS_COMM=worker late "$out" late /bin/echo late-comm
expect 1 "$out" kind=exec event.path=/usr/bin/echo
expect_none "$out" kind=exec event.entered=true
#    d) noted, but alone in the child cgroup: an entrypoint
out=$TEST_TMP/late-alone.jsonl
late "$out" late-alone /bin/echo late-alone
expect 1 "$out" kind=exec event.path=/usr/bin/echo
expect_none "$out" kind=exec event.entered=true
echo ok
