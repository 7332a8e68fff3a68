# shellcheck shell=bash
# shellcheck disable=SC2034 # variables set here are read by the sourcing test
# SPDX-License-Identifier: Apache-2.0
#
# Shared helpers for kernel and e2e test scripts. Source it first:
#
#   #!/usr/bin/env bash
#   . "$(dirname "$0")/../lib/common.sh"
#   requires_root
#   cg=$(new_cgroup open)
#   run_in_cgroup "$cg" "$PROGS/iouring_openat" "$TEST_TMP/file"
#
# It turns on `set -euo pipefail`, makes a private temp dir $TEST_TMP, and runs the cleanup
# handlers registered with on_exit (last registered first) when the script ends for any reason,
# then removes $TEST_TMP (kept with VIGIL_KEEP_TMP=1). A test that runs longer than
# VIGIL_TEST_TIMEOUT seconds (default 300) is ended: by tests/run-tier, or run alone, by a
# watchdog. Exit codes follow tests/run-tier: 0 pass,
# 77 skip (skip prints the reason as the last line), anything else fails.

set -euo pipefail

# Debian's python3 (which scripts/deps.sh installs with python3-yaml) when there is one: a
# version manager's shim is a chain of shell scripts per call, and tests call python3 often.
if [ -x /usr/bin/python3 ]; then
	python3() { /usr/bin/python3 "$@"; }
fi

VIGIL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TESTLIB=$VIGIL_ROOT/tests/lib
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$VIGIL_ROOT/$BUILD ;; esac
VIGIL=${VIGIL:-$BUILD/vigil}
PROGS=$BUILD/progs
DEMO=$BUILD/demo
TEST_NAME=$(basename "$0")
TEST_NAME=${TEST_NAME%.sh}

# The suffix mixes digits and letters, or cases: what `vigil learn` takes for a mkstemp name
# and learns as ⋯ (sensor/learn/learn.c looks_random). About 1 name in 90 is six letters of
# one case ("hjywdl"): learned literally, and a test that expects /tmp/⋯/ failed (t2000).
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/vigil-$TEST_NAME.XXXXXX")
while [[ ${TEST_TMP##*.} =~ ^([a-z]+|[A-Z]+|[0-9]+)$ ]]; do
	rmdir "$TEST_TMP"
	TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/vigil-$TEST_NAME.XXXXXX")
done
chmod 0755 "$TEST_TMP"

# ---- cleanup -------------------------------------------------------------------------------
# Handlers live in a file, not a shell array, so helpers called inside $(...) (new_cgroup)
# can register them too.
_vigil_cleanups=$TEST_TMP/.cleanup
: >"$_vigil_cleanups"

# on_exit CMD [ARGS...]: run CMD when the test ends; handlers run last-registered first, each
# even if an earlier one failed; their output goes to $TEST_TMP/cleanup.log, never the verdict.
on_exit()
{
	printf '%q ' "$@" >>"$_vigil_cleanups"
	echo >>"$_vigil_cleanups"
}

_vigil_cleanup()
{
	local rc=$? cmd
	trap - EXIT INT TERM
	set +e
	if [ -f "$_vigil_cleanups" ]; then
		while IFS= read -r cmd; do
			eval "$cmd" >>"$TEST_TMP/cleanup.log" 2>&1
		done < <(tac "$_vigil_cleanups")
	fi
	if [ "${VIGIL_KEEP_TMP:-0}" = 1 ]; then
		echo "# kept $TEST_TMP" >&2
	else
		rm -rf "$TEST_TMP"
	fi
	exit "$rc"
}
trap _vigil_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- verdicts and messages -----------------------------------------------------------------
log() { echo "# $*" >&2; }

# fail MSG: the test failed (exit 1).
fail()
{
	echo "FAIL: $TEST_NAME: $*" >&2
	exit 1
}

# skip MSG: a prerequisite is truly missing (exit 77); MSG is printed as the last line.
skip()
{
	echo "skip: $*"
	exit 77
}

requires_root() { [ "$(id -u)" -eq 0 ] || skip "needs root"; }

# requires_cmd CMD...: skip unless every CMD is on PATH.
requires_cmd()
{
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "$c is not installed (scripts/deps.sh test)"
	done
}

# requires_progs: skip unless the fixtures are built (make progs).
requires_progs()
{
	[ -x "$PROGS/syscall_set" ] || skip "test programs not built: run make progs"
}

# requires_io_uring: skip unless this kernel lets us use io_uring (CONFIG_IO_URING, and the
# kernel.io_uring_disabled sysctl, 6.6+, not set against us).
requires_io_uring()
{
	requires_progs
	"$PROGS/iouring_openat" /dev/null >/dev/null 2>"$TEST_TMP/.io_uring" ||
		skip "io_uring is not usable here: $(cat "$TEST_TMP/.io_uring")"
}

# requires_btf: skip unless the kernel exposes BTF (CO-RE programs need it).
requires_btf() { [ -r /sys/kernel/btf/vmlinux ] || skip "kernel has no BTF (/sys/kernel/btf/vmlinux)"; }

# ensure_tracefs: mount tracefs if /sys/kernel/tracing is empty (tracepoint attach needs it).
ensure_tracefs()
{
	[ -n "$(ls -A /sys/kernel/tracing 2>/dev/null)" ] && return 0
	mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || skip "cannot mount tracefs"
}

# vigil_has SUBCMD: true if build/vigil implements SUBCMD (its --help succeeds).
vigil_has() { [ -x "$VIGIL" ] && "$VIGIL" "$1" --help >/dev/null 2>&1; }

# ---- assertions ----------------------------------------------------------------------------
# assert_eq EXPECTED ACTUAL [WHAT]
assert_eq()
{
	[ "$1" = "$2" ] || fail "${3:-value}: expected '$1', got '$2'"
}

# assert_ne UNEXPECTED ACTUAL [WHAT]
assert_ne()
{
	[ "$1" != "$2" ] || fail "${3:-value}: did not expect '$1'"
}

# assert_contains HAYSTACK NEEDLE [WHAT]
assert_contains()
{
	case $1 in
	*"$2"*) ;;
	*) fail "${3:-output} does not contain '$2': $(printf '%s' "$1" | head -c 2000)" ;;
	esac
}

# assert_not_contains HAYSTACK NEEDLE [WHAT]
assert_not_contains()
{
	case $1 in
	*"$2"*) fail "${3:-output} contains '$2': $(printf '%s' "$1" | head -c 2000)" ;;
	*) ;;
	esac
}

# assert_file_contains FILE NEEDLE: FILE exists and contains NEEDLE (fixed string).
assert_file_contains()
{
	[ -f "$1" ] || fail "$1: no such file"
	grep -qF -- "$2" "$1" || fail "$1 does not contain '$2': $(tail -c 2000 "$1")"
}

# assert_ge A B [WHAT]: integer A >= B.
assert_ge()
{
	[ "$1" -ge "$2" ] || fail "${3:-value}: expected >= $2, got $1"
}

# ---- JSON lines (alerts, trace events) -----------------------------------------------------
# Conditions: FIELD=VALUE, FIELD!=VALUE, FIELD~TEXT (contains), FIELD? (present); dotted
# fields (event.type, process.args.0). FILE may be - for stdin. See tests/lib/jsonl.py.
json_filter() { python3 "$TESTLIB/jsonl.py" filter "$@"; }   # FILE [COND...]: matching lines
json_count() { python3 "$TESTLIB/jsonl.py" count "$@"; }     # FILE [COND...]: how many
json_get() { python3 "$TESTLIB/jsonl.py" get "$@"; }
# json_count_ge N FILE [COND...]: at least N matching lines (a missing file counts 0). For
# wait_until, which runs its command anew each time (a "$(...)" argument is expanded only once).
json_count_ge() { local n=$1; shift; [ "$(json_count "$@" 2>/dev/null || echo 0)" -ge "$n" ]; }         # FILE FIELD [COND...]: values

# ---- waiting -------------------------------------------------------------------------------
# wait_until SECONDS CMD [ARGS...]: poll CMD every 50 ms until it succeeds; false on timeout.
# ARGS are expanded once, by the caller: to poll a computed value, poll a function.
wait_until()
{
	local deadline=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.05
	done
}

_port_open() { (exec 3<>"/dev/tcp/${2:-127.0.0.1}/$1") 2>/dev/null; }

# free_port [tcp|udp]: a port that was free on 127.0.0.1 a moment ago (the kernel picked it).
free_port()
{
	python3 - "${1:-tcp}" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if sys.argv[1] == "udp" else socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
PY
}

# wait_for_port PORT [TIMEOUT] [HOST]: until a TCP connect to HOST:PORT succeeds (default 10 s).
wait_for_port()
{
	wait_until "${2:-10}" _port_open "$1" "${3:-127.0.0.1}" ||
		fail "nothing listening on ${3:-127.0.0.1}:$1 after ${2:-10}s"
}

# wait_for_http URL [TIMEOUT]: until URL answers 2xx (default 10 s).
wait_for_http()
{
	wait_until "${2:-10}" curl -fsS -o /dev/null --max-time 1 "$1" ||
		fail "$1 did not answer after ${2:-10}s"
}

# wait_for_file FILE [TIMEOUT]: until FILE exists and is not empty.
wait_for_file()
{
	wait_until "${2:-10}" test -s "$1" || fail "$1 did not appear after ${2:-10}s"
}

# wait_for_line FILE REGEX [TIMEOUT]: until a line of FILE matches the extended REGEX.
wait_for_line()
{
	wait_until "${3:-10}" grep -qE -- "$2" "$1" ||
		fail "no line matching '$2' in $1 after ${3:-10}s: $(tail -c 1000 "$1" 2>/dev/null)"
}

# ---- background processes ------------------------------------------------------------------
# spawn NAME CMD [ARGS...]: start CMD in the background with stdout and stderr in
# $TEST_TMP/NAME.log; sets SPAWNED_PID (the command's own pid, also for run_in_cgroup and
# in_netns); stopped (TERM, then KILL after 2 s) when the test ends.
# Call it directly, not in $(...), or SPAWNED_PID is lost.
SPAWNED_PID=
spawn()
{
	local name=$1
	shift
	# A shell function would run in a forked subshell: use the helper program so $! is the
	# command's own pid.
	[ "$1" != run_in_cgroup ] || set -- "$TESTLIB/cgexec" "${@:2}"
	[ "$1" != in_netns ] || set -- ip netns exec "${@:2}"
	# python3 may be the function above: its subshell would get the signals, python not
	if [ "$1" = python3 ] && [ "$(type -t python3)" = function ]; then set -- /usr/bin/python3 "${@:2}"; fi
	"$@" >"$TEST_TMP/$name.log" 2>&1 &
	SPAWNED_PID=$!
	on_exit stop_pid "$SPAWNED_PID"
}

# stop_pid PID: TERM, wait up to 2 s, then KILL; reaps it if it is our child.
stop_pid()
{
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 40; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# spawn_server NAME CMD [ARGS...]: spawn a server from tests/progs that prints "port N" first
# (dns_server, tcp_echo with PORT 0) and set SERVER_PORT to that port.
SERVER_PORT=
spawn_server()
{
	local name=$1
	spawn "$@"
	# polled, so a long limit costs nothing when idle; 5 s was tight for a python server
	# (udp_counter) on a machine loaded by a parallel CI run
	wait_for_line "$TEST_TMP/$name.log" '^port [0-9]+$' 30
	SERVER_PORT=$(awk '/^port [0-9]+$/ { print $2; exit }' "$TEST_TMP/$name.log")
}

# udp_counter NAME: a UDP listener on 127.0.0.1 (tests/lib/udp_count.py) spawned as server NAME,
# its port in SERVER_PORT; udp_got NAME: how many datagrams it has received so far.
udp_counter() { spawn_server "$1" python3 "$TESTLIB/udp_count.py"; }
udp_got() { grep -c '^got' "$TEST_TMP/$1.log" || true; }

# ---- cgroups (cgroup2) ---------------------------------------------------------------------
# cgroup2_root: where cgroup2 is mounted (from /proc/self/mountinfo; /sys/fs/cgroup/unified
# on this machine's hybrid layout, /sys/fs/cgroup on most current nodes).
cgroup2_root()
{
	local line fstype mnt
	while IFS= read -r line; do
		fstype=${line#* - }
		fstype=${fstype%% *}
		if [ "$fstype" = cgroup2 ]; then
			mnt=$(echo "$line" | cut -d' ' -f5)
			printf '%b\n' "$mnt"
			return 0
		fi
	done </proc/self/mountinfo
	return 1
}

# new_cgroup NAME: create an empty cgroup2 directory for this test and print its path; when the
# test ends, its processes are killed and it is removed.
new_cgroup()
{
	local root dir
	root=$(cgroup2_root) || skip "no cgroup2 mount"
	dir=$root/vigil-test-$TEST_NAME-$1-$$-$RANDOM
	mkdir "$dir" || fail "cannot create cgroup $dir"
	on_exit remove_cgroup "$dir"
	echo "$dir"
}

# end_agent_commands STATE_DIR: end the `workloads:` commands an agent with this state
# directory started and left (it records each one's cgroup id in STATE_DIR/commands/), for a
# test whose agent was killed. Register it with on_exit before starting the agent.
end_agent_commands()
{
	local rec id root dir
	root=$(cgroup2_root) || return 0
	for rec in "$1"/commands/*; do
		[ -f "$rec" ] || continue
		id=$(head -n 1 "$rec")
		for dir in "$root"/vigil/*/; do
			[ "$(stat -c %i "$dir" 2>/dev/null)" = "$id" ] && remove_cgroup "${dir%/}"
		done
	done
	return 0
}

# agent_yaml FILE ALERTS LEARN CGROUP...: the agent.yaml of a test that watches its own
# containers only (other tests' containers may be running on this machine): their cgroups
# CGROUP... (podman_cgroup, k8s_container_cgroup), state and profiles in $TEST_TMP/state and
# $TEST_TMP/profiles, a rescan every 200 ms, LEARN of learning (2s), alerts to file:ALERTS.
# What else the test needs it appends (cat >>FILE; agent_yaml_containerd).
agent_yaml()
{
	local file=$1 alerts=$2 learn=$3 cg list=
	shift 3
	for cg in "$@"; do list="$list${list:+, }\"$cg\""; done
	cat >"$file" <<EOF
state_dir: $TEST_TMP/state
profiles_dir: $TEST_TMP/profiles
scope: containers
# only the test's containers: other tests' containers may be running on this machine
include_cgroups: [$list]
rescan: 200ms
learning:
  duration: $learn
sinks: ["file:$alerts"]
EOF
}

# static_program FILE: build FILE, a static program that exits 0 at once: it needs nothing from
# the image or root it is run in (a binary dropped into a container, a tool on a volume).
static_program()
{
	requires_cmd cc
	printf 'int main(void) { return 0; }\n' >"$TEST_TMP/static_program.c"
	cc -O1 -static -o "$1" "$TEST_TMP/static_program.c" || fail "cannot build the static program $1"
}

# remove_cgroup DIR: kill what runs in DIR and remove it (bounded: 2 s).
remove_cgroup()
{
	local dir=$1 i
	[ -d "$dir" ] || return 0
	if [ -e "$dir/cgroup.kill" ]; then
		echo 1 >"$dir/cgroup.kill" 2>/dev/null || true
	else
		xargs -r kill -KILL <"$dir/cgroup.procs" 2>/dev/null || true
	fi
	for ((i = 0; i < 40; i++)); do
		rmdir "$dir" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# cgroup_path DIR: DIR as the kernel names it (relative to the cgroup2 root, e.g. /vigil-test-x),
# the form in /proc/PID/cgroup and in events.
cgroup_path()
{
	local root
	root=$(cgroup2_root)
	echo "/${1#"$root"/}"
}

# cgroup_id DIR: the cgroup id (inode of the directory; bpf_get_current_cgroup_id()).
cgroup_id() { stat -c %i "$1"; }

# run_in_cgroup DIR CMD [ARGS...]: run CMD inside cgroup DIR (same pid; works with spawn).
run_in_cgroup() { "$TESTLIB/cgexec" "$@"; }

# ---- network namespaces --------------------------------------------------------------------
# new_netns: a network namespace joined to the host by a veth pair, for a peer that is not on
# loopback. Sets NETNS (name, for `ip netns exec` / in_netns), NETNS_HOST_IP (host end) and
# NETNS_IP (namespace end), a /30 in 10.213.0.0/16 that no other interface uses; lo is up in
# the namespace. Removed when the test ends. Call it directly, not in $(...).
NETNS=''
NETNS_IP=''
NETNS_HOST_IP=''
new_netns()
{
	local i n sub name veth
	requires_cmd ip
	for ((i = 0; i < 20; i++)); do
		n=$((RANDOM % 16384))
		sub=10.213.$((n / 64)).$((n % 64 * 4))
		# (not `ip | grep -q`: under pipefail grep's early exit fails the pipe, taking a used /30)
		grep -q "inet 10\.213\.$((n / 64))\.$((n % 64 * 4 + 1))/" <<<"$(ip -4 addr show)" || break
	done
	name=vigil-$$-$n
	veth=vt$$x$n
	veth=${veth:0:13}
	ip netns add "$name" || fail "ip netns add $name"
	on_exit ip netns delete "$name"
	ip link add "${veth}a" type veth peer name "${veth}b" || fail "ip link add veth"
	on_exit ip link delete "${veth}a"
	ip link set "${veth}b" netns "$name"
	NETNS_HOST_IP=${sub%.*}.$((${sub##*.} + 1))
	NETNS_IP=${sub%.*}.$((${sub##*.} + 2))
	ip addr add "$NETNS_HOST_IP/30" dev "${veth}a"
	ip link set "${veth}a" up
	ip -n "$name" addr add "$NETNS_IP/30" dev "${veth}b"
	ip -n "$name" link set "${veth}b" up
	ip -n "$name" link set lo up
	NETNS=$name
}

# in_netns NAME CMD [ARGS...]: run CMD inside network namespace NAME (works with spawn).
in_netns() { ip netns exec "$@"; }

# ---- watchdog ------------------------------------------------------------------------------
# A hung test must not hang `make test`: TERM ourselves after VIGIL_TEST_TIMEOUT seconds.
# Under tests/run-tier (VIGIL_TEST_WATCHED=1) the runner keeps the time and does more (TERM to
# the test's whole process group, so a foreground command in $(...) ends too, KILL after a grace
# period); this watchdog then only ends a test whose runner died (a test runs in a session of
# its own: a KILL to the runner's group does not reach it), 60 s after the runner would have.
# The variable is not passed on, so a test this test runs has a watchdog of its own.
_vigil_watched=${VIGIL_TEST_WATCHED:-0}
unset VIGIL_TEST_WATCHED
_vigil_watchdog()
{
	local parent=$$ after=${VIGIL_TEST_TIMEOUT:-300}
	[ "$_vigil_watched" != 1 ] || after=$((after + ${VIGIL_TEST_GRACE:-30} + 60))
	(
		trap - EXIT INT
		sleep "$after" &
		trap 'kill $! 2>/dev/null; exit 0' TERM
		wait $!
		echo "FAIL: $TEST_NAME: timed out after ${after}s" >&2
		kill -TERM "$parent"
		# bash runs the TERM trap only once its foreground child ends: end that child too.
		for c in $(pgrep -P "$parent"); do
			[ "$c" = "$BASHPID" ] || kill -TERM "$c" 2>/dev/null
		done
	) </dev/null >/dev/null &
	on_exit stop_pid $!
}
_vigil_watchdog
