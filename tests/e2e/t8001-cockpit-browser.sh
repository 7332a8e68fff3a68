#!/usr/bin/env bash
# The cockpit's page in a real headless Chromium (driven by playwright-core from npm): an
# analyst pages through 1 200 incidents, filters, opens one, reads its evidence and timeline
# chart, shares its URL, goes back and forward, searches; hostile text stays text; nothing is
# fetched from outside; the CSP stays strict; a cockpit with a token asks for it.
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

# The credential agents write with: a node's own token where the cockpit has node credentials
# (the node's name then comes from it), else FALLBACK (an older cockpit's one shared token).
write_token() { # BASE STORE NODE [FALLBACK]
	local tok
	if ! "$VIGIL" cockpit token list --store "$2" >/dev/null 2>&1; then
		echo "${4:-}"
		return
	fi
	tok=$("$VIGIL" cockpit token add "$3" --store "$2") || fail "cockpit token add $3"
	accepted() { [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" -d '[]' "$1/api/v1/alerts")" = 200 ]; }
	wait_until 10 accepted "$1" || fail "the node token of $3 is not accepted within 10 s"
	echo "$tok"
}

port=$(free_port)
spawn cockpit "$VIGIL" cockpit --listen 127.0.0.1:$port --store sqlite:$TEST_TMP/e.db
base=http://127.0.0.1:$port
wait_for_http $base/api/v1/health

# The page's own headers: a strict policy, no inline script or style, no eval.
headers=$(curl -fsS -D - -o /dev/null $base/)
csp=$(grep -i '^content-security-policy:' <<<"$headers" | tr -d '\r')
assert_contains "$csp" "script-src 'self'" "CSP"
assert_contains "$csp" "style-src 'self'" "CSP"
assert_not_contains "$csp" "unsafe" "CSP"
# The chart library is served from the binary.
curl -fsS -o "$TEST_TMP/uplot.js" $base/uPlot.iife.min.js || fail "uPlot is not embedded"
assert_file_contains "$TEST_TMP/uplot.js" "var uPlot="

wtoken=$(write_token $base sqlite:$TEST_TMP/e.db node-a)
seed=$(node "$web/seed.mjs" $base incidents "$wtoken") || fail "seeding the cockpit"
log "seeded: $seed"
node "$web/incidents.mjs" $base "$seed" || fail "incidents in chromium"

tport=$(free_port)
head -c 24 /dev/urandom | base64 >"$TEST_TMP/token"
spawn cockpit-token "$VIGIL" cockpit --listen 127.0.0.1:$tport --store sqlite:$TEST_TMP/t.db \
	--token-file "$TEST_TMP/token"
wait_for_http http://127.0.0.1:$tport/
token=$(cat "$TEST_TMP/token")
wtoken=$(write_token http://127.0.0.1:$tport sqlite:$TEST_TMP/t.db node-a "$token")
seed=$(N_BULK=1100 node "$web/seed.mjs" http://127.0.0.1:$tport incidents "$wtoken") || fail "seeding with a token"
SHOTS= node "$web/incidents.mjs" http://127.0.0.1:$tport "$seed" "$token" || fail "incidents in chromium, with a token"
echo "cockpit browser: ok"
