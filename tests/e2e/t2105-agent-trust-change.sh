#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2105: a key removed from the trust directory stops being trusted without a restart.
#  - "web" is bound to a profile signed by "vendor", "api" to one signed by "ops": both detect;
#  - vendor.pub is removed: the agent notices (inotify), verifies again every profile in force:
#    R1016 (reason untrusted) for web, which becomes unprotected; api is untouched;
#  - vendor.pub is put back: web detects again with its profile;
#  - the directory is made writable by others: it is refused as a whole, nothing is trusted;
#    fixed again, both detect.
. "$(dirname "$0")/../lib/common.sh"
requires_root
vigil_has agent || skip "vigil agent is not part of this build"

PROFILES=$TEST_TMP/profiles
TRUST=$TEST_TMP/trust
ALERTS=$TEST_TMP/alerts.jsonl
mkdir -p "$PROFILES" "$TRUST"
chmod 0755 "$TRUST"

LOOP="while :; do sleep 0.1; done"
"$VIGIL" learn --out "$TEST_TMP/base.yaml" --name base --duration 1s -- sh -c "$LOOP" \
	2>"$TEST_TMP/learn.err" || fail "vigil learn: $(cat "$TEST_TMP/learn.err")"
for k in vendor ops; do
	"$VIGIL" keygen --out "$TEST_TMP/$k.key" 2>/dev/null || fail "keygen $k"
	install -m 0644 "$TEST_TMP/$k.key.pub" "$TRUST/$k.pub"
done
sed 's/name: base$/name: web/' "$TEST_TMP/base.yaml" >"$TEST_TMP/web.yaml"
sed 's/name: base$/name: api/' "$TEST_TMP/base.yaml" >"$TEST_TMP/api.yaml"
"$VIGIL" sign --key "$TEST_TMP/vendor.key" -o "$PROFILES/web.yaml" "$TEST_TMP/web.yaml"
"$VIGIL" sign --key "$TEST_TMP/ops.key" -o "$PROFILES/api.yaml" "$TEST_TMP/api.yaml"

cat >"$TEST_TMP/agent.yaml" <<EOF
state_dir: $TEST_TMP/state
profiles_dir: $PROFILES
include_cgroups: ["/none-$TEST_NAME/*"] # only its own commands, not other tests' containers
learning: {enabled: false}
rescan: 1h
sinks: ["file:$ALERTS"]
status_file: $TEST_TMP/status.json
signatures:
  required: true
  trust_dir: $TRUST
workloads:
  - name: web
    command: [sh, -c, "$LOOP"]
  - name: api
    command: [sh, -c, "$LOOP"]
EOF

states() # "api=STATE web=STATE" from the status file
{
	python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
print(" ".join(sorted("%s=%s" % (w["name"], w["state"]) for w in s["workloads"]
                      if w["name"] in ("web", "api"))))
' "$TEST_TMP/status.json" 2>/dev/null
}
states_are() { [ "$(states)" = "$1" ]; }

# rescan is an hour: only inotify can bring the news within the test's time
on_exit end_agent_commands "$TEST_TMP/state"
spawn agent "$VIGIL" agent --config "$TEST_TMP/agent.yaml"
wait_for_line "$TEST_TMP/agent.log" "web: detecting with $PROFILES/web.yaml" 20
wait_for_line "$TEST_TMP/agent.log" "api: detecting with $PROFILES/api.yaml" 20

rm "$TRUST/vendor.pub"
wait_until 10 json_count_ge 1 "$ALERTS" rule_id=R1016 ||
	fail "no R1016 after vendor.pub was removed: $(tail -c 1500 "$TEST_TMP/agent.log")"
[ "$(json_count "$ALERTS" rule_id=R1016 severity=10 event.reason=untrusted workload.name=web \
	"event.path=$PROFILES/web.yaml")" = 1 ] || fail "R1016 fields: $(head -c 2000 "$ALERTS")"
[ "$(json_count "$ALERTS" rule_id=R1016 workload.name=api)" = 0 ] ||
	fail "api's profile (signed by ops) was refused: $(head -c 2000 "$ALERTS")"
wait_until 10 states_are "api=detecting web=unprotected" || fail "states: $(states)"

install -m 0644 "$TEST_TMP/vendor.key.pub" "$TRUST/vendor.pub"
wait_until 10 states_are "api=detecting web=detecting" ||
	fail "web not detecting again with vendor.pub back: $(states); $(tail -c 1500 "$TEST_TMP/agent.log")"

chmod 0777 "$TRUST"
wait_until 10 states_are "api=unprotected web=unprotected" ||
	fail "a trust directory writable by others still trusted: $(states)"
assert_file_contains "$TEST_TMP/agent.log" "writable by group or others"
chmod 0755 "$TRUST"
wait_until 10 states_are "api=detecting web=detecting" || fail "states after the fix: $(states)"
echo ok
