#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A binary written and executed inside a real podman+runc container: the exec event says the
# exe is on the overlayfs upper layer (not in the image), gives its path inside the container
# and attributes it to that container's 64-hex id; an image binary is not upper-layer.
. "$(dirname "$0")/../lib/common.sh"
. "$TESTLIB/podman.sh"
. "$(dirname "$0")/sensor-lib.sh"
requires_podman
podman_image_busybox

root=$(cgroup2_root)
mkdir -p "$root/libpod_parent" # podman puts containers below it; watch it before they start
out=$TEST_TMP/ctr.jsonl
"$VIGIL" trace --json --kinds exec,exec_write --cgroup /libpod_parent -o "$out" \
	2>"$TEST_TMP/trace.err" &
tpid=$!
on_exit stop_pid "$tpid"
wait_until 10 test -e "$out" || fail "trace did not start: $(cat "$TEST_TMP/trace.err")"

podman_start drift "$BUSYBOX_IMAGE" sh -c \
	'cp /bin/busybox /usr/local/bin/dropped && chmod 755 /usr/local/bin/dropped &&
	 /usr/local/bin/dropped echo ran'
podman_cmd wait "$PODMAN_ID" >/dev/null
wait_until 5 grep -q '"path":"/usr/local/bin/dropped"' "$out" || true
kill -TERM "$tpid"
wait "$tpid" || true

expect 1 "$out" kind=exec event.path=/usr/local/bin/dropped event.upper_layer=true \
	"workload.container_id=$PODMAN_ID" workload.runtime=podman \
	"workload.cgroup=/libpod_parent/libpod-$PODMAN_ID" process.args.1=echo
# busybox from the image: lower layer
expect 1 "$out" kind=exec event.path=/bin/busybox event.upper_layer=false \
	"workload.container_id=$PODMAN_ID"
expect_none "$out" "workload.container_id=$PODMAN_ID" event.path=/usr/local/bin/dropped \
	event.upper_layer=false
echo ok
