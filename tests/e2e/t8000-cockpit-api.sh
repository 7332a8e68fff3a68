#!/usr/bin/env bash
# The cockpit's API against a real SQLite store: ingest alerts and reports, read them back,
# and reject what is malformed, too large, unauthorised or unsafe to serve.
. "$(dirname "$0")/../lib/common.sh"

. "$TESTLIB/cockpit.sh"

store=sqlite:$TEST_TMP/evidence.db
cockpit_start cockpit --store $store
base=$COCKPIT_URL
# writes need a node's token (the node's name comes from it), also on loopback
token=$(cockpit_node_token $store node-1)
auth=(-H "Authorization: Bearer $token")

# status CODE of a request; body in $TEST_TMP/body
req() { curl -s -o "$TEST_TMP/body" -w '%{http_code}' "$@"; }
# the same with the node token
wreq() { req "${auth[@]}" "$@"; }

assert_eq 200 "$(req $base/api/v1/health)" "health"
assert_contains "$(cat $TEST_TMP/body)" '"store":"sqlite"' "health names the store"

# An incident report from an agent, then one of its alerts arriving separately.
id=00112233445566778899aabbccddeeff
cat >"$TEST_TMP/report.json" <<JSON
{"incident_id":"$id","state":"open","workload":{"id":"w-1","name":"payments","cgroup":"/vigil/payments"},
 "opened_ns":1795313422000000000,"start_ns":1795313362000000000,"end_ns":1795313482000000000,
 "alert_count":1,"rules":["R1030"],"languages":["Go"],"summary":"payments (Go) sent a token to 127.0.0.1:8888",
 "destinations":[{"addr":"127.0.0.1","port":8888,"transport":"tcp","protocol":"unknown","connections":5,
   "first_ns":1795313422000000000,"last_ns":1795313426000000000,"bytes_out":500,"bytes_in":0,"beacon_score":0.95}],
 "files":[{"time_ns":1795313422000000000,"path":"/var/run/secrets/token","pid":7,"bytes":32,"sent_to":["127.0.0.1:8888"]}]}
JSON
assert_eq 200 "$(wreq -X POST --data-binary @$TEST_TMP/report.json $base/api/v1/reports)" "report accepted"
cat >"$TEST_TMP/alert.json" <<JSON
[{"alert_id":"aaaabbbbccccddddeeeeffff00001111","time":"2026-11-22T10:00:00.123456789Z","rule_id":"R1030","rule_name":"Unexpected io_uring operation",
  "severity":5,"message":"io_uring READ","incident_id":"$id","workload":{"id":"w-1"},"process":{"pid":7,"comm":"payments"}}]
JSON
assert_eq 200 "$(wreq -X POST --data-binary @$TEST_TMP/alert.json $base/api/v1/alerts)" "alert accepted"
assert_contains "$(cat $TEST_TMP/body)" '"accepted":1' "alert counted"

assert_eq 200 "$(req $base/api/v1/incidents)" "list"
assert_contains "$(cat $TEST_TMP/body)" "\"incident_id\":\"$id\"" "listed"
assert_eq 200 "$(req $base/api/v1/incidents/${id:0:8})" "get by prefix"
python3 - "$TEST_TMP/body" <<'PY' || fail "report read back differs"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["summary"] == "payments (Go) sent a token to 127.0.0.1:8888", r["summary"]
assert r["destinations"][0]["port"] == 8888 and r["destinations"][0]["connections"] == 5
assert r["files"][0]["path"] == "/var/run/secrets/token"
assert [a["rule_id"] for a in r["alerts"]] == ["R1030"], r["alerts"]
PY

# Alerts without an incident (agent without zoom) are grouped into one incident per workload.
for i in 1 2; do
	assert_eq 200 "$(wreq -X POST -d "{\"alert_id\":\"0000000000000000000000000000000$i\",\"rule_id\":\"R0001\",\"severity\":1,\"message\":\"exec $i\",\"workload\":{\"id\":\"loose\"}}" \
		$base/api/v1/alerts)" "loose alert $i"
done
req $base/api/v1/incidents >/dev/null
loose=$(python3 -c 'import json,sys; print([i for i in json.load(open(sys.argv[1]))["incidents"] if i["workload"]["id"] == "loose"][0]["incident_id"])' "$TEST_TMP/body")
req $base/api/v1/incidents/$loose >/dev/null
assert_eq 2 "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["alerts"]))' "$TEST_TMP/body")" "both loose alerts kept"

# Bad input gets a clear error and changes nothing.
assert_eq 400 "$(wreq -X POST -d '{bad' $base/api/v1/alerts)" "invalid JSON"
assert_contains "$(cat $TEST_TMP/body)" "invalid JSON at line 1" "says where"
assert_eq 400 "$(wreq -X POST -d '[{"no_rule":1}]' $base/api/v1/alerts)" "not an alert"
assert_eq 400 "$(wreq -X POST -d '[{"rule_id":"R0001"}]' $base/api/v1/alerts)" "no alert_id"
assert_contains "$(cat $TEST_TMP/body)" "alert_id missing" "says what is missing"
assert_eq 400 "$(wreq -X POST -d '{"incident_id":"NOT-HEX"}' $base/api/v1/reports)" "bad incident id"
assert_eq 401 "$(req -X POST -d '[]' $base/api/v1/alerts)" "a write without a node token"
assert_eq 403 "$(wreq -X POST -d '[{"alert_id":"aaaabbbbccccddddeeeeffff00002222","rule_id":"R0001","node":"node-2"}]' $base/api/v1/alerts)" "another node's alert"
assert_eq 404 "$(req $base/api/v1/incidents/ffffffffffffffffffffffffffffffff)" "unknown incident"
assert_eq 400 "$(req $base/api/v1/incidents/zz)" "malformed id"
assert_eq 405 "$(req -X DELETE $base/api/v1/incidents)" "method"
assert_eq 404 "$(req $base/api/v2/nothing)" "unknown endpoint"
head -c $((17 * 1024 * 1024)) /dev/zero | tr '\0' ' ' >"$TEST_TMP/big"
assert_eq 413 "$(wreq -X POST --data-binary @$TEST_TMP/big $base/api/v1/alerts)" "body bound"
assert_eq 200 "$(req $base/api/v1/health)" "still serving after bad input"

# The page and its assets are served with a strict content security policy.
curl -s -D "$TEST_TMP/headers" -o "$TEST_TMP/page" $base/
assert_file_contains "$TEST_TMP/headers" "Content-Security-Policy: default-src 'self'"
assert_file_contains "$TEST_TMP/page" '<script src="/app.js"'
assert_eq 200 "$(req $base/app.js)" "app.js"

# With an analyst token, every read must present it (health answers probes without, briefly);
# a node token cannot read, the analyst token cannot write; a public address is refused
# without TLS and an analyst token.
head -c 24 /dev/urandom | base64 >"$TEST_TMP/token"
cockpit_start cockpit-token --store sqlite:$TEST_TMP/t.db --analyst-token-file "$TEST_TMP/token"
tport=$COCKPIT_PORT
assert_eq 401 "$(req http://127.0.0.1:$tport/api/v1/incidents)" "no token"
assert_eq 401 "$(req -H 'Authorization: Bearer wrong-token-wrong-token' http://127.0.0.1:$tport/api/v1/incidents)" "wrong token"
assert_eq 200 "$(req -H "Authorization: Bearer $(cat $TEST_TMP/token)" http://127.0.0.1:$tport/api/v1/incidents)" "token"
assert_eq 200 "$(req http://127.0.0.1:$tport/api/v1/health)" "health for probes"
assert_eq '{"status":"ok"}' "$(cat $TEST_TMP/body)" "health without a token says only ok"
assert_eq 401 "$(req http://127.0.0.1:$tport/metrics)" "metrics need the analyst token"
assert_eq 403 "$(req -H "Authorization: Bearer $(cat $TEST_TMP/token)" -d '[]' http://127.0.0.1:$tport/api/v1/alerts)" "analyst cannot write"

set +e
"$VIGIL" cockpit --listen 0.0.0.0:$(free_port) --store sqlite:$TEST_TMP/x.db 2>"$TEST_TMP/err"
rc=$?
set -e
assert_eq 2 "$rc" "public address without TLS is refused"
assert_file_contains "$TEST_TMP/err" "refusing plain HTTP"
echo "cockpit API: ok"
