#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# From a real kernel event to every sink at once: `vigil watch` runs a program that starts an
# executable its profile does not list; the R0001 alert lands, with one and the same alert_id,
# in a file, at a webhook receiver, in a real Alertmanager (and its own webhook), and in an
# RFC 5424 syslog datagram.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
VIGIL=$BUILD/vigil
. "$ROOT/tests/lib/alertmanager.sh"

[ "$(id -u)" -eq 0 ] || { echo "needs root (eBPF)"; exit 77; }
command -v prometheus-alertmanager >/dev/null || { echo "prometheus-alertmanager not installed"; exit 77; }
command -v python3 >/dev/null || { echo "python3 not installed"; exit 77; }
[ -x "$VIGIL" ] || { echo "build/vigil not built"; exit 1; }

TMP=$(mktemp -d /tmp/vigil-t3002.XXXXXX)
syslog_pid=
cleanup() {
	am_stop
	[ -s "$TMP/hook.pid" ] && kill "$(cat "$TMP/hook.pid")" 2>/dev/null
	[ -n "$syslog_pid" ] && kill "$syslog_pid" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
am_start "$TMP"
hook_port=$(start_hook "$TMP" hook "$TMP/hook.jsonl")

# A UDP syslog receiver on a free port: one datagram per line.
python3 - "$TMP/syslog.port" "$TMP/syslog.txt" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
open(sys.argv[1] + ".tmp", "w").write("%d\n" % s.getsockname()[1])
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
s.settimeout(60)
with open(sys.argv[2], "ab", buffering=0) as f:
    while True:
        f.write(s.recv(65535).replace(b"\n", b" ") + b"\n")
PY
syslog_pid=$!
syslog_port=$(wait_port_file "$TMP/syslog.port")

"$VIGIL" learn --out "$TMP/p.yaml" --name t3002 -- /bin/sh -c 'true' >"$TMP/learn.log" 2>&1 || {
	cat "$TMP/learn.log"; echo "vigil learn failed"; exit 1; }
rc=0
"$VIGIL" watch --profile "$TMP/p.yaml" --name t3002 \
	--alerts "file:$TMP/alerts.jsonl" \
	--alerts "webhook:http://127.0.0.1:$hook_port/hook;wait=100ms" \
	--alerts "alertmanager:$AM_URL;wait=100ms" \
	--alerts "syslog:127.0.0.1:$syslog_port" \
	-- /bin/sh -c 'true; /bin/ls / >/dev/null' >"$TMP/watch.log" 2>&1 || rc=$?
[ $rc -eq 1 ] || { cat "$TMP/watch.log"; echo "vigil watch: exit $rc, want 1 (alerts)"; exit 1; }

id=$(python3 - "$TMP/alerts.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    a = json.loads(line)
    if a["rule_id"] == "R0001" and a["event"]["path"].endswith("/ls"):
        assert a["workload"]["name"] == "t3002", a["workload"]
        print(a["alert_id"]); break
PY
)
[ -n "$id" ] || { cat "$TMP/alerts.jsonl"; echo "no R0001 for ls in the file sink"; exit 1; }
echo "file: R0001 alert_id=$id"

# vigil watch flushed before exiting; Alertmanager notifies after its group_wait.
for _ in $(seq 1 50); do
	have=0
	grep -q "\"alert_id\": \"$id\"" "$TMP/hook.jsonl" 2>/dev/null && have=$((have + 1))
	grep -q "alert_id=\"$id\"" "$TMP/syslog.txt" 2>/dev/null && have=$((have + 1))
	curl -fsS "$AM_URL/api/v2/alerts" 2>/dev/null | grep -q "\"alert_id\":\"$id\"" && have=$((have + 1))
	grep -q "\"rule_id\": \"R0001\"" "$AM_HOOK_OUT" 2>/dev/null && have=$((have + 1))
	[ $have -eq 4 ] && break
	sleep 0.1
done
grep -q "\"alert_id\": \"$id\"" "$TMP/hook.jsonl" || { echo "webhook did not get $id"; exit 1; }
grep "alert_id=\"$id\"" "$TMP/syslog.txt" | grep -q '^<133>1 .* vigil [0-9]* R0001 \[vigil@32473 ' || {
	cat "$TMP/syslog.txt"; echo "no RFC 5424 syslog message for $id"; exit 1; }
curl -fsS "$AM_URL/api/v2/alerts" | grep -q "\"alert_id\":\"$id\"" || {
	echo "Alertmanager does not list $id"; exit 1; }
grep -q "\"rule_id\": \"R0001\"" "$AM_HOOK_OUT" || { echo "Alertmanager did not notify"; exit 1; }
echo "alert $id reached file, webhook, Alertmanager (+ its webhook) and syslog"
