#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# t1085: a sensitive file renamed, whatever way its old name is spelled. The rename rule (R0010,
# rename events: docs/DETECTION.md) judged the old name as the program wrote it; a relative one
# was joined in user space to the cwd the process had when it started, and one relative to a
# directory descriptor (renameat, renameat2) was not joined at all, nor was io_uring's RENAMEAT
# seen: `renameat(open("/etc"), "shadow", ...)` moved /etc/shadow away unseen, and so did a
# chdir("/etc") then a relative rename. Now the kernel joins a relative old name to its
# directory (the descriptor's, or the cwd at the call), for the syscalls and io_uring alike.
# Each spelling moves /etc/shadow (a tmpfs /etc in a mount namespace of its own, never the
# host's) and raises R0010 naming it; renaming a file that is not sensitive the same ways
# raises none.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"
requires_progs
requires_io_uring
requires_cmd unshare mount nsenter

T=$TEST_TMP
X=$PROGS/rename_via
etc_ns_new
"$VIGIL" learn --out "$T/p.yaml" --name ren -- nsenter --mount="$ETC_NS" cat /etc/allowed \
	>"$T/learn.out" 2>"$T/learn.err" || fail "learn: $(cat "$T/learn.err")"

# how OLD NEW: HOW's spelling of /etc/OLD, renamed to NEW
for c in "cwd shadow moved" "dirfd shadow /etc/moved" "dirfd2 shadow moved" \
	"abs shadow /etc/moved" "uring shadow /etc/moved" \
	"cwd allowed moved" "dirfd allowed /etc/moved" "dirfd2 allowed moved" \
	"uring allowed /etc/moved"; do
	read -r how old new <<<"$c"
	etc_ns_new
	A=$T/alerts-$how-$old.jsonl
	"$VIGIL" watch --profile "$T/p.yaml" --alerts "file:$A" --cooldown 0 --burst 0 -- \
		nsenter --mount="$ETC_NS" "$X" "$how" /etc "$old" "$new" \
		>"$T/$how-$old.out" 2>"$T/$how-$old.err" || true
	touch "$A"
	assert_file_contains "$T/$how-$old.out" "renamed $old -> $new: 0"
	if [ "$old" = shadow ]; then
		assert_eq 1 "$(json_count "$A" rule_id=R0010 event.type=rename key=/etc/shadow)" \
			"R0010 for the rename ($how): $(cat "$A")"
		[ $how != uring ] || assert_eq 1 "$(json_count "$A" rule_id=R0010 event.type=rename \
			event.via_iouring=true)" "R0010 by io_uring: $(grep R0010 "$A")"
	else
		assert_eq 0 "$(json_count "$A" rule_id=R0010)" "R0010 for $old ($how): $(cat "$A")"
	fi
	log "$how $old: $(json_count "$A" rule_id=R0010) R0010"
done
echo ok
