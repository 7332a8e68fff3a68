#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2407: a shell or an interpreter copied under another name is still one (V1100, by its
# content). A service whose program (timeout: not a shell) runs a command learns a benign one;
# the attack has copied /bin/sh and perl under innocent names beforehand and makes the service
# run them: each exec is V1100 at 8, naming the shell or interpreter it is a copy of, although
# neither name is a shell's. The copies are made before the service starts (a copy made by the
# workload itself is drop-and-execute, R1001, first).
. "$(dirname "$0")/../lib/common.sh"
requires_root
requires_cmd timeout perl
vigil_has watch || skip "vigil watch is not part of this build"

MODE=$TEST_TMP/mode
PROFILE=$TEST_TMP/svc.yaml
DRIVE=$TEST_TMP/svc.sh
SH=$(readlink -f /bin/sh)
PERL=$(readlink -f "$(command -v perl)")
cp "$SH" "$TEST_TMP/logrotate-helper"
cp "$PERL" "$TEST_TMP/healthcheck"
cat >"$DRIVE" <<SCRIPT
#!/bin/sh
case "\$(cat "$MODE")" in
benign) timeout 5 /bin/true ;;
shell) timeout 5 "$TEST_TMP/logrotate-helper" -c 'id >/dev/null' ;;
perl) timeout 5 "$TEST_TMP/healthcheck" -e 'print "x"' >/dev/null ;;
esac
SCRIPT
chmod 755 "$DRIVE"

echo benign >"$MODE"
"$VIGIL" learn --out "$PROFILE" --name svc -- /bin/sh "$DRIVE" 2>"$TEST_TMP/learn.err" ||
	fail "vigil learn failed: $(cat "$TEST_TMP/learn.err")"

for run in "shell logrotate-helper $SH" "perl healthcheck $PERL"; do
	set -- $run
	echo "$1" >"$MODE"
	ALERTS=$TEST_TMP/alerts-$1.jsonl
	set +e
	"$VIGIL" watch --profile "$PROFILE" --name svc --alerts "file:$ALERTS" -- /bin/sh "$DRIVE" \
		>"$TEST_TMP/watch-$1.out" 2>"$TEST_TMP/watch-$1.err"
	set -e
	[ -f "$ALERTS" ] || : >"$ALERTS"
	what="$1: $(json_get "$ALERTS" message | head -c 1500)"
	assert_eq 1 "$(json_count "$ALERTS" rule_id=V1100 "event.path=$TEST_TMP/$2" \
		event.parent_exe=/usr/bin/timeout severity=8 "message~a copy of $3")" \
		"V1100 for the copy of $3 named $2 ($what)"
	log "$1: $(json_get "$ALERTS" message rule_id=V1100)"
done
echo "ok: $TEST_NAME"
