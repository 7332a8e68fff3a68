#!/usr/bin/env bash
# The container fixture works: podman+runc runs the busybox image; a binary written inside the
# container (a copy of busybox on the overlay upper layer) runs; the container's processes are
# in cgroup2 /libpod_parent/libpod-<64 hex id>, a cgroup of their own.
. "$(dirname "$0")/../lib/common.sh"
. "$TESTLIB/podman.sh"
requires_podman
podman_image_busybox

# 1. Write a binary into the container's own filesystem and run it.
out=$(podman_run --rm "$BUSYBOX_IMAGE" sh -c \
	'cp /bin/busybox /usr/local/bin/busybox-dropped && chmod 755 /usr/local/bin/busybox-dropped &&
	 /usr/local/bin/busybox-dropped echo dropped-ran-$((6 * 7))')
assert_eq "dropped-ran-42" "$out" "output of the binary written in the container"

# 2. A long-running container: its cgroup, its upper layer, the dropped exe seen from the host.
podman_start box "$BUSYBOX_IMAGE" sh -c \
	'cp /bin/busybox /usr/local/bin/busybox-dropped && exec /usr/local/bin/busybox-dropped sleep 30'
[[ $PODMAN_ID =~ ^[0-9a-f]{64}$ ]] || fail "container id is not 64 hex: $PODMAN_ID"
pid=$(podman_pid "$PODMAN_ID")
runs_dropped() { [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = /usr/local/bin/busybox-dropped ]; }
wait_until 5 runs_dropped ||
	fail "container pid $pid does not run the dropped binary: $(readlink "/proc/$pid/exe")"

cg=$(podman_cgroup "$PODMAN_ID")
assert_eq "/libpod_parent/libpod-$PODMAN_ID" "$cg" "container cgroup2 path"
root=$(cgroup2_root)
[ -d "$root$cg" ] || fail "$root$cg does not exist"
grep -qx "$pid" "$root$cg/cgroup.procs" || fail "pid $pid is not in $root$cg/cgroup.procs"
assert_ne "$(cgroup_id "$root")" "$(cgroup_id "$root$cg")" "container cgroup id vs root"
assert_ne "$(sed -n 's/^0:://p' /proc/self/cgroup)" "$cg" "container cgroup vs ours"

upper=$(podman_cmd inspect -f '{{.GraphDriver.Data.UpperDir}}' "$PODMAN_ID")
[ -f "$upper/usr/local/bin/busybox-dropped" ] ||
	fail "dropped binary is not on the overlay upper layer ($upper)"
cmp -s /bin/busybox "$upper/usr/local/bin/busybox-dropped" || fail "dropped binary differs"
grep -q ' / .* - overlay ' "/proc/$pid/mountinfo" || fail "container root is not overlayfs"
echo "ok: container $PODMAN_ID in $cg, dropped binary on $upper"
