#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Detection judges the file that was opened: reading /etc/shadow through a symlink, "..",
# "//", a directory descriptor, a fixed io_uring slot, a file handle (open_by_handle_at) or a
# detached copy of a mount (open_tree) raises R0010 (not R0002, not nothing),
# /proc/self/../self/environ raises R0008, and failed attempts spelt /./etc/shadow,
# //etc/shadow, /etc/../etc/shadow or too long for the sensor to copy whole raise R0010.
# Links to /etc/shadow spelt /etc/../etc/shadow or ../../../etc/shadow raise R1012/R1010.
# Learning records the same canonical paths, so a learned spelling is quiet when rerun.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"
requires_progs
requires_io_uring

T=$TEST_TMP
ln -s /etc/shadow "$T/link"
P=$T/profile.yaml
"$VIGIL" learn --out "$P" --name paths -- "$PROGS/open_via" sys /etc/hostname 2>"$T/learn.err" ||
	fail "learn: $(cat "$T/learn.err")"

DRIVE=$T/drive.sh
CASES=$T/cases
echo '#!/bin/sh' >"$DRIVE"
: >"$CASES"
n=0
# case RULE [open_via ARGS...]: the run must raise RULE. Each run gets its own harmless open
# flags, so the kernel's de-duplication (by file and flags) lets every run through: a subset of
# O_NOCTTY, O_NONBLOCK, O_DSYNC, O_ASYNC, O_NOATIME (not O_LARGEFILE: io_uring adds it).
harmless_bits=(256 2048 4096 8192 262144)
case_()
{
	local rule=$1 x
	shift
	x=0
	for b in 0 1 2 3 4; do
		[ $(((n >> b) & 1)) -eq 1 ] && x=$((x | harmless_bits[b]))
	done
	n=$((n + 1))
	if [ "$1" = "-x" ]; then
		x=$((x | $2))
		shift 2
	fi
	printf 'c%d\t%s\n' "$n" "$rule" >>"$CASES"
	printf '%q ' "$PROGS/open_via" -t "c$n" -x "$x" "$@" >>"$DRIVE"
	printf '\n' >>"$DRIVE"
}
case_ R0010 sys "$T/link"
case_ R0010 sys /etc//shadow
case_ R0010 uring "$T/link"
case_ R0010 uring /tmp/../etc/shadow
case_ R0010 uring /etc//shadow
case_ R0010 -d /etc uring shadow
case_ R0010 -d "$T" uring link
case_ R0010 uring-fixed "$T/link"
case_ R0010 uring-async //etc/shadow
case_ R0010 uring-link /./etc/shadow
case_ R0010 uring-sqpoll "$T/link"
case_ R0010 -r /etc chroot /shadow
case_ R0010 handle /etc/shadow
# a detached copy of the mount of /etc (open_tree OPEN_TREE_CLONE): the walk ends at its top
case_ R0010 -d /etc tree shadow
case_ R0008 uring /proc/self/../self/environ
case_ R0008 sys /proc/thread-self/environ
case_ R0008 uring /proc/thread-self/environ
# failed attempts (O_DIRECTORY on a file: ENOTDIR)
for m in sys uring; do
	case_ R0010 -x 65536 "$m" /./etc/shadow
	case_ R0010 -x 65536 "$m" //etc/shadow
	case_ R0010 -x 65536 "$m" /etc/../etc/shadow
done
# longer than PATH_MAX: the kernel refuses it (ENAMETOOLONG), the sensor cuts its copy; a cut
# path could name anything
long=/$(printf './%.0s' $(seq 2100))etc/shadow
case_ R0010 sys "$long"
case_ R0010 uring "$long"

A=$T/alerts.jsonl
"$VIGIL" watch --profile "$P" --alerts "file:$A" --cooldown 0 -- /bin/sh "$DRIVE" \
	>"$T/watch.out" 2>"$T/watch.err" || true
[ -s "$A" ] || fail "no alerts: $(cat "$T/watch.err")"

python3 - "$CASES" "$A" "$DRIVE" <<'PY' || fail "spellings that escaped detection (above)"
import json, sys
want = dict(l.rstrip("\n").split("\t") for l in open(sys.argv[1]))
runs = {l.split()[2]: " ".join(l.split()[5:])[:120] for l in open(sys.argv[3]) if " -t " in l}
got = {}
for line in open(sys.argv[2]):
    a = json.loads(line)
    args = a.get("process", {}).get("args", [])
    if "O_PATH" in a.get("event", {}).get("flags", []):
        continue  # the -d DIR descriptor
    if len(args) > 2 and args[1] == "-t":
        got.setdefault(args[2], set()).add(a["rule_id"])
bad = 0
for tag, rule in want.items():
    rules = got.get(tag, set()) & {"R0002", "R0008", "R0010"}
    if rules != {rule}:
        bad += 1
        print("# %s (%s): want %s, got %s" % (tag, runs[tag], rule, sorted(rules) or "nothing"),
              file=sys.stderr)
print("# %d of %d runs wrong" % (bad, len(want)), file=sys.stderr)
sys.exit(1 if bad else 0)
PY

# Links to a sensitive file, their target spelt another way: R1012 (hard) and R1010 (symbolic)
mkdir -p "$T/sub"
cat >"$T/links.sh" <<EOF
#!/bin/sh
'$PROGS/link_to' hard /etc/../etc/shadow '$T/h1'
cd '$T/sub' && '$PROGS/link_to' hard ../../../etc/shadow h2
'$PROGS/link_to' sym ../../../etc/shadow '$T/sub/s1'
'$PROGS/link_to' sym /etc/./shadow '$T/s2'
EOF
A3=$T/alerts3.jsonl
"$VIGIL" watch --profile "$P" --alerts "file:$A3" --cooldown 0 -- /bin/sh "$T/links.sh" \
	>/dev/null 2>"$T/watch3.err" || true
touch "$A3"
for l in h1 sub/h2; do
	assert_eq 1 "$(json_count "$A3" rule_id=R1012 "key=$T/$l")" "R1012 for $l"
done
for l in sub/s1 s2; do
	assert_eq 1 "$(json_count "$A3" rule_id=R1010 "key=$T/$l")" "R1010 for $l"
done

# Learning records canonical paths: the file a spelling opened, an attempt normalised.
P2=$T/learned.yaml
cat >"$T/learn.sh" <<EOF
#!/bin/sh
'$PROGS/open_via' uring /tmp/../etc/hostname
'$PROGS/open_via' sys /etc//hostname
'$PROGS/open_via' -x 65536 uring /./etc/shadow
EOF
"$VIGIL" learn --out "$P2" --name learned -- /bin/sh "$T/learn.sh" 2>"$T/learn2.err" ||
	fail "learn: $(cat "$T/learn2.err")"
assert_file_contains "$P2" "path: /etc/hostname"
assert_file_contains "$P2" "path: /etc/shadow"
for bad in /tmp/../etc /etc//hostname /./etc; do
	grep -qF -- "path: $bad" "$P2" && fail "learned a spelling, not the file: $bad"
done
A2=$T/alerts2.jsonl
"$VIGIL" watch --profile "$P2" --alerts "file:$A2" -- /bin/sh "$T/learn.sh" \
	>/dev/null 2>"$T/watch2.err" || true
assert_eq 0 "$(json_count "$A2" rule_id=R0010)" "R0010 for a learned attempt"
assert_eq 0 "$(json_count "$A2" rule_id=R0002)" "R0002 for a learned file"
echo ok
