#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# In-kernel allow sets (docs/SENSOR.md, "In-kernel allow sets"): with a profile bound, an open
# or an egress the profile allows is decided in the kernel and never reaches user space, and
# every deviation still alerts, however it is spelt:
#   opens   an exact path, "DIR/⋯" (one level) and "DIR/*" (any depth) from the profile; a file
#           one level too deep, a sibling sharing the allowed name's prefix, the allowed file
#           with flags outside the profile; /etc/shadow through a symlink, a hard link and a
#           bind mount inside the allowed directory, and through "..";
#   egress  the learned TCP and UDP peers; another port, and each peer with the other protocol.
# The same runs with --no-kernel-allow show the events do reach user space without the sets,
# and the attack raises the same alerts both ways.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"
requires_progs
requires_cmd unshare mount
vigil_has watch || skip "vigil watch is not part of this build"

T=$TEST_TMP
# below a directory detection watches (R0002), on the file system of /etc (the hard link)
D=$(mktemp -d /var/lib/vigil-t1016.XXXXXX)
on_exit rm -rf "$D"
mkdir -p "$D/child/sub" "$D/tree/x/y" "$D/treeX"
for f in allowed.txt allowed.txt.bak child/a child/sub/b tree/x/y/z treeX/f child/bf; do
	echo data >"$D/$f"
done
ln -s /etc/shadow "$D/child/link"
ln /etc/shadow "$D/child/hl" 2>/dev/null || skip "cannot hard-link /etc/shadow into $D"
TCP=$(free_port tcp)
UDP=$(free_port udp)
OTHER=$(free_port tcp)

MODE=$T/mode
cat >"$T/drive.sh" <<EOF
#!/bin/bash
O='$PROGS/open_via'
cat '$D/allowed.txt' '$D/child/a' '$D/tree/x/y/z' >/dev/null
"\$O" -t benign sys '$D/allowed.txt' >/dev/null
# the flags the hard link and the bind mount below use: allowed in the directory, so only the
# file's other name can tell them apart
"\$O" -t benign -x 256 sys '$D/child/a' >/dev/null
"\$O" -t benign -x 4096 sys '$D/child/a' >/dev/null
(exec 3<>/dev/tcp/127.0.0.1/$TCP) 2>/dev/null
'$PROGS/udp_send' sendto 127.0.0.1 $UDP >/dev/null
[ "\$(cat '$MODE')" = attack ] || exit 0
"\$O" -t deeper sys '$D/child/sub/b'
"\$O" -t sibling sys '$D/allowed.txt.bak'
"\$O" -t treesib sys '$D/treeX/f'
"\$O" -t flags -x 2048 sys '$D/allowed.txt'
"\$O" -t symlink sys '$D/child/link'
"\$O" -t hardlink -x 256 sys '$D/child/hl'
unshare -m sh -c "mount --bind /etc/shadow '$D/child/bf' && \$O -t bind -x 4096 sys '$D/child/bf'"
"\$O" -t dotdot -x 8192 sys '$D/child/sub/../../../../../../../../../etc/shadow'
(exec 3<>/dev/tcp/127.0.0.1/$OTHER) 2>/dev/null
(exec 3<>/dev/tcp/127.0.0.1/$UDP) 2>/dev/null
'$PROGS/udp_send' sendto 127.0.0.1 $TCP >/dev/null
exit 0
EOF

echo benign >"$MODE"
"$VIGIL" learn --out "$T/learned.yaml" --name kallow -- /bin/bash "$T/drive.sh" \
	2>"$T/learn.err" || fail "learn: $(cat "$T/learn.err")"
grep -q "path: $D/child/a$" "$T/learned.yaml" || fail "learning missed $D/child/a"
grep -q "path: $D/tree/x/y/z$" "$T/learned.yaml" || fail "learning missed $D/tree/x/y/z"
# the profile allows the directory's children and the tree's whole depth, not just the files
sed -e "s|path: $D/child/a\$|path: '$D/child/⋯'|" -e "s|path: $D/tree/x/y/z\$|path: '$D/tree/*'|" \
	"$T/learned.yaml" >"$T/p.yaml"
grep -q "child/⋯" "$T/p.yaml" || fail "could not write the wildcard profile"

# run NAME MODE [OPTIONS...]: alerts in $T/NAME.jsonl, every event checked in $T/NAME.events
run()
{
	local name=$1 mode=$2
	shift 2
	echo "$mode" >"$MODE"
	"$VIGIL" watch --profile "$T/p.yaml" --alerts "file:$T/$name.jsonl" --cooldown 0s \
		--enable R0002 --enable R0011 --events "$T/$name.events" "$@" \
		-- /bin/bash "$T/drive.sh" >"$T/$name.out" 2>"$T/$name.err" || true
	grep -q "cannot load BPF" "$T/$name.err" && fail "$name: the sensor did not load: $(cat "$T/$name.err")"
	touch "$T/$name.jsonl" "$T/$name.events"
}

# path_alerts NAME: alerts of the rules the allow sets decide for (R0002, R0010, R0011)
path_alerts()
{
	echo $(($(json_count "$T/$1.jsonl" rule_id=R0002) + $(json_count "$T/$1.jsonl" rule_id=R0010) +
		$(json_count "$T/$1.jsonl" rule_id=R0011)))
}

# 1. benign with the allow sets in the kernel: nothing allowed crosses, nothing alerts
run kbenign benign
for f in allowed.txt child/a tree/x/y/z; do
	assert_eq 0 "$(json_count "$T/kbenign.events" kind=open "event.path=$D/$f")" \
		"open of $D/$f sent to user space although allowed"
done
assert_eq 0 "$(json_count "$T/kbenign.events" kind=connect event.port="$TCP")" "allowed connect sent"
assert_eq 0 "$(json_count "$T/kbenign.events" kind=send event.port="$UDP")" "allowed send sent"
assert_contains "$(cat "$T/kbenign.err")" "decided in the kernel" "the kernel's count is reported"
assert_eq 0 "$(path_alerts kbenign)" "benign run alerted: $(cat "$T/kbenign.jsonl")"

# 2. the same without: the events do reach user space (what the sets removed), still quiet
run ubenign benign --no-kernel-allow
for f in allowed.txt child/a tree/x/y/z; do
	assert_ge "$(json_count "$T/ubenign.events" kind=open "event.path=$D/$f")" 1 \
		"without the sets, the open of $D/$f"
done
assert_ge "$(json_count "$T/ubenign.events" kind=connect event.port="$TCP")" 1 "connect without the sets"
assert_ge "$(json_count "$T/ubenign.events" kind=send event.port="$UDP")" 1 "send without the sets"
assert_not_contains "$(cat "$T/ubenign.err")" "decided in the kernel" "no kernel decisions"
assert_eq 0 "$(path_alerts ubenign)" "benign run alerted without the sets: $(cat "$T/ubenign.jsonl")"

# 3. every deviation alerts with the sets in the kernel, as it does without them
check_attack()
{
	local a=$T/$1.jsonl
	assert_eq 1 "$(json_count "$a" rule_id=R0002 "key=$D/child/sub/b")" "$1: one level too deep"
	assert_eq 1 "$(json_count "$a" rule_id=R0002 "key=$D/allowed.txt.bak")" "$1: sibling of the file"
	assert_eq 1 "$(json_count "$a" rule_id=R0002 "key=$D/treeX/f")" "$1: sibling of the tree"
	assert_eq 1 "$(json_count "$a" rule_id=R0002 "key=$D/allowed.txt" process.args=flags)" \
		"$1: allowed file, flags outside the profile"
	for tag in symlink hardlink bind dotdot; do
		assert_eq 1 "$(json_count "$a" rule_id=R0010 key=/etc/shadow "process.args=$tag")" \
			"$1: /etc/shadow through $tag"
	done
	assert_eq 1 "$(json_count "$a" rule_id=R0011 "key=TCP/127.0.0.1:$OTHER")" "$1: another port"
	assert_eq 1 "$(json_count "$a" rule_id=R0011 "key=TCP/127.0.0.1:$UDP")" "$1: UDP peer over TCP"
	assert_eq 1 "$(json_count "$a" rule_id=R0011 "key=UDP/127.0.0.1:$TCP")" "$1: TCP peer over UDP"
	assert_eq 0 "$(json_count "$a" rule_id=R0011 "key=TCP/127.0.0.1:$TCP")" "$1: allowed TCP peer"
	assert_eq 0 "$(json_count "$a" rule_id=R0011 "key=UDP/127.0.0.1:$UDP")" "$1: allowed UDP peer"
}
run kattack attack
check_attack kattack
run uattack attack --no-kernel-allow
check_attack uattack
# the same alerts both ways (rule and key)
keys()
{
	json_filter "$T/$1.jsonl" | python3 -c '
import json, sys
for l in sys.stdin:
    a = json.loads(l)
    print(a["rule_id"], a.get("key", ""))' | sort
}
assert_eq "$(keys uattack)" "$(keys kattack)" "alerts with and without the allow sets"
echo "ok: $TEST_NAME"
