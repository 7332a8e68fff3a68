#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# t1042 (red team): another process's memory without ptrace(2). process_vm_writev injects code
# (and process_vm_readv steals secrets) with the permission PTRACE_ATTACH needs, and no ptrace
# event: R1015, as ptrace is. Before, it was R0003 of severity 1 (or nothing, when the program
# was known and the profile listed no syscalls). A learned run that does not touch its child
# stays quiet.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"
requires_progs

T=$TEST_TMP
P=$T/profile.yaml
"$VIGIL" learn --out "$P" --name vm -- "$PROGS/red_vm_write" none 2>"$T/learn.err" ||
	fail "learn: $(cat "$T/learn.err")"
for how in none write read; do
	A=$T/alerts-$how.jsonl
	"$VIGIL" watch --profile "$P" --alerts "file:$A" --cooldown 0 --burst 0 -- \
		"$PROGS/red_vm_write" "$how" >"$T/$how.out" 2>"$T/$how.err" || true
	touch "$A"
	case $how in
	none) assert_eq 0 "$(json_count "$A")" "alerts for a learned run: $(cat "$A")" ;;
	write)
		assert_file_contains "$T/$how.out" "word 42"
		assert_eq 1 "$(json_count "$A" rule_id=R1015 key=process_vm_writev severity=5)" \
			"R1015 for process_vm_writev: $(cat "$A")"
		;;
	read)
		assert_eq 1 "$(json_count "$A" rule_id=R1015 key=process_vm_readv)" \
			"R1015 for process_vm_readv: $(cat "$A")"
		;;
	esac
	assert_eq 0 "$(json_count "$A" rule_id=R0003 "key~process_vm")" "R0003 as well: $(cat "$A")"
done
echo ok
