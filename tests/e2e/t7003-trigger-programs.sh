#!/usr/bin/env bash
# Every trigger program in tests/progs does its one behaviour and exits 0, and does it the way
# the kernel tests rely on (checked with strace): io_uring programs make no plain open/socket/
# connect/send syscalls, memfd_exec runs a memfd, devshm_exec runs a file under /dev/shm,
# syscall_set makes exactly its syscalls, pid_reuse really reuses a pid.
. "$(dirname "$0")/../lib/common.sh"
requires_root
requires_progs
requires_cmd strace
requires_io_uring

# st NAME CMD...: run CMD under strace -f into $TEST_TMP/NAME.st ("PID call(...) = result" lines;
# traced one file per process with -ff, so no call is split into unfinished/resumed halves);
# its output in $TEST_TMP/NAME.out.
st()
{
	local name=$1 f
	shift
	strace -ff -qq -s 256 -o "$TEST_TMP/$name.st" "$@" >"$TEST_TMP/$name.out" 2>&1 ||
		fail "$name: exit $?: $(cat "$TEST_TMP/$name.out")"
	for f in "$TEST_TMP/$name.st".*; do
		sed "s/^/${f##*.} /" "$f"
	done >"$TEST_TMP/$name.st"
}
calls() { sed -E 's/^[0-9]+ +//' "$TEST_TMP/$1.st" | grep -oE '^[a-z0-9_]+\(' | tr -d '(' | sort -u; }
no_calls() # NAME SYSCALL...
{
	local n=$1 c
	shift
	for c in "$@"; do
		! calls "$n" | grep -qx "$c" || fail "$n made a plain $c syscall: $(grep "$c(" "$TEST_TMP/$n.st")"
	done
}

echo "secret-bytes-$RANDOM" >"$TEST_TMP/file"
st openat "$PROGS/iouring_openat" "$TEST_TMP/file"
assert_eq "read $(stat -c %s "$TEST_TMP/file") bytes from $TEST_TMP/file" "$(cat "$TEST_TMP/openat.out")"
no_calls openat open openat openat2 read
grep -q 'io_uring_setup' "$TEST_TMP/openat.st" || fail "iouring_openat made no io_uring_setup"

spawn_server echo "$PROGS/tcp_echo" 0
st connect "$PROGS/iouring_connect" 127.0.0.1 "$SERVER_PORT" "ping-via-uring"
assert_eq "sent 14 bytes to 127.0.0.1:$SERVER_PORT" "$(cat "$TEST_TMP/connect.out")"
wait_for_line "$TEST_TMP/echo.log" '^conn 1 bytes 14$'
no_calls connect socket connect sendto sendmsg
! grep -qE 'write\((0|[3-9]|[0-9]{2,}),' "$TEST_TMP/connect.st" || fail "iouring_connect wrote to a socket"

spawn_server dns "$PROGS/dns_server" 0 10.11.12.13
st dns "$PROGS/dns_query" c2.evil.test 127.0.0.1 "$SERVER_PORT"
assert_eq "c2.evil.test 10.11.12.13" "$(cat "$TEST_TMP/dns.out")"
wait_for_line "$TEST_TMP/dns.log" '^query c2.evil.test$'
grep -q 'sendto(.*htons('"$SERVER_PORT"')' "$TEST_TMP/dns.st" || fail "dns_query sent no UDP datagram"

st memfd "$PROGS/memfd_exec"
grep -qE '^[0-9]+ +memfd_create\("vigil-memfd"' "$TEST_TMP/memfd.st" || fail "no memfd_create"
grep -qE 'execveat\([0-9]+, "", .*AT_EMPTY_PATH\) += 0' "$TEST_TMP/memfd.st" ||
	fail "memfd_exec did not execute the memfd: $(grep exec "$TEST_TMP/memfd.st")"

st shm "$PROGS/devshm_exec"
grep -qE 'execve\("/dev/shm/vigil-shm-[0-9]+", .*= 0' "$TEST_TMP/shm.st" || fail "no exec under /dev/shm"
! ls /dev/shm/vigil-shm-"$(sed -n 's/^\([0-9]*\) .*/\1/p' "$TEST_TMP/shm.st" | head -1)" 2>/dev/null ||
	fail "devshm_exec left its file behind"

# A traced child cannot be traced again: ptrace_child runs without strace.
out=$("$PROGS/ptrace_child" traceme) || fail "ptrace_child traceme failed"
assert_contains "$out" "(traceme), status 0"
out=$("$PROGS/ptrace_child" attach) || fail "ptrace_child attach failed"
assert_contains "$out" "(attach), status 143"

st unshare "$PROGS/unshare_ns" uts,net
grep -qE 'unshare\(CLONE_NEWUTS\|CLONE_NEWNET\) += 0' "$TEST_TMP/unshare.st" || fail "no unshare"
st setns "$PROGS/setns_join"
grep -qE 'setns\(.*\) += 0' "$TEST_TMP/setns.st" || fail "no setns"

st bind "$PROGS/cap_use" net_bind_service
grep -qE 'bind\(.*sin_port=htons\((9[0-9][0-9]|10[0-2][0-9])\).* = 0' "$TEST_TMP/bind.st" ||
	fail "cap_use net_bind_service bound no port below 1024"
st raw "$PROGS/cap_use" net_raw
grep -q 'socket(AF_INET, SOCK_RAW' "$TEST_TMP/raw.st" || fail "no raw socket"
before=$(hostname)
st admin "$PROGS/cap_use" sys_admin
grep -qE 'sethostname\("vigil-cap-test", 14\) += 0' "$TEST_TMP/admin.st" || fail "no sethostname"
assert_eq "$before" "$(hostname)" "host name (must stay untouched)"

st bpf "$PROGS/bpf_load"
grep -q 'bpf(BPF_PROG_LOAD, .*BPF_PROG_TYPE_SOCKET_FILTER' "$TEST_TMP/bpf.st" || fail "no BPF_PROG_LOAD"
st mod1 "$PROGS/module_load" finit
grep -qE 'finit_module\(' "$TEST_TMP/mod1.st" || fail "no finit_module"
st mod2 "$PROGS/module_load" init
grep -qE 'init_module\(' "$TEST_TMP/mod2.st" || fail "no init_module"

st sym "$PROGS/link_to" sym /etc/shadow "$TEST_TMP/shadow-link"
assert_eq /etc/shadow "$(readlink "$TEST_TMP/shadow-link")" "symlink target"
echo target >"$TEST_TMP/target"
st hard "$PROGS/link_to" hard "$TEST_TMP/target" "$TEST_TMP/hard-link"
assert_eq "$(stat -c %i "$TEST_TMP/target")" "$(stat -c %i "$TEST_TMP/hard-link")" "hard link inode"

st wexec "$PROGS/write_exec" "$TEST_TMP/written"
[ -x "$TEST_TMP/written" ] || fail "write_exec left no executable"
grep -q "execve(\"$TEST_TMP/written\"" "$TEST_TMP/wexec.st" || fail "written file not executed"
cmp -s /bin/true "$TEST_TMP/written" || fail "written file is not a copy of /bin/true"

# syscall_set: the base set, then one extra; nothing of the extras table in the base run.
st sys1 "$PROGS/syscall_set"
st sys2 "$PROGS/syscall_set" sysinfo
for c in getpid getppid getuid geteuid getgid getegid uname getcwd sched_yield; do
	calls sys1 | grep -qx "$c" || fail "syscall_set made no $c"
done
no_calls sys1 sysinfo times getpriority getrusage getitimer getcpu
assert_eq sysinfo "$(comm -13 <(calls sys1) <(calls sys2) | xargs)" "new syscalls with the extra"

# pid_reuse: both programs report their own pid; the same one, as pid_reuse says.
out=$("$PROGS/pid_reuse" /bin/sh -c 'echo "first $$"' -- /bin/sh -c 'echo "second $$"') ||
	fail "pid_reuse failed: $out"
pid=$(sed -n 's/^pid //p' <<<"$out")
[ -n "$pid" ] || fail "pid_reuse printed no pid: $out"
assert_eq "first $pid" "$(grep '^first ' <<<"$out")" "first program's pid"
assert_eq "second $pid" "$(grep '^second ' <<<"$out")" "second program's pid"
echo "ok: all trigger programs"
