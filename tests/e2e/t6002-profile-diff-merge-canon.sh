#!/usr/bin/env bash
# vigil profile diff / merge / canon / show from the command line.
set -u
cd "$(dirname "$0")/../.." || exit 2
V=build/vigil
[ -x $V ] || { echo "build/vigil is not built (run make)"; exit 77; }
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
P=tests/data/profiles

cat >"$tmp/old.yaml" <<'Y'
apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1
kind: ContainerProfile
metadata: {name: job}
spec:
  execs:
  - {path: /bin/sh, args: [sh, -c, "⋯"]}
  opens:
  - {path: /etc/x, flags: [O_RDONLY]}
Y
cat >"$tmp/new.yaml" <<'Y'
apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1
kind: ContainerProfile
metadata: {name: job}
spec:
  execs:
  - {path: /bin/sh, args: [sh, -c, "⋯"]}
  - {path: /usr/bin/curl, args: [curl, "⋯⋯"]}
Y

# diff: 0 same, 1 different, the lines a reviewer reads
$V profile diff "$tmp/old.yaml" "$tmp/old.yaml" >"$tmp/out" || fail "diff same: want 0"
[ -s "$tmp/out" ] && fail "diff same printed: $(cat "$tmp/out")"
$V profile diff "$tmp/old.yaml" "$tmp/new.yaml" >"$tmp/out"
[ $? -eq 1 ] || fail "diff different: want 1"
printf 'ContainerProfile job:\n+ execs: /usr/bin/curl [curl, ⋯⋯]\n- opens: /etc/x [O_RDONLY]\n' >"$tmp/want"
cmp -s "$tmp/out" "$tmp/want" || fail "diff output: $(cat "$tmp/out")"
$V profile diff "$tmp/old.yaml" >/dev/null 2>&1
[ $? -eq 2 ] || fail "diff with one file: want 2"
$V profile diff "$tmp/old.yaml" $P/bad/bad-cidr.yaml 2>"$tmp/err"
[ $? -eq 2 ] || fail "diff with invalid file: want 2"
grep -q 'bad-cidr.yaml:7:21' "$tmp/err" || fail "diff error message"

# merge: the union, written atomically to OUT, loads and contains both
$V profile merge -o "$tmp/m.yaml" "$tmp/old.yaml" "$tmp/new.yaml" || fail "merge"
$V profile lint "$tmp/m.yaml" >/dev/null || fail "merged file invalid"
$V profile diff "$tmp/old.yaml" "$tmp/m.yaml" >"$tmp/out"
[ "$(cat "$tmp/out")" = "$(printf 'ContainerProfile job:\n+ execs: /usr/bin/curl [curl, ⋯⋯]')" ] ||
	fail "merge result: $(cat "$tmp/out")"
$V profile merge "$tmp/old.yaml" >/dev/null 2>&1
[ $? -eq 2 ] || fail "merge without -o: want 2"
# merging a file with itself changes nothing
$V profile merge -o "$tmp/self.yaml" $P/web-ap.yaml $P/web-ap.yaml || fail "self merge"
$V profile diff $P/web-ap.yaml "$tmp/self.yaml" >/dev/null || fail "self merge differs"
# --trust belongs to the signing module
$V profile merge --trust "$tmp" -o "$tmp/t.yaml" "$tmp/old.yaml" >/dev/null 2>"$tmp/err"
rc=$?
if grep -q 'not part of this build' "$tmp/err"; then
	[ $rc -eq 2 ] || fail "merge --trust without signing: want 2"
	grep -q '^vigil: profile merge --trust: not part of this build$' "$tmp/err" || fail "trust message"
fi

# canon: exact bytes, no newline for one document, one line per document otherwise
$V profile canon "$tmp/old.yaml" >"$tmp/c"
printf '%s' '{"apiVersion":"spdx.softwarecomposition.kubescape.io/v1beta1","kind":"ContainerProfile","metadata":{"name":"job"},"spec":{"execs":[{"args":["sh","-c","⋯"],"path":"/bin/sh"}],"opens":[{"flags":["O_RDONLY"],"path":"/etc/x"}]}}' >"$tmp/want"
cmp -s "$tmp/c" "$tmp/want" || fail "canon bytes: $(cat "$tmp/c")"
[ "$($V profile canon $P/batch-curl.yaml | wc -l)" -eq 2 ] || fail "canon of 2 documents"
$V profile canon --doc 1 $P/batch-curl.yaml | grep -q '"kind":"NetworkNeighborhood"' || fail "canon --doc 1"
$V profile canon --doc 2 $P/batch-curl.yaml 2>/dev/null
[ $? -eq 2 ] || fail "canon --doc out of range: want 2"
# argument order is signed
sed 's/args: \[sh, -c, "⋯"\]/args: [sh, "⋯", -c]/' "$tmp/old.yaml" >"$tmp/reordered.yaml"
$V profile canon "$tmp/reordered.yaml" | cmp -s - "$tmp/want" && fail "arg reorder did not change canon"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/c" 2>/dev/null || fail "canon is not JSON"

# show: readable listing and JSON
$V profile show $P/redis-cp.yaml >"$tmp/out" || fail "show"
grep -q '^ContainerProfile redis in namespace redis$' "$tmp/out" || fail "show header"
grep -q '    execs: /usr/local/bin/redis-server \[redis-server, ⋯⋯\]' "$tmp/out" || fail "show entry"
$V profile show --json $P/redis-cp.yaml >"$tmp/j" || fail "show --json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["spec"]["egress"] is None' "$tmp/j" ||
	fail "show --json content"
echo "diff/merge/canon/show: all checks passed"
