#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2504: the `ignoreMounts` rule parameter (Kubescape's R0002 binding parameter) on a real
# volume. A podman+runc container with a host directory mounted at /opt/data is bound to a
# hand-written profile whose binding gives R0002 `ignoreMounts: true`; the container then reads
# /opt/data/report (on the volume) and /etc/passwd (in the image): R0002 for /etc/passwd only.
# Without the parameter (a second container, same profile, a binding without rules) both raise
# it: the volume's file is left out by the parameter, not by anything else.
. "$(dirname "$0")/../lib/common.sh"
. "$TESTLIB/podman.sh"
requires_podman
podman_image_busybox
vigil_has agent || skip "vigil agent is not part of this build"

PROFILES=$TEST_TMP/profiles
ALERTS=$TEST_TMP/alerts.jsonl
VOL=$TEST_TMP/vol
mkdir -p "$PROFILES" "$VOL"
echo data >"$VOL/report"
cat >"$PROFILES/box.yaml" <<EOF
apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1
kind: ContainerProfile
metadata: {name: box}
spec:
  capabilities: [CAP_SYS_ADMIN]
  execs:
  - path: /bin/busybox
EOF
LOOP='while [ ! -e /opt/data/go ]; do sleep 0.2; done; cat /opt/data/report /etc/passwd >/dev/null; exec sleep 600'
PODMAN_OPTS=(-v "$VOL:/opt/data")
podman_start with "$BUSYBOX_IMAGE" sh -c "$LOOP"
with_id=$PODMAN_ID with_name=$PODMAN_NAME
podman_start without "$BUSYBOX_IMAGE" sh -c "$LOOP"
without_id=$PODMAN_ID without_name=$PODMAN_NAME

{
	echo "state_dir: $TEST_TMP/state"
	echo "profiles_dir: $PROFILES"
	echo "rescan: 200ms"
	echo "# only our containers: other tests' containers may be running on this machine"
	echo "include_cgroups: [\"$(podman_cgroup "$with_id")\", \"$(podman_cgroup "$without_id")\"]"
	echo "learning: {duration: 1h}"
	echo "enabled_rules: [R0002]   # Kubescape ships it off"
	echo "sinks: [\"file:$ALERTS\"]"
	echo "bindings:"
	echo "  - profile: box.yaml"
	echo "    name: $with_name"
	echo "    rules:"
	echo "      - ruleID: R0002"
	echo "        parameters: {ignoreMounts: true}"
	echo "  - profile: box.yaml"
	echo "    name: $without_name"
} >"$TEST_TMP/agent.yaml"
"$VIGIL" agent --check --config "$TEST_TMP/agent.yaml" || fail "config rejected"
spawn agent "$VIGIL" agent --config "$TEST_TMP/agent.yaml"
wait_for_line "$TEST_TMP/agent.log" "$with_name: detecting with $PROFILES/box.yaml" 20
wait_for_line "$TEST_TMP/agent.log" "$without_name: detecting with $PROFILES/box.yaml" 20

touch "$VOL/go"
r0002() { json_count_ge 1 "$ALERTS" rule_id=R0002 "workload.container_id=$1" "event.path=$2"; }
wait_until 15 r0002 "$with_id" /etc/passwd || fail "no R0002 for /etc/passwd: $(tail -c 2000 "$ALERTS")"
wait_until 15 r0002 "$without_id" /etc/passwd || fail "no R0002 for /etc/passwd (no parameters)"
wait_until 15 r0002 "$without_id" /opt/data/report ||
	fail "no R0002 for the volume's file without ignoreMounts: $(tail -c 2000 "$ALERTS")"
# the same cat read both files: the volume's was judged before /etc/passwd
assert_eq 0 "$(json_count "$ALERTS" rule_id=R0002 "workload.container_id=$with_id" event.path=/opt/data/report)" \
	"R0002 for a file on a volume under ignoreMounts"
log "ignoreMounts leaves out the volume's file (R0002 for it only without the parameter); /etc/passwd raises R0002 in both"
