#!/usr/bin/env bash
# The same misbehaviour after its incident closed is alerted again, and each incident reaches
# the cockpit. Found by the 10-minute outage run of t8100: an incident closes (30 s after its
# last alert, or 10 min after it opened); zoom goes off for the workload, and the kernel's
# de-duplication still held the key of the incident's first deed, so every later `id` of the
# workload was suppressed in the kernel: no alert, no new incident, for as long as the LRU kept
# the key. With `cooldown: 0` every repeat must be sent (docs/DETECTION.md §5).
. "$(dirname "$0")/../lib/common.sh"
. "$TESTLIB/cockpit.sh"
requires_root
requires_btf
ensure_tracefs

store=sqlite:$TEST_TMP/cockpit.db
cockpit_start cockpit --store "$store"
cockpit_node_token "$store" node-a >"$TEST_TMP/node.token"
chmod 600 "$TEST_TMP/node.token"
api() { curl -sf --max-time 10 "$COCKPIT_URL$1"; }

d=$TEST_TMP/agent
fleet_agent_config "$d" node-a "$COCKPIT_URL" "token_file: $TEST_TMP/node.token"
spawn agent "$VIGIL" agent --config "$d/agent.yaml"
agent_pid=$SPAWNED_PID
status() { fleet_status "$d" "$1"; }
wait_until 60 fleet_detecting "$d" || fail "svc is not detecting after 60 s: $(tail -5 "$TEST_TMP/agent.log")"

touch "$d/misbehave"
wait_until 30 json_count_ge 3 "$d/alerts.jsonl" || fail "svc raises no alerts"
rm "$d/misbehave"
# the incident closes 30 s after its last alert; its report reaches the cockpit
closed() { api "/api/v1/incidents?node=node-a" | python3 -c '
import json, sys
i = json.load(sys.stdin)["incidents"]
assert len(i) == 1 and i[0]["state"] == "closed", i'; }
wait_until 90 closed || fail "the first incident is not closed in the cockpit: $(api "/api/v1/incidents?node=node-a")"
first=$(api "/api/v1/incidents?node=node-a" | python3 -c 'import json,sys; print(json.load(sys.stdin)["incidents"][0]["incident_id"])')
raised=$(json_count "$d/alerts.jsonl")
log "first incident $first closed after $raised alerts (${SECONDS}s)"

touch "$d/misbehave"
again() { [ "$(json_count "$d/alerts.jsonl")" -ge $((raised + 3)) ]; }
wait_until 30 again || fail "the same misbehaviour after the incident closed raises nothing ($(json_count "$d/alerts.jsonl") alerts, $raised before)"
rm "$d/misbehave"
new_incidents=$(json_get "$d/alerts.jsonl" incident_id | tail -n +$((raised + 1)) | sort -u)
assert_eq 1 "$(echo "$new_incidents" | wc -l)" "the new alerts share one incident"
assert_ne "$first" "$new_incidents" "the new alerts open a new incident"

# the agent stops: the open incident is reported; the cockpit holds both, and every alert once
kill -TERM $agent_pid
for ((i = 0; i < 300; i++)); do kill -0 $agent_pid 2>/dev/null || break; sleep 0.05; done
kill -0 $agent_pid 2>/dev/null && fail "the agent did not stop within 15 s"
two() { [ "$(api "/api/v1/incidents?node=node-a" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["incidents"]))')" = 2 ]; }
wait_until 10 two || fail "the cockpit does not hold both incidents: $(api "/api/v1/incidents?node=node-a")"
cockpit_ids=$(api "/api/v1/alerts?node=node-a&limit=10000" | python3 -c 'import json,sys; [print(a["alert_id"]) for a in json.load(sys.stdin)["alerts"]]' | sort)
assert_eq "$(json_get "$d/alerts.jsonl" alert_id | sort)" "$cockpit_ids" "every alert is in the cockpit once"
echo "ok: t8101-fleet-incident-again (${SECONDS}s)"
