#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2511 (issue 14, "Noise"): t2510's workload in a real podman container (its own PID
# namespace: PIDs of 1 to 3 digits), learned by `vigil agent` and then watched. The container
# runs the job again and again: every iteration names its files by its PID ($$), `date +%s`,
# `date +%F`, `mktemp`, the kernel's random UUID and a hex id, and every iteration has other
# PIDs (each spawns a dozen processes). Learned over several iterations, the iterations after
# learning raise nothing with every rule on; then the job does what it never did (another
# applet, another input, another script, another program text): each alerts.
. "$(dirname "$0")/../lib/common.sh"
. "$TESTLIB/podman.sh"
requires_podman
podman_image_busybox
vigil_has agent || skip "vigil agent is not part of this build"

PROFILES=$TEST_TMP/profiles
ALERTS=$TEST_TMP/alerts.jsonl
WORK=$TEST_TMP/work.sh
cat >"$WORK" <<'EOF_WORK'
pid=$$
ts=$(date +%s)
day=$(date +%F)
tmp=$(mktemp)
tdir=$(mktemp -d)
uuid=$(cat /proc/sys/kernel/random/uuid)
id=$(echo "$uuid" | sha256sum | cut -c1-16)
echo "run $pid $ts" >"$tmp"
cp "$tmp" "/tmp/w/out-$pid.log"
cp "$tmp" "/run/app/app.$pid.pid"
cp "$tmp" "/var/log/app/app.$day.log"
mkdir "/tmp/w/job-$pid"
cp "$tmp" "/tmp/w/job-$pid/result"
cp "$tmp" "$tdir/chunk-$ts.dat"
cp "$tmp" "/tmp/w/obj-$id.bin"
touch "/tmp/w/req-$uuid.json"
cat "/proc/$pid/status" >/dev/null
grep -c run "/tmp/w/out-$pid.log" "/run/app/app.$pid.pid" >/dev/null
if [ -e /attack ]; then
	id >/dev/null
	cp /etc/passwd "/tmp/w/out-$pid.log"
	sh /other.sh
	env sh -c 'echo done; id'
	rm /attack
fi
rm -rf "$tmp" "$tdir" "/tmp/w/out-$pid.log" "/run/app/app.$pid.pid" "/tmp/w/job-$pid" \
	"/tmp/w/obj-$id.bin" "/tmp/w/req-$uuid.json"
EOF_WORK
printf 'echo hi\n' >"$TEST_TMP/other.sh"

# shellcheck disable=SC2034 # read by podman_start
PODMAN_OPTS=(-v "$WORK:/work.sh:ro" -v "$TEST_TMP/other.sh:/other.sh:ro")
podman_start job "$BUSYBOX_IMAGE" sh -c \
	'mkdir -p /tmp/w /run/app /var/log/app; while :; do sh /work.sh; sleep 0.2; done'
pid=$(podman_pid "$PODMAN_ID")
agent_yaml "$TEST_TMP/agent.yaml" "$ALERTS" 4s "$(podman_cgroup "$PODMAN_ID")"
printf "enabled_rules: [all]\ncooldown: 0s\n" >>"$TEST_TMP/agent.yaml" # every deviation on its own
"$VIGIL" agent --check --config "$TEST_TMP/agent.yaml" || fail "config rejected"

spawn agent "$VIGIL" agent --config "$TEST_TMP/agent.yaml"
AGENT_PID=$SPAWNED_PID
wait_for_line "$TEST_TMP/agent.log" "$PODMAN_NAME: learning" 10
wait_for_line "$TEST_TMP/agent.log" "$PODMAN_NAME: learned -> " 15
PROFILE=$PROFILES/$PODMAN_NAME.yaml
grep -q "out-[0-9]*\.log" "$PROFILE" &&
	fail "a PID-named argument was learned literally: $(grep -n "out-" "$PROFILE")"
# the iterations after learning: other PIDs, other times, other ids
sleep 4
assert_eq 0 "$(json_count "$ALERTS" "workload.container_id=$PODMAN_ID" 2>/dev/null || echo 0)" \
	"alerts on the benign iterations: $(head -c 3000 "$ALERTS" 2>/dev/null)"
log "benign iterations after learning: quiet"

touch "/proc/$pid/root/attack"
wait_until 10 test ! -e "/proc/$pid/root/attack" || fail "the job did not run the attack"
sleep 1
json_get "$ALERTS" message "workload.container_id=$PODMAN_ID" | sort | uniq -c >&2 || true
# busybox's sh runs some applets without an exec (id, cp): those are judged by what they do
[ "$(json_count "$ALERTS" "workload.container_id=$PODMAN_ID" process.comm=id)" -ge 1 ] ||
	fail "nothing for id"
for want in "/etc/passwd" "sh /other.sh" "echo done; id"; do
	[ "$(json_count "$ALERTS" "workload.container_id=$PODMAN_ID" "message~$want")" -ge 1 ] ||
		fail "nothing for $want"
done
log "another applet, input, script and program text: each alerts"
kill -TERM "$AGENT_PID"
wait "$AGENT_PID" || true
