#!/usr/bin/env bash
# Evidence in a real ClickHouse 18.16: schema creation, a report written and read back equal
# to the SQLite store's copy, then ClickHouse down -> batches spooled -> restart -> replayed,
# every row present exactly once; a table made by an older schema gets its new column.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/lib/clickhouse.sh
VIGIL=${VIGIL:-build/vigil}
[ -x "$VIGIL" ] || { echo "build/vigil missing (run make)"; exit 77; }
command -v python3 >/dev/null || { echo "python3 missing"; exit 77; }

tmp=$(mktemp -d /tmp/vigil-t4000-XXXXXX)
trap 'ch_cleanup; [ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
rc=0; ch_start "$tmp/ch" || rc=$?
[ $rc -eq 77 ] && { echo "clickhouse-server not installed"; exit 77; }
[ $rc -eq 0 ] || exit 1
DB=vigil_t4000
STORE="clickhouse:$CH_URL/$DB"

now=$(date +%s)000000000
report() { # id events_count
	python3 - "$1" "$2" "$now" <<'PY'
import json, sys
iid, n, now = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ev = [{"seq": i, "time_ns": now + i * 1000000000, "kind": "net_io", "pid": 4242, "comm": "client",
       "via_iouring": 1, "detail": "-> 127.0.0.1:8888", "bytes": 180} for i in range(n)]
print(json.dumps({
  "incident_id": iid, "state": "closed",
  "workload": {"id": "wl-1", "name": "client", "cgroup_id": 77, "cgroup": "/vigil/client", "container_id": ""},
  "opened_ns": now, "start_ns": now - 60000000000, "end_ns": now + n * 1000000000, "closed_ns": now + n * 1000000000,
  "alert_count": 1, "event_count": n, "events_dropped": 0, "bytes": 180 * n,
  "rules": ["R1030"], "languages": ["go"], "summary": "client (go) beacons to 127.0.0.1:8888",
  "alerts": [{"time": "2026-11-22T10:00:00.5Z", "rule_id": "R1030", "rule_name": "Unexpected io_uring operation",
              "severity": 5, "message": "io_uring opcode CONNECT", "process": {"pid": 4242, "comm": "client"},
              "incident_id": iid}],
  "events": ev,
  "processes": [{"pid": 4242, "comm": "client", "exe": "/tmp/client", "language": "go",
                 "language_version": "go1.19.8", "language_evidence": "section .go.buildinfo", "first_ns": now}],
  "destinations": [{"addr": "127.0.0.1", "port": 8888, "transport": "tcp", "dns": "", "protocol": "binary",
                    "connections": 1, "messages": n, "first_ns": now, "last_ns": now + n * 1000000000,
                    "bytes_out": 180 * n, "bytes_in": 0, "beacon_score": 0.97, "beacon_ts_score": 0.99,
                    "beacon_ds_score": 0.95, "beacon_band": "high", "interval_ns": 1000000000}],
  "flows": [{"time_ns": now, "addr": "127.0.0.1", "port": 8888, "direction": "out", "via_iouring": 1,
             "protocol": "binary", "detail": "180 bytes", "entropy": 5.25, "bytes": 180,
             "sample_hex": "0001", "redactions": ["sha256:ab len:120 prefix:65794a68"]}],
  "files": [{"time_ns": now, "path": "/var/run/secrets/token", "pid": 4242, "bytes": 120,
             "sample_sha256": "ab", "sample_len": 120, "sent_to": ["127.0.0.1:8888"]}],
}))
PY
}
ID1=11111111111111111111111111111111
ID2=22222222222222222222222222222222
report $ID1 20 >"$tmp/r1.json"
report $ID2 50 >"$tmp/r2.json"

echo "== schema creation and insert"
"$VIGIL" evidence import --store "$STORE" "$tmp/r1.json"
tables=$(ch_query "SELECT name FROM system.tables WHERE database = '$DB' ORDER BY name FORMAT TSV" | tr '\n' ' ')
[ "$tables" = "alert_minutes alert_minutes_mv alerts credentials destinations enrolments events files fleet_minutes fleet_minutes_mv flows incidents node_beats_mv node_list node_tokens_mv nodes processes profiles workloads " ] || { echo "tables: $tables"; exit 1; }
engine=$(ch_query "SELECT engine FROM system.tables WHERE database = '$DB' AND name = 'incidents' FORMAT TSV")
[ "$engine" = ReplacingMergeTree ] || { echo "incidents engine: $engine"; exit 1; }
[ "$(ch_query "SELECT count() FROM $DB.events WHERE incident_id = '$ID1'")" = 20 ]

echo "== read back equals the SQLite store's copy"
"$VIGIL" evidence import --store "sqlite:$tmp/ev.db" "$tmp/r1.json" >/dev/null
"$VIGIL" evidence show "${ID1:0:8}" --store "$STORE" --json >"$tmp/ch.json"
"$VIGIL" evidence show "${ID1:0:8}" --store "sqlite:$tmp/ev.db" --json >"$tmp/sq.json"
python3 - "$tmp/ch.json" "$tmp/sq.json" "$tmp/r1.json" <<'PY'
import json, sys
ch, sq, orig = (json.load(open(p)) for p in sys.argv[1:4])
for k in ("version", "received_ns"):  # when each copy was written
    ch.pop(k); sq.pop(k)
assert ch == sq, "clickhouse and sqlite reports differ"
for k in ("incident_id", "state", "summary", "opened_ns", "end_ns"):
    assert ch[k] == orig[k], k
assert len(ch["events"]) == 20 and ch["events"][19]["seq"] == 19
d = ch["destinations"][0]
assert (d["addr"], d["port"], d["beacon_band"]) == ("127.0.0.1", 8888, "high")
assert abs(d["beacon_score"] - 0.97) < 1e-9
assert ch["files"][0]["sent_to"] == ["127.0.0.1:8888"]
assert ch["alerts"][0]["rule_id"] == "R1030"
PY
"$VIGIL" evidence list --store "$STORE" | grep "$ID1" >/dev/null

echo "== clickhouse down: batches go to the spool"
ch_stop
set +e
out=$("$VIGIL" evidence import --store "$STORE" --spool "$tmp/spool" "$tmp/r2.json" 2>&1); st=$?
set -e
echo "$out"
[ $st -eq 0 ] && echo "$out" | grep -q spooled
n=$(ls "$tmp/spool"/*.jsonl | wc -l)
[ "$n" -eq 7 ] || { echo "spool holds $n batches, want 7"; exit 1; }
set +e
"$VIGIL" evidence flush --store "$STORE" --spool "$tmp/spool"; st=$?
set -e
[ $st -eq 1 ] || { echo "flush while down: exit $st, want 1 (still waiting)"; exit 1; }

echo "== clickhouse back: the spool is replayed, nothing lost, nothing doubled"
ch_start "$tmp/ch"
"$VIGIL" evidence flush --store "$STORE" --spool "$tmp/spool" | tee "$tmp/flush.out"
grep -q "7 replayed" "$tmp/flush.out"
[ -z "$(ls "$tmp/spool"/*.jsonl 2>/dev/null)" ] || { echo "spool not empty"; exit 1; }
# a second flush replays nothing more
"$VIGIL" evidence flush --store "$STORE" --spool "$tmp/spool" | grep "0 replayed" >/dev/null
[ "$(ch_query "SELECT count() FROM $DB.events WHERE incident_id = '$ID2'")" = 50 ]
[ "$(ch_query "SELECT count() FROM $DB.incidents WHERE incident_id = '$ID2'")" = 1 ]
"$VIGIL" evidence show "$ID2" --store "$STORE" --json >"$tmp/ch2.json"
python3 - "$tmp/ch2.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert len(r["events"]) == 50, len(r["events"])
assert r["destinations"][0]["messages"] == 50
assert len(r["flows"]) == 1 and len(r["files"]) == 1 and len(r["processes"]) == 1
PY
[ "$("$VIGIL" evidence list --store "$STORE" --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 2 ]

echo "== a database made before schema 4 (flows without tls) gets the column when opened"
ch_query "ALTER TABLE $DB.flows DROP COLUMN tls"
[ "$(ch_query "SELECT count() FROM system.columns WHERE database = '$DB' AND table = 'flows' AND name = 'tls'")" = 0 ]
ID3=33333333333333333333333333333333
report $ID3 3 | python3 -c 'import json,sys; r=json.load(sys.stdin); r["flows"][0]["tls"]=True; print(json.dumps(r))' >"$tmp/r3.json"
"$VIGIL" evidence import --store "$STORE" "$tmp/r3.json"
[ "$(ch_query "SELECT count() FROM system.columns WHERE database = '$DB' AND table = 'flows' AND name = 'tls'")" = 1 ]
[ "$(ch_query "SELECT tls FROM $DB.flows WHERE incident_id = '$ID3'")" = 1 ]
[ "$(ch_query "SELECT count() FROM $DB.flows WHERE incident_id = '$ID1'")" = 1 ]
echo "ok"
