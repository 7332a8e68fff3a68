#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2013: raw and packet sockets (V1001). A workload whose program sends an ICMP echo through a
# raw socket (as ping does) learns that executable into rulePolicies V1001 processAllowed, and
# a rerun is quiet. Then, each in its own run: a packet socket (a sniffer) from python3, and a
# copy of the allowed program that calls itself by the allowed name (prctl PR_SET_NAME) each
# raise V1001: the policy follows the executable, not the name; so does the copy making its raw
# socket with io_uring's SOCKET.
. "$(dirname "$0")/../lib/common.sh"
requires_root
requires_progs
requires_cmd python3
vigil_has watch || skip "vigil watch is not part of this build"

MODE=$TEST_TMP/mode
PROFILE=$TEST_TMP/p.yaml
DRIVE=$TEST_TMP/drive.sh
cp "$PROGS/raw_socket" "$TEST_TMP/copy"
cat >"$DRIVE" <<DRIVE_EOF
#!/bin/sh
"$PROGS/raw_socket" raw 127.0.0.1 >/dev/null
read mode <"$MODE"
case \$mode in
benign) ;;
packet) python3 -c 'import socket; socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0x300)' ;;
renamed) "$TEST_TMP/copy" raw 127.0.0.1 raw_socket >/dev/null ;;
uring) "$TEST_TMP/copy" uring:raw 127.0.0.1 >/dev/null ;;
esac
exit 0
DRIVE_EOF
chmod +x "$DRIVE"

echo benign >"$MODE"
"$VIGIL" learn --out "$PROFILE" --name rawsock -- /bin/sh "$DRIVE" 2>"$TEST_TMP/learn.err" ||
	fail "vigil learn failed: $(cat "$TEST_TMP/learn.err")"
python3 - "$PROFILE" "$PROGS/raw_socket" <<'PY' || fail "V1001 not learned: $(grep -A4 rulePolicies "$PROFILE")"
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
pol = doc["spec"]["rulePolicies"]["V1001"]
assert pol["processAllowed"] == [sys.argv[2]], pol
PY

watch()
{
	echo "$1" >"$MODE"
	ALERTS=$TEST_TMP/alerts-$1.jsonl
	set +e
	"$VIGIL" watch --profile "$PROFILE" --name rawsock --alerts "file:$ALERTS" -- /bin/sh "$DRIVE" \
		>"$TEST_TMP/watch-$1.out" 2>"$TEST_TMP/watch-$1.err"
	RC=$?
	set -e
	[ -f "$ALERTS" ] || : >"$ALERTS"
}

watch benign
assert_eq 0 "$(json_count "$ALERTS")" "alerts on a benign rerun: $(head -c 2000 "$ALERTS")"
assert_eq 0 "$RC" "exit status of a benign watch ($(cat "$TEST_TMP/watch-benign.err"))"

watch packet
[ "$(json_count "$ALERTS" rule_id=V1001 event.family=AF_PACKET event.sock_type=SOCK_RAW)" -ge 1 ] ||
	fail "packet: no V1001: $(json_get "$ALERTS" message | head -c 2000)"
assert_eq 0 "$(json_count "$ALERTS" rule_id=V1001 "process.exe=$PROGS/raw_socket")" \
	"V1001 for the allowed program"
log "packet: $(json_get "$ALERTS" message | grep -m1 "socket created")"

watch renamed
[ "$(json_count "$ALERTS" rule_id=V1001 "process.exe=$TEST_TMP/copy" process.comm=raw_socket \
	event.family=AF_INET event.sock_type=SOCK_RAW)" -ge 1 ] ||
	fail "renamed: no V1001: $(json_get "$ALERTS" message | head -c 2000)"
log "renamed: $(json_get "$ALERTS" message | grep -m1 "socket created")"

# the same socket made by io_uring's SOCKET (no socket() syscall)
watch uring
assert_eq 1 "$(json_count "$ALERTS" rule_id=V1001 "process.exe=$TEST_TMP/copy" \
	event.family=AF_INET event.sock_type=SOCK_RAW event.via_iouring=true)" \
	"uring: V1001: $(json_get "$ALERTS" message | head -c 2000)"
log "uring: $(json_get "$ALERTS" message | grep -m1 "socket created")"
echo "ok: $TEST_NAME"
