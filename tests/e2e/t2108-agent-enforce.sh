#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2108: enforcement from an agent binding (`enforce:`, `enforce_mode: kill`, docs/ENFORCEMENT.md).
# A podman container bound to a hand-written profile (busybox and its applets only) drops a copy
# of busybox into its writable layer and runs it to write a marker: the kernel kills the dropped
# program at exec (R1001, drift), the marker never appears, the container itself goes on, and
# the alert says killed. With the node-wide switch file present the same attack completes and the
# alert says would-kill (switch-off); removing the file turns enforcement back on. A rule the
# kernel cannot enforce is refused by `agent --check`.
. "$(dirname "$0")/../lib/common.sh"
. "$TESTLIB/podman.sh"
requires_podman
podman_image_busybox
vigil_has agent || skip "vigil agent is not part of this build"

PROFILES=$TEST_TMP/profiles
CTL=$TEST_TMP/ctl
ALERTS=$TEST_TMP/alerts.jsonl
mkdir -p "$PROFILES" "$CTL"
busybox_profile "$PROFILES/box.yaml" box "  capabilities: [CAP_SYS_ADMIN]"
# round R: copy busybox into the container's own layer and run the copy (drift)
LOOP=$(ctl_loop 'cp /bin/busybox /tmp/busybox-$r; /tmp/busybox-$r touch /ctl/marker-$r;')
PODMAN_OPTS=(--label "app=t2108-$$" -v "$CTL:/ctl")
podman_start box "$BUSYBOX_IMAGE" sh -c "$LOOP"
cat >"$TEST_TMP/agent.yaml" <<CONFIG
state_dir: $TEST_TMP/state
profiles_dir: $PROFILES
rescan: 200ms
include_cgroups: ["$(podman_cgroup "$PODMAN_ID")"]
learning:
  duration: 1h
cooldown: 0s
sinks: ["file:$ALERTS"]
enforce_switch: $TEST_TMP/switch
bindings:
  - profile: box.yaml
    label: app=t2108-$$
    enforce: [R0001, R1001]
    enforce_mode: kill
CONFIG
"$VIGIL" agent --check --config "$TEST_TMP/agent.yaml" || fail "config rejected"
sed 's/R1001]/R1001, R0005]/' "$TEST_TMP/agent.yaml" >"$TEST_TMP/bad.yaml"
if "$VIGIL" agent --check --config "$TEST_TMP/bad.yaml" 2>"$TEST_TMP/bad.err"; then
	fail "a rule the kernel cannot enforce was accepted"
fi
assert_contains "$(cat "$TEST_TMP/bad.err")" "R0005 is not enforced in the kernel" "the refusal says why"

spawn agent "$VIGIL" agent --config "$TEST_TMP/agent.yaml"
wait_for_line "$TEST_TMP/agent.log" "$PODMAN_NAME: enforcing \(kill\)" 30

# round ROUND: trigger, wait until the container says it is done with it
round() { ctl_round "$CTL" "$1"; }
alerts() { json_count "$ALERTS" "$@"; }
has_alert() { [ "$(alerts "$@")" -ge 1 ]; }

round k1
[ ! -e "$CTL/marker-k1" ] || fail "the dropped program ran and wrote its marker"
wait_until 10 has_alert event.path=/tmp/busybox-k1 action=killed ||
	fail "no alert saying killed: $(cat "$ALERTS" 2>/dev/null)"
assert_eq 1 "$(alerts event.path=/tmp/busybox-k1 rule_id=R1001 action=killed)" "one R1001 alert, killed"
assert_eq 0 "$(alerts action=killed event.path!=/tmp/busybox-k1)" "nothing else killed"

touch "$TEST_TMP/switch"
wait_for_line "$TEST_TMP/agent.log" "enforcement turned off by the node-wide switch" 10
round s1
[ -e "$CTL/marker-s1" ] || fail "switch off: the dropped program was killed anyway"
wait_until 10 has_alert event.path=/tmp/busybox-s1 action=would-kill action_reason=switch-off ||
	fail "no would-kill alert: $(cat "$ALERTS")"
rm -f "$TEST_TMP/switch"
wait_for_line "$TEST_TMP/agent.log" "enforcement back on by the node-wide switch" 10
round k2
[ ! -e "$CTL/marker-k2" ] || fail "switch back on: the dropped program ran"
wait_until 10 has_alert event.path=/tmp/busybox-k2 action=killed || fail "no killed alert after the switch"
echo "ok: agent binding kills drift at exec; the switch turns it off and on"
