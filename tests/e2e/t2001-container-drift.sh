#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2001: `vigil agent` finds a running podman+runc container, learns it for a short window,
# writes its profile, then detects: a binary written into the container (so on its overlay
# upper layer, not part of the image) and run there raises exactly R1001 for that container.
. "$(dirname "$0")/../lib/common.sh"
. "$TESTLIB/podman.sh"
requires_podman
podman_image_busybox
vigil_has agent || skip "vigil agent is not part of this build"

PROFILES=$TEST_TMP/profiles
ALERTS=$TEST_TMP/alerts.jsonl

# The binary to drop: static, so it needs nothing from the image, and quiet.
static_program "$TEST_TMP/dropped"

# The container loops on `sleep` until the dropped binary appears, runs it, and goes on as
# before.
podman_start box "$BUSYBOX_IMAGE" sh -c \
	'while [ ! -e /usr/local/bin/dropped ]; do sleep 0.2; done; /usr/local/bin/dropped;
	 while :; do sleep 0.2; done'
pid=$(podman_pid "$PODMAN_ID")
agent_yaml "$TEST_TMP/agent.yaml" "$ALERTS" 2s "$(podman_cgroup "$PODMAN_ID")"
"$VIGIL" agent --check --config "$TEST_TMP/agent.yaml" || fail "config rejected"

spawn agent "$VIGIL" agent --config "$TEST_TMP/agent.yaml"
AGENT_PID=$SPAWNED_PID
wait_for_line "$TEST_TMP/agent.log" "$PODMAN_NAME: learning" 10
wait_for_line "$TEST_TMP/agent.log" "$PODMAN_NAME: learned -> " 10
PROFILE=$PROFILES/$PODMAN_NAME.yaml
assert_file_contains "$PROFILE" "kind: ContainerProfile"
assert_file_contains "$PROFILE" "/bin/busybox"
# it was running before the agent saw it
assert_file_contains "$PROFILE" "kubescape.io/completion: partial"
assert_file_contains "$PROFILE" "kubescape.io/workload-kind: Container"
sleep 0.5
assert_eq 0 "$(json_count "$ALERTS" "workload.container_id=$PODMAN_ID" 2>/dev/null || echo 0)" \
	"alerts before the drift: $(head -c 1500 "$ALERTS" 2>/dev/null)"

# Drop a binary into the container's filesystem (its overlay upper layer).
cp "$TEST_TMP/dropped" "/proc/$pid/root/usr/local/bin/dropped.tmp"
mv "/proc/$pid/root/usr/local/bin/dropped.tmp" "/proc/$pid/root/usr/local/bin/dropped"
wait_until 10 json_count_ge 1 "$ALERTS" "workload.container_id=$PODMAN_ID" rule_id=R1001 || fail "no R1001 for the drifted binary: $(tail -c 2000 \
	"$ALERTS" 2>/dev/null)"
sleep 0.5
rules=$(json_get "$ALERTS" rule_id "workload.container_id=$PODMAN_ID" | sort -u | tr '\n' ' ')
assert_eq "R1001 " "$rules" "rules raised for the container"
[ "$(json_count "$ALERTS" rule_id=R1001 event.path=/usr/local/bin/dropped \
	event.upper_layer=true "workload.container_name=$PODMAN_NAME" severity=8)" = 1 ] ||
	fail "R1001 alert fields: $(head -c 2000 "$ALERTS")"

# SIGTERM: flush and exit 0.
kill -TERM "$AGENT_PID"
wait "$AGENT_PID" && rc=0 || rc=$?
assert_eq 0 "$rc" "agent exit status after SIGTERM"
