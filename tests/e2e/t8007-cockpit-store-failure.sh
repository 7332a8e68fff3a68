#!/usr/bin/env bash
# When the cockpit's store fails, an acknowledgement still means stored: a write the store did
# not keep is answered 503 (Retry-After), never 200, and nothing of it is kept; the agent keeps
# what it sent and delivers it once the store works again.
#   SQLite: the cockpit runs with a file size limit (ulimit -f, SIGXFSZ ignored, so a write
#           past it fails with EFBIG instead of killing the process) while a client fills it
#           and a real agent reports to it.
#   ClickHouse: the server is stopped under the cockpit, then started again.
. "$(dirname "$0")/../lib/common.sh"
. "$TESTLIB/cockpit.sh"
requires_root
requires_btf
requires_cmd python3 curl sqlite3
ensure_tracefs

# post.py URL TOKEN BATCHES ITEMS PREFIX OUT: posts until 4 answers in a row are 503 (or all
# BATCHES were sent); writes each batch's ids and status to OUT, prints the status counts.
cat >"$TEST_TMP/post.py" <<'PY'
import http.client, json, sys, urllib.parse
url, token, nb, ni, prefix, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
u = urllib.parse.urlparse(url)
st, bad, log = {}, 0, open(out, "w")
for b in range(nb):
    ids = ["%s%08x%08x" % (prefix, b, i) for i in range(ni)]
    body = json.dumps([{"alert_id": x, "rule_id": "R0001", "time": "2026-12-06T07:00:00Z",
                        "message": "m" * 200, "workload": {"id": "w", "name": "w"}} for x in ids])
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    conn.request("POST", "/api/v1/alerts", body, {"Authorization": "Bearer " + token})
    r = conn.getresponse()
    r.read()
    conn.close()
    st[r.status] = st.get(r.status, 0) + 1
    if r.status == 503 and not r.getheader("Retry-After"):
        st["503 without Retry-After"] = st.get("503 without Retry-After", 0) + 1
    for x in ids:
        print(r.status, x, file=log)
    bad = bad + 1 if r.status == 503 else 0
    if bad >= 4:
        break
print(json.dumps(st))
PY
# check_books OUT IDS_STORED: every id answered 200 is stored, none answered 503 is
check_books()
{
	python3 - "$1" "$2" <<'PY'
import sys
sent = [l.split() for l in open(sys.argv[1])]
stored = set(l.strip() for l in open(sys.argv[2]))
ok = [x for s, x in sent if s == "200"]
failed = [x for s, x in sent if s == "503"]
lost = [x for x in ok if x not in stored]
kept = [x for x in failed if x in stored]
assert not lost, "%d ids answered 200 are not stored, e.g. %s" % (len(lost), lost[:3])
assert not kept, "%d ids answered 503 were stored, e.g. %s" % (len(kept), kept[:3])
assert ok and failed, "expected both 200 and 503 answers (%d, %d)" % (len(ok), len(failed))
print(len(ok), len(failed))
PY
}

# ---- SQLite with a file size limit -------------------------------------------------------------
db=$TEST_TMP/full.db
store=sqlite:$db
"$VIGIL" cockpit token add filler --store $store >"$TEST_TMP/filler.token"
"$VIGIL" cockpit token add node-a --store $store >"$TEST_TMP/node-a.token"
chmod 600 "$TEST_TMP"/*.token
port=$(free_port)
base=http://127.0.0.1:$port
# 6 MiB per file (ulimit -f counts 1 KiB blocks)
spawn cockpit-limited bash -c "trap '' XFSZ; ulimit -f 6144; exec '$VIGIL' cockpit --listen 127.0.0.1:$port --store $store"
limited_pid=$SPAWNED_PID
wait_for_http $base/api/v1/health 20

# a real agent reports to it meanwhile
d=$TEST_TMP/agent
fleet_agent_config "$d" node-a "$base" "token_file: $TEST_TMP/node-a.token"
spawn agent "$VIGIL" agent --config "$d/agent.yaml"
status() { fleet_status "$d" "$1"; }
wait_until 60 fleet_detecting "$d" || fail "svc is not detecting after 60 s: $(tail -5 "$TEST_TMP/agent.log")"
touch "$d/misbehave"
wait_until 30 json_count_ge 5 "$d/alerts.jsonl" || fail "svc raises no alerts"

out=$(python3 "$TEST_TMP/post.py" $base "$(cat "$TEST_TMP/filler.token")" 400 500 00000000000000aa "$TEST_TMP/sent.txt")
log "filler: $out (db $(stat -c %s $db) bytes, wal $(stat -c %s $db-wal 2>/dev/null || echo 0))"
[ "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get("503 without Retry-After", 0))' "$out")" = 0 ] || fail "a 503 without Retry-After: $out"
kill -0 $limited_pid || fail "the cockpit died at its file size limit"
assert_contains "$(curl -sf $base/api/v1/health)" '"status":"ok"' "the cockpit still answers"
# the agent's posts fail too: its records wait in its spool
refused() { [ "$(status "s['cockpit']['last_status'] == 503 and s['cockpit']['spool']['items'] > 0")" = True ]; }
wait_until 30 refused || fail "the agent is not answered 503 and spooling: $(status "s['cockpit']")"
rm "$d/misbehave"
stop_pid $limited_pid
sqlite3 "$db" "SELECT alert_id FROM alerts" >"$TEST_TMP/stored.txt"
books=$(check_books "$TEST_TMP/sent.txt" "$TEST_TMP/stored.txt") || fail "SQLite: $books"
log "SQLite full: $books (ids answered 200 all stored, 503 none)"

# the store has room again (no limit): the agent delivers everything, each once
spawn cockpit "$VIGIL" cockpit --listen 127.0.0.1:$port --store $store
wait_for_http $base/api/v1/health 20
drained() { [ "$(status "s['cockpit']['spool']['items'] + s['cockpit']['waiting'] == 0 and s['cockpit']['connected']")" = True ]; }
wait_until 60 drained || fail "the agent does not deliver after the store recovered: $(status "s['cockpit']")"
file_ids() { json_get "$d/alerts.jsonl" alert_id | sort; }
cockpit_ids() { sqlite3 "$db" "SELECT alert_id FROM alerts WHERE node = 'node-a' ORDER BY alert_id"; }
same() { [ "$(file_ids)" = "$(cockpit_ids)" ]; }
wait_until 20 same || fail "node-a: $(comm -3 <(file_ids) <(cockpit_ids) | head -5)"
log "node-a: $(file_ids | wc -l) alerts, each stored once after the store recovered"

# ---- ClickHouse stopped under the cockpit ------------------------------------------------------
. "$TESTLIB/clickhouse.sh"
on_exit ch_cleanup
rc=0
ch_start "$TEST_TMP/ch" || rc=$?
[ $rc = 77 ] && skip "clickhouse-server not installed"
[ $rc = 0 ] || fail "clickhouse-server did not start"
chstore="clickhouse:$CH_URL/vigil_t8007"
cockpit_start cockpit-ch --store "$chstore"
tok=$(cockpit_node_token "$chstore" filler-ch)
out=$(python3 "$TEST_TMP/post.py" $COCKPIT_URL "$tok" 3 500 00000000000000bb "$TEST_TMP/ch-sent-1.txt")
assert_eq '{"200": 3}' "$out" "ClickHouse up: stored"
ch_stop
out=$(python3 "$TEST_TMP/post.py" $COCKPIT_URL "$tok" 6 500 00000000000000cc "$TEST_TMP/ch-sent-2.txt")
log "ClickHouse stopped: $out"
assert_eq '{"503": 4}' "$out" "ClickHouse down: 503, with Retry-After"
ch_start "$TEST_TMP/ch"
up() { [ "$(python3 "$TEST_TMP/post.py" $COCKPIT_URL "$tok" 1 500 00000000000000dd "$TEST_TMP/ch-sent-3.txt")" = '{"200": 1}' ]; }
wait_until 60 up || fail "the cockpit does not store again after ClickHouse came back"
cat "$TEST_TMP"/ch-sent-*.txt >"$TEST_TMP/ch-sent.txt"
ch_query "SELECT alert_id FROM vigil_t8007.alerts" >"$TEST_TMP/ch-stored.txt"
books=$(check_books "$TEST_TMP/ch-sent.txt" "$TEST_TMP/ch-stored.txt") || fail "ClickHouse: $books"
log "ClickHouse stopped: $books (ids answered 200 all stored, 503 none)"
echo "ok: t8007-cockpit-store-failure (${SECONDS}s)"
