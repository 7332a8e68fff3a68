#!/usr/bin/env bash
# Source after common.sh: a real cockpit for a test, on a port the kernel picks (no race with
# other tests for a "free" port), and node tokens it accepts.
#
#   cockpit_start NAME [ARGS...]   `vigil cockpit --listen 127.0.0.1:0 ARGS` (spawn NAME); sets
#                                  COCKPIT_PID, COCKPIT_PORT, COCKPIT_URL (http://127.0.0.1:PORT;
#                                  https:// when ARGS has --tls-cert) once it listens
#   cockpit_node_token STORE NODE [URL]  adds NODE's token to STORE, waits until the cockpit at
#                                  URL (default COCKPIT_URL) accepts it, prints it
#   cockpit_metric NAME [URL]      the value of one Prometheus sample (open mode)
#   fleet_agent_config, fleet_status, fleet_detecting: a real agent reporting to it (below)

cockpit_start() {
	local name=$1 scheme=http
	shift
	case " $* " in *" --tls-cert "*) scheme=https ;; esac
	spawn "$name" "$VIGIL" cockpit --listen 127.0.0.1:0 "$@"
	COCKPIT_PID=$SPAWNED_PID
	wait_for_line "$TEST_TMP/$name.log" 'listening on port [0-9]+|^vigil: ' 30
	COCKPIT_PORT=$(sed -n 's/.*listening on port \([0-9]*\).*/\1/p' "$TEST_TMP/$name.log" | head -1)
	[ -n "$COCKPIT_PORT" ] || fail "cockpit $name did not start: $(cat "$TEST_TMP/$name.log")"
	COCKPIT_URL=$scheme://127.0.0.1:$COCKPIT_PORT
}

_cockpit_accepts() { # URL TOKEN
	[ "$(curl -sk -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $2" -d '[]' "$1/api/v1/alerts")" = 200 ]
}

cockpit_node_token() {
	local store=$1 node=$2 url=${3:-$COCKPIT_URL} token
	token=$("$VIGIL" cockpit token add "$node" --store "$store") || fail "token add $node"
	wait_until 15 _cockpit_accepts "$url" "$token" || fail "the cockpit at $url does not accept $node's token"
	echo "$token"
}

cockpit_metric() {
	curl -sk "${2:-$COCKPIT_URL}/metrics" | awk -v m="$1" '$1 == m {print $2}'
}

# A real agent of the fleet tests, reporting to a cockpit:
#   fleet_agent_config DIR NODE URL [LINE...]   writes DIR/agent.yaml: state in DIR/state, status
#       in DIR/status.json, alerts in DIR/alerts.jsonl, evidence in DIR/evidence.db, one workload
#       "svc" that behaves while it is learned (2 s), runs /usr/bin/id every 0.3 s while
#       DIR/misbehave exists and ten at a time while DIR/flood exists; its cockpit section has url,
#       node_name, a 1 s heartbeat and each LINE ("token_file: F", "ca_file: F", ...)
#   fleet_status DIR EXPR                       EXPR (Python, s = DIR/status.json) printed
#   fleet_detecting DIR                         true once svc is detecting
fleet_agent_config() {
	local d=$1 node=$2 url=$3 line
	shift 3
	mkdir -p "$d/state"
	if [ ! -x "$TEST_TMP/fleet_svc.sh" ]; then
		cat >"$TEST_TMP/fleet_svc.sh" <<'SH'
#!/bin/sh
while :; do
	if [ -e "$1/flood" ]; then
		for i in 1 2 3 4 5 6 7 8 9 10; do /usr/bin/id >/dev/null; done
	elif [ -e "$1/misbehave" ]; then
		/usr/bin/id >/dev/null
	fi
	sleep 0.3
done
SH
		chmod +x "$TEST_TMP/fleet_svc.sh"
	fi
	cat >"$d/agent.yaml" <<YAML
state_dir: $d/state
status_file: $d/status.json
scope: containers
include_cgroups: [/vigil-$TEST_NAME-nothing/*] # only its own workload, not other tests'
learning:
  duration: 2s
cooldown: 0
health_interval: 1s
sinks: ['file:$d/alerts.jsonl']
evidence: sqlite:$d/evidence.db
workloads:
  - name: svc
    command: [$TEST_TMP/fleet_svc.sh, $d]
cockpit:
  url: $url
  node_name: $node
  heartbeat_interval: 1s
YAML
	for line in "$@"; do
		echo "  $line" >>"$d/agent.yaml"
	done
}

fleet_status() {
	python3 -c "import json,sys; s=json.load(open(sys.argv[1])); print($2)" "$1/status.json" 2>/dev/null
}

fleet_detecting() {
	[ "$(fleet_status "$1" "[w['state'] for w in s['workloads'] if w['name']=='svc']")" = "['detecting']" ]
}
