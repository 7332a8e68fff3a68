#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2018: HTTP endpoints learned and checked, inbound and outbound (V1108), and ingress judged by
# the local port (V1109). One workload (t2018-http.py) serves HTTP with python's http.server and
# requests it with http.client, so every request is seen twice: sent (outbound) and received
# (inbound). Learning GET /api/items/123 and /health writes ":PORT/api/items/⋯" and ":PORT/health"
# in both directions; a rerun with other ids and a query string is quiet; POST /admin and a new
# path raise V1108 with method and path, once per direction; a connection accepted on a port the
# workload never served on raises V1109 (and its request V1108). V1108 is off by default
# (docs/DETECTION.md: a server's clients choose its inbound paths): turned on here.
. "$(dirname "$0")/../lib/common.sh"
requires_root
requires_cmd python3
vigil_has watch || skip "vigil watch is not part of this build"

PORT=$(free_port)
PORT2=$(free_port)
while [ "$PORT2" = "$PORT" ]; do PORT2=$(free_port); done
WWW=$TEST_TMP/www
mkdir -p "$WWW/api/items" "$WWW/admin"
echo ok >"$WWW/health"
for id in 123 456 789 1000042; do echo "item $id" >"$WWW/api/items/$id"; done
PLAN=$TEST_TMP/plan
PROFILE=$TEST_TMP/p.yaml
RUN=(python3 "$(dirname "$0")/t2018-http.py" "$PLAN" "$WWW")

printf 'serve %s\nGET %s /api/items/123\nGET %s /health\n' "$PORT" "$PORT" "$PORT" >"$PLAN"
"$VIGIL" learn --out "$PROFILE" --name httpep -- "${RUN[@]}" >"$TEST_TMP/learn.out" \
	2>"$TEST_TMP/learn.err" || fail "vigil learn failed: $(cat "$TEST_TMP/learn.err")"
for dir in inbound outbound; do
	python3 - "$PROFILE" "$PORT" "$dir" <<'PY' || fail "endpoints not learned: $(grep -A40 'endpoints:' "$PROFILE")"
import sys
text = open(sys.argv[1]).read()
port, d = sys.argv[2], sys.argv[3]
for ep in (":%s/api/items/\u22ef" % port, ":%s/health" % port):
    block = "- endpoint: %s\n    methods:\n    - GET\n    direction: %s\n" % (ep, d)
    assert block in text, block
PY
done

watch()
{
	ALERTS=$TEST_TMP/alerts-$1.jsonl
	set +e
	"$VIGIL" watch --profile "$PROFILE" --burst 0 --enable V1108 --alerts "file:$ALERTS" -- "${RUN[@]}" \
		>"$TEST_TMP/watch-$1.out" 2>"$TEST_TMP/watch-$1.err"
	RC=$?
	set -e
	[ -f "$ALERTS" ] || : >"$ALERTS"
}

printf 'serve %s\nGET %s /api/items/456\nGET %s /api/items/789?x=1\nGET %s /api/items/1000042\nGET %s /health\n' \
	"$PORT" "$PORT" "$PORT" "$PORT" "$PORT" >"$PLAN"
watch benign
assert_eq 0 "$(json_count "$ALERTS")" "alerts on a benign rerun: $(head -c 3000 "$ALERTS")"
assert_eq 0 "$RC" "exit status of a benign watch ($(cat "$TEST_TMP/watch-benign.err"))"

printf 'serve %s\nGET %s /health\nPOST %s /admin\nGET %s /api/other/7\n' \
	"$PORT" "$PORT" "$PORT" "$PORT" >"$PLAN"
watch attack
for dir in inbound outbound; do
	assert_eq 1 "$(json_count "$ALERTS" rule_id=V1108 event.method=POST event.path=/admin \
		event.direction=$dir)" "V1108 $dir for POST /admin: $(head -c 3000 "$ALERTS")"
	assert_eq 1 "$(json_count "$ALERTS" rule_id=V1108 event.method=GET event.path=/api/other/7 \
		event.direction=$dir)" "V1108 $dir for GET /api/other/7: $(head -c 3000 "$ALERTS")"
done
assert_contains "$(json_get "$ALERTS" message)" "POST :$PORT/admin"
assert_eq 4 "$(json_count "$ALERTS")" "alerts: $(json_get "$ALERTS" message)"
assert_eq 1 "$RC" "exit status of a watch that alerted"

# a listener the workload was not built with: the accept raises V1109 (the local port, not the
# client), its request V1108
printf 'serve %s %s\nGET %s /health\nGET %s /health\n' "$PORT" "$PORT2" "$PORT" "$PORT2" >"$PLAN"
watch ingress
assert_eq 1 "$(json_count "$ALERTS" rule_id=V1109 event.local_port="$PORT2")" \
	"V1109 for the accept on port $PORT2: $(head -c 3000 "$ALERTS")"
assert_eq 0 "$(json_count "$ALERTS" rule_id=V1109 event.local_port="$PORT")" "V1109 for the learned port"
assert_eq 1 "$(json_count "$ALERTS" rule_id=V1108 event.direction=inbound event.local_port="$PORT2")" \
	"V1108 for the request on port $PORT2: $(head -c 3000 "$ALERTS")"
log "attack: $(json_get "$ALERTS" message | tr '\n' ';')"
echo "ok: $TEST_NAME"
