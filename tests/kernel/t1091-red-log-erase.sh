#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# t1091 (red team): clearing login records and system logs (T1070.002) reaches user space. The
# kernel sends `erase` records (truncate, ftruncate, unlink) only for names it was told to
# look for: shell histories, and now login records and system logs by their last component
# (wtmp, btmp, lastlog, auth.log, syslog, audit.log, ...: bpf/erase.bpf.c), so V1108 can judge
# them (user space keeps them at their /var/log paths). An application's other files make no
# record. Files here are copies under $TEST_TMP: the names are what the kernel tests.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"
requires_cmd perl truncate

TRACE_OPTS=(--kinds erase)
L=$TEST_TMP/log
mkdir -p "$L/audit"
for f in wtmp btmp auth.log app.log audit/audit.log xwtmp; do echo data >"$L/$f"; done
out=$TEST_TMP/erase.jsonl
# truncate(2) by path, ftruncate(2) by descriptor (truncate -s0), unlink
trace_json "$out" sh -c "perl -e 'truncate(\$ARGV[0], 0) or die' '$L/wtmp'; truncate -s0 '$L/btmp'; rm '$L/auth.log' '$L/audit/audit.log' '$L/app.log' '$L/xwtmp'"
expect 1 "$out" kind=erase "event.path=$L/wtmp" event.call=truncate
expect 1 "$out" kind=erase "event.path=$L/btmp" event.call=ftruncate
expect 1 "$out" kind=erase "event.path=$L/auth.log"
expect 1 "$out" kind=erase "event.path=$L/audit/audit.log"
# an application's log, and a name that only ends like one: no record
expect_none "$out" kind=erase "event.path=$L/app.log"
expect_none "$out" kind=erase "event.path=$L/xwtmp"
log "login records and system logs erased: recorded; other files: not"
