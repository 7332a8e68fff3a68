#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Exec into a running container from outside (R2000's fact), as the kernel captures it at the
# exec: tests/progs/enter_ns renames itself to a tool name, forks the runtime's stages ("runc",
# "runc:[1:CHILD]") and enters like a runtime's exec. The exec record carries entered, the tool
# (the first ancestor past the runtime's processes: comm and pid, exact) and how it was told:
#  - a new pid namespace, the command its pid 2 (a container with its own pid namespace);
#  - the same pid namespace, the command moved into a child cgroup beside a process already
#    there by a runtime-named parent outside it (a hostPID container): entered_host_pid;
# and not: the namespace's pid 1, the only task of the child cgroup (an entrypoint), the
# runtime's stages themselves, a tool's own plain child.
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
echo ok
