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
