#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2111: a new container's engine answers slowly; nobody else waits, and what the container did
# before the answer is judged under its name (sensor/agent/naming.c).
# The agent asks `podman inspect` who a new container is (name, labels: what binds it). Asked on
# the agent's loop, a slow engine (a loaded node, or an attacker starting containers) delayed
# every alert of the node by up to its 5 s bound. Here the agent's podman (a wrapper) answers
# about one new container late (until the test saw what it waits for). Meanwhile:
#   - a known container bound to its profile drops and runs a program: its alert is out while
#     the slow question is still pending (order, not a time bound);
#   - the new container drops and runs a program in its first milliseconds (outside the profile
#     a label binds it to), then floods opens: after the answer the early exec is alerted under
#     the container's engine name (held, then judged; not learned), and the events its queue
#     could not hold are counted in the status file and reported by V0002 (held);
#   - another new container runs its program and exits before the answer: it is judged too.
. "$(dirname "$0")/../lib/common.sh"
. "$TESTLIB/podman.sh"
requires_podman
podman_image_busybox
vigil_has agent || skip "vigil agent is not part of this build"

PROFILES=$TEST_TMP/profiles
CTL=$TEST_TMP/ctl
ALERTS=$TEST_TMP/alerts.jsonl
SLOWBIN=$TEST_TMP/slowbin
mkdir -p "$PROFILES" "$CTL"
for p in known slow; do
	busybox_profile "$PROFILES/$p.yaml" "$p"
done

LOOP=$(ctl_loop 'cp /bin/busybox /tmp/busybox-$r; /tmp/busybox-$r true;')
PODMAN_OPTS=(--label "app=t2111-known-$$" -v "$CTL:/ctl")
podman_start known "$BUSYBOX_IMAGE" sh -c "$LOOP"
KNOWN_ID=$PODMAN_ID KNOWN_NAME=$PODMAN_NAME
# the slow one is created now (its id is known) and started once the agent runs: below podman's
# parent, which the agent watches, so it is seen from its first instruction
SLOW_NAME=vigil-$TEST_NAME-slow-$$
on_exit podman_cmd rm -f -t 0 "$SLOW_NAME"
SLOW_ID=$(podman_cmd create --name "$SLOW_NAME" --label "app=t2111-slow-$$" -v "$CTL:/ctl" "$BUSYBOX_IMAGE" sh -c \
	'cp /bin/busybox /tmp/early; /tmp/early true; i=0; while [ $i -lt 3000 ]; do : >/tmp/f$i; i=$((i + 1)); done; echo done >/ctl/flooded; while :; do sleep 0.5; done') ||
	fail "podman create failed"
# one more with the same label that runs its program and exits at once: it is gone before
# podman answers, and what it did is still judged under its name
GONE_NAME=vigil-$TEST_NAME-gone-$$
on_exit podman_cmd rm -f -t 0 "$GONE_NAME"
GONE_ID=$(podman_cmd create --name "$GONE_NAME" --label "app=t2111-slow-$$" "$BUSYBOX_IMAGE" sh -c \
	'cp /bin/busybox /tmp/gone; /tmp/gone true') || fail "podman create failed"
# questions about the slow container: pending (the wrapper's pid), then answered when the test
# releases it (at most 15 s, within the agent's engine_timeout), then the real podman answers;
# about the one that exits: 3 s
podman_inspect_wrapper "$SLOWBIN" 'if [ "$ID" = '"$SLOW_ID"' ]; then echo $$ >'"$SLOWBIN"'/pending; i=0
		while [ ! -e '"$SLOWBIN"'/release ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
		echo yes >'"$SLOWBIN"'/answered; fi
	[ "$ID" != '"$GONE_ID"' ] || sleep 3'

cat >"$TEST_TMP/agent.yaml" <<CONFIG
state_dir: $TEST_TMP/state
profiles_dir: $PROFILES
rescan: 500ms
# generous for a loaded test machine (the default is 5 s): the agent's loop never waits for it
engine_timeout: 20s
include_cgroups: ["$(podman_cgroup "$KNOWN_ID")", "/libpod_parent/libpod-$SLOW_ID", "/libpod_parent/libpod-$GONE_ID"]
learning:
  duration: 1h
health_interval: 500ms
status_file: $TEST_TMP/status.json
sinks: ["file:$ALERTS"]
bindings:
  - profile: known.yaml
    label: app=t2111-known-$$
  - profile: slow.yaml
    label: app=t2111-slow-$$
    enforce: [R0001, R1001]
CONFIG
"$VIGIL" agent --check --config "$TEST_TMP/agent.yaml" || fail "config rejected"

spawn agent env PATH="$SLOWBIN:$PATH" "$VIGIL" agent --config "$TEST_TMP/agent.yaml"
wait_for_line "$TEST_TMP/agent.log" "$KNOWN_NAME: detecting with $PROFILES/known.yaml" 60
podman_cmd start "$SLOW_NAME" "$GONE_NAME" >/dev/null || fail "podman start failed"
wait_for_file "$SLOWBIN/pending" 30

# while podman is asked about the new container, the known one's alert goes out
echo k1 >"$CTL/go"
known_alert() { json_count_ge 1 "$ALERTS" event.path=/tmp/busybox-k1 workload.name="$KNOWN_NAME"; }
wait_until 30 known_alert || fail "no alert for the known container: $(cat "$ALERTS" 2>/dev/null)"
# the question is still out: not answered, and its podman not given up (killed) by the agent
[ ! -e "$SLOWBIN/answered" ] && kill -0 "$(cat "$SLOWBIN/pending")" 2>/dev/null ||
	fail "the known container's alert waited for podman's answer about another container"
# podman answers once the new container has flooded (the flood is held, and overflows)
wait_for_file "$CTL/flooded" 15
echo go >"$SLOWBIN/release"

# after the answer: the new container's first exec, judged under its name, not learned
wait_for_file "$SLOWBIN/answered" 30
wait_for_line "$TEST_TMP/agent.log" "$SLOW_NAME: detecting with $PROFILES/slow.yaml" 30
slow_alert() { json_count_ge 1 "$ALERTS" event.path=/tmp/early workload.name="$SLOW_NAME"; }
wait_until 20 slow_alert ||
	fail "the new container's early exec was not alerted under its name: $(grep -v '"V0' "$ALERTS" | tail -c 2000)"
assert_eq 0 "$(json_count "$ALERTS" event.path=/tmp/early workload.name="${SLOW_ID:0:12}")" \
	"no alert under the container's id"
gone_alert() { json_count_ge 1 "$ALERTS" event.path=/tmp/gone workload.name="$GONE_NAME"; }
wait_until 20 gone_alert ||
	fail "the exec of a container gone before its engine answered was not judged under its name"
# its flood did not fit its queue: counted, and said by V0002 (the status file is rewritten
# every 2 s: polled until it shows every container named)
status() { python3 -c "import json,sys; s=json.load(open(sys.argv[1])); print($1)" "$TEST_TMP/status.json"; }
settled() { [ "$(status "s['naming']['containers'] == 0 and s['naming']['answered'] == 3 and s['naming']['held'] == s['naming']['replayed']")" = True ]; }
wait_until 20 settled || fail "containers still being named, or held events not judged: $(status "s['naming']")"
log "naming: $(status "s['naming']")"
assert_ge "$(status "s['naming']['dropped']")" 1 "held events dropped (the flood did not fit)"
assert_ge "$(status "s['naming']['replayed']")" 1000 "held events (up to the queue's bound)"
held_alert() { json_count_ge 1 "$ALERTS" rule_id=V0002 event.drops.held!=0; }
wait_until 20 held_alert || fail "no V0002 for the held events dropped: $(grep V0002 "$ALERTS" | tail -c 1000)"
text=$("$VIGIL" status --config "$TEST_TMP/agent.yaml") || fail "vigil status failed"
echo "$text" | grep -qE '^naming: 0 containers now, [0-9]+ events held \([0-9]+ judged after the answer, [1-9][0-9]* dropped: queue full\), 3 answered, 0 timeouts' ||
	fail "vigil status does not say what was held and dropped: $text"
stop_pid "$SPAWNED_PID"
[ ! -e "$PROFILES/$SLOW_NAME.yaml" ] || fail "the bound container learned a profile"
echo "ok: a slow engine delays nobody else; a new container's first exec is judged under its name after the answer; held events that did not fit are counted (V0002)"
