#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2101: log rotation of a file sink. While a workload raises a steady stream of alerts (each
# run of `true N` is an exec its profile does not allow: one R0001 per N), the alert file is
# moved away (as logrotate does) and the process gets SIGHUP: later alerts land in a new file
# at the configured path, and the old and new files together hold every N exactly once.
# Both for `vigil agent` and for `vigil watch`.
. "$(dirname "$0")/../lib/common.sh"
requires_root
requires_btf
requires_cmd python3
vigil_has agent || skip "vigil agent is not part of this build"

N=150
LOOP="i=0; while [ \$i -lt $N ]; do i=\$((i+1)); true \$i; /bin/true \$i; sleep 0.02; done; touch $TEST_TMP/done-\$1; sleep 60"
mkdir -p "$TEST_TMP/profiles"
# the workload's shell is allowed; /bin/true is not
cat >"$TEST_TMP/profiles/rot.yaml" <<'EOF'
apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1
kind: ApplicationProfile
metadata:
  name: rot
  annotations:
    kubescape.io/managed-by: User
spec:
  containers:
  - name: rot
    execs:
    - path: /bin/sh
EOF

seqs() { json_get "$1" process.args.1 rule_id=R0001 process.args.0=/bin/true 2>/dev/null || true; }
count() { seqs "$1" | wc -l; }
enough() { [ "$(count "$1")" -ge "$2" ]; }

# rotate NAME PID FILE: mv FILE FILE.1 once some alerts are in it, SIGHUP, until the new FILE
# gets alerts; then wait for the end of the workload and check that nothing was lost.
rotate()
{
	local name=$1 pid=$2 file=$3
	wait_until 20 enough "$file" 30 || fail "$name: no alerts in $file: $(tail -c 1000 "$TEST_TMP/$name.log")"
	mv "$file" "$file.1"
	kill -HUP "$pid"
	wait_until 10 enough "$file" 5 || fail "$name: no alerts in the new $file after SIGHUP: $(tail -c 1000 "$TEST_TMP/$name.log")"
	wait_until 30 test -e "$TEST_TMP/done-$name" || fail "$name: the workload did not finish"
	sleep 0.5
	stop_pid "$pid"
	kill -0 "$pid" 2>/dev/null && fail "$name: still running"
	python3 - "$file.1" "$file" "$N" "$name" <<'PY' || fail "$name: alerts lost or repeated"
import json, sys
def seqs(path):
    out = []
    for line in open(path):
        a = json.loads(line)
        args = a["process"]["args"]
        if a["rule_id"] == "R0001" and args[:1] == ["/bin/true"]:
            out.append(int(args[1]))
    return out
old, new = seqs(sys.argv[1]), seqs(sys.argv[2])
n = int(sys.argv[3])
assert old and new, (len(old), len(new))
assert sorted(old + new) == list(range(1, n + 1)), "missing %s, repeated %s" % (
    sorted(set(range(1, n + 1)) - set(old + new))[:20],
    sorted(x for x in set(old + new) if (old + new).count(x) > 1)[:20])
# the rotation is a cut: everything in the new file came after everything in the old one
assert max(old) < min(new), (max(old), min(new))
print("# %s: %d alerts before the rotation, %d after" % (sys.argv[4], len(old), len(new)))
PY
}

# -- the agent
cat >"$TEST_TMP/agent.yaml" <<EOF
state_dir: $TEST_TMP/state
profiles_dir: $TEST_TMP/profiles
include_cgroups: ["/vigil-t2101-none-$$"]
cooldown: 0s
sinks: ["file:$TEST_TMP/agent-alerts.jsonl"]
workloads:
  - name: rot
    command: [/bin/sh, -c, "$LOOP", sh, agent]
EOF
spawn agent "$VIGIL" agent --config "$TEST_TMP/agent.yaml"
rotate agent "$SPAWNED_PID" "$TEST_TMP/agent-alerts.jsonl"
assert_contains "$(cat "$TEST_TMP/agent.log")" "file sinks reopened" "agent log"

# -- vigil watch
spawn watch "$VIGIL" watch --profile "$TEST_TMP/profiles/rot.yaml" --name rot --cooldown 0s \
	--alerts "file:$TEST_TMP/watch-alerts.jsonl" -- /bin/sh -c "$LOOP" sh watch
rotate watch "$SPAWNED_PID" "$TEST_TMP/watch-alerts.jsonl"
echo ok
