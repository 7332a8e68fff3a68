#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2510 (issue 14, "Noise"): learn twice, watch a third run, for a workload whose arguments
# and files carry what changes every run: its PID ($$), `date +%s`, `date +%F`, `mktemp`
# names, a UUID and a hex id. It runs in a PID namespace of its own (`unshare --pid`, as a
# container does), where PIDs have 1 to 3 digits, and before each run a different number of
# throwaway processes moves the PID counter, so that every run's PIDs are small and
# different. Before sensor/learn/args.c's counter rule, `cp x out-7.log` was learned literally
# and the rerun raised R0040; before open_names.c, /run/…/x.7.pid was learned literally
# (R0002) and a PID-named directory was one "never written in" (V1102).
# The same profile still alerts on what is not the same workload: another program (R0001),
# a learned program with another argument, another script, another program text (R0040).
. "$(dirname "$0")/../lib/common.sh"
requires_root
requires_cmd unshare sha256sum mktemp date python3
vigil_has watch || skip "vigil watch is not part of this build"

PROFILE=$TEST_TMP/p.yaml
W=$TEST_TMP/w
DRIVE=$TEST_TMP/drive.sh
WORK=$TEST_TMP/work.sh
# runtime and log directories, as a daemon has them (removed when the test ends)
RUNDIR=/run/vigil-t2510.$$
LOGDIR=/var/log/vigil-t2510.$$
mkdir -p "$W" "$RUNDIR" "$LOGDIR"
on_exit rm -rf "$RUNDIR" "$LOGDIR"

# drive.sh: PID 1 of its namespace; K throwaway processes, then the work as a child. K and
# the mode are read from files, so that every run has the same command line.
K=$TEST_TMP/k
MODE=$TEST_TMP/mode
cat >"$DRIVE" <<EOF_DRIVE
#!/bin/sh
i=0
k=\$(cat $K)
while [ \$i -lt \$k ]; do /bin/true; i=\$((i + 1)); done
/bin/sh $WORK
EOF_DRIVE

cat >"$WORK" <<EOF_WORK
#!/bin/sh
set -e
pid=\$\$
ts=\$(date +%s)
day=\$(date +%F)
rot=\$(date -d "@\$((ts + \$(cat $K) * 86400))" +%F)
tmp=\$(mktemp)
tdir=\$(mktemp -d)
uuid=\$(cat /proc/sys/kernel/random/uuid)
id=\$(printf %s "\$uuid" | sha256sum | cut -c1-16)
echo "run \$pid \$ts" >"\$tmp"
cp "\$tmp" "$W/out-\$pid.log"
cp "\$tmp" "$RUNDIR/app.\$pid.pid"
cp "\$tmp" "$LOGDIR/app.\$day.log"
cp "\$tmp" "$LOGDIR/app.\$rot.log"
mkdir "$W/job-\$pid"
cp "\$tmp" "$W/job-\$pid/result"
cp "\$tmp" "\$tdir/chunk-\$ts.dat"
cp "\$tmp" "$W/obj-\$id.bin"
touch "$W/req-\$uuid.json"
cat /proc/\$pid/status >/dev/null
grep -c run "$W/out-\$pid.log" "$RUNDIR/app.\$pid.pid" >/dev/null
sh -c 'echo done'
if [ "\$(cat $MODE)" = attack ]; then
	set +e
	id >/dev/null                               # a program never learned
	cp /etc/hostname "$W/out-\$pid.log"           # a learned program, another argument
	sh "$TEST_TMP/other.sh"                       # another script (not written by it)
	sh -c 'echo done; id'                       # another program text
fi
rm -rf "\$tmp" "\$tdir" "$W/out-\$pid.log" "$RUNDIR/app.\$pid.pid" "$W/job-\$pid" \
	"$W/obj-\$id.bin" "$W/req-\$uuid.json"
EOF_WORK
chmod +x "$DRIVE" "$WORK"
printf 'echo hi\n' >"$TEST_TMP/other.sh"

# the workload in a PID namespace of its own
RUN=(unshare --pid --fork --mount-proc -- /bin/sh "$DRIVE")

echo benign >"$MODE"
for k in 3 17; do
	echo "$k" >"$K"
	"$VIGIL" learn --out "$PROFILE.$k" --name vol -- "${RUN[@]}" \
		2>"$TEST_TMP/learn.err" || fail "vigil learn failed: $(cat "$TEST_TMP/learn.err")"
done
"$VIGIL" profile merge -o "$PROFILE" "$PROFILE.3" "$PROFILE.17" 2>"$TEST_TMP/merge.err" ||
	fail "profile merge: $(cat "$TEST_TMP/merge.err")"
# what was learned for the PID-named file (the merge of two runs with other PIDs)
grep -q "out-[0-9]*\.log" "$PROFILE" && fail "a PID-named argument was learned literally: $(grep -n "out-" "$PROFILE")"

# watch NAME K MODE: one run under vigil watch, every rule on; sets ALERTS
watch()
{
	ALERTS=$TEST_TMP/alerts-$1.jsonl
	echo "$2" >"$K"
	echo "$3" >"$MODE"
	"$VIGIL" watch --profile "$PROFILE" --name vol --enable all --alerts "file:$ALERTS" \
		--burst 0 -- "${RUN[@]}" >"$TEST_TMP/watch-$1.out" 2>"$TEST_TMP/watch-$1.err" ||
		true
	[ -f "$ALERTS" ] || : >"$ALERTS"
}

# a third run, its PIDs moved again; and a fourth with nothing in front (PIDs 2, 3, ...)
for k in 41 0; do
	watch "benign-$k" "$k" benign
	assert_eq 0 "$(json_count "$ALERTS")" \
		"alerts on a benign rerun (K=$k): $(head -c 3000 "$ALERTS")"
	log "benign rerun, $k throwaway processes first: quiet"
done

watch attack 29 attack
assert_eq 1 "$(json_count "$ALERTS" rule_id=R0001 event.path=/usr/bin/id)" \
	"R0001 for id: $(head -c 3000 "$ALERTS")"
assert_eq 1 "$(json_count "$ALERTS" rule_id=R0040 event.path=/usr/bin/cp)" \
	"R0040 for cp /etc/hostname: $(grep R0040 "$ALERTS" | head -c 3000)"
for want in "$TEST_TMP/other.sh" "echo done; id"; do
	[ "$(json_count "$ALERTS" rule_id=R0040 "process.args~$want")" -ge 1 ] ||
		fail "no R0040 for sh $want: $(grep R0040 "$ALERTS" | head -c 3000)"
done
log "a changed program, argument, script and program text still alert"
