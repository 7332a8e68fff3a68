#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2301 (red team): drop-and-execute where the dropped file is never exec'd itself. The
# dynamic loader runs an ELF named in its arguments (`ld-linux-x86-64.so.2 ./x`, the file need
# not even be executable), and an interpreter runs a script whatever options come first:
# `sh -e x`, `sh -- x`, `bash -o posix x`, `python3 -W ignore x`. Before, the loader was not
# known to run a file, and the search for the file stopped at -e and --, or took an option's
# value (posix, ignore) for the file: each ran a dropped file with no R1001. Each is one
# R1001 (high) naming the file, and only one: the loader's mapping of the ELF it runs is folded
# into the exec's alert; a learned workload that writes a step script in a fresh temp
# directory and runs it with options stays quiet (learn twice, watch a third run).
. "$(dirname "$0")/../lib/common.sh"
requires_root
requires_cmd python3
vigil_has watch || skip "vigil watch is not part of this build"
LOADER=/lib64/ld-linux-x86-64.so.2
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
[ -x "$LOADER" ] || skip "no $LOADER"

MODE=$TEST_TMP/mode
D=$TEST_TMP/drop
PROFILE=$TEST_TMP/p.yaml
DRIVE=$TEST_TMP/drive.sh
mkdir -p "$D"
cat >"$DRIVE" <<DRIVE_EOF
#!/bin/sh
t=\$(mktemp -d)
printf 'exit 0\n' >"\$t/step.sh"
sh -e "\$t/step.sh"
rm -rf "\$t"
[ "\$(cat "$MODE")" = attack ] || exit 0
cp /bin/true $D/loader
$LOADER $D/loader
cp /bin/true $D/loader-argv0
$LOADER --argv0 true $D/loader-argv0
printf 'exit 0\n' >$D/sh-e
sh -e $D/sh-e
printf 'exit 0\n' >$D/sh-dashdash
sh -- $D/sh-dashdash
printf 'exit 0\n' >$D/bash-o
bash -o posix $D/bash-o
printf 'pass\n' >$D/python-W
$PY -W ignore $D/python-W
# user space finds the file a loader or interpreter ran through /proc/PID/root, or its
# parent's once it is gone: this shell stays a while for a sensor that reads late (load)
sleep 2
exit 0
DRIVE_EOF
chmod +x "$DRIVE"

echo benign >"$MODE"
for i in 1 2; do
	"$VIGIL" learn --out "$PROFILE.$i" --name interp -- /bin/sh "$DRIVE" 2>"$TEST_TMP/learn.err" ||
		fail "vigil learn failed: $(cat "$TEST_TMP/learn.err")"
done
"$VIGIL" profile merge -o "$PROFILE" "$PROFILE.1" "$PROFILE.2" 2>"$TEST_TMP/merge.err" ||
	fail "profile merge: $(cat "$TEST_TMP/merge.err")"

# watch NAME: one run under vigil watch (each alert on its own: no burst summary); sets ALERTS.
watch()
{
	ALERTS=$TEST_TMP/alerts-$1.jsonl
	"$VIGIL" watch --profile "$PROFILE" --name interp --alerts "file:$ALERTS" --burst 0 \
		-- /bin/sh "$DRIVE" \
		>"$TEST_TMP/watch-$1.out" 2>"$TEST_TMP/watch-$1.err" || true
	[ -f "$ALERTS" ] || : >"$ALERTS"
}

watch benign
assert_eq 0 "$(json_count "$ALERTS")" "alerts on a benign rerun: $(head -c 2000 "$ALERTS")"

echo attack >"$MODE"
watch attack
for f in loader loader-argv0 sh-e sh-dashdash bash-o python-W; do
	assert_eq 1 "$(json_count "$ALERTS" rule_id=R1001 severity=8 "event.script=$D/$f" \
		event.script_written=true)" "R1001 for $f: $(grep R1001 "$ALERTS" | head -c 3000)"
	log "$f -> R1001"
done
assert_eq 6 "$(json_count "$ALERTS" rule_id=R1001 event.type=exec)" \
	"R1001 alerts of execs: $(grep R1001 "$ALERTS" | head -c 3000)"
# The loader also maps the dropped ELF executable (mmap_exec, t1081): the same file in the same
# process right after its exec, folded into the exec's alert (one file, one alert).
assert_eq 0 "$(json_count "$ALERTS" rule_id=R1001 event.type=mmap_exec)" \
	"R1001 of the loader's mappings: $(grep R1001 "$ALERTS" | head -c 3000)"
assert_eq 6 "$(json_count "$ALERTS" rule_id=R1001)" "R1001 alerts: $(grep R1001 "$ALERTS" | head -c 3000)"
echo ok
