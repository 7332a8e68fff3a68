#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A sensitive file under another name is still that file: a hard link to /etc/shadow made
# before the workload was watched, a bind mount of the file, a bind mount of its directory,
# opened through the syscalls or io_uring, raise R0010 for /etc/shadow (the sensor marks the
# open as aliased; detection finds the file by device and inode among the sensitive files the
# process sees). A sensitive file renamed out of its directory (one link, no mount on its new
# path) is still that file, also once the sensitive files were read again after the rename. A
# sensitive name that is an absolute symlink is followed inside the process's own root.
# Learning records /etc/shadow for it, so a learned rerun is quiet.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"
requires_progs
requires_io_uring
requires_cmd unshare mount nsenter
[ -d /etc/ssl/private ] || skip "no /etc/ssl/private to mount a sensitive directory on"

T=$TEST_TMP
ln /etc/shadow "$T/h" 2>/dev/null || skip "cannot hard-link /etc/shadow into $T (another file system?)"
touch "$T/b" "$T/prime"
mkdir "$T/e" "$T/fs" "$T/fs/d" "$T/fs/o"
echo secret >"$T/fs/d/x"
# a root of its own whose /etc/ssl/private/k is an absolute symlink: resolved inside that root
mkdir -p "$T/r/etc/ssl/private" "$T/r/bin"
cp /bin/busybox "$T/r/bin/busybox" 2>/dev/null || skip "busybox-static is not installed"
echo key >"$T/r/secret-k"
ln -s /secret-k "$T/r/etc/ssl/private/k"
spawn nsholder unshare -m --propagation private sh -c "mount --bind '$T/fs/d' /etc/ssl/private && exec sleep 120"
HOLDER=$SPAWNED_PID
wait_until 10 grep -q ' /etc/ssl/private ' "/proc/$HOLDER/mountinfo" || fail "no mount namespace with $T/fs/d on /etc/ssl/private"
P=$T/profile.yaml
"$VIGIL" learn --out "$P" --name alias -- "$PROGS/open_via" sys /etc/hostname 2>"$T/learn.err" ||
	fail "learn: $(cat "$T/learn.err")"

cat >"$T/drive.sh" <<EOF
#!/bin/sh
'$PROGS/open_via' -t hard-sys -x 256 sys '$T/h'
'$PROGS/open_via' -t hard-uring -x 2048 uring '$T/h'
unshare -m sh -c "mount --bind /etc/shadow '$T/b' && '$PROGS/open_via' -t bind-file -x 4096 sys '$T/b'"
unshare -m sh -c "mount --bind /etc '$T/e' && '$PROGS/open_via' -t bind-dir -x 8192 uring '$T/e/shadow'"
# /etc/ssl/private/x of a mount namespace made before (known from the first open there), then
# renamed to where no mount leads, opened after detection read the files again (over 5 s later)
nsenter -t $HOLDER -m sh -c "'$PROGS/open_via' -t prime sys '$T/prime' && sleep 2 &&
  mv '$T/fs/d/x' '$T/fs/o/x' && sleep 6 &&
  '$PROGS/open_via' -t renamed -x 32768 sys '$T/fs/o/x' && sleep 1"
# in the chroot /secret-k is what /etc/ssl/private/k names (never the node's /secret-k)
chroot '$T/r' /bin/busybox sh -c '/bin/busybox cat /secret-k; /bin/busybox sleep 1'
EOF
A=$T/alerts.jsonl
"$VIGIL" watch --profile "$P" --alerts "file:$A" --cooldown 0 -- /bin/sh "$T/drive.sh" \
	>"$T/watch.out" 2>"$T/watch.err" || true
assert_eq 5 "$(grep -c '^opened 1' "$T/watch.out")" "opens that read the file"
touch "$A"
for tag in hard-sys hard-uring bind-file bind-dir; do
	assert_eq 1 "$(json_count "$A" rule_id=R0010 key=/etc/shadow "process.args=$tag")" \
		"R0010 for /etc/shadow opened as $tag"
done
assert_eq 1 "$(stat -c %h "$T/fs/o/x")" "the renamed file has one link"
assert_eq 1 "$(json_count "$A" rule_id=R0010 key=/etc/ssl/private/x process.args=renamed)" \
	"R0010 for /etc/ssl/private/x renamed to $T/fs/o/x: $(cat "$A")"
assert_eq 1 "$(json_count "$A" rule_id=R0010 key=/etc/ssl/private/k "event.path=$T/r/secret-k")" \
	"R0010 for the chroot's /etc/ssl/private/k, a symlink to its /secret-k: $(cat "$A")"

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
