#!/usr/bin/env bash
# `make run`: the main job on this node — the cockpit on http://127.0.0.1:7070 and the agent,
# which reports to it as any node would (docs/AGENT.md §9): with its own node token, made
# here with the cockpit's admin CLI, through its spool. Ctrl-C stops both.
#
#   VIGIL_CONFIG=FILE     agent configuration (default /etc/vigil/agent.yaml if it exists,
#                         else the one written below: containers, learning 10m, stdout alerts)
#   VIGIL_STATE=DIR       state directory (default /var/lib/vigil)
#   VIGIL_COCKPIT=ADDR    cockpit address (default 127.0.0.1:7070; "off" to run the agent alone)
set -euo pipefail
cd "$(dirname "$0")/.."

state=${VIGIL_STATE:-/var/lib/vigil}
store=sqlite:$state/evidence.db           # the cockpit's (the admin CLI's default too)
agent_store=sqlite:$state/agent-evidence.db # the agent's own incidents, before the uplink
cockpit_addr=${VIGIL_COCKPIT:-127.0.0.1:7070}
config=${VIGIL_CONFIG:-}

if [ "$(id -u)" -ne 0 ]; then
	echo "vigil: make run: the agent loads eBPF programs: run as root (sudo make run)" >&2
	exit 2
fi
mkdir -p "$state"
chmod 0750 "$state"

if [ -z "$config" ] && [ -f /etc/vigil/agent.yaml ]; then
	config=/etc/vigil/agent.yaml
fi
# This node's credential for the configuration written below: made once with the cockpit's
# admin CLI and kept (0600) for the next run. A configuration of your own has its own.
cockpit_section=
if [ -z "$config" ] && [ "$cockpit_addr" != off ] &&
	[[ "$(build/vigil cockpit token --help 2>&1)" == *join-token* ]]; then
	node=$(uname -n | tr -c 'A-Za-z0-9._\n-' '-' | sed 's/^[-.]*//')
	node=${node:-node}
	token=$state/cockpit.token
	if [ ! -s "$token" ]; then
		# a node token lost with its file is replaced: revoke the old one, make a new one
		build/vigil cockpit token revoke "$node" --store "$store" >/dev/null 2>&1 || true
		(umask 077 && build/vigil cockpit token add "$node" --store "$store" >"$token.tmp") &&
			mv "$token.tmp" "$token"
	fi
	cockpit_section="cockpit:
  url: http://$cockpit_addr
  token_file: $token
  node_name: $node"
fi
if [ -z "$config" ]; then
	config=$state/run-agent.yaml
	cat >"$config" <<EOF
# Written by scripts/run.sh (make run); docs/AGENT.md describes every key.
state_dir: $state
scope: containers
learning:
  duration: 10m
sinks:
  - stdout
  - file:$state/alerts.jsonl
evidence: $agent_store
status_file: $state/status.json
$cockpit_section
EOF
fi
build/vigil agent --config "$config" --check

cockpit_pid=
cleanup() {
	[ -n "$cockpit_pid" ] && kill "$cockpit_pid" 2>/dev/null && wait "$cockpit_pid" 2>/dev/null
	return 0
}
trap cleanup EXIT
if [ "$cockpit_addr" != off ]; then
	build/vigil cockpit --listen "$cockpit_addr" --store "$store" &
	cockpit_pid=$!
fi

cat >&2 <<EOF
vigil: agent starting with $config
vigil: alerts on stdout and in $state/alerts.jsonl; incidents in $agent_store
vigil: cockpit: http://$cockpit_addr/ (store $store; this agent reports to it as node ${node:-?})
vigil: status: build/vigil status, $state/status.json
EOF
build/vigil agent --config "$config" &
agent_pid=$!
trap 'kill -TERM $agent_pid 2>/dev/null' INT TERM
wait "$agent_pid" || true
wait "$agent_pid" 2>/dev/null || true
