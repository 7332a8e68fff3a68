#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2102: `vigil status` of a running agent, read from the status file the agent writes by default
# (STATE_DIR/status.json): one workload learning, one detecting with its hand-written profile,
# the detection counters (an alert was raised), each sink's counters, the sensor's drops and
# the evidence store; as text and as --json. Once the agent stopped, `vigil status` says so and
# falls back to loading the sensor itself.
. "$(dirname "$0")/../lib/common.sh"
requires_root
requires_btf
vigil_has agent || skip "vigil agent is not part of this build"

mkdir -p "$TEST_TMP/profiles"
cat >"$TEST_TMP/profiles/guarded.yaml" <<'EOF'
apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1
kind: ApplicationProfile
metadata:
  name: guarded
  annotations:
    kubescape.io/managed-by: User
spec:
  containers:
  - name: guarded
    execs:
    - path: /bin/sh
EOF
ALERTS=$TEST_TMP/alerts.jsonl
cat >"$TEST_TMP/agent.yaml" <<EOF
state_dir: $TEST_TMP/state
profiles_dir: $TEST_TMP/profiles
include_cgroups: ["/vigil-t2102-none-$$"]
learning:
  duration: 1h
sinks: ["file:$ALERTS"]
evidence: sqlite:$TEST_TMP/evidence.db
workloads:
  - name: learner
    command: [/bin/sh, -c, "sleep 60"]
  - name: guarded
    command: [/bin/sh, -c, "/bin/true; sleep 60"]
EOF
spawn agent "$VIGIL" agent --config "$TEST_TMP/agent.yaml"
agent_pid=$SPAWNED_PID
has_alert() { [ "$(json_count "$ALERTS" rule_id=R0001 2>/dev/null || echo 0)" -ge 1 ]; }
wait_until 15 has_alert || fail "no R0001 from the guarded workload: $(tail -c 1000 "$TEST_TMP/agent.log")"
# the status is rewritten every 2 s: wait for one that counts the alert
raised() { "$VIGIL" status --config "$TEST_TMP/agent.yaml" --json | python3 -c '
import json, sys; sys.exit(0 if json.load(sys.stdin)["agent"]["detection"]["alerts"] >= 1 else 1)'; }
wait_until 10 raised || fail "the status never counted the alert: $(cat "$TEST_TMP/state/status.json")"

text=$("$VIGIL" status --config "$TEST_TMP/agent.yaml") || fail "vigil status failed"
log "$text"
assert_contains "$text" "agent: running, pid $agent_pid" "status text"
echo "$text" | grep -qE '^  learner +learning +cgroup /' || fail "learner line: $text"
echo "$text" | grep -qE "^  guarded +detecting +cgroup /.*, profile $TEST_TMP/profiles/guarded.yaml" ||
	fail "guarded line: $text"
echo "$text" | grep -qE '^detection: [0-9]+ events checked, [1-9][0-9]* alerts raised' ||
	fail "detection line: $text"
echo "$text" | grep -qE "^  file:$ALERTS: sent [1-9][0-9]*, queued 0, retries 0, failures 0, dropped 0 \(queue full 0, rejected 0, retries exhausted 0\)" ||
	fail "sink line: $text"
echo "$text" | grep -qE '^sensor: [0-9]+ events, drops [0-9]+ \(ring buffer [0-9]+, rate limit [0-9]+, tables [0-9]+\)' ||
	fail "sensor line: $text"
echo "$text" | grep -qE '^evidence: incidents open [1-9]' || fail "evidence line: $text"

"$VIGIL" status --status-file "$TEST_TMP/state/status.json" --json >"$TEST_TMP/status.json" ||
	fail "vigil status --json failed"
python3 - "$TEST_TMP/status.json" "$agent_pid" "$ALERTS" <<'PY' || fail "status --json: $(cat "$TEST_TMP/status.json")"
import json, sys
o = json.load(open(sys.argv[1]))["agent"]
assert o["pid"] == int(sys.argv[2]), o["pid"]
wl = {w["name"]: w for w in o["workloads"]}
assert wl["learner"]["state"] == "learning" and wl["learner"]["profile"] == "", wl
assert wl["guarded"]["state"] == "detecting" and wl["guarded"]["profile"].endswith("/guarded.yaml"), wl
assert wl["guarded"]["cgroup"].startswith("/"), wl
assert o["detection"]["alerts"] >= 1 and o["detection"]["events"] >= 1, o["detection"]
sink = o["sinks"][0]
assert sink["spec"] == "file:" + sys.argv[3] and sink["sent"] >= 1 and sink["dropped"] == 0, sink
assert set(sink["dropped_by"]) == {"queue_full", "rejected", "retries_exhausted"}, sink
assert set(o["sensor"]["drops"]) == {"total", "ringbuf", "ratelimit", "table"}, o["sensor"]
assert o["evidence"]["zoom"]["incidents_opened"] >= 1, o["evidence"]
PY

stop_pid "$agent_pid"
rc=0
"$VIGIL" status --config "$TEST_TMP/agent.yaml" --sample 0s --json >"$TEST_TMP/after.json" \
	2>"$TEST_TMP/after.err" || rc=$?
[ "$rc" = 0 ] || [ "$rc" = 1 ] || fail "vigil status without an agent: exit $rc: $(cat "$TEST_TMP/after.err")"
assert_contains "$(cat "$TEST_TMP/after.err")" "no agent running" "stderr without an agent"
python3 - "$TEST_TMP/after.json" <<'PY' || fail "fallback output: $(cat "$TEST_TMP/after.json")"
import json, sys
o = json.load(open(sys.argv[1]))
assert o["agent"] is None and "hooks" in o and "drops" in o, o
PY
echo ok
