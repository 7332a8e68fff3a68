#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# format=kubescape: an Alertmanager configured for Kubescape's node-agent (routes on
# alertname="KubescapeRuleViolated", the numeric severity, rule_name, namespace; a silence on
# pod_name and rule_name, as people write them for Kubescape) routes and silences Vigil's
# alerts the same way. A real Alertmanager 0.25 on loopback, two webhook receivers. Also: the
# stdout/file/webhook JSON in node-agent's shape, and names=chart.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
SEND=$BUILD/progs/alert_send
. "$ROOT/tests/lib/alertmanager.sh"

command -v prometheus-alertmanager >/dev/null || { echo "prometheus-alertmanager not installed"; exit 77; }
[ -x "$SEND" ] || make -C "$ROOT" --no-print-directory BUILD="$BUILD" alert-send >/dev/null

TMP=$(mktemp -d /tmp/vigil-t3003.XXXXXX)
PAGER_PID= TEAM_PID=
cleanup() {
	am_stop
	for p in $PAGER_PID $TEAM_PID; do kill "$p" 2>/dev/null || true; done
	rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

pager_port=$(start_hook "$TMP" pager "$TMP/pager.jsonl")
PAGER_PID=$(cat "$TMP/pager.pid")
team_port=$(start_hook "$TMP" team "$TMP/team.jsonl")
TEAM_PID=$(cat "$TMP/team.pid")
: >"$TMP/pager.jsonl"
: >"$TMP/team.jsonl"
# A configuration written for Kubescape's node-agent (its labels), not for Vigil.
cat >"$TMP/am.yml" <<YML
route:
  receiver: team
  group_by: ['alertname', 'rule_id', 'pod_name']
  group_wait: 100ms
  group_interval: 1s
  repeat_interval: 1h
  routes:
    - receiver: pager
      matchers: ['alertname="KubescapeRuleViolated"', 'severity=~"[7-9]|10"']
    - receiver: team
      matchers: ['alertname="KubescapeRuleViolated"', 'namespace="shop"', 'rule_name="Unexpected process launched"']
receivers:
  - name: pager
    webhook_configs:
      - url: http://127.0.0.1:$pager_port/pager
  - name: team
    webhook_configs:
      - url: http://127.0.0.1:$team_port/team
YML
mkdir -p "$TMP/am-data"
for _ in 1 2 3; do
	port=$(free_port)
	prometheus-alertmanager --config.file="$TMP/am.yml" --storage.path="$TMP/am-data" \
		--web.listen-address="127.0.0.1:$port" --cluster.listen-address= \
		--log.level=warn >"$TMP/am.log" 2>&1 &
	AM_PID=$!
	AM_URL=http://127.0.0.1:$port
	for _ in $(seq 1 100); do
		curl -fsS "$AM_URL/-/ready" >/dev/null 2>&1 && break 2
		kill -0 "$AM_PID" 2>/dev/null || break
		sleep 0.05
	done
	kill "$AM_PID" 2>/dev/null || true
	wait "$AM_PID" 2>/dev/null || true
	AM_PID=
done
[ -n "$AM_PID" ] || { cat "$TMP/am.log"; fail "alertmanager did not start"; }

tag=t3003-$$-$RANDOM
# A silence as written for Kubescape: one pod's R0004 alerts.
curl -fsS -H 'Content-Type: application/json' -X POST "$AM_URL/api/v2/silences" -d "$(python3 -c '
import datetime, json, sys
now = datetime.datetime.now(datetime.timezone.utc)
print(json.dumps({"matchers": [
    {"name": "pod_name", "value": sys.argv[1] + "-quiet", "isRegex": False, "isEqual": True},
    {"name": "rule_name", "value": "Linux Capabilities Anomalies in container", "isRegex": False, "isEqual": True}],
  "startsAt": now.isoformat(), "endsAt": (now + datetime.timedelta(hours=1)).isoformat(),
  "createdBy": "t3003", "comment": "a Kubescape-style silence"}))' "$tag")" >/dev/null ||
	fail "could not create the silence"

python3 - "$tag" >"$TMP/alerts.jsonl" <<'PY'
import datetime, json, sys
tag = sys.argv[1]
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
rows = [("R0001", "Unexpected process launched", 1, "curl", "web"),
        ("R1000", "Process Executed from /dev/shm", 8, "x", "web"),
        ("R1002", "Process tries to load a kernel module", 10, "insmod", "web"),
        ("R0004", "Linux Capabilities Anomalies in container", 1, "ping", "quiet")]
for i, (rid, name, sev, comm, pod) in enumerate(rows):
    print(json.dumps({
        "time": "%s.%09dZ" % (now, i), "rule_id": rid, "rule_name": name,
        "severity": sev, "message": "%s by %s" % (name, comm),
        "mitre": {"tactic": "TA0002", "technique": "T1059"},
        "workload": {"id": "%s-%d" % (tag, i), "name": "web", "cgroup": "/t",
                     "container_id": "ab" * 32, "container_name": "web",
                     "pod": "%s-%s" % (tag, pod), "namespace": "shop", "image": "localhost/web:1",
                     "pod_uid": "0d5c3c2e-1111-4f00-9a61-000000000001"},
        "process": {"pid": 1000 + i, "ppid": 1, "comm": comm, "exe": "/bin/" + comm,
                    "args": [comm, "-v"], "uid": 0, "gid": 0},
        "event": {"type": "exec", "path": "/bin/" + comm},
        "profile": {"name": "web", "digest": "sha256:00", "signer": ""}, "key": "/bin/" + comm}))
PY

"$SEND" --flush 10s "alertmanager:$AM_URL;format=kubescape" <"$TMP/alerts.jsonl" 2>"$TMP/send.err" ||
	{ cat "$TMP/send.err"; fail "alert_send failed"; }
grep -q '"sent":4' "$TMP/send.err" || { cat "$TMP/send.err"; fail "not all 4 sent"; }

# Alertmanager holds them with node-agent's labels; the silenced one is suppressed.
check_api() {
	curl -fsS "$AM_URL/api/v2/alerts" >"$TMP/api.json" || return 1
	python3 - "$tag" "$TMP/api.json" "$(hostname)" <<'PY'
import json, sys
tag, path, host = sys.argv[1], sys.argv[2], sys.argv[3]
alerts = [a for a in json.load(open(path)) if a["labels"].get("pod_name", "").startswith(tag)]
if len(alerts) != 4:
    sys.exit(1)
by = {a["labels"]["rule_id"]: a for a in alerts}
for rid, sev in (("R0001", "1"), ("R1000", "8"), ("R1002", "10"), ("R0004", "1")):
    l = by[rid]["labels"]
    exp = {"alertname": "KubescapeRuleViolated", "severity": sev, "namespace": "shop",
           "container_name": "web", "container_id": "ab" * 32, "node_name": host, "host": host,
           "pod_uid": "0d5c3c2e-1111-4f00-9a61-000000000001", "fail_on_profile": "true",
           "profile_status": "completed"}
    for k, v in exp.items():
        if l.get(k) != v:
            print("%s: label %s=%r, want %r" % (rid, k, l.get(k), v)); sys.exit(2)
    for k in ("pid", "ppid", "comm", "uid", "gid", "rule_name", "processtree_depth"):
        if k not in l:
            print("%s: no label %s" % (rid, k)); sys.exit(2)
    a = by[rid]["annotations"]
    want = "Rule '%s' in '%s' namespace 'shop' failed" % (l["rule_name"], l["pod_name"])
    if a.get("summary") != want or a.get("title") != want or not a.get("description"):
        print("%s: annotations %r" % (rid, a)); sys.exit(2)
if by["R0004"]["status"]["state"] != "suppressed":
    print("silence not applied: %r" % by["R0004"]["status"]); sys.exit(2)
print("api ok")
PY
}
ok=
for _ in $(seq 1 50); do
	rc=0
	check_api || rc=$?
	[ $rc -eq 0 ] && { ok=1; break; }
	[ $rc -eq 2 ] && exit 1
	sleep 0.1
done
[ -n "$ok" ] || { cat "$TMP/api.json"; fail "alerts not in /api/v2/alerts"; }

# Routed as the Kubescape configuration says: severity 8 and 10 to the pager, R0001 to the team.
routed() { # FILE RULE_ID
	python3 - "$1" "$2" "$tag" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1]):
    try:
        body = json.loads(line).get("body", json.loads(line))
    except ValueError:
        continue
    for a in body.get("alerts", []):
        if a["labels"].get("rule_id") == sys.argv[2] and a["labels"].get("pod_name", "").startswith(sys.argv[3]):
            n += 1
print(n)
PY
}
for _ in $(seq 1 50); do
	[ "$(routed "$TMP/pager.jsonl" R1000)" -ge 1 ] && [ "$(routed "$TMP/pager.jsonl" R1002)" -ge 1 ] &&
		[ "$(routed "$TMP/team.jsonl" R0001)" -ge 1 ] && break
	sleep 0.1
done
[ "$(routed "$TMP/pager.jsonl" R1000)" -ge 1 ] || fail "R1000 (severity 8) not paged: $(cat "$TMP/pager.jsonl")"
[ "$(routed "$TMP/pager.jsonl" R1002)" -ge 1 ] || fail "R1002 (severity 10) not paged"
[ "$(routed "$TMP/team.jsonl" R0001)" -ge 1 ] || fail "R0001 not routed by rule_name: $(cat "$TMP/team.jsonl")"
[ "$(routed "$TMP/pager.jsonl" R0001)" -eq 0 ] || fail "R0001 (severity 1) was paged"
sleep 1.5 # a group_interval: a silenced alert must not be notified at all
[ "$(routed "$TMP/pager.jsonl" R0004)" -eq 0 ] && [ "$(routed "$TMP/team.jsonl" R0004)" -eq 0 ] ||
	fail "the silenced R0004 was notified"

# stdout and file in node-agent's JSON shape; the chart's rule names on request.
"$SEND" 'stdout;format=kubescape;names=chart' "file:$TMP/ks.jsonl;format=kubescape" \
	<"$TMP/alerts.jsonl" >"$TMP/stdout.jsonl" 2>/dev/null || fail "alert_send stdout/file"
python3 - "$TMP/stdout.jsonl" "$TMP/ks.jsonl" <<'PY' || fail "node-agent JSON shape"
import json, sys
chart, lib = ([json.loads(l) for l in open(p)] for p in sys.argv[1:])
assert len(chart) == 4 and len(lib) == 4
for e in chart + lib:
    for k in ("BaseRuntimeMetadata", "RuntimeProcessDetails", "RuntimeK8sDetails", "RuleID",
              "CloudMetadata", "processtree_depth", "message", "level", "msg", "time"):
        assert k in e, (k, e)
    b = e["BaseRuntimeMetadata"]
    assert b["alertName"] == e["msg"] and b["severity"] >= 1 and b["infectedPID"] >= 1000, b
    assert e["RuntimeK8sDetails"]["podName"].endswith(("-web", "-quiet")), e
    assert e["RuntimeProcessDetails"]["processTree"]["comm"], e
by_chart = {e["RuleID"]: e["msg"] for e in chart}
by_lib = {e["RuleID"]: e["msg"] for e in lib}
assert by_chart["R1000"] == "Process executed from malicious source", by_chart
assert by_lib["R1000"] == "Process Executed from /dev/shm", by_lib
assert by_chart["R0001"] == by_lib["R0001"] == "Unexpected process launched"
PY
# a sink option that does not belong to a local sink is refused, with the reason
if "$SEND" 'stdout;batch=5' </dev/null 2>"$TMP/err"; then fail "stdout;batch=5 accepted"; fi
grep -q 'sink option batch is for webhook' "$TMP/err" || fail "error: $(cat "$TMP/err")"
echo "ok: Kubescape routes, silences and log shape work on Vigil's alerts"
