#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2512 (issues 11, 14): a name the workload made that a profile reads as a wildcard is never
# learned as one (sensor/learn/wild.c). While learning, the workload writes a file in a real
# directory named `*` under /tmp, reads one in a directory named `*` under /opt, and runs
# `echo ⋯⋯` (an argument that is Kubescape's "any arguments"). Learned verbatim (before the
# fix), `.../x/*/f` allowed every path in the `*`'s place (zero or more segments) and
# `[echo, ⋯⋯]` any arguments, so the watched run below raised nothing. Now those entries are
# left out: the watched run that writes `.../x/other/f` raises V1102 (a write in a directory
# the profile never writes in), the read of `/opt/.../other/f` R0002 (enabled), and `echo`
# with other arguments R0001; `vigil learn` says how many entries it left out.
. "$(dirname "$0")/../lib/common.sh"
requires_root
vigil_has watch || skip "vigil watch is not part of this build"

PROFILE=$TEST_TMP/p.yaml
X=$TEST_TMP/x
OPT=/opt/vigil-t2512.$$
WORK=$TEST_TMP/work.sh
MODE=$TEST_TMP/mode
mkdir -p "$X/*" "$X/other" "$OPT/*" "$OPT/other"
on_exit rm -rf "$OPT"
echo data >"$OPT/*/f"
echo data >"$OPT/other/f"

# the same command line every run; what it does is read from $MODE
cat >"$WORK" <<EOF_WORK
#!/bin/sh
if [ "\$(cat $MODE)" = learn ]; then
	echo run >"$X/*/f"
	cat "$OPT/*/f" >/dev/null
	/bin/echo ⋯⋯ >/dev/null
else
	echo run >"$X/other/f"
	cat "$OPT/other/f" >/dev/null
	/bin/echo --upload /etc/hostname >/dev/null
fi
EOF_WORK
chmod +x "$WORK"

echo learn >"$MODE"
"$VIGIL" learn --out "$PROFILE" --name wild -- /bin/sh "$WORK" \
	2>"$TEST_TMP/learn.err" || fail "vigil learn failed: $(cat "$TEST_TMP/learn.err")"
grep -q 'left out' "$TEST_TMP/learn.err" ||
	fail "vigil learn did not say it left entries out: $(cat "$TEST_TMP/learn.err")"
# nothing the workload named became a wildcard (`*` stays plain text in cat's argument)
if grep -n -e 'path: .*\*' -e '⋯⋯' "$PROFILE"; then
	fail "a wildcard character from a name was learned: $(cat "$PROFILE")"
fi
grep -q "$X/other" "$PROFILE" && fail "learn run wrote other/f?"
log "learned: no '*' and no '⋯⋯' from the workload's names"

echo watch >"$MODE"
ALERTS=$TEST_TMP/alerts.jsonl
"$VIGIL" watch --profile "$PROFILE" --name wild --enable all --alerts "file:$ALERTS" \
	--burst 0 -- /bin/sh "$WORK" >"$TEST_TMP/watch.out" 2>"$TEST_TMP/watch.err" || true
[ -f "$ALERTS" ] || : >"$ALERTS"
[ "$(json_count "$ALERTS" rule_id=V1102 "event.path=$X/other/f")" -ge 1 ] ||
	fail "no V1102 for $X/other/f: $(head -c 3000 "$ALERTS")"
[ "$(json_count "$ALERTS" rule_id=R0002 "event.path=$OPT/other/f")" -ge 1 ] ||
	fail "no R0002 for $OPT/other/f: $(head -c 3000 "$ALERTS")"
[ "$(json_count "$ALERTS" rule_id=R0001 "process.args~--upload")" -ge 1 ] ||
	fail "no R0001 for echo --upload: $(head -c 3000 "$ALERTS")"
log "a directory named '*' and an argument '⋯⋯' learned no wildcard: other names alert"
