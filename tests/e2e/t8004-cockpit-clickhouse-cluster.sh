#!/usr/bin/env bash
# The fleet on a real two-shard ClickHouse cluster (issue 10, "Scale, on an existing engine"):
# two clickhouse-server processes as the two shards of one remote_servers cluster, per-shard
# tables under Distributed ones, two cockpits on it at once. Nodes write through either
# cockpit (and an agent's evidence straight into the cluster); rows spread over both shards;
# either cockpit serves all of it, de-duplicates what the other stored, and refuses a revoked
# node; a cockpit killed with -9 loses nothing (it keeps nothing of its own).
. "$(dirname "$0")/../lib/common.sh"
. "$TESTLIB/cockpit.sh"
. "$TESTLIB/clickhouse.sh"
requires_cmd curl python3
rc=0
ch_cluster_start "$TEST_TMP/ch" >"$TEST_TMP/ch.out" 2>&1 || rc=$?
[ $rc -eq 77 ] && skip "$(cat "$TEST_TMP/ch.out")"
[ $rc -eq 0 ] || fail "the ClickHouse cluster did not start: $(tail -5 "$TEST_TMP/ch.out")"
on_exit ch_cluster_stop
q() { curl -sS --max-time 10 --data-binary "$2" "$1/"; }
[ "$(q $CH1_URL "SELECT count() FROM system.clusters WHERE cluster = 'vigil_test'")" = 2 ] ||
	fail "the cluster vigil_test does not have two shards"

db=vigil_t8004
store="clickhouse:$CH1_URL/$db?cluster=vigil_test&shard=$CH1_URL&shard=$CH2_URL"

# Two cockpits on the cluster at once; the first one to start creates the schema.
cockpit_start cockpit-a --store "$store"
a=$COCKPIT_URL
pid_a=$COCKPIT_PID
cockpit_start cockpit-b --store "$store"
b=$COCKPIT_URL
for s in $CH1_URL $CH2_URL; do
	engines=$(q $s "SELECT name, engine FROM system.tables WHERE database = '$db' AND name IN ('alerts', 'alerts_local') ORDER BY name FORMAT TSV" | tr '\t\n' ': ')
	assert_eq "alerts:Distributed alerts_local:ReplacingMergeTree " "$engines" "tables on $s"
done

tok_a=$(cockpit_node_token "$store" node-a "$a") || { ch_cluster_health >&2; fail "no token for node-a"; }
tok_b=$(cockpit_node_token "$store" node-b "$b") || { ch_cluster_health >&2; fail "no token for node-b"; }
# the token made against the cluster works on the other cockpit too (it reads the store's
# credentials again within a second)
wait_until 10 _cockpit_accepts "$b" "$tok_a" || fail "cockpit b does not know node-a's token"
wait_until 10 _cockpit_accepts "$a" "$tok_b" || fail "cockpit a does not know node-b's token"

req() { curl -s -o "$TEST_TMP/body" -w '%{http_code}' "$@"; }
py() { python3 -c "import json; d=json.load(open('$TEST_TMP/body')); print($1)"; }
python3 - "$TEST_TMP" <<'PY'
import json, sys, time
t = time.time()
for node, tag in (("node-a", 0xa), ("node-b", 0xb)):
    with open("%s/%s.jsonl" % (sys.argv[1], node), "w") as f:
        for batch in range(10):
            f.write(json.dumps([{
                "alert_id": "%08x%024x" % (tag, batch * 100 + i),
                "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t - 60 + i % 60)) + ".000000000Z",
                "rule_id": "R000%d" % (i % 5), "severity": 1 + i % 9, "message": "alert %d" % i,
                "workload": {"id": "w-%s-%d" % (node, i % 3), "name": "app-%d" % (i % 3)}}
                for i in range(100)]) + "\n")
PY
# node-a writes through cockpit a, node-b through cockpit b
posted_a=$(python3 "$TESTLIB/http_flood.py" post $(sed 's/.*://' <<<"$a") "$tok_a" "$TEST_TMP/node-a.jsonl")
posted_b=$(python3 "$TESTLIB/http_flood.py" post $(sed 's/.*://' <<<"$b") "$tok_b" "$TEST_TMP/node-b.jsonl")
log "node-a via a: $posted_a; node-b via b: $posted_b"
assert_contains "$posted_a" '"not_200": 0, "accepted": 1000,' "node-a's 1000 alerts"
assert_contains "$posted_b" '"not_200": 0, "accepted": 1000,' "node-b's 1000 alerts"
# heartbeats through both, a report through a, and an agent's evidence straight into the cluster
hb='{"time":"2026-11-22T10:00:00Z","seq":1,"interval_s":300,"version":"0.9","kernel":"6.18.0","uptime_s":60,
     "workloads":[{"id":"w-1","name":"app-1","namespace":"prod","state":"detecting"}]}'
assert_eq 200 "$(req -H "Authorization: Bearer $tok_a" -d "$hb" $a/api/v1/heartbeat)" "node-a heartbeat via a"
assert_eq 200 "$(req -H "Authorization: Bearer $tok_b" -d "$hb" $b/api/v1/heartbeat)" "node-b heartbeat via b"
inc=0000000000000000000000000000c0de
assert_eq 200 "$(req -H "Authorization: Bearer $tok_a" -d "{\"incident_id\":\"$inc\",\"state\":\"closed\",\"summary\":\"written through a\",\"events\":[{\"seq\":0,\"time_ns\":1,\"kind\":\"exec\"}]}" $a/api/v1/reports)" "a report via a"
echo '{"incident_id":"0000000000000000000000000000e71d","state":"open","summary":"an agent wrote this straight into the cluster","host":"node-c"}' >"$TEST_TMP/ev.json"
"$VIGIL" evidence import --store "$store" "$TEST_TMP/ev.json" >/dev/null || fail "evidence import into the cluster"

# The rows are spread over both shards, each stored once.
l1=$(q $CH1_URL "SELECT count() FROM $db.alerts_local")
l2=$(q $CH2_URL "SELECT count() FROM $db.alerts_local")
log "alerts per shard: $l1 + $l2"
[ "$l1" -gt 0 ] && [ "$l2" -gt 0 ] || fail "the alerts are not on both shards: $l1, $l2"
assert_eq 2000 "$((l1 + l2))" "every alert stored once"

# Either cockpit serves all of it.
for c in $a $b; do
	assert_eq 200 "$(req "$c/api/v1/alerts?limit=10000")" "alerts from $c"
	assert_eq 2000 "$(py 'len(d["alerts"])')" "all 2000 alerts from $c"
	assert_eq 200 "$(req "$c/api/v1/nodes")" "nodes from $c"
	assert_eq "node-a:online node-b:online" "$(py '" ".join(n["name"] + ":" + n["status"] for n in d["nodes"])')" "both nodes online from $c"
	assert_eq 200 "$(req "$c/api/v1/incidents/$inc")" "the report from $c"
	assert_eq "written through a 1" "$(py 'd["summary"], len(d["events"])' | tr -d "(),'")" "the report's content from $c"
	assert_eq 200 "$(req "$c/api/v1/incidents/0000000000000000000000000000e71d")" "the agent's evidence from $c"
	assert_eq 200 "$(req "$c/api/v1/workloads?node=node-b")" "workloads from $c"
	assert_eq app-1 "$(py 'd["workloads"][0]["name"]')" "node-b's workload from $c"
	assert_eq 200 "$(req "$c/api/v1/stats/alerts?since=1h&bucket=10m")" "counts from $c"
	assert_eq 2000 "$(py 'sum(x["count"] for x in d["series"])')" "2000 counted from $c"
	assert_eq 200 "$(req "$c/api/v1/nodes")" "nodes from $c"
	assert_eq "node-a:1000 node-b:1000" "$(py '" ".join("%s:%d" % (n["name"], n["alerts_1h"]) for n in d["nodes"])')" "alerts of the last hour per node from $c"
done
# those counts come from the per-minute counters each shard's views keep of its own alerts
for s in $CH1_URL $CH2_URL; do
	assert_eq "$(q $s "SELECT count() FROM $db.alerts_local")" "$(q $s "SELECT sum(n) FROM $db.alert_minutes_local")" "counters on $s"
done
# What one cockpit stored, the other knows: node-a's alerts sent again via b are duplicates.
again=$(python3 "$TESTLIB/http_flood.py" post $(sed 's/.*://' <<<"$b") "$tok_a" "$TEST_TMP/node-a.jsonl")
log "node-a's alerts again, via b: $again"
assert_contains "$again" '"accepted": 0, "duplicates": 1000' "re-sent alerts are duplicates across cockpits"

# Revocation against the cluster: both cockpits refuse node-b within seconds.
"$VIGIL" cockpit token revoke node-b --store "$store" >/dev/null
refused() { [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok_b" -d '[]' "$1/api/v1/alerts")" = 401 ]; }
wait_until 15 refused $a || fail "cockpit a still takes node-b's writes"
wait_until 15 refused $b || fail "cockpit b still takes node-b's writes"

# kill -9 of cockpit a: b serves everything, and a new cockpit started after it too.
kill -KILL $pid_a
wait $pid_a 2>/dev/null || true
assert_eq 200 "$(req "$b/api/v1/alerts?limit=10000")" "b after a was killed"
assert_eq 2000 "$(py 'len(d["alerts"])')" "all 2000 from b"
cockpit_start cockpit-a2 --store "$store"
assert_eq 200 "$(req "$COCKPIT_URL/api/v1/nodes")" "a new cockpit"
assert_eq "node-a:active node-b:revoked" "$(py '" ".join(n["name"] + ":" + n["credential"] for n in d["nodes"])')" "it knows the credentials"
assert_eq 200 "$(req "$COCKPIT_URL/api/v1/alerts?limit=10000")" "and the alerts"
assert_eq 2000 "$(py 'len(d["alerts"])')" "all 2000"

# Four posters at once with the same new alerts: the writer's groups then hold several
# requests, asked about at once (vigil_store__prefetch_alerts), and a request can meet ids
# that an earlier group stored or its own group queued: each alert is accepted once.
python3 - "$TEST_TMP" <<'PY'
import json, sys, time
t = time.time()
with open("%s/same.jsonl" % sys.argv[1], "w") as f:
    for batch in range(10):
        f.write(json.dumps([{
            "alert_id": "%08x%024x" % (0xc, batch * 100 + i),
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t - 60 + i % 60)) + ".000000000Z",
            "rule_id": "R0001", "severity": 3, "message": "again %d" % i,
            "workload": {"id": "w-node-a-0", "name": "app-0"}} for i in range(100)]) + "\n")
PY
f=$TEST_TMP/same.jsonl
par=$(python3 "$TESTLIB/http_flood.py" post $(sed 's/.*://' <<<"$COCKPIT_URL") "$tok_a" "$f" "$f" "$f" "$f")
log "the same 1000 alerts from four posters at once: $par"
assert_contains "$par" '"not_200": 0, "accepted": 1000, "duplicates": 3000' "each alert accepted once"
assert_eq 200 "$(req "$COCKPIT_URL/api/v1/alerts?limit=10000")" "the alerts after"
assert_eq 3000 "$(py 'len(d["alerts"])')" "3000 stored, none twice"
# A squatter's report rows go from a taken-over incident on every shard (clickhouse_taken.c:
# each shard's local tables, a Distributed table takes no DELETE). node-c puts a report with
# files under the id node-a's next alerts without an incident join; node-a's alert takes it.
tok_c=$(cockpit_node_token "$store" node-c "$COCKPIT_URL") || fail "no token for node-c"
loose=$(python3 -c "import hashlib,sys; print(hashlib.sha256(('vigil-loose\nnode-a\nw-a\n%s' % sys.argv[1]).encode()).hexdigest()[:32])" $(($(date +%s) / 3600)))
assert_eq 200 "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok_c" --data-binary '{"incident_id":"'$loose'","state":"closed","summary":"benign",
  "files":[{"time_ns":1,"path":"/decoy1","pid":1},{"time_ns":2,"path":"/decoy2","pid":1},{"time_ns":3,"path":"/decoy3","pid":1}]}' "$COCKPIT_URL/api/v1/reports")" "node-c's report under node-a's id"
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
assert_eq 200 "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok_a" --data-binary '{"alert_id":"a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1","rule_id":"R0001","time":"'$now'","workload":{"id":"w-a","name":"app-0"}}' "$COCKPIT_URL/api/v1/alerts")" "node-a's alert takes it"
no_files() { req "$COCKPIT_URL/api/v1/incidents/$loose" >/dev/null && [ "$(py 'd["node"] + ":" + str(len(d["files"]))')" = node-a:0 ]; }
wait_until 90 no_files || fail "node-c's report rows still in node-a's incident: $(curl -s "$COCKPIT_URL/api/v1/incidents/$loose")"

# A database made before the counters (no views, no counter tables): the next cockpit to open
# it makes them and counts the alerts stored before, once.
for s in $CH1_URL $CH2_URL; do
	for t in alert_minutes_local_mv fleet_minutes_local_mv alert_minutes_local fleet_minutes_local alert_minutes fleet_minutes; do
		q $s "DROP TABLE IF EXISTS $db.$t" >/dev/null
	done
done
cockpit_start cockpit-up --store "$store"
assert_eq 200 "$(req "$COCKPIT_URL/api/v1/stats/alerts?since=1h&bucket=10m")" "counts after the upgrade"
assert_eq 3001 "$(py 'sum(x["count"] for x in d["series"])')" "every alert stored before counted once"
assert_eq 200 "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok_a" --data-binary '{"alert_id":"a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2","rule_id":"R0001","time":"'$now'","workload":{"id":"w-a","name":"app-0"}}' "$COCKPIT_URL/api/v1/alerts")" "an alert after the upgrade"
assert_eq 200 "$(req "$COCKPIT_URL/api/v1/stats/alerts?since=1h&bucket=10m")" "counts after"
assert_eq 3002 "$(py 'sum(x["count"] for x in d["series"])')" "and counted by the views"
# A database made before the node list (no node_list tables, no views): the next cockpit to
# open it makes them on each shard and lists every heartbeat and token stored before, once
# (clickhouse_node_list.c); later heartbeats keep it; both cockpits give the same list.
fleet() { req "$1/api/v1/nodes?sort=trouble" >/dev/null && py '" ".join("%s:%s:%s:%s" % (n["name"], n["status"], n["credential"], n["version"]) for n in d["nodes"])'; }
assert_eq "node-c:offline:active: node-a:online:active:0.9 node-b:online:revoked:0.9" "$(fleet $b)" "the fleet before the upgrade"
for s in $CH1_URL $CH2_URL; do
	for t in node_beats_local_mv node_tokens_local_mv node_list_local node_list; do
		q $s "DROP TABLE IF EXISTS $db.$t" >/dev/null
	done
done
cockpit_start cockpit-nl --store "$store"
nl=$COCKPIT_URL
for s in $CH1_URL $CH2_URL; do
	assert_eq 2 "$(q $s "SELECT count() FROM system.tables WHERE database = '$db' AND name IN ('node_beats_local_mv', 'node_tokens_local_mv')")" "the node list's views on $s"
done
assert_eq "node-c:offline:active: node-a:online:active:0.9 node-b:online:revoked:0.9" "$(fleet $nl)" "the fleet listed again after the upgrade"
assert_eq 200 "$(req -H "Authorization: Bearer $tok_a" -d "${hb/0.9/1.0}" $nl/api/v1/heartbeat)" "node-a heartbeat after the upgrade"
for c in $nl $b; do
	assert_eq "node-c:offline:active: node-a:online:active:1.0 node-b:online:revoked:0.9" "$(fleet $c)" "the new heartbeat listed, from $c"
done
echo "cockpit on a ClickHouse cluster: ok"
