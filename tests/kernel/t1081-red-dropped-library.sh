#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# t1081 (red team): a dropped shared library. A library is mapped, not executed, so a .so the
# workload writes and then loads (dlopen, LD_PRELOAD, ld.so --preload) was not
# drop-and-execute: before, nothing (the write at most V1102). Now a file the workload wrote,
# mapped executable (mmap PROT_EXEC, or mprotect adding PROT_EXEC), is R1001, and a memfd
# mapped executable (a library loaded through /proc/self/fd/N) is R1005. Covered: written by
# the mapping process, written by one process and renamed into place by another, mprotect,
# LD_PRELOAD through the real dynamic loader, memfd. The learned run, mapping a system library,
# is quiet; so is a memfd mapped by a workload that learned to make memfds (.NET's double
# mapping of its JIT code).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"
requires_progs

T=$TEST_TMP
P=$T/profile.yaml
LIB=
for l in /lib/x86_64-linux-gnu/libm.so.6 /usr/lib/x86_64-linux-gnu/libm.so.6 /lib64/libm.so.6; do
	[ -f "$l" ] && LIB=$l && break
done
[ -n "$LIB" ] || skip "no libm.so.6"
M=$PROGS/red2_map_exec
"$VIGIL" learn --out "$P" --name lib -- "$M" map "$LIB" 2>"$T/learn.err" ||
	fail "learn: $(cat "$T/learn.err")"
for how in learned drop rename mprotect preload memfd; do
	A=$T/alerts-$how.jsonl
	D=$T/$how.so
	case $how in
	learned) cmd=("$M" map "$LIB") ;;
	drop) cmd=("$M" drop "$LIB" "$D") ;;
	rename) cmd=(sh -c '"$1" drop "$2" "$3.tmp" >/dev/null && mv "$3.tmp" "$3" && "$1" map "$3"' \
		sh "$M" "$LIB" "$D") ;;
	mprotect) cmd=(sh -c 'cat "$2" >"$3" && "$1" mprotect "$3"' sh "$M" "$LIB" "$D") ;;
	preload) cmd=(sh -c 'cat "$1" >"$2" && LD_PRELOAD="$2" /bin/true' sh "$LIB" "$D") ;;
	memfd) cmd=("$M" memfd "$LIB") ;;
	esac
	"$VIGIL" watch --profile "$P" --alerts "file:$A" --cooldown 0 --burst 0 -- "${cmd[@]}" \
		>"$T/$how.out" 2>"$T/$how.err" || true
	touch "$A"
	case $how in
	learned) assert_eq 0 "$(json_count "$A")" "alerts for a learned run: $(cat "$A")" ;;
	memfd)
		assert_ge "$(json_count "$A" rule_id=R1005 event.type=mmap_exec)" 1 \
			"R1005 for a memfd mapped executable: $(cat "$A")"
		;;
	*)
		assert_eq 1 "$(json_count "$A" rule_id=R1001 event.type=mmap_exec "key=$D" severity=8)" \
			"R1001 for the library ($how): $(cat "$A")"
		;;
	esac
done
# a workload that maps memfds while learning (memfd_create in its syscalls) stays quiet
A=$T/alerts-memfd-learned.jsonl
"$VIGIL" learn --out "$T/memfd.yaml" --name memfd -- "$M" memfd "$LIB" 2>"$T/learn2.err" ||
	fail "learn: $(cat "$T/learn2.err")"
"$VIGIL" watch --profile "$T/memfd.yaml" --alerts "file:$A" --cooldown 0 --burst 0 -- \
	"$M" memfd "$LIB" >"$T/memfd2.out" 2>"$T/memfd2.err" || true
touch "$A"
assert_file_contains "$T/memfd2.out" "mapped /proc/self/fd/"
assert_eq 0 "$(json_count "$A")" "alerts for a learned memfd run: $(cat "$A")"
echo ok
