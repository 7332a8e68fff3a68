# shellcheck shell=bash
# SPDX-License-Identifier: Apache-2.0
# Shared by the sensor's kernel tests (t1000-t1999): source after tests/lib/common.sh.
#
#   trace_json OUT CMD [ARGS...]   runs CMD as its own workload under `vigil trace --json`,
#                                  events to OUT, CMD's output to OUT.cmd; sets TRACE_RC (the
#                                  command's exit status) and TRACE_ERR (vigil's stderr file)
#   expect N OUT COND...          at least N events of OUT match every COND (jsonl.py syntax)
#   expect_none OUT COND...       no event matches

requires_root
[ -x "$VIGIL" ] || fail "$VIGIL not built (make)"
[ -e /sys/kernel/btf/vmlinux ] || skip "kernel lacks BTF"

TRACE_RC=0
TRACE_ERR=
trace_json()
{
	local out=$1
	shift
	TRACE_ERR=$out.err
	TRACE_RC=0
	"$VIGIL" trace --json -o "$out" "${TRACE_OPTS[@]}" -- "$@" >"$out.cmd" 2>"$TRACE_ERR" ||
		TRACE_RC=$?
	if grep -q "cannot load BPF" "$TRACE_ERR"; then
		cat "$TRACE_ERR" >&2
		fail "the sensor did not load"
	fi
}
TRACE_OPTS=()

expect()
{
	local n=$1 out=$2 got
	shift 2
	got=$(json_count "$out" "$@")
	[ "$got" -ge "$n" ] || fail "expected >= $n events matching [$*] in $out, got $got:
$(head -c 3000 "$out")"
}

expect_none()
{
	local out=$1 got
	shift
	got=$(json_count "$out" "$@")
	[ "$got" -eq 0 ] || fail "expected no event matching [$*], got $got:
$(json_filter "$out" "$@" | head -c 2000)"
}
