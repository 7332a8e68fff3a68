#!/usr/bin/env bash
# Profiles from the cluster: a directory laid out as the kubelet mounts a ConfigMap (files are
# symlinks through ..data to a timestamped directory, replaced by swapping ..data), holding a
# workload's profile as Kubescape objects in one multi-document file, named after the workload
# (NAMESPACE.replicaset-NAME.yaml). A pod's container on a fresh node (nothing learned there)
# detects with it from its first instruction and stays quiet; a deviation is an alert; a new
# version swapped in through ..data that allows the deviation is reloaded and in force (the
# same deviation is then quiet).
. "$(dirname "$0")/../lib/common.sh"
. "$TESTLIB/podman.sh"
. "$TESTLIB/containerd.sh"
requires_podman
requires_containerd
requires_progs
podman_image_progs
BUSYBOX_IMAGE=$PROGS_IMAGE
# Namespaces of this run: another run of this test on the machine (its agent sees every
# pod here too) must not share our workloads.
NS=shop-$$
containerd_start
containerd_image "$PROGS_IMAGE"

job='cat /etc/passwd >/dev/null; ls /progs >/dev/null'
entry="sh -c '$job'; exec sleep 600"
agent_config() { # STATE [PROFILES_DIR]
	cat <<EOF
state_dir: $1
scope: containers
# pods only: other tests' podman containers on this shared machine are not our business here
include_cgroups: ["/kubepods/*"]
rescan: 300ms
learning:
  duration: 3s
cooldown: 0s
sinks: [file:$1/alerts.jsonl]
kubernetes:
  containerd_state: $CONTAINERD_DIR/state # our private containerd's task bundles
  api_server: off
  profiles_dir: ${2:-""}
EOF
}

# 1. Where the reviewed profile comes from: learned on "another node".
agent_config "$TEST_TMP/learn" >"$TEST_TMP/learn.yaml"
spawn learner "$VIGIL" agent --config "$TEST_TMP/learn.yaml"
learner=$SPAWNED_PID
wait_for_line "$TEST_TMP/learner.log" 'agent: started' 20
k8s_pod web-7c5d8bf9f7-x2k4p $NS
k8s_container web-7c5d8bf9f7-x2k4p nginx "$PROGS_IMAGE" sh -c "$entry"
wait_for_line "$TEST_TMP/learner.log" "$NS/web-7c5d8bf9f7-x2k4p/nginx: learned -> " 120
stop_pid "$learner"
learned=$TEST_TMP/learn/profiles/$NS.replicaset-web-7c5d8bf9f7.nginx.yaml
doc=replicaset-web-7c5d8bf9f7-nginx

# 2. The ConfigMap as the kubelet mounts it: the workload's objects in one multi-document file
#    (its ContainerProfile and a NetworkNeighborhood saying it talks to nobody).
cm=$TEST_TMP/cluster-profiles
mkdir -p "$cm/..2026_01_01_00_00_00.1"
{
	cat "$learned"
	cat <<EOF
---
apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1
kind: NetworkNeighborhood
metadata:
  name: replicaset-web-7c5d8bf9f7
  namespace: $NS
spec:
  matchLabels:
    app: web
  containers:
  - name: nginx
    ingress: []
    egress: []
EOF
} >"$cm/..2026_01_01_00_00_00.1/$NS.replicaset-web-7c5d8bf9f7.yaml"
ln -s ..2026_01_01_00_00_00.1 "$cm/..data"
ln -s ..data/$NS.replicaset-web-7c5d8bf9f7.yaml "$cm/$NS.replicaset-web-7c5d8bf9f7.yaml"
"$VIGIL" profile lint "$cm/$NS.replicaset-web-7c5d8bf9f7.yaml" >/dev/null || fail "the ConfigMap's profile does not lint"

# 3. A fresh node: nothing learned; a new replica detects with the cluster's profile at once.
state=$TEST_TMP/node
agent_config "$state" "$cm" >"$TEST_TMP/node.yaml"
spawn agent "$VIGIL" agent --config "$TEST_TMP/node.yaml"
agent_pid=$SPAWNED_PID
wait_for_line "$TEST_TMP/agent.log" 'agent: started' 20
k8s_pod web-7c5d8bf9f7-9qzlm $NS
k8s_container web-7c5d8bf9f7-9qzlm nginx "$PROGS_IMAGE" sh -c "$entry"
id=$CTR_ID
wait_for_line "$TEST_TMP/agent.log" "$NS/web-7c5d8bf9f7-9qzlm/nginx: detecting with $cm/$NS.replicaset-web-7c5d8bf9f7.yaml" 120
sleep 1
touch "$state/alerts.jsonl"
assert_eq 0 "$(json_count "$state/alerts.jsonl" workload.container_id="$id")" "alerts with the cluster's profile"
! grep -q "$NS/.*: learning" "$TEST_TMP/agent.log" || fail "the pod was learned instead"

k8s_exec "$id" /progs/syscall_set >/dev/null
r0001() { json_count "$state/alerts.jsonl" rule_id=R0001 workload.container_id="$id" process.exe=/progs/syscall_set; }
alerted() { [ "$(r0001)" -ge 1 ]; }
wait_until 20 alerted || fail "no R0001 under the cluster's profile"
before=$(r0001)

# 4. A new version, swapped in as the kubelet does (new directory, ..data renamed over), that
#    allows /progs/syscall_set: reloaded, in force.
new=..2026_01_01_00_05_00.2
mkdir -p "$cm/$new"
cat >"$TEST_TMP/allow.yaml" <<EOF
apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1
kind: ContainerProfile
metadata:
  name: $doc
  namespace: $NS
spec:
  execs:
  - path: /progs/syscall_set
    args: [/progs/syscall_set]
  syscalls: [getpid, getppid, getuid, geteuid, getgid, getegid, uname, getcwd, sched_yield]
EOF
"$VIGIL" profile merge -o "$cm/$new/$NS.replicaset-web-7c5d8bf9f7.yaml" \
	"$cm/$NS.replicaset-web-7c5d8bf9f7.yaml" "$TEST_TMP/allow.yaml" || fail "merge failed"
ln -s "$new" "$cm/..data_tmp"
mv -T "$cm/..data_tmp" "$cm/..data"
wait_for_line "$TEST_TMP/agent.log" "reloaded $cm/$NS.replicaset-web-7c5d8bf9f7.yaml" 20
k8s_exec "$id" /progs/syscall_set >/dev/null
sleep 1.5
assert_eq "$before" "$(r0001)" "R0001 for /progs/syscall_set after the new version allowed it"
kill -0 "$agent_pid" || fail "the agent died"
echo "ok: a ConfigMap's multi-document profile bound a new replica at once (quiet, then R0001), and its ..data swap was reloaded and in force"
