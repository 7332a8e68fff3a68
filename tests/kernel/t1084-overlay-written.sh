#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# t1084: drop-and-execute on an overlay mount, as in a container. The sensor remembers the
# files a workload wrote (map written, by inode) and flags one that is then executed or mapped
# executable (R1001). On overlayfs the open, the exec and an mmap of a descriptor see the
# overlay's inode, but a mapping's file is the real (upper) file overlayfs puts there, which
# mprotect finds: a library written in the container and made executable by mprotect raised
# nothing, nor did an image file (lower layer) copied up by a write and then mprotected. Now
# both sides key the file by its real inode (the upper layer's). Each case on an overlay the
# test mounts itself: exactly one R1001 naming the file by its overlay path.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"
requires_progs
requires_cmd mount umount

T=$TEST_TMP
LIB=
for l in /lib/x86_64-linux-gnu/libm.so.6 /usr/lib/x86_64-linux-gnu/libm.so.6 /lib64/libm.so.6; do
	[ -f "$l" ] && LIB=$l && break
done
[ -n "$LIB" ] || skip "no libm.so.6"
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null || true
grep -qw overlay /proc/filesystems || skip "no overlayfs in this kernel"

# The overlay: an image layer (lower) holding a library and a program, an empty upper layer.
O=$T/ovl
mkdir -p "$O"/{lower,upper,work,merged}
cp "$LIB" "$O/lower/image.so"
mount -t overlay overlay -o "lowerdir=$O/lower,upperdir=$O/upper,workdir=$O/work" "$O/merged" ||
	skip "cannot mount overlayfs here"
on_exit umount -l "$O/merged"
D=$O/merged
M=$PROGS/red2_map_exec

"$VIGIL" learn --out "$T/p.yaml" --name ovl -- "$M" map "$D/image.so" 2>"$T/learn.err" ||
	fail "learn: $(cat "$T/learn.err")"
for how in learned drop mprotect copyup preload exec script; do
	A=$T/alerts-$how.jsonl
	case $how in
	learned) cmd=("$M" map "$D/image.so") ;;
	drop) cmd=("$M" drop "$LIB" "$D/drop.so") ;;
	mprotect) cmd=(sh -c 'cat "$2" >"$3" && "$1" mprotect "$3"' sh "$M" "$LIB" "$D/mprotect.so") ;;
	# an image file opened for writing is copied up first: the write and the mapping are of
	# the upper file, whatever its content
	copyup) cmd=(sh -c ': >>"$2" && "$1" mprotect "$2"' sh "$M" "$D/image.so") ;;
	preload) cmd=(sh -c 'cat "$1" >"$2" && LD_PRELOAD="$2" /bin/true' sh "$LIB" "$D/preload.so") ;;
	exec) cmd=(sh -c 'cp /bin/true "$1" && chmod +x "$1" && "$1"' sh "$D/x") ;;
	# a script is found in user space (stat of the file the interpreter runs: the overlay's
	# identity), not by the kernel's exec hook; through /proc/PID, so the shell lives a while
	script) cmd=(sh -c 'echo "sleep 1" >"$1" && sh "$1"' sh "$D/s.sh") ;;
	esac
	"$VIGIL" watch --profile "$T/p.yaml" --alerts "file:$A" --cooldown 0 --burst 0 -- \
		"${cmd[@]}" >"$T/$how.out" 2>"$T/$how.err" || true
	touch "$A"
	case $how in
	learned)
		assert_file_contains "$T/$how.out" "mapped $D/image.so"
		assert_eq 0 "$(json_count "$A")" "alerts for a learned run: $(cat "$A")"
		;;
	exec)
		assert_eq 1 "$(json_count "$A" rule_id=R1001)" "R1001 ($how): $(grep R1001 "$A")"
		assert_eq 1 "$(json_count "$A" rule_id=R1001 event.type=exec "event.path=$D/x" \
			event.written=true severity=8)" "R1001 for the program ($how): $(grep R1001 "$A")"
		;;
	script)
		assert_eq 1 "$(json_count "$A" rule_id=R1001)" "R1001 ($how): $(grep R1001 "$A")"
		assert_eq 1 "$(json_count "$A" rule_id=R1001 event.type=exec "event.script=$D/s.sh" \
			event.script_written=true severity=8)" "R1001 for the script: $(grep R1001 "$A")"
		;;
	*)
		f=$D/$how.so
		[ $how = copyup ] && f=$D/image.so
		assert_eq 1 "$(json_count "$A" rule_id=R1001)" "R1001 ($how): $(grep R1001 "$A")"
		assert_eq 1 "$(json_count "$A" rule_id=R1001 event.type=mmap_exec "key=$f" \
			severity=8)" "R1001 for the library ($how): $(cat "$A")"
		;;
	esac
	log "$how: $(json_count "$A" rule_id=R1001) R1001"
done
# the copied-up file is on the upper layer; the image's own file is untouched
[ -f "$O/upper/image.so" ] || fail "image.so was not copied up"
cmp -s "$LIB" "$O/lower/image.so" || fail "the lower layer changed"
echo ok
