#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# One sensor program per run, two builds side by side: kernel bpf_stats (run_time_ns / run_cnt)
# of the program PROG (default vg_sys_exit) a `vigil trace --dedup --kinds exec` loads, between
# two marks around N iterations of a watched Python loop (LOOPS, default "write mmap getppid"):
# write(2) of 64 B to /dev/null, an anonymous mmap+munmap, getppid (a syscall the dispatcher
# leaves at once: the floor here); exec (spawn /bin/true: for PROG=vg_exec; wlexec: the same
# loop in a network namespace of its own; nsexec: spawn `unshare -n /bin/true`, each true's
# exec in a new namespace: R2001's note at exec, netns_wl/netns_own), connect (a TCP
# connect+close to a listener of the loop's own: for PROG=vg_tcp_state), hostconnect (the same
# by a process outside the workload: the hook's path for sockets no workload owns), sendto (a UDP
# datagram with an address, no connect, to one peer: for PROG=vg_sys_exit and PROG=vg_udp_dest4),
# hostsendto (the same by a process outside the workload: vg_udp_dest4's unmonitored path),
# fork (os.fork + waitpid: clone with no namespace flag, the parent's and the child's exits),
# thread (a Python thread started and joined: clone3, whose flags are read from the caller's
# struct clone_args), nsclone (clone with CLONE_NEWUTS: a record each), unlink (a file made
# and removed: the erase hook's name test, no record), read (read(2) of 64 B
# from /dev/zero: the HTTP hook's descriptor check on a file), tcp (send 64 B on a connected
# loopback TCP socket and recv it on the other end: the HTTP hook's per-socket note found,
# KINDS=all so the http kind is wanted), pipe (write 64 B into a pipe and read them back: the
# HTTP hook's test of a descriptor known not to be a socket, with KINDS=all). A program runs for
# every event of its kind on the machine: the figure is an average over the loop's and
# everybody else's. Builds and loops interleaved, ROUNDS rounds; bpf_stats is put back as it was.
#   [PROG=vg_exec] [LOOPS="exec"] bench/sys_exit_cost.sh OLD_VIGIL NEW_VIGIL [N] [ROUNDS]
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 OLD_VIGIL NEW_VIGIL [N] [ROUNDS]" >&2; exit 2; }
OLD=$1 NEW=$2 N=${3:-500000} R=${4:-3}
PROG=${PROG:-vg_sys_exit}
LOOPS=${LOOPS:-write mmap getppid}
[ "$(id -u)" -eq 0 ] || { echo "needs root" >&2; exit 77; }
command -v bpftool >/dev/null || { echo "bpftool is not installed" >&2; exit 77; }
T=$(mktemp -d /tmp/sys-exit-cost.XXXXXX)
was=$(cat /proc/sys/kernel/bpf_stats_enabled)
trap 'sysctl -q kernel.bpf_stats_enabled="$was"; rm -rf "$T"' EXIT
sysctl -q kernel.bpf_stats_enabled=1

# the PROG programs loaded now, by id
ids() { bpftool prog show --json | python3 -c '
import json, sys
print(" ".join(str(p["id"]) for p in json.load(sys.stdin) if p.get("name") == sys.argv[1]))' "$PROG"; }
# the first PROG loaded since the ids in $1 (this trace's)
new_id() { bpftool prog show --json | python3 -c '
import json, sys
old = set(sys.argv[1].split())
print(min(p["id"] for p in json.load(sys.stdin) if p.get("name") == sys.argv[2] and str(p["id"]) not in old))' "$1" "$PROG"; }
# the PROG program held by process $1 or its children (a trace's own, by its descriptors'
# prog_id: another trace loaded meanwhile on the shared machine is not taken for it)
own_id() {
	local p ids
	ids=$(for p in "$1" $(pgrep -P "$1"); do grep -h '^prog_id:' /proc/"$p"/fdinfo/* 2>/dev/null; done |
		awk '{print $2}' | sort -u | tr '\n' ' ')
	bpftool prog show --json | python3 -c '
import json, sys
own = set(sys.argv[1].split())
print(min(p["id"] for p in json.load(sys.stdin) if p.get("name") == sys.argv[2] and str(p["id"]) in own))' "$ids" "$PROG"
}
stats() { bpftool prog show id "$1" --json | python3 -c '
import json, sys
p = json.load(sys.stdin); print(p.get("run_time_ns", 0), p.get("run_cnt", 0))'; }

# one VIGIL KIND: prints ns per run
one()
{
	local v=$1 k=$2 before id a b
	rm -f "$T/m1" "$T/m2"
	cat >"$T/loop.py" <<PY
import mmap, os, socket, time
if "$k" == "connect":
    srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(128)
    addr = srv.getsockname()
open("$T/m1", "w").close(); time.sleep(0.7)
if "$k" in ("hostconnect", "hostsendto"):   # the loop runs outside the workload: wait for it
    while not os.path.exists("$T/m2"): time.sleep(0.05)
elif "$k" in ("exec", "wlexec"):
    for _ in range($N): os.waitpid(os.posix_spawn("/bin/true", ["true"], {}), 0)
elif "$k" == "nsexec":
    for _ in range($N):
        os.waitpid(os.posix_spawn("/usr/bin/unshare", ["unshare", "-n", "/bin/true"], {}), 0)
elif "$k" == "fork":
    for _ in range($N):
        pid = os.fork()
        if pid == 0: os._exit(0)
        os.waitpid(pid, 0)
elif "$k" == "unlink":
    p = "$T/unlink-me"
    for _ in range($N):
        os.close(os.open(p, os.O_WRONLY | os.O_CREAT, 0o600)); os.unlink(p)
elif "$k" == "thread":
    import threading
    for _ in range($N):
        t = threading.Thread(target=len, args=((),)); t.start(); t.join()
elif "$k" == "nsclone":
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    for _ in range($N):
        pid = libc.syscall(56, 0x04000000 | 17, 0, 0, 0, 0)
        if pid == 0: os._exit(0)
        os.waitpid(pid, 0)
elif "$k" == "connect":
    for _ in range($N):
        c = socket.create_connection(addr); a, _ = srv.accept(); c.close(); a.close()
elif "$k" == "sendto":
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); b = b"x" * 64
    for _ in range($N): u.sendto(b, ("127.0.0.1", 9))
elif "$k" == "write":
    fd = os.open("/dev/null", os.O_WRONLY); b = b"x" * 64
    for _ in range($N): os.write(fd, b)
elif "$k" == "read":
    fd = os.open("/dev/zero", os.O_RDONLY)
    for _ in range($N): os.read(fd, 64)
elif "$k" == "pipe":
    r, w = os.pipe(); b = b"x" * 64
    for _ in range($N): os.write(w, b); os.read(r, 64)
elif "$k" == "tcp":
    srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(1)
    c = socket.create_connection(srv.getsockname()); a, _ = srv.accept(); b = b"x" * 64
    for _ in range($N): c.send(b); a.recv(64)
elif "$k" == "mmap":
    for _ in range($N): mmap.mmap(-1, 4096).close()
else:
    for _ in range($N): os.getppid()
open("$T/m2", "w").close(); time.sleep(0.7)
PY
	before=$(ids)
	# KINDS=all: every kind (as the agent), else the list (default exec)
	local kinds=(--kinds "${KINDS:-exec}")
	[ "${KINDS:-}" = all ] && kinds=()
	# wlexec: the exec loop in a network namespace of the workload's own (each exec finds it
	# noted: netns_wl); nsexec: each exec's program in a new one (unshare -n: a first note)
	local run=(python3 "$T/loop.py")
	[ "$k" = wlexec ] && run=(unshare -n python3 "$T/loop.py")
	"$v" trace --dedup "${kinds[@]}" -o /dev/null -- "${run[@]}" >/dev/null 2>&1 &
	local tp=$!
	while [ ! -e "$T/m1" ]; do sleep 0.05; done
	sleep 0.2
	id=$(own_id "$tp" 2>/dev/null) || id=$(new_id "$before")
	a=$(stats "$id")
	if [ "$k" = hostconnect ]; then
		# connections of a process no workload owns (the tcp_state hook's unmonitored path)
		python3 - "$N" <<'PY'
import socket, sys
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(128); addr = srv.getsockname()
for _ in range(int(sys.argv[1])):
    c = socket.create_connection(addr); a, _ = srv.accept(); c.close(); a.close()
PY
		b=$(stats "$id")
		touch "$T/m2"
	elif [ "$k" = hostsendto ]; then
		python3 -c 'import socket, sys
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(int(sys.argv[1])): u.sendto(b"x" * 64, ("127.0.0.1", 9))' "$N"
		b=$(stats "$id")
		touch "$T/m2"
	else
		while [ ! -e "$T/m2" ]; do sleep 0.05; done
		b=$(stats "$id")
	fi
	wait
	python3 -c 'import sys; t1, c1, t2, c2 = map(int, sys.argv[1:]); print("%.0f" % ((t2 - t1) / max(1, c2 - c1)))' \
		$a $b
}

echo "load average $(cut -d' ' -f1 /proc/loadavg) at the start, $(date -u +%FT%TZ)"
echo "| loop ($N iterations) | old ns per $PROG run | new |"
echo "|---|---|---|"
for k in $LOOPS; do
	o=() n=()
	for _ in $(seq 1 "$R"); do
		o+=("$(one "$OLD" $k)")
		n+=("$(one "$NEW" $k)")
	done
	echo "| $k | ${o[*]} | ${n[*]} |"
done
echo "load average $(cut -d' ' -f1 /proc/loadavg) at the end"
