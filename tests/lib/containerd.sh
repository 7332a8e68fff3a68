# shellcheck shell=bash
# shellcheck disable=SC2034 # variables set here are read by the sourcing test
# SPDX-License-Identifier: Apache-2.0
#
# Kubernetes-shaped containers without a kubelet: a private containerd (its own root, state and
# socket under $TEST_TMP, the CRI plugin off) runs containers with runc through `ctr run`, with
# the annotations containerd's CRI plugin writes into the task's config.json and the cgroup path
# the kubelet's cgroupfs driver gives them (/kubepods/<qos>/pod<uid>/<id>). To the agent they
# look exactly like a kubelet-made pod's containers: the same cgroups, the same bundle files.
# Source after common.sh and podman.sh (images come from the podman test store):
#
#   requires_containerd
#   containerd_start                              # sets CTR (an array: ctr with our socket)
#   containerd_image "$BUSYBOX_IMAGE"             # podman save | ctr image import
#   k8s_pod web-7c5d8bf9f7-x2k4p shop             # sandbox (pause) container; sets POD_UID
#   k8s_container web-7c5d8bf9f7-x2k4p nginx "$BUSYBOX_IMAGE" sleep 30   # sets CTR_ID
#   k8s_exec "$CTR_ID" cat /etc/hostname          # a process in that container
#
# Everything is stopped by pid and removed when the test ends (tasks, containers, containerd,
# the pods' cgroups in every hierarchy).

CTR=()
CONTAINERD_DIR=
CONTAINERD_PID=
POD_UID=
CTR_ID=
declare -A _K8S_POD_UID=() _K8S_POD_NS=() _K8S_POD_QOS=() _K8S_POD_SANDBOX=()
_K8S_CGROUPS=()

requires_containerd()
{
	requires_root
	requires_cmd containerd ctr runc containerd-shim-runc-v2
}

containerd_start()
{
	local d=$TEST_TMP/containerd i
	CONTAINERD_DIR=$d
	mkdir -p "$d/root" "$d/state"
	cat >"$d/config.toml" <<EOF
# Written by tests/lib/containerd.sh: a private containerd for one test.
version = 2
root = "$d/root"
state = "$d/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$d/containerd.sock"
[ttrpc]
  address = "$d/containerd.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
EOF
	spawn containerd containerd --config "$d/config.toml"
	CONTAINERD_PID=$SPAWNED_PID
	CTR=(ctr --address "$d/containerd.sock" --namespace k8s.io)
	for ((i = 0; i < 200; i++)); do
		"${CTR[@]}" version >/dev/null 2>&1 && break
		kill -0 "$CONTAINERD_PID" 2>/dev/null ||
			fail "containerd exited: $(tail -3 "$TEST_TMP/containerd.log")"
		sleep 0.05
	done
	"${CTR[@]}" version >/dev/null 2>&1 || fail "containerd did not answer on $d/containerd.sock"
	# The kubelet makes its QoS cgroups when it starts, long before any pod: so do we (in
	# every hierarchy; removed at the end when nothing else uses them).
	for h in /sys/fs/cgroup /sys/fs/cgroup/*; do
		[ -f "$h/cgroup.procs" ] || continue
		mkdir -p "$h/kubepods/besteffort" "$h/kubepods/burstable" 2>/dev/null || true
	done
	# Handlers run last-registered first: containers go before containerd stops.
	on_exit _containerd_cleanup
}

# containerd_image IMAGE: import IMAGE from the podman test store.
containerd_image()
{
	local tar=$TEST_TMP/image-$$.tar
	"${CTR[@]}" image ls -q | grep -qx "$1" && return 0
	podman_cmd save -q -o "$tar" "$1" || fail "podman save $1 failed"
	"${CTR[@]}" image import "$tar" >/dev/null || fail "ctr image import $1 failed"
	rm -f "$tar"
}

_k8s_id() { head -c 32 /dev/urandom | sha256sum | cut -c1-64; }

_k8s_cgroup() { echo "/kubepods/${_K8S_POD_QOS[$1]}/pod${_K8S_POD_UID[$1]}/$2"; }

# k8s_pod NAME NAMESPACE [QOS]: the pod's sandbox container (busybox sleeping, standing in for
# pause), annotated as containerd's CRI plugin annotates one. Sets POD_UID.
k8s_pod()
{
	local name=$1 ns=$2 qos=${3:-besteffort} id
	POD_UID=$(cat /proc/sys/kernel/random/uuid)
	id=$(_k8s_id)
	_K8S_POD_UID[$name]=$POD_UID
	_K8S_POD_NS[$name]=$ns
	_K8S_POD_QOS[$name]=$qos
	_K8S_POD_SANDBOX[$name]=$id
	_K8S_CGROUPS+=("/kubepods/$qos/pod$POD_UID")
	"${CTR[@]}" run -d --cgroup "$(_k8s_cgroup "$name" "$id")" \
		--annotation io.kubernetes.cri.container-type=sandbox \
		--annotation io.kubernetes.cri.sandbox-id="$id" \
		--annotation io.kubernetes.cri.sandbox-name="$name" \
		--annotation io.kubernetes.cri.sandbox-namespace="$ns" \
		--annotation io.kubernetes.cri.sandbox-uid="$POD_UID" \
		--annotation io.kubernetes.cri.sandbox-log-directory="/var/log/pods/${ns}_${name}_$POD_UID" \
		"$BUSYBOX_IMAGE" "$id" sleep 600 >/dev/null || fail "ctr run (sandbox of $name) failed"
}

# k8s_container POD CONTAINER IMAGE CMD...: a container of POD (made by k8s_pod), annotated as
# the CRI plugin annotates one. Sets CTR_ID. CTR_RUN_OPTS (array) adds ctr run options.
k8s_container()
{
	local pod=$1 cname=$2 image=$3 id
	shift 3
	[ -n "${_K8S_POD_UID[$pod]:-}" ] || fail "k8s_container: no pod $pod (k8s_pod first)"
	id=$(_k8s_id)
	CTR_ID=$id
	"${CTR[@]}" run -d ${CTR_RUN_OPTS[@]+"${CTR_RUN_OPTS[@]}"} --cgroup "$(_k8s_cgroup "$pod" "$id")" \
		--annotation io.kubernetes.cri.container-type=container \
		--annotation io.kubernetes.cri.container-name="$cname" \
		--annotation io.kubernetes.cri.image-name="$image" \
		--annotation io.kubernetes.cri.sandbox-id="${_K8S_POD_SANDBOX[$pod]}" \
		--annotation io.kubernetes.cri.sandbox-name="$pod" \
		--annotation io.kubernetes.cri.sandbox-namespace="${_K8S_POD_NS[$pod]}" \
		--annotation io.kubernetes.cri.sandbox-uid="${_K8S_POD_UID[$pod]}" \
		"$image" "$id" "$@" >/dev/null || fail "ctr run ($cname of $pod) failed"
}

# k8s_container_cgroup POD ID: the cgroup path the container got (as /proc/PID/cgroup shows).
k8s_container_cgroup() { _k8s_cgroup "$1" "$2"; }

# k8s_exec ID CMD...: run CMD in container ID (ctr task exec), wait for it, its output on stdout.
k8s_exec()
{
	local id=$1
	shift
	"${CTR[@]}" task exec --exec-id "x$RANDOM$RANDOM" "$id" "$@"
}

# ctr_pid ID: the host pid of the container's first process.
ctr_pid() { "${CTR[@]}" task ls | awk -v id="$1" '$1 == id { print $2 }'; }

# ctr_stop ID: kill and remove one container (its cgroup goes with it).
ctr_stop()
{
	"${CTR[@]}" task kill -s KILL "$1" >/dev/null 2>&1 || true
	"${CTR[@]}" task delete -f "$1" >/dev/null 2>&1 || true
	"${CTR[@]}" container delete "$1" >/dev/null 2>&1 || true
}

_containerd_cleanup()
{
	local id cg h
	for id in $("${CTR[@]}" task ls -q 2>/dev/null); do
		"${CTR[@]}" task kill -s KILL "$id" >/dev/null 2>&1 || true
	done
	for id in $("${CTR[@]}" container ls -q 2>/dev/null); do
		"${CTR[@]}" task delete -f "$id" >/dev/null 2>&1 || true
		"${CTR[@]}" container delete "$id" >/dev/null 2>&1 || true
	done
	[ -z "$CONTAINERD_PID" ] || stop_pid "$CONTAINERD_PID"
	# runc removes a container's cgroup, not the pod's: remove ours in every hierarchy, and the
	# QoS and kubepods levels when nothing else is left in them.
	for cg in "${_K8S_CGROUPS[@]}"; do
		for h in /sys/fs/cgroup /sys/fs/cgroup/*; do
			[ -d "$h$cg" ] || continue
			find "$h$cg" -depth -type d -exec rmdir {} + 2>/dev/null || true
		done
	done
	for h in /sys/fs/cgroup /sys/fs/cgroup/*; do
		rmdir "$h/kubepods/besteffort" "$h/kubepods/burstable" "$h/kubepods" 2>/dev/null || true
	done
}

# agent_yaml_containerd FILE: append to an agent.yaml (agent_yaml) what finds the test's pods:
# containerd's state directory (the bundles' annotations), and no API server.
agent_yaml_containerd()
{
	cat >>"$1" <<EOF
kubernetes:
  containerd_state: $CONTAINERD_DIR/state
  api_server: off
EOF
}
