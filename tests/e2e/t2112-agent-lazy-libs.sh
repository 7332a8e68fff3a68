#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2112: libcurl and libmicrohttpd (with GnuTLS, p11-kit, Kerberos, LDAP... ~4 MiB resident)
# are loaded only by an agent that needs them (lib/util/lazylib.h). An agent with a file sink
# only maps none of them; one with a webhook sink and a metrics server loads both, serves
# /metrics through libmicrohttpd and delivers an alert through libcurl to a real receiver.
. "$(dirname "$0")/../lib/common.sh"
requires_root
requires_btf
requires_cmd python3
requires_cmd curl
vigil_has agent || skip "vigil agent is not part of this build"

# maps_has PID NAME: whether the process maps a library whose file name starts with NAME.
maps_has() { awk -v n="/$2" 'index($6, n) { f = 1 } END { exit !f }' "/proc/$1/maps"; }
config() { # config NAME EXTRA: an agent that watches nothing but its own workloads
	cat >"$TEST_TMP/$1.yaml" <<EOF
state_dir: $TEST_TMP/state-$1
include_cgroups: ["/vigil-t2112-none-$$"]
learning:
  duration: 1h
$2
EOF
}

config plain "sinks: [file:$TEST_TMP/plain.jsonl]"
spawn plain "$VIGIL" agent --config "$TEST_TMP/plain.yaml"
pid=$SPAWNED_PID
wait_for_line "$TEST_TMP/plain.log" 'agent: started' 60
maps_has "$pid" libbpf. || fail "the check sees no library: $(awk '{print $6}' "/proc/$pid/maps" | sort -u)"
for lib in libcurl libmicrohttpd libgnutls libssl libp11-kit libkrb5 libldap; do
	maps_has "$pid" "$lib." && fail "an agent with a file sink only maps $lib"
done
stop_pid "$pid"

# A webhook receiver that keeps each body it is given.
rport=$(free_port)
cat >"$TEST_TMP/rx.py" <<'PY'
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with open(sys.argv[2], "ab") as f:
            f.write(body + b"\n")
        self.send_response(200)
        self.end_headers()
    def do_GET(self):
        self.send_response(204)
        self.end_headers()
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
spawn rx python3 "$TEST_TMP/rx.py" "$rport" "$TEST_TMP/hook.jsonl"
wait_until 30 curl -s -o /dev/null "http://127.0.0.1:$rport/" || fail "receiver did not start"

# The workload opens distinct missing files past the per-workload rate limit: the agent raises
# V0002 (events dropped) to every sink, the webhook included.
cat >"$TEST_TMP/flood.py" <<'PY'
import os, time
for i in range(100000):
    try:
        os.open("/nonexistent/vigil-t2112-%d" % i, os.O_RDONLY)
    except OSError:
        pass
time.sleep(60)
PY
mport=$(free_port)
config net "health_interval: 500ms
sinks: [file:$TEST_TMP/net.jsonl, \"webhook:http://127.0.0.1:$rport/hook\"]
metrics:
  listen: 127.0.0.1:$mport
workloads:
  - name: flood
    command: [python3, $TEST_TMP/flood.py]"
"$VIGIL" agent --check --config "$TEST_TMP/net.yaml" || fail "config rejected"
spawn net "$VIGIL" agent --config "$TEST_TMP/net.yaml"
pid=$SPAWNED_PID
wait_for_line "$TEST_TMP/net.log" 'agent: started' 60
# the server answers from its start, with an empty page until the agent's first publication
metrics() {
	curl -sf "http://127.0.0.1:$mport/metrics" >"$TEST_TMP/metrics.txt" &&
		grep -q '^vigil_' "$TEST_TMP/metrics.txt"
}
wait_until 30 metrics ||
	fail "no vigil_ series on /metrics: $(head -c 500 "$TEST_TMP/metrics.txt"; tail -c 1000 "$TEST_TMP/net.log")"
maps_has "$pid" libmicrohttpd. || fail "/metrics answered, yet libmicrohttpd is not mapped"
delivered() { grep -q 'V0002' "$TEST_TMP/hook.jsonl" 2>/dev/null; }
wait_until 60 delivered || fail "no alert reached the webhook: $(tail -c 1000 "$TEST_TMP/net.log")"
maps_has "$pid" libcurl. || fail "the webhook got an alert, yet libcurl is not mapped"
stop_pid "$pid"
echo ok
