#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Alerts sent through the alertmanager: sink reach a real Alertmanager 0.25 on loopback: they
# are listed by GET /api/v2/alerts with Vigil's labels and annotations, and Alertmanager
# notifies its webhook receiver with them.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
SEND=$BUILD/progs/alert_send
. "$ROOT/tests/lib/alertmanager.sh"

command -v prometheus-alertmanager >/dev/null || { echo "prometheus-alertmanager not installed"; exit 77; }
command -v python3 >/dev/null || { echo "python3 not installed"; exit 77; }
[ -x "$SEND" ] || make -C "$ROOT" --no-print-directory BUILD="$BUILD" alert-send >/dev/null

TMP=$(mktemp -d /tmp/vigil-t3000.XXXXXX)
trap 'am_stop; rm -rf "$TMP"' EXIT
am_start "$TMP"

tag=t3000-$$-$RANDOM
python3 - "$tag" >"$TMP/alerts.jsonl" <<'PY'
import datetime, json, sys
tag = sys.argv[1]
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
rules = [("R0001", "Unexpected process launched", 1, "curl"),
         ("R1000", "Process executed from /dev/shm", 8, "x"),
         ("R1002", "Kernel module load", 10, "insmod")]
for i, (rid, name, sev, comm) in enumerate(rules):
    print(json.dumps({
        "time": "%s.%09dZ" % (now, i), "rule_id": rid, "rule_name": name,
        "severity": sev, "message": "%s by %s in %s-%d" % (name, comm, tag, i),
        "mitre": {"tactic": "TA0002", "technique": "T1059"},
        "workload": {"id": "%s-id-%d" % (tag, i), "name": "%s-%d" % (tag, i), "cgroup": "/t",
                     "container_id": "ab" * 32, "container_name": "web", "pod": "web-0",
                     "namespace": "shop", "image": "localhost/web:1"},
        "process": {"pid": 1000 + i, "ppid": 1, "comm": comm, "exe": "/bin/" + comm,
                    "args": [comm, "-v"], "uid": 0, "gid": 0},
        "event": {"type": "exec", "path": "/bin/" + comm}, "profile": None}))
PY

"$SEND" --flush 10s "alertmanager:$AM_URL" <"$TMP/alerts.jsonl" 2>"$TMP/send.err" || {
	cat "$TMP/send.err"; echo "alert_send failed"; exit 1; }
grep -q '"sent":3' "$TMP/send.err" || { cat "$TMP/send.err"; echo "not all 3 sent"; exit 1; }

check_api() {
	curl -fsS "$AM_URL/api/v2/alerts" >"$TMP/api.json" || return 1
	python3 - "$tag" "$TMP/api.json" "$(hostname)" <<'PY'
import json, sys
tag, path, host = sys.argv[1], sys.argv[2], sys.argv[3]
alerts = [a for a in json.load(open(path)) if a["labels"].get("workload", "").startswith(tag)]
if len(alerts) != 3:
    sys.exit(1)
by = {a["labels"]["rule_id"]: a for a in alerts}
want = {"R0001": ("low", "1", "curl"), "R1000": ("high", "8", "x"), "R1002": ("critical", "10", "insmod")}
for rid, (sev, score, comm) in want.items():
    l, an = by[rid]["labels"], by[rid]["annotations"]
    exp = {"alertname": "VigilRuleViolated", "rule_id": rid, "severity": sev,
           "severity_score": score, "comm": comm, "container_id": "ab" * 32,
           "container_name": "web", "pod": "web-0", "namespace": "shop", "node": host,
           "image": "localhost/web:1"}
    for k, v in exp.items():
        if l.get(k) != v:
            print("label %s=%r, want %r" % (k, l.get(k), v)); sys.exit(2)
    assert l["workload_id"].startswith(tag + "-id-"), l
    assert an["summary"].startswith(rid + " "), an
    assert an["description"].endswith(l["workload"]), an
    assert len(an["alert_id"]) == 32, an
    assert by[rid]["status"]["state"] == "active", by[rid]["status"]
    assert by[rid]["startsAt"][:19] <= by[rid]["updatedAt"][:19], by[rid]
print("api ok")
PY
}
ok=
for _ in $(seq 1 50); do
	if check_api; then ok=1; break; fi
	rc=$?; [ $rc -eq 2 ] && exit 1
	sleep 0.1
done
[ -n "$ok" ] || { cat "$TMP/api.json"; echo "alerts not in /api/v2/alerts"; exit 1; }

# Alertmanager's own notification reaches the webhook receiver with every alert.
check_hook() {
	python3 - "$tag" "$AM_HOOK_OUT" <<'PY'
import json, sys
tag, path = sys.argv[1], sys.argv[2]
seen = set()
for line in open(path):
    n = json.loads(line)["body"]
    for a in n.get("alerts", []):
        if a["status"] == "firing" and a["labels"].get("workload", "").startswith(tag):
            seen.add(a["labels"]["rule_id"])
sys.exit(0 if seen == {"R0001", "R1000", "R1002"} else 1)
PY
}
for _ in $(seq 1 60); do
	check_hook && { echo "alertmanager: 3 alerts listed and notified"; exit 0; }
	sleep 0.1
done
cat "$AM_HOOK_OUT"
echo "the webhook receiver did not get every alert"
exit 1
