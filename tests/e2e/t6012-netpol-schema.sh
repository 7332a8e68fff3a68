#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t6012: `vigil profile netpol` writes a NetworkPolicy Kubernetes accepts for every profile
# fixture with network neighbours, Kubescape's zero values included: a port whose protocol is
# "" (node-agent writes it) or absent, and a port that is any port and any protocol. Checked
# against Kubernetes' OpenAPI schema offline (kubernetes-models, as t2206 and t2204), which
# refuses `protocol: ""`; a copy with that line put back is refused, so the check can fail.
. "$(dirname "$0")/../lib/common.sh"
requires_cmd node npm

dir=$VIGIL_ROOT/tests/e2e/deploy
if [ ! -d "$dir/node_modules/kubernetes-models" ]; then
	(cd "$dir" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error >"$TEST_TMP/npm.log" 2>&1) ||
		skip "npm ci kubernetes-models failed (offline?): $(tail -3 "$TEST_TMP/npm.log")"
fi

n=0
for f in "$VIGIL_ROOT"/tests/data/profiles/*.yaml "$VIGIL_ROOT"/tests/data/profiles/realworld/*; do
	out=$TEST_TMP/np-$n.yaml
	# a profile without a pod selector needs one; one without neighbours has nothing to draft
	if ! "$VIGIL" profile netpol -o "$out" "$f" 2>"$TEST_TMP/err"; then
		if grep -q -- "--selector" "$TEST_TMP/err"; then
			"$VIGIL" profile netpol --selector app=t6012 -o "$out" "$f" 2>"$TEST_TMP/err" ||
				fail "netpol --selector $f: $(cat "$TEST_TMP/err")"
		elif grep -q "no network\|nothing to draft" "$TEST_TMP/err"; then
			continue
		else
			fail "netpol $f: $(cat "$TEST_TMP/err")"
		fi
	fi
	if grep -n 'protocol: ""' "$out"; then
		fail "$f: a NetworkPolicy port with protocol \"\""
	fi
	echo "$out $f" >>"$TEST_TMP/drafted"
	n=$((n + 1))
done
[ $n -ge 4 ] || fail "only $n profiles drafted a NetworkPolicy"
# one node for all (it starts slowly); an invalid one is named with its profile
res=$(node "$dir/validate.mjs" $(cut -d' ' -f1 "$TEST_TMP/drafted")) ||
	fail "invalid NetworkPolicy: $(printf '%s\n' "$res" | grep -v '^ok ' | head -3) (from: $(cat "$TEST_TMP/drafted"))"
[ "$(printf '%s\n' "$res" | grep -c '^ok NetworkPolicy')" -eq $n ] || fail "validated: $res"

# the zero values: port 53 for every protocol; the any-port neighbour has no ports
zero=$VIGIL_ROOT/tests/data/profiles/realworld/nn-zero-value-ports.yaml
np=$("$VIGIL" profile netpol "$zero") || fail "netpol $zero"
assert_contains "$np" '    - protocol: "UDP"
      port: 53' "a port with protocol \"\" is UDP too"
assert_contains "$np" '    # every port and protocol' "a {} port allows every port"

# the check can fail: the same policy with a port of protocol "" is refused
printf '%s\n' "$np" | sed '0,/protocol: "UDP"/s//protocol: ""/' >"$TEST_TMP/bad.yaml"
grep -q 'protocol: ""' "$TEST_TMP/bad.yaml" || fail "the broken copy has no empty protocol"
if bad=$(node "$dir/validate.mjs" "$TEST_TMP/bad.yaml"); then
	fail "protocol \"\" was accepted: $bad"
fi
echo "ok: $n NetworkPolicies drafted from the fixtures are valid Kubernetes"
