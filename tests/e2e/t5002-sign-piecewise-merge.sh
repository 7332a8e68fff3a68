#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Piece-wise signing (seed 002), exactly as docs/SIGNING.md shows it: a vendor base profile,
# Stripe's network neighbors and a local overlay, each signed by its own key and verified
# against its own scope; a piece that fails is named and left out, the rest is merged.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VIGIL=${VIGIL:-$ROOT/build/vigil}
DATA=$ROOT/tests/data/keys/piecewise
T=$(mktemp -d /tmp/vigil-t5002.XXXXXX)
trap 'rm -rf "$T"' EXIT
cd "$T"
fail() { echo "FAIL: $*"; exit 1; }

# Each party makes its key; the operator pins the three public keys and two scopes.
for who in vendor stripe local; do "$VIGIL" keygen --out $who.key 2>/dev/null; done
mkdir -m 755 trust
cp vendor.key.pub trust/vendor.pub
cp stripe.key.pub trust/stripe.pub
cp local.key.pub trust/local.pub
cp "$DATA/vendor.scope" "$DATA/stripe.scope" trust/
chmod 644 trust/*

"$VIGIL" sign --key vendor.key --identity releases@vendor.example -o base.yaml "$DATA/vendor-base.yaml"
"$VIGIL" sign --key stripe.key --identity profiles@stripe.example -o stripe.yaml "$DATA/stripe-egress.yaml"
"$VIGIL" sign --key local.key --identity ops@shop.example -o local.yaml "$DATA/local-overlay.yaml"

# 1. Every piece is valid on its own, each signed by its own signer.
"$VIGIL" verify --trust trust base.yaml stripe.yaml local.yaml >out
grep -q '^base.yaml:.*valid: signed by vendor$' out || fail "vendor piece"
grep -q '^stripe.yaml:.*valid: signed by stripe$' out || fail "stripe piece"
grep -q '^local.yaml:.*valid: signed by local$' out || fail "local piece"

# 2. All three merge: exit 0, entries from every signer, provenance recorded.
"$VIGIL" profile merge --trust trust -o effective.yaml base.yaml stripe.yaml local.yaml 2>err ||
	{ cat err; fail "merge of three good pieces failed"; }
for e in /usr/local/bin/payment-app api.stripe.com files.stripe.com \
	postgres.shop.svc.cluster.local /var/log/payment/ CAP_NET_BIND_SERVICE; do
	grep -q -- "$e" effective.yaml || fail "effective profile lacks $e"
done
prov=$(sed -n 's/^ *vigil.dev\/provenance: *//p' effective.yaml)
[[ $prov == vendor=sha256:*,stripe=sha256:*,local=sha256:* ]] || fail "provenance: $prov"
grep -q 'from stripe' err && grep -A3 'from stripe' err | grep -q 'egress (2): api.stripe.com, files.stripe.com' ||
	{ cat err; fail "stderr does not say which entries came from stripe"; }
grep -q '3 pieces merged, 0 left out' err || fail "summary line"
# The effective profile is not signed by anyone until the operator signs it.
rc=0; "$VIGIL" verify --trust trust effective.yaml >out || rc=$?
[ $rc = 1 ] && grep -q unsigned out || fail "merged output should be unsigned"
"$VIGIL" sign --key local.key -o effective.yaml effective.yaml
"$VIGIL" verify --trust trust effective.yaml | grep -q 'valid: signed by local'

# 3. Stripe's key vouching for a host that is not Stripe's: named, left out, exit 1.
"$VIGIL" sign --key stripe.key -o overreach.yaml "$DATA/stripe-overreach.yaml"
rc=0; "$VIGIL" profile merge --trust trust -o eff2.yaml base.yaml stripe.yaml overreach.yaml local.yaml 2>err || rc=$?
[ $rc = 1 ] || { cat err; fail "merge with a bad piece exited $rc"; }
grep -q 'overreach.yaml:.*left out: out-of-scope: outside the scope of stripe: .*exfil.example.com' err ||
	{ cat err; fail "out-of-scope piece not named"; }
grep -q exfil.example.com eff2.yaml && fail "out-of-scope entry was merged"
grep -q api.stripe.com eff2.yaml || fail "good pieces missing after a bad one"

# 4. The vendor's key may not vouch for network neighbors (its scope has no egress).
"$VIGIL" sign --key vendor.key -o vendor-egress.yaml "$DATA/stripe-egress.yaml"
rc=0; "$VIGIL" verify --trust trust vendor-egress.yaml >out || rc=$?
[ $rc = 1 ] && grep -q 'out-of-scope: outside the scope of vendor: spec: section egress' out ||
	{ cat out; fail "vendor egress not out of scope"; }

# 5. A piece changed after signing is left out as tampered; an unsigned one as unsigned.
sed 's/api.stripe.com/api.stripe.com.evil.io/' stripe.yaml >stripe-mod.yaml
rc=0; "$VIGIL" profile merge --trust trust -o eff3.yaml base.yaml stripe-mod.yaml "$DATA/local-overlay.yaml" 2>err || rc=$?
[ $rc = 1 ] || fail "tampered piece: exit $rc"
grep -q 'stripe-mod.yaml:.*left out: tampered' err || { cat err; fail "tampered piece not named"; }
grep -q 'local-overlay.yaml:.*left out: unsigned' err || { cat err; fail "unsigned piece not named"; }
grep -q evil.io eff3.yaml && fail "tampered entry was merged"
grep -q '1 piece merged, 2 left out' err || { cat err; fail "summary after failures"; }

# 6. Nothing valid at all: no output, exit 2.
rc=0; "$VIGIL" profile merge --trust trust -o none.yaml "$DATA/vendor-base.yaml" 2>err || rc=$?
[ $rc = 2 ] && [ ! -e none.yaml ] || fail "merge of nothing valid: exit $rc"
echo "ok: three signers, scopes enforced, failing pieces named and left out"
