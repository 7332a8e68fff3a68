#!/usr/bin/env bash
# Who may do what on a real cockpit serving TLS (issue 10, "Identity and transport"): a client
# that pins the cockpit's CA gets in, one that trusts another CA does not, plain HTTP gets no
# answer; enrolment with join tokens (uses, expiry, no takeover of an enrolled node), node
# tokens that write only as their node, the analyst token that only reads, revocation that
# takes effect within seconds, and every refusal counted.
. "$(dirname "$0")/../lib/common.sh"
. "$TESTLIB/cockpit.sh"
requires_cmd openssl curl python3

# A CA, and a server certificate for 127.0.0.1 signed by it; and another CA nobody trusts.
cd "$TEST_TMP"
ca() { # NAME
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-keyout $1.key -out $1.pem -subj "/CN=$1" 2>/dev/null
}
ca vigil-test-ca
ca other-ca
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout server.key \
	-out server.csr -subj /CN=cockpit 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >san.ext
openssl x509 -req -in server.csr -CA vigil-test-ca.pem -CAkey vigil-test-ca.key -CAcreateserial \
	-days 2 -extfile san.ext -out server.pem 2>/dev/null
cd - >/dev/null
head -c 24 /dev/urandom | base64 >"$TEST_TMP/analyst"
analyst=$(cat "$TEST_TMP/analyst")
store=sqlite:$TEST_TMP/e.db
cockpit_start cockpit --store $store --tls-cert "$TEST_TMP/server.pem" --tls-key "$TEST_TMP/server.key" \
	--analyst-token-file "$TEST_TMP/analyst"
base=$COCKPIT_URL
assert_contains "$base" "https://" "the cockpit serves TLS"

# status of a request pinned to the test CA; body in $TEST_TMP/body
req() { curl -s --cacert "$TEST_TMP/vigil-test-ca.pem" -o "$TEST_TMP/body" -w '%{http_code}' "$@"; }
as() { echo "Authorization: Bearer $1"; }
py() { python3 -c "import json; d=json.load(open('$TEST_TMP/body')); print($1)"; }

# 1. TLS: the pinned CA verifies; another CA does not; plain HTTP gets no HTTP answer.
assert_eq 200 "$(req $base/api/v1/health)" "health over TLS with the pinned CA"
assert_eq '{"status":"ok"}' "$(cat $TEST_TMP/body)" "a probe without a token learns only ok"
set +e
curl -s --cacert "$TEST_TMP/other-ca.pem" -o /dev/null $base/api/v1/health
rc_other=$?
plain=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' http://127.0.0.1:$COCKPIT_PORT/api/v1/health)
set -e
assert_eq 60 "$rc_other" "a client trusting another CA refuses the cockpit (curl: peer certificate)"
assert_eq 000 "$plain" "no plain HTTP answer on the TLS port"
assert_eq 200 "$(req -H "$(as $analyst)" $base/api/v1/health)" "full health with the analyst token"
assert_eq true "$(py 'str(d["tls"]).lower()')" "health says TLS"

# 2. Enrolment: a join token for two nodes; the third is refused; no takeover; a bad name.
join=$("$VIGIL" cockpit join-token --uses 2 --ttl 1h --store $store)
assert_contains "$join" "vgj_" "a join token"
join_ok() { [ "$(curl -s --cacert "$TEST_TMP/vigil-test-ca.pem" -o /dev/null -w '%{http_code}' -H "$(as $join)" -d '{"node":"x y"}' $base/api/v1/enroll)" = 400 ]; }
wait_until 15 join_ok || fail "the join token is not known to the cockpit"
assert_eq 200 "$(req -H "$(as $join)" -d '{"node":"node-a"}' $base/api/v1/enroll)" "enrol node-a"
tok_a=$(py 'd["token"]')
assert_contains "$tok_a" "vgn_" "node-a's token"
assert_eq 200 "$(req -H "$(as $join)" -d '{"node":"node-b"}' $base/api/v1/enroll)" "enrol node-b"
tok_b=$(py 'd["token"]')
assert_eq 401 "$(req -H "$(as $join)" -d '{"node":"node-c"}' $base/api/v1/enroll)" "a join token used up"
join2=$("$VIGIL" cockpit join-token --store $store)
join2_ok() { [ "$(curl -s --cacert "$TEST_TMP/vigil-test-ca.pem" -o /dev/null -w '%{http_code}' -H "$(as $join2)" -d '{"node":"-bad"}' $base/api/v1/enroll)" = 400 ]; }
wait_until 15 join2_ok || fail "the second join token is not known to the cockpit"
assert_eq 409 "$(req -H "$(as $join2)" -d '{"node":"node-a"}' $base/api/v1/enroll)" "no takeover of node-a"
assert_contains "$(cat $TEST_TMP/body)" "revoke" "says what to do"
short=$("$VIGIL" cockpit join-token --ttl 1s --store $store)
sleep 2
assert_eq 401 "$(req -H "$(as $short)" -d '{"node":"node-d"}' $base/api/v1/enroll)" "an expired join token"
assert_eq 403 "$(req -H "$(as $tok_a)" -d '{"node":"node-e"}' $base/api/v1/enroll)" "a node token cannot enrol"

# 3. Roles and nodes: a node writes as itself only; the analyst reads and never writes.
alert() { # ID [NODE]
	printf '[{"alert_id":"%032x","rule_id":"R0001","time":"2026-11-22T10:00:00Z","workload":{"id":"w","name":"web"}%s}]' \
		"$1" "${2:+,\"node\":\"$2\"}"
}
assert_eq 200 "$(req -H "$(as $tok_a)" -d "$(alert 1)" $base/api/v1/alerts)" "node-a writes"
assert_eq 200 "$(req -H "$(as $tok_a)" -d "$(alert 2 node-a)" $base/api/v1/alerts)" "node-a names itself"
assert_eq 403 "$(req -H "$(as $tok_a)" -d "$(alert 3 node-b)" $base/api/v1/alerts)" "node-a cannot write as node-b"
assert_eq 403 "$(req -H "$(as $tok_a)" -d '{"incident_id":"ab","node":"node-b"}' $base/api/v1/reports)" "nor a report"
assert_eq 403 "$(req -H "$(as $analyst)" -d "$(alert 4)" $base/api/v1/alerts)" "the analyst cannot write"
assert_eq 403 "$(req -H "$(as $tok_a)" $base/api/v1/incidents)" "a node cannot read"
assert_eq 401 "$(req $base/api/v1/incidents)" "no token, no read"
assert_eq 401 "$(req -H "$(as vgn_$(printf 'f%.0s' $(seq 64)))" -d "$(alert 5)" $base/api/v1/alerts)" "an unknown node token"
assert_eq 200 "$(req -H "$(as $analyst)" "$base/api/v1/alerts?node=node-a")" "the analyst reads"
assert_eq "2 node-a" "$(py 'len(d["alerts"]), d["alerts"][0]["node"]' | tr -d "(),'")" "node-a's alerts, named by its credential"
assert_eq 200 "$(req -H "$(as $analyst)" "$base/api/v1/alerts?node=node-b")" "node-b's"
assert_eq 0 "$(py 'len(d["alerts"])')" "nothing was written as node-b"

# 4. Revocation takes effect on the running cockpit within seconds, and is counted.
"$VIGIL" cockpit token revoke node-a --store $store >/dev/null
revoked() { [ "$(curl -s --cacert "$TEST_TMP/vigil-test-ca.pem" -o /dev/null -w '%{http_code}' -H "$(as $tok_a)" -d '[]' $base/api/v1/alerts)" = 401 ]; }
wait_until 10 revoked || fail "node-a's token still writes 10 s after revocation"
assert_eq 200 "$(req -H "$(as $tok_b)" -d "$(alert 6)" $base/api/v1/alerts)" "node-b still writes"
assert_eq 200 "$(req -H "$(as $analyst)" "$base/api/v1/nodes")" "nodes"
assert_eq "node-a:revoked node-b:active" "$(py '" ".join(n["name"] + ":" + n["credential"] for n in d["nodes"])')" "credential states"
metrics=$(curl -s --cacert "$TEST_TMP/vigil-test-ca.pem" -H "$(as $analyst)" $base/metrics)
m() { awk -v k="$1" '$1 == k {print $2}' <<<"$metrics"; }
assert_ge "$(m 'vigil_cockpit_rejected_total{cause="revoked"}')" 1 "revoked writes counted"
assert_ge "$(m 'vigil_cockpit_rejected_total{cause="forbidden"}')" 5 "forbidden requests counted"
assert_ge "$(m 'vigil_cockpit_rejected_total{cause="unauthenticated"}')" 2 "unauthenticated counted"
assert_ge "$(m 'vigil_cockpit_ingested_total{endpoint="enroll",result="accepted"}')" 2 "enrolments counted"
# a reinstalled node-a enrols again once its old token is revoked
assert_eq 200 "$(req -H "$(as $join2)" -d '{"node":"node-a"}' $base/api/v1/enroll)" "re-enrol node-a"
"$VIGIL" cockpit token list --store $store >"$TEST_TMP/list"
assert_file_contains "$TEST_TMP/list" "revoked"
assert_eq 2 "$(grep -c ' node-a ' "$TEST_TMP/list")" "node-a's old and new tokens listed"
! grep -q "$tok_a" "$TEST_TMP/list" $TEST_TMP/e.db* || fail "a token is stored in the clear"
echo "cockpit credentials: ok"
