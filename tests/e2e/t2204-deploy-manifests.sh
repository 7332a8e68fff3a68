#!/usr/bin/env bash
# deploy/kubernetes validated offline: kubectl cannot even decode a manifest without an API
# server, so every object is checked against Kubernetes' OpenAPI schema with npm's
# kubernetes-models (types, required fields, enums; it does not reject an unknown optional key,
# which t2200 covers for the settings the agent depends on by running the DaemonSet's pod spec).
# A broken copy is rejected, so the check can fail.
. "$(dirname "$0")/../lib/common.sh"
requires_cmd node npm

dir=$VIGIL_ROOT/tests/e2e/deploy
if [ ! -d "$dir/node_modules/kubernetes-models" ]; then
	(cd "$dir" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error >"$TEST_TMP/npm.log" 2>&1) ||
		fail "npm ci kubernetes-models failed: $(tail -5 "$TEST_TMP/npm.log")"
fi
out=$(node "$dir/validate.mjs" "$VIGIL_ROOT"/deploy/kubernetes/*.yaml) || fail "invalid manifests: $out"
for kind in Namespace ServiceAccount ClusterRole ClusterRoleBinding ConfigMap DaemonSet \
	PersistentVolumeClaim Deployment Service; do
	assert_contains "$out" "ok $kind " "validated $kind"
done
# the DaemonSet and the Deployment use the image make image builds
grep -q 'image: localhost/vigil:latest' "$VIGIL_ROOT/deploy/kubernetes/vigil-agent.yaml" || fail "DaemonSet image"
grep -q 'image: localhost/vigil:latest' "$VIGIL_ROOT/deploy/kubernetes/vigil-cockpit.yaml" || fail "Deployment image"

sed 's/privileged: true/privileged: "yes"/' "$VIGIL_ROOT/deploy/kubernetes/vigil-agent.yaml" >"$TEST_TMP/bad.yaml"
if bad=$(node "$dir/validate.mjs" "$TEST_TMP/bad.yaml"); then
	fail "a string where a boolean belongs was accepted"
fi
assert_contains "$bad" "privileged must be boolean" "the rejection says why"
echo "ok: $(echo "$out" | grep -c '^ok ') objects valid against the OpenAPI schema; a broken copy rejected"
