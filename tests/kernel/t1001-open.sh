#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# open/openat/openat2 with relative paths resolved against the cwd and a dirfd, flags and
# results; the same file opened only through io_uring (IORING_OP_OPENAT, no open syscall).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"
requires_progs

d=$TEST_TMP/data
mkdir -p "$d/sub"
echo inner >"$d/sub/inner.txt"
cat >"$TEST_TMP/open.py" <<'PY'
import os, sys
d = sys.argv[1]
os.chdir(d)
os.close(os.open("created.txt", os.O_CREAT | os.O_WRONLY, 0o644))
dfd = os.open("sub", os.O_RDONLY | os.O_DIRECTORY)
os.close(os.open("inner.txt", os.O_RDONLY, dir_fd=dfd))
try:
    os.open("missing.txt", os.O_RDONLY)
except FileNotFoundError:
    pass
try:
    os.open("nothere.txt", os.O_RDONLY, dir_fd=dfd)
except FileNotFoundError:
    pass
PY
out=$TEST_TMP/open.jsonl
TRACE_OPTS=(--kinds open)
trace_json "$out" python3 "$TEST_TMP/open.py" "$d"
assert_eq 0 "$TRACE_RC" "python status"
# O_CREAT|O_WRONLY (0101 = 65) plus O_CLOEXEC (02000000) that Python adds
expect 1 "$out" "event.path=$d/created.txt" event.flags=O_WRONLY event.flags=O_CREAT event.flags=O_CLOEXEC event.ret!=-2
expect 1 "$out" "event.path=$d/sub/inner.txt" event.flags=O_RDONLY event.flags=O_CLOEXEC
# failed opens: resolved against the cwd and against the dirfd
expect 1 "$out" "event.path=$d/missing.txt" event.ret=-2
expect 1 "$out" "event.path=$d/sub/nothere.txt" event.ret=-2
expect_none "$out" event.path=missing.txt

# io_uring: the open shows up as an open event via io_uring, and no syscall opens the file
out=$TEST_TMP/uring.jsonl
TRACE_OPTS=(--kinds open,iouring_op,iouring_create)
trace_json "$out" "$PROGS/iouring_openat" "$d/sub/inner.txt"
assert_eq 0 "$TRACE_RC" "iouring_openat status"
expect 1 "$out" kind=open "event.path=$d/sub/inner.txt" event.via_iouring=true
expect_none "$out" kind=open "event.path=$d/sub/inner.txt" event.via_iouring!=true
expect 1 "$out" kind=iouring_create event.sq_entries?
expect 1 "$out" kind=iouring_op event.op=OPENAT event.opcode=18
# the READ works on the file OPENAT returned: its path is known from the descriptor
expect 1 "$out" kind=iouring_op event.op=READ "event.path=$d/sub/inner.txt"
echo ok
