# shellcheck shell=bash
# shellcheck disable=SC2034 # variables set here are read by the sourcing test
# SPDX-License-Identifier: Apache-2.0
#
# Real containers for tests: podman with runc (crun fails on this hybrid cgroup layout), the
# cgroupfs manager, no network namespace setup by default, and one storage directory shared by
# every test on the machine ($VIGIL_PODMAN_DIR, default /var/tmp/vigil-podman), so images are
# built once. Source after common.sh:
#
#   . "$(dirname "$0")/../lib/common.sh"
#   . "$TESTLIB/podman.sh"
#   requires_podman
#   podman_image_busybox                     # localhost/vigil-busybox:test
#   podman_run --rm "$BUSYBOX_IMAGE" sh -c 'echo hi'
#   podman_start web "$BUSYBOX_IMAGE" sleep 30   # detached; removed when the test ends
#   cg=$(podman_cgroup "$PODMAN_ID")          # /libpod_parent/libpod-<64 hex>
#   podman_cgroup_parent NAME                # PODMAN_PARENT=/NAME-$$ for --cgroup-parent,
#                                            # removed from every hierarchy when the test ends

VIGIL_PODMAN_DIR=${VIGIL_PODMAN_DIR:-/var/tmp/vigil-podman}
BUSYBOX_IMAGE=localhost/vigil-busybox:test
PODMAN_ID=
PODMAN_NAME=
# Options for what the default container setup forbids (add them to podman_run / PODMAN_OPTS):
# containers-common's default seccomp profile blocks io_uring_setup (ENOSYS inside), like
# Docker's and containerd's; podman mounts /dev/shm noexec.
PODMAN_IOURING=(--security-opt seccomp=unconfined)
PODMAN_SHM_EXEC=(--tmpfs "/dev/shm:rw,exec,mode=1777")

# The configuration is written once per machine (under the lock) and then only read.
_podman_setup()
{
	local d=$VIGIL_PODMAN_DIR
	mkdir -p "$d"
	(
		flock -w 60 9 || exit 1
		[ -f "$d/containers.conf" ] && [ -f "$d/storage.conf" ] && exit 0
		mkdir -p "$d/graph" "$d/run" "$d/tmp" "$d/volumes"
		cat >"$d/containers.conf.new" <<EOF
# Written by tests/lib/podman.sh: podman settings that work on the test machines.
[containers]
netns = "none"
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]
log_driver = "k8s-file"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$d/events.log"
tmp_dir = "$d/tmp"
volume_path = "$d/volumes"
EOF
		cat >"$d/storage.conf.new" <<EOF
# Written by tests/lib/podman.sh: a private image store for Vigil's tests.
[storage]
driver = "overlay"
graphroot = "$d/graph"
runroot = "$d/run"
EOF
		mv "$d/containers.conf.new" "$d/containers.conf"
		mv "$d/storage.conf.new" "$d/storage.conf"
	) 9>"$d/.lock" || fail "cannot set up podman in $d"
	export CONTAINERS_CONF=$d/containers.conf
	export CONTAINERS_STORAGE_CONF=$d/storage.conf
}

# requires_podman: skip unless podman and runc are installed and we are root.
requires_podman()
{
	requires_root
	requires_cmd podman runc
	_podman_setup
}

# podman_cmd ARGS...: podman with the test configuration.
podman_cmd()
{
	podman --root "$VIGIL_PODMAN_DIR/graph" --runroot "$VIGIL_PODMAN_DIR/run" \
		--runtime runc --cgroup-manager cgroupfs --events-backend file "$@"
}

# podman_run ARGS...: `podman run ARGS` (add --rm yourself; bounded by the test watchdog).
podman_run() { podman_cmd run "$@"; }

# podman_start NAME IMAGE [CMD...]: run a detached container named vigil-TEST-NAME-PID; sets
# PODMAN_ID (64 hex) and PODMAN_NAME; it is removed (-f) when the test ends. Extra podman run
# options go in the PODMAN_OPTS array.
podman_start()
{
	local name=vigil-$TEST_NAME-$1-$$
	shift
	PODMAN_NAME=$name
	on_exit podman_cmd rm -f -t 0 "$name"
	PODMAN_ID=$(podman_cmd run -d --name "$name" ${PODMAN_OPTS[@]+"${PODMAN_OPTS[@]}"} "$@") ||
		fail "podman run $name failed"
}

# podman_inspect_wrapper DIR HOOK: DIR/podman, to put first in an agent's PATH: before each
# `podman inspect` it runs the shell code HOOK, with ID the container asked about (the last
# argument) and N how many questions came before this one (counted under a lock: the agent
# asks about several containers at once), then the real podman. For engines that answer late
# (sleep in HOOK): tests/e2e/t2110, t2111.
podman_inspect_wrapper()
{
	local real
	real=$(command -v podman)
	mkdir -p "$1"
	cat >"$1/podman" <<WRAPPER
#!/bin/sh
if [ "\$1" = inspect ]; then
	for ID; do :; done
	N=\$(flock "$1/asked.lock" sh -c 'n=\$(cat "$1/asked" 2>/dev/null || echo 0); echo \$((n + 1)) >"$1/asked"; echo \$n')
	$2
fi
exec "$real" "\$@"
WRAPPER
	chmod +x "$1/podman"
}

# podman_pid ID|NAME: host pid of the container's first process.
podman_pid() { podman_cmd inspect -f '{{.State.Pid}}' "$1"; }

# podman_cgroup_parent NAME: a cgroup parent of the test's own (PODMAN_PARENT), so an agent
# can watch exactly its containers (include_cgroups: ["$PODMAN_PARENT/*"]). podman makes the
# parent (and PARENT/conmon) in the unified hierarchy and in every v1 one: all are removed.
podman_cgroup_parent()
{
	PODMAN_PARENT=/$1-$$
	on_exit _podman_remove_parent "$PODMAN_PARENT"
}

_podman_remove_parent()
{
	local h d c
	for h in /sys/fs/cgroup/*; do
		d=$h$1
		[ -d "$d" ] || continue
		for c in "$d"/*/; do [ ! -d "$c" ] || rmdir "$c"; done
		rmdir "$d"
	done
}

# podman_cgroup ID|NAME: the container's cgroup2 path as /proc/PID/cgroup shows it.
podman_cgroup()
{
	local pid
	pid=$(podman_pid "$1") || return 1
	sed -n 's/^0:://p' "/proc/$pid/cgroup"
}

# _podman_import IMAGE ROOTFS_DIR: import a directory as an image (under the lock).
_podman_import()
{
	local tar=$TEST_TMP/rootfs-$$.tar
	tar -C "$2" --numeric-owner --owner=0 --group=0 -cf "$tar" . || return 1
	podman_cmd import -q "$tar" "$1" >/dev/null || return 1
	rm -f "$tar"
}

# _busybox_rootfs DIR: a minimal root filesystem with busybox-static and its applets.
_busybox_rootfs()
{
	local root=$1 a
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,etc,tmp,proc,sys,dev,root,var/run,run/secrets}
	chmod 1777 "$root/tmp"
	cp /bin/busybox "$root/bin/busybox"
	for a in $(/bin/busybox --list); do
		[ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
	done
	echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
	echo 'root:x:0:' >"$root/etc/group"
}

# podman_image_busybox: make sure $BUSYBOX_IMAGE (busybox-static rootfs) exists.
podman_image_busybox() { podman_image_busybox_with "$BUSYBOX_IMAGE" true; }

# podman_image_busybox_with IMAGE FILL: IMAGE built once (under the image lock) from a busybox
# root filesystem that the function FILL ROOT adds to (an image's own /etc/shadow, a token in the
# kubelet's layout). An IMAGE that exists is not built again: give each content its own tag.
podman_image_busybox_with()
{
	requires_cmd busybox flock tar
	[ -x /bin/busybox ] || skip "busybox-static is not installed"
	(
		flock -w 120 9 || exit 1
		podman_cmd image exists "$1" && exit 0
		rm -rf "$TEST_TMP/root"
		_busybox_rootfs "$TEST_TMP/root" && "$2" "$TEST_TMP/root" &&
			_podman_import "$1" "$TEST_TMP/root"
	) 9>"$VIGIL_PODMAN_DIR/.image.lock" || fail "cannot build $1"
}

# busybox_profile FILE NAME [SPEC]: a reviewed ContainerProfile NAME (user-managed, completed)
# that allows busybox and its applets and nothing else, plus SPEC (YAML lines under spec:,
# indented two spaces: "  opens: ...", "  capabilities: [CAP_SYS_ADMIN]").
busybox_profile()
{
	cat >"$1" <<PROFILE
apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1
kind: ContainerProfile
metadata:
  name: $2
  annotations:
    kubescape.io/managed-by: User
    kubescape.io/status: completed
    kubescape.io/completion: complete
spec:
  execs:
  - path: /bin/busybox
    args: ["⋯⋯"]
${3:-}
PROFILE
}

# ctl_loop BODY: a container's shell loop (sh -c) driven from the host through a directory
# mounted at /ctl: it waits for a round name R in /ctl/go, runs the shell code BODY with r=R
# and m=R up to its first '-' (the round's kind: hl-k1 -> hl), then writes /ctl/done-R.
ctl_loop()
{
	printf '%s' 'while :; do if [ -e /ctl/go ]; then r=$(cat /ctl/go); rm -f /ctl/go; m=${r%%-*};
  '"$1"'
  echo done >/ctl/done-$r; fi; sleep 0.1; done'
}

# ctl_round DIR R: round R in the container whose /ctl is DIR; returns once it is done (20 s).
ctl_round()
{
	echo "$2" >"$1/go"
	wait_for_file "$1/done-$2" 20
}

# podman_image_progs: an image with busybox and every static tests/progs program in /progs, so they
# are part of the image (not a drift). Tagged by the programs' content; sets PROGS_IMAGE.
PROGS_IMAGE=
podman_image_progs()
{
	local tag f progs=()
	requires_progs
	# Only the static programs: others (e.g. alert_send) need libraries the image lacks.
	for f in "$PROGS"/*; do
		[ -x "$f" ] && ! ldd "$f" >/dev/null 2>&1 && progs+=("$f")
	done
	tag=$(cat "${progs[@]}" | sha256sum | cut -c1-16)
	PROGS_IMAGE=localhost/vigil-progs:$tag
	(
		flock -w 120 9 || exit 1
		podman_cmd image exists "$PROGS_IMAGE" && exit 0
		rm -rf "$TEST_TMP/progsroot"
		_busybox_rootfs "$TEST_TMP/progsroot" &&
			mkdir -p "$TEST_TMP/progsroot/progs" &&
			cp "${progs[@]}" "$TEST_TMP/progsroot/progs/" &&
			_podman_import "$PROGS_IMAGE" "$TEST_TMP/progsroot"
	) 9>"$VIGIL_PODMAN_DIR/.image.lock" || fail "cannot build $PROGS_IMAGE"
}
