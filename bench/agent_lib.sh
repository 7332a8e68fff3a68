# bench/agent_lib.sh — what the agent memory benchmarks share (agent_rss.sh, agent_churn.sh):
# the test helpers, a busybox image, one `vigil agent` watching podman containers, and its
# memory figures. Sourced, not run.
. "$(dirname "${BASH_SOURCE[0]}")/../tests/lib/common.sh"
. "$TESTLIB/podman.sh"
requires_podman
podman_image_busybox

# bench_agent_start LEARN START_DEADLINE [NAME=VALUE...]: starts the agent (containers only,
# rescan every second, learning for LEARN, alerts to a file; the NAME=VALUE in its environment)
# and waits up to START_DEADLINE seconds for it. Sets AGENT_PID and AGENT_STATE (its
# state_dir; profiles in $AGENT_STATE/profiles). Its log is $TEST_TMP/agent.log.
bench_agent_start() {
	AGENT_STATE=$TEST_TMP/state
	cat >"$TEST_TMP/agent.yaml" <<EOF2
state_dir: $AGENT_STATE
scope: containers
rescan: 1s
learning:
  duration: $1
sinks: [file:$AGENT_STATE/alerts.jsonl]
EOF2
	spawn agent env "${@:3}" "$VIGIL" agent --config "$TEST_TMP/agent.yaml"
	AGENT_PID=$SPAWNED_PID
	wait_for_line "$TEST_TMP/agent.log" 'agent: started' "$2"
}

# agent_mem FIELD: the agent's VmRSS or VmHWM in KiB (from /proc/PID/status).
agent_mem() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$AGENT_PID/status"; }
