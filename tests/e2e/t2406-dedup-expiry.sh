#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2406: the kernel's de-duplication follows the cooldown. A workload repeats the same two
# deviations (it runs `id`, it reads /etc/shadow): with the cooldown at 0 every repeat reaches
# the detector and alerts; with a cooldown of N seconds the repeat right after the first is
# counted, and the one more than N seconds later alerts again. Before, a deviation the kernel
# had sent once was a repeat for ever: neither happened.
. "$(dirname "$0")/../lib/common.sh"
requires_root
vigil_has watch || skip "vigil watch is not part of this build"

MODE=$TEST_TMP/mode
PROFILE=$TEST_TMP/server.yaml
DRIVE=$TEST_TMP/server.sh
COOL=4 # seconds; the driver waits longer than this between its second and third deed
cat >"$DRIVE" <<SCRIPT
#!/bin/sh
deed() { /usr/bin/id >/dev/null; : </etc/shadow; }
case "\$(cat "$MODE")" in
benign)
	/bin/sleep 0.05
	;;
repeat)
	deed
	deed
	/bin/sleep $((COOL + 1))
	deed
	;;
esac
SCRIPT
chmod 755 "$DRIVE"

echo benign >"$MODE"
"$VIGIL" learn --out "$PROFILE" --name server -- /bin/sh "$DRIVE" 2>"$TEST_TMP/learn.err" ||
	fail "vigil learn failed: $(cat "$TEST_TMP/learn.err")"

echo repeat >"$MODE"
# cooldown EXPECTED: each deed's alerts
for run in "0 3" "${COOL}s 2"; do
	set -- $run
	ALERTS=$TEST_TMP/alerts-$1.jsonl
	set +e
	"$VIGIL" watch --profile "$PROFILE" --name server --cooldown "$1" --alerts "file:$ALERTS" \
		-- /bin/sh "$DRIVE" >"$TEST_TMP/watch-$1.out" 2>"$TEST_TMP/watch-$1.err"
	set -e
	[ -f "$ALERTS" ] || : >"$ALERTS"
	what="cooldown $1: $(json_get "$ALERTS" message | head -c 1500)"
	assert_eq "$2" "$(json_count "$ALERTS" rule_id=R0001 event.path=/usr/bin/id)" \
		"alerts for the exec of id ($what)"
	assert_eq "$2" "$(json_count "$ALERTS" rule_id=R0010 event.path=/etc/shadow)" \
		"alerts for the read of /etc/shadow ($what)"
	log "cooldown $1: $2 alerts for each of the three repeats"
done
# the second alert is the third deed's, after the cooldown (the driver slept COOL + 1 s)
gap=$(python3 - "$TEST_TMP/alerts-${COOL}s.jsonl" <<'PY'
import datetime, json, sys
def t(a):
    s = a["time"].rstrip("Z")
    return datetime.datetime.fromisoformat(s[:26])
ids = [json.loads(l) for l in open(sys.argv[1])]
ids = [t(a) for a in ids if a["rule_id"] == "R0001" and a["event"].get("path") == "/usr/bin/id"]
print(int((ids[1] - ids[0]).total_seconds()))
PY
)
assert_ge "$gap" "$COOL" "seconds between the two alerts for id"
echo "ok: $TEST_NAME"
