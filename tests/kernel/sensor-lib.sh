# shellcheck shell=bash
# SPDX-License-Identifier: Apache-2.0
# Shared by the sensor's kernel tests (t1000-t1999): source after tests/lib/common.sh.
#
#   trace_json OUT CMD [ARGS...]   runs CMD as its own workload under `vigil trace --json`,
#                                  events to OUT, CMD's output to OUT.cmd; sets TRACE_RC (the
#                                  command's exit status) and TRACE_ERR (vigil's stderr file)
#   expect N OUT COND...          at least N events of OUT match every COND (jsonl.py syntax)
#   expect_none OUT COND...       no event matches
#   etc_ns_new                    (again) a mount namespace whose /etc is a tmpfs holding shadow
#                                 ("secret") and allowed ("ok"), never the host's files; enter
#                                 it with nsenter --mount="$ETC_NS"

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

# The workload's own /etc: a tmpfs in a mount namespace of its own, made (and filled) before
# the workload runs, so that the files' creation is not part of what it learns. The namespace
# is kept by a bind mount on $ETC_NS (in a private mount), undone when the test ends.
ETC_NS=
etc_ns_new()
{
	if [ -z "$ETC_NS" ]; then
		local d=$TEST_TMP/nsd
		mkdir "$d"
		mount --bind "$d" "$d"
		on_exit umount -l "$d"
		mount --make-private "$d"
		touch "$d/mnt"
		ETC_NS=$d/mnt
		on_exit umount -l "$ETC_NS"
	fi
	umount "$ETC_NS" 2>/dev/null || true
	unshare --mount="$ETC_NS" sh -c \
		'mount -t tmpfs vg /etc && echo secret >/etc/shadow && echo ok >/etc/allowed'
}
