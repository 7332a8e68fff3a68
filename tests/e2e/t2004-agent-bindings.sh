#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2004: `vigil agent` binds containers to hand-written profiles without learning them: by image
# and label (a binding in the configuration), and by Kubescape's container label
# kubescape.io/user-defined-profile. The hand-written profile's wildcards allow `sleep ANY`;
# `cat /etc/hostname` then raises R0040 (busybox with other arguments) and R0002 (the file).
# The label names a file in PROFILES_DIR, never a path: a third container whose label (the
# image's or its creator's) gives the absolute path of a profile outside it is not bound by it.
# A label value holding a newline does not forge another label: a fourth container whose label
# `note` ends in "\nkubescape.io/user-defined-profile=udp-PID" learns, unbound.
# A bad label costs only itself: a fifth container bound by the user-defined-profile label also
# has a label holding a NUL (podman prints "\u0000", which once made the agent refuse the whole
# labels object: every label lost, the container learned unbound), a 100 000-byte label (the
# answer was refused whole past 64 KiB) and 300 more labels; it is bound, and the agent says
# which labels it dropped and why. (Invalid UTF-8 and a key given twice cannot come from podman:
# tests/unit/test_agent_meta.c.)
. "$(dirname "$0")/../lib/common.sh"
. "$TESTLIB/podman.sh"
requires_podman
podman_image_busybox
vigil_has agent || skip "vigil agent is not part of this build"

PROFILES=$TEST_TMP/profiles
ALERTS=$TEST_TMP/alerts.jsonl
mkdir -p "$PROFILES"
# Hand-written. CAP_SYS_ADMIN: the kernel checks it (unaudited) when it accounts memory for a
# root process's mappings, so every root workload shows it.
for name in web "udp-$$"; do
	cat >"$PROFILES/$name.yaml" <<EOF
apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1
kind: ContainerProfile
metadata:
  name: $name
  annotations:
    kubescape.io/managed-by: User
spec:
  capabilities: [CAP_SYS_ADMIN]
  execs:
  - path: /bin/busybox
    args: [sleep, "⋯"]
EOF
done

# outside PROFILES_DIR: what a label with a path would have reached
cp "$PROFILES/web.yaml" "$TEST_TMP/outside-$$.yaml"

LOOP='while [ ! -e /tmp/go ]; do sleep 0.2; done; cat /etc/hostname; while :; do sleep 0.2; done'
PODMAN_OPTS=(--label "app=t2004-$$")
podman_start web "$BUSYBOX_IMAGE" sh -c "$LOOP"
web_id=$PODMAN_ID web_name=$PODMAN_NAME
PODMAN_OPTS=(--label "kubescape.io/user-defined-profile=udp-$$")
podman_start udp "$BUSYBOX_IMAGE" sh -c "$LOOP"
udp_id=$PODMAN_ID udp_name=$PODMAN_NAME
PODMAN_OPTS=(--label "kubescape.io/user-defined-profile=$TEST_TMP/outside-$$")
podman_start esc "$BUSYBOX_IMAGE" sh -c "$LOOP"
esc_id=$PODMAN_ID esc_name=$PODMAN_NAME
PODMAN_OPTS=(--label "note=x
kubescape.io/user-defined-profile=udp-$$")
podman_start forge "$BUSYBOX_IMAGE" sh -c "$LOOP"
forge_id=$PODMAN_ID forge_name=$PODMAN_NAME
# --label-file passes a NUL through (an argument cannot hold one)
printf 'nul=x\0y\nkubescape.io/user-defined-profile=udp-%s\n' "$$" >"$TEST_TMP/labels"
PODMAN_OPTS=(--label-file "$TEST_TMP/labels" --label "big=$(head -c 100000 /dev/zero | tr '\0' b)")
for i in $(seq 1 300); do PODMAN_OPTS+=(--label "many.$i=$i"); done
podman_start hostile "$BUSYBOX_IMAGE" sh -c "$LOOP"
hostile_id=$PODMAN_ID hostile_name=$PODMAN_NAME
cat >"$TEST_TMP/agent.yaml" <<EOF
state_dir: $TEST_TMP/state
profiles_dir: $PROFILES
rescan: 200ms
# only our containers: other tests' containers may be running on this machine
include_cgroups: ["$(podman_cgroup "$web_id")", "$(podman_cgroup "$udp_id")", "$(podman_cgroup "$esc_id")", "$(podman_cgroup "$forge_id")", "$(podman_cgroup "$hostile_id")"]
learning:
  duration: 1h
sinks: ["file:$ALERTS"]
enabled_rules: [R0002]   # Kubescape ships it off
bindings:
  - profile: web.yaml
    image: $BUSYBOX_IMAGE
    label: app=t2004-$$
EOF
"$VIGIL" agent --check --config "$TEST_TMP/agent.yaml" || fail "config rejected"

spawn agent "$VIGIL" agent --config "$TEST_TMP/agent.yaml"
wait_for_line "$TEST_TMP/agent.log" "$web_name: detecting with $PROFILES/web.yaml" 15
wait_for_line "$TEST_TMP/agent.log" "$udp_name: detecting with $PROFILES/udp-$$.yaml" 15
wait_for_line "$TEST_TMP/agent.log" "$hostile_name: detecting with $PROFILES/udp-$$.yaml" 15
grep -F "$hostile_name: label \"nul\" dropped: its value holds a NUL character" "$TEST_TMP/agent.log" ||
	fail "no warning about the NUL label: $(grep -F "$hostile_name" "$TEST_TMP/agent.log")"
grep -F "$hostile_name: label \"big\" dropped: its value is 100000 bytes long, over 4096" \
	"$TEST_TMP/agent.log" || fail "no warning about the long label"
[ "$(grep -cF "$hostile_name: label" "$TEST_TMP/agent.log")" = 2 ] ||
	fail "other labels dropped: $(grep -F "$hostile_name: label" "$TEST_TMP/agent.log")"
assert_not_contains "$(cat "$TEST_TMP/agent.log")" "$web_name: learning" "agent log"
wait_for_line "$TEST_TMP/agent.log" \
	"$esc_name: label kubescape.io/user-defined-profile=$TEST_TMP/outside-$$ ignored" 15
assert_not_contains "$(cat "$TEST_TMP/agent.log")" "with $TEST_TMP/outside-$$.yaml" "agent log"
wait_for_line "$TEST_TMP/agent.log" "$forge_name: learning" 15
assert_not_contains "$(cat "$TEST_TMP/agent.log")" "$forge_name: detecting" "agent log"
sleep 0.5
[ "$(json_count "$ALERTS" "workload.container_id=$web_id" 2>/dev/null || echo 0)" = 0 ] ||
	fail "alerts while the container only sleeps: $(head -c 1500 "$ALERTS")"

for id in "$web_id" "$udp_id"; do
	touch "/proc/$(podman_pid "$id")/root/tmp/go"
done
for id in "$web_id" "$udp_id"; do
	wait_until 10 json_count_ge 1 "$ALERTS" "workload.container_id=$id" rule_id=R0040 || fail "no R0040 for $id: $(tail -c 1500 "$ALERTS")"
done
sleep 0.5
for id in "$web_id" "$udp_id"; do
	rules=$(json_get "$ALERTS" rule_id "workload.container_id=$id" | sort -u | tr '\n' ' ')
	assert_eq "R0002 R0040 " "$rules" "rules for container $id"
done
[ "$(json_count "$ALERTS" rule_id=R0040 "workload.container_id=$web_id" profile.name=web \
	"workload.image=$BUSYBOX_IMAGE" process.args.0=cat)" = 1 ] ||
	fail "R0040 fields: $(head -c 2000 "$ALERTS")"
[ "$(json_count "$ALERTS" rule_id=R0002 event.path=/etc/hostname "profile.name=udp-$$")" = 1 ] ||
	fail "R0002 fields: $(head -c 2000 "$ALERTS")"
