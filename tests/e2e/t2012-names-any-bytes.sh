#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2012: a name is any bytes. A program named with a byte that is not UTF-8 (0xff), a file
# opened under such a name and a process that renames itself (comm) with such bytes must each
# raise their alert, shown with the byte as \xNN; and the watch must go on to the next event.
# Before: jansson refused the text, the alert was lost and `vigil watch` (and the agent) stopped
# with "reading events: Cannot allocate memory" — one odd file name blinded the sensor.
. "$(dirname "$0")/../lib/common.sh"
requires_root
vigil_has watch || skip "vigil watch is not part of this build"

PROFILE=$TEST_TMP/true.yaml
"$VIGIL" learn --out "$PROFILE" --name anybytes -- /bin/true 2>"$TEST_TMP/learn.err" ||
	fail "vigil learn failed: $(cat "$TEST_TMP/learn.err")"

# R0002 judges Kubescape's directories (/opt among them): the odd file name lives there
W=$(mktemp -d /opt/vigil-t2012.XXXXXX)
on_exit rm -rf "$W"
DRIVE=$TEST_TMP/drive.sh
cat >"$DRIVE" <<EOF
#!/bin/sh
cd "$W"
cp /bin/true "./x\$(printf '\377')"
"./x\$(printf '\377')"
echo hi >"./f\$(printf '\376')"
cat "./f\$(printf '\376')" >/dev/null
printf 'n\375m' >/proc/\$\$/comm
read l </etc/hostname
cp /bin/true ./after
./after
exit 0
EOF
chmod +x "$DRIVE"

ALERTS=$TEST_TMP/alerts.jsonl
set +e
"$VIGIL" watch --profile "$PROFILE" --name anybytes --cooldown 0 --enable all \
	--alerts "file:$ALERTS" -- /bin/sh "$DRIVE" >"$TEST_TMP/watch.out" 2>"$TEST_TMP/watch.err"
RC=$?
set -e
assert_eq 1 "$RC" "watch exit status (alerts raised, no error): $(cat "$TEST_TMP/watch.err")"
if grep -q "reading events" "$TEST_TMP/watch.err"; then
	fail "the watch stopped: $(cat "$TEST_TMP/watch.err")"
fi

python3 - "$ALERTS" "$W" <<'EOF'
import json, sys
alerts = [json.loads(l) for l in open(sys.argv[1])]
w = sys.argv[2]
def has(pred, what):
    if not any(pred(a) for a in alerts):
        sys.exit("no alert for %s; got:\n%s" % (what, "\n".join(
            "%s %s %s" % (a["rule_id"], a["process"]["exe"], a["event"].get("path", "")) for a in alerts)))
# the workload copied each program it runs: drop-and-execute (R1001) is their alert
has(lambda a: a["rule_id"] == "R1001" and a["event"].get("path") == w + "/x\\xff",
    "the exec of x\\xff (R1001, path with \\xff)")
has(lambda a: a["event"].get("type") == "open" and a["event"].get("path") == w + "/f\\xfe",
    "the open of f\\xfe (R0002)")
has(lambda a: a["process"]["comm"] == "n\\xfdm", "an event of the process renamed n\\xfdm")
has(lambda a: a["rule_id"] == "R1001" and a["event"].get("path") == w + "/after",
    "the exec after them (the watch went on)")
if any(a.get("encoding_failed") for a in alerts):
    sys.exit("an alert was sent bare (encoding failed)")
print("alerts:", len(alerts))
EOF
echo ok
