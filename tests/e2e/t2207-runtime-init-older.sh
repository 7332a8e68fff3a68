#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2207: runc's own work in containers older than the agent is not the workload's. Two
# containers (one with its own pid namespace, one sharing the host's: --pid=host) are started
# BEFORE the agent, so the agent meets them running (learned `partial`); a third is created and
# initialised before it (runc's init waiting on exec.fifo in its cgroup) and started after. While they learn,
# `podman exec` enters each twice with the command their loop runs: runc's init (runc:[2:INIT])
# joins their cgroup, sets up and execs it. Their profiles then hold the loop and nothing of
# runc (no runc, no /run/runc, no exec.fifo). Detecting, the same exec again is quiet, and an
# exec of a new command (the marker) raises R2000 for it and nothing for runc's init around it
# (its syscalls and files were once judged as the workload's: R0003 beside R2000).
. "$(dirname "$0")/../lib/common.sh"
. "$TESTLIB/podman.sh"
requires_podman
requires_progs
podman_image_progs
vigil_has agent || skip "vigil agent is not part of this build"

ALERTS=$TEST_TMP/alerts.jsonl
loop='while :; do /progs/syscall_set >/dev/null; sleep 0.2; done'
podman_start own "$PROGS_IMAGE" sh -c "$loop"
own_id=$PODMAN_ID own_name=$PODMAN_NAME
PODMAN_OPTS=(--pid=host)
podman_start host "$PROGS_IMAGE" sh -c "$loop"
host_id=$PODMAN_ID host_name=$PODMAN_NAME
# (podman run -d returns once the entrypoint runs: both are older than the agent)
# a third one caught half-started: created and initialised (runc's init waits in its cgroup
# for `start` on /run/runc/<id>/exec.fifo), started only once the agent has met it: what that
# init then does (the fifo, its exec of the entrypoint) is runc's, the entrypoint's
half_name=vigil-$TEST_NAME-half-$$
on_exit podman_cmd rm -f -t 0 "$half_name"
PODMAN_OPTS=()
half_id=$(podman_cmd create --name "$half_name" "$PROGS_IMAGE" sh -c "$loop") || fail "podman create"
podman_cmd init "$half_name" >/dev/null || fail "podman init"

{
	echo "state_dir: $TEST_TMP/state"
	echo "profiles_dir: $TEST_TMP/profiles"
	echo "scope: containers"
	echo "# only our containers: other tests' containers may be running on this machine"
	echo "include_cgroups: [\"$(podman_cgroup "$own_id")\", \"$(podman_cgroup "$host_id")\", \"$(podman_cgroup "$half_id")\"]"
	echo "rescan: 200ms"
	echo "learning:"
	echo "  duration: 15s # the half-started one must run its loop within it (podman start under load)"
	echo "cooldown: 0s"
	echo "engine_timeout: 60s # names are asserted: at a load of 30 podman inspect took > 5 s"
	echo "sinks: [\"file:$ALERTS\"]"
	echo "kubernetes:"
	echo "  api_server: off"
} >"$TEST_TMP/agent.yaml"
spawn agent "$VIGIL" agent --config "$TEST_TMP/agent.yaml"
wait_for_line "$TEST_TMP/agent.log" "$own_name: learning for" 30
wait_for_line "$TEST_TMP/agent.log" "$host_name: learning for" 30
wait_for_line "$TEST_TMP/agent.log" "$half_name: learning for" 30
podman_cmd start "$half_name" >/dev/null || fail "podman start"

# while they learn: runc's init enters each, twice
for n in "$own_name" "$host_name" "$own_name" "$host_name"; do
	podman_cmd exec "$n" /progs/syscall_set >/dev/null || fail "podman exec $n"
done
for n in "$own_name" "$host_name" "$half_name"; do
	wait_for_line "$TEST_TMP/agent.log" "$n: learned -> " 40
	f=$TEST_TMP/profiles/$n.yaml
	assert_file_contains "$f" /progs/syscall_set
	grep -q 'kubescape.io/completion: partial' "$f" ||
		fail "$n: older than the agent, not learned partial: $(grep completion "$f")"
	! grep -nE 'runc|exec\.fifo|memfd:' "$f" ||
		fail "$n: runc's own work in the profile of a container older than the agent"
done

# detecting: the learned exec again is quiet; every new command (a marker) is an entry, in the
# hostPID container too (runc's init noted at the execve's call: seen when runc exited first)
touch "$ALERTS"
for n in "$own_name" "$host_name"; do
	[ "$n" = "$own_name" ] && id=$own_id || id=$host_id
	markers() {
		json_filter "$ALERTS" rule_id=R2000 "workload.container_id=$id" |
			grep -oE "marker-$$-[0-9]+" | sort -u | wc -l
	}
	all5() { [ "$(markers)" -ge 5 ]; }
	podman_cmd exec "$n" /progs/syscall_set >/dev/null || fail "podman exec $n"
	for try in $(seq 1 5); do
		podman_cmd exec "$n" sh -c "echo marker-$$-$try" >/dev/null || fail "podman exec $n marker"
	done
	wait_until 20 all5 || fail "R2000 for $(markers) of 5 markers in $n: $(tail -c 2000 "$ALERTS")"
done
sleep 1 # runc's init ran before the marker it started: nothing more is on its way
for id in "$own_id" "$host_id"; do
	# one per marker, no other
	assert_eq 0 "$(json_filter "$ALERTS" rule_id=R2000 "workload.container_id=$id" | grep -vc "marker-$$-")" \
		"R2000 in $id not for a marker: $(json_filter "$ALERTS" rule_id=R2000 | head -c 1500)"
	assert_eq "$(json_count "$ALERTS" rule_id=R2000 "workload.container_id=$id")" \
		"$(json_filter "$ALERTS" rule_id=R2000 "workload.container_id=$id" | grep -oE "marker-$$-[0-9]+" | sort -u | wc -l)" \
		"R2000 in $id: one per marker"
done
assert_eq 0 "$(json_count "$ALERTS" process.comm~runc)" \
	"alerts for runc's init: $(json_filter "$ALERTS" process.comm~runc | head -c 2000)"
assert_eq 0 "$(json_count "$ALERTS" process.comm=exe)" "alerts for runc (exe)"
assert_eq 0 "$(json_count "$ALERTS" "process.comm!=sh")" \
	"alerts for anything but the marker's shell: $(json_filter "$ALERTS" "process.comm!=sh" | head -c 2000)"
log "containers older than the agent: runc's init neither learned nor judged; the marker is an entry"
