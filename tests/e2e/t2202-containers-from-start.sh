#!/usr/bin/env bash
# Containers are watched from their first instruction: the agent watches the cgroups where
# runtimes make containers, so a container started under it is registered by its first event,
# not by a rescan (set to 10 minutes here, so a rescan cannot be what finds them). Twenty
# containers started one after another are each learned `complete`, with their start-up in the
# profile and the runtime's own start-up (runc init) left out; each started again under a new
# id (a restart: the same workload, a new container, detected from its first instruction)
# raises no alert; a deviation still does (so the silence is not a sensor that sees nothing).
. "$(dirname "$0")/../lib/common.sh"
. "$TESTLIB/podman.sh"
requires_podman
requires_progs
podman_image_progs
N=${VIGIL_T2202_N:-20}

state=$TEST_TMP/state
cat >"$TEST_TMP/agent.yaml" <<EOF2
state_dir: $state
scope: containers
rescan: 10m
learning:
  duration: 2s
cooldown: 0s
sinks: [file:$state/alerts.jsonl]
kubernetes:
  api_server: off
EOF2
spawn agent "$VIGIL" agent --config "$TEST_TMP/agent.yaml"
agent_pid=$SPAWNED_PID
wait_for_line "$TEST_TMP/agent.log" 'agent: started' 20

# the entrypoint runs the job (its own sh -c) once, then waits; a rerun is that same job
rerun='cat /etc/hostname >/dev/null; ls /progs >/dev/null'
script="sh -c '$rerun'; exec sleep 600"
names=()
for ((i = 1; i <= N; i++)); do
	podman_start "c$i" "$PROGS_IMAGE" sh -c "$script"
	names+=("$PODMAN_NAME")
done
learned() { [ -f "$state/profiles/$1.yaml" ] && grep -q 'kubescape.io/status: completed' "$state/profiles/$1.yaml"; }
for n in "${names[@]}"; do
	wait_until 60 learned "$n" || fail "$n was not learned: $(grep "$n" "$TEST_TMP/agent.log" | tail -3)"
done
partial=0
for n in "${names[@]}"; do
	f=$state/profiles/$n.yaml
	grep -q 'kubescape.io/completion: complete' "$f" || { partial=$((partial + 1)); log "$n: $(grep completion "$f")"; }
	# its start-up is in the profile: the entrypoint (sh -c ...) and what it ran
	grep -q '/bin/busybox' "$f" || fail "$n: the entrypoint's exec is not in its profile"
	grep -q 'hostname' "$f" || fail "$n: /etc/hostname (opened by the entrypoint) is not in its profile"
	# runc's own start-up is not the workload's
	! grep -q 'runc' "$f" || fail "$n: runc is in the profile: $(grep runc "$f" | head -2)"
done
assert_eq 0 "$partial" "containers learned partial (of $N)"

# benign reruns: each container started again under a new id (a restart as Kubernetes does
# it: a new container, the same workload): bound to its profile at once, its whole start-up
# (runc's and its own) checked, and quiet
rm -f "$TEST_TMP/ids"
for ((i = 1; i <= N; i++)); do
	podman_cmd rm -f -t 0 "${names[i - 1]}" >/dev/null
	podman_start "c$i" "$PROGS_IMAGE" sh -c "$script"
	echo "$PODMAN_ID" >>"$TEST_TMP/ids"
done
again=$PODMAN_ID
for n in "${names[@]}"; do
	wait_until 20 grep -q "$n: detecting with" "$TEST_TMP/agent.log" ||
		fail "the restarted $n was not bound to its profile at once"
done
# its job has run (the entrypoint's sh -c) before the check below
job_ran() { [ "$(grep -c . "$TEST_TMP/ids")" -eq "$N" ] && podman_cmd top "$again" comm 2>/dev/null | grep -q sleep; }
wait_until 20 job_ran || fail "the restarted containers did not reach their sleep"
sleep 1
touch "$state/alerts.jsonl"
benign=$(json_count "$state/alerts.jsonl" workload.name~"vigil-$TEST_NAME-c")
[ "$benign" -eq 0 ] || fail "$benign alert(s) on benign reruns: $(head -c 1500 "$state/alerts.jsonl")"

# a deviation in a restarted container is an alert: the agent is watching
podman_cmd exec "${names[N - 1]}" /progs/syscall_set >/dev/null
alerted() { [ "$(json_count "$state/alerts.jsonl" rule_id=R0001 workload.container_id="$again")" -ge 1 ]; }
wait_until 20 alerted || fail "no R0001 for /progs/syscall_set in the restarted container"
kill -0 "$agent_pid" || fail "the agent died"
echo "ok: $N containers learned complete from their first instruction, $N restarts quiet, a deviation alerted"
