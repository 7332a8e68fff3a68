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

BEACONS=${DEMO_BEACONS:-6}
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
start_ns=$(date +%s%N)
set +e
"$VIGIL" watch --profile "$PROFILE" --name api --alerts "file:$ALERTS" --evidence "sqlite:$DB" \
	-- "$DEMO/update" -token "$DEMO_TOKEN" -c2 "$DEMO_C2" -n "$BEACONS" -interval 1s >"$TEST_TMP/watch.out" 2>"$TEST_TMP/watch.err"
rc=$?
set -e
assert_eq 1 "$rc" "vigil watch exit status (alerts raised): $(tail -c 1500 "$TEST_TMP/watch.err")"
demo_wait_frames "$BEACONS"
[ -s "$ALERTS" ] || fail "no alert: $(tail -c 1500 "$TEST_TMP/watch.err")"
log "alerts: $(json_get "$ALERTS" rule_id | sort | uniq -c | tr -s ' \n' ' ')"
[ "$(json_count "$ALERTS" rule_id=R1030)" -ge 1 ] || fail "no R1030 alert: $(head -c 2000 "$ALERTS")"
echo ok
