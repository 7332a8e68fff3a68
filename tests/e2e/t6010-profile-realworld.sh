#!/usr/bin/env bash
# Profiles as Kubescape users keep them (tests/data/profiles/realworld/): kubectl -o json,
# kind: List of mixed kinds, JSON streams and JSON written by scripts, BOM and CRLF, UTF-16 from
# PowerShell, helm output with empty documents, anchors, aliases and merge keys, deep call
# stacks, null/empty/absent lists. Every tool takes every file, and means what
# an independent reader (Python's json / PyYAML, as Go's readers behind kubectl) reads.
set -u
cd "$(dirname "$0")/../.." || exit 2
V=${VIGIL:-build/vigil}
[ -x $V ] || { echo "build/vigil is not built (run make)"; exit 77; }
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
$V keygen --out "$tmp/k" >/dev/null 2>&1 || fail keygen

n=0
for f in tests/data/profiles/realworld/*; do
	b=$(basename "$f")
	$V profile lint --strict "$f" >"$tmp/out" 2>"$tmp/err" || fail "lint $f: $(cat "$tmp/err")"
	grep -q "^$f: valid (" "$tmp/out" || fail "$f: $(cat "$tmp/out")"
	$V profile fmt "$f" >"$tmp/$b.1" 2>/dev/null || fail "fmt $f"
	$V profile fmt "$tmp/$b.1" >"$tmp/$b.2" || fail "fmt of fmt $f"
	cmp -s "$tmp/$b.1" "$tmp/$b.2" || fail "$f: fmt is no fixed point"
	$V profile canon "$f" >"$tmp/c1" && $V profile canon "$tmp/$b.1" >"$tmp/c2" || fail "canon $f"
	cmp -s "$tmp/c1" "$tmp/c2" || fail "$f: fmt changed the canonical form"
	$V profile diff "$f" "$tmp/$b.1" >"$tmp/d" || fail "$f: diff against its fmt: $(cat "$tmp/d")"
	$V profile show "$f" >/dev/null || fail "show $f"
	$V profile merge -o "$tmp/m.yaml" "$f" "$f" 2>/dev/null || fail "merge $f"
	$V profile canon "$tmp/m.yaml" >"$tmp/c3" || fail "canon of merge $f"
	cmp -s "$tmp/c1" "$tmp/c3" || fail "$f: merged with itself, the profile changed"
	$V sign --key "$tmp/k" "$f" >"$tmp/s.yaml" 2>/dev/null || fail "sign $f"
	$V verify -q --pub "$tmp/k.pub" "$tmp/s.yaml" || fail "verify $f"
	$V profile fmt --served "$f" >"$tmp/sv.yaml" 2>/dev/null || fail "fmt --served $f"
	$V profile lint "$tmp/sv.yaml" >/dev/null 2>&1 || fail "$f: served form does not lint"
	n=$((n + 1))
done
[ $n -ge 11 ] || fail "only $n real-world files"

# the same meaning as another reader: Python's json (for .json) or PyYAML (YAML 1.1, merge
# keys, as yaml.v2) reads each file; its objects, written out as plain JSON documents, must
# show exactly as the file does
if python3 -c 'import yaml; yaml.CSafeLoader' 2>/dev/null; then
	for f in tests/data/profiles/realworld/*; do
		python3 - "$f" "$tmp/plain.yaml" <<'PY' || fail "$f: python cannot read it"
import json, sys, yaml
src, out = sys.argv[1], sys.argv[2]
raw = open(src, "rb").read()
# a UTF-16 byte order mark (Windows PowerShell 5 writes files so), else UTF-8, BOM or not
text = raw.decode("utf-16" if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig")
if src.endswith(".json"):
    dec, docs, i = json.JSONDecoder(), [], 0
    while i < len(text):
        while i < len(text) and text[i].isspace():
            i += 1
        if i < len(text):
            o, i = dec.raw_decode(text, i)
            docs.append(o)
else:
    # the C loader: libyaml's scanner, as Go's yaml.v2 (PyYAML's own refuses a trailing tab)
    docs = [d for d in yaml.load_all(text, Loader=yaml.CSafeLoader) if d is not None]
with open(out, "w", encoding="utf-8") as f:
    f.write("\n---\n".join(json.dumps(d, ensure_ascii=False) for d in docs) + "\n")
PY
		$V profile show --json "$f" >"$tmp/j1" 2>/dev/null || fail "show --json $f"
		$V profile show --json "$tmp/plain.yaml" >"$tmp/j2" 2>/dev/null || fail "show --json of python's $f"
		cmp -s "$tmp/j1" "$tmp/j2" || fail "$f: vigil reads it differently from python: $(diff "$tmp/j1" "$tmp/j2" | head -5)"
	done
else
	echo "note: python3 yaml (with libyaml) missing, cross-reader check not run"
fi

# a profile applied with kubectl apply, read back with kubectl get -o json: its
# last-applied-configuration annotation holds the whole object (here 78 kB of JSON in one
# string), and an exec argument of 100 kB (Linux allows 128 kB): every tool takes them
python3 - "$tmp/applied.json" <<'PY'
import json, sys
opens = [{"path": "/srv/data/file%05d" % i, "flags": ["O_RDONLY"]} for i in range(1500)]
execs = [{"path": "/bin/sh", "args": ["/bin/sh", "-c", "echo " + "x" * 100000]}]
obj = {"apiVersion": "spdx.softwarecomposition.kubescape.io/v1beta1", "kind": "ApplicationProfile",
       "metadata": {"name": "applied", "namespace": "shop"},
       "spec": {"architectures": ["amd64"], "containers": [{"name": "c", "opens": opens, "execs": execs}]}}
applied = json.dumps(obj, separators=(",", ":")) + "\n"
obj["metadata"]["annotations"] = {"kubectl.kubernetes.io/last-applied-configuration": applied}
open(sys.argv[1], "w").write(json.dumps(obj, indent=4))
PY
$V profile lint "$tmp/applied.json" >/dev/null 2>"$tmp/err" || fail "kubectl-applied profile: $(cat "$tmp/err")"
$V sign --key "$tmp/k" "$tmp/applied.json" >"$tmp/s.yaml" && $V verify -q --pub "$tmp/k.pub" "$tmp/s.yaml" ||
	fail "kubectl-applied profile: sign/verify"
$V profile fmt "$tmp/applied.json" >"$tmp/a.yaml" && $V profile diff "$tmp/applied.json" "$tmp/a.yaml" >/dev/null ||
	fail "kubectl-applied profile: fmt/diff"

# what the files say is what is matched (show lists the expanded alias and the merged peer)
$V profile show tests/data/profiles/realworld/anchors-aliases.yaml >"$tmp/show"
[ "$(grep -c 'execs: /usr/local/bin/worker \[worker, ⋯⋯\]' "$tmp/show")" -eq 2 ] ||
	fail "alias of an exec not copied: $(cat "$tmp/show")"
grep -q 'ports \[TCP/5671\] (selectors) id queue-tls' "$tmp/show" || fail "merge key lost the override: $(cat "$tmp/show")"
echo "ok: $n real-world profiles through lint, fmt, canon, diff, show, merge, sign, verify, served"
