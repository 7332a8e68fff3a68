#!/usr/bin/env bash
# vigil profile fmt: canonical YAML is a fixed point, -w rewrites in place, comments are
# never dropped silently, and fmt never changes the canonical (signed) bytes.
set -u
cd "$(dirname "$0")/../.." || exit 2
V=build/vigil
[ -x $V ] || { echo "build/vigil is not built (run make)"; exit 77; }
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

for f in tests/data/profiles/*.yaml; do
	b=$(basename "$f")
	$V profile fmt "$f" >"$tmp/$b.1" 2>/dev/null || fail "fmt $f"
	$V profile fmt "$tmp/$b.1" >"$tmp/$b.2" 2>"$tmp/err" || fail "fmt of fmt $f"
	cmp -s "$tmp/$b.1" "$tmp/$b.2" || fail "$f: fmt is not a fixed point: $(diff "$tmp/$b.1" "$tmp/$b.2")"
	[ -s "$tmp/err" ] && fail "$f: formatted output still warns: $(cat "$tmp/err")"
	$V profile canon "$f" >"$tmp/c1" && $V profile canon "$tmp/$b.1" >"$tmp/c2" || fail "canon $f"
	cmp -s "$tmp/c1" "$tmp/c2" || fail "$f: fmt changed the canonical form"
	$V profile diff "$f" "$tmp/$b.1" >"$tmp/d" || fail "$f: diff against its fmt: $(cat "$tmp/d")"
done

# another YAML reader (PyYAML, YAML 1.1 rules) reads fmt's output as vigil reads the profile
if python3 -c 'import yaml' 2>/dev/null; then
	for f in tests/data/profiles/*.yaml; do
		b=$(basename "$f")
		$V profile show --json "$f" >"$tmp/$b.json" || fail "show --json $f"
		python3 - "$tmp/$b.1" "$tmp/$b.json" <<'PY' || fail "$f: PyYAML reads fmt output differently"
import json, sys, yaml
docs = list(yaml.safe_load_all(open(sys.argv[1], encoding="utf-8")))
text, dec, js, i = open(sys.argv[2], encoding="utf-8").read(), json.JSONDecoder(), [], 0
while i < len(text):
    while i < len(text) and text[i].isspace():
        i += 1
    if i < len(text):
        o, i = dec.raw_decode(text, i)
        js.append(o)
sys.exit(0 if docs == js else 1)
PY
	done
else
	echo "note: python3 yaml missing, cross-reader check not run"
fi

# comments: a warning on stdout formatting; -w refuses unless told
cp tests/data/profiles/redis-cp.yaml "$tmp/r.yaml"
$V profile fmt "$tmp/r.yaml" >/dev/null 2>"$tmp/err" || fail "fmt with comments"
grep -q "warning: comments are not kept" "$tmp/err" || fail "no comment warning"
$V profile fmt -w "$tmp/r.yaml" 2>"$tmp/err"
[ $? -eq 2 ] || fail "fmt -w with comments: want exit 2"
grep -q "not rewritten: it has comments" "$tmp/err" || fail "comment refusal message"
cmp -s "$tmp/r.yaml" tests/data/profiles/redis-cp.yaml || fail "file changed despite refusal"
$V profile fmt -w --drop-comments "$tmp/r.yaml" || fail "fmt -w --drop-comments"
cmp -s "$tmp/r.yaml" "$tmp/redis-cp.yaml.1" || fail "-w output differs from stdout output"
grep -q '#' "$tmp/r.yaml" && fail "comments still there"

# -w on a canonical file leaves it untouched (same inode, same mtime)
cp "$tmp/web-ap.yaml.1" "$tmp/w.yaml"
touch -d '2020-01-01' "$tmp/w.yaml"
before=$(stat -c %Y "$tmp/w.yaml")
$V profile fmt -w "$tmp/w.yaml" || fail "fmt -w canonical"
[ "$(stat -c %Y "$tmp/w.yaml")" = "$before" ] || fail "canonical file was rewritten"

# an invalid file: verdict 1, message, nothing written
$V profile fmt tests/data/profiles/bad/bad-cidr.yaml >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] || fail "fmt of invalid file: want exit 1"
[ -s "$tmp/out" ] && fail "fmt of invalid file printed output"
grep -q 'bad-cidr.yaml:7:21: invalid CIDR' "$tmp/err" || fail "fmt error message"

# several files: one YAML stream with every document
$V profile fmt tests/data/profiles/nn-frontend.yaml tests/data/profiles/batch-curl.yaml >"$tmp/two.yaml" ||
	fail "fmt of two files"
$V profile lint "$tmp/two.yaml" | grep -q 'valid (3 documents' || fail "fmt of two files is not one stream"

# documents that are not profiles: a warning on stdout formatting; -w refuses unless told
cp tests/data/profiles/ks-beside-workload.yaml "$tmp/k.yaml"
$V profile fmt "$tmp/k.yaml" >"$tmp/k.out" 2>"$tmp/err" || fail "fmt with other objects"
grep -q "warning: 3 documents that are not a profile are left out of the output" "$tmp/err" ||
	fail "no other-objects warning: $(cat "$tmp/err")"
$V profile fmt -w --drop-comments "$tmp/k.yaml" 2>"$tmp/err"
[ $? -eq 2 ] || fail "fmt -w with other objects: want exit 2"
grep -q "not rewritten: 3 documents in it are not a profile and would be lost" "$tmp/err" ||
	fail "other-objects refusal message: $(cat "$tmp/err")"
cmp -s "$tmp/k.yaml" tests/data/profiles/ks-beside-workload.yaml || fail "file changed despite refusal"
$V profile fmt -w --drop-comments --drop-others "$tmp/k.yaml" || fail "fmt -w --drop-others"
cmp -s "$tmp/k.yaml" "$tmp/k.out" || fail "-w output differs from stdout output"
$V profile lint "$tmp/k.yaml" | grep -q 'valid (2 documents, 13 entries)$' || fail "after --drop-others"

# a List becomes one document per profile; YAML 1.1 readers keep every value's type
$V profile fmt tests/data/profiles/ks-kubectl-list.yaml >"$tmp/l.yaml" 2>/dev/null || fail "fmt List"
[ "$(grep -c '^kind: ' "$tmp/l.yaml")" -eq 2 ] || fail "List not unpacked: $(grep '^kind' "$tmp/l.yaml")"
grep -q "^  creationTimestamp: '2026-03-02T09:14:27Z'$" "$tmp/l.yaml" || fail "timestamp not quoted"
grep -q "^  resourceVersion: '1044'$" "$tmp/l.yaml" || fail "number-like string not quoted"

# ⋯ is written as-is, not escaped
grep -q '⋯⋯' "$tmp/redis-cp.yaml.1" || fail "⋯⋯ escaped in output"
$V profile fmt --help | grep -q -- '--drop-comments' || fail "fmt --help"
echo "fmt: all checks passed"
