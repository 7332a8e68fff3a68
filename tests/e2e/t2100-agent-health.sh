#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2100: the agent reports its own losses as alerts, to every sink. A workload floods the sensor
# past its per-workload rate limit: V0002 "Sensor dropped events" lands in the file sink with the
# drops by cause. A webhook sink whose receiver is down (nothing listens on its port) gives up
# on those alerts after one attempt: V0001 "Alerts dropped" lands in the file sink with the
# webhook's counters. Every dropped event is reported: the V0002 alerts add up to the sensor's
# drop counter in the agent's final status file.
. "$(dirname "$0")/../lib/common.sh"
requires_root
requires_btf
requires_cmd python3
vigil_has agent || skip "vigil agent is not part of this build"

ALERTS=$TEST_TMP/alerts.jsonl
down_port=$(free_port)
cat >"$TEST_TMP/flood.py" <<'PY'
import os, sys, time
time.sleep(0.3)
# distinct paths: kernel de-duplication cannot fold them, the rate limit (20 000/s) must drop
for i in range(int(sys.argv[1])):
    try:
        os.open("/nonexistent/vigil-t2100-%d" % i, os.O_RDONLY)
    except OSError:
        pass
open(sys.argv[2], "w").close()
time.sleep(60)
PY
cat >"$TEST_TMP/agent.yaml" <<EOF
state_dir: $TEST_TMP/state
# no container of other tests: only the agent's own command is a workload
include_cgroups: ["/vigil-t2100-none-$$"]
health_interval: 500ms
learning:
  duration: 1h
sinks:
  - file:$ALERTS
  - "webhook:http://127.0.0.1:$down_port/hook;retries=1;wait=100ms"
workloads:
  - name: flood
    command: [python3, $TEST_TMP/flood.py, "100000", $TEST_TMP/flooded]
EOF
"$VIGIL" agent --check --config "$TEST_TMP/agent.yaml" || fail "config rejected"

spawn agent "$VIGIL" agent --config "$TEST_TMP/agent.yaml"
agent_pid=$SPAWNED_PID
wait_until 60 test -e "$TEST_TMP/flooded" ||
	fail "the flood did not finish: $(tail -c 1000 "$TEST_TMP/agent.log")"
has() { [ "$(json_count "$ALERTS" "$@" 2>/dev/null || echo 0)" -ge 1 ]; }
# polls, so a generous limit costs nothing when the machine is idle (a load of 25 took > 10 s)
wait_until 60 has rule_id=V0002 || fail "no V0002 in the file sink: $(tail -c 1500 "$ALERTS")"
wait_until 60 has rule_id=V0001 || fail "no V0001 in the file sink: $(tail -c 1500 "$ALERTS")"
# the flood is over; one more health period, then stop (a last check, then the last status)
sleep 1
stop_pid "$agent_pid"

python3 - "$ALERTS" "$TEST_TMP/state/status.json" "$down_port" <<'PY' || fail "alert contents"
import json, sys
alerts = [json.loads(l) for l in open(sys.argv[1])]
status = json.load(open(sys.argv[2]))
v2 = [a for a in alerts if a["rule_id"] == "V0002"]
v1 = [a for a in alerts if a["rule_id"] == "V0001"]
for a in v2:
    e = a["event"]
    assert a["rule_name"] == "Sensor dropped events" and a["severity"] == 5, a
    assert e["type"] == "health", a
    assert e["dropped"] == e["drops"]["ringbuf"] + e["drops"]["ratelimit"] + e["drops"]["table"] + e["drops"]["held"], a
    assert e["dropped"] > 0, a
reported = sum(a["event"]["dropped"] for a in v2)
# the sensor's drops and the agent's own (events of containers being named it could not hold)
total = status["sensor"]["drops"]["total"] + status["naming"]["dropped"]
assert reported == total, "V0002 reported %d drops, the sensor counted %d" % (reported, total)
assert status["sensor"]["drops"]["ratelimit"] + status["sensor"]["drops"]["ringbuf"] > 0, status
a = v1[0]
assert a["rule_name"] == "Alerts dropped" and a["event"]["type"] == "health", a
hook = [s for s in a["event"]["sinks"]
        if s["spec"].startswith("webhook:http://127.0.0.1:%s/" % sys.argv[3])]
assert hook and hook[0]["dropped"] >= 1 and hook[0]["dropped_retries"] >= 1, a["event"]["sinks"]
files = [s for s in a["event"]["sinks"] if s["spec"].startswith("file:")]
assert files and files[0]["dropped"] == 0, a["event"]["sinks"]
# the status file shows the same webhook losses, by cause
sh = [s for s in status["sinks"] if s["spec"].startswith("webhook:")][0]
assert sh["dropped"] >= 1 and sh["dropped_by"]["retries_exhausted"] == sh["dropped"], sh
print("# V0002 alerts: %d (%d drops), V0001 alerts: %d" % (len(v2), reported, len(v1)))
PY
assert_contains "$(cat "$TEST_TMP/agent.log")" "the sensor dropped" "agent log"
echo ok
