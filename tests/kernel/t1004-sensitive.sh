#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Sensitive calls (ptrace, unshare, setns, bpf, module loading, memfd_create, mount), fileless
# and /dev/shm execution, links, and a written file made executable.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"
requires_progs

k=exec,ptrace,unshare,setns,bpf,module,memfd,mount,symlink,link,exec_write
TRACE_OPTS=(--kinds "$k")
out=$TEST_TMP/ptrace.jsonl
trace_json "$out" "$PROGS/ptrace_child" attach
expect 1 "$out" kind=ptrace event.request=16 event.request_name=PTRACE_ATTACH event.ret=0
child=$(json_get "$out" event.target_pid kind=ptrace event.request=16 | head -n 1)
[ "$child" -gt 0 ] || fail "ptrace target pid"

out=$TEST_TMP/ns.jsonl
trace_json "$out" "$PROGS/unshare_ns" uts,mnt
expect 1 "$out" kind=unshare event.flags=CLONE_NEWUTS event.flags=CLONE_NEWNS event.ret=0
# the same namespaces made by clone and clone3, no unshare call (redteam2): the same record,
# from the parent only (the child's return of the call is not a second one)
trace_json "$out" "$PROGS/unshare_ns" --clone uts,ipc
expect 1 "$out" kind=unshare event.call=clone event.flags=CLONE_NEWUTS event.flags=CLONE_NEWIPC
trace_json "$out" "$PROGS/unshare_ns" --clone3 uts,net
expect 1 "$out" kind=unshare event.call=clone3 event.flags=CLONE_NEWUTS event.flags=CLONE_NEWNET
# a fork and a thread (clone and clone3 without namespace bits) make no record
trace_json "$out" sh -c '/bin/true & wait; python3 -c "import threading; t = threading.Thread(target=len, args=((),)); t.start(); t.join()"'
expect_none "$out" kind=unshare
trace_json "$out" "$PROGS/setns_join"
expect 1 "$out" kind=setns event.ret=0 event.flags?

out=$TEST_TMP/bpf.jsonl
trace_json "$out" "$PROGS/bpf_load"
expect 1 "$out" kind=bpf event.cmd=5 event.cmd_name=BPF_PROG_LOAD
out=$TEST_TMP/mod.jsonl
trace_json "$out" "$PROGS/module_load" finit
expect 1 "$out" kind=module event.call=finit_module
trace_json "$out" "$PROGS/module_load" init
expect 1 "$out" kind=module event.call=init_module

out=$TEST_TMP/memfd.jsonl
trace_json "$out" "$PROGS/memfd_exec"
assert_eq 0 "$TRACE_RC" "memfd_exec status"
expect 1 "$out" kind=memfd event.name=vigil-memfd
expect 1 "$out" kind=exec event.memfd=true event.path~memfd:vigil-memfd
expect_none "$out" kind=exec event.memfd=true event.path~/build/progs/

out=$TEST_TMP/shm.jsonl
trace_json "$out" "$PROGS/devshm_exec"
expect 1 "$out" kind=exec event.dev_shm=true event.path~/dev/shm/vigil-shm-

out=$TEST_TMP/links.jsonl
trace_json "$out" /bin/sh -c "cd '$TEST_TMP' && '$PROGS/link_to' sym /etc/hostname s1 && '$PROGS/link_to' hard '$TEST_TMP/links.jsonl.cmd' h1"
expect 1 "$out" kind=symlink "event.path=$TEST_TMP/s1" event.target=/etc/hostname
expect 1 "$out" kind=link "event.path=$TEST_TMP/h1" "event.target=$TEST_TMP/links.jsonl.cmd"

out=$TEST_TMP/wx.jsonl
trace_json "$out" "$PROGS/write_exec" "$TEST_TMP/dropped"
expect 1 "$out" kind=exec_write "event.path=$TEST_TMP/dropped"
expect 1 "$out" kind=exec "event.path=$TEST_TMP/dropped"

out=$TEST_TMP/mount.jsonl
mkdir "$TEST_TMP/mnt"
trace_json "$out" unshare -m sh -c "mount -t tmpfs vigiltmp '$TEST_TMP/mnt'"
expect 1 "$out" kind=mount "event.target=$TEST_TMP/mnt" event.ret=0
expect 1 "$out" kind=unshare
echo ok
