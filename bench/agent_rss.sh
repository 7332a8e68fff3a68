#!/usr/bin/env bash
# The agent's resident memory with N containers (learned, then detecting): the figure behind
# the DaemonSet's memory request (docs/KUBERNETES.md §7). Root, podman (the test store).
#
#   VIGIL_TEST_TIMEOUT=3600 bench/agent_rss.sh [N]        # default 30
. "$(dirname "$0")/../tests/lib/common.sh"
. "$TESTLIB/podman.sh"
requires_podman
podman_image_busybox
N=${1:-30}
# the containers in a cgroup parent of the bench's own, the agent's only workloads
podman_cgroup_parent vigil-rss
PARENT=$PODMAN_PARENT
PODMAN_OPTS=(--cgroup-parent "$PARENT")
state=$TEST_TMP/state
cat >"$TEST_TMP/agent.yaml" <<EOF2
state_dir: $state
scope: containers
rescan: 1s
include_cgroups: ["$PARENT/*"]
learning:
  duration: 5s
sinks: [file:$state/alerts.jsonl]
EOF2
spawn agent "$VIGIL" agent --config "$TEST_TMP/agent.yaml"
pid=$SPAWNED_PID
wait_for_line "$TEST_TMP/agent.log" 'agent: started' 20
rss() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$pid/status"; }
idle=$(rss VmRSS)
for ((i = 1; i <= N; i++)); do
	podman_start "c$i" "$BUSYBOX_IMAGE" sh -c 'while :; do cat /etc/hostname >/dev/null; sleep 1; done'
done
# (named by container id: the engine is not asked about containers outside its own parent)
learned() { [ "$(ls "$state/profiles" 2>/dev/null | wc -l)" -ge "$N" ]; }
wait_until 300 learned || fail "not all learned"
sleep 3
echo "agent RSS: idle ${idle} KiB; with $N containers learned and detecting: VmRSS $(rss VmRSS) KiB, peak VmHWM $(rss VmHWM) KiB"
