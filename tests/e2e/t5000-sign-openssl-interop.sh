#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Interop: a `vigil sign` signature verifies with stock OpenSSL over `vigil profile canon`
# (the cosign sign-blob scheme), a signature made by `openssl dgst -sign` verifies with
# `vigil verify`, and a key made by `openssl genpkey` signs with `vigil sign`.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VIGIL=${VIGIL:-$ROOT/build/vigil}
T=$(mktemp -d /tmp/vigil-t5000.XXXXXX)
trap 'rm -rf "$T"' EXIT
cd "$T"
command -v openssl >/dev/null || { echo "skip: openssl command not installed"; exit 77; }

cat >p.yaml <<'YAML'
apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1
kind: ApplicationProfile
metadata:
  name: nginx
  namespace: web
  labels: {app: nginx}
spec:
  containers:
  - name: nginx
    execs:
    - {path: /usr/sbin/nginx, args: [nginx, -g, 'daemon off;']}
    opens:
    - {path: /etc/nginx/nginx.conf, flags: [O_RDONLY]}
    syscalls: [accept4, epoll_wait, read, write]
YAML

# The annotation value of KEY in a (block-style) signed YAML file.
ann() { sed -n "s|^ *signature.kubescape.io/$1: *'\{0,1\}\([^']*\)'\{0,1\}\$|\1|p" "$2"; }

"$VIGIL" keygen --out k 2>/dev/null
"$VIGIL" sign --key k --identity interop@test --profile-version 7 -o s.yaml p.yaml
"$VIGIL" profile canon s.yaml >canon.json
# the version is part of what is signed (replay protection), as metadata.annotations
grep -q '"annotations":{"vigil.dev/profile-version":"7"}' canon.json
# exactly the pipeline docs/SIGNING.md shows
grep 'signature.kubescape.io/signature:' s.yaml | awk '{print $2}' | base64 -d >sig.der
test -s sig.der
# 1. OpenSSL verifies vigil's signature over the canonical bytes.
openssl dgst -sha256 -verify k.pub -signature sig.der canon.json | grep -qx 'Verified OK'
# ...the embedded certificate is the signer's public key, byte for byte.
ann certificate s.yaml | base64 -d | cmp - k.pub
# ...and one changed byte of the canonical form fails under OpenSSL as well.
sed 's/daemon off;/daemon on;/' canon.json >canon2.json
! cmp -s canon.json canon2.json
if openssl dgst -sha256 -verify k.pub -signature sig.der canon2.json >/dev/null 2>&1; then
	echo "openssl accepted modified canonical bytes"; exit 1
fi

# 2. A signature made by OpenSSL over the canonical bytes is accepted by vigil verify.
openssl dgst -sha256 -sign k -out osig.der canon.json
osig=$(base64 -w0 osig.der)
sed "s|^\( *signature.kubescape.io/signature:\).*|\1 $osig|" s.yaml >o.yaml
grep -q "$osig" o.yaml
"$VIGIL" verify --pub k.pub o.yaml | grep -q 'valid: signed by k'

# 3. An OpenSSL-made P-256 key signs with vigil; OpenSSL verifies with its own public half.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ok.pem 2>/dev/null
openssl pkey -in ok.pem -pubout -out ok.pub
"$VIGIL" sign --key ok.pem --profile-version 7 -o s2.yaml p.yaml
"$VIGIL" profile canon s2.yaml >canon3.json
cmp canon.json canon3.json # the canonical form does not depend on who signs
ann signature s2.yaml | base64 -d >sig2.der
openssl dgst -sha256 -verify ok.pub -signature sig2.der canon3.json | grep -qx 'Verified OK'
"$VIGIL" verify --pub ok.pub s2.yaml >/dev/null

# 4. Keys of another kind are refused with a clear error, not a crash.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out p384.pem 2>/dev/null
rc=0; "$VIGIL" sign --key p384.pem p.yaml >/dev/null 2>err || rc=$?
[ "$rc" = 2 ] && grep -q 'P-256' err
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.pem 2>/dev/null
rc=0; "$VIGIL" sign --key rsa.pem p.yaml >/dev/null 2>err || rc=$?
[ "$rc" = 2 ] && grep -q 'RSA key' err
echo "ok: openssl and vigil agree in both directions"
