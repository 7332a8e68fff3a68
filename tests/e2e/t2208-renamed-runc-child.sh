#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2208: a process of the workload that calls itself runc is still the workload's. A container
# seen from its start learns a loop; then its shell starts two subshells one right after the
# other, each renaming itself `runc:[2:INIT]` (/proc/self/comm) and reading a file under /etc
# its profile lacks. Their forks are repeats the kernel de-duplicates (the agent's default) and
# they exec nothing, so nothing but their parent says they are the workload's: the runtime
# start-up filter once took them for runc's init and dropped their events (no R0002). Both
# reads are R0002. And a container older than the agent whose shell (its pid 1, parent outside)
# renamed itself `runc:[2:INIT]` before the agent met it: the agent once left it out of the
# workload's processes by its name alone; it runs its own binary, so its read is R0002 too.
. "$(dirname "$0")/../lib/common.sh"
. "$TESTLIB/podman.sh"
requires_podman
requires_progs
podman_image_progs
vigil_has agent || skip "vigil agent is not part of this build"

ALERTS=$TEST_TMP/alerts.jsonl
VOL=$TEST_TMP/vol
mkdir -p "$VOL"
echo a >"$TEST_TMP/secret-a"
echo b >"$TEST_TMP/secret-b"
echo c >"$TEST_TMP/secret-c"

# older than the agent: its shell renames itself, then loops; reads the secret on /vol/old-go
PODMAN_OPTS=(-v "$VOL:/vol" -v "$TEST_TMP/secret-c:/etc/vigil-secret-c:ro")
podman_start old "$PROGS_IMAGE" sh -c "echo -n 'runc:[2:INIT]' >/proc/self/comm
	while :; do /progs/syscall_set >/dev/null
	if [ -e /vol/old-go ]; then read x </etc/vigil-secret-c; rm /vol/old-go; fi
	sleep 0.2; done"
old_id=$PODMAN_ID old_name=$PODMAN_NAME
wait_until 10 grep -q 'runc' "/proc/$(podman_cmd inspect -f '{{.State.Pid}}' "$old_name")/comm" ||
	fail "the old container's shell did not rename itself"
{
	echo "state_dir: $TEST_TMP/state"
	echo "profiles_dir: $TEST_TMP/profiles"
	echo "scope: containers"
	echo "rescan: 200ms"
	echo "learning:"
	echo "  duration: 4s"
	# the default cooldown: the kernel de-duplicates (cooldown 0 would report every fork);
	# no burst window, so the second reader's alert is not folded into the first's
	echo "burst_window: 0s"
	echo "enabled_rules: [R0002]"
	echo "sinks: [\"file:$ALERTS\"]"
	echo "kubernetes:"
	echo "  api_server: off"
} >"$TEST_TMP/agent.yaml"
spawn agent "$VIGIL" agent --config "$TEST_TMP/agent.yaml"
wait_for_line "$TEST_TMP/agent.log" 'agent: started' 20

PODMAN_OPTS=(-v "$VOL:/vol" -v "$TEST_TMP/secret-a:/etc/vigil-secret-a:ro"
	-v "$TEST_TMP/secret-b:/etc/vigil-secret-b:ro")
# a subshell: a fork of sh, no exec; it renames itself through /proc/self/comm and reads with
# shell builtins (its fork is a repeat of the loop's many, de-duplicated in the kernel)
run() { echo "(echo -n 'runc:[2:INIT]' >/proc/self/comm; read x </etc/vigil-secret-$1)"; }
podman_start box "$PROGS_IMAGE" sh -c "while :; do /progs/syscall_set >/dev/null
	if [ -e /vol/go ]; then $(run a); $(run b); rm /vol/go; fi
	sleep 0.2; done"
wait_for_line "$TEST_TMP/agent.log" "$PODMAN_NAME: learned -> " 40
grep -q 'kubescape.io/completion: complete' "$TEST_TMP/profiles/$PODMAN_NAME.yaml" ||
	fail "not seen from its start: $(grep completion "$TEST_TMP/profiles/$PODMAN_NAME.yaml")"
wait_for_line "$TEST_TMP/agent.log" "$old_name: learned -> " 40
grep -q 'kubescape.io/completion: partial' "$TEST_TMP/profiles/$old_name.yaml" ||
	fail "$old_name: older than the agent, not partial: $(grep completion "$TEST_TMP/profiles/$old_name.yaml")"

touch "$ALERTS" "$VOL/go"
r0002() { json_count_ge 1 "$ALERTS" rule_id=R0002 "workload.container_id=$PODMAN_ID" "event.path=$1"; }
wait_until 15 r0002 /etc/vigil-secret-a ||
	fail "no R0002 for the first renamed reader (its fork de-duplicated): $(tail -c 2000 "$ALERTS")"
wait_until 5 r0002 /etc/vigil-secret-b ||
	fail "no R0002 for the second renamed reader (its fork de-duplicated): $(tail -c 2000 "$ALERTS")"
assert_eq 2 "$(json_count "$ALERTS" rule_id=R0002 "workload.container_id=$PODMAN_ID" "process.comm=runc:[2:INIT]")" \
	"R0002 of the renamed readers: $(json_filter "$ALERTS" rule_id=R0002 | head -c 1500)"

touch "$VOL/old-go"
wait_until 15 json_count_ge 1 "$ALERTS" rule_id=R0002 "workload.container_id=$old_id" \
	event.path=/etc/vigil-secret-c "process.comm=runc:[2:INIT]" ||
	fail "no R0002 for the renamed shell of a container older than the agent: $(tail -c 2000 "$ALERTS")"
log "processes of the workload renamed runc:[2:INIT]: judged, also with their fork de-duplicated, also met renamed"
