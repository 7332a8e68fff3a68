#!/usr/bin/env bash
# One agent per state directory: a second agent with the same state directory refuses to start
# and names the one running; the evidence store's directory is created when missing.
. "$(dirname "$0")/../lib/common.sh"
requires_root

st=$TEST_TMP/state
cat >"$TEST_TMP/agent.yaml" <<EOF
state_dir: $st
scope: containers
sinks: [file:$TEST_TMP/alerts.jsonl]
evidence: sqlite:$TEST_TMP/new/dir/evidence.db
EOF
spawn agent1 "$VIGIL" agent --config "$TEST_TMP/agent.yaml"
first=$SPAWNED_PID
wait_for_file "$st/agent.lock" 30
wait_until 30 test -d "$TEST_TMP/new/dir" || fail "evidence directory not created"

set +e
timeout 20 "$VIGIL" agent --config "$TEST_TMP/agent.yaml" 2>"$TEST_TMP/second.err"
rc=$?
set -e
assert_eq 2 "$rc" "second agent's exit status"
assert_file_contains "$TEST_TMP/second.err" "another vigil agent (pid $first) is running"
kill -0 "$first" 2>/dev/null || fail "the first agent stopped"

# once the first agent is gone, the state directory is free again
stop_pid "$first"
spawn agent2 "$VIGIL" agent --config "$TEST_TMP/agent.yaml"
second=$SPAWNED_PID
# the agent loads its BPF programs before it takes the lock: at a load of 25 that took > 30 s,
# so wait long, but stop at once if the second agent exits instead
took_over() { grep -qx "$second" "$st/agent.lock" || ! kill -0 "$second"; }
wait_until 180 took_over || true
grep -qx "$second" "$st/agent.lock" ||
	fail "the lock was not taken over: $(cat "$st/agent.lock"); second agent: $(tail -c 1000 "$TEST_TMP/agent2.log")"
echo ok
