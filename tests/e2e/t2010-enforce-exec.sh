#!/usr/bin/env bash
# Enforcement of exec deviations in the kernel (`vigil watch --enforce`, docs/ENFORCEMENT.md).
# A shell workload is learned; then it runs a program its profile never saw (/usr/bin/touch
# writing a marker). dry-run: the program runs (marker there), the alert says would-kill.
# kill: SIGKILL at sched_process_exec, before touch's first instruction: the marker is absent,
# the shell goes on (its own marker is written), the alert says killed. A partial or learning
# profile is never enforced; the node-wide switch file turns killing off; past the per-workload
# budget (10 kills a minute) it falls back to alerts; a fileless exec (memfd, R1005) and a
# program run from /dev/shm (R1000) are killed.
. "$(dirname "$0")/../lib/common.sh"
requires_root
requires_progs
vigil_has watch || skip "vigil watch is not part of this build"

MODE=$TEST_TMP/mode
M=$TEST_TMP/markers
mkdir -p "$M"
cat >"$TEST_TMP/drive.sh" <<EOS
#!/bin/sh
cat /etc/hostname >/dev/null
case "\$(cat "$MODE")" in
attack) /usr/bin/touch "$M/touched" ;;
memfd) "$PROGS/memfd_exec" /usr/bin/touch touch "$M/memfd" ;;
devshm) "$PROGS/devshm_exec" /dev/shm /bin/true >"$M/devshm.out" ;;
burst) for i in 1 2 3 4 5 6 7 8 9 10 11 12; do /usr/bin/touch "$M/burst.\$i"; done ;;
esac
echo end >"$M/end"
EOS

echo benign >"$MODE"
"$VIGIL" learn --out "$TEST_TMP/p.yaml" --name drive -- /bin/sh "$TEST_TMP/drive.sh" \
	2>"$TEST_TMP/learn.err" || fail "learn: $(cat "$TEST_TMP/learn.err")"
assert_file_contains "$TEST_TMP/p.yaml" "kubescape.io/completion: complete"

# watch NAME PROFILE MODE [OPTIONS...]: one run of the workload; alerts in $TEST_TMP/NAME.jsonl
watch()
{
	local name=$1 profile=$2 mode=$3
	shift 3
	rm -f "$M"/*
	echo "$mode" >"$MODE"
	"$VIGIL" watch --profile "$profile" --alerts "file:$TEST_TMP/$name.jsonl" --cooldown 0s \
		--enforce-switch "$TEST_TMP/switch" "$@" -- /bin/sh "$TEST_TMP/drive.sh" \
		>"$TEST_TMP/$name.out" 2>"$TEST_TMP/$name.err" && fail "$name: no alert"
	[ -f "$M/end" ] || fail "$name: the workload itself did not run to its end: $(cat "$TEST_TMP/$name.err")"
}
alerts() { json_count "$TEST_TMP/$1.jsonl" "${@:2}"; }

# 1. dry-run: the attack completes, the alert says would-kill
watch dry "$TEST_TMP/p.yaml" attack --enforce R0001
[ -f "$M/touched" ] || fail "dry-run: touch did not run"
assert_eq 1 "$(alerts dry rule_id=R0001 event.path=/usr/bin/touch action=would-kill action_reason=dry-run)" \
	"dry-run alert: $(cat "$TEST_TMP/dry.jsonl")"

# 2. kill: the unexpected program never runs, the workload goes on, the alert says killed and
# opens an incident with the usual evidence
watch kill "$TEST_TMP/p.yaml" attack --enforce R0001 --enforce-mode kill \
	--evidence "sqlite:$TEST_TMP/evidence.db"
[ ! -e "$M/touched" ] || fail "kill: touch ran and wrote its marker"
assert_eq 1 "$(alerts kill rule_id=R0001 event.path=/usr/bin/touch action=killed)" \
	"kill alert: $(cat "$TEST_TMP/kill.jsonl")"
assert_eq 0 "$(alerts kill action=killed event.path!=/usr/bin/touch)" "nothing else killed"
assert_contains "$(cat "$TEST_TMP/kill.err")" "enforcing R0001 (kill)" "watch says it enforces"
inc=$(json_get "$TEST_TMP/kill.jsonl" incident_id action=killed)
[ -n "$inc" ] || fail "the kill's alert opened no incident: $(cat "$TEST_TMP/kill.jsonl")"
"$VIGIL" evidence show "$inc" --store "sqlite:$TEST_TMP/evidence.db" >"$TEST_TMP/report.txt" ||
	fail "no incident $inc in the store"
assert_file_contains "$TEST_TMP/report.txt" "/usr/bin/touch"

# 3. a partial or learning profile is never enforced: alerts only
for rail in "kubescape.io/completion: partial" "kubescape.io/status: learning"; do
	sed -e "s|${rail%%: *}: .*|${rail}|" "$TEST_TMP/p.yaml" >"$TEST_TMP/rail.yaml"
	grep -q "$rail" "$TEST_TMP/rail.yaml" || fail "could not make a profile with $rail"
	watch rail "$TEST_TMP/rail.yaml" attack --enforce R0001 --enforce-mode kill
	[ -f "$M/touched" ] || fail "$rail: enforced anyway"
	assert_eq 1 "$(alerts rail rule_id=R0001 event.path=/usr/bin/touch)" "$rail: still alerted"
	assert_eq 0 "$(alerts rail action?)" "$rail: no action recorded"
	assert_contains "$(cat "$TEST_TMP/rail.err")" "not enforcing" "$rail: watch says why"
	rm -f "$TEST_TMP/rail.jsonl"
done

# 4. the node-wide switch: while the file exists nothing is killed
touch "$TEST_TMP/switch"
watch off "$TEST_TMP/p.yaml" attack --enforce R0001 --enforce-mode kill
rm -f "$TEST_TMP/switch"
[ -f "$M/touched" ] || fail "switch off: touch was killed anyway"
assert_eq 1 "$(alerts off rule_id=R0001 action=would-kill action_reason=switch-off)" \
	"switch alert: $(cat "$TEST_TMP/off.jsonl")"

# 5. the per-workload budget: 10 kills, then alerts only
watch burst "$TEST_TMP/p.yaml" burst --enforce R0001 --enforce-mode kill
assert_eq 10 "$(alerts burst action=killed)" "kills within the budget"
assert_eq 2 "$(alerts burst action=would-kill action_reason=rate-limit)" "past the budget"
assert_eq 2 "$(find "$M" -name 'burst.*' | wc -l)" "markers of the programs past the budget"

# 6. fileless execution (R1005): the memfd program is killed, its loader is not
watch memfd "$TEST_TMP/p.yaml" memfd --enforce R1005 --enforce-mode kill
[ ! -e "$M/memfd" ] || fail "memfd: the fileless program ran"
assert_eq 1 "$(alerts memfd rule_id=R1005 action=killed)" "memfd alert: $(cat "$TEST_TMP/memfd.jsonl")"
assert_eq 0 "$(alerts memfd action=killed event.path~memfd_exec)" "the loader itself ran"
# 7. a program run from /dev/shm (R1000): killed at exec (status 128 + 9), its copier is not
watch devshm "$TEST_TMP/p.yaml" devshm --enforce R1000 --enforce-mode kill
assert_contains "$(cat "$M/devshm.out")" "status 137" "the /dev/shm program was killed"
assert_eq 1 "$(alerts devshm rule_id=R1000 action=killed)" "devshm alert: $(cat "$TEST_TMP/devshm.jsonl")"
watch devshm-dry "$TEST_TMP/p.yaml" devshm --enforce R1000
assert_contains "$(cat "$M/devshm.out")" "status 0" "dry-run: the /dev/shm program ran"
echo "ok: exec deviations killed before their first instruction; dry-run, rails, switch, budget"
