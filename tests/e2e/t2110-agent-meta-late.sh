#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2110: a container its engine describes late is still bound by label (sensor/agent/meta_late.c).
# On a loaded node `podman inspect` can take longer than the agent's bound; the container then
# fell through to learning as if no binding named it, and learned what it did as normal. Here
# the agent's `podman` answers only after the bound for its first questions (a wrapper that
# sleeps, first in the agent's PATH): the agent says so, asks again from the rescan, takes the
# container's name when podman answers, binds it by label to its hand-written profile with
# enforcement, drops what it learned meanwhile, and the dropped program is killed at exec. The
# question asked again is slow too, and the agent's loop does not wait for it.
# A second container no binding names keeps learning past its 3 s window until podman has
# answered, so its profile is written under its name, not under its id.
. "$(dirname "$0")/../lib/common.sh"
. "$TESTLIB/podman.sh"
requires_podman
podman_image_busybox
vigil_has agent || skip "vigil agent is not part of this build"

PROFILES=$TEST_TMP/profiles
CTL=$TEST_TMP/ctl
ALERTS=$TEST_TMP/alerts.jsonl
SLOWBIN=$TEST_TMP/slowbin
mkdir -p "$PROFILES" "$CTL" "$SLOWBIN"
busybox_profile "$PROFILES/box.yaml" box "  capabilities: [CAP_SYS_ADMIN]"
# the first SLOW_ANSWERS questions are answered after the agent's bound (5 s): one per container
SLOW_ANSWERS=2
# the first question asked again is slow too: the agent must not wait for it
podman_inspect_wrapper "$SLOWBIN" '[ "$N" -ge '$SLOW_ANSWERS' ] || sleep 8
	[ "$N" -ne '$SLOW_ANSWERS' ] || { echo out >"'$SLOWBIN'/slow-retry"; sleep 12; }'

LOOP=$(ctl_loop 'cp /bin/busybox /tmp/busybox-$r; /tmp/busybox-$r touch /ctl/marker-$r;')
PODMAN_OPTS=(--label "app=t2110-$$" -v "$CTL:/ctl")
podman_start box "$BUSYBOX_IMAGE" sh -c "$LOOP"
BOX_ID=$PODMAN_ID BOX_NAME=$PODMAN_NAME
PODMAN_OPTS=(--label "app=t2110-other-$$")
podman_start free "$BUSYBOX_IMAGE" sh -c 'while :; do sleep 0.5; done'
FREE_ID=$PODMAN_ID FREE_NAME=$PODMAN_NAME
cat >"$TEST_TMP/agent.yaml" <<CONFIG
state_dir: $TEST_TMP/state
profiles_dir: $PROFILES
rescan: 200ms
include_cgroups: ["$(podman_cgroup "$BOX_ID")", "$(podman_cgroup "$FREE_ID")"]
learning:
  duration: 3s
cooldown: 0s
status_file: $TEST_TMP/status.json
sinks: ["file:$ALERTS"]
bindings:
  - profile: box.yaml
    label: app=t2110-$$
    enforce: [R0001, R1001]
    enforce_mode: kill
CONFIG
"$VIGIL" agent --check --config "$TEST_TMP/agent.yaml" || fail "config rejected"

spawn agent env PATH="$SLOWBIN:$PATH" "$VIGIL" agent --config "$TEST_TMP/agent.yaml"
wait_for_line "$TEST_TMP/agent.log" "${BOX_ID:0:12}: its engine did not describe it in time" 60
wait_for_line "$TEST_TMP/agent.log" "${FREE_ID:0:12}: its engine did not describe it in time" 60
# before podman answered, the container learned (nothing named it yet)
wait_for_line "$TEST_TMP/agent.log" "${BOX_ID:0:12}: learning for" 30
# while the slow question asked again is out, the agent's loop goes on (its status is rewritten
# every 2 s); a loop that waited for the answer would stand still for the question's length
wait_for_file "$SLOWBIN/slow-retry" 60
status_time() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["time"])' "$TEST_TMP/status.json" 2>/dev/null; }
# 8 s of the 12 s question: a free loop rewrites its status 4 times (every 2 s); one that waits
# for the answer (even 5 s at a time) at most twice
seen=$(for _ in $(seq 16); do status_time; sleep 0.5; done | sort -u | wc -l)
[ "$seen" -ge 4 ] || fail "the agent's loop stood still while its engine was asked again ($seen status writes in 8 s)"
wait_for_line "$TEST_TMP/agent.log" "described by its engine late: $BOX_NAME" 90
wait_for_line "$TEST_TMP/agent.log" "$BOX_NAME: enforcing \(kill\)" 30
wait_for_line "$TEST_TMP/agent.log" "$BOX_NAME: detecting with $PROFILES/box.yaml \(bound after" 30
wait_for_line "$TEST_TMP/agent.log" "described by its engine late: $FREE_NAME" 90
wait_for_file "$PROFILES/$FREE_NAME.yaml" 30
asked=$(cat "$SLOWBIN/asked")
[ "$asked" -gt "$SLOW_ANSWERS" ] || fail "podman was asked $asked times: no question after the slow ones"

ctl_round "$CTL" k1
[ ! -e "$CTL/marker-k1" ] || fail "the dropped program ran: the late binding's enforcement is not in force"
wait_until 10 json_count_ge 1 "$ALERTS" event.path=/tmp/busybox-k1 rule_id=R1001 action=killed ||
	fail "no R1001 alert saying killed: $(cat "$ALERTS" 2>/dev/null)"
assert_eq 1 "$(json_count "$ALERTS" event.path=/tmp/busybox-k1 rule_id=R1001 action=killed workload.name="$BOX_NAME")" \
	"one R1001 alert, killed, in the container's own name"
# what it learned before the binding was dropped: no learned profile, no checkpoint
stop_pid "$SPAWNED_PID"
assert_eq "box.yaml $FREE_NAME.yaml" "$(cd "$PROFILES" && ls | sort | tr '\n' ' ' | sed 's/ $//')" \
	"the bound container learned nothing to disk; the other's profile is under its name"
[ -z "$(ls -A "$TEST_TMP/state/learning" 2>/dev/null)" ] || fail "a learning checkpoint was left: $(ls "$TEST_TMP/state/learning")"
echo "ok: containers described late: bound by label and enforced (interim learning dropped), or learned under their name"
