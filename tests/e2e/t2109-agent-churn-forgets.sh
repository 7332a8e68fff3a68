#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2109: a departed workload leaves nothing behind in the agent (issue 16: memory flat under
# container churn). Short-lived podman containers, each a new workload learned into a profile of
# its own, come and go one after another (in a cgroup parent of this test's, the only workloads:
# other tests' containers on the node are not). Once each is gone and reaped, the status file
# shows no profile held in memory, while the learned files stay on disk: the profile of a
# departed workload is freed. Before this, the agent kept one more profile per departed
# container until its cap (1 024). (The sensor's table entry of a departed workload is freed
# too, sensor/sensor_maps.c; the table's count also holds other tests' containers, so it is
# measured by bench/agent_churn.sh, not asserted here.)
. "$(dirname "$0")/../lib/common.sh"
. "$TESTLIB/podman.sh"
requires_podman
podman_image_busybox
vigil_has agent || skip "vigil agent is not part of this build"

K=4
podman_cgroup_parent vigil-t2109
PARENT=$PODMAN_PARENT
state=$TEST_TMP/state
STATUS=$TEST_TMP/status.json
cat >"$TEST_TMP/agent.yaml" <<EOF2
state_dir: $state
status_file: $STATUS
scope: containers
rescan: 200ms
include_cgroups: ["$PARENT/*"]
learning:
  duration: 1s
sinks: [file:$state/alerts.jsonl]
EOF2
spawn agent "$VIGIL" agent --config "$TEST_TMP/agent.yaml"
wait_for_line "$TEST_TMP/agent.log" 'agent: started' 60

# status VALUE: one number from the status file (python expression on the object s)
status() { python3 -c 'import json, sys; s = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$STATUS" "$1" 2>/dev/null; }
mine() { status "len([w for w in s['workloads'] if w['cgroup'].startswith('$PARENT/')])"; }
learned() { ls "$state/profiles" 2>/dev/null | grep -c "vigil-churn-$$-" || true; }
# written after the departure of container $1: no workload live, its profile learned
settled() { [ "$(mine)" = 0 ] && [ "$(learned)" -ge "$1" ] && [ "$(status "s['profiles']['loaded']")" = 0 ]; }
# while container $1 runs: it is detecting with its learned profile, held in memory
bound() { [ "$(status "len([w for w in s['workloads'] if w['cgroup'].startswith('$PARENT/') and w['state'] == 'detecting'])")" = 1 ] && [ "$(status "s['profiles']['loaded']")" = 1 ]; }

run_one()
{
	local name=vigil-churn-$$-$1
	on_exit podman_cmd rm -f -t 0 "$name"
	# it runs until the agent has learned it (1 s) and bound it to its profile
	rm -f "$TEST_TMP/go"
	podman_cmd run -d --rm --name "$name" --cgroup-parent "$PARENT" -v "$TEST_TMP:/t" "$BUSYBOX_IMAGE" \
		sh -c 'cat /etc/hostname >/dev/null; while [ ! -e /t/go ]; do sleep 0.1; done' \
		>/dev/null || fail "podman run $name failed"
	wait_until 60 bound || fail "$name never detecting with its profile: $(cat "$STATUS")"
	touch "$TEST_TMP/go"
}

run_one 1
wait_until 60 settled 1 ||
	fail "after the first departure: live $(mine), learned $(learned), status: $(cat "$STATUS")"
for ((i = 2; i <= K; i++)); do
	run_one "$i"
	wait_until 60 settled "$i" ||
		fail "after departure $i: live $(mine), learned $(learned), profiles $(status "s['profiles']")"
done
echo "ok: $K departed workloads learned ($(learned) files), none held in memory"
