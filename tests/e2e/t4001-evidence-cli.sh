#!/usr/bin/env bash
# vigil evidence on an SQLite store: import, list, show (text and JSON), exit statuses and errors.
set -euo pipefail
cd "$(dirname "$0")/../.."
VIGIL=${VIGIL:-build/vigil}
[ -x "$VIGIL" ] || { echo "build/vigil missing (run make)"; exit 77; }
command -v python3 >/dev/null || { echo "python3 missing"; exit 77; }
tmp=$(mktemp -d /tmp/vigil-t4001-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
STORE="sqlite:$tmp/sub/evidence.db"
now=$(date +%s)000000000
ID=abcdef0123456789abcdef0123456789
cat >"$tmp/r.json" <<JSON
{"incident_id":"$ID","state":"closed",
 "workload":{"id":"/vigil/client","name":"client","cgroup_id":9,"cgroup":"/vigil/client","container_id":""},
 "opened_ns":$now,"start_ns":$((now - 60000000000)),"end_ns":$((now + 30000000000)),"closed_ns":$((now + 30000000000)),
 "alert_count":1,"event_count":1,"rules":["R1030"],"languages":["go"],
 "summary":"client (go) read /var/run/secrets/token and sent it to 127.0.0.1:8888 every 1.0 s (beacon score 0.97) in an unknown binary protocol",
 "alerts":[{"time":"2026-11-22T10:00:00.5Z","rule_id":"R1030","rule_name":"Unexpected io_uring operation","severity":5,
            "message":"io_uring opcode CONNECT","process":{"pid":4242,"comm":"client"}}],
 "events":[{"seq":0,"time_ns":$now,"kind":"iouring_op","pid":4242,"comm":"client","via_iouring":1,"detail":"CONNECT 127.0.0.1:8888"}],
 "processes":[{"pid":4242,"comm":"client","exe":"/tmp/client","language":"go","language_version":"go1.19.8","language_evidence":"section .go.buildinfo"}],
 "destinations":[{"addr":"127.0.0.1","port":8888,"transport":"tcp","protocol":"binary","connections":1,"messages":30,
                  "bytes_out":5400,"beacon_score":0.97,"beacon_band":"high","interval_ns":1000000000}],
 "flows":[{"time_ns":$now,"addr":"127.0.0.1","port":8888,"direction":"out","via_iouring":1,"protocol":"binary",
           "detail":"180 bytes","entropy":5.2,"bytes":180,"sample_hex":"3fff2a2a","redactions":["sha256:ab len:120 prefix:65794a68 file:/var/run/secrets/token"]}],
 "files":[{"time_ns":$now,"path":"/var/run/secrets/token","pid":4242,"bytes":120,"sample_sha256":"ab","sample_len":120,"sent_to":["127.0.0.1:8888"]}]}
JSON

"$VIGIL" evidence import --store "$STORE" "$tmp/r.json" | grep "written:" >/dev/null
[ -f "$tmp/sub/evidence.db" ] # the parent directory was created

"$VIGIL" evidence list --store "$STORE" >"$tmp/list.txt"
grep -q "^$ID  closed  client" "$tmp/list.txt"
VIGIL_EVIDENCE_STORE="$STORE" "$VIGIL" evidence list --json | python3 -c '
import json, sys
l = json.load(sys.stdin)
assert len(l) == 1 and l[0]["incident_id"] == "'$ID'" and l[0]["rules"] == ["R1030"], l'

"$VIGIL" evidence show "${ID:0:6}" --store "$STORE" >"$tmp/show.txt"
cat "$tmp/show.txt"
grep -q "^summary    client (go) read /var/run/secrets/token and sent it to 127.0.0.1:8888" "$tmp/show.txt"
grep -q "R1030  Unexpected io_uring operation  client\[4242\]" "$tmp/show.txt"
grep -q "language go go1.19.8" "$tmp/show.txt"
grep -q "127.0.0.1:8888 tcp  binary .*every 1.00 s, beacon 0.97 (high)" "$tmp/show.txt"
grep -q "/var/run/secrets/token  120 B by pid 4242  SENT TO 127.0.0.1:8888" "$tmp/show.txt"
grep -q "secret redacted: sha256:ab len:120 prefix:65794a68" "$tmp/show.txt"
"$VIGIL" evidence show "$ID" --store "$STORE" --json | python3 -c '
import json, sys
r = json.load(sys.stdin)
assert r["files"][0]["sent_to"] == ["127.0.0.1:8888"]
assert r["destinations"][0]["beacon_band"] == "high"'

# exit statuses: 1 not found, 2 usage and runtime errors, with a useful message
set +e
"$VIGIL" evidence show 0000 --store "$STORE" 2>"$tmp/err"; st=$?
[ $st -eq 1 ] && grep -q "vigil: evidence: incident 0000: not found" "$tmp/err" || { echo "not found: $st"; cat "$tmp/err"; exit 1; }
"$VIGIL" evidence list --store "sqlit:$tmp/x.db" 2>"$tmp/err"; st=$?
[ $st -eq 2 ] && grep -q "did you mean sqlite" "$tmp/err" || { echo "bad spec: $st"; cat "$tmp/err"; exit 1; }
"$VIGIL" evidence list --store "sqlite:$tmp/missing.db" 2>"$tmp/err"; st=$?
[ $st -eq 2 ] && [ ! -e "$tmp/missing.db" ] || { echo "missing store: $st"; exit 1; }
"$VIGIL" evidence shows 2>"$tmp/err"; st=$?
[ $st -eq 2 ] && grep -q 'did you mean "show"' "$tmp/err" || { echo "typo: $st"; cat "$tmp/err"; exit 1; }
echo '{"incident_id":"not hex"}' >"$tmp/bad.json"
"$VIGIL" evidence import --store "$STORE" "$tmp/bad.json" 2>"$tmp/err"; st=$?
[ $st -eq 2 ] || { echo "bad report: $st"; exit 1; }
set -e
"$VIGIL" evidence --help | grep "vigil evidence show ID" >/dev/null
echo ok
