#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2505: R2001 "Port forward to pod" where the node sees it. kubectl port-forward reaches the
# node as containerd's forward: a thread of containerd (the host's cgroup) joins the pod
# sandbox's network namespace and connects to localhost:PORT, so the pod only sees a loopback
# peer. This machine has no CRI client that forwards (crictl is not packaged, ctr has no port
# forward): the test makes the same kernel shape with nsenter --net, which is also what a host
# user does to talk as the pod.
#  - a podman container started BEFORE the agent, which never runs a program again (the agent
#    must find its network namespace from its processes): a connection into it from outside
#    raises R2001 naming the outsider (python3) and the address and port;
#  - a Kubernetes-shaped containerd pod's container: R2001 with the pod and namespace names,
#    by connect() and by io_uring's CONNECT;
# and not: a host connection in the host's namespace (to a host-network container's listener:
# a workload that shares the host's namespace has no entry), nor an unwatched sidecar's
# connections inside the namespace it shares with a watched container.
. "$(dirname "$0")/../lib/common.sh"
. "$TESTLIB/podman.sh"
. "$TESTLIB/containerd.sh"
requires_podman
requires_containerd
requires_progs
requires_cmd nsenter python3
podman_image_progs
podman_image_busybox
vigil_has agent || skip "vigil agent is not part of this build"

NS=fwd-$$
POD=db-5c8d7f9b6-q2w4e
ALERTS=$TEST_TMP/alerts.jsonl
connect_in() # PID PORT: a connection from outside, inside PID's network namespace
{
	nsenter --net="/proc/$1/ns/net" python3 -c 'import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5); s.send(b"x"); s.close()' "$2"
}
echo_port() { sed -n 's/^port \([0-9]*\)$/\1/p' "$1" | head -1; }

# the listener containers, before the agent: only tcp_echo runs in them from then on
podman_start box "$PROGS_IMAGE" /progs/tcp_echo 0 0
box_id=$PODMAN_ID
wait_until 10 sh -c "podman --root '$VIGIL_PODMAN_DIR/graph' --runroot '$VIGIL_PODMAN_DIR/run' logs $PODMAN_NAME 2>/dev/null | grep -q '^port '" ||
	fail "box did not listen"
box_port=$(podman_cmd logs "$PODMAN_NAME" 2>/dev/null | sed -n 's/^port \([0-9]*\)$/\1/p' | head -1)
box_pid=$(podman_pid "$box_id")
# a sidecar sharing box's network namespace, not watched (left out of include_cgroups, as a user
# leaves out a mesh's proxy): its connections to box are the pod's own traffic, not a forward
PODMAN_OPTS=(--network "container:$box_id")
podman_start sidecar "$PROGS_IMAGE" sh -c "while :; do /progs/iouring_connect 127.0.0.1 $box_port >/dev/null; sleep 0.3; done"
sidecar_id=$PODMAN_ID
PODMAN_OPTS=(--network host)
podman_start hostnet "$PROGS_IMAGE" /progs/tcp_echo 0 0
hn_id=$PODMAN_ID hn_name=$PODMAN_NAME
wait_until 10 sh -c "podman --root '$VIGIL_PODMAN_DIR/graph' --runroot '$VIGIL_PODMAN_DIR/run' logs $hn_name 2>/dev/null | grep -q '^port '" ||
	fail "the host-network container did not listen"
hn_port=$(podman_cmd logs "$hn_name" 2>/dev/null | sed -n 's/^port \([0-9]*\)$/\1/p' | head -1)

containerd_start
containerd_image "$PROGS_IMAGE"
containerd_image "$BUSYBOX_IMAGE" # the pod's "pause" container
k8s_pod "$POD" "$NS"
k8s_container "$POD" db "$PROGS_IMAGE" sh -c 'exec /progs/tcp_echo 0 0 >/tmp/port'
pod_id=$CTR_ID
wait_until 10 k8s_exec "$pod_id" test -s /tmp/port || fail "the pod's container did not listen"
pod_port=$(k8s_exec "$pod_id" cat /tmp/port | sed -n 's/^port \([0-9]*\)$/\1/p')
pod_pid=$(ctr_pid "$pod_id")
# ctr leaves the namespace's loopback down (a CRI runtime's CNI sets it up): up, from outside
nsenter --net="/proc/$pod_pid/ns/net" ip link set lo up

agent_yaml "$TEST_TMP/agent.yaml" "$ALERTS" 2s "$(podman_cgroup "$box_id")" "$(podman_cgroup "$hn_id")" "$(k8s_container_cgroup "$POD" "$pod_id")"
agent_yaml_containerd "$TEST_TMP/agent.yaml"
spawn agent "$VIGIL" agent --config "$TEST_TMP/agent.yaml"
agent_pid=$SPAWNED_PID
wait_for_line "$TEST_TMP/agent.log" "$(podman_cmd inspect -f '{{.Name}}' "$box_id"): learned -> " 30
wait_for_line "$TEST_TMP/agent.log" "$NS/$POD/db: learned -> " 30
wait_for_line "$TEST_TMP/agent.log" "$hn_name: learned -> " 30
sleep 0.5
touch "$ALERTS"

# 1. the podman container that ran before the agent
connect_in "$box_pid" "$box_port" || fail "connect into box failed"
r2001() { json_count_ge 1 "$ALERTS" rule_id=R2001 "$@"; }
wait_until 10 r2001 "workload.container_id=$box_id" ||
	fail "no R2001 for the connection into box: $(head -c 2000 "$ALERTS"; tail -5 "$TEST_TMP/agent.log")"
msg=$(json_get "$ALERTS" message rule_id=R2001 "workload.container_id=$box_id")
assert_contains "$msg" "python3" "R2001 names the outsider"
assert_contains "$msg" "127.0.0.1 port $box_port" "R2001 names the address"
assert_eq 1 "$(json_count "$ALERTS" rule_id=R2001 "workload.container_id=$box_id")" \
	"R2001 for box (the sidecar's connections are not forwards): $(head -c 3000 "$ALERTS")"

# 2. the pod: connect(), then io_uring's CONNECT (another program: another alert)
connect_in "$pod_pid" "$pod_port" || fail "connect into the pod failed"
nsenter --net="/proc/$pod_pid/ns/net" "$PROGS/iouring_connect" 127.0.0.1 "$pod_port" >/dev/null ||
	fail "io_uring connect into the pod failed"
wait_until 10 json_count_ge 2 "$ALERTS" rule_id=R2001 "workload.pod=$POD" "workload.namespace=$NS" ||
	fail "R2001 for the pod: $(head -c 3000 "$ALERTS")"
assert_contains "$(json_filter "$ALERTS" rule_id=R2001 "workload.pod=$POD")" "by iouring_connect" \
	"the io_uring connection's R2001"

# 3. not: a host connection in the host's namespace to the host-network container's listener
python3 -c 'import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5); s.send(b"x"); s.close()' "$hn_port"
sleep 1
assert_eq 0 "$(json_count "$ALERTS" rule_id=R2001 "workload.container_id=$hn_id")" "R2001 for the host-network container"
assert_eq 3 "$(json_count "$ALERTS" rule_id=R2001)" "R2001 alerts: $(head -c 3000 "$ALERTS")"
# besides R2001, only V1109, at most once per listener: the listeners had no client from outside
# while the agent learned (2 s), so an accept of the connections above is news (the profiles'
# ingress is empty or lists only what learning saw)
assert_eq 3 "$(($(json_count "$ALERTS") - $(json_count "$ALERTS" rule_id=V1109)))" \
	"alerts other than V1109: $(head -c 3000 "$ALERTS")"
[ "$(json_count "$ALERTS" rule_id=V1109)" -le 3 ] || fail "V1109 more than once per listener: $(json_get "$ALERTS" message rule_id=V1109)"

# 4. box goes (and its sidecar): the agent unwatches it, and the entry it noted for box's
# namespace goes with it (an unwatch removes its workload's entries by their index, not by a
# walk of the map; a stale one would send a later pod's forwards, once the inode number is
# reused, to a dead workload)
box_cg=$(stat -c %i "$(cgroup2_root)$(podman_cgroup "$box_id")")
box_entries() { python3 "$TESTLIB/netns_entries.py" "$agent_pid" netns_wl "$box_cg"; }
assert_eq 1 "$(box_entries)" "box's namespace entry while it runs"
podman_cmd rm -f -t 0 "$sidecar_id" >"$TEST_TMP/rm.log" 2>&1 &&
	podman_cmd rm -f -t 0 "$box_id" >>"$TEST_TMP/rm.log" 2>&1 || fail "podman rm: $(cat "$TEST_TMP/rm.log")"
wait_until 15 sh -c '[ "$("$@")" = 0 ]' sh python3 "$TESTLIB/netns_entries.py" "$agent_pid" netns_wl "$box_cg" ||
	fail "box's netns_wl entry stayed after it went: $(box_entries); $(tail -5 "$TEST_TMP/agent.log")"
log "R2001 for a container that ran before the agent and for a pod (connect, io_uring); none for the host's namespace; a gone container's entry goes"
