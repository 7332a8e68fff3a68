#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The raw_tp twins of every hook (the fallback when tp_btf programs do not load) produce the
# same events: forced with VIGIL_HOOKS=raw_tp, reported by vigil status as a fallback. And the
# fallback is not taken when nothing forces it: every tp_btf program loads on this kernel (a
# verifier refusal of one would silently switch every hook to raw_tp).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"
requires_progs

st=$(VIGIL_HOOKS= "$VIGIL" status --sample 0)
assert_not_contains "$st" "fallback"
assert_contains "$st" "sys_exit               attached (tp_btf)"

export VIGIL_HOOKS=raw_tp
st=$("$VIGIL" status --sample 0)
assert_contains "$st" "sys_enter              fallback: raw_tp (forced)"
# 11 sensor hooks + 3 zoom capture hooks (bpf/zoom.bpf.c)
assert_contains "$st" "14 attached, 0 failed"

echo data >"$TEST_TMP/f"
out=$TEST_TMP/raw.jsonl
TRACE_OPTS=(--kinds exec,open,exit,syscall,iouring_op)
trace_json "$out" /bin/sh -c "cat '$TEST_TMP/f' >/dev/null; '$PROGS/iouring_openat' '$TEST_TMP/f'"
assert_eq 0 "$TRACE_RC" "command status"
expect 1 "$out" kind=exec event.path=/usr/bin/cat "process.args.1=$TEST_TMP/f"
expect 1 "$out" kind=open "event.path=$TEST_TMP/f" event.ret!=-2 event.via_iouring!=true
expect 1 "$out" kind=open "event.path=$TEST_TMP/f" event.via_iouring=true
expect 1 "$out" kind=syscall event.syscall=openat
expect 1 "$out" kind=iouring_op event.op=OPENAT
expect 1 "$out" kind=exit process.exe=/usr/bin/cat event.code=0
echo ok
