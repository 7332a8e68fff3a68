#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Webhook outage: the receiver is down while alerts are raised, then comes back; every alert
# arrives after it returns, in order, and de-duplicating by alert_id leaves each exactly once.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
SEND=$BUILD/progs/alert_send
. "$ROOT/tests/lib/alertmanager.sh"

command -v python3 >/dev/null || { echo "python3 not installed"; exit 77; }
[ -x "$SEND" ] || make -C "$ROOT" --no-print-directory BUILD="$BUILD" alert-send >/dev/null

TMP=$(mktemp -d /tmp/vigil-t3001.XXXXXX)
send_pid=
cleanup() {
	[ -n "$send_pid" ] && kill "$send_pid" 2>/dev/null
	[ -s "$TMP/hook.pid" ] && kill "$(cat "$TMP/hook.pid")" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

alerts() { # alerts FIRST COUNT
	python3 - "$1" "$2" <<'PY'
import datetime, json, sys
first, n = int(sys.argv[1]), int(sys.argv[2])
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
for i in range(first, first + n):
    print(json.dumps({"time": now, "rule_id": "R0001", "rule_name": "Unexpected process launched",
                      "severity": 1, "message": "alert %d" % i, "seq": i,
                      "mitre": {"tactic": "TA0002", "technique": "T1059"},
                      "workload": {"id": "t3001", "name": "t3001"}, "process": {"pid": i},
                      "event": {"type": "exec", "path": "/bin/true"}, "profile": None}))
PY
}

port=$(free_port)
mkfifo "$TMP/in"
"$SEND" --batch 5 --wait 100ms --retry-base 100ms --retry-cap 400ms --flush 20s \
	"webhook:http://127.0.0.1:$port/hook" <"$TMP/in" 2>"$TMP/send.err" &
send_pid=$!
exec 3>"$TMP/in"

alerts 0 20 >&3
sleep 1.5 # the receiver is down: connection refused, retried with backoff
kill -0 "$send_pid" || { cat "$TMP/send.err"; echo "alert_send died during the outage"; exit 1; }
# 3>&-: the receiver must not hold the pipe open, or alert_send never sees end of input.
start_hook "$TMP" hook "$TMP/received.jsonl" "$port" >/dev/null 3>&-
alerts 20 20 >&3
exec 3>&-
rc=0
wait "$send_pid" || rc=$?
send_pid=
cat "$TMP/send.err"
[ $rc -eq 0 ] || { echo "alert_send exit $rc"; exit 1; }

python3 - "$TMP/received.jsonl" "$TMP/send.err" <<'PY'
import json, sys
ids, seqs = set(), []
for line in open(sys.argv[1]):
    for a in json.loads(line)["body"]:
        if a["alert_id"] in ids:
            continue          # at-least-once: receivers de-duplicate by alert_id
        ids.add(a["alert_id"])
        seqs.append(a["seq"])
assert seqs == list(range(40)), "received %s" % seqs
st = json.loads(open(sys.argv[2]).readline())
assert st["sent"] == 40 and st["dropped"] == 0, st
assert st["failures"] >= 1 and st["retries"] >= 1, "no outage was seen: %s" % st
print("webhook outage: 40 alerts delivered in order after %d failed attempts" % st["failures"])
PY
