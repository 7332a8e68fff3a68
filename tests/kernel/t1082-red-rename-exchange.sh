#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# t1082 (red team): renameat2(RENAME_EXCHANGE).
#  1. A sensitive file swapped with a file the profile allows, then read under the allowed name
#     (or renamed away with mv): the open is of an allowed path, and the sensitive file's
#     identity is read again from its name, which is now the other file. Before: nothing. Now
#     the rename itself is R0010 (rename events; attempts count). Run in a mount namespace of
#     its own over a tmpfs /etc (as a container's own /etc), never the host's files.
#  2. An allowed executable swapped with another program, then run by its allowed name: held
#     before (R1001: its content is not the learned digest).
# The learned runs (read the allowed file; run the allowed program) are quiet.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"
requires_progs
requires_cmd unshare mount

T=$TEST_TMP
X=$PROGS/red2_exchange
requires_cmd nsenter
for how in learned exchange mv; do
	case $how in
	learned) script='cat /etc/allowed' ;;
	exchange) script='"$0" /etc/shadow /etc/allowed && cat /etc/allowed' ;;
	mv) script='mv /etc/shadow /etc/allowed && cat /etc/allowed' ;;
	esac
	etc_ns_new
	if [ $how = learned ]; then
		"$VIGIL" learn --out "$T/p.yaml" --name ren -- \
			nsenter --mount="$ETC_NS" sh -c "$script" "$X" \
			>"$T/learn.out" 2>"$T/learn.err" || fail "learn: $(cat "$T/learn.err")"
		assert_file_contains "$T/learn.out" ok
	fi
	A=$T/alerts-$how.jsonl
	"$VIGIL" watch --profile "$T/p.yaml" --alerts "file:$A" --cooldown 0 --burst 0 -- \
		nsenter --mount="$ETC_NS" sh -c "$script" "$X" >"$T/$how.out" 2>"$T/$how.err" ||
		true
	touch "$A"
	case $how in
	learned)
		assert_file_contains "$T/$how.out" ok
		assert_eq 0 "$(json_count "$A")" "alerts for a learned run: $(cat "$A")"
		;;
	*)
		assert_file_contains "$T/$how.out" secret
		assert_ge "$(json_count "$A" rule_id=R0010 event.type=rename key=/etc/shadow)" 1 \
			"R0010 for the rename ($how): $(cat "$A")"
		;;
	esac
done

# 2. an allowed executable swapped with another program
mkdir "$T/bin"
cp /usr/bin/true "$T/bin/ok"
cp /usr/bin/cat "$T/bin/other"
"$VIGIL" learn --out "$T/exe.yaml" --name exe -- sh -c '"$0/ok" /etc/hostname' "$T/bin" \
	2>"$T/learn2.err" || fail "learn: $(cat "$T/learn2.err")"
A=$T/alerts-exe.jsonl
"$VIGIL" watch --profile "$T/exe.yaml" --alerts "file:$A" --cooldown 0 --burst 0 -- \
	sh -c '"$1" "$0/ok" "$0/other" && "$0/ok" /etc/hostname' "$T/bin" "$X" \
	>"$T/exe.out" 2>"$T/exe.err" || true
touch "$A"
assert_file_contains "$T/exe.out" "$(cat /etc/hostname)"
assert_ge "$(json_count "$A" rule_id=R1001 "key~$T/bin/ok")" 1 \
	"R1001 for the swapped executable: $(cat "$A")"
echo ok
