#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Every process's exit reaches user space, also with de-duplication on (as the agent runs):
# an exit is never a repeat, and the sensor forgets a process on its exit. When four runs of
# one program in one workload were de-duplicated into one exit, the other three stayed in the
# sensor's process table (issue 16: ~1 KiB per departed short-lived process, until the table's
# cap of 32 768).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"

out=$TEST_TMP/exits.jsonl
TRACE_OPTS=(--dedup --kinds exec,exit)
trace_json "$out" /bin/sh -c '/bin/true; /bin/true; /bin/true; /bin/true'
assert_eq 0 "$TRACE_RC" "sh status"
# the four runs of true are one exec with de-duplication on, but four exits of four processes
got=$(json_count "$out" kind=exit process.comm=true)
assert_eq 4 "$got" "exits of true with --dedup"
pids=$(python3 -c 'import json, sys
print(len({e["process"]["pid"] for e in map(json.loads, open(sys.argv[1])) if e["kind"] == "exit" and e["process"]["comm"] == "true"}))' "$out")
assert_eq 4 "$pids" "distinct processes among those exits"
echo ok
