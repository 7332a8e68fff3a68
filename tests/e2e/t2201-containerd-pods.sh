#!/usr/bin/env bash
# Pods as the kubelet makes them, without a kubelet: a private containerd runs containers with
# runc, with containerd's CRI annotations in each task's config.json and the kubelet's cgroupfs
# layout (/kubepods/besteffort/pod<uid>/<id>). The agent, started first:
#  - ignores the pods' sandbox (pause) containers;
#  - names each container from its pod, and alerts carry pod, namespace, container, image, pod
#    UID and runtime;
#  - learns two replicas of one ReplicaSet (web-7c5d8bf9f7-*) into one profile,
#    replicaset-web-7c5d8bf9f7, learned `complete` from their first instruction;
#  - puts a third replica started after learning in detect mode at once, quiet on the same
#    behaviour, alerting on a deviation.
. "$(dirname "$0")/../lib/common.sh"
. "$TESTLIB/podman.sh"
. "$TESTLIB/containerd.sh"
requires_podman
requires_containerd
requires_progs
podman_image_progs
podman_image_busybox
# Namespaces of this run: another run of this test on the machine (its agent sees every
# pod here too) must not share our workloads.
NS=shop-$$
containerd_start
containerd_image "$PROGS_IMAGE"
containerd_image "$BUSYBOX_IMAGE" # the pods' "pause" containers, and the impostor below

state=$TEST_TMP/state
cat >"$TEST_TMP/agent.yaml" <<EOF
state_dir: $state
scope: containers
# pods only: other tests' podman containers on this shared machine are not our business here
include_cgroups: ["/kubepods/*"]
rescan: 10m
learning:
  duration: 30s # long enough for the replicas and the impostor to start within it, under load (15 s was not at a load of 30)
cooldown: 0s
sinks: [file:$state/alerts.jsonl]
kubernetes:
  containerd_state: $CONTAINERD_DIR/state # our private containerd's task bundles
  api_server: off
EOF
spawn agent "$VIGIL" agent --config "$TEST_TMP/agent.yaml"
agent_pid=$SPAWNED_PID
wait_for_line "$TEST_TMP/agent.log" 'agent: started' 20

job='cat /etc/passwd >/dev/null; ls /progs >/dev/null'
entry="sh -c '$job'; exec sleep 600"
pods=(web-7c5d8bf9f7-x2k4p web-7c5d8bf9f7-9qzlm)
ids=()
for p in "${pods[@]}"; do
	k8s_pod "$p" $NS
	k8s_container "$p" nginx "$PROGS_IMAGE" sh -c "$entry"
	ids+=("$CTR_ID")
	uid[${#ids[@]}]=$POD_UID
	[ ${#ids[@]} -eq 1 ] || continue
	# An impostor while the workload learns: a bare pod named like a replica, another image,
	# doing something else. Replicas share one image: it learns on its own, poisons nothing.
	k8s_pod web-7c5d8bf9f7-zzzzz $NS
	k8s_container web-7c5d8bf9f7-zzzzz nginx "$BUSYBOX_IMAGE" sh -c 'cat /etc/group >/dev/null; exec sleep 600'
done
profile=$state/profiles/$NS.replicaset-web-7c5d8bf9f7.nginx.yaml
wait_for_line "$TEST_TMP/agent.log" "$NS/${pods[0]}/nginx: learned -> " 120
wait_until 10 grep -q "$NS/${pods[1]}/nginx: detecting with\|$NS/${pods[1]}/nginx: learning with" "$TEST_TMP/agent.log" ||
	fail "the second replica did not join: $(tail -5 "$TEST_TMP/agent.log")"
grep -q "$NS/${pods[1]}/nginx: learning with $NS/${pods[0]}/nginx" "$TEST_TMP/agent.log" ||
	fail "the replicas did not learn into one profile: $(grep nginx "$TEST_TMP/agent.log")"
# (other tests' podman containers may be learned too: only the pods' profiles count here)
wait_for_line "$TEST_TMP/agent.log" "$NS/web-7c5d8bf9f7-zzzzz/nginx: image $BUSYBOX_IMAGE differs .* learned as its own pod" 10
wait_for_line "$TEST_TMP/agent.log" "$NS/web-7c5d8bf9f7-zzzzz/nginx: learned -> $state/profiles/$NS.pod-web-7c5d8bf9f7-zzzzz.nginx.yaml" 120
[ "$(ls "$state/profiles" | grep -c "^$NS\.replicaset")" -eq 1 ] || fail "not one profile for the replicas: $(ls "$state/profiles")"
! grep -q /etc/group "$profile" || fail "the impostor's behaviour is in the workload's profile"
assert_file_contains "$profile" "name: replicaset-web-7c5d8bf9f7-nginx"
assert_file_contains "$profile" "namespace: $NS"
assert_file_contains "$profile" "kubescape.io/workload-kind: ReplicaSet"
assert_file_contains "$profile" "kubescape.io/workload-name: web-7c5d8bf9f7"
assert_file_contains "$profile" "kubescape.io/completion: complete"
assert_file_contains "$profile" "name: nginx"
! grep -q runc "$profile" || fail "runc's start-up is in the profile"
# one learner for the pods' workloads: the sandboxes are not workloads, the replicas share it
assert_eq 1 "$(grep -c "$NS/web-7c5d8bf9f7-[x9].*: learning for" "$TEST_TMP/agent.log")" "learners for the replicas"
grep -q "pod $NS/${pods[0]} (uid ${uid[1]}), container nginx, image $PROGS_IMAGE, ReplicaSet web-7c5d8bf9f7 (name-pattern)" "$TEST_TMP/agent.log" ||
	fail "identity not read from the bundle: $(grep "pod $NS" "$TEST_TMP/agent.log" | head -2)"

# a third replica after learning: detecting from its first instruction, quiet, then a deviation
p3=web-7c5d8bf9f7-d8wqn
k8s_pod "$p3" $NS
k8s_container "$p3" nginx "$PROGS_IMAGE" sh -c "$entry"
id3=$CTR_ID
uid3=$POD_UID
wait_for_line "$TEST_TMP/agent.log" "$NS/$p3/nginx: detecting with $profile" 120
running() { "${CTR[@]}" task ps "$id3" 2>/dev/null | grep -c . | grep -qv '^[012]$'; }
sleep 1
touch "$state/alerts.jsonl"
assert_eq 0 "$(json_count "$state/alerts.jsonl" workload.container_id="$id3")" "alerts on the third replica's start-up"
k8s_exec "$id3" /progs/syscall_set >/dev/null
alerted() { [ "$(json_count "$state/alerts.jsonl" rule_id=R0001 workload.container_id="$id3")" -ge 1 ]; }
wait_until 20 alerted || fail "no R0001 for the deviation in the third replica"
a=$TEST_TMP/alert.json
json_filter "$state/alerts.jsonl" rule_id=R0001 workload.container_id="$id3" | head -1 >"$a"
assert_eq "$p3" "$(json_get "$a" workload.pod)" "alert pod"
assert_eq $NS "$(json_get "$a" workload.namespace)" "alert namespace"
assert_eq nginx "$(json_get "$a" workload.container_name)" "alert container_name"
assert_eq "$PROGS_IMAGE" "$(json_get "$a" workload.image)" "alert image"
assert_eq "$uid3" "$(json_get "$a" workload.pod_uid)" "alert pod_uid"
assert_eq containerd "$(json_get "$a" workload.runtime)" "alert runtime"
assert_eq ReplicaSet "$(json_get "$a" workload.workload_kind)" "alert workload_kind"
assert_eq web-7c5d8bf9f7 "$(json_get "$a" workload.workload_name)" "alert workload_name"
assert_eq "/kubepods/besteffort/pod$uid3/$id3" "$(json_get "$a" workload.cgroup)" "alert cgroup"
# the status file names the pod too (what heartbeats send); the agent writes it every 2 s, so
# the alert can come before the first status that has the third replica (CI s10b)
wait_until 10 grep -q "\"pod\": \"$p3\"" "$state/status.json" ||
	fail "$state/status.json does not name $p3: $(grep '"pod"' "$state/status.json")"
kill -0 "$agent_pid" || fail "the agent died"
echo "ok: two replicas -> one complete profile (replicaset-web-7c5d8bf9f7), a third detected at once and quiet, its deviation alerted with pod, namespace, container, image, pod UID"
