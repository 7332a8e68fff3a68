#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# An executable whose content changed after its profile was learned is drift (R1001), however
# it was replaced: copied over (same inode), renamed into place (new inode) or patched in place.
# Rewriting the same bytes (new mtime and ctime, same content) is not a change. Learning keeps
# each executable's SHA-256 in the profile (execDigests, a Vigil extension inside the signed
# content).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"
requires_progs

T=$TEST_TMP
mkdir "$T/bin"
TOOL=$T/bin/tool
cp "$PROGS/renamed" "$TOOL"
RUN=$T/run.sh
printf '#!/bin/sh\nexec %q tool prctl open /etc/hostname\n' "$TOOL" >"$RUN"
P=$T/profile.yaml
"$VIGIL" learn --out "$P" --name tool -- /bin/sh "$RUN" >/dev/null 2>"$T/learn.err" ||
	fail "learn: $(cat "$T/learn.err")"
sum=$(sha256sum "$TOOL" | cut -d' ' -f1)
assert_file_contains "$P" "execDigests"
assert_file_contains "$P" "$sum"

# watch NAME: runs the tool under vigil watch; DRIFT is how many R1001 alerts name it
watch()
{
	local a=$T/alerts-$1.jsonl
	"$VIGIL" watch --profile "$P" --alerts "file:$a" -- /bin/sh "$RUN" >"$T/$1.out" \
		2>"$T/$1.err" || true
	grep -q "done as\|DONE as\|opened" "$T/$1.out" || fail "$1: the tool did not run: $(cat "$T/$1.err")"
	touch "$a"
	DRIFT=$(json_count "$a" rule_id=R1001 "key~$TOOL")
}
patch_in_place() # the same size and inode, one string changed
{
	python3 - "$1" <<'PY'
import sys
with open(sys.argv[1], "r+b") as f:
    data = f.read()
    at = data.index(b"done as")
    f.seek(at)
    f.write(b"DONE as")
PY
}

watch unchanged
assert_eq 0 "$DRIFT" "R1001 for the learned executable"

# the same bytes written again: mtime and ctime change, the content does not
python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); open(sys.argv[1],"r+b").write(d)' "$TOOL"
watch rewritten
assert_eq 0 "$DRIFT" "R1001 for a rewrite with the same content"

patch_in_place "$TOOL"
watch patched
assert_eq 1 "$DRIFT" "R1001 for an executable patched in place"

cp "$PROGS/renamed" "$TOOL"
watch restored
assert_eq 0 "$DRIFT" "R1001 once the learned content is back"

cp "$PROGS/open_via" "$TOOL.new"
cat "$TOOL.new" >"$TOOL" # copied over: same inode, other content
rm -f "$TOOL.new"
printf '#!/bin/sh\nexec %q sys /etc/hostname\n' "$TOOL" >"$RUN"
watch copied-over
assert_eq 1 "$DRIFT" "R1001 for an executable copied over"

cp "$PROGS/renamed" "$TOOL.new"
patch_in_place "$TOOL.new"
mv "$TOOL.new" "$TOOL" # renamed into place: a new inode
printf '#!/bin/sh\nexec %q tool prctl open /etc/hostname\n' "$TOOL" >"$RUN"
watch renamed-in
assert_eq 1 "$DRIFT" "R1001 for an executable renamed into place"
echo ok
