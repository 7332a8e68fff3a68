#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2107: a huge profile costs the agent nothing it keeps.
#  - a 63 MB profile bound to a workload is refused by its size before it is read: the agent's
#    peak memory (VmHWM) stays far below the file's size;
#  - a profile just under profile_max_bytes that is then refused (flags written as a string, not a
#    list, in its last entry, found after the whole file was parsed)
#    is parsed, and the memory is given back: VmRSS after the refusal is close to before.
# Figures from /proc/PID/status of the real agent.
. "$(dirname "$0")/../lib/common.sh"
requires_root
vigil_has agent || skip "vigil agent is not part of this build"

PROFILES=$TEST_TMP/profiles
mkdir -p "$PROFILES"

# A ContainerProfile with N opens entries, each about 70 bytes; BROKEN adds an entry with an
# unknown flag at the end.
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
        f.write("  - {path: /etc/last, flags: O_RDONLY}\n")
EOF
}
kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
# The kernel's VmHWM is only brought up to date at some points (unmaps, exit): sample VmRSS
# every 20 ms instead, and take the largest sample as the peak.
start_sampler() # PID FILE
{
	(while kill -0 "$1" 2>/dev/null; do kb "$1" VmRSS >>"$2" 2>/dev/null; sleep 0.02; done) &
	SAMPLER=$!
	on_exit stop_pid "$SAMPLER"
}
peak() { sort -n "$1" | tail -n 1; }

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
include_cgroups: ["/none-$TEST_NAME/*"] # only its own commands, not other tests' containers
profile_max_bytes: 8388608
learning: {enabled: false}
sinks: ["file:$TEST_TMP/alerts.jsonl"]
bindings:
  - {profile: huge.yaml, name: huge}
workloads:
  - {name: huge, command: [sh, -c, "$LOOP"]}
EOF
on_exit end_agent_commands "$TEST_TMP/state"
spawn agent "$VIGIL" agent --config "$TEST_TMP/agent.yaml"
AGENT=$SPAWNED_PID
start_sampler "$AGENT" "$TEST_TMP/rss1"
wait_for_line "$TEST_TMP/agent.log" "huge: unprotected" 30
assert_file_contains "$TEST_TMP/agent.log" "larger than the limit of 8388608"
rss0=$(kb "$AGENT" VmRSS)
peak0=$(peak "$TEST_TMP/rss1")
log "after refusing $size bytes unread: peak $peak0 kB, VmRSS $rss0 kB, VmHWM $(kb "$AGENT" VmHWM) kB"
[ "$peak0" -lt 100000 ] || fail "peak memory $peak0 kB after refusing a $size-byte profile unread"
stop_pid "$SAMPLER"

# The 7 MiB one replaces it: it is parsed (about 15 times its size in memory), then refused,
# and that memory must be given back.
start_sampler "$AGENT" "$TEST_TMP/rss2"
cp "$TEST_TMP/big.yaml" "$PROFILES/huge.yaml.new"
mv "$PROFILES/huge.yaml.new" "$PROFILES/huge.yaml"
wait_for_line "$TEST_TMP/agent.log" '"flags" must be a list, not a string \(keeping the last good profile\)' 60
# the agent gives the memory back before it logs the refusal; allow a moment on a loaded machine
rss_back() { [ "$(kb "$AGENT" VmRSS)" -lt $((rss0 + 20000)) ]; }
wait_until 10 rss_back || true
rss1=$(kb "$AGENT" VmRSS)
peak1=$(peak "$TEST_TMP/rss2")
log "parsing and refusing $big bytes: peak $peak1 kB, then VmRSS $rss1 kB (before: $rss0 kB)"
[ "$peak1" -gt $((rss0 + 40000)) ] || fail "the 7 MiB profile was not parsed (peak $peak1 kB)"
[ "$rss1" -lt $((rss0 + 20000)) ] ||
	fail "memory not given back: VmRSS $rss1 kB after the refusal, $rss0 kB before"
kill -TERM "$AGENT"
wait "$AGENT" || fail "agent exit status"
echo ok
