# shellcheck shell=bash
# SPDX-License-Identifier: Apache-2.0
#
# A real prometheus-alertmanager on loopback for e2e tests, with a webhook receiver that
# records every notification. Source it, then:
#
#   am_start DIR        starts the receiver and Alertmanager (gossip off, storage in DIR);
#                       sets AM_URL (http://127.0.0.1:PORT), AM_HOOK_OUT (notifications, one
#                       JSON line each), AM_PID, AM_HOOK_PID
#   am_stop             stops both (by PID); safe to call twice, e.g. from a trap
#   free_port           prints a loopback TCP port that was free a moment ago
#   wait_port_file F    waits (bounded) until F holds a port number, prints it
#   start_hook DIR NAME OUT [PORT]   a webhook receiver alone (see below)
#
# Alertmanager groups by rule and workload and notifies after 100 ms, so a test sees the
# webhook call within about a second.

AM_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
AM_RECEIVER=$AM_LIB_DIR/../progs/webhook_receiver.py
AM_PID=
AM_HOOK_PID=

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_port_file() {
	for _ in $(seq 1 100); do
		[ -s "$1" ] && { cat "$1"; return 0; }
		sleep 0.05
	done
	echo "alertmanager.sh: no port in $1" >&2
	return 1
}

# start_hook DIR NAME OUT [PORT]: a webhook receiver appending to OUT; prints its port.
# Its PID is in DIR/NAME.pid (it runs in the background of a subshell: stop it with kill).
start_hook() {
	local dir=$1 name=$2 out=$3 port=${4:-0}
	rm -f "$dir/$name.port"
	python3 "$AM_RECEIVER" --port "$port" --port-file "$dir/$name.port" --out "$out" \
		>"$dir/$name.log" 2>&1 &
	echo $! >"$dir/$name.pid"
	wait_port_file "$dir/$name.port"
}

am_start() {
	local dir=$1 hook_port port
	mkdir -p "$dir/am-data"
	AM_HOOK_OUT=$dir/am-notifications.jsonl
	: >"$AM_HOOK_OUT"
	hook_port=$(start_hook "$dir" am-hook "$AM_HOOK_OUT")
	AM_HOOK_PID=$(cat "$dir/am-hook.pid")
	cat >"$dir/am.yml" <<YML
route:
  receiver: hook
  group_by: ['alertname', 'rule_id', 'workload_id']
  group_wait: 100ms
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs:
      - url: http://127.0.0.1:$hook_port/am
        send_resolved: true
YML
	# The port is picked, then bound by Alertmanager: retry if someone took it meanwhile.
	for _ in 1 2 3; do
		port=$(free_port)
		prometheus-alertmanager --config.file="$dir/am.yml" --storage.path="$dir/am-data" \
			--web.listen-address="127.0.0.1:$port" --cluster.listen-address= \
			--log.level=warn >"$dir/am.log" 2>&1 &
		AM_PID=$!
		AM_URL=http://127.0.0.1:$port
		for _ in $(seq 1 100); do
			curl -fsS "$AM_URL/-/ready" >/dev/null 2>&1 && return 0
			kill -0 "$AM_PID" 2>/dev/null || break
			sleep 0.05
		done
		kill "$AM_PID" 2>/dev/null; wait "$AM_PID" 2>/dev/null
		AM_PID=
	done
	echo "alertmanager.sh: alertmanager did not start; log:" >&2
	cat "$dir/am.log" >&2
	return 1
}

am_stop() {
	if [ -n "$AM_PID" ]; then kill "$AM_PID" 2>/dev/null; wait "$AM_PID" 2>/dev/null; fi
	if [ -n "$AM_HOOK_PID" ]; then kill "$AM_HOOK_PID" 2>/dev/null; fi
	AM_PID=
	AM_HOOK_PID=
	return 0
}
