#!/usr/bin/env bash
# tests/lib/common.sh does what tests rely on: cleanup handlers run last-first on failure too,
# spawned processes and test cgroups are gone afterwards, skip exits 77 with the reason last,
# the watchdog ends a hung test, run_in_cgroup puts a command (same pid) into a fresh cgroup,
# and the JSON-lines helpers filter by field.
. "$(dirname "$0")/../lib/common.sh"
requires_root
requires_progs

# inner NAME BODY: a test script that sources common.sh, written into our temp dir.
inner()
{
	printf '#!/usr/bin/env bash\n. %q\n%s\n' "$TESTLIB/common.sh" "$2" >"$TEST_TMP/$1"
	chmod +x "$TEST_TMP/$1"
}

# 1. A failing test: handlers in reverse order, its process, cgroup and temp dir cleaned up.
inner failing '
echo "$TEST_TMP" >"$1/tmpdir"
on_exit eval "echo first >>$1/order"
cg=$(new_cgroup box)
echo "$cg" >"$1/cgdir"
spawn sleeper run_in_cgroup "$cg" sleep 60
echo "$SPAWNED_PID" >"$1/pid"
on_exit eval "echo second >>$1/order"
wait_until 5 grep -qx "$SPAWNED_PID" "$cg/cgroup.procs" || exit 3
fail "on purpose"'
set +e
"$TEST_TMP/failing" "$TEST_TMP" >"$TEST_TMP/failing.out" 2>&1
rc=$?
set -e
assert_eq 1 "$rc" "exit status of a failing test"
assert_contains "$(cat "$TEST_TMP/failing.out")" "FAIL: failing: on purpose"
assert_eq "second first" "$(xargs <"$TEST_TMP/order")" "cleanup order"
[ ! -d "$(cat "$TEST_TMP/cgdir")" ] || fail "test cgroup left behind"
! kill -0 "$(cat "$TEST_TMP/pid")" 2>/dev/null || fail "spawned process left running"
[ ! -e "$(cat "$TEST_TMP/tmpdir")" ] || fail "temp dir left behind"

# 2. skip: exit 77, the reason as the last line (what tests/run-tier prints).
inner skipping 'skip "no frobnicator here"'
set +e
"$TEST_TMP/skipping" >"$TEST_TMP/skipping.out" 2>&1
rc=$?
set -e
assert_eq 77 "$rc" "exit status of a skipped test"
assert_eq "skip: no frobnicator here" "$(tail -n 1 "$TEST_TMP/skipping.out")" "last line"

# 3. The watchdog ends a hung test.
inner hung 'sleep 30'
set +e
start=$SECONDS
VIGIL_TEST_TIMEOUT=1 "$TEST_TMP/hung" >"$TEST_TMP/hung.out" 2>&1
rc=$?
set -e
assert_eq 143 "$rc" "exit status of a hung test"
[ $((SECONDS - start)) -lt 10 ] || fail "watchdog took $((SECONDS - start))s"
assert_contains "$(cat "$TEST_TMP/hung.out")" "timed out after 1s"

# 4. run_in_cgroup: same pid, a cgroup of its own, named as the kernel names it.
cg=$(new_cgroup probe)
line=$(run_in_cgroup "$cg" cat /proc/self/cgroup | grep '^0::')
assert_eq "0::$(cgroup_path "$cg")" "$line" "cgroup of a command run in it"
assert_ne 1 "$(cgroup_id "$cg")" "cgroup id"
spawn in_cg run_in_cgroup "$cg" sleep 30
wait_until 5 grep -qx "$SPAWNED_PID" "$cg/cgroup.procs" || fail "spawned pid is not the command's"
assert_eq sleep "$(cat "/proc/$SPAWNED_PID/comm")" "spawned command"

# 5. Servers from tests/progs, ports.
spawn_server echo "$PROGS/tcp_echo" 0
wait_for_port "$SERVER_PORT"
p=$(free_port)
[ "$p" -gt 0 ] && ! _port_open "$p" || fail "free_port gave a busy port $p"

# 6. JSON lines.
cat >"$TEST_TMP/alerts.jsonl" <<'J'
{"rule_id":"R0001","severity":1,"process":{"comm":"sh","args":["sh","-c","id"]},"event":{"type":"exec"}}
not json: a log line
{"rule_id":"R1030","severity":5,"process":{"comm":"update","args":["update"]},"event":{"type":"iouring","opcode":16}}
{"rule_id":"R1030","severity":5,"process":{"comm":"update","args":["update"]},"event":{"type":"iouring","opcode":22}}
J
f=$TEST_TMP/alerts.jsonl
assert_eq 3 "$(json_count "$f")" "all records"
assert_eq 2 "$(json_count "$f" rule_id=R1030)" "R1030 records"
assert_eq "16 22" "$(json_get "$f" event.opcode rule_id=R1030 | xargs)" "opcodes"
assert_eq 1 "$(json_count "$f" process.args=-c)" "list element equal"
assert_eq 1 "$(json_count "$f" process.args.2~i)" "indexed element contains"
assert_eq 2 "$(json_count "$f" rule_id!=R0001 event.opcode?)" "not-equal and present"
assert_eq R0001 "$(json_filter "$f" event.type=exec | json_get - rule_id)" "filter then get"
echo "ok: test library"
