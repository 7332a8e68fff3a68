#!/usr/bin/env bash
# An agent whose cockpit address is answered by an impostor: a TLS server with a certificate
# for the right address (127.0.0.1) but signed by another CA than the agent's pinned ca_file.
# The agent refuses it at the handshake: not one byte of a request reaches the impostor (no
# token, no record: it logs every byte it could decrypt), the records wait in the spool, the
# refusal is counted and raised as a V0004 health alert. Once the real cockpit answers at the
# same address, everything is delivered: every alert id of the agent's file sink, the V0004
# alerts included, is in the cockpit exactly once.
. "$(dirname "$0")/../lib/common.sh"
. "$TESTLIB/cockpit.sh"
requires_root
requires_btf
requires_cmd openssl curl python3
ensure_tracefs

cd "$TEST_TMP"
ca() { # NAME
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-keyout $1.key -out $1.pem -subj "/CN=$1" 2>/dev/null
}
cert() { # NAME CA: a server certificate for 127.0.0.1 signed by CA
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout $1.key \
		-out $1.csr -subj /CN=cockpit 2>/dev/null
	openssl x509 -req -in $1.csr -CA $2.pem -CAkey $2.key -CAcreateserial -days 2 \
		-extfile san.ext -out $1.pem 2>/dev/null
}
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >san.ext
ca vigil-ca
ca other-ca
cert cockpit vigil-ca
cert impostor other-ca
cd - >/dev/null

port=$(free_port)
url=https://127.0.0.1:$port
store=sqlite:$TEST_TMP/cockpit.db
"$VIGIL" cockpit token add node-a --store $store >"$TEST_TMP/node.token"
chmod 600 "$TEST_TMP/node.token"
token=$(cat "$TEST_TMP/node.token")

# ---- the impostor: completes any handshake it can and logs every byte it receives ----------
cat >"$TEST_TMP/impostor.py" <<'PY'
import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[2], sys.argv[3])
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(16)
print("listening", flush=True)
while True:
    c, _ = s.accept()
    c.settimeout(5)
    print("connection", flush=True)
    try:
        t = ctx.wrap_socket(c, server_side=True)
    except Exception as e:
        print("handshake refused by the client:", e, flush=True)
        c.close()
        continue
    print("handshake completed", flush=True)
    try:
        while True:
            data = t.recv(65536)
            if not data:
                break
            print("DATA", repr(data), flush=True)
    except Exception as e:
        print("read ended:", e, flush=True)
    t.close()
PY
spawn impostor python3 "$TEST_TMP/impostor.py" $port "$TEST_TMP/impostor.pem" "$TEST_TMP/impostor.key"
impostor_pid=$SPAWNED_PID
wait_for_line "$TEST_TMP/impostor.log" listening 20

# ---- the agent, pinned to vigil-ca -----------------------------------------------------------
d=$TEST_TMP/agent
fleet_agent_config "$d" node-a "$url" "token_file: $TEST_TMP/node.token" "ca_file: $TEST_TMP/vigil-ca.pem"
"$VIGIL" agent --config "$d/agent.yaml" --check
spawn agent "$VIGIL" agent --config "$d/agent.yaml"
status() { fleet_status "$d" "$1"; }
wait_until 60 fleet_detecting "$d" || fail "svc is not detecting after 60 s: $(tail -5 "$TEST_TMP/agent.log")"
touch "$d/misbehave"
wait_until 30 json_count_ge 10 "$d/alerts.jsonl" rule_id=R0001 || fail "svc raises no alerts"

# refused, spooled, counted, raised
refused() { [ "$(status "s['cockpit']['untrusted'] > 0 and s['cockpit']['spool']['items'] >= 10 and not s['cockpit']['connected'] and s['cockpit']['accepted']['alerts'] == 0")" = True ]; }
wait_until 30 refused || fail "the agent does not refuse and spool: $(status "s['cockpit']")"
wait_until 20 json_count_ge 1 "$d/alerts.jsonl" rule_id=V0004 || fail "no V0004 health alert: $(status "s['cockpit']")"
assert_contains "$(json_get "$d/alerts.jsonl" message rule_id=V0004 | head -1)" "$url" "V0004 names the cockpit"
assert_contains "$(status "s['cockpit']['last_error']")" "certificate" "the uplink says why"
assert_file_contains "$TEST_TMP/impostor.log" "handshake refused by the client"
attempts=$(grep -c '^connection' "$TEST_TMP/impostor.log")
assert_ge "$attempts" 2 "the agent kept trying the address"
assert_eq 1 "$(json_count "$d/alerts.jsonl" rule_id=V0004)" "V0004 is raised once while the refusals go on (again after 10 min)"
log "the impostor saw $attempts connection(s); the agent spooled $(status "s['cockpit']['spool']['items']") records"

# ---- the real cockpit takes the address: everything arrives --------------------------------
stop_pid $impostor_pid
[ -z "$(grep -E '^(handshake completed|DATA)' "$TEST_TMP/impostor.log")" ] ||
	fail "the impostor received something: $(grep -E '^(handshake completed|DATA)' "$TEST_TMP/impostor.log" | head -3)"
assert_not_contains "$(cat "$TEST_TMP/impostor.log")" "$token" "the token never reached the impostor"
rm "$d/misbehave"
spawn cockpit "$VIGIL" cockpit --listen 127.0.0.1:$port --store $store \
	--tls-cert "$TEST_TMP/cockpit.pem" --tls-key "$TEST_TMP/cockpit.key"
api() { curl -sf --max-time 10 --cacert "$TEST_TMP/vigil-ca.pem" "$url$1"; }
file_ids() { json_get "$d/alerts.jsonl" alert_id | sort; }
cockpit_ids() { api "/api/v1/alerts?node=node-a&limit=10000" | python3 -c 'import json,sys; [print(a["alert_id"]) for a in json.load(sys.stdin)["alerts"]]' | sort; }
drained() { [ "$(status "s['cockpit']['spool']['items'] + s['cockpit']['waiting'] == 0 and s['cockpit']['connected']")" = True ]; }
same_ids() { [ "$(cockpit_ids)" = "$(file_ids)" ]; }
wait_until 60 drained || fail "the agent does not deliver to the real cockpit: $(status "s['cockpit']")"
wait_until 20 same_ids || fail "the cockpit's alerts differ from alerts.jsonl: $(comm -3 <(cockpit_ids) <(file_ids) | head -5)"
n=$(file_ids | wc -l)
assert_eq "$n" "$(file_ids | uniq | wc -l)" "alert ids are unique"
assert_ge "$(api "/api/v1/alerts?node=node-a&rule=V0004" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["alerts"]))')" 1 "the V0004 alert reached the cockpit"
online() { api /api/v1/nodes | python3 -c 'import json,sys; n=json.load(sys.stdin)["nodes"]; assert n[0]["name"] == "node-a" and n[0]["status"] == "online", n'; }
wait_until 20 online || fail "node-a is not online in the real cockpit: $(api /api/v1/nodes)"
assert_eq 0 "$(status "sum(s['cockpit']['dropped'].values()) + sum(s['cockpit']['rejected'].values())")" "nothing lost"
echo "ok: t8102-fleet-impostor ($n alerts delivered after $attempts refused connections, ${SECONDS}s)"
