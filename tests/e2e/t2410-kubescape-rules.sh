#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2410: Kubescape's rules that Vigil added, for real, with a benign twin each:
#   R1008  a DNS question for a mining pool's domain (pool.supportxmr.com) raises R1008 (not
#          also R0005); a question for another name the profile lacks is R0005's;
#   R1011  a program the profile knows, started with LD_PRELOAD set, raises R1011; a write of
#          /etc/ld.so.preload (denied: the writer is nobody) raises R1011; reading it is quiet;
#          with the defaults (R1011 off, as Kubescape ships it) the same runs raise nothing.
# The workload runs the same driver every time (the mode is in a file), learned once.
#
# Runs in a private network namespace (DNS on port 53 without touching the host's).
if [ "$(id -u)" = 0 ] && [ -z "${VIGIL_T2410_NETNS:-}" ] && command -v unshare >/dev/null; then
	VIGIL_T2410_NETNS=1 exec unshare --net -- "$0" "$@"
fi
. "$(dirname "$0")/../lib/common.sh"
requires_root
requires_progs
requires_cmd ip setpriv
vigil_has watch || skip "vigil watch is not part of this build"

ip link set lo up
spawn dns "$PROGS/dns_server" 53 127.0.0.1
wait_for_line "$TEST_TMP/dns.log" '^port 53$' 30

MODE=$TEST_TMP/mode
PROFILE=$TEST_TMP/hooks.yaml
DRIVE=$TEST_TMP/drive.sh
# The hooked program lives a few seconds: the sensor reads its environment from
# /proc/PID/environ when it decodes the exec (a process already gone is not known).
cat >"$DRIVE" <<EOF
#!/bin/sh
"$PROGS/dns_query" api.example.org 127.0.0.1 53 >/dev/null
cat /etc/hostname >/dev/null
case "\$(cat "$MODE")" in
benign) /bin/sleep 2 ;;
pool) "$PROGS/dns_query" pool.supportxmr.com 127.0.0.1 53 >/dev/null ;;
other) "$PROGS/dns_query" exfil.example.net 127.0.0.1 53 >/dev/null ;;
preload) LD_PRELOAD=/nonexistent-t2410.so /bin/sleep 2 2>/dev/null ;;
ldso) setpriv --reuid=65534 --regid=65534 --clear-groups /bin/sh -c 'echo /x.so >>/etc/ld.so.preload' 2>/dev/null ;;
esac
exit 0
EOF
chmod +x "$DRIVE"

echo benign >"$MODE"
"$VIGIL" learn --out "$PROFILE" --name hooks -- /bin/sh "$DRIVE" 2>"$TEST_TMP/learn.err" ||
	fail "vigil learn failed: $(cat "$TEST_TMP/learn.err")"
assert_file_contains "$PROFILE" /bin/sleep

# run NAME MODE [watch options]: sets ALERTS and RC.
run()
{
	local name=$1
	echo "$2" >"$MODE"
	shift 2
	ALERTS=$TEST_TMP/alerts-$name.jsonl
	set +e
	"$VIGIL" watch --profile "$PROFILE" --name hooks --alerts "file:$ALERTS" "$@" \
		-- /bin/sh "$DRIVE" >"$TEST_TMP/watch-$name.out" 2>"$TEST_TMP/watch-$name.err"
	RC=$?
	set -e
	[ -f "$ALERTS" ] || : >"$ALERTS"
	RULES=$(json_get "$ALERTS" rule_id | sort -u | tr '\n' ' ')
}

run benign benign --enable all
assert_eq "" "$RULES" "benign run, every rule on: $(head -c 1500 "$ALERTS")"
assert_eq 0 "$RC" "benign run exit status ($(cat "$TEST_TMP/watch-benign.err"))"

run pool pool
# dns_query with another name is also R0040 (new arguments); the lookup is R1008, not R0005
assert_eq "R0040 R1008 " "$RULES" "mining pool lookup: $(head -c 1500 "$ALERTS")"
[ "$(json_count "$ALERTS" rule_id=R1008 severity=10 event.domain=pool.supportxmr.com \
	"rule_name=Crypto Mining Domain Communication")" = 1 ] ||
	fail "R1008 fields: $(head -c 1500 "$ALERTS")"
run other other
assert_eq "R0005 R0040 " "$RULES" "another unknown name: $(head -c 1500 "$ALERTS")"

run preload preload --enable R1011
assert_eq "R1011 " "$RULES" "LD_PRELOAD exec: $(head -c 1500 "$ALERTS")"
[ "$(json_count "$ALERTS" rule_id=R1011 event.path=/usr/bin/sleep event.ld_hook=LD_PRELOAD)" = 1 ] ||
	[ "$(json_count "$ALERTS" rule_id=R1011 event.path=/bin/sleep event.ld_hook=LD_PRELOAD)" = 1 ] ||
	fail "R1011 exec fields: $(head -c 1500 "$ALERTS")"
run preload-default preload
assert_eq "" "$RULES" "LD_PRELOAD exec with R1011 off by default: $(head -c 1500 "$ALERTS")"

run ldso ldso --enable R1011
# the denied write is R1011's; setpriv itself is a new program (R0001)
[ "$(json_count "$ALERTS" rule_id=R1011 event.path=/etc/ld.so.preload)" -ge 1 ] ||
	fail "no R1011 for the write of /etc/ld.so.preload: $(head -c 1500 "$ALERTS")"
[ "$(json_count "$ALERTS" rule_id=R1011 event.ret~-)" -ge 1 ] ||
	fail "the write was not denied: $(head -c 1500 "$ALERTS")"
log "R1008 on a pool's domain; R1011 on LD_PRELOAD and on a write of /etc/ld.so.preload; quiet twins"
