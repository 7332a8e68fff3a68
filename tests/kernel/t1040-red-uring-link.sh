#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# t1040 (red team): links made through io_uring. IORING_OP_SYMLINKAT and IORING_OP_LINKAT make
# the links symlinkat(2) and linkat(2) do, with no such syscall: they are the same symlink and
# link events (the kernel's copies of both names, a relative link name with its directory),
# so a link over /etc/shadow is R1010 / R1012, as through the syscalls. Before, only R1030
# could see them, and only while the workload's profile did not list the opcode: a workload
# that learned io_uring links raised nothing.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"
requires_progs
requires_io_uring

T=$TEST_TMP
mkdir -p "$T/sub"
touch "$T/benign-target"

# the events: link name (relative to the working directory too), target as given, via io_uring
out=$T/links.jsonl
TRACE_OPTS=(--kinds symlink,link)
trace_json "$out" /bin/sh -c "cd '$T/sub' && '$PROGS/red_uring_link' sym ../../../etc/shadow s1 &&
	'$PROGS/red_uring_link' hard '$T/benign-target' '$T/h0'"
assert_eq 0 "$TRACE_RC" "red_uring_link status ($(cat "$out.cmd") $(cat "$TRACE_ERR"))"
assert_eq 1 "$(json_count "$out" kind=symlink "event.path=$T/sub/s1" \
	event.target=../../../etc/shadow)" "IORING_OP_SYMLINKAT event"
assert_eq 1 "$(json_count "$out" kind=link "event.path=$T/h0" "event.target=$T/benign-target")" \
	"IORING_OP_LINKAT event"
expect_none "$out" "event.path~/proc/"

# the alerts, in a workload whose profile learned io_uring links (so R1030 is quiet)
P=$T/profile.yaml
"$VIGIL" learn --out "$P" --name links -- /bin/sh -c \
	"'$PROGS/red_uring_link' sym '$T/benign-target' '$T/s0' &&
	 '$PROGS/red_uring_link' hard '$T/benign-target' '$T/h0'" 2>"$T/learn.err" ||
	fail "learn: $(cat "$T/learn.err")"
assert_file_contains "$P" "SYMLINKAT"
assert_file_contains "$P" "LINKAT"
cat >"$T/links.sh" <<EOF
#!/bin/sh
'$PROGS/red_uring_link' sym '$T/benign-target' '$T/s0'
'$PROGS/red_uring_link' hard '$T/benign-target' '$T/h0'
'$PROGS/red_uring_link' hard /etc/../etc/shadow '$T/h1'
cd '$T/sub' && '$PROGS/red_uring_link' sym ../../../etc/shadow s1
EOF
A=$T/alerts.jsonl
"$VIGIL" watch --profile "$P" --alerts "file:$A" --cooldown 0 --burst 0 -- /bin/sh "$T/links.sh" \
	>/dev/null 2>"$T/watch.err" || true
touch "$A"
assert_eq 1 "$(json_count "$A" rule_id=R1012 "key=$T/h1")" "R1012 for an io_uring hard link: $(cat "$A")"
assert_eq 1 "$(json_count "$A" rule_id=R1010 "key=$T/sub/s1")" "R1010 for an io_uring symlink: $(cat "$A")"
assert_eq 0 "$(json_count "$A" rule_id=R1030)" "R1030 for learned opcodes: $(cat "$A")"
assert_eq 0 "$(json_count "$A" "key~$T/s0")" "alerts for the benign symlink"
assert_eq 0 "$(json_count "$A" "key~$T/h0")" "alerts for the benign hard link"
echo ok
