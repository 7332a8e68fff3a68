#!/usr/bin/env bash
# The cockpit's page on data from real agents: two agents (node-a with a node token, node-b
# enrolled with a join token) watch a workload each on this machine's kernel and report to one
# cockpit; node-a's workload then misbehaves. Chromium checks what an analyst sees: both nodes
# online with this agent's version and this kernel, node-a's real hooks and workload, the
# profile it learned (its YAML names the workload's program), the alerts it raised, and an
# incident with its timeline chart. SHOTS=DIR writes screenshots there.
. "$(dirname "$0")/../lib/common.sh"
requires_root
requires_btf
ensure_tracefs
requires_cmd node
[ -x /usr/bin/chromium ] || skip "no /usr/bin/chromium (scripts/deps.sh test installs it)"
web=$VIGIL_ROOT/tests/e2e/web
if [ ! -d "$web/node_modules/playwright-core" ]; then
	(cd "$web" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error >"$TEST_TMP/npm.log" 2>&1) ||
		fail "npm ci playwright-core failed: $(tail -5 "$TEST_TMP/npm.log")"
fi
export FAIL_SHOT=$TEST_TMP/failed.png
port=$(free_port)
base=http://127.0.0.1:$port
store=sqlite:$TEST_TMP/cockpit.db
spawn cockpit "$VIGIL" cockpit --listen 127.0.0.1:$port --store $store
wait_for_http $base/api/v1/health 20
api() { curl -sf --max-time 10 "$base$1"; }

"$VIGIL" cockpit token add node-a --store $store >"$TEST_TMP/node-a.token"
"$VIGIL" cockpit join-token --store $store >"$TEST_TMP/join.token"
chmod 600 "$TEST_TMP/node-a.token" "$TEST_TMP/join.token"

# A workload that behaves while it is learned and runs /usr/bin/id when told to.
cat >"$TEST_TMP/svc.sh" <<'SH'
#!/bin/sh
echo $$ >>"$1/svc.pids"
while :; do
	if [ -e "$1/misbehave" ]; then /usr/bin/id >/dev/null; fi
	sleep 0.3
done
SH
chmod +x "$TEST_TMP/svc.sh"
kill_svcs() { local p; [ -f "$1" ] && for p in $(cat "$1"); do kill -KILL "$p" 2>/dev/null || true; done; return 0; }

for n in node-a node-b; do
	d=$TEST_TMP/$n
	mkdir -p "$d"
	on_exit kill_svcs "$d/svc.pids"
	if [ $n = node-a ]; then cred="token_file: $TEST_TMP/node-a.token"; else cred="join_token_file: $TEST_TMP/join.token"; fi
	cat >"$d/agent.yaml" <<YAML
state_dir: $d
scope: containers
include_cgroups: [/vigil-t8011-nothing/*]
learning:
  duration: 2s
cooldown: 0
health_interval: 1s
sinks: ['file:$d/alerts.jsonl']
evidence: sqlite:$d/evidence.db
workloads:
  - name: svc-$n
    command: [$TEST_TMP/svc.sh, $d]
cockpit:
  url: $base
  $cred
  node_name: $n
  heartbeat_interval: 1s
YAML
	"$VIGIL" agent --config "$d/agent.yaml" --check
	spawn agent-$n "$VIGIL" agent --config "$d/agent.yaml"
	[ $n = node-a ] && AGENT_A_PID=$SPAWNED_PID
done

detecting() { # NODE: its workload is detecting, with its profile, in the cockpit
	api "/api/v1/workloads?node=$1" | python3 -c '
import json, sys
w = [x for x in json.load(sys.stdin)["workloads"] if x["name"] == sys.argv[1]]
assert len(w) == 1 and w[0]["state"] == "detecting" and w[0]["profile"]["digest"], w' "svc-$1" 2>/dev/null
}
for n in node-a node-b; do
	wait_until 90 detecting $n || fail "$n: svc-$n is not detecting in the cockpit: $(tail -5 "$TEST_TMP/agent-$n.log")"
done
touch "$TEST_TMP/node-a/misbehave"
alerts_in() { [ "$(api "/api/v1/alerts?node=node-a&limit=100" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["alerts"]))')" -ge 5 ]; }
wait_until 60 alerts_in || fail "node-a's alerts do not reach the cockpit"
rm "$TEST_TMP/node-a/misbehave"

facts=$(python3 -c 'import json,sys; print(json.dumps({"nodes": ["node-a", "node-b"], "version": sys.argv[1], "kernel": sys.argv[2],
	"svc": sys.argv[3]}))' "$("$VIGIL" version | awk 'NR == 1 {print $2}')" "$(uname -r)" "$TEST_TMP/svc.sh")
log "facts: $facts"
node "$web/agents.mjs" $base "$facts" live || fail "real agents' data in chromium"

# node-a's agent stops: its incident's report (events and all) replaces the placeholder.
stop_pid $AGENT_A_PID
reported() { api "/api/v1/incidents?node=node-a" | grep -q '"incident_id"' && ! api "/api/v1/incidents?node=node-a" | grep -q 'has not arrived'; }
wait_until 30 reported || fail "node-a's incident report did not arrive: $(api "/api/v1/incidents?node=node-a")"
node "$web/agents.mjs" $base "$facts" incident || fail "a real incident in chromium"
echo "cockpit with real agents in chromium: ok"
