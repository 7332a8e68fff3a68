#!/usr/bin/env bash
# `vigil profile netpol`: a workload that accepts a connection, resolves a name and connects to
# its peer is learned; the NetworkPolicy drafted from its profile has the inbound rule (the
# client's address, our port), the outbound rule (the peer's address and port, the DNS name as a
# comment) and the cluster's DNS, and is valid against Kubernetes' OpenAPI schema
# (kubernetes-models, offline, as t2204 checks deploy/kubernetes); a broken copy is rejected, so
# the check can fail. A profile without a pod selector is refused unless one is given.
#
# Runs in a private network namespace (DNS on port 53 without touching the host's).
if [ "$(id -u)" = 0 ] && [ -z "${VIGIL_T2206_NETNS:-}" ] && command -v unshare >/dev/null; then
	VIGIL_T2206_NETNS=1 exec unshare --net -- "$0" "$@"
fi
. "$(dirname "$0")/../lib/common.sh"
. "$TESTLIB/demo.sh"
requires_root
requires_demo
requires_cmd node npm ip
vigil_has learn || skip "vigil learn is not part of this build"

ip link set lo up
spawn dns "$PROGS/dns_server" 53 127.0.0.1
wait_for_line "$TEST_TMP/dns.log" '^port 53$' 30
spawn_server peer "$PROGS/tcp_echo" 0
PEER_PORT=$SERVER_PORT
DEMO_PEER=127.0.0.1:$PEER_PORT
DEMO_DNS=127.0.0.1:53
demo_service_config "$TEST_TMP/svc.conf" "hello" 1

# The workload: a listener that takes one connection, then the demo service.
cat >"$TEST_TMP/drive.sh" <<EOF
#!/bin/sh
"$PROGS/tcp_echo" 0 1 127.0.0.1 >"$TEST_TMP/listen.log" &
"$DEMO/service" "$TEST_TMP/svc.conf" >/dev/null || exit 3
wait
EOF
spawn learn "$VIGIL" learn --out "$TEST_TMP/p.yaml" --name shop-api --duration 60s -- \
	/bin/sh "$TEST_TMP/drive.sh"
learn_pid=$SPAWNED_PID
wait_for_line "$TEST_TMP/listen.log" '^port [0-9]+$' 20
LISTEN_PORT=$(sed -n 's/^port //p' "$TEST_TMP/listen.log")
# a client from outside the workload (bash's /dev/tcp), which the listener echoes and closes
exec 3<>"/dev/tcp/127.0.0.1/$LISTEN_PORT"
echo ping >&3
exec 3>&-
wait_for_file "$TEST_TMP/p.yaml" 60
wait "$learn_pid" 2>/dev/null || true
"$VIGIL" profile lint "$TEST_TMP/p.yaml" >/dev/null || fail "learned profile does not lint"

# A learned profile has no pod selector (no kubelet here): refused without --selector.
if "$VIGIL" profile netpol "$TEST_TMP/p.yaml" >/dev/null 2>"$TEST_TMP/nosel.err"; then
	fail "a policy without a pod selector was written"
fi
assert_contains "$(cat "$TEST_TMP/nosel.err")" "--selector" "the refusal says what to pass"

"$VIGIL" profile netpol --selector app=shop-api --namespace shop -o "$TEST_TMP/np.yaml" \
	"$TEST_TMP/p.yaml" 2>"$TEST_TMP/np.err" || fail "profile netpol: $(cat "$TEST_TMP/np.err")"
np=$(cat "$TEST_TMP/np.yaml")
assert_contains "$np" "kind: NetworkPolicy" "the kind"
assert_contains "$np" '  - from:
    - ipBlock:
        cidr: "127.0.0.1/32"
    ports:
    - protocol: "TCP"
      port: '"$LISTEN_PORT" "the inbound rule: the client, our port"
assert_contains "$np" "# DNS name (a policy cannot name it; the peers below are as learned): $DEMO_NAME" \
	"the peer's name as a comment"
assert_contains "$np" '  - to:
    - ipBlock:
        cidr: "127.0.0.1/32"
    ports:
    - protocol: "TCP"
      port: '"$PEER_PORT" "the outbound rule: the peer and its port"
assert_contains "$np" '"k8s-app": "kube-dns"' "the cluster's DNS"

# Valid Kubernetes: the OpenAPI schema, offline.
dir=$VIGIL_ROOT/tests/e2e/deploy
if [ ! -d "$dir/node_modules/kubernetes-models" ]; then
	(cd "$dir" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error >"$TEST_TMP/npm.log" 2>&1) ||
		fail "npm ci kubernetes-models failed: $(tail -5 "$TEST_TMP/npm.log")"
fi
out=$(node "$dir/validate.mjs" "$TEST_TMP/np.yaml") || fail "invalid NetworkPolicy: $out"
assert_contains "$out" "ok NetworkPolicy vigil-shop-api" "validated"
sed 's/port: \([0-9]*\)$/port: [\1]/' "$TEST_TMP/np.yaml" >"$TEST_TMP/bad.yaml"
if bad=$(node "$dir/validate.mjs" "$TEST_TMP/bad.yaml"); then
	fail "a list where a port belongs was accepted: $bad"
fi
echo "ok: NetworkPolicy from a learned profile has its peers and is valid Kubernetes"
