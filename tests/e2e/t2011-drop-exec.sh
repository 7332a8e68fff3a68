#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2011: drop-and-execute on a plain host (vigil learn / vigil watch, no container, so no
# overlay upper layer to tell): a workload that writes a file and runs it raises R1001 (high),
# whichever way the file was written (open+write, rename into place, hard link, symlink, a
# script run directly or through its interpreter, io_uring, a second thread, execveat), and a
# workload that legitimately builds and runs a helper in a fresh mktemp directory on every run
# stays quiet once learned (learn twice, watch a third run).
. "$(dirname "$0")/../lib/common.sh"
requires_root
requires_cmd cc
requires_io_uring
vigil_has watch || skip "vigil watch is not part of this build"

HELPER=$TEST_TMP/t2011-drop-exec
cc -O1 -D_GNU_SOURCE -static -o "$HELPER" "$VIGIL_ROOT/tests/e2e/t2011-drop-exec.c" -luring \
	-lpthread || fail "cannot build t2011-drop-exec"

MODE=$TEST_TMP/mode
D=$TEST_TMP/drop
PROFILE=$TEST_TMP/p.yaml
DRIVE=$TEST_TMP/drive.sh
mkdir -p "$D"
# Every run does the benign part: a fresh temp directory, a helper written there and run with
# its own path, a PID and a time as arguments, a step script written and run by sh. An attack
# mode then drops one file in $D and runs it.
cat >"$DRIVE" <<DRIVE_EOF
#!/bin/sh
t=\$(mktemp -d)
cp /bin/true "\$t/helper"
chmod +x "\$t/helper"
"\$t/helper" "\$t" "\$\$" --stamp="\$(date +%s%N)"
printf 'exit 0\n' >"\$t/step.sh"
sh "\$t/step.sh"
rm -rf "\$t"
read mode arg <"$MODE"
f=$D/x-\$mode
case \$mode in
benign) ;;
copy) cp /bin/true "\$f"; chmod +x "\$f"; "\$f" ;;
rename) cp /bin/true "$D/.tmp"; chmod +x "$D/.tmp"; mv "$D/.tmp" "\$f"; "\$f" ;;
hardlink) cp /bin/true "$D/.h"; chmod +x "$D/.h"; ln "$D/.h" "\$f"; "\$f" ;;
symlink) cp /bin/true "$D/.s"; chmod +x "$D/.s"; ln -s "$D/.s" "\$f"; "\$f" ;;
script) printf '#!/bin/sh\nexit 0\n' >"\$f"; chmod +x "\$f"; "\$f" ;;
interp) printf 'exit 0\n' >"\$f"; sh "\$f" ;;
child) (cp /bin/true "\$f"; chmod +x "\$f"); sh -c "exec \$f" ;;
uring|execveat|thread) "$HELPER" \$mode "\$f" ;;
other) /usr/bin/id >/dev/null ;;
esac
# a script is found through /proc/PID/root, or its parent's (this shell) once it is gone: the
# shell stays a while for a sensor that reads late (load)
[ "\$mode" = benign ] || sleep 2
exit 0
DRIVE_EOF
chmod +x "$DRIVE"

echo benign >"$MODE"
for i in 1 2; do
	"$VIGIL" learn --out "$PROFILE.$i" --name drop -- /bin/sh "$DRIVE" 2>"$TEST_TMP/learn.err" ||
		fail "vigil learn failed: $(cat "$TEST_TMP/learn.err")"
done
"$VIGIL" profile merge -o "$PROFILE" "$PROFILE.1" "$PROFILE.2" 2>"$TEST_TMP/merge.err" ||
	fail "profile merge: $(cat "$TEST_TMP/merge.err")"
assert_file_contains "$PROFILE" "/tmp/⋯/helper"

# watch NAME: one run under vigil watch; sets RC and ALERTS.
watch()
{
	ALERTS=$TEST_TMP/alerts-$1.jsonl
	set +e
	"$VIGIL" watch --profile "$PROFILE" --name drop --alerts "file:$ALERTS" -- /bin/sh "$DRIVE" \
		>"$TEST_TMP/watch-$1.out" 2>"$TEST_TMP/watch-$1.err"
	RC=$?
	set -e
	[ -f "$ALERTS" ] || : >"$ALERTS"
}

# A third run: new temp names, PID and time, the same behaviour: quiet.
watch benign
assert_eq 0 "$(json_count "$ALERTS")" "alerts on a benign rerun: $(head -c 2000 "$ALERTS")"
assert_eq 0 "$RC" "exit status of a benign watch ($(cat "$TEST_TMP/watch-benign.err"))"

# drop MODE FIELD=VALUE...: exactly one R1001, high, with the fields.
drop()
{
	local mode=$1 cond
	shift
	echo "$mode" >"$MODE"
	rm -rf "$D" && mkdir -p "$D"
	watch "$mode"
	assert_eq 1 "$(json_count "$ALERTS" rule_id=R1001)" \
		"R1001 alerts for $mode: $(head -c 3000 "$ALERTS")"
	assert_eq 1 "$RC" "exit status after $mode"
	for cond in "$@" severity=8; do
		[ "$(json_count "$ALERTS" rule_id=R1001 "$cond")" = 1 ] ||
			fail "$mode: no R1001 with $cond: $(grep R1001 "$ALERTS" | head -c 2000)"
	done
	log "$mode -> R1001"
}

drop copy "event.path=$D/x-copy" event.written=true event.written_how~open_write \
	"message~drop and execute"
drop rename "event.path=$D/x-rename" event.written=true
drop hardlink "event.path=$D/x-hardlink" event.written=true
drop symlink "event.path=$D/.s" event.written=true
drop script "event.script=$D/x-script" event.script_written=true
drop interp "event.script=$D/x-interp" event.script_written=true
drop child "event.path=$D/x-child" event.written=true
drop uring "event.path=$D/x-uring" event.written=true event.written_how~io_uring_write
drop execveat "event.path=$D/x-execveat" event.written=true
drop thread "event.path=$D/x-thread" event.written=true

# An unexpected program that nobody wrote is R0001, not a drop.
echo other >"$MODE"
watch other
assert_eq 0 "$(json_count "$ALERTS" rule_id=R1001)" \
	"R1001 for an untouched binary: $(head -c 2000 "$ALERTS")"
[ "$(json_count "$ALERTS" rule_id=R0001 event.path=/usr/bin/id)" -ge 1 ] ||
	fail "no R0001 for /usr/bin/id: $(head -c 2000 "$ALERTS")"
