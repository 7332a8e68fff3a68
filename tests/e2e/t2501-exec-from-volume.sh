#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2501: R1004 in a real container. `vigil agent` learns a podman+runc container that runs a
# program from a volume (podman -v, a bind mount of a host directory) every 200 ms; the
# learned loop stays quiet; then the container runs another program from the same volume,
# one its profile does not list: exactly R1004, naming the program and the volume.
. "$(dirname "$0")/../lib/common.sh"
. "$TESTLIB/podman.sh"
requires_podman
podman_image_busybox
vigil_has agent || skip "vigil agent is not part of this build"

PROFILES=$TEST_TMP/profiles
ALERTS=$TEST_TMP/alerts.jsonl
VOL=$TEST_TMP/vol
mkdir -p "$VOL"
static_program "$VOL/tool-ok"
cp "$VOL/tool-ok" "$VOL/tool-new"

PODMAN_OPTS=(-v "$VOL:/vol")
podman_start box "$BUSYBOX_IMAGE" sh -c \
	'while :; do /vol/tool-ok; if [ -e /vol/go ]; then /vol/tool-new; fi; sleep 0.2; done'
agent_yaml "$TEST_TMP/agent.yaml" "$ALERTS" 2s "$(podman_cgroup "$PODMAN_ID")"
spawn agent "$VIGIL" agent --config "$TEST_TMP/agent.yaml"
wait_for_line "$TEST_TMP/agent.log" "$PODMAN_NAME: learned -> " 15
assert_file_contains "$PROFILES/$PODMAN_NAME.yaml" /vol/tool-ok
# the learned loop, watched for a second: quiet
sleep 1
assert_eq 0 "$(json_count "$ALERTS" "workload.container_id=$PODMAN_ID" 2>/dev/null || echo 0)" \
	"alerts on the learned loop: $(head -c 1500 "$ALERTS" 2>/dev/null)"

touch "$VOL/go"
wait_until 10 json_count_ge 1 "$ALERTS" "workload.container_id=$PODMAN_ID" rule_id=R1004 ||
	fail "no R1004 for /vol/tool-new: $(tail -c 2000 "$ALERTS" 2>/dev/null)"
sleep 0.5
rules=$(json_get "$ALERTS" rule_id "workload.container_id=$PODMAN_ID" | sort -u | tr '\n' ' ')
assert_eq "R1004 " "$rules" "rules raised for the container"
[ "$(json_count "$ALERTS" rule_id=R1004 event.path=/vol/tool-new severity=5 "message~/vol" \
	"rule_name=Process executed from mount")" = 1 ] || fail "R1004 fields: $(head -c 2000 "$ALERTS")"
log "a program from a volume the profile lacks: R1004; the learned one: quiet"
