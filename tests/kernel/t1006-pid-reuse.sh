#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A pid reused by a new process (clone3 set_tid) is not confused with the old one: processes
# are keyed by (pid, start time), so each exec and exit names the right program and args.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"
requires_progs

out=$TEST_TMP/reuse.jsonl
TRACE_OPTS=(--kinds exec,exit,fork)
trace_json "$out" "$PROGS/pid_reuse" /bin/cat /etc/hostname -- /bin/echo reused
assert_eq 0 "$TRACE_RC" "pid_reuse status"
p=$(awk '/^pid [0-9]+$/ { print $2 }' "$out.cmd")
[ -n "$p" ] || fail "pid_reuse did not print the pid: $(cat "$out.cmd")"
a_start=$(json_get "$out" process.start_ns kind=exec "process.pid=$p" event.path=/usr/bin/cat)
b_start=$(json_get "$out" process.start_ns kind=exec "process.pid=$p" event.path=/usr/bin/echo)
[ -n "$a_start" ] && [ -n "$b_start" ] || fail "missing exec of pid $p: $(cat "$out")"
assert_ne "$a_start" "$b_start" "start times of the two processes with pid $p"
expect 1 "$out" kind=exit "process.pid=$p" "process.start_ns=$a_start" process.exe=/usr/bin/cat \
	process.args.1=/etc/hostname
expect 1 "$out" kind=exit "process.pid=$p" "process.start_ns=$b_start" process.exe=/usr/bin/echo \
	process.args.1=reused
expect_none "$out" "process.start_ns=$b_start" process.exe=/usr/bin/cat
expect_none "$out" "process.start_ns=$a_start" process.exe=/usr/bin/echo
echo ok
