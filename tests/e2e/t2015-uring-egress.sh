#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2015: egress through io_uring with no connect is learned into `egress` and checked by R0011
# and R1009 as the syscall forms are. The learning run sends one UDP datagram through each form
# (SENDMSG, SEND with an address, SEND_ZC, SENDMSG_ZC, SENDMSG on a fixed file, SENDMSG on an
# io-wq worker) to its own port of 127.0.0.1, and a TCP Fast Open SENDMSG to a listener; a rerun
# is quiet. The attack run sends through every form to 127.0.0.2 (one new peer per form) and
# Fast Open to port 3333 of 127.0.0.3 (a mining pool's port): exactly one R0011 per new peer,
# one R1009, nothing else (the async request's address, overwritten in user memory after
# submission, is judged by the kernel's copy).
. "$(dirname "$0")/../lib/common.sh"
requires_root
requires_io_uring
requires_cmd python3
vigil_has watch || skip "vigil watch is not part of this build"

spawn_server peer "$PROGS/tcp_echo" 0
PEER=$SERVER_PORT
PROFILE=$TEST_TMP/p.yaml
DRIVE=$TEST_TMP/drive.sh
S=$PROGS/iouring_send
# the peers come from files ("ADDR PORT"), so the command lines are the same in every run
P=$TEST_TMP/peers
mkdir "$P"
cat >"$DRIVE" <<DRIVE_EOF
#!/bin/sh
for how in sendmsg send send_zc sendmsg_zc fixed async fastopen; do
	"$S" \$how - <"$P/\$how" || exit 3
done
exit 0
DRIVE_EOF
# peers MODE: the run's peers, one new port per form for UDP
peers()
{
	local a=127.0.0.1 tcp="127.0.0.1 $PEER" port=9 how
	[ "$1" = attack ] && a=127.0.0.2 tcp="127.0.0.3 3333"
	for how in sendmsg send send_zc sendmsg_zc fixed async; do
		echo "$a $port" >"$P/$how"
		port=$((port + 1))
	done
	echo "$tcp" >"$P/fastopen"
}
chmod +x "$DRIVE"

peers benign
"$VIGIL" learn --out "$PROFILE" --name uring -- /bin/sh "$DRIVE" >"$TEST_TMP/learn.out" \
	2>"$TEST_TMP/learn.err" || fail "vigil learn failed: $(cat "$TEST_TMP/learn.err")"
python3 - "$PROFILE" "$PEER" <<'PY' || fail "egress not learned: $(grep -A40 egress: "$PROFILE")"
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
got = set()
def walk(o):
    if isinstance(o, dict):
        for n in o.get("egress") or []:
            for ip in (n.get("ipAddresses") or []) + [n.get("ipAddress")]:
                for p in n.get("ports") or []:
                    got.add((ip, p["protocol"], p["port"]))
        for v in o.values():
            walk(v)
    elif isinstance(o, list):
        for v in o:
            walk(v)
walk(doc)
want = {("127.0.0.1", "UDP", p) for p in range(9, 15)} | {("127.0.0.1", "TCP", int(sys.argv[2]))}
assert want <= got, sorted(want - got)
PY

watch()
{
	peers "$1"
	ALERTS=$TEST_TMP/alerts-$1.jsonl
	set +e
	"$VIGIL" watch --profile "$PROFILE" --name uring --enable R0011 --alerts "file:$ALERTS" \
		-- /bin/sh "$DRIVE" >"$TEST_TMP/watch-$1.out" 2>"$TEST_TMP/watch-$1.err"
	RC=$?
	set -e
	[ -f "$ALERTS" ] || : >"$ALERTS"
}

watch benign
assert_eq 0 "$(json_count "$ALERTS")" "alerts on a benign rerun: $(head -c 2000 "$ALERTS")"
assert_eq 0 "$RC" "exit status of a benign watch ($(cat "$TEST_TMP/watch-benign.err"))"

watch attack
assert_eq 1 "$RC" "exit status of the attack watch ($(cat "$TEST_TMP/watch-attack.err"))"
for form in "sendmsg 9" "send 10" "send_zc 11" "sendmsg_zc 12" "sendmsg 13" "sendmsg 14"; do
	set -- $form
	assert_eq 1 "$(json_count "$ALERTS" rule_id=R0011 event.type=send event.proto=UDP \
		event.addr=127.0.0.2 "event.port=$2" "event.call=$1" event.via_iouring=true)" \
		"R0011 for $1 to 127.0.0.2:$2: $(json_get "$ALERTS" message | head -c 2000)"
done
assert_eq 1 "$(json_count "$ALERTS" rule_id=R1009 event.type=send event.proto=TCP \
	event.addr=127.0.0.3 event.port=3333 event.fastopen=true event.via_iouring=true)" \
	"R1009 for Fast Open to 127.0.0.3:3333: $(json_get "$ALERTS" message | head -c 2000)"
assert_eq 7 "$(json_count "$ALERTS")" "alerts of the attack run: $(json_get "$ALERTS" message)"
log "attack: $(json_get "$ALERTS" message | tr '\n' ';')"
echo "ok: $TEST_NAME"
