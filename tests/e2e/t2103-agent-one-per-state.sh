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

# An agent killed while its BPF loader (a forked child) works must not leave the loader behind
# holding the lock: it dies with the agent. The loader is stopped first so that, without that,
# it would hold the lock for ever (not just for the seconds a load takes).
stop_pid "$second"
spawn agent3 "$VIGIL" agent --config "$TEST_TMP/agent.yaml"
third=$SPAWNED_PID
wait_until 60 pgrep -P "$third" -x vigil || fail "no loader child of the agent seen"
loader=$(pgrep -P "$third" -x vigil | head -1)
on_exit kill -KILL "$loader"
kill -STOP "$loader"
# the loader holds nothing of the agent's, its state lock above all (a flock() is shared by a
# forked child: an agent stopped during its load left it held until the loader died, and an
# agent started at once was refused)
if [ -d "/proc/$loader" ]; then
	[ -z "$(find "/proc/$loader/fd" -lname "$st/agent.lock" 2>/dev/null)" ] ||
		fail "the BPF loader (pid $loader) holds the agent's state lock"
fi
kill -KILL "$third"
wait "$third" 2>/dev/null || true
lock_holders() { find /proc/[0-9]*/fd -lname "$st/agent.lock" 2>/dev/null | cut -d/ -f3 | sort -u; }
no_holder() { [ -z "$(lock_holders)" ]; }
wait_until 10 no_holder || fail "the lock is still held after the agent was killed, by pid(s) $(lock_holders | tr '\n' ' ')"
spawn agent4 "$VIGIL" agent --config "$TEST_TMP/agent.yaml"
fourth=$SPAWNED_PID
wait_until 60 grep -qx "$fourth" "$st/agent.lock" ||
	fail "the lock was not taken after the killed agent: $(tail -c 1000 "$TEST_TMP/agent4.log")"
echo ok
