#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# t1083 (red team): a descriptor taken out of another process. pidfd_getfd copies a
# descriptor another process opened (an open /etc/shadow, a connected socket) into the
# caller, with the permission PTRACE_ATTACH needs: the taker makes no open and no connect.
# Before: R0003 of severity 1 (nothing when the profile lists no syscalls). Now R1015, as
# ptrace and process_vm_writev are. A learned run that does not take it is quiet.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"
requires_progs

T=$TEST_TMP
P=$T/profile.yaml
echo data >"$T/file"
"$VIGIL" learn --out "$P" --name getfd -- "$PROGS/red2_getfd" none "$T/file" 2>"$T/learn.err" ||
	fail "learn: $(cat "$T/learn.err")"
for how in none take; do
	A=$T/alerts-$how.jsonl
	"$VIGIL" watch --profile "$P" --alerts "file:$A" --cooldown 0 --burst 0 -- \
		"$PROGS/red2_getfd" "$how" "$T/file" >"$T/$how.out" 2>"$T/$how.err" || true
	touch "$A"
	case $how in
	none) assert_eq 0 "$(json_count "$A")" "alerts for a learned run: $(cat "$A")" ;;
	take)
		assert_file_contains "$T/$how.out" "read 5 bytes"
		assert_eq 1 "$(json_count "$A" rule_id=R1015 key=pidfd_getfd severity=5)" \
			"R1015 for pidfd_getfd: $(cat "$A")"
		assert_eq 0 "$(json_count "$A" rule_id=R0003 key=pidfd_getfd)" \
			"R0003 as well: $(cat "$A")"
		;;
	esac
done
echo ok
