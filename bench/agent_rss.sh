#!/usr/bin/env bash
# The agent's resident memory with N containers (learned, then detecting): the figure behind
# the DaemonSet's memory request (docs/KUBERNETES.md §7). Root, podman (the test store).
#
#   bench/agent_rss.sh [N]        # default 30
. "$(dirname "$0")/agent_lib.sh"
N=${1:-30}
bench_agent_start 5s 20
state=$AGENT_STATE
idle=$(agent_mem VmRSS)
for ((i = 1; i <= N; i++)); do
	podman_start "c$i" "$BUSYBOX_IMAGE" sh -c 'while :; do cat /etc/hostname >/dev/null; sleep 1; done'
done
learned() { [ "$(ls "$state/profiles" 2>/dev/null | grep -c "vigil-$TEST_NAME-c")" -ge "$N" ]; }
wait_until 300 learned || fail "not all learned"
sleep 3
echo "agent RSS: idle ${idle} KiB; with $N containers learned and detecting: VmRSS $(agent_mem VmRSS) KiB, peak VmHWM $(agent_mem VmHWM) KiB"
