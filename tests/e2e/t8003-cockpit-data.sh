#!/usr/bin/env bash
# What the cockpit keeps (issue 11, "data the cockpit loses or refuses", and issue 10's read
# API) against a real SQLite store: alerts unique by alert_id (15 sharing incident, second and
# rule are 15), reports kept however old they say they are, 20 posters x 1 000 alerts without
# an incident all stored while health answers, and heartbeats, workloads, profiles, the diff,
# alert counts and search read back.
. "$(dirname "$0")/../lib/common.sh"
requires_cmd python3 curl sqlite3

. "$TESTLIB/cockpit.sh"

db=$TEST_TMP/e.db
store=sqlite:$db
cockpit_start cockpit --store $store
port=$COCKPIT_PORT
base=$COCKPIT_URL
token=$(cockpit_node_token $store node-1)
auth=(-H "Authorization: Bearer $token")

req() { curl -s -o "$TEST_TMP/body" -w '%{http_code}' "$@"; }
body() { cat "$TEST_TMP/body"; }
py() { python3 -c "import json,sys; d=json.load(open('$TEST_TMP/body')); print($1)"; }

# 1. 15 distinct alerts sharing incident, second and rule are 15 alerts; sent again, 15 duplicates.
inc=0000000000000000000000000000aa15
python3 - "$inc" >"$TEST_TMP/15.json" <<'PY'
import json, sys
print(json.dumps([{"alert_id": "%032x" % (0xa15000 + i), "time": "2026-11-22T10:00:00.000000000Z",
                   "rule_id": "R0001", "rule_name": "Unexpected process launched", "severity": 1,
                   "message": "exec %d" % i, "incident_id": sys.argv[1],
                   "workload": {"id": "w-1", "name": "web"}} for i in range(15)]))
PY
assert_eq 200 "$(req "${auth[@]}" --data-binary @$TEST_TMP/15.json $base/api/v1/alerts)" "15 alerts"
assert_eq "15 0" "$(py 'd["accepted"], d["duplicates"]' | tr -d '(),')" "15 accepted"
assert_eq 200 "$(req "${auth[@]}" --data-binary @$TEST_TMP/15.json $base/api/v1/alerts)" "again"
assert_eq "0 15" "$(py 'd["accepted"], d["duplicates"]' | tr -d '(),')" "15 duplicates"
assert_eq 200 "$(req $base/api/v1/incidents/$inc)" "the incident"
assert_eq 15 "$(py 'len(d["alerts"])')" "15 alerts stored"
assert_eq node-1 "$(py 'd["alerts"][0]["node"]')" "node from the credential"
assert_eq 15 "$(sqlite3 $db "SELECT count(*) FROM alerts WHERE incident_id = '$inc'")" "15 rows"

# 2. Reports are kept however old they claim to be, and one without opened_ns opens on arrival.
old=0000000000000000000000000000a001
noopen=0000000000000000000000000000a002
cat >"$TEST_TMP/old.json" <<JSON
[{"incident_id":"$old","state":"closed","opened_ns":1000000000000000000,"summary":"opened in 2001"},
 {"incident_id":"$noopen","state":"open","summary":"no opened_ns"}]
JSON
assert_eq 200 "$(req "${auth[@]}" --data-binary @$TEST_TMP/old.json $base/api/v1/reports)" "old reports"
assert_eq 2 "$(py 'd["accepted"]')" "both accepted"
# more writes (each commit runs retention), then both are still there
assert_eq 200 "$(req "${auth[@]}" -d '{"incident_id":"0000000000000000000000000000a003"}' $base/api/v1/reports)" "another"
assert_eq 200 "$(req $base/api/v1/incidents/$old)" "a 2001 report is kept"
assert_eq 200 "$(req $base/api/v1/incidents/$noopen)" "a report without opened_ns is kept"
[ "$(py 'd["opened_ns"]')" -gt 1700000000000000000 ] || fail "no opened_ns: not opened on arrival"

# 3. 20 posters x 1 000 alerts without an incident (one workload: one incident), in batches of
# 50, while a probe asks for health every 0.2 s. The old cockpit rewrote the incident per alert
# (quadratic: 16 012 of 20 000 after 8 minutes, health unanswered).
python3 - "$TEST_TMP" <<'PY'
import json, sys, time
t = time.strftime("%Y-%m-%dT%H:%M:%S.000000000Z", time.gmtime())
for p in range(1, 21):
    with open("%s/poster%d.jsonl" % (sys.argv[1], p), "w") as f:
        for b in range(20):
            print(json.dumps([{"alert_id": "%08x%08x%016x" % (0xb1, p, b * 50 + i), "time": t,
                               "rule_id": "R0001", "severity": 1, "message": "loose %d/%d" % (p, b * 50 + i),
                               "workload": {"id": "batch", "name": "batch"}} for i in range(50)]), file=f)
PY
python3 "$TESTLIB/http_flood.py" probe $port 600 "$TEST_TMP/stop-probe" >"$TEST_TMP/probe.json" &
probe_pid=$!
on_exit touch "$TEST_TMP/stop-probe"
posted=$(python3 "$TESTLIB/http_flood.py" post $port "$token" "$TEST_TMP"/poster*.jsonl)
touch "$TEST_TMP/stop-probe"
wait $probe_pid || true
log "20 posters: $posted"
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if d["not_200"] == 0 and d["accepted"] == 20000 else 1)' "$posted" ||
	fail "not every batch was accepted: $posted"
elapsed_ms=$(python3 -c 'import json,sys; print(int(json.loads(sys.argv[1])["seconds"] * 1000))' "$posted")
stored=$(sqlite3 $db "SELECT count(*) FROM alerts WHERE alert_id LIKE '000000b1%'")
log "20 x 1000 loose alerts: $stored stored in $elapsed_ms ms"
assert_eq 20000 "$stored" "every loose alert stored"
# linear, not quadratic: well under the minutes the old cockpit took (a bound, not a benchmark)
[ "$elapsed_ms" -lt 120000 ] || fail "20 000 loose alerts took $elapsed_ms ms"
assert_eq 200 "$(req "$base/api/v1/incidents?q=batch")" "the loose incident"
assert_eq 20000 "$(py 'd["incidents"][0]["alert_count"]')" "one incident with all 20 000"
assert_eq "1 1" "$(py 'd["total"], d["incidents"][0]["severity"]' | tr -d '(),')" "total and highest severity"
# health answered throughout: a probe every 0.2 s, each within 1 s
probe=$(cat "$TEST_TMP/probe.json")
log "health during the posts: $probe"
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if d["failures"] == 0 and d["max_s"] < 1.0 and d["probes"] >= 1 else 1)' "$probe" ||
	fail "health did not answer within 1 s throughout: $probe"

# 4. The fleet: a heartbeat, its workloads, a profile and the diff of two.
cat >"$TEST_TMP/hb.json" <<JSON
{"time":"2026-11-22T10:00:00Z","seq":7,"interval_s":120,"version":"0.9","kernel":"6.18.0","uptime_s":3600,
 "sensor":{"events":100,"drops":{"ringbuf":2,"rate":1}},"sinks":[{"name":"cockpit","sent":10,"failed":3}],
 "spool":{"bytes":0,"items":0,"dropped":4},
 "workloads":[{"id":"w-1","name":"web","namespace":"prod","state":"detecting","profile":{"name":"web","digest":"sha256:00","signer":"ops","completion":"complete"},"alerts_total":15},
              {"id":"w-2","name":"db","namespace":"prod","state":"learning"}]}
JSON
assert_eq 200 "$(req "${auth[@]}" --data-binary @$TEST_TMP/hb.json $base/api/v1/heartbeat)" "heartbeat"
assert_eq 200 "$(req $base/api/v1/nodes)" "nodes"
assert_eq "node-1 online 0.9 3 3 4 2" "$(py '" ".join(str(x) for x in (d["nodes"][0]["name"], d["nodes"][0]["status"], d["nodes"][0]["version"], d["nodes"][0]["health"]["drops"], d["nodes"][0]["health"]["sink_failures"], d["nodes"][0]["health"]["spool_dropped"], d["nodes"][0]["workloads"]))')" "node row"
assert_eq 200 "$(req "$base/api/v1/workloads?node=node-1&q=web")" "workloads"
assert_eq "web detecting ops" "$(py '" ".join((d["workloads"][0]["name"], d["workloads"][0]["state"], d["workloads"][0]["profile"]["signer"]))')" "workload row"
assert_eq 200 "$(req $base/api/v1/nodes/node-1)" "one node"
assert_eq 6.18.0 "$(py 'd["heartbeat"]["kernel"]')" "its last heartbeat"
# profiles: the digest is the canonical one; a wrong digest is refused
mkprofile() { # FILE NAME EXEC...
	local f=$1 name=$2
	shift 2
	{
		echo "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1"
		echo "kind: ApplicationProfile"
		echo "metadata:"
		echo "  name: $name"
		echo "spec:"
		echo "  containers:"
		echo "  - name: $name"
		echo "    execs:"
		for e in "$@"; do echo "    - path: $e"; done
	} >"$f"
}
profile_post() { # FILE KIND DIGEST
	python3 -c 'import json,sys; print(json.dumps({"workload":{"name":"web","namespace":"prod"},"kind":sys.argv[2],"name":"web","digest":sys.argv[3],"signer":"","completion":"complete","yaml":open(sys.argv[1]).read()}))' "$1" "$2" "$3" >"$TEST_TMP/p.json"
	req "${auth[@]}" --data-binary @$TEST_TMP/p.json $base/api/v1/profiles
}
mkprofile "$TEST_TMP/a.yaml" web /bin/sh
mkprofile "$TEST_TMP/b.yaml" web /bin/sh /usr/bin/curl
da=sha256:$("$VIGIL" profile canon "$TEST_TMP/a.yaml" | sha256sum | cut -d' ' -f1)
db_=sha256:$("$VIGIL" profile canon "$TEST_TMP/b.yaml" | sha256sum | cut -d' ' -f1)
assert_eq 200 "$(profile_post "$TEST_TMP/a.yaml" in_force $da)" "profile in force"
assert_eq 200 "$(profile_post "$TEST_TMP/b.yaml" learned $db_)" "profile learned"
assert_eq 200 "$(profile_post "$TEST_TMP/b.yaml" learned $db_)" "the same again"
assert_eq 1 "$(py 'd["duplicates"]')" "a re-sent profile is a duplicate"
assert_eq 400 "$(profile_post "$TEST_TMP/b.yaml" learned $da)" "a digest that is not the yaml's"
assert_contains "$(body)" "digest does not match" "says why"
assert_eq 200 "$(req "$base/api/v1/profiles?node=node-1")" "profiles"
assert_eq 2 "$(py 'len(d["profiles"])')" "two profiles"
assert_eq 200 "$(req $base/api/v1/profiles/$db_)" "one profile"
assert_contains "$(py 'd["yaml"]')" "/usr/bin/curl" "with its yaml"
assert_eq 200 "$(req "$base/api/v1/profiles/diff?a=$da&b=$db_")" "diff"
assert_contains "$(py 'd["diff"]')" "+ execs: /usr/bin/curl" "the diff as vigil profile diff prints it"
"$VIGIL" profile diff "$TEST_TMP/a.yaml" "$TEST_TMP/b.yaml" >"$TEST_TMP/cli-diff" || true
assert_eq "$(cat "$TEST_TMP/cli-diff")" "$(py 'd["diff"].rstrip("\n")')" "same text as the CLI"
assert_eq 200 "$(req "$base/api/v1/workloads?node=node-1&q=web")" "workloads with profiles"
assert_eq "$db_" "$(py 'd["workloads"][0]["learned"]["digest"]')" "a workload names its newest learned profile"

# 5. Alerts, counts over time, search.
assert_eq 200 "$(req "$base/api/v1/alerts?incident=$inc&limit=5")" "alerts"
assert_eq "5 15" "$(py 'len(d["alerts"]), d["total"]' | tr -d '(),')" "limit, and the total without it"
assert_eq 200 "$(req "$base/api/v1/stats/alerts?since=2h&bucket=10m")" "counts"
assert_eq 20000 "$(py 'sum(b["count"] for b in d["series"])')" "the loose alerts of the last 2 h"
assert_eq 20000 "$(py 'sum(b["high"] + b["mid"] + b["low"] for b in d["series"])')" "split by severity"
assert_eq 20000 "$(py 'sum(b["low"] for b in d["series"])')" "all of severity 1: low"
assert_eq True "$(py 'len(d["series"]) in (12, 13) and d["bucket_s"] == 600')" "2 h in buckets of 10 min"
assert_eq 200 "$(req "$base/api/v1/search?q=web")" "search"
assert_ge "$(py 'len(d["workloads"]) + len(d["incidents"])')" 2 "found"
assert_eq 400 "$(req "$base/api/v1/stats/alerts?bucket=1ms")" "a bad bucket"
assert_eq 400 "$(req "$base/api/v1/alerts?since=yesterday")" "a bad since"
echo "cockpit data: ok"
