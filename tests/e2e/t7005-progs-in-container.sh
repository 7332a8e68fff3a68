#!/usr/bin/env bash
# The fixtures work inside a real podman+runc container: the progs image holds the trigger
# programs; io_uring needs PODMAN_IOURING (the default seccomp profile blocks it: checked, so
# a change of default is noticed), exec from /dev/shm needs PODMAN_SHM_EXEC (noexec by default),
# a written binary runs from the upper layer, and the demo's update inside a container reaches
# a C2 listener on the host's loopback with the token mounted at the Kubernetes path.
. "$(dirname "$0")/../lib/common.sh"
. "$TESTLIB/podman.sh"
. "$TESTLIB/demo.sh"
requires_podman
requires_demo
requires_io_uring
podman_image_progs

# Defaults: io_uring refused, /dev/shm not executable.
# exec 2>&1: one stream, so podman cannot reorder error lines and the rc= lines.
out=$(podman_run --rm "$PROGS_IMAGE" sh -c \
	'exec 2>&1; /progs/iouring_openat /etc/passwd; echo "rc=$?"; /progs/devshm_exec; echo "rc=$?"' 2>&1)
assert_contains "$out" "io_uring_queue_init: Function not implemented" "default seccomp"
assert_contains "$out" "exec /dev/shm/vigil-shm-" "default /dev/shm"
assert_eq 2 "$(grep -c "^rc=[1-9]" <<<"$out")" "failures with default options (output: $out)"

# With the options: every behaviour works in the container.
out=$(podman_run --rm "${PODMAN_IOURING[@]}" "${PODMAN_SHM_EXEC[@]}" "$PROGS_IMAGE" sh -c '
	set -e
	exec 2>&1
	/progs/iouring_openat /etc/passwd
	/progs/devshm_exec
	/progs/memfd_exec /bin/busybox echo memfd-ran
	/progs/write_exec /usr/bin/busybox-written /bin/busybox echo written-ran
	/progs/syscall_set sysinfo | tail -n 1' 2>&1) || fail "trigger programs in the container: $out"
# The image's /etc/passwd is the one line podman.sh writes (30 bytes).
assert_contains "$out" "read 30 bytes from /etc/passwd" "io_uring read"
assert_contains "$out" "ran /dev/shm/vigil-shm-"
assert_contains "$out" "memfd-ran"
assert_contains "$out" "written-ran"
assert_contains "$out" "sysinfo 99"

# The demo's update in a container, C2 on the host.
demo_token
demo_c2_start 2
podman_run --rm "${PODMAN_IOURING[@]}" --network host -v "$DEMO:/demo:ro" \
	-v "$TEST_TMP/root/var/run/secrets:/var/run/secrets:ro" "$PROGS_IMAGE" \
	/demo/update -c2 "$DEMO_C2" -n 2 -interval 200ms >"$TEST_TMP/update.log" 2>&1 ||
	fail "update in a container: $(cat "$TEST_TMP/update.log")"
demo_wait_frames 2
assert_eq 2 "$(json_count "$DEMO_C2_LOG" "data=$DEMO_TOKEN_VALUE" \
	path=/var/run/secrets/kubernetes.io/serviceaccount/token)" "token frames from the container"
echo "ok: fixtures in $PROGS_IMAGE"
