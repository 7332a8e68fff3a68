#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2107: a huge profile costs the agent nothing it keeps.
#  - a 63 MB profile bound to a workload is refused by its size before it is read: the agent's
#    peak memory (VmHWM) stays far below the file's size;
#  - a profile just under profile_max_bytes that is then refused (a syntax error at its end)
#    is parsed, and the memory is given back: VmRSS after the refusal is close to before.
# Figures from /proc/PID/status of the real agent.
. "$(dirname "$0")/../lib/common.sh"
requires_root
vigil_has agent || skip "vigil agent is not part of this build"

PROFILES=$TEST_TMP/profiles
mkdir -p "$PROFILES"

# A ContainerProfile with N opens entries, each about 70 bytes; BROKEN adds a syntax error.
make_profile() # FILE NAME N [BROKEN]
{
	python3 - "$@" <<'EOF'
import sys
path, name, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(path, "w") as f:
    f.write("apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\nkind: ContainerProfile\n")
    f.write("metadata: {name: %s}\nspec:\n  opens:\n" % name)
    for i in range(n):
        f.write("  - {path: /var/lib/app/data/shard-%08d/segment.db, flags: [O_RDONLY]}\n" % i)
    if len(sys.argv) > 4:
        f.write("  - {path: [unclosed\n")
EOF
}
kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }

make_profile "$PROFILES/huge.yaml" huge 840000
size=$(stat -c %s "$PROFILES/huge.yaml")
assert_ge "$size" 60000000 "huge profile size"
# 7 MiB: under the 8 MiB limit set below
make_profile "$TEST_TMP/big.yaml" big 100000 broken
big=$(stat -c %s "$TEST_TMP/big.yaml")
[ "$big" -lt 8388608 ] || fail "big profile is $big bytes"

LOOP="while :; do sleep 0.1; done"
cat >"$TEST_TMP/agent.yaml" <<EOF
state_dir: $TEST_TMP/state
profiles_dir: $PROFILES
profile_max_bytes: 8388608
learning: {enabled: false}
sinks: ["file:$TEST_TMP/alerts.jsonl"]
bindings:
  - {profile: huge.yaml, name: huge}
workloads:
  - {name: huge, command: [sh, -c, "$LOOP"]}
EOF
spawn agent "$VIGIL" agent --config "$TEST_TMP/agent.yaml"
AGENT=$SPAWNED_PID
wait_for_line "$TEST_TMP/agent.log" "huge: unprotected" 30
assert_file_contains "$TEST_TMP/agent.log" "larger than the limit of 8388608"
hwm=$(kb "$AGENT" VmHWM)
rss0=$(kb "$AGENT" VmRSS)
log "after refusing $size bytes unread: VmHWM $hwm kB, VmRSS $rss0 kB"
[ "$hwm" -lt 150000 ] || fail "peak memory $hwm kB after refusing a $size-byte profile unread"

# The 7 MiB one replaces it: it is parsed, then refused, and its memory must come back.
cp "$TEST_TMP/big.yaml" "$PROFILES/huge.yaml.new"
mv "$PROFILES/huge.yaml.new" "$PROFILES/huge.yaml"
wait_for_line "$TEST_TMP/agent.log" "huge.yaml:.*(keeping the last good profile)" 30
hwm=$(kb "$AGENT" VmHWM)
rss1=$(kb "$AGENT" VmRSS)
log "after parsing and refusing $big bytes: VmHWM $hwm kB, VmRSS $rss1 kB (before: $rss0 kB)"
[ "$hwm" -gt $((rss0 + 20000)) ] || fail "the 7 MiB profile was not parsed (VmHWM $hwm kB)"
[ "$rss1" -lt $((rss0 + 20000)) ] ||
	fail "memory not given back: VmRSS $rss1 kB after the refusal, $rss0 kB before"
kill -TERM "$AGENT"
wait "$AGENT" || fail "agent exit status"
echo ok
