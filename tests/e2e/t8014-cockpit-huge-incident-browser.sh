#!/usr/bin/env bash
# An incident of 12 000 alerts in a real headless Chromium (session 10's hostile pass): its
# page shows the first 5 000 and says so, and links the alert list filtered by the incident,
# which counts all 12 000 (before: the report carried every alert, 60 000 of them took 4.5 s
# (a 7.3 MB report) and were all drawn by the page).
. "$(dirname "$0")/../lib/common.sh"
requires_cmd node
requires_cmd npm
requires_cmd python3 curl
[ -x /usr/bin/chromium ] || skip "no /usr/bin/chromium (scripts/deps.sh test installs it)"
. "$TESTLIB/cockpit.sh"

web=$VIGIL_ROOT/tests/e2e/web
if [ ! -d "$web/node_modules/playwright-core" ]; then
	(cd "$web" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error >"$TEST_TMP/npm.log" 2>&1) ||
		fail "npm ci playwright-core failed: $(tail -5 "$TEST_TMP/npm.log")"
fi
export FAIL_SHOT=$TEST_TMP/failed.png

store=sqlite:$TEST_TMP/h.db
cockpit_start cockpit --store $store --node-items-rate 1000000
token=$(cockpit_node_token $store node-1)
inc=0000000000000000000000000000dddd
for part in 0 1; do
	python3 - $inc $part >"$TEST_TMP/a.json" <<'PY'
import json, os, sys
inc, part = sys.argv[1], int(sys.argv[2])
print(json.dumps([{"alert_id": os.urandom(16).hex(), "incident_id": inc, "rule_id": "R00%02d" % (1 + i % 9),
                   "severity": 1 + i % 10, "message": "alert %d" % (part * 6000 + i),
                   "time": "2026-12-07T07:%02d:%02d.%09dZ" % (part * 30 + i // 200, i // 4 % 50, i),
                   "workload": {"id": "w", "name": "svc"}} for i in range(6000)]))
PY
	code=$(curl -s -o "$TEST_TMP/posted" -w '%{http_code}' -H "Authorization: Bearer $token" \
		--data-binary @"$TEST_TMP/a.json" "$COCKPIT_URL/api/v1/alerts")
	assert_eq 200 "$code" "6 000 alerts ($(cat "$TEST_TMP/posted"))"
done
# and alerts of another incident: the list the page links must hold only this one's
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" \
	-d "$(python3 -c 'import json, os; print(json.dumps([{"alert_id": os.urandom(16).hex(), "rule_id": "R0001", "message": "other"} for i in range(50)]))')" \
	"$COCKPIT_URL/api/v1/alerts")
assert_eq 200 "$code" "50 other alerts"
node "$web/huge_incident.mjs" "$COCKPIT_URL" $inc 5000 12000 || fail "the huge incident in chromium"
