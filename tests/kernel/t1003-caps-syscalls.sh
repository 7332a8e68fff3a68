#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Capabilities used (cap_capable) and the syscall set of a known program, learned in the
# kernel's per-workload bitmap (one event per first use, none per call).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"
requires_progs

out=$TEST_TMP/cap.jsonl
TRACE_OPTS=(--kinds capability)
trace_json "$out" "$PROGS/cap_use" net_raw
assert_eq 0 "$TRACE_RC" "cap_use status"
expect 1 "$out" kind=capability event.capability=CAP_NET_RAW event.cap=13 event.ret=0 \
	process.comm=cap_use
# reported once per workload however often the kernel checks it
assert_eq 1 "$(json_count "$out" event.capability=CAP_NET_RAW)" "CAP_NET_RAW events"

out=$TEST_TMP/sys.jsonl
TRACE_OPTS=(--kinds syscall --summary)
trace_json "$out" "$PROGS/syscall_set"
assert_eq 0 "$TRACE_RC" "syscall_set status"
for s in getpid getppid getuid geteuid getgid getegid uname getcwd sched_yield execve exit_group; do
	assert_eq 1 "$(json_count "$out" kind=syscall "event.syscall=$s")" "first-use events of $s"
done
expect 1 "$out" kind=syscall event.syscall=getpid event.nr=39
for s in sysinfo times getpriority; do
	expect_none "$out" kind=syscall "event.syscall=$s"
done
# one more syscall in the program is one more syscall in the set
out2=$TEST_TMP/sys2.jsonl
TRACE_OPTS=(--kinds syscall)
trace_json "$out2" "$PROGS/syscall_set" sysinfo
expect 1 "$out2" kind=syscall event.syscall=sysinfo
assert_eq "$(($(json_count "$out" kind=syscall) + 1))" "$(json_count "$out2" kind=syscall)" \
	"syscall set size with one extra"

# the kernel's bitmaps, read back through the API (trace --summary), hold the same set, and
# the io_uring opcode set of a program that uses only OPENAT, READ and CLOSE
for s in getpid getppid getuid geteuid getgid getegid uname getcwd sched_yield; do
	expect 1 "$out" kind=summary "syscalls=$s"
done
expect_none "$out" kind=summary syscalls=sysinfo
out4=$TEST_TMP/sum.jsonl
TRACE_OPTS=(--kinds exit --summary)
echo data >"$TEST_TMP/f"
trace_json "$out4" "$PROGS/iouring_openat" "$TEST_TMP/f"
assert_eq '["CLOSE","OPENAT","READ"]' \
	"$(json_get "$out4" iouring_ops kind=summary | python3 -c 'import json,sys; print(json.dumps(sorted(json.load(sys.stdin)),separators=(",",":")))')" \
	"io_uring opcode set"
expect 1 "$out4" kind=summary syscalls=io_uring_setup
expect_none "$out4" kind=summary syscalls=openat

# allow mode: with the learned set loaded before the program starts, only the syscalls outside
# it reach user space, once each
set=$(json_get "$out" event.syscall kind=syscall | paste -sd, -)
out3=$TEST_TMP/sys3.jsonl
TRACE_OPTS=(--kinds syscall --allow-syscalls "$set")
trace_json "$out3" "$PROGS/syscall_set" sysinfo getpriority sysinfo
assert_eq 0 "$TRACE_RC" "syscall_set status in allow mode"
assert_eq 2 "$(json_count "$out3" kind=syscall)" "syscall events in allow mode"
expect 1 "$out3" kind=syscall event.syscall=sysinfo
expect 1 "$out3" kind=syscall event.syscall=getpriority
echo ok
