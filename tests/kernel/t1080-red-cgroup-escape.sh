#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# t1080 (red team): a watched process leaving its workload's cgroup. Workloads are known by
# their cgroup; a root process under `vigil watch` (or in a privileged container) writes its
# pid into a cgroup nobody watches, then reads /etc/shadow. Before: nothing (the move was at
# most V1102, the read unseen). Now the move is V1104 (severity 10) and the process and its
# children stay the workload's: the read after the move is R0010 of the same workload. Both a
# process moving itself (`echo $$`) and one moved by its child (`echo $PPID`). A learned run
# that stays put is quiet. The same with the raw_tp twins of the hooks.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"

T=$TEST_TMP
P=$T/profile.yaml
OUT=$(new_cgroup out)
"$VIGIL" learn --out "$P" --name esc -- sh -c 'cat /etc/hostname >/dev/null' sh "$OUT" 2>"$T/learn.err" ||
	fail "learn: $(cat "$T/learn.err")"
for how in stay self child self-raw; do
	A=$T/alerts-$how.jsonl
	case $how in
	stay) script='cat /etc/hostname >/dev/null' ;;
	self | self-raw) script='echo $$ > "$1/cgroup.procs" && cat /etc/hostname /etc/shadow >/dev/null' ;;
	child) script='sh -c "echo \$PPID > \"$1/cgroup.procs\"" && cat /etc/hostname /etc/shadow >/dev/null' ;;
	esac
	# self-raw: the raw_tp twins (the fallback when tp_btf programs do not load)
	hooks=
	[ $how = self-raw ] && hooks=raw_tp
	VIGIL_HOOKS=$hooks "$VIGIL" watch --profile "$P" --alerts "file:$A" --cooldown 0 --burst 0 -- \
		sh -c "$script" sh "$OUT" >"$T/$how.out" 2>"$T/$how.err" || true
	touch "$A"
	if [ $how = stay ]; then
		assert_eq 0 "$(json_count "$A")" "alerts for a learned run: $(cat "$A")"
		continue
	fi
	assert_eq 1 "$(json_count "$A" rule_id=V1104 severity=10 "key~$(basename "$OUT")")" \
		"V1104 for the move ($how): $(cat "$A")"
	assert_ge "$(json_count "$A" rule_id=R0010 key=/etc/shadow)" 1 \
		"R0010 for the read after the move ($how): $(cat "$A")"
	# the read is the watched workload's, not the destination's
	W=$(json_get "$A" workload.cgroup_id rule_id=V1104 | head -1)
	assert_eq "$W" "$(json_get "$A" workload.cgroup_id rule_id=R0010 | head -1)" \
		"the read's workload ($how)"
	assert_ne "$W" "$(cgroup_id "$OUT")" "the workload is not the destination ($how)"
done
echo ok
