#!/usr/bin/env bash
# A node's write rate counts items, not only requests and bytes (issue 10/11): a node sending
# 10 000 alerts per request as fast as it can is held to its items per second (here 500/s,
# bursts of 10 000: one full request) with 429 + Retry-After, nothing of a refused request is
# stored, and a node within its rate is not slowed. Before, only 50 requests/s and 8 MiB/s
# bounded it: 500 000 items/s from one token.
. "$(dirname "$0")/../lib/common.sh"
requires_cmd python3 curl sqlite3
. "$TESTLIB/cockpit.sh"

db=$TEST_TMP/e.db
store=sqlite:$db
cockpit_start cockpit --store $store --node-items-rate 500
flood=$(cockpit_node_token $store flood)
calm=$(cockpit_node_token $store calm)

cat >"$TEST_TMP/post.py" <<'PY'
# post.py URL TOKEN REQUESTS ITEMS PREFIX: REQUESTS posts of ITEMS alerts each, as fast as the
# cockpit answers; prints {"statuses":{..}, "accepted":N, "retry_after":[..], "seconds":T}
import http.client, json, sys, time, urllib.parse
url, token, nreq, nitems, prefix = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
u = urllib.parse.urlparse(url)
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
statuses, accepted, retry = {}, 0, []
t0 = time.time()
for r in range(nreq):
    body = json.dumps([{"alert_id": "%s%08x%08x" % (prefix, r, i), "rule_id": "R0001",
                        "time": "2026-12-06T07:00:00Z", "message": "m",
                        "workload": {"id": "w", "name": "w"}} for i in range(nitems)])
    conn.request("POST", "/api/v1/alerts", body, {"Authorization": "Bearer " + token,
                                                  "Content-Type": "application/json"})
    resp = conn.getresponse()
    data = resp.read()
    statuses[resp.status] = statuses.get(resp.status, 0) + 1
    if resp.status == 200:
        accepted += json.loads(data)["accepted"]
    if resp.status == 429:
        retry.append(int(resp.getheader("Retry-After", "0")))
    if resp.getheader("Connection", "") == "close":
        conn.close()
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
print(json.dumps({"statuses": statuses, "accepted": accepted, "retry_after": retry,
                  "seconds": time.time() - t0}))
PY
stored() { sqlite3 "$db" "SELECT count(*) FROM alerts WHERE node = '$1'"; }

# ---- the flood: 8 requests of 10 000 alerts from one node -----------------------------------
out=$(python3 "$TEST_TMP/post.py" "$COCKPIT_URL" "$flood" 8 10000 0000000000000000)
log "flood: $out"
j() { python3 -c "import json,sys; d=json.loads(sys.argv[1]); print($1)" "$out"; }
n=$(stored flood)
assert_eq "$(j 'd["accepted"]')" "$n" "what was answered accepted is what is stored"
[ "$(j 'd["statuses"].get("429", 0) >= 1 and min(d["retry_after"]) >= 1')" = True ] ||
	fail "a node over its items per second is not told 429 with Retry-After: $out"
# the bound: one burst (10 000) and 500/s for the time it took, and not more
bound=$(j 'int(10000 + 500 * d["seconds"]) + 1')
[ "$n" -le "$bound" ] || fail "the flooding node stored $n alerts in $(j 'd["seconds"]') s (bound $bound)"
[ "$n" -lt 80000 ] || fail "nothing was held back: $n"
metric=$(cockpit_metric 'vigil_cockpit_rejected_total{cause="rate"}')
assert_ge "${metric:-0}" 1 "refusals counted as cause rate"

# ---- a node within its rate is not slowed by the other's flood -------------------------------
out=$(python3 "$TEST_TMP/post.py" "$COCKPIT_URL" "$calm" 5 100 1111111111111111)
log "calm: $out"
assert_eq "{'200': 5}" "$(j 'd["statuses"]')" "the calm node's requests"
assert_eq 500 "$(stored calm)" "the calm node's alerts"

# ---- after Retry-After, the refused items go in -----------------------------------------------
# First be refused: the calm phase may have given the flooding node's bucket time to refill
# (a slow machine), so send until a 429 says how long to wait.
wait_s=0
for try in $(seq 1 30); do
	wait_s=$(python3 "$TEST_TMP/post.py" "$COCKPIT_URL" "$flood" 1 1000 "2222222222$(printf %06x "$try")" |
		python3 -c 'import json,sys; d=json.load(sys.stdin); print(max(d["retry_after"] or [0]))')
	[ "$wait_s" -eq 0 ] || break
done
[ "$wait_s" -ge 1 ] || fail "30 requests of 1000 items at once, none refused"
before=$(stored flood)
sleep "$wait_s"
out=$(python3 "$TEST_TMP/post.py" "$COCKPIT_URL" "$flood" 1 1000 3333333333333333)
assert_eq "{'200': 1}" "$(j 'd["statuses"]')" "after Retry-After ($wait_s s) the node writes again"
assert_eq $((before + 1000)) "$(stored flood)" "and its items are stored"
echo "ok: t8006-cockpit-node-items (${SECONDS}s)"
