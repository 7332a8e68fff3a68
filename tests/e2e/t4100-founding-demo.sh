#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t4100: the founding demo (seed 000, issue 6) end to end. The benign demo service (C) is
# learned with `vigil learn`; then its "update" (Go) runs under `vigil watch --profile LEARNED
# --evidence sqlite:DB`: it reads a service-account token through io_uring and sends it to a C2
# listener in binary (gob) frames once a second. Expected: the first alert within a second;
# the incident's evidence names the C2 address and port, an interval of about 1 s with a high
# beacon score, an unknown binary protocol, the token file read, the token's bytes found in the
# outbound payload (stored redacted), and the language of the update (Go) differing from the
# service's (C).
#
# DEMO_REPORT=FILE keeps the incident report (text) there (used by `make demo`).
. "$(dirname "$0")/../lib/common.sh"
. "$TESTLIB/demo.sh"
requires_root
requires_demo
requires_io_uring
requires_btf
vigil_has watch || skip "vigil watch is not part of this build"
vigil_has evidence || skip "vigil evidence is not part of this build"

BEACONS=${DEMO_BEACONS:-6} # >= 5: a beacon score needs 4 contacts
PROFILE=$TEST_TMP/api.yaml
ALERTS=$TEST_TMP/alerts.jsonl
DB=$TEST_TMP/evidence.db
CONF=$TEST_TMP/svc.conf

demo_peers
demo_token
demo_c2_start 0
printf 'request data\n' >"$TEST_TMP/data.txt"
demo_service_config "$CONF" "hello from the service" 2 "$TEST_TMP/data.txt"

# ---- learn the benign service ---------------------------------------------------------------
"$VIGIL" learn --out "$PROFILE" --name api -- "$DEMO/service" "$CONF" \
	>"$TEST_TMP/learn.out" 2>"$TEST_TMP/learn.err" ||
	fail "vigil learn failed: $(cat "$TEST_TMP/learn.err")"
log "learned $(grep -c . "$PROFILE") lines of profile"

# ---- the update under watch, with evidence --------------------------------------------------
"$VIGIL" watch --profile "$PROFILE" --name api --alerts "file:$ALERTS" --evidence "sqlite:$DB" \
	-- "$DEMO/update" -token "$DEMO_TOKEN" -c2 "$DEMO_C2" -n "$BEACONS" -interval 1s \
	>"$TEST_TMP/watch.out" 2>"$TEST_TMP/watch.err" &
watch_pid=$!
# when the first alert was written (polled every 10 ms)
_alerted() { [ -s "$ALERTS" ]; }
wait_until 20 _alerted || fail "no alert within 20 s: $(tail -c 1500 "$TEST_TMP/watch.err")"
alerted_ns=$(date +%s%N)
rc=0
wait "$watch_pid" || rc=$?
assert_eq 1 "$rc" "vigil watch exit status (alerts raised): $(tail -c 1500 "$TEST_TMP/watch.err")"
demo_wait_frames "$BEACONS"
log "alerts: $(json_get "$ALERTS" rule_id | sort | uniq -c | tr -s ' \n' ' ')"
for rule in R1030 R0001 R0006; do
	[ "$(json_count "$ALERTS" "rule_id=$rule")" -ge 1 ] ||
		fail "no $rule alert: $(head -c 2000 "$ALERTS")"
done

# the first alert within a second of the update's exec (its time is in the R0001 alert)
exec_ns=$(python3 - "$ALERTS" <<'PY'
import json, sys, datetime
for line in open(sys.argv[1]):
    a = json.loads(line)
    if a.get("rule_id") == "R0001":
        t = a["time"]
        whole, frac = t.rstrip("Z").split(".")
        d = datetime.datetime.fromisoformat(whole).replace(tzinfo=datetime.timezone.utc)
        print(int(d.timestamp()) * 10**9 + int((frac + "000000000")[:9]))
        break
PY
)
delay_ms=$(((alerted_ns - exec_ns) / 1000000))
log "first alert written $delay_ms ms after the update's exec"
[ "$delay_ms" -le 1000 ] || fail "first alert $delay_ms ms after the exec (want <= 1000)"

# ---- the incident's evidence ----------------------------------------------------------------
incident=$(json_get "$ALERTS" incident_id | head -n 1)
[ -n "$incident" ] || fail "alerts carry no incident_id: $(head -c 1500 "$ALERTS")"
[ "$(json_get "$ALERTS" incident_id | sort -u | wc -l)" = 1 ] || fail "alerts in several incidents"
"$VIGIL" evidence show "$incident" --store "sqlite:$DB" --json >"$TEST_TMP/report.json" ||
	fail "vigil evidence show --json failed"
"$VIGIL" evidence show "$incident" --store "sqlite:$DB" >"$TEST_TMP/report.txt" ||
	fail "vigil evidence show failed"
[ -z "${DEMO_REPORT:-}" ] || cp "$TEST_TMP/report.txt" "$DEMO_REPORT"

python3 - "$TEST_TMP/report.json" "$DEMO_C2_PORT" "$DEMO_TOKEN" "$DEMO_TOKEN_VALUE" "$BEACONS" <<'PY' ||
import hashlib, json, sys
path, port, token_path, token, beacons = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
raw = open(path).read()
rep = json.loads(raw)
errors = []
def check(ok, what):
    if not ok:
        errors.append(what)

c2 = "127.0.0.1:%d" % port
dests = [d for d in rep.get("destinations", []) if d["addr"] == "127.0.0.1" and d["port"] == port]
check(len(dests) == 1, "one destination for the C2 %s: %s" % (c2, dests))
if dests:
    d = dests[0]
    check(d["transport"] == "tcp", "C2 transport tcp: %s" % d["transport"])
    check(d["protocol"] == "binary", "C2 protocol: unknown binary, got %s" % d["protocol"])
    check(d["connections"] >= beacons - 1, "C2 connections %d, want >= %d" % (d["connections"], beacons - 1))
    check(d["bytes_out"] > 0 and d["bytes_in"] > 0, "bytes both ways: %s/%s" % (d["bytes_out"], d["bytes_in"]))
    check(0.8e9 <= d["interval_ns"] <= 1.2e9, "interval about 1 s: %s ns" % d["interval_ns"])
    check(d["beacon_score"] >= 0.8 and d["beacon_band"] == "high",
          "high beacon score: %s (%s)" % (d["beacon_score"], d["beacon_band"]))

files = [f for f in rep.get("files", []) if f["path"] == token_path]
check(len(files) >= 1, "the token file read: %s" % rep.get("files"))
sha = hashlib.sha256(token.encode()).hexdigest()
if files:
    check(c2 in files[0].get("sent_to", []), "token sent to the C2: %s" % files[0].get("sent_to"))
    check(files[0].get("bytes") == len(token), "token bytes read: %s" % files[0].get("bytes"))

out = [f for f in rep.get("flows", []) if f.get("port") == port and f.get("direction") == "out"]
check(len(out) >= 1, "outbound payload samples to the C2")
check(all(f.get("via_iouring") for f in out), "outbound samples via io_uring")
red = [f for f in out if any(("sha256:" + sha) in r for r in f.get("redactions", []))]
check(len(red) >= beacons - 1, "token found (redacted, sha256 of the token) in %d outbound samples" % len(red))
# at rest: neither the token nor its hex anywhere in the report
check(token not in raw and token.encode().hex() not in raw, "the token's bytes are stored redacted")

langs = rep.get("languages", [])
procs = [p for p in rep.get("processes", []) if p.get("exe", "").endswith("/demo/update")]
check(procs and procs[0]["language"] == "go", "the update's language is go: %s" % procs)
check("go" in langs and "c" not in langs, "languages %s: go, not the service's c" % langs)
summary = rep.get("summary", "")
for part in ("(go)", token_path, c2, "every 1.0 s", "unknown binary protocol"):
    check(part in summary, "summary names %r: %s" % (part, summary))
if errors:
    print("\n".join(errors), file=sys.stderr)
    sys.exit(1)
PY
	fail "incident evidence incomplete (report in $TEST_TMP/report.txt):
$(head -c 3000 "$TEST_TMP/report.txt")"
echo ok
