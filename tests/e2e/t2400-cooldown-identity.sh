#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2400: no repeat hides an escalation. A server whose unprivileged worker starts a shell that
# runs `id`, and then whose root master does the same, raises the root `id` too: who did it (the
# uid, the program that started it) is part of what makes an alert a repeat, in the kernel's
# de-duplication and in the detector's cooldown, with the cooldown at 0 and at its default.
. "$(dirname "$0")/../lib/common.sh"
requires_root
requires_cmd setpriv
vigil_has watch || skip "vigil watch is not part of this build"

MODE=$TEST_TMP/mode
PROFILE=$TEST_TMP/server.yaml
DRIVE=$TEST_TMP/server.sh
chmod 755 "$TEST_TMP"
# The "server": a root master that runs work as an unprivileged worker (nobody).
cat >"$DRIVE" <<SCRIPT
#!/bin/sh
worker() { setpriv --reuid=65534 --regid=65534 --clear-groups "\$@"; }
case "\$(cat "$MODE")" in
benign)
	worker /bin/sleep 0.05
	/bin/sleep 0.05
	;;
worker-then-root)
	worker /bin/sh -c id
	/bin/sh -c id
	;;
root-then-worker)
	/bin/sh -c id
	worker /bin/sh -c id
	;;
esac
SCRIPT
chmod 755 "$DRIVE"

echo benign >"$MODE"
"$VIGIL" learn --out "$PROFILE" --name server -- /bin/sh "$DRIVE" 2>"$TEST_TMP/learn.err" ||
	fail "vigil learn failed: $(cat "$TEST_TMP/learn.err")"
assert_file_contains "$PROFILE" /usr/bin/setpriv

# watch MODE COOLDOWN: sets ALERTS.
watch()
{
	ALERTS=$TEST_TMP/alerts-$1-$2.jsonl
	echo "$1" >"$MODE"
	set +e
	"$VIGIL" watch --profile "$PROFILE" --name server --cooldown "$2" --alerts "file:$ALERTS" \
		-- /bin/sh "$DRIVE" >"$TEST_TMP/watch.out" 2>"$TEST_TMP/watch-$1-$2.err"
	set -e
	[ -f "$ALERTS" ] || : >"$ALERTS"
}

for cooldown in 0 1h; do
	for mode in worker-then-root root-then-worker; do
		watch $mode $cooldown
		what="$mode, cooldown $cooldown: $(json_get "$ALERTS" message | head -c 1500)"
		assert_eq 1 "$(json_count "$ALERTS" event.path=/usr/bin/id process.uid=65534)" \
			"id alerts from the worker ($what)"
		assert_eq 1 "$(json_count "$ALERTS" event.path=/usr/bin/id process.uid=0)" \
			"id alerts from root ($what)"
		# the alert names the program that started it
		assert_eq 2 "$(json_count "$ALERTS" event.path=/usr/bin/id event.parent_exe~sh)" \
			"id alerts naming the shell that started them ($what)"
		log "$mode, cooldown $cooldown: the worker's id and root's id both alert"
	done
done
echo "ok: $TEST_NAME"
