#!/usr/bin/env bash
# vigil profile lint: exit codes and FILE:LINE:COL messages, as a user sees them.
set -u
cd "$(dirname "$0")/../.." || exit 2
V=build/vigil
[ -x $V ] || { echo "build/vigil is not built (run make)"; exit 77; }
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# every good profile is valid
for f in tests/data/profiles/*.yaml; do
	$V profile lint "$f" >"$tmp/out" 2>"$tmp/err" || fail "$f: exit $? ($(cat "$tmp/err"))"
	grep -q "^$f: valid (" "$tmp/out" || fail "$f: no 'valid' line: $(cat "$tmp/out")"
done

# every bad file: exit 1 and exactly the expected message
n=0
for f in tests/data/profiles/bad/*.yaml; do
	$V profile lint "$f" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc -eq 1 ] || fail "$f: exit $rc, want 1"
	want="vigil: tests/data/profiles/bad/$(cat "${f%.yaml}.expect")"
	[ "$(cat "$tmp/err")" = "$want" ] || fail "$f: got '$(cat "$tmp/err")', want '$want'"
	n=$((n + 1))
done
[ $n -ge 30 ] || fail "only $n bad files"

# several files: every one is reported, the verdict is 1
$V profile lint tests/data/profiles/redis-cp.yaml tests/data/profiles/bad/unknown-field.yaml \
	tests/data/profiles/bad/bad-cidr.yaml >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] || fail "mixed files: want exit 1"
[ "$(wc -l <"$tmp/err")" -eq 2 ] || fail "mixed files: want 2 errors, got $(cat "$tmp/err")"
grep -q '^vigil: tests/data/profiles/bad/unknown-field.yaml:8:7: unknown field "exec" in container (did you mean "execs"?)$' "$tmp/err" ||
	fail "unknown field message: $(cat "$tmp/err")"
grep -q 'redis-cp.yaml: valid' "$tmp/out" || fail "valid file not listed"

# a file that cannot be read is an error (2), and says why
$V profile lint "$tmp/missing.yaml" 2>"$tmp/err"
[ $? -eq 2 ] || fail "missing file: want exit 2"
grep -q "^vigil: $tmp/missing.yaml: cannot open: No such file or directory$" "$tmp/err" ||
	fail "missing file message: $(cat "$tmp/err")"

# usage
$V profile lint >/dev/null 2>&1
[ $? -eq 2 ] || fail "no files: want exit 2"
$V profile lint --help >"$tmp/help" && grep -q '^usage: vigil profile lint FILE' "$tmp/help" ||
	fail "lint --help"
$V profile --help >"$tmp/help" && grep -q 'canon \[--doc N\] FILE' "$tmp/help" || fail "profile --help"
$V profile frobnicate 2>"$tmp/err"
[ $? -eq 2 ] || fail "unknown command: want exit 2"
grep -q 'unknown command "frobnicate"' "$tmp/err" || fail "unknown command message"
echo "lint: all checks passed"
