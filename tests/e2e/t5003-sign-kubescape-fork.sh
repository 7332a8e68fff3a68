#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The other signature scheme in the field, and Kubescape storage round trips.
#
# The k8sstormcenter fork of Kubescape signs, with the same annotations, the 64 hex digits of
# an order-independent hash of the typed object, with a certificate in the certificate
# annotation. Here the fork's side is played by build/kubescape/kstyped (Go's encoding/json
# and encoding/gob over structs shaped like Kubescape's types, tests/kubescape/main.go) and
# OpenSSL: an X.509 certificate made with `openssl req -x509` (CN=local-key, code signing, as
# the fork's local signer makes one) and `openssl dgst -sha256 -sign` over the hash. Nothing
# of Vigil computes the fork's side.
#
# Checked: vigil's hash equals Go's for every test profile; `vigil verify` gives the fork's
# signature its own verdict (foreign-scheme) against a pinned certificate, accepted with
# --accept-foreign; tampering, uncovered iouring and unknown keys are still caught; the
# fork's scheme ignores list order (shown, as documented). Storage round trips (gob + JSON,
# by kstyped): the fork's signature survives; Vigil's survives when the profile was signed in
# served form (`profile fmt --served`), and not when it was signed as written with fields the
# types fill in.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VIGIL=${VIGIL:-$ROOT/build/vigil}
KS=$ROOT/build/kubescape/kstyped
command -v openssl >/dev/null || { echo "skip: openssl command not installed"; exit 77; }
[ -x "$KS" ] || { echo "skip: build/kubescape/kstyped not built (make progs)"; exit 77; }
T=$(mktemp -d /tmp/vigil-t5003.XXXXXX)
trap 'rm -rf "$T"' EXIT
cd "$T"
fail() { echo "FAIL: $*"; exit 1; }

# One JSON document per file from `vigil profile show --json` (a stream of objects).
split_docs() { # FILE PREFIX
	"$VIGIL" profile show --json "$1" | python3 -c '
import json, sys
text, dec, i, n = sys.stdin.read(), json.JSONDecoder(), 0, 0
while i < len(text):
    while i < len(text) and text[i].isspace():
        i += 1
    if i < len(text):
        o, i = dec.raw_decode(text, i)
        json.dump(o, open("%s%d.json" % (sys.argv[1], n), "w"))
        n += 1
print(n)' "$2"
}

# 1. The hash: vigil's C implementation against Go's types, on every test profile.
for f in "$ROOT"/tests/data/profiles/*.yaml; do
	n=$(split_docs "$f" doc)
	for ((i = 0; i < n; i++)); do
		want=$("$KS" hash <"doc$i.json")
		got=$("$VIGIL" profile canon --kubescape-hash --doc "$i" "$f")
		[ "$want" = "$got" ] || fail "$f doc $i: vigil hash $got, Go $want"
	done
done

# 2. A profile signed by "the fork": an OpenSSL key and a self-signed certificate like the
#    fork's local signer makes (`openssl req -x509`, CN=local-key, extended key usage
#    codeSigning), the signature made by OpenSSL over Go's hash.
cat >p.yaml <<'YAML'
apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1
kind: ApplicationProfile
metadata:
  name: replicaset-api-5d8f
  namespace: shop
  labels: {app: api}
spec:
  architectures: [amd64]
  containers:
  - name: api
    execs:
    - {path: /app/api, args: [/app/api, --port, '8080', --log-level, info]}
    opens:
    - {path: /etc/api/config.yaml, flags: [O_RDONLY]}
    syscalls: [accept4, read, write]
    endpoints:
    - {endpoint: ':8080/health', methods: [GET], direction: inbound}
YAML
openssl ecparam -name prime256v1 -genkey -noout -out fork.key 2>/dev/null
openssl req -x509 -new -key fork.key -subj /CN=local-key -days 365 \
	-addext keyUsage=digitalSignature -addext extendedKeyUsage=codeSigning -out fork.crt 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out other.key 2>/dev/null
openssl req -x509 -new -key other.key -subj /CN=local-key -days 365 -out other.crt 2>/dev/null

# fork_sign IN.json KEY CERT OUT.json: annotate IN with a fork-scheme signature over Go's hash
fork_sign() {
	"$KS" hash <"$1" >hash.txt
	openssl dgst -sha256 -sign "$2" -out sig.der hash.txt
	python3 - "$1" "$3" "$4" <<'PY'
import base64, json, sys
doc = json.load(open(sys.argv[1]))
ann = doc["metadata"].setdefault("annotations", {})
ann["signature.kubescape.io/signature"] = base64.b64encode(open("sig.der", "rb").read()).decode()
ann["signature.kubescape.io/certificate"] = base64.b64encode(open(sys.argv[2], "rb").read()).decode()
ann["signature.kubescape.io/issuer"] = "local"
ann["signature.kubescape.io/identity"] = "local-key"
ann["signature.kubescape.io/timestamp"] = "1767225600"
json.dump(doc, open(sys.argv[3], "w"))
PY
}
split_docs p.yaml p >/dev/null
fork_sign p0.json fork.key fork.crt forked.json
mkdir -m 755 trust
cp fork.crt trust/fork.pub # a pinned certificate: its key is what is trusted
chmod 644 trust/fork.pub

# verdict FILE: the verdict word of its one document
verdict() { { "$VIGIL" verify --trust trust "$1" || true; } | sed -n 's/^[^:]*:[0-9]*: [A-Za-z]* [^:]*: \([a-z-]*\):.*/\1/p'; }

"$VIGIL" verify --trust trust forked.json >out.txt && fail "foreign-scheme counted as valid without --accept-foreign"
grep -q ': foreign-scheme: signed by fork in the k8sstormcenter scheme' out.txt || fail "verdict: $(cat out.txt)"
"$VIGIL" verify --trust trust --accept-foreign forked.json >/dev/null || fail "--accept-foreign"
# by hand, as docs/SIGNING.md shows: OpenSSL verifies the fork's signature over vigil's hash
"$VIGIL" profile canon --kubescape-hash forked.json >h.txt
openssl dgst -sha256 -verify <(openssl x509 -in fork.crt -pubkey -noout) -signature sig.der h.txt |
	grep -qx 'Verified OK' || fail "openssl does not verify the fork signature over vigil's hash"

# edits: a changed exec path is tampering; the fork's scheme cannot see a reordered argv
python3 - forked.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
c = d["spec"]["containers"][0]
c["execs"][0]["path"] = "/app/api2"
json.dump(d, open("edited.json", "w"))
c["execs"][0]["path"] = "/app/api"
c["execs"][0]["args"] = ["/app/api", "--port", "info", "--log-level", "8080"]
json.dump(d, open("reordered.json", "w"))
c["execs"][0]["args"] = ["/app/api", "--port", "8080", "--log-level", "info"]
c["iouring"] = ["OPENAT", "READ"]
json.dump(d, open("iouring.json", "w"))
PY
[ "$(verdict edited.json)" = tampered ] || fail "edited: $(verdict edited.json)"
[ "$(verdict reordered.json)" = foreign-scheme ] || fail "the fork's hash was expected to ignore argv order"
[ "$(verdict iouring.json)" = tampered ] || fail "iouring: $(verdict iouring.json)"
out=$("$VIGIL" verify --trust trust iouring.json || true)
grep -q 'does not cover the iouring lists' <<<"$out" || fail "iouring reason: $out"
# another key with a certificate just like it: not trusted, and named as the fork's scheme
fork_sign p0.json other.key other.crt stranger.json
[ "$(verdict stranger.json)" = untrusted-key ] || fail "stranger: $(verdict stranger.json)"
out=$("$VIGIL" verify --trust trust stranger.json || true)
grep -q 'signed in the k8sstormcenter scheme by a key that is not trusted' <<<"$out" ||
	fail "stranger reason: $out"

# 3. Storage round trips (gob, then JSON: what `kubectl get -o json` returns).
"$KS" served <forked.json >forked.served.json
grep -q '"imageID": ""' forked.served.json || fail "the round trip did not fill zero values"
[ "$(verdict forked.served.json)" = foreign-scheme ] || fail "fork signature after storage: $(verdict forked.served.json)"

"$VIGIL" keygen --out vigil.key 2>/dev/null
cp vigil.key.pub trust/vigil.pub
"$VIGIL" sign --key vigil.key -o signed.yaml p.yaml
[ "$(verdict signed.yaml)" = valid ] || fail "vigil signature: $(verdict signed.yaml)"
split_docs signed.yaml s >/dev/null
"$KS" served <s0.json >signed.served.json
# signed as written: the types add imageID: "", rulePolicies: null, ...: the bytes changed
[ "$(verdict signed.served.json)" = tampered ] || fail "expected the written form to break: $(verdict signed.served.json)"
# signed in served form: unchanged by the round trip, and by a second one
"$VIGIL" profile fmt --served p.yaml >served.yaml
"$VIGIL" sign --key vigil.key -o served.signed.yaml served.yaml
split_docs served.signed.yaml ss >/dev/null
"$KS" served <ss0.json >rt1.json
"$KS" served <rt1.json >rt2.json
[ "$(verdict rt1.json)" = valid ] || fail "served form after storage: $(verdict rt1.json)"
[ "$(verdict rt2.json)" = valid ] || fail "served form after two round trips: $(verdict rt2.json)"
# fmt --served is a fixed point, and equals what Go serves for every test profile
for f in "$ROOT"/tests/data/profiles/*.yaml; do
	"$VIGIL" profile fmt --served "$f" >a.yaml 2>/dev/null
	"$VIGIL" profile fmt --served a.yaml >b.yaml
	cmp -s a.yaml b.yaml || fail "$f: fmt --served is not a fixed point"
	n=$(split_docs "$f" orig)
	split_docs a.yaml srv >/dev/null
	for ((i = 0; i < n; i++)); do
		"$KS" served <"orig$i.json" >go.json
		python3 -c 'import json,sys; a,b=(json.load(open(x))["spec"] for x in sys.argv[1:]); sys.exit(a!=b)' \
			go.json "srv$i.json" || fail "$f doc $i: fmt --served differs from Go's round trip"
	done
done
# what is left out is said
"$VIGIL" profile fmt --served "$ROOT/tests/data/profiles/web-ap.yaml" 2>err.txt >/dev/null
grep -q 'warning: the iouring lists are left out' err.txt || fail "no iouring warning: $(cat err.txt)"
echo "ok: the fork's scheme has its own verdict; storage round trips behave as documented"
