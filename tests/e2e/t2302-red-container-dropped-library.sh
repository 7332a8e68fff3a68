#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2302 (red team): a library dropped in a podman container and then mapped executable. The
# container's files are on overlayfs: its writes and its opens see the overlay's inode, while a
# mapping holds the upper layer's real file (overlayfs puts it there), which mprotect finds. A
# .so written in the container and made executable by mprotect raised no R1001 (the sensor's
# map of written files is keyed by inode, and the two inodes differ). Under `vigil agent`
# (learned for 2 s, then detecting), each way of loading a dropped library is exactly one
# R1001 naming it by its path in the container: mmap PROT_EXEC of the descriptor, mprotect
# adding PROT_EXEC, and the real dynamic loader (LD_PRELOAD) of a dynamic program in the image.
# A dropped program run by the loader (`ld.so FILE`) is one R1001 too: its exec's, the loader's
# mapping of the same file folded into it.
. "$(dirname "$0")/../lib/common.sh"
. "$TESTLIB/podman.sh"
requires_podman
vigil_has agent || skip "vigil agent is not part of this build"
requires_progs
LOADER=/lib64/ld-linux-x86-64.so.2
[ -e "$LOADER" ] || skip "no $LOADER"

# The image: busybox, the static test programs, and a dynamic program with its loader and
# libraries (the host's /bin/true, libc, libm: the library to drop is a copy of libm).
M=$PROGS/red2_map_exec
ldd "$M" >/dev/null 2>&1 && skip "$M is not static"
libs()
{
	local r=$1 f
	mkdir -p "$r/lib64" "$r/lib/x86_64-linux-gnu" "$r/usr/local/lib" "$r/progs"
	cp "$M" "$r/progs/" && cp /bin/true "$r/bin/dyn-true" && cp -L "$LOADER" "$r/lib64/" || return 1
	for f in $(ldd /bin/true | awk '$3 ~ /^\// {print $3}') /lib/x86_64-linux-gnu/libm.so.6; do
		cp -L "$f" "$r/lib/x86_64-linux-gnu/" || return 1
	done
}
IMAGE=localhost/vigil-busybox-dynlib:$(cat "$M" /bin/true | sha256sum | cut -c1-12)
podman_image_busybox_with "$IMAGE" libs

PROFILES=$TEST_TMP/profiles
ALERTS=$TEST_TMP/alerts.jsonl
CTL=$TEST_TMP/ctl
mkdir -p "$CTL"
# round R: map (drop and mmap), mprotect (write, then mprotect), preload (the loader maps it)
LOOP=$(ctl_loop 'f=/usr/local/lib/$r.so;
  if [ "$m" = map ]; then /progs/red2_map_exec drop /lib/x86_64-linux-gnu/libm.so.6 $f >/ctl/out-$r 2>&1; fi;
  if [ "$m" = mprotect ]; then cat /lib/x86_64-linux-gnu/libm.so.6 >$f && /progs/red2_map_exec mprotect $f >/ctl/out-$r 2>&1; fi;
  if [ "$m" = preload ]; then cat /lib/x86_64-linux-gnu/libm.so.6 >$f && LD_PRELOAD=$f /bin/dyn-true && echo ran >/ctl/out-$r; fi;
  if [ "$m" = loader ]; then cat /bin/dyn-true >$f && /lib64/ld-linux-x86-64.so.2 $f && echo ran >/ctl/out-$r; sleep 2; fi;')
PODMAN_OPTS=(-v "$CTL:/ctl")
podman_start box "$IMAGE" sh -c "$LOOP"
agent_yaml "$TEST_TMP/agent.yaml" "$ALERTS" 2s "$(podman_cgroup "$PODMAN_ID")"
echo "cooldown: 0s" >>"$TEST_TMP/agent.yaml"
"$VIGIL" agent --check --config "$TEST_TMP/agent.yaml" || fail "config rejected"
spawn agent "$VIGIL" agent --config "$TEST_TMP/agent.yaml"
wait_for_line "$TEST_TMP/agent.log" "$PODMAN_NAME: learned -> " 15

for r in map-1 mprotect-1 preload-1; do
	ctl_round "$CTL" "$r"
	f=/usr/local/lib/$r.so
	wait_until 10 json_count_ge 1 "$ALERTS" rule_id=R1001 "key=$f" ||
		fail "no R1001 for $r: $(cat "$CTL/out-$r" 2>/dev/null) $(grep R1001 "$ALERTS" | head -c 2000)"
	sleep 0.5
	assert_eq 1 "$(json_count "$ALERTS" rule_id=R1001 "key=$f")" \
		"R1001 for $r: $(grep R1001 "$ALERTS" | head -c 3000)"
	assert_eq 1 "$(json_count "$ALERTS" rule_id=R1001 "key=$f" event.type=mmap_exec \
		"workload.container_id=$PODMAN_ID" severity=8)" \
		"R1001 fields for $r: $(grep R1001 "$ALERTS" | head -c 3000)"
	log "$r -> R1001"
done
# a dropped program run by the loader (ld.so FILE): the exec names it, and the loader's mapping
# of it is folded into that alert (one file, one alert)
r=loader-1 f=/usr/local/lib/loader-1.so
ctl_round "$CTL" "$r"
wait_until 10 json_count_ge 1 "$ALERTS" rule_id=R1001 "key=$f" ||
	fail "no R1001 for $r: $(cat "$CTL/out-$r" 2>/dev/null) $(grep R1001 "$ALERTS" | head -c 2000)"
sleep 1
assert_eq 1 "$(json_count "$ALERTS" rule_id=R1001 "key=$f" event.type=exec "event.script=$f")" \
	"R1001 for $r: $(grep R1001 "$ALERTS" | head -c 3000)"
assert_eq 4 "$(json_count "$ALERTS" rule_id=R1001)" "R1001 alerts: $(grep R1001 "$ALERTS" | head -c 3000)"
echo ok
