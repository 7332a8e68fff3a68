#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2104: an older signed profile that allows more is not accepted again (replay).
#  - "web" is bound to its signed profile, version 200; version 100 of it, validly signed by
#    the same key, also allows /bin/true;
#  - version 100 is put back on disk: R1016 (reason rollback), version 200 stays in force, so
#    running /bin/true raises R0001;
#  - after a restart the agent still remembers version 200: version 100 is refused again and
#    the workload is unprotected (R1016 rollback at start);
#  - the explicit override (signatures.allow_rollback: [web]) accepts version 100 after a
#    restart: no R1016, /bin/true raises nothing.
. "$(dirname "$0")/../lib/common.sh"
requires_root
vigil_has agent || skip "vigil agent is not part of this build"

PROFILES=$TEST_TMP/profiles
TRUST=$TEST_TMP/trust
CTL=$TEST_TMP/ctl
mkdir -p "$PROFILES" "$TRUST" "$CTL"
chmod 0755 "$TRUST"

# Idles until told to go, then runs /bin/true, then /usr/bin/id (allowed by no version: its
# R0001 says the agent has seen what came before it), then idles again.
LOOP="while [ ! -e $CTL/go ]; do sleep 0.1; done; /bin/true; /usr/bin/id >/dev/null; while :; do sleep 0.1; done"

"$VIGIL" learn --out "$TEST_TMP/web.yaml" --name web --duration 1500ms -- sh -c "$LOOP" \
	2>"$TEST_TMP/learn.err" || fail "vigil learn: $(cat "$TEST_TMP/learn.err")"
assert_file_contains "$TEST_TMP/web.yaml" "/usr/bin/sleep"
"$VIGIL" keygen --out "$TEST_TMP/key" 2>/dev/null || fail "keygen"
install -m 0644 "$TEST_TMP/key.pub" "$TRUST/vendor.pub"

# version 100 allows /usr/bin/true as well; version 200 (the newer) does not
python3 - "$TEST_TMP/web.yaml" "$TEST_TMP/web-more.yaml" <<'EOF'
import sys
text = open(sys.argv[1]).read()
open(sys.argv[2], "w").write(text.replace("  execs:\n", "  execs:\n  - path: /usr/bin/true\n", 1))
EOF
"$VIGIL" sign --key "$TEST_TMP/key" --profile-version 100 -o "$TEST_TMP/v100.yaml" \
	"$TEST_TMP/web-more.yaml" || fail "sign v100"
"$VIGIL" sign --key "$TEST_TMP/key" --profile-version 200 -o "$TEST_TMP/v200.yaml" \
	"$TEST_TMP/web.yaml" || fail "sign v200"
for v in 100 200; do
	"$VIGIL" verify --trust "$TRUST" "$TEST_TMP/v$v.yaml" >/dev/null || fail "v$v does not verify"
done
assert_file_contains "$TEST_TMP/v100.yaml" "vigil.dev/profile-version: '100'"
cp "$TEST_TMP/v200.yaml" "$PROFILES/web.yaml"

write_config() # ALERTS [ALLOW_ROLLBACK_LINE]
{
	cat >"$TEST_TMP/agent.yaml" <<EOF
state_dir: $TEST_TMP/state
profiles_dir: $PROFILES
include_cgroups: ["/none-$TEST_NAME/*"] # only its own commands, not other tests' containers
learning: {enabled: false}
cooldown: 1h
sinks: ["file:$1"]
status_file: $TEST_TMP/status.json
signatures:
  required: true
  trust_dir: $TRUST
${2:-}
bindings:
  - profile: web.yaml
    name: web
workloads:
  - name: web
    command: [sh, -c, "$LOOP"]
EOF
}

web_state() # prints the state of workload "web" in the status file
{
	python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
print(" ".join(w["state"] for w in s["workloads"] if w["name"] == "web"))
' "$TEST_TMP/status.json" 2>/dev/null
}
web_is() { [ "$(web_state)" = "$1" ]; }

# ---- 1. the replay while the agent runs -----------------------------------------------------
A1=$TEST_TMP/alerts1.jsonl
write_config "$A1"
on_exit end_agent_commands "$TEST_TMP/state"
spawn agent1 "$VIGIL" agent --config "$TEST_TMP/agent.yaml"
AGENT=$SPAWNED_PID
wait_for_line "$TEST_TMP/agent1.log" "web: detecting with $PROFILES/web.yaml" 20
cp "$TEST_TMP/v100.yaml" "$PROFILES/web.yaml.new"
mv "$PROFILES/web.yaml.new" "$PROFILES/web.yaml"
wait_until 10 json_count_ge 1 "$A1" rule_id=R1016 ||
	fail "no R1016 for the replayed version 100: $(tail -c 1500 "$TEST_TMP/agent1.log")"
[ "$(json_count "$A1" rule_id=R1016 severity=10 event.reason=rollback workload.name=web \
	"event.path=$PROFILES/web.yaml")" = 1 ] || fail "R1016 fields: $(head -c 2000 "$A1")"
assert_file_contains "$TEST_TMP/agent1.log" "older than version 200"
# version 200 is still the one in force: /bin/true is not allowed
touch "$CTL/go"
wait_until 10 json_count_ge 1 "$A1" rule_id=R0001 event.path=/usr/bin/true ||
	fail "no R0001 for /bin/true: version 100 was used: $(head -c 3000 "$A1")"
web_is detecting || fail "web state: $(web_state)"
kill -TERM "$AGENT"
wait "$AGENT" || fail "agent exit status after SIGTERM"
rm -f "$CTL/go"

# ---- 2. a restart does not forget -----------------------------------------------------------
test -s "$TEST_TMP/state/profile-versions.json" || fail "no version store in the state directory"
A2=$TEST_TMP/alerts2.jsonl
write_config "$A2"
spawn agent2 "$VIGIL" agent --config "$TEST_TMP/agent.yaml"
AGENT=$SPAWNED_PID
wait_for_line "$TEST_TMP/agent2.log" "web: unprotected" 20
wait_until 10 json_count_ge 1 "$A2" rule_id=R1016 event.reason=rollback ||
	fail "no R1016 rollback after a restart: $(tail -c 1500 "$TEST_TMP/agent2.log")"
wait_until 10 web_is unprotected || fail "web state after restart: $(web_state)"
kill -TERM "$AGENT"
wait "$AGENT" || fail "agent exit status after SIGTERM"

# ---- 3. the explicit override ---------------------------------------------------------------
A3=$TEST_TMP/alerts3.jsonl
write_config "$A3" "  allow_rollback: [web]"
spawn agent3 "$VIGIL" agent --config "$TEST_TMP/agent.yaml"
AGENT=$SPAWNED_PID
wait_for_line "$TEST_TMP/agent3.log" "web: detecting with $PROFILES/web.yaml" 20
assert_file_contains "$TEST_TMP/agent3.log" "rollback allowed"
touch "$CTL/go"
# version 100 allows /bin/true: once /usr/bin/id raised R0001, /bin/true (before it) raised nothing
wait_until 10 json_count_ge 1 "$A3" rule_id=R0001 event.path=/usr/bin/id ||
	fail "no R0001 for /usr/bin/id: $(head -c 2000 "$A3")"
[ "$(json_count "$A3" process.comm=true)" = 0 ] ||
	fail "alerts about /bin/true with version 100 allowed: $(json_filter "$A3" process.comm=true | head -c 2000)"
[ "$(json_count "$A3" rule_id=R1016)" = 0 ] || fail "R1016 with the override: $(head -c 2000 "$A3")"
kill -TERM "$AGENT"
wait "$AGENT" || fail "agent exit status after SIGTERM"
echo ok
