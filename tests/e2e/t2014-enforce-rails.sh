#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Enforcement's rails not covered elsewhere (docs/ENFORCEMENT.md, "Safety rails"), each with the
# attack that would show a broken rail:
#   1. unsigned when signatures are required: with --pub, an unsigned profile is not used at all
#      (R1016): its deviation runs, nothing is killed; the same profile signed is enforced.
#   2. SIGUSR1 to `vigil watch` turns enforcement off while the workload runs: the deviation
#      after the signal runs and its alert says would-kill / switch-off.
#   3. the sensor's own process is never acted on: moved into the cgroup of the workload it
#      enforces R0011 on, its alerts still go out to a syslog peer that profile does not list
#      (the cgroup hook would refuse the datagram to any other process of that cgroup) and it is
#      not killed. (The host's init is spared by the same test in the kernel; killing pid 1 on
#      purpose is not tried.)
#   4. dry-run of R1005 (fileless): the memfd program runs, the alert says would-kill.
. "$(dirname "$0")/../lib/common.sh"
requires_root
requires_progs
requires_cmd python3
vigil_has watch || skip "vigil watch is not part of this build"

T=$TEST_TMP
MODE=$T/mode
M=$T/markers
mkdir -p "$M"
CG2=$(cgroup2_root)

cat >"$T/udp_listen.py" <<'EOF'
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print("port %d" % s.getsockname()[1], flush=True)
while True:
    data, peer = s.recvfrom(65536)
    print("got %s" % data.decode("utf-8", "replace").replace("\n", " "), flush=True)
EOF
spawn_server syslog python3 "$T/udp_listen.py"
SYSLOG=$SERVER_PORT

# the workload: benign (what every mode does before its deviation is learned), then one
# deviation per mode; "wait" and "self" wait for the test to say go (and done)
cat >"$T/drive.sh" <<EOS
#!/bin/bash
cat /etc/hostname >/dev/null
echo \$\$ >'$M/pid'
sleep 0.05
case "\$(cat '$MODE')" in
plain) /usr/bin/touch '$M/touched' ;;
wait | self)
	while [ ! -e '$M/go' ]; do sleep 0.05; done
	/usr/bin/touch '$M/touched'
	while [ "\$(cat '$MODE')" = self ] && [ ! -e '$M/done' ]; do sleep 0.05; done ;;
memfd) '$PROGS/memfd_exec' /usr/bin/touch touch '$M/memfd' ;;
esac
echo end >'$M/end'
EOS

echo learn >"$MODE"
"$VIGIL" learn --out "$T/p.yaml" --name drive -- /bin/bash "$T/drive.sh" \
	2>"$T/learn.err" || fail "learn: $(cat "$T/learn.err")"
assert_file_contains "$T/p.yaml" "kubescape.io/completion: complete"

# watch NAME PROFILE MODE [OPTIONS...]: one run in the foreground; alerts in $T/NAME.jsonl
watch()
{
	local name=$1 profile=$2 mode=$3
	shift 3
	rm -f "$M"/*
	echo "$mode" >"$MODE"
	"$VIGIL" watch --profile "$profile" --alerts "file:$T/$name.jsonl" --cooldown 0s \
		--enforce-switch "$T/switch" "$@" -- /bin/bash "$T/drive.sh" \
		>"$T/$name.out" 2>"$T/$name.err" && fail "$name: no alert"
	[ -f "$M/end" ] || fail "$name: the workload did not run to its end: $(cat "$T/$name.err")"
	touch "$T/$name.jsonl"
}
alerts() { json_count "$T/$1.jsonl" "${@:2}"; }

# 1. signatures required: unsigned is not used, signed is enforced
(cd "$T" && "$VIGIL" keygen --out ops.key 2>/dev/null) || fail "keygen"
"$VIGIL" sign --key "$T/ops.key" --identity ops@example.org -o "$T/signed.yaml" "$T/p.yaml" ||
	fail "sign"
watch unsigned "$T/p.yaml" plain --pub "$T/ops.key.pub" --enforce R0001 --enforce-mode kill
[ -e "$M/touched" ] || fail "unsigned: the deviation was stopped: the profile was used"
assert_ge "$(alerts unsigned rule_id=R1016)" 1 "unsigned: R1016: $(cat "$T/unsigned.jsonl")"
assert_eq 0 "$(alerts unsigned action?)" "unsigned: an action was recorded"
watch signed "$T/signed.yaml" plain --pub "$T/ops.key.pub" --enforce R0001 --enforce-mode kill
[ ! -e "$M/touched" ] || fail "signed: the deviation ran"
assert_eq 1 "$(alerts signed rule_id=R0001 event.path=/usr/bin/touch action=killed)" \
	"signed: killed: $(cat "$T/signed.jsonl")"

# 2. SIGUSR1 while the workload runs
rm -f "$M"/*
echo wait >"$MODE"
spawn usr1 "$VIGIL" watch --profile "$T/p.yaml" --alerts "file:$T/usr1.jsonl" --cooldown 0s \
	--enforce-switch "$T/switch" --enforce R0001 --enforce-mode kill -- /bin/bash "$T/drive.sh"
wait_for_line "$TEST_TMP/usr1.log" "enforcing R0001 \(kill\)" 30
kill -USR1 "$SPAWNED_PID"
wait_for_line "$TEST_TMP/usr1.log" "enforcement turned off by the node-wide switch" 10
touch "$M/go"
wait_for_file "$M/end" 20
[ -e "$M/touched" ] || fail "SIGUSR1: the deviation was killed anyway"
has_usr1_alert() { [ "$(alerts usr1 rule_id=R0001 action=would-kill action_reason=switch-off)" -ge 1 ]; }
wait_until 10 has_usr1_alert || fail "SIGUSR1: no switch-off alert: $(cat "$T/usr1.jsonl" 2>/dev/null)"

# 3. the sensor in the cgroup it enforces R0011 on: moved there before its first alert (a sink
#    connects at its first delivery), its alert datagrams to a peer the profile does not list
#    still go out while it is inside, and it is not killed
home_procs="$CG2$(sed -n 's/^0:://p' /proc/self/cgroup)/cgroup.procs"
home_procs=${home_procs/\/\/cgroup.procs//cgroup.procs}
rm -f "$M"/*
echo self >"$MODE"
spawn self "$VIGIL" watch --profile "$T/p.yaml" --alerts "file:$T/self.jsonl" \
	--alerts "syslog:127.0.0.1:$SYSLOG" --cooldown 0s --enforce-switch "$T/switch" \
	--enforce R0001,R0011 --enforce-mode kill -- /bin/bash "$T/drive.sh"
WATCH=$SPAWNED_PID
wait_for_line "$TEST_TMP/self.log" "enforcing R0001,R0011 \(kill\)" 30
wait_for_file "$M/pid" 20
wl_cg=$(sed -n 's/^0:://p' "/proc/$(cat "$M/pid")/cgroup")
[ -n "$wl_cg" ] && [ "$wl_cg" != / ] || fail "self: no cgroup for the workload"
echo "$WATCH" >"$CG2$wl_cg/cgroup.procs" || fail "self: cannot move the sensor"
on_exit sh -c "echo $WATCH >'$home_procs' 2>/dev/null || true"
assert_eq "$wl_cg" "$(sed -n 's/^0:://p' "/proc/$WATCH/cgroup")" "the sensor is in the workload's cgroup"
touch "$M/go"
syslog_got_touch() { grep -q 'R0001.*comm="touch"' "$TEST_TMP/syslog.log"; }
wait_until 20 syslog_got_touch ||
	fail "the sensor's alert to a peer outside the profile was refused: $(cat "$TEST_TMP/syslog.log") $(cat "$TEST_TMP/self.log")"
kill -0 "$WATCH" || fail "the sensor died in the workload's cgroup: $(cat "$TEST_TMP/self.log")"
echo "$WATCH" >"$home_procs"
touch "$M/done"
wait_for_file "$M/end" 20
watch_gone() { ! kill -0 "$WATCH" 2>/dev/null; }
wait_until 20 watch_gone || fail "self: the watch did not end with its workload"
[ ! -e "$M/touched" ] || fail "self: the deviation ran"
has_self_kill() { [ "$(alerts self rule_id=R0001 event.path=/usr/bin/touch action=killed)" -ge 1 ]; }
wait_until 10 has_self_kill || fail "self: no killed alert: $(cat "$T/self.jsonl" 2>/dev/null)"
assert_eq 0 "$(alerts self rule_id=R0011)" "the sensor's own egress judged as the workload's"

# 4. R1005 dry-run: the fileless program runs
watch memfd-dry "$T/p.yaml" memfd --enforce R1005
[ -e "$M/memfd" ] || fail "dry-run: the memfd program did not run"
assert_eq 1 "$(alerts memfd-dry rule_id=R1005 action=would-kill action_reason=dry-run)" \
	"R1005 dry-run: $(cat "$T/memfd-dry.jsonl")"
echo "ok: $TEST_NAME"
