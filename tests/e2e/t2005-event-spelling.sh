#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2005: one spelling of an event. A workload makes real events of every kind a rule can
# alert on; `vigil watch --events` writes each event it checks as `vigil trace --json` does,
# and every alert's "event", "process" and "workload" must equal those of the event that
# raised it (same kind and time), field for field. Open flags, DNS types, namespaces, ptrace
# requests and bpf commands are names in both. Then `vigil trace --json` runs the same
# workload: its events of every kind that alerted have the alerts' fields, of the same types.
#
# Runs in a private network namespace (DNS on port 53 without touching the host's).
if [ "$(id -u)" = 0 ] && [ -z "${VIGIL_T2005_NETNS:-}" ] && command -v unshare >/dev/null; then
	VIGIL_T2005_NETNS=1 exec unshare --net -- "$0" "$@"
fi
. "$(dirname "$0")/../lib/common.sh"
requires_root
requires_progs
requires_cmd ip unshare nsenter
vigil_has watch || skip "vigil watch is not part of this build"

ip link set lo up
spawn dns "$PROGS/dns_server" 53 127.0.0.1
wait_for_line "$TEST_TMP/dns.log" '^port 53$' 30
spawn_server echo "$PROGS/tcp_echo" 0
ECHO_PORT=$SERVER_PORT

# A profile that allows almost nothing: what /bin/true does.
PROFILE=$TEST_TMP/true.yaml
"$VIGIL" learn --out "$PROFILE" --name spelling -- /bin/true 2>"$TEST_TMP/learn.err" ||
	fail "vigil learn failed: $(cat "$TEST_TMP/learn.err")"
# one HTTP endpoint and one ingress port, so that V1108 and V1109 judge (V1108 judges no
# profile that lists no endpoint): the drive's request and its listener's accept are not these.
# Learning wrote `ingress: []` (it accepted nothing): replaced by the list below.
sed -i '/^  ingress: \[\]$/d' "$PROFILE"
cat >>"$PROFILE" <<'YAML'
  endpoints:
  - endpoint: :1/learned
    methods:
    - GET
    direction: outbound
  ingress:
  - identifier: learned
    type: external
    ports:
    - name: TCP-1
      protocol: TCP
      port: 1
    ipAddresses:
    - 127.0.0.1
YAML
"$VIGIL" profile lint "$PROFILE" >/dev/null || fail "the profile with an endpoint does not load"

# a shared library to drop and map executable (mmap_exec), a cgroup nobody watches to leave to
# (cgroup_move)
LIB=
for l in /lib/x86_64-linux-gnu/libm.so.6 /usr/lib/x86_64-linux-gnu/libm.so.6 /lib64/libm.so.6; do
	[ -f "$l" ] && LIB=$l && break
done
[ -n "$LIB" ] || skip "no libm.so.6"
OUT=$(new_cgroup out)

# the host's namespaces as the sensor takes them: pid 1's, or its own where pid 1's are hidden
# (then the drive's shell, which shares them: "$$" expanded in the drive)
if readlink /proc/1/ns/mnt >/dev/null 2>&1; then HOSTPID=1; else HOSTPID=\$\$; fi

DRIVE=$TEST_TMP/drive.sh
cat >"$DRIVE" <<EOF
#!/bin/sh
cat /etc/shadow >/dev/null
"$PROGS/cap_use" net_raw
"$PROGS/dns_query" vigil-spelling.example.org 127.0.0.1 53
"$PROGS/iouring_connect" 127.0.0.1 $ECHO_PORT
python3 -c 'import socket; s = socket.create_connection(("127.0.0.1", $ECHO_PORT)); s.sendall(b"GET /spelling?x=1 HTTP/1.1\r\nHost: x\r\n\r\n"); s.recv(64)'
"$PROGS/udp_send" sendto 127.0.0.1 9
"$PROGS/raw_socket" packet
"$PROGS/link_to" sym /etc/shadow "$TEST_TMP/s1"
"$PROGS/link_to" hard /etc/shadow "$TEST_TMP/h1"
"$PROGS/ptrace_child" attach
"$PROGS/unshare_ns" uts
"$PROGS/bpf_load"
"$PROGS/module_load" finit
"$PROGS/red2_map_exec" drop "$LIB" "$TEST_TMP/dropped.so"
# a rename of /etc/shadow that fails (no such directory): the attempt is the event
mv /etc/shadow "$TEST_TMP/no-such-dir/shadow" 2>/dev/null
# setns from a mount namespace of its own into the host's (setns), the setuid bit (setid), a
# shell history removed (erase)
unshare -m "$PROGS/setns_join" /proc/$HOSTPID/ns/mnt
chmod u+s "$TEST_TMP/suid"
rm -f "$TEST_TMP/.bash_history"
sh -c 'echo \$\$ >"$OUT/cgroup.procs"'
# a port forward's shape (netns_connect; its accept: V1109): a listener in a network namespace of its own, which a
# process outside the workload (the test's forwarder) connects to from inside that namespace
unshare -n sh -c 'ip link set lo up; echo \$\$ >"$TEST_TMP/fwd.pid"; exec "$PROGS/tcp_echo" 0 1 >"$TEST_TMP/fwd.port"' &
i=0
while [ ! -e "$TEST_TMP/fwd.done" ] && [ \$i -lt 400 ]; do sleep 0.05; i=\$((i + 1)); done
wait
exit 0
EOF
chmod +x "$DRIVE"

# before each run of the drive: the files it changes as they were, and the forwarder, outside
# the workload
fresh()
{
	rm -f "$TEST_TMP/suid" "$TEST_TMP/fwd.port" "$TEST_TMP/fwd.pid" "$TEST_TMP/fwd.done"
	: >"$TEST_TMP/suid"
	echo "ls" >"$TEST_TMP/.bash_history"
	(
		wait_until 30 grep -q '^port ' "$TEST_TMP/fwd.port" 2>/dev/null &&
			nsenter --net="/proc/$(cat "$TEST_TMP/fwd.pid")/ns/net" "$PROGS/iouring_connect" 127.0.0.1 \
				"$(sed -n 's/^port //p' "$TEST_TMP/fwd.port")" >/dev/null
		touch "$TEST_TMP/fwd.done"
	) &
	FWD_PID=$!
}
fresh

ALERTS=$TEST_TMP/alerts.jsonl
EVENTS=$TEST_TMP/events.jsonl
set +e
"$VIGIL" watch --profile "$PROFILE" --name spelling --cooldown 0 --enable all --alerts "file:$ALERTS" \
	--events "$EVENTS" -- /bin/sh "$DRIVE" >"$TEST_TMP/watch.out" 2>"$TEST_TMP/watch.err"
RC=$?
set -e
assert_eq 1 "$RC" "watch exit status (alerts raised): $(cat "$TEST_TMP/watch.err")"

wait "$FWD_PID" || true # the forwarder

# the same workload under `vigil trace --json`: every kind an alert carried is there, spelled as
# in the alerts (the same fields, of the same types, values by name)
TRACE=$TEST_TMP/trace.jsonl
fresh
"$VIGIL" trace --json -o "$TRACE" -- /bin/sh "$DRIVE" >"$TEST_TMP/trace.out" 2>"$TEST_TMP/trace.err" ||
	fail "vigil trace failed: $(cat "$TEST_TMP/trace.err")"
wait "$FWD_PID" || true

python3 "$VIGIL_ROOT/tests/e2e/t2005-compare.py" "$ALERTS" "$EVENTS" "$TRACE"
echo ok
