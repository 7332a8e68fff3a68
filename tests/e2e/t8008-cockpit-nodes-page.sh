#!/usr/bin/env bash
# The fleet list pages on the cockpit (issue 10's scale goals): GET /api/v1/nodes answers one page
# (limit, offset), filtered (status, q) and sorted (trouble: offline, stale, then the nodes losing
# data, first), with the whole fleet's totals whatever the page; pages put together are the whole
# list; alerts of the last hour (from the store's per-minute counters) count only that hour; each
# node's clock offset (heartbeat time against arrival) shows; bad arguments get 400.
. "$(dirname "$0")/../lib/common.sh"
requires_cmd python3 curl sqlite3

. "$TESTLIB/cockpit.sh"

db=$TEST_TMP/e.db
store=sqlite:$db
cockpit_start cockpit --store $store
base=$COCKPIT_URL

req() { curl -s -o "$TEST_TMP/body" -w '%{http_code}' "$@"; }
py() { python3 -c "import json,sys; d=json.load(open('$TEST_TMP/body')); print($1)"; }

# Five nodes that heartbeat (n3 and n4 lose data), two that only have a token (offline).
for i in 1 2 3 4 5 6 7; do
	tok[$i]=$(cockpit_node_token $store n$i)
done
for i in 1 2 3 4 5; do
	drops=0
	[ $i = 3 ] && drops=7
	[ $i = 4 ] && drops=2
	printf '{"time":"2026-11-22T10:00:00Z","seq":1,"interval_s":600,"version":"0.%s","kernel":"6.18.%s","uptime_s":60,"sensor":{"drops":{"ringbuf":%s}},"workloads":[{"id":"w","name":"web","state":"detecting"}]}' \
		$((i == 5 ? 8 : 9)) $i $drops >"$TEST_TMP/hb$i.json"
	assert_eq 200 "$(req -H "Authorization: Bearer ${tok[$i]}" --data-binary @$TEST_TMP/hb$i.json $base/api/v1/heartbeat)" "heartbeat n$i"
done

# Alerts: n1 has 5 in the last hour and one 2 h ago, n2 has 2.
python3 - "$TEST_TMP" <<'PY'
import json, sys, time
def at(ago, i, node):
    return {"alert_id": "%08x%024x" % (node, i), "rule_id": "R0001", "severity": 9,
            "time": time.strftime("%Y-%m-%dT%H:%M:%S.000000000Z", time.gmtime(time.time() - ago)),
            "workload": {"id": "w", "name": "web"}}
json.dump([at(1800 + i, i, 1) for i in range(5)] + [at(7200, 9, 1)], open(sys.argv[1] + "/a1.json", "w"))
json.dump([at(600, i, 2) for i in range(2)], open(sys.argv[1] + "/a2.json", "w"))
PY
assert_eq 200 "$(req -H "Authorization: Bearer ${tok[1]}" --data-binary @$TEST_TMP/a1.json $base/api/v1/alerts)" "n1's alerts"
assert_eq 200 "$(req -H "Authorization: Bearer ${tok[2]}" --data-binary @$TEST_TMP/a2.json $base/api/v1/alerts)" "n2's alerts"

# The whole list by name, and the totals.
assert_eq 200 "$(req "$base/api/v1/nodes?limit=100")" "all nodes"
assert_eq "n1 n2 n3 n4 n5 n6 n7" "$(py '" ".join(n["name"] for n in d["nodes"])')" "by name"
assert_eq "7 5 0 2 5 7 2 0.9" "$(py '" ".join(str(d["summary"][k]) for k in ("nodes", "online", "stale", "offline", "workloads", "alerts_1h", "unhealthy", "version"))')" "the fleet's totals"
assert_eq "5 2" "$(py '" ".join(str(n["alerts_1h"]) for n in d["nodes"][:2])')" "alerts of the last hour only"
# their heartbeats say 2026-11-22T10:00:00Z: the clock offset shows how far behind they are
assert_eq True "$(py 'all(n["clock_offset_ms"] == (1795341600000 - n["last_seen_ns"] // 1000000) or abs(n["clock_offset_ms"] - (1795341600000 - n["last_seen_ns"] // 1000000)) <= 1 for n in d["nodes"][:5])')" "clock offsets"
assert_eq False "$(py '"clock_offset_ms" in d["nodes"][5]')" "no offset without a heartbeat"

# The nodes needing attention first: offline, then the ones losing the most data.
assert_eq 200 "$(req "$base/api/v1/nodes?sort=trouble&limit=3")" "trouble first"
assert_eq "n6 n7 n3 | 7 0" "$(py '" ".join(n["name"] for n in d["nodes"]) + " | " + str(d["total"]) + " " + str(d["offset"])')" "offline, then drops"
assert_eq 7 "$(py 'd["summary"]["nodes"]')" "totals of the whole fleet on every page"
# pages of 2 put together are the whole list, in the same order
all=$(req "$base/api/v1/nodes?sort=trouble" >/dev/null; py '" ".join(n["name"] for n in d["nodes"])')
paged=""
for off in 0 2 4 6; do
	assert_eq 200 "$(req "$base/api/v1/nodes?sort=trouble&limit=2&offset=$off")" "page at $off"
	paged="$paged $(py '" ".join(n["name"] for n in d["nodes"])')"
done
assert_eq "$all" "$(echo $paged)" "pages put together"
assert_eq 200 "$(req "$base/api/v1/nodes?offset=50")" "past the end"
assert_eq "0 7" "$(py 'len(d["nodes"]), d["total"]' | tr -d '(),')" "an empty page, the total"

# Filters: status and text (name, version, kernel), with the total of what matches.
assert_eq 200 "$(req "$base/api/v1/nodes?status=offline")" "offline"
assert_eq "n6 n7 2" "$(py '" ".join(n["name"] for n in d["nodes"]) + " " + str(d["total"])')" "offline nodes"
assert_eq 200 "$(req "$base/api/v1/nodes?q=0.8")" "by version"
assert_eq "n5" "$(py '" ".join(n["name"] for n in d["nodes"])')" "the node on another version"
assert_eq 200 "$(req "$base/api/v1/nodes?sort=alerts&limit=1")" "most alerts"
assert_eq n1 "$(py 'd["nodes"][0]["name"]')" "most alerts first"

# Counts over time from the counters: the 8 alerts of the day, the one 2 h ago in its hour.
assert_eq 200 "$(req "$base/api/v1/stats/alerts?since=24h&bucket=1h")" "counts"
assert_eq "8 8" "$(py 'sum(b["count"] for b in d["series"]), sum(b["high"] for b in d["series"])' | tr -d '(),')" "every alert of the day"
assert_eq 200 "$(req "$base/api/v1/stats/alerts?since=24h&bucket=1h&node=n2")" "one node"
assert_eq 2 "$(py 'sum(b["count"] for b in d["series"])')" "its alerts"

# Bad arguments: 400, never a guess.
for bad in "limit=0" "limit=x" "limit=10001" "offset=-1" "offset=x" "offset=1000000000" "status=lost" "sort=age"; do
	assert_eq 400 "$(req "$base/api/v1/nodes?$bad")" "nodes?$bad"
done
echo "nodes page: ok"
