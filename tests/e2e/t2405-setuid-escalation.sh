#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2405: a setuid program's escalation is never a repeat of the unprivileged deed. A server's
# unprivileged worker (nobody) starts `sh -c id`; then the same worker runs it through a
# set-user-id root program (a copy of env, which runs its arguments in place): the same shell,
# the same arguments, the same uid and the same parent, only the effective uid differs (0). The
# record header carries the effective uid and the set-id exec; the kernel's de-duplication and
# the detector's cooldown both count who it ran as, so the root shell alerts although the
# unprivileged one did first, with the cooldown at 0 and at an hour.
. "$(dirname "$0")/../lib/common.sh"
requires_root
requires_cmd setpriv
vigil_has watch || skip "vigil watch is not part of this build"

MODE=$TEST_TMP/mode
PROFILE=$TEST_TMP/server.yaml
DRIVE=$TEST_TMP/server.sh
# the set-id program: a copy of env owned by root, mode 4755, made before the workload starts
# (a change while it runs would be drop-and-execute, R1001, instead)
PROG=$TEST_TMP/launch
chmod 755 "$TEST_TMP"
findmnt -n -o OPTIONS -T "$TEST_TMP" | grep -qw nosuid &&
	skip "$TEST_TMP is on a nosuid mount: set-id bits are not honoured there"
cp /usr/bin/env "$PROG"
chown 0:0 "$PROG"
chmod 4755 "$PROG"
cat >"$DRIVE" <<SCRIPT
#!/bin/sh
worker() { setpriv --reuid=65534 --regid=65534 --clear-groups "\$@"; }
case "\$(cat "$MODE")" in
benign)
	worker /bin/sleep 0.05
	;;
attack)
	worker /bin/sh -c id
	worker "$PROG" /bin/sh -c id
	;;
esac
SCRIPT
chmod 755 "$DRIVE"

echo benign >"$MODE"
"$VIGIL" learn --out "$PROFILE" --name server -- /bin/sh "$DRIVE" 2>"$TEST_TMP/learn.err" ||
	fail "vigil learn failed: $(cat "$TEST_TMP/learn.err")"

SH=$(readlink -f /bin/sh)
for cooldown in 0 1h; do
	ALERTS=$TEST_TMP/alerts-$cooldown.jsonl
	echo attack >"$MODE"
	set +e
	"$VIGIL" watch --profile "$PROFILE" --name server --cooldown "$cooldown" \
		--alerts "file:$ALERTS" -- /bin/sh "$DRIVE" >"$TEST_TMP/watch-$cooldown.out" \
		2>"$TEST_TMP/watch-$cooldown.err"
	set -e
	[ -f "$ALERTS" ] || : >"$ALERTS"
	what="cooldown $cooldown: $(json_get "$ALERTS" message | head -c 2000)"
	# the set-id exec is marked, and runs as root for the worker
	assert_eq 1 "$(json_count "$ALERTS" event.path="$PROG" event.setid=true process.uid=65534 \
		process.euid=0)" "the set-id program's exec ($what)"
	# the shell: as nobody first, then as root through the set-id program; same path,
	# arguments, uid and parent program
	assert_eq 1 "$(json_count "$ALERTS" event.path="$SH" process.args.2=id process.uid=65534 \
		process.euid=65534)" "the unprivileged shell ($what)"
	assert_eq 1 "$(json_count "$ALERTS" event.path="$SH" process.args.2=id process.uid=65534 \
		process.euid=0)" "the set-id shell, as root ($what)"
	assert_eq 2 "$(json_count "$ALERTS" event.path="$SH" process.args.2=id \
		event.parent_exe="$SH")" "both shells started by the same program ($what)"
	assert_eq 0 "$(json_count "$ALERTS" event.path="$SH" event.setid=true)" \
		"a shell exec'd by a set-id process is not itself set-id ($what)"
	log "cooldown $cooldown: the set-id run alerts although the unprivileged one did first"
done
echo "ok: $TEST_NAME"
