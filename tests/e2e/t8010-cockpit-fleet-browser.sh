#!/usr/bin/env bash
# The cockpit's fleet console in a real headless Chromium: 12 nodes enrol with a join token and
# report through the real write API (heartbeats, profiles, alerts); the fleet page, a node, a
# workload's learned profile against the one in force, the profile's YAML, workloads, search,
# alerts and incidents are checked as a user sees them, after reloads and back/forward.
# SHOTS=DIR writes screenshots there (make screenshots: docs/img).
. "$(dirname "$0")/../lib/common.sh"
requires_cmd node
requires_cmd npm
[ -x /usr/bin/chromium ] || skip "no /usr/bin/chromium (scripts/deps.sh test installs it)"

web=$VIGIL_ROOT/tests/e2e/web
if [ ! -d "$web/node_modules/playwright-core" ]; then
	(cd "$web" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error >"$TEST_TMP/npm.log" 2>&1) ||
		fail "npm ci playwright-core failed: $(tail -5 "$TEST_TMP/npm.log")"
fi
export FAIL_SHOT=$TEST_TMP/failed.png
# The fleet API (node credentials, heartbeats, profiles) came with `vigil cockpit token`.
"$VIGIL" cockpit token list --store sqlite:$TEST_TMP/probe.db >/dev/null 2>&1 ||
	skip "this build's cockpit has no fleet API (no 'vigil cockpit token')"

port=$(free_port)
store=sqlite:$TEST_TMP/e.db
spawn cockpit "$VIGIL" cockpit --listen 127.0.0.1:$port --store $store
base=http://127.0.0.1:$port
wait_for_http $base/api/v1/health

join=$("$VIGIL" cockpit join-token --uses 12 --store $store) || fail "join-token"
seed=$(VIGIL=$VIGIL TEST_TMP=$TEST_TMP node "$web/seed-fleet.mjs" $base "$join" 12) || fail "seeding the fleet"
log "seeded: $seed"
node "$web/fleet.mjs" $base "$seed" || fail "fleet in chromium"
echo "cockpit fleet browser: ok"
