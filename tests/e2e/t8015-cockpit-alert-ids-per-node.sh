#!/usr/bin/env bash
# Alert ids are unique per node, not across the fleet (issues 10, 11): a node that learns (or
# guesses, or replays from a leak) another node's alert id and posts it first cannot make the
# real alert a "duplicate", dropped. A real cockpit with two node tokens, on SQLite and on a
# real ClickHouse 18.16: node-b posts node-a's ids first, then node-a posts them; both are
# stored and answered accepted, each read back with its own record; a re-send (a spool
# replay) of either node is a duplicate, also after the cockpit restarts. On SQLite, a
# schema-6 file (unique by alert_id) is upgraded in place, every row kept. On ClickHouse, the
# store's own test runs too (tests/unit/test_store_fleet.c: ids in one writer batch).
. "$(dirname "$0")/../lib/common.sh"
requires_cmd python3 curl sqlite3
. "$TESTLIB/cockpit.sh"
. "$TESTLIB/clickhouse.sh"

req() { curl -s -o "$TEST_TMP/body" -w '%{http_code}' "$@"; }
py() { python3 -c "import json; d=json.load(open('$TEST_TMP/body')); print($1)"; }

# NODE FILE: ids 1..N of tag shared (both nodes) plus one of the node's own; its message names it
python3 - "$TEST_TMP" <<'PY'
import json, sys, time
t = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time() - 30)) + ".000000000Z"
for node, own in (("node-a", 0xa), ("node-b", 0xb)):
    alerts = [{"alert_id": "%032x" % (0x5ea000 + i), "time": t, "rule_id": "R0001",
               "severity": 5, "message": "%s alert %d" % (node, i),
               "workload": {"id": "w-" + node, "name": "web"}} for i in range(3)]
    alerts.append({"alert_id": "%032x" % (0x0e0000 + own), "time": t, "rule_id": "R0002",
                   "severity": 1, "message": "%s own" % node, "workload": {"id": "w-" + node}})
    json.dump(alerts, open("%s/%s.json" % (sys.argv[1], node), "w"))
PY

post() { # URL TOKEN NODE -> "accepted duplicates"
	assert_eq 200 "$(req -H "Authorization: Bearer $2" --data-binary @$TEST_TMP/$3.json "$1/api/v1/alerts")" "$3 posts"
	py 'd["accepted"], d["duplicates"], len(d["rejected"])' | tr -d '(),'
}

# Both nodes' alerts read back: 8, each shared id twice, each with its own node's record.
check_reads() { # URL LABEL
	assert_eq 200 "$(req "$1/api/v1/alerts?limit=100")" "$2: alerts"
	assert_eq 8 "$(py 'len(d["alerts"])')" "$2: both nodes' alerts listed"
	assert_eq "0 6" "$(py 'sum(a["node"] not in a["message"] for a in d["alerts"]), sum(a["alert_id"].endswith("5ea00" + a["alert_id"][-1]) for a in d["alerts"])' | tr -d '(),')" \
		"$2: each shared id twice, each alert with its own node's record"
	for n in node-a node-b; do
		assert_eq 200 "$(req "$1/api/v1/alerts?node=$n&limit=100")" "$2: $n's alerts"
		assert_eq "4 $n" "$(py 'len(d["alerts"]), " ".join(sorted(set(a["message"].split()[0] for a in d["alerts"])))' | tr -d "(),'")" "$2: $n's 4 alerts, its own"
	done
	assert_eq 200 "$(req "$1/api/v1/incidents?limit=100")" "$2: incidents"
	assert_eq "2 8" "$(py 'len(d["incidents"]), sum(i["alert_count"] for i in d["incidents"])' | tr -d '(),')" "$2: one incident per node, 8 alerts"
}

run() { # STORE LABEL
	local store=$1 label=$2 c tok_a tok_b
	cockpit_start "cockpit-$label" --store "$store"
	c=$COCKPIT_URL
	tok_a=$(cockpit_node_token "$store" node-a "$c")
	tok_b=$(cockpit_node_token "$store" node-b "$c")
	# node-b posts node-a's three ids first (with its own alert), then node-a posts them
	assert_eq "4 0 0" "$(post $c $tok_b node-b)" "$label: node-b's 4 alerts accepted"
	assert_eq "4 0 0" "$(post $c $tok_a node-a)" "$label: node-a's 4 alerts accepted, not duplicates of node-b's"
	# a spool replay of either node: duplicates, stored once
	assert_eq "0 4 0" "$(post $c $tok_a node-a)" "$label: node-a's re-send is duplicate"
	assert_eq "0 4 0" "$(post $c $tok_b node-b)" "$label: node-b's re-send is duplicate"
	check_reads $c "$label"
	# and after a restart (nothing kept in the cockpit's memory decides it)
	kill "$COCKPIT_PID"; wait "$COCKPIT_PID" 2>/dev/null || true
	cockpit_start "cockpit-$label-2" --store "$store"
	c=$COCKPIT_URL
	wait_until 15 _cockpit_accepts "$c" "$tok_a" || fail "$label: the restarted cockpit refuses node-a"
	assert_eq "0 4 0" "$(post $c $tok_a node-a)" "$label: node-a's re-send after a restart is duplicate"
	assert_eq "0 4 0" "$(post $c $tok_b node-b)" "$label: node-b's re-send after a restart is duplicate"
	check_reads $c "$label after a restart"
	RUN_URL=$c RUN_PID=$COCKPIT_PID
}

# --- SQLite
db=$TEST_TMP/e.db
run "sqlite:$db" sqlite
assert_eq 8 "$(sqlite3 $db 'SELECT count(*) FROM alerts')" "sqlite: 8 rows"
kill "$RUN_PID"; wait "$RUN_PID" 2>/dev/null || true
# as schema 6 made the file: alerts unique by alert_id alone (node-b's copies gone, as that
# schema would have dropped them), then opened by this cockpit: rebuilt, every row kept
sqlite3 $db "DELETE FROM alerts WHERE node = 'node-b' AND alert_id LIKE '%5ea00_';
	ALTER TABLE alerts RENAME TO alerts6;" || fail "rename"
old=$(sqlite3 $db "SELECT sql FROM sqlite_master WHERE name = 'alerts6'" | sed 's/alerts6/alerts/; s/UNIQUE (node, alert_id))$/UNIQUE (alert_id))/')
assert_contains "$old" "UNIQUE (alert_id))" "a schema-6 alerts table"
sqlite3 $db "$old; INSERT INTO alerts SELECT * FROM alerts6; DROP TABLE alerts6; PRAGMA user_version = 6;" || fail "schema 6"
cockpit_start cockpit-upgraded --store "sqlite:$db"
c=$COCKPIT_URL
assert_eq "7 5 1" "$(sqlite3 $db "SELECT (SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM alerts), (SELECT sql LIKE '%UNIQUE (node, alert_id))' FROM sqlite_master WHERE name = 'alerts')" | tr '|' ' ')" \
	"sqlite: upgraded to 7, its 5 rows kept, unique per node"
"$VIGIL" cockpit token revoke node-b --store "sqlite:$db" >/dev/null || fail "revoke"
tok_b=$("$VIGIL" cockpit token add node-b --store "sqlite:$db") || fail "token"
wait_until 15 _cockpit_accepts "$c" "$tok_b" || fail "the upgraded cockpit refuses node-b"
# node-b's re-send: its three alerts that schema 6 called duplicates are stored now
assert_eq "3 1 0" "$(post $c $tok_b node-b)" "sqlite: after the upgrade, node-b's alerts of node-a's ids are stored"
assert_eq 8 "$(sqlite3 $db 'SELECT count(*) FROM alerts')" "sqlite: 8 rows after the upgrade"

# --- ClickHouse
rc=0
ch_start "$TEST_TMP/ch" >"$TEST_TMP/ch.out" 2>&1 || rc=$?
[ $rc -eq 77 ] && skip "SQLite passed; $(cat "$TEST_TMP/ch.out")"
[ $rc -eq 0 ] || fail "ClickHouse did not start: $(tail -5 "$TEST_TMP/ch.out")"
on_exit ch_cleanup
run "clickhouse:$CH_URL/vigil_t8015" clickhouse
assert_eq 8 "$(ch_query 'SELECT count() FROM vigil_t8015.alerts FINAL')" "clickhouse: 8 rows"
# the store itself on this server: ids queued in one writer batch, a second store, the reads
# (tests/unit/test_store_fleet.c, as `make unit` built it, else a plain build of it)
bin=build/asan/tests/unit/test_store_fleet
if [ ! -x "$bin" ] || [ "$bin" -ot tests/unit/test_store_fleet.c ] || [ "$bin" -ot build/libvigil.a ]; then
	bin=build/tests/unit/test_store_fleet
	make --no-print-directory -s "$bin" >/dev/null || fail "cannot build $bin"
fi
VIGIL_TEST_CLICKHOUSE=$CH_URL "$bin" >"$TEST_TMP/unit.out" 2>&1 || fail "$bin on ClickHouse: $(tail -20 "$TEST_TMP/unit.out")"
grep -q 'OK \] test_alert_ids_per_node_clickhouse' "$TEST_TMP/unit.out" || fail "the ClickHouse unit test did not run"
echo ok
