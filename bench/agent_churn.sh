#!/usr/bin/env bash
# The agent's memory under container churn: K short-lived podman containers, each a new
# workload (its own name) that is learned into a profile; VmRSS, VmHWM and the agent's heap in
# use (mallinfo2, logged by the agent under VIGIL_MEM_TRACE=1 after each reap) after every ten.
# Root, podman (the test store). About 3 s per container here. See docs/BENCHMARKS.md.
#
#   VIGIL_TEST_TIMEOUT=3600 bench/agent_churn.sh [K]      # default 60
#
# AGENT_WRAP="heaptrack -o FILE" runs the agent under a heap profiler; it is killed (KILL) at
# the end, so what the profile reports as leaked is what the agent held at that moment.
. "$(dirname "$0")/../tests/lib/common.sh"
. "$TESTLIB/podman.sh"
requires_podman
podman_image_busybox
K=${1:-60}
# the churned containers in a cgroup parent of their own, the agent's only workloads (other
# containers on the machine would be measured too)
podman_cgroup_parent vigil-churn
PARENT=$PODMAN_PARENT
state=$TEST_TMP/state
cat >"$TEST_TMP/agent.yaml" <<EOF2
state_dir: $state
scope: containers
rescan: 1s
include_cgroups: ["$PARENT/*"]
learning:
  duration: 3s
sinks: [file:$state/alerts.jsonl]
EOF2
# shellcheck disable=SC2086 # AGENT_WRAP is a command line
spawn agent env VIGIL_MEM_TRACE=1 ${AGENT_WRAP:-} "$VIGIL" agent --config "$TEST_TMP/agent.yaml"
pid=$SPAWNED_PID
wait_for_line "$TEST_TMP/agent.log" 'agent: started' 60
if [ -n "${AGENT_WRAP:-}" ]; then
	for p in $(pgrep -s 0 -x vigil); do
		[ "$(readlink "/proc/$p/exe")" = "$(readlink -f "$VIGIL")" ] && [ "$p" != "$pid" ] && pid=$p
	done
fi
rss() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$pid/status"; }
echo "start VmRSS $(rss VmRSS) VmHWM $(rss VmHWM)"
t0=$(date +%s)
for ((i = 1; i <= K; i++)); do
	podman_cmd run --rm --name "vigil-churn-$i-$$" --cgroup-parent "$PARENT" "$BUSYBOX_IMAGE" sh -c 'cat /etc/hostname >/dev/null; sleep 1' >/dev/null 2>&1
	if ((i % 10 == 0)); then
		heap=$(grep -o 'heap in use [0-9]* KiB' "$TEST_TMP/agent.log" | tail -1)
		echo "after $i containers ($(($(date +%s) - t0)) s): VmRSS $(rss VmRSS) KiB VmHWM $(rss VmHWM) KiB; ${heap:-no reap yet}"
	fi
done
sleep 3
grep 'memory: forgot' "$TEST_TMP/agent.log" | tail -1
echo "end VmRSS $(rss VmRSS) VmHWM $(rss VmHWM); profiles $(ls $state/profiles 2>/dev/null | wc -l)"
gone() { ! kill -0 "$1" 2>/dev/null; }
[ -z "${AGENT_WRAP:-}" ] || { kill -KILL "$pid"; wait_until 300 gone "$SPAWNED_PID"; }
