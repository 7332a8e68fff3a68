#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The command-line contract of keygen, sign and verify: key file modes and refusal to
# overwrite, sign to stdout or in place, one verdict line per document, exit 0/1/2.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VIGIL=${VIGIL:-$ROOT/build/vigil}
T=$(mktemp -d /tmp/vigil-t5001.XXXXXX)
trap 'rm -rf "$T"' EXIT
cd "$T"
fail() { echo "FAIL: $*"; exit 1; }
# expect RC CMD...: runs CMD, output in out/err, checks the exit status.
expect() {
	local want=$1 rc=0; shift
	"$@" >out 2>err || rc=$?
	[ "$rc" = "$want" ] || { cat out err; fail "'$*' exited $rc, expected $want"; }
}

cat >two.yaml <<'YAML'
apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1
kind: ContainerProfile
metadata: {name: api, namespace: shop}
spec:
  execs: [{path: /app/api, args: [api, --port, '8080']}]
  syscalls: [read, write]
---
apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1
kind: NetworkNeighborhood
metadata: {name: api, namespace: shop}
spec:
  matchLabels: {app: api}
  containers:
  - name: api
    egress:
    - dnsNames: [db.shop.svc.cluster.local]
      ports: [{name: TCP-5432, protocol: TCP, port: 5432}]
YAML

# keygen: 0600 private key, public key beside it, no overwrite without --force.
umask 000 # even a permissive umask must not widen the private key
expect 0 "$VIGIL" keygen --out k
umask 022
[ "$(stat -c %a k)" = 600 ] || fail "private key mode $(stat -c %a k)"
[ -s k.pub ] || fail "no k.pub"
grep -q 'BEGIN PUBLIC KEY' k.pub || fail "k.pub is not a PEM public key"
cp k k.before
expect 2 "$VIGIL" keygen --out k
grep -q 'use --force' err || fail "no hint about --force"
cmp -s k k.before || fail "keygen overwrote the key"
expect 0 "$VIGIL" keygen --out k --force
cmp -s k k.before && fail "--force did not make a new key"
[ "$(stat -c %a k)" = 600 ] || fail "private key mode after --force"
expect 2 "$VIGIL" keygen
expect 0 "$VIGIL" keygen --out other

# sign: stdout by default, the input untouched; -o FILE in place.
cp two.yaml orig.yaml
expect 0 "$VIGIL" sign --key k --identity ci@shop two.yaml
cmp -s two.yaml orig.yaml || fail "sign without -o modified its input"
[ "$(grep -c 'signature.kubescape.io/signature:' out)" = 2 ] || fail "not every document signed"
grep -q 'signature.kubescape.io/identity: ci@shop' out || fail "identity missing"
grep -q 'signature.kubescape.io/issuer: local' out || fail "issuer missing"
cp out stdout.yaml
SOURCE_DATE_EPOCH=1700000000 "$VIGIL" sign --key k -o two.yaml two.yaml
grep -q "timestamp: '1700000000'" two.yaml || grep -q 'timestamp: "1700000000"' two.yaml ||
	fail "SOURCE_DATE_EPOCH not used"

# verify: one line per document, 0 when all are valid.
expect 0 "$VIGIL" verify --pub k.pub two.yaml stdout.yaml
[ "$(grep -c ': valid: signed by k' out)" = 4 ] || { cat out; fail "expected 4 valid lines"; }
grep -q '^two.yaml:[0-9]*: NetworkNeighborhood api: valid' out || fail "verdict line format"
expect 0 "$VIGIL" verify -q --pub k.pub two.yaml
[ ! -s out ] || fail "--quiet printed valid documents"

# `vigil profile fmt` of a signed file (hand-written style, comments) keeps it valid.
{ echo "# reviewed by ops"; sed 's/^  execs:/  # the API server\n  execs:/' two.yaml; } >fmt.yaml
cp fmt.yaml fmt.before
expect 0 "$VIGIL" profile fmt -w --drop-comments fmt.yaml
cmp -s fmt.yaml fmt.before && fail "fmt changed nothing (test input not hand-written)"
expect 0 "$VIGIL" verify --pub k.pub fmt.yaml
[ "$(grep -c ': valid: ' out)" = 2 ] || fail "fmt broke the signature"

# A trust directory with the key: same verdicts, signer named after the file.
mkdir trust && cp k.pub trust/shop.pub
expect 0 "$VIGIL" verify --trust trust two.yaml
grep -q 'valid: signed by shop' out || fail "signer name from trust dir"

# Tampered (exec args reordered): 1, and only that document is named tampered.
awk '/args:/{a=1} a&&/- api$/{print "    - --port"; next} a&&/- --port$/{print "    - api"; a=0; next} {print}' two.yaml >swap.yaml
cmp -s two.yaml swap.yaml && fail "test did not reorder the args"
expect 1 "$VIGIL" verify --pub k.pub swap.yaml
grep -q 'ContainerProfile api: tampered' out || { cat out; fail "reorder not tampered"; }
grep -q 'NetworkNeighborhood api: valid' out || fail "untouched document not valid"

# Unsigned, untrusted, mixed.
expect 1 "$VIGIL" verify --pub k.pub orig.yaml
[ "$(grep -c ': unsigned: ' out)" = 2 ] || fail "unsigned verdicts"
expect 1 "$VIGIL" verify --pub other.pub two.yaml
[ "$(grep -c ': untrusted-key: ' out)" = 2 ] || fail "untrusted verdicts"
expect 1 "$VIGIL" verify --pub k.pub two.yaml orig.yaml

# Attacker re-signs a modified profile with a fresh key: the embedded key is not trusted.
expect 0 "$VIGIL" keygen --out attacker
expect 0 "$VIGIL" sign --key attacker -o evil.yaml swap.yaml
expect 1 "$VIGIL" verify --trust trust evil.yaml
grep -q 'untrusted-key' out || fail "re-signed with a fresh key was accepted"

# Garbage in the annotations: malformed, never a crash.
sed 's|\(signature.kubescape.io/signature:\).*|\1 "not*base64"|' two.yaml >bad.yaml
expect 1 "$VIGIL" verify --pub k.pub bad.yaml
grep -q 'malformed: signature: not base64' out || { cat out; fail "bad base64"; }
sed 's|\(signature.kubescape.io/certificate:\).*|\1 Z2FyYmFnZQ==|' two.yaml >bad.yaml
expect 1 "$VIGIL" verify --pub k.pub bad.yaml
grep -q 'malformed: certificate: not a PEM' out || { cat out; fail "garbage certificate"; }

# A certificate (as keyless signers store) for the pinned key is matched by its public key.
openssl req -x509 -new -key k -subj /CN=ci@shop -days 1 -out k.crt 2>/dev/null
sed "s|\(signature.kubescape.io/certificate:\).*|\1 $(base64 -w0 k.crt)|" two.yaml >crt.yaml
expect 0 "$VIGIL" verify --pub k.pub crt.yaml
openssl req -x509 -new -key other -subj /CN=ci@shop -days 1 -out other.crt 2>/dev/null
sed "s|\(signature.kubescape.io/certificate:\).*|\1 $(base64 -w0 other.crt)|" two.yaml >crt.yaml
expect 1 "$VIGIL" verify --pub k.pub crt.yaml
grep -q 'untrusted-key' out || fail "certificate of another key"

# The same key pinned in compressed-point form is the same key.
openssl ec -in k -pubout -conv_form compressed -out compressed.pub 2>/dev/null
cmp -s compressed.pub k.pub && fail "test did not make a compressed key"
expect 0 "$VIGIL" verify --pub compressed.pub two.yaml

# Usage and runtime errors: 2.
expect 2 "$VIGIL" verify two.yaml
expect 2 "$VIGIL" verify --pub k.pub --trust trust two.yaml
expect 2 "$VIGIL" verify --pub k.pub missing.yaml
expect 2 "$VIGIL" verify --pub missing.pub two.yaml
expect 2 "$VIGIL" verify --pub k two.yaml # a private key is not a public key
chmod 777 trust
expect 2 "$VIGIL" verify --trust trust two.yaml
grep -q 'writable by group or others' err || fail "world-writable trust dir accepted"
chmod 755 trust
expect 2 "$VIGIL" sign --key missing two.yaml
expect 2 "$VIGIL" sign two.yaml
expect 0 "$VIGIL" verify --help
expect 0 "$VIGIL" sign --help
expect 0 "$VIGIL" keygen --help
echo "ok: keygen, sign and verify keep their contract"
