#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# setns(2) into the host's namespaces (V1105's fact, T1611): a workload in mount and network
# namespaces of its own (unshare -m -n) joins the host's by a namespace file (nsenter -t 1 -m,
# setns on /proc/1/ns/mnt) and by a pidfd (several types in one call). Each setns record says
# which types the call changed (joined) and which of those are now the host's (host), with
# the inode of the namespace joined. Joining its own namespace changes nothing; joining a
# namespace that is not the host's (another private one) is joined but not host.
# "The host" is pid 1's namespaces, or the sensor's own where pid 1's are hidden (a sandbox):
# the target here is whichever of the two the sensor takes.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"
requires_progs
requires_cmd unshare nsenter readlink
J=$PROGS/setns_join

if readlink /proc/1/ns/mnt >/dev/null 2>&1; then H=1; else H=$$; fi
hostmnt=$(stat -L -c %i "/proc/$H/ns/mnt")
# another private mount namespace, nobody's host
spawn holder unshare -m --propagation private sh -c 'echo ready && exec sleep 600'
wait_for_line "$TEST_TMP/holder.log" '^ready$' 30
OTHER=$SPAWNED_PID

trace_json "$TEST_TMP/ev.jsonl" unshare -m -n --propagation private sh -c '
	"$0" /proc/self/ns/uts && "$0" "/proc/$1/ns/mnt" && "$0" --pidfd "$1" &&
	unshare -m "$0" "/proc/$2/ns/mnt"' "$J" "$H" "$OTHER"
assert_eq 0 "$TRACE_RC" "the joins ($(cat "$TEST_TMP/ev.jsonl.cmd" "$TRACE_ERR"))"
E=$TEST_TMP/ev.jsonl
# its own namespace: a setns, nothing changed
expect 1 "$E" event.type=setns "process.args~/proc/self/ns/uts" event.ret=0
expect_none "$E" event.type=setns "process.args~/proc/self/ns/uts" event.joined~CLONE
# the host's mount namespace by its file
expect 1 "$E" event.type=setns "process.args~/proc/$H/ns/mnt" event.joined~CLONE_NEWNS \
	event.host~CLONE_NEWNS "event.ns_ino=$hostmnt"
# by a pidfd: mount and network at once
expect 1 "$E" event.type=setns process.args~--pidfd event.flags~CLONE_NEWNET \
	event.host~CLONE_NEWNS event.host~CLONE_NEWNET
# another workload's (not the host's): joined, not host
expect 1 "$E" event.type=setns "process.args~/proc/$OTHER/ns/mnt" event.joined~CLONE_NEWNS
expect_none "$E" event.type=setns "process.args~/proc/$OTHER/ns/mnt" event.host~CLONE
echo ok
