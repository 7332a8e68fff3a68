#!/usr/bin/env bash
# The fleet, end to end: three agents (three node names, each with its own state directory,
# credential and a misbehaving workload) report to one real cockpit. Two nodes have node
# tokens made with `vigil cockpit token add`, the third enrols itself with a join token.
# Checked: the nodes API lists the three nodes with their workloads and profiles; every alert
# of every node is in the cockpit exactly once (the alert ids of each agent's alerts.jsonl
# against the cockpit's), across a cockpit kill -9, an outage of VIGIL_FLEET_OUTAGE seconds
# (default 3; docs/AGENT.md records a 600-second run) and an agent kill -9 during it; incident
# reports arrive; a revoked node's posts are refused (401), counted on both sides, and kept in
# its spool; the agents' /metrics show the uplink and, with bpf_stats on, BPF run time.
. "$(dirname "$0")/../lib/common.sh"
requires_root
requires_btf
ensure_tracefs

OUTAGE=${VIGIL_FLEET_OUTAGE:-3}
port=$(free_port)
base=http://127.0.0.1:$port
store=sqlite:$TEST_TMP/cockpit.db
nodes=(node-a node-b node-c)

# ---- the cockpit ----------------------------------------------------------------------------
cockpit_runs=0
start_cockpit()
{
	cockpit_runs=$((cockpit_runs + 1))
	spawn cockpit$cockpit_runs "$VIGIL" cockpit --listen 127.0.0.1:$port --store $store
	COCKPIT_PID=$SPAWNED_PID
	wait_for_http $base/api/v1/health 20
}
start_cockpit
api() { curl -sf --max-time 10 "$base$1"; }

# ---- credentials ----------------------------------------------------------------------------
for n in node-a node-b; do
	"$VIGIL" cockpit token add $n --store $store >"$TEST_TMP/$n.token"
	chmod 600 "$TEST_TMP/$n.token"
done
"$VIGIL" cockpit join-token --store $store >"$TEST_TMP/join.token"
chmod 600 "$TEST_TMP/join.token"

# ---- a workload that behaves while it is learned, then misbehaves on demand -----------------
# Its own pid goes to DIR/svc.pid, so the test can end it even after its agent was killed.
cat >"$TEST_TMP/svc.sh" <<'SH'
#!/bin/sh
echo $$ >>"$1/svc.pids"
while :; do
	if [ -e "$1/misbehave" ]; then /usr/bin/id >/dev/null; fi
	sleep 0.3
done
SH
chmod +x "$TEST_TMP/svc.sh"
kill_svcs() { local f=$1 p; [ -f "$f" ] && for p in $(cat "$f"); do kill -KILL "$p" 2>/dev/null || true; done; return 0; }

agent_config()
{
	local n=$1 d=$TEST_TMP/$1 cred
	mkdir -p "$d"
	on_exit kill_svcs "$d/svc.pids"
	if [ $n = node-c ]; then cred="join_token_file: $TEST_TMP/join.token"; else cred="token_file: $TEST_TMP/$n.token"; fi
	cat >"$d/agent.yaml" <<YAML
state_dir: $d
scope: containers
include_cgroups: [/vigil-t8100-nothing/*]
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
metrics:
  listen: 127.0.0.1:0
YAML
	"$VIGIL" agent --config "$d/agent.yaml" --check
}

declare -A AGENT_PID
agent_runs=0
start_agent()
{
	agent_runs=$((agent_runs + 1))
	spawn agent-$1-$agent_runs "$VIGIL" agent --config "$TEST_TMP/$1/agent.yaml"
	AGENT_PID[$1]=$SPAWNED_PID
	AGENT_LOG[$1]=$TEST_TMP/agent-$1-$agent_runs.log
}
declare -A AGENT_LOG
for n in "${nodes[@]}"; do
	agent_config $n
	start_agent $n
done

# status.json of a node's agent: FIELD (a python expression on s)
status() { python3 -c "import json,sys; s=json.load(open(sys.argv[1])); print($2)" "$TEST_TMP/$1/status.json" 2>/dev/null; }
detecting() { [ "$(status $1 "[w['state'] for w in s['workloads'] if w['name']=='svc-$1']")" = "['detecting']" ]; }
for n in "${nodes[@]}"; do
	wait_until 60 detecting $n || fail "$n: svc-$n is not detecting after 60 s: $(tail -5 "${AGENT_LOG[$n]}")"
done
log "three agents detecting (${SECONDS}s)"

# ---- the fleet as the cockpit sees it ------------------------------------------------------
three_online()
{
	api /api/v1/nodes | python3 -c '
import json, sys
n = {x["name"]: x for x in json.load(sys.stdin)["nodes"]}
assert sorted(n) == ["node-a", "node-b", "node-c"], sorted(n)
assert all(x["status"] == "online" and x["workloads"] >= 1 for x in n.values()), n'
}
wait_until 30 three_online || fail "the nodes API does not list three online nodes: $(api /api/v1/nodes)"
for n in "${nodes[@]}"; do
	wl_ok() { api "/api/v1/workloads?node=$1" | python3 -c '
import json, sys
w = [x for x in json.load(sys.stdin)["workloads"] if x["name"] == sys.argv[1]]
assert len(w) == 1 and w[0]["state"] == "detecting", w
assert w[0]["profile"]["digest"].startswith("sha256:") and w[0]["profile"]["completion"] == "complete", w' "svc-$1"; }
	wait_until 20 wl_ok $n || fail "$n: svc-$n is not listed as detecting with its profile: $(api "/api/v1/workloads?node=$n")"
	kinds=$(api "/api/v1/profiles?node=$n" | python3 -c 'import json,sys; print(" ".join(sorted(p["kind"] for p in json.load(sys.stdin)["profiles"])))')
	assert_eq "in_force learned" "$kinds" "$n: its learned profile and the one in force"
done
assert_file_contains "$TEST_TMP/node-c/cockpit-node.token" vgn_
assert_eq 600 "$(stat -c %a "$TEST_TMP/node-c/cockpit-node.token")" "node-c's enrolled token is private"

# ---- misbehaviour, a cockpit kill -9, an outage, an agent kill -9 ---------------------------
for n in "${nodes[@]}"; do touch "$TEST_TMP/$n/misbehave"; done
for n in "${nodes[@]}"; do
	wait_until 30 json_count_ge 20 "$TEST_TMP/$n/alerts.jsonl" || fail "$n raises no alerts"
done
file_ids() { json_get "$TEST_TMP/$1/alerts.jsonl" alert_id | sort; }
kill -KILL $COCKPIT_PID
wait $COCKPIT_PID 2>/dev/null || true
log "cockpit killed (-9) at ${SECONDS}s; down for ${OUTAGE}s"
spooling() { [ "$(status $1 "s['cockpit']['spool']['items'] > 0 and not s['cockpit']['connected']")" = True ]; }
for n in "${nodes[@]}"; do
	wait_until 20 spooling $n || fail "$n does not spool while the cockpit is down: $(status $n "s['cockpit']")"
done
# node-c's agent dies too, with records in its spool; it comes back during the outage. An alert
# is in the spool one sender step after it is raised (docs/AGENT.md §11): node-c stops
# misbehaving first, and dies once every alert in its file sink is in its spool and no new one
# came for 2 s.
rm "$TEST_TMP/node-c/misbehave"
c_last=-1
c_since=$SECONDS
spooled_all()
{
	local n q
	n=$(file_ids node-c | wc -l)
	q=$(status node-c "s['cockpit']['queued']['alerts'] if s['cockpit']['waiting'] == 0 else -1")
	if [ "$n" != "$c_last" ]; then c_last=$n c_since=$SECONDS; fi
	[ "$q" = "$n" ] && [ $((SECONDS - c_since)) -ge 2 ]
}
wait_until 30 spooled_all || fail "node-c: its alerts are not all in its spool: $(status node-c "s['cockpit']")"
kill -KILL ${AGENT_PID[node-c]}
wait ${AGENT_PID[node-c]} 2>/dev/null || true
kill_svcs "$TEST_TMP/node-c/svc.pids"
rm -f "$TEST_TMP/node-c/status.json" # the dead agent's: the new one writes its own
start_agent node-c
wait_for_line "${AGENT_LOG[node-c]}" "records from an earlier run in the spool" 60
wait_until 60 detecting node-c || fail "node-c's agent did not come back: $(tail -5 "${AGENT_LOG[node-c]}")"
touch "$TEST_TMP/node-c/misbehave"
sleep "$OUTAGE"
start_cockpit
log "cockpit back (${SECONDS}s)"

# ---- node-b's token is revoked once what it raised so far is in the cockpit ------------------
rm "$TEST_TMP/node-b/misbehave"
# cockpit_ids NODE: the alert ids the cockpit holds for NODE, one a line, sorted
cockpit_ids() { api "/api/v1/alerts?node=$1&limit=10000" | python3 -c 'import json,sys; [print(a["alert_id"]) for a in json.load(sys.stdin)["alerts"]]' | sort; }
drained() { [ "$(status $1 "s['cockpit']['spool']['items'] + s['cockpit']['waiting']")" = 0 ] && [ "$(status $1 "s['cockpit']['connected']")" = True ]; }
same_ids() { [ "$(cockpit_ids $1)" = "$(file_ids $1)" ]; }
wait_until 60 drained node-b || fail "node-b does not deliver its spool: $(status node-b "s['cockpit']")"
wait_until 20 same_ids node-b || fail "node-b: the cockpit's alerts differ from alerts.jsonl"
before_revoke=$(file_ids node-b)
"$VIGIL" cockpit token revoke node-b --store $store
touch "$TEST_TMP/node-b/misbehave"
refused() { [ "$(status node-b "s['cockpit']['auth_failures'] > 0 and s['cockpit']['spool']['items'] > 0 and s['cockpit']['last_status'] == 401")" = True ]; }
wait_until 30 refused || fail "node-b's posts are not refused after revocation: $(status node-b "s['cockpit']")"
# A cockpit sees a revocation within ~1 s: what node-b raised in that second may be stored. From
# its first 401 on, nothing more is, while node-b goes on raising alerts (they wait in its spool).
after_revoke=$(cockpit_ids node-b)
[ -z "$(comm -23 <(echo "$before_revoke") <(echo "$after_revoke"))" ] || fail "node-b: alerts stored before the revocation are gone"
raised=$(file_ids node-b | wc -l)
more() { [ "$(file_ids node-b | wc -l)" -ge $((raised + 5)) ]; }
wait_until 30 more || fail "node-b raises no more alerts after its revocation"
failures=$(status node-b "s['cockpit']['auth_failures']")
refused_again() { [ "$(status node-b "s['cockpit']['auth_failures']")" -gt "$failures" ]; }
wait_until 30 refused_again || fail "node-b stops trying after its revocation: $(status node-b "s['cockpit']")"
rm "$TEST_TMP/node-b/misbehave"
assert_eq "$after_revoke" "$(cockpit_ids node-b)" "nothing of node-b's after its revocation is stored"
[ -n "$(comm -23 <(file_ids node-b) <(cockpit_ids node-b))" ] || fail "node-b's alerts after the revocation are in the cockpit"
api /metrics >"$TEST_TMP/cockpit.metrics"
revoked=$(awk '/^vigil_cockpit_rejected_total\{cause="revoked"\}/ {print $2}' "$TEST_TMP/cockpit.metrics")
assert_ge "${revoked:-0}" 1 "the cockpit counts the revoked node's requests"
assert_contains "$(api /api/v1/nodes)" '"credential":"revoked"' "the nodes API shows the revocation"

# ---- every alert of the other nodes is in the cockpit exactly once ---------------------------
for n in node-a node-c; do rm "$TEST_TMP/$n/misbehave"; done
for n in node-a node-c; do
	wait_until 60 drained $n || fail "$n does not drain its spool: $(status $n "s['cockpit']")"
	wait_until 20 same_ids $n || fail "$n: $(comm -3 <(cockpit_ids $n) <(file_ids $n) | head -5)"
	total=$(file_ids $n | wc -l)
	assert_eq "$total" "$(file_ids $n | uniq | wc -l)" "$n: alert ids are unique"
	assert_ge "$total" 40 "$n: alerts raised"
	log "$n: $total alerts, the same ids in the cockpit"
done
assert_ge "$(status node-c "s['cockpit']['spool']['recovered']")" 1 "node-c replayed records after its kill -9"
# nothing was lost on the way: no record dropped, refused or damaged on any node (a report too
# large for one record goes thinned, docs/AGENT.md §11)
for n in "${nodes[@]}"; do
	assert_eq 0 "$(status $n "sum(s['cockpit'][k][x] for k in ('dropped', 'rejected') for x in s['cockpit'][k]) + s['cockpit']['spool']['torn']")" "$n: records lost by the uplink"
	log "$n: $(status $n "'queued %(queued)s accepted %(accepted)s duplicates %(duplicates)s requests %(requests)d failures %(failures)d heartbeats failed %(heartbeats_failed)d reports thinned %(reports_thinned)d' % s['cockpit']")"
done

# ---- metrics of an agent, with the kernel timing the programs for a moment ------------------
mport=$(grep -o 'port [0-9]*' "${AGENT_LOG[node-a]}" | head -1 | awk '{print $2}')
cat >"$TEST_TMP/bpfstats.py" <<'PY'
# holds BPF_ENABLE_STATS (the kernel times BPF programs while the fd is open; released at exit,
# unlike flipping the kernel.bpf_stats_enabled sysctl)
import ctypes, os, struct, time
BPF_ENABLE_STATS, BPF_STATS_RUN_TIME = 32, 0
libc = ctypes.CDLL(None, use_errno=True)
attr = ctypes.create_string_buffer(struct.pack("I", BPF_STATS_RUN_TIME), 128)
fd = libc.syscall(321, BPF_ENABLE_STATS, attr, 128)  # __NR_bpf on x86_64
assert fd >= 0, os.strerror(ctypes.get_errno())
print("enabled", flush=True)
time.sleep(30)
PY
spawn bpfstats python3 "$TEST_TMP/bpfstats.py"
stats_pid=$SPAWNED_PID
wait_for_line "$TEST_TMP/bpfstats.log" enabled 60
touch "$TEST_TMP/node-a/misbehave"
timed() { curl -sf "http://127.0.0.1:$mport/metrics" | awk '/^vigil_bpf_run_seconds_total/ && $2 > 0 {n++} END {exit !(n > 0)}'; }
wait_until 20 timed || fail "no BPF run time in node-a's metrics: $(curl -s http://127.0.0.1:$mport/metrics | grep bpf)"
stop_pid $stats_pid
rm "$TEST_TMP/node-a/misbehave"
curl -sf "http://127.0.0.1:$mport/metrics" >"$TEST_TMP/node-a.metrics"
for m in 'vigil_alerts_total{rule="R0001"}' 'vigil_cockpit_records_total{kind="alert",outcome="accepted"}' \
	'vigil_sensor_drops_total{cause="ringbuf"}' 'vigil_cockpit_spool_items' 'vigil_sink_sent_total{sink="file:'; do
	assert_file_contains "$TEST_TMP/node-a.metrics" "$m"
done

# ---- agents stop; their incident reports reach the cockpit ---------------------------------
for n in node-a node-c; do
	kill -TERM ${AGENT_PID[$n]}
done
for n in node-a node-c; do
	for ((i = 0; i < 300; i++)); do kill -0 ${AGENT_PID[$n]} 2>/dev/null || break; sleep 0.05; done
	kill -0 ${AGENT_PID[$n]} 2>/dev/null && fail "$n's agent did not stop within 15 s"
	incidents=$(api "/api/v1/incidents?node=$n" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["incidents"]))')
	assert_ge "$incidents" 1 "$n: its incidents are in the cockpit"
	# the alerts inside the reports are the same alerts: still exactly the file's ids
	same_ids $n || fail "$n: the reports added or lost alerts: $(comm -3 <(cockpit_ids $n) <(file_ids $n) | head -5)"
done
echo "ok: t8100-fleet (outage ${OUTAGE}s, ${SECONDS}s in all)"
