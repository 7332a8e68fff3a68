#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2106: kill -9 of the agent, and what the next agent does about it.
#  1. While it learns a command it started: the command must not stay behind unwatched, and
#     the restarted agent must not run a second copy: the old copy is ended (its cgroup is
#     killed) and one new copy runs. What was learned before the crash (up to the last
#     checkpoint) is kept: the learned profile holds what both runs did, marked partial.
#  2. During a write (the agent stopped by a test hook between writing the temporary file and
#     renaming it): the restarted agent removes the temporary file and the learning goes on
#     from its checkpoint.
# The moments are deterministic: the test waits for the checkpoint file to hold what it needs,
# and the hook stops the agent (SIGSTOP) at the exact point, where the test kills it.
. "$(dirname "$0")/../lib/common.sh"
requires_root
vigil_has agent || skip "vigil agent is not part of this build"

PROFILES=$TEST_TMP/profiles
STATE=$TEST_TMP/state
CTL=$TEST_TMP/ctl
mkdir -p "$PROFILES" "$CTL"

# Every copy of the command appends its pid; the first copy runs /usr/bin/id, later ones
# /usr/bin/uname, then each idles.
JOB="echo \$\$ >>$CTL/pids; if [ -e $CTL/second ]; then /usr/bin/uname >/dev/null; else touch $CTL/second; /usr/bin/id >/dev/null; fi; while :; do sleep 0.1; done"
end_copies() { for p in $(cat "$CTL/pids" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done; true; }
on_exit end_copies

alive() # how many of the recorded copies are alive
{
	local n=0 p
	for p in $(cat "$CTL/pids" 2>/dev/null); do
		kill -0 "$p" 2>/dev/null && n=$((n + 1))
	done
	echo "$n"
}
alive_is() { [ "$(alive)" = "$1" ]; }
lines_are() { [ "$(wc -l <"$1" 2>/dev/null || echo 0)" = "$2" ]; }

cat >"$TEST_TMP/agent.yaml" <<EOF
state_dir: $STATE
profiles_dir: $PROFILES
include_cgroups: ["/none-$TEST_NAME/*"] # only its own commands, not other tests' containers
learning:
  duration: 8s
  checkpoint: 500ms
sinks: ["file:$TEST_TMP/alerts.jsonl"]
workloads:
  - name: job
    command: [sh, -c, "$JOB"]
EOF

# ---- 1. kill -9 while learning a command the agent started ----------------------------------
on_exit end_agent_commands "$STATE"
spawn agent1 "$VIGIL" agent --config "$TEST_TMP/agent.yaml"
A1=$SPAWNED_PID
wait_for_line "$TEST_TMP/agent1.log" "job: learning" 20
# the checkpoint holds the first run's /usr/bin/id: the moment to crash
wait_until 20 grep -q /usr/bin/id "$STATE/learning/job.yaml" ||
	fail "no learning checkpoint with /usr/bin/id: $(ls -l "$STATE" "$STATE/learning" 2>&1)"
kill -9 "$A1"
wait "$A1" 2>/dev/null || true
first=$(head -n 1 "$CTL/pids")
kill -0 "$first" || fail "the command died with the agent (it should outlive a kill -9)"

spawn agent2 "$VIGIL" agent --config "$TEST_TMP/agent.yaml"
wait_for_line "$TEST_TMP/agent2.log" "job: learning" 20
wait_until 10 lines_are "$CTL/pids" 2 || fail "copies started: $(cat "$CTL/pids")"
wait_until 10 alive_is 1 || fail "$(alive) copies of the command alive after the restart"
kill -0 "$first" 2>/dev/null && fail "the first copy (pid $first) was left running"
assert_file_contains "$TEST_TMP/agent2.log" "left by a previous agent"
assert_file_contains "$TEST_TMP/agent2.log" "continuing job's learning from its checkpoint"
wait_for_line "$TEST_TMP/agent2.log" "job: learned -> $PROFILES/job.yaml; detecting" 30
assert_file_contains "$PROFILES/job.yaml" "/usr/bin/id"    # before the crash
assert_file_contains "$PROFILES/job.yaml" "/usr/bin/uname" # after it
assert_file_contains "$PROFILES/job.yaml" "kubescape.io/completion: partial"
test -e "$STATE/learning/job.yaml" && fail "checkpoint left after learning ended"
stop_pid "$(cat "$STATE/agent.lock")"

# ---- 2. kill -9 between writing a temporary file and renaming it ----------------------------
rm -rf "$PROFILES"/* "$STATE" "$CTL"/*
VIGIL_TEST_HOOKS=stop-before-rename spawn agent3 "$VIGIL" agent --config "$TEST_TMP/agent.yaml"
A3=$SPAWNED_PID
stopped() { [ "$(awk '{print $3}' "/proc/$A3/stat" 2>/dev/null)" = T ]; }
wait_until 30 stopped || fail "the test hook did not stop the agent: $(tail -c 1000 "$TEST_TMP/agent3.log")"
tmps() { find "$PROFILES" "$STATE" -name '*.tmp.*' | sort; }
[ -n "$(tmps)" ] || fail "stopped before a rename, but no temporary file"
kill -9 "$A3"
wait "$A3" 2>/dev/null || true
left=$(tmps)

spawn agent4 "$VIGIL" agent --config "$TEST_TMP/agent.yaml"
wait_for_line "$TEST_TMP/agent4.log" "job: learning" 20
# the files the killed agent left are gone (the new agent may have a temporary file of its own
# between a write and its rename at this moment: only the left ones are judged here)
for f in $left; do
	[ ! -e "$f" ] || fail "temporary file left by the killed agent not removed at start: $f"
done
assert_file_contains "$TEST_TMP/agent4.log" "removed $(echo "$left" | head -n 1)"
wait_until 10 alive_is 1 || fail "$(alive) copies of the command alive after the restart"
wait_for_line "$TEST_TMP/agent4.log" "job: learned -> $PROFILES/job.yaml; detecting" 30
# a temporary file between a write and its rename lives for microseconds; a leaked one stays
no_tmps() { [ -z "$(tmps)" ]; }
wait_until 10 no_tmps || fail "temporary files left: $(tmps)"
echo ok
