#!/usr/bin/env bash
# The cockpit's page in a real headless Chromium (driven by playwright-core from npm): an
# analyst finds an incident, opens it and reads its evidence; hostile text stays text; a
# cockpit with a token asks for it.
. "$(dirname "$0")/../lib/common.sh"
requires_cmd node
requires_cmd npm
[ -x /usr/bin/chromium ] || skip "no /usr/bin/chromium (scripts/deps.sh test installs it)"

web=$VIGIL_ROOT/tests/e2e/web
if [ ! -d "$web/node_modules/playwright-core" ]; then
	(cd "$web" && npm install --no-audit --no-fund --loglevel=error >"$TEST_TMP/npm.log" 2>&1) ||
		fail "npm install playwright-core failed: $(tail -5 "$TEST_TMP/npm.log")"
fi

# writes need a node token (vigil cockpit token add), also on loopback
post() { curl -fsS -o /dev/null -H "Authorization: Bearer $NODE_TOKEN" -X POST --data-binary @"$2" "$1" || fail "POST $1"; }
node_accepted() { [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $NODE_TOKEN" -d '[]' "$1/api/v1/alerts")" = 200 ]; }
node_token() { # STORE BASE: a node token the cockpit at BASE accepts
	NODE_TOKEN=$("$VIGIL" cockpit token add node-1 --store "$1")
	wait_until 10 node_accepted "$2" || fail "node token not accepted"
}
seed() {
	local base=$1 id=00112233445566778899aabbccddeeff
	cat >"$TEST_TMP/report.json" <<JSON
{"incident_id":"$id","state":"open","workload":{"id":"w-1","name":"payments"},
 "opened_ns":1795313422000000000,"start_ns":1795313362000000000,"end_ns":1795313482000000000,
 "alert_count":1,"rules":["R1030"],"summary":"payments (Go) sent a token to 127.0.0.1:8888 every 1.0 s",
 "destinations":[{"addr":"127.0.0.1","port":8888,"transport":"tcp","protocol":"unknown","connections":5,
   "first_ns":1795313422000000000,"last_ns":1795313426000000000,"bytes_out":500,"beacon_score":0.95,"interval_ns":1000000000}],
 "files":[{"time_ns":1795313422000000000,"path":"/var/run/secrets/token","pid":7,"bytes":32,"sent_to":["127.0.0.1:8888"]}],
 "alerts":[{"alert_id":"0000000000000000000000000000abce","time":"2026-11-22T10:00:00.1Z","rule_id":"R1030","rule_name":"Unexpected io_uring operation","severity":5,
   "message":"<img src=x onerror=alert(1)>","incident_id":"$id","process":{"pid":7,"comm":"payments"}}]}
JSON
	echo '{"alert_id":"0000000000000000000000000000abcd","rule_id":"R0001","severity":1,"message":"exec","workload":{"id":"web-1","name":"web"}}' >"$TEST_TMP/loose.json"
	post "$base/api/v1/reports" "$TEST_TMP/report.json"
	post "$base/api/v1/alerts" "$TEST_TMP/loose.json"
}

mkdir -p "$VIGIL_ROOT/build/test-logs"
port=$(free_port)
spawn cockpit "$VIGIL" cockpit --listen 127.0.0.1:$port --store sqlite:$TEST_TMP/e.db
wait_for_http http://127.0.0.1:$port/api/v1/health
node_token sqlite:$TEST_TMP/e.db http://127.0.0.1:$port
seed http://127.0.0.1:$port
node "$web/cockpit.mjs" http://127.0.0.1:$port "$VIGIL_ROOT/build/test-logs/cockpit.png" ||
	fail "cockpit page"

tport=$(free_port)
head -c 24 /dev/urandom | base64 >"$TEST_TMP/token"
spawn cockpit-token "$VIGIL" cockpit --listen 127.0.0.1:$tport --store sqlite:$TEST_TMP/t.db \
	--analyst-token-file "$TEST_TMP/token"
wait_for_http http://127.0.0.1:$tport/
token=$(cat "$TEST_TMP/token")
node_token sqlite:$TEST_TMP/t.db http://127.0.0.1:$tport
post http://127.0.0.1:$tport/api/v1/reports "$TEST_TMP/report.json"
post http://127.0.0.1:$tport/api/v1/alerts "$TEST_TMP/loose.json"
node "$web/cockpit.mjs" http://127.0.0.1:$tport "$TEST_TMP/token.png" "$token" ||
	fail "cockpit page with a token"
echo "cockpit browser: ok"
