#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A sensitive file under another name is still that file: a hard link to /etc/shadow made
# before the workload was watched, a bind mount of the file, a bind mount of its directory,
# opened through the syscalls or io_uring, raise R0010 for /etc/shadow (the sensor marks the
# open as aliased; detection finds the file by device and inode among the sensitive files the
# process sees). Learning records /etc/shadow for it, so a learned rerun is quiet.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"
requires_progs
requires_io_uring
requires_cmd unshare mount

T=$TEST_TMP
ln /etc/shadow "$T/h" 2>/dev/null || skip "cannot hard-link /etc/shadow into $T (another file system?)"
touch "$T/b"
mkdir "$T/e"
P=$T/profile.yaml
"$VIGIL" learn --out "$P" --name alias -- "$PROGS/open_via" sys /etc/hostname 2>"$T/learn.err" ||
	fail "learn: $(cat "$T/learn.err")"

cat >"$T/drive.sh" <<EOF
#!/bin/sh
'$PROGS/open_via' -t hard-sys -x 256 sys '$T/h'
'$PROGS/open_via' -t hard-uring -x 2048 uring '$T/h'
unshare -m sh -c "mount --bind /etc/shadow '$T/b' && '$PROGS/open_via' -t bind-file -x 4096 sys '$T/b'"
unshare -m sh -c "mount --bind /etc '$T/e' && '$PROGS/open_via' -t bind-dir -x 8192 uring '$T/e/shadow'"
EOF
A=$T/alerts.jsonl
"$VIGIL" watch --profile "$P" --alerts "file:$A" --cooldown 0 -- /bin/sh "$T/drive.sh" \
	>"$T/watch.out" 2>"$T/watch.err" || true
assert_eq 4 "$(grep -c '^opened 1' "$T/watch.out")" "opens that read the file"
touch "$A"
for tag in hard-sys hard-uring bind-file bind-dir; do
	assert_eq 1 "$(json_count "$A" rule_id=R0010 key=/etc/shadow "process.args=$tag")" \
		"R0010 for /etc/shadow opened as $tag"
done

# learned under its real name, then quiet
cat >"$T/learn.sh" <<EOF
#!/bin/sh
'$PROGS/open_via' sys '$T/h'
EOF
P2=$T/learned.yaml
"$VIGIL" learn --out "$P2" --name alias2 -- /bin/sh "$T/learn.sh" 2>"$T/learn2.err" ||
	fail "learn: $(cat "$T/learn2.err")"
assert_file_contains "$P2" "path: /etc/shadow"
A2=$T/alerts2.jsonl
"$VIGIL" watch --profile "$P2" --alerts "file:$A2" -- /bin/sh "$T/learn.sh" >/dev/null \
	2>"$T/watch2.err" || true
touch "$A2"
assert_eq 0 "$(json_count "$A2" rule_id=R0010)" "R0010 for a learned hard link"
echo ok
