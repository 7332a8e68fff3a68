#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Paths are the file that was opened, not the string the program wrote: every spelling of
# /etc/shadow (symlink, "..", "//", "/./", a directory descriptor, openat2 RESOLVE_IN_ROOT, an
# O_PATH descriptor reopened through /proc/self/fd, a chroot into /etc, open_by_handle_at with
# no name at all) gives /etc/shadow, through
# the open syscalls and through io_uring alike (plain, OPENAT2, IOSQE_ASYNC, linked, fixed
# file slots, SQPOLL, DEFER_TASKRUN). A failed open is the string normalised (".", "..", "//",
# relative to its directory); a string the sensor had to cut is marked, never passed off as
# a whole path. /proc/self, /proc/thread-self and /proc/PID spellings name the same file.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"
requires_progs
requires_io_uring

T=$TEST_TMP
ln -s /etc/shadow "$T/link"
mkdir "$T/sub"
ln -s ../link "$T/sub/rel"
DRIVE=$T/drive.sh
CASES=$T/cases
: >"$CASES"
n=0
# case EXPECTED [open_via ARGS...]: one run of open_via tagged cN
case_()
{
	local want=$1
	shift
	n=$((n + 1))
	printf 'c%d\t%s\n' "$n" "$want" >>"$CASES"
	printf '%q ' "$PROGS/open_via" -t "c$n" "$@" >>"$DRIVE"
	printf '\n' >>"$DRIVE"
}
echo '#!/bin/sh' >"$DRIVE"
SYS=(sys openat2 opath)
URING=(uring uring-openat2 uring-async uring-link uring-fixed uring-alloc uring-sqpoll uring-defer)
for m in "${SYS[@]}" "${URING[@]}"; do
	for p in "$T/link" "$T/sub/rel" /tmp/../etc/shadow /etc//shadow /./etc/shadow //etc/shadow \
		/etc/../etc/shadow; do
		case_ /etc/shadow "$m" "$p"
	done
	case_ /etc/shadow -d /etc "$m" shadow
	if [ "$m" = openat2 ]; then
		# RESOLVE_IN_ROOT: the link's absolute target stays below the root: not found
		case_ "$T/link" -d "$T" "$m" link
	else
		case_ /etc/shadow -d "$T" "$m" link
	fi
	case_ /etc/shadow -d "$T/sub" "$m" ../../../etc/shadow
done
# openat2 RESOLVE_IN_ROOT: "/shadow" below a root of /etc is /etc/shadow
case_ /etc/shadow -d /etc openat2 /shadow
# chroot into a directory (not a mount of its own): /shadow there is /etc/shadow
case_ /etc/shadow -r /etc chroot /shadow
case_ /etc/shadow -r /etc chroot /../../shadow
# /proc spellings: self, thread-self, "..": the same files as /proc/PID/...
for m in sys uring; do
	case_ "/proc/PID/environ" "$m" /proc/self/../self/environ
	case_ "/proc/PID/environ" "$m" /proc/self/environ
	case_ "/proc/PID/task/TID/environ" "$m" /proc/thread-self/environ
done
# failed opens (O_DIRECTORY on a file: ENOTDIR after the path was looked up): normalised
for m in sys uring uring-async; do
	for p in /./etc/shadow //etc/shadow /etc/../etc/shadow /etc//shadow /tmp/../etc/shadow \
		/etc/./shadow/; do
		case_ /etc/shadow -x 65536 "$m" "$p"
	done
	case_ /etc/shadow -x 65536 -d /etc "$m" ./shadow
	case_ /etc/shadow -x 65536 -d "$T/sub" "$m" ../../../etc/shadow
done

# open_by_handle_at: no name at all, only a mount and a handle (as root, CAP_DAC_READ_SEARCH)
case_ /etc/shadow handle /etc/shadow
case_ /etc/shadow handle "$T/link"

# one submission: OPENAT(link), CLOSE of the descriptor it gets, OPENAT(/etc/hostname) into
# the same number: the first open is still reported as the file it opened
printf '%q ' "$PROGS/open_via" -t swap uring-swap "$T/link" >>"$DRIVE"
printf '\n' >>"$DRIVE"

out=$T/paths.jsonl
TRACE_OPTS=(--kinds exec,open)
trace_json "$out" /bin/sh "$DRIVE"
assert_eq 0 "$TRACE_RC" "driver status"

# Each run's opens (its directory descriptor aside) name the expected file, PID and TID
# standing for the run's own.
python3 - "$CASES" "$out" <<'PY' || fail "spellings not resolved to the file opened (above)"
import json, sys
want = dict(l.rstrip("\n").split("\t") for l in open(sys.argv[1]))
got = {}
for line in open(sys.argv[2]):
    e = json.loads(line)
    a = e["process"]["args"]
    if e["kind"] != "open" or len(a) < 3 or a[1] != "-t" or a[2] not in want:
        continue
    fl = e["event"]["flags"]
    if "O_PATH" in fl and "O_DIRECTORY" in fl:  # the -d DIR descriptor
        continue
    if e["event"]["path"] == "/" and "O_DIRECTORY" in fl:  # handle's mount descriptor
        continue
    w = want[a[2]].replace("PID", str(e["process"]["pid"])).replace("TID", str(e["process"]["tid"]))
    got.setdefault(a[2], set()).add((e["event"]["path"], w, " ".join(a[3:])))
bad = 0
for tag in want:
    paths = got.get(tag, set())
    ok = paths and all(p == w for p, w, _ in paths)
    if not ok:
        bad += 1
        print("# %s: want %s, got %s" % (tag, want[tag], sorted(p for p, _, _ in paths)
              or "no event"), [c for _, _, c in paths][:1], file=sys.stderr)
print("# %d of %d spellings wrong" % (bad, len(want)), file=sys.stderr)
sys.exit(1 if bad else 0)
PY

expect 1 "$out" kind=open process.args=swap event.path=/etc/shadow event.via_iouring=true

# io_uring opens are reported as such, and the failed ones carry the error
expect 1 "$out" kind=open event.via_iouring=true event.path=/etc/shadow event.ret=-20
expect 1 "$out" kind=open event.via_iouring!=true event.path=/etc/shadow event.ret=-20
echo ok
