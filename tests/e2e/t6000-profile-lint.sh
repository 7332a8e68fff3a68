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
# 28: the classes Kubescape accepts (unknown names, odd entry shapes) are warn/ files since issue 15
[ $n -ge 28 ] || fail "only $n bad files"

# every warn file: valid (exit 0) with exactly the expected warning; invalid under --strict
n=0
for f in tests/data/profiles/warn/*.yaml; do
	$V profile lint "$f" >"$tmp/out" 2>"$tmp/err" || fail "$f: exit $?, want 0"
	want="vigil: tests/data/profiles/warn/$(cat "${f%.yaml}.expect")"
	[ "$(cat "$tmp/err")" = "$want" ] || fail "$f: got '$(cat "$tmp/err")', want '$want'"
	grep -q "^$f: valid (.*, 1 warning)$" "$tmp/out" || fail "$f: valid line: $(cat "$tmp/out")"
	$V profile lint --strict "$f" >"$tmp/out" 2>"$tmp/err"
	[ $? -eq 1 ] || fail "$f --strict: want exit 1"
	grep -q "^vigil: $f: invalid under --strict (1 warning)$" "$tmp/err" ||
		fail "$f --strict: $(cat "$tmp/err")"
	[ -s "$tmp/out" ] && fail "$f --strict: still listed as valid"
	n=$((n + 1))
done
[ $n -ge 16 ] || fail "only $n warn files"

# Kubescape-shaped files: other objects skipped and named, a List unpacked
$V profile lint tests/data/profiles/ks-beside-workload.yaml >"$tmp/out" 2>"$tmp/err" ||
	fail "ks-beside-workload: exit $?"
grep -q 'valid (2 documents, 13 entries, 3 other objects skipped)$' "$tmp/out" ||
	fail "ks-beside-workload: $(cat "$tmp/out")"
grep -q '^vigil: tests/data/profiles/ks-beside-workload.yaml:8:1: note: skipped apps/v1 Deployment "invoicer": not a profile$' \
	"$tmp/err" || fail "ks-beside-workload notes: $(cat "$tmp/err")"
[ "$(grep -c ': note: skipped ' "$tmp/err")" -eq 3 ] || fail "want 3 skipped notes"
$V profile lint --strict tests/data/profiles/ks-beside-workload.yaml >/dev/null 2>&1 ||
	fail "skipped objects are notes, not warnings: --strict must pass"
$V profile lint tests/data/profiles/ks-kubectl-list.yaml >"$tmp/out" 2>"$tmp/err" ||
	fail "ks-kubectl-list: exit $?"
grep -q 'valid (2 documents, 18 entries, 1 other object skipped)$' "$tmp/out" ||
	fail "ks-kubectl-list: $(cat "$tmp/out")"
$V profile lint --strict tests/data/profiles/ks-partial-wildcards.yaml >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "partial wildcards under --strict: want exit 1"
[ "$(grep -c ': warning: ' "$tmp/err")" -eq 9 ] || fail "want 9 warnings: $(cat "$tmp/err")"

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
$V profile lint --help >"$tmp/help" && grep -q '^usage: vigil profile lint \[--strict\] FILE' "$tmp/help" ||
	fail "lint --help"
$V profile --help >"$tmp/help" && grep -q 'canon \[--doc N\] FILE' "$tmp/help" || fail "profile --help"
$V profile frobnicate 2>"$tmp/err"
[ $? -eq 2 ] || fail "unknown command: want exit 2"
grep -q 'unknown command "frobnicate"' "$tmp/err" || fail "unknown command message"
echo "lint: all checks passed"
