#!/usr/bin/env bash
# The agent's resident memory with N containers (learned, then detecting): the figure behind
# the DaemonSet's memory request (docs/KUBERNETES.md §7). Root, podman (the test store).
#
#   VIGIL_TEST_TIMEOUT=3600 bench/agent_rss.sh [N]        # default 30
#
# RING_BUFFER=1MiB sets the agent's ring_buffer. AGENT_WRAP="heaptrack -o FILE" runs the agent
# under a heap profiler (the figures are then the agent's own process, found under the wrapper;
# it is stopped with TERM so the profile is whole).
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
${RING_BUFFER:+ring_buffer: $RING_BUFFER}
EOF2
# shellcheck disable=SC2086 # AGENT_WRAP is a command line
spawn agent ${AGENT_WRAP:-} "$VIGIL" agent --config "$TEST_TMP/agent.yaml"
pid=$SPAWNED_PID
wait_for_line "$TEST_TMP/agent.log" 'agent: started' 60
if [ -n "${AGENT_WRAP:-}" ]; then
	# the agent is the wrapper's descendant running $VIGIL
	for p in $(pgrep -s 0 -x vigil); do
		[ "$(readlink "/proc/$p/exe")" = "$(readlink -f "$VIGIL")" ] && [ "$p" != "$pid" ] && pid=$p
	done
fi
rss() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$pid/status"; }
idle=$(rss VmRSS)
for ((i = 1; i <= N; i++)); do
	podman_start "c$i" "$BUSYBOX_IMAGE" sh -c 'while :; do cat /etc/hostname >/dev/null; sleep 1; done'
done
# (named by container id: the engine is not asked about containers outside its own parent)
learned() { [ "$(ls "$state/profiles" 2>/dev/null | wc -l)" -ge "$N" ]; }
wait_until 300 learned || fail "not all learned"
sleep 3
# where it is: the agent's mappings grouped (heap, anonymous, each library's file pages)
awk '/^[0-9a-f]+-[0-9a-f]+ / { n = $6 == "" ? "[anon]" : $6; sub(/.*\//, "", n) } $1 == "Rss:" { r[n] += $2 }
	END { for (n in r) if (r[n] >= 256) printf "  %-28s %6d KiB\n", n, r[n] }' "/proc/$pid/smaps" | sort -k2 -nr
echo "agent RSS: idle ${idle} KiB; with $N containers learned and detecting: VmRSS $(rss VmRSS) KiB, peak VmHWM $(rss VmHWM) KiB"
gone() { ! kill -0 "$1" 2>/dev/null; }
[ -z "${AGENT_WRAP:-}" ] || { kill -TERM "$pid"; wait_until 300 gone "$SPAWNED_PID"; }
