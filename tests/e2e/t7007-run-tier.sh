#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t7007: tests/run-tier ends a test past its time so that its cleanups run and nothing it
# started survives to disturb the tests after it. Four tests in a temporary directory, run by
# the runner with a 2 s timeout and a 3 s grace:
#  - hang: a common.sh test that spawned a server (spawn: stopped by on_exit), started a
#    process that ignores TERM, and waits on `$(sleep | cat)`. Its own watchdog only TERMed the
#    shell and its direct children: the pipeline's processes kept the pipe open, the shell never
#    got to its trap, on_exit never ran, and everything stayed. Now: it fails as timed out, its
#    on_exit handlers ran, and no process of its group is left;
#  - deaf: a test that ignores TERM itself: KILL after the grace;
#  - leaves: a test that passes but leaves a process running: it passes, the process is killed
#    and the log says so;
#  - ok: passes, quickly (the runner's polling does not make short tests slow).
. "$(dirname "$0")/../lib/common.sh"
requires_cmd setsid pgrep

DIR=$TEST_TMP/tier
REC=$TEST_TMP/rec
mkdir -p "$DIR" "$REC"
export REC

# Whatever the runner failed to end is ended here, so a failure of this test leaves nothing.
kill_recorded()
{
	local f
	for f in "$REC"/*.pgid; do
		[ -e "$f" ] && kill -KILL -- "-$(cat "$f")" 2>/dev/null
	done
	# a runner that did not give each test a group of its own: the processes one by one
	for f in "$REC"/*.server "$REC"/*.deaf "$REC"/*.child "$REC"/*.pgid; do
		[ -e "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null
	done
	return 0
}
on_exit kill_recorded

# alive PID: running (a zombie is not: killed, and its new parent has not reaped it yet)
alive()
{
	local st
	read -r st 2>/dev/null <"/proc/$1/stat" || return 1
	st=${st##*) }
	[ "${st%% *}" != Z ]
}

cat >"$DIR/t9901-hang.sh" <<EOF
#!/usr/bin/env bash
. $(printf %q "$TESTLIB/common.sh")
echo \$\$ >"\$REC/hang.pgid"
spawn server sleep 1000
echo "\$SPAWNED_PID" >"\$REC/hang.server"
(trap '' TERM; exec sleep 1001) &
echo \$! >"\$REC/hang.deaf"
on_exit touch "\$REC/hang.cleaned"
x=\$(sleep 1002 | cat)
EOF
cat >"$DIR/t9902-deaf.sh" <<'EOF'
#!/usr/bin/env bash
echo $$ >"$REC/deaf.pgid"
trap '' TERM
sleep 1003
EOF
cat >"$DIR/t9903-leaves.sh" <<'EOF'
#!/usr/bin/env bash
echo $$ >"$REC/leaves.pgid"
sleep 1004 &
echo $! >"$REC/leaves.child"
EOF
cat >"$DIR/t9904-ok.sh" <<'EOF'
#!/usr/bin/env bash
exit 0
EOF
chmod +x "$DIR"/*.sh

start=$SECONDS
set +e
# bounded from outside: a runner that cannot end a test would hang here
VIGIL_TEST_TIMEOUT=2 VIGIL_TEST_GRACE=3 VIGIL_TEST_LOGS=$TEST_TMP/logs \
	timeout -k 5 60 "$VIGIL_ROOT/tests/run-tier" selftest "$DIR"/t99*.sh >"$TEST_TMP/out" 2>&1
rc=$?
set -e
took=$((SECONDS - start))
cat "$TEST_TMP/out" >&2
[ "$rc" != 124 ] && [ "$rc" != 137 ] || fail "the runner did not end the hung tests (60 s)"
assert_eq 1 "$rc" "runner exit status"
out=$(cat "$TEST_TMP/out")
assert_contains "$out" "FAIL  t9901-hang.sh"
assert_contains "$out" "(timed out after 2s"
assert_contains "$out" "FAIL  t9902-deaf.sh"
assert_contains "$out" "ok    t9903-leaves.sh"
assert_contains "$out" "ok    t9904-ok.sh"
assert_contains "$out" "selftest: 2 passed, 2 failed, 0 skipped"
# 2 + 2 s of timeouts, 3 s of grace for deaf, the rest is polling and bash
[ "$took" -lt 20 ] || fail "the runner took ${took}s"

# hang: its cleanups ran, nothing of it is left
[ -e "$REC/hang.cleaned" ] || fail "hang's on_exit handlers never ran: $(cat "$TEST_TMP/logs/selftest/t9901-hang.sh.log")"
for f in hang.server hang.deaf leaves.child; do
	! alive "$(cat "$REC/$f")" || fail "$f ($(cat "$REC/$f")) still runs"
done
for f in "$REC"/*.pgid; do
	for p in $(pgrep -g "$(cat "$f")"); do
		! alive "$p" || fail "$(basename "$f" .pgid) left process $p: $(ps -o pid,stat,args -p "$p")"
	done
done
assert_contains "$(cat "$TEST_TMP/logs/selftest/t9901-hang.sh.log")" \
	"run-tier: timed out after 2s: TERM to its process group"
assert_contains "$(cat "$TEST_TMP/logs/selftest/t9902-deaf.sh.log")" \
	"run-tier: still running 3s after TERM: KILL to its process group"
assert_contains "$(cat "$TEST_TMP/logs/selftest/t9903-leaves.sh.log")" \
	"run-tier: the test left processes running: $(cat "$REC/leaves.child") (killed)"
