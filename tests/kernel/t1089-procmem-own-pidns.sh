#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# t1089: R1015 (/proc/PID/mem) in a pid namespace of the workload's own, with its own /proc
# (unshare --pid --fork --mount-proc, as a container's runtime sets it up). The shell is pid 1
# there: its own memory is /proc/1/mem, which R1015 judged by the host's PID only and raised
# for (a JIT, a runtime reading /proc/self/mem in any container). Its own memory stays quiet;
# another process's (its child, pid 2 there) still raises.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"
requires_root
command -v unshare >/dev/null || skip "no unshare"

T=$TEST_TMP
P=$T/profile.yaml
# own: the namespace's pid 1 opens its own memory; other: the memory of its child (pid 2);
# both stay two seconds, so the process is still there when its open is judged
run() { unshare --pid --fork --mount-proc sh -c "$1"; }
own='exec 3</proc/1/mem && echo opened && sleep 2'
other='sleep 5 & exec 3</proc/$!/mem && echo opened $! && sleep 2; kill $!'
"$VIGIL" learn --out "$P" --name procmem -- sh -c "$(declare -f run); run '$own'; run '$other'" \
	>"$T/learn.out" 2>"$T/learn.err" || fail "learn: $(cat "$T/learn.err")"
for how in own other; do
	A=$T/alerts-$how.jsonl
	"$VIGIL" watch --profile "$P" --alerts "file:$A" --cooldown 0 --burst 0 -- \
		sh -c "$(declare -f run); run '${!how}'" >"$T/$how.out" 2>"$T/$how.err" || true
	touch "$A"
	assert_file_contains "$T/$how.out" "opened"
	case $how in
	own) assert_eq 0 "$(json_count "$A" rule_id=R1015)" \
		"R1015 for the namespace's pid 1 reading its own /proc/1/mem: $(cat "$A")" ;;
	other) assert_eq 1 "$(json_count "$A" rule_id=R1015 "key~/proc/2/mem")" \
		"R1015 for its child's /proc/2/mem: $(cat "$T/$how.out") $(cat "$A")" ;;
	esac
	log "$how: $(json_count "$A" rule_id=R1015) R1015"
done
echo ok
