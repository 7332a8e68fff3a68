#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2002: `vigil agent` with signatures required.
#  - workload "bound" is bound (by name) to a signed profile: detection starts at once;
#  - workload "fresh" has no profile: it is learned for the window, its profile written
#    atomically, signed with signatures.key (learning with signatures required needs one, or
#    the profile would be refused after a restart) and used;
#  - the same configuration without signatures.key is refused, by --check and at start;
#  - the signed profile is edited on disk to allow /bin/true: R1016 (severity 10, tampered),
#    the edit is not used, detection goes on with the last good version: running /bin/true
#    raises R0001 in both workloads;
#  - an unsigned replacement raises R1016 again (reason unsigned);
#  - `vigil watch --trust` on the tampered file: R1016 and exit 1;
#  - SIGTERM: the agent exits 0.
. "$(dirname "$0")/../lib/common.sh"
requires_root
vigil_has agent || skip "vigil agent is not part of this build"
vigil_has sign || skip "vigil sign is not part of this build"

PROFILES=$TEST_TMP/profiles
TRUST=$TEST_TMP/trust
CTL=$TEST_TMP/ctl
ALERTS=$TEST_TMP/alerts.jsonl
mkdir -p "$PROFILES" "$TRUST" "$CTL"
chmod 0755 "$TRUST"

# A workload that idles on `sleep` until told to go, then runs /bin/true, then idles again.
LOOP="while [ ! -e $CTL/go ]; do sleep 0.1; done; /bin/true; while :; do sleep 0.1; done"

# The hand-written (here: learned, then signed) profile of "bound".
"$VIGIL" learn --out "$PROFILES/bound.yaml" --name bound --duration 1500ms -- sh -c "$LOOP" \
	2>"$TEST_TMP/learn.err" || fail "vigil learn: $(cat "$TEST_TMP/learn.err")"
assert_file_contains "$PROFILES/bound.yaml" "/usr/bin/sleep"
"$VIGIL" keygen --out "$TEST_TMP/key" >/dev/null || fail "keygen"
cp "$TEST_TMP/key.pub" "$TRUST/ops.pub"
chmod 0644 "$TRUST/ops.pub"
"$VIGIL" sign --key "$TEST_TMP/key" --identity ops -o "$PROFILES/bound.yaml" "$PROFILES/bound.yaml" ||
	fail "sign"
"$VIGIL" verify --trust "$TRUST" "$PROFILES/bound.yaml" >/dev/null || fail "signed profile does not verify"
cp "$PROFILES/bound.yaml" "$TEST_TMP/bound.signed.yaml"

cat >"$TEST_TMP/agent.yaml" <<EOF
state_dir: $TEST_TMP/state
profiles_dir: $PROFILES
scope: containers
include_cgroups: ["/none-$TEST_NAME/*"] # only its own commands, not other tests' containers
learning:
  duration: 1500ms
cooldown: 1h
sinks: ["file:$ALERTS"]
status_file: $TEST_TMP/status.json
signatures:
  required: true
  trust_dir: $TRUST
  key: $TEST_TMP/key
workloads:
  - name: bound
    command: [sh, -c, "$LOOP"]
  - name: fresh
    command: [sh, -c, "$LOOP"]
EOF
# Without the key, learned profiles would come back unsigned after a restart: refused.
grep -v "key: $TEST_TMP/key" "$TEST_TMP/agent.yaml" >"$TEST_TMP/nokey.yaml"
for args in "--check --config $TEST_TMP/nokey.yaml" "--config $TEST_TMP/nokey.yaml"; do
	rc=0
	# shellcheck disable=SC2086 # two words of arguments
	timeout 20 "$VIGIL" agent $args 2>"$TEST_TMP/nokey.err" || rc=$?
	assert_eq 2 "$rc" "vigil agent $args without signatures.key"
	assert_file_contains "$TEST_TMP/nokey.err" "nokey.yaml:11:13: signatures.required with learning needs signatures.key"
done
spawn agent "$VIGIL" agent --config "$TEST_TMP/agent.yaml"
AGENT_PID=$SPAWNED_PID
wait_for_line "$TEST_TMP/agent.log" "bound: detecting with $PROFILES/bound.yaml" 10
wait_for_line "$TEST_TMP/agent.log" "fresh: learning" 10
wait_for_line "$TEST_TMP/agent.log" "fresh: learned -> $PROFILES/fresh.yaml; detecting" 10
assert_file_contains "$PROFILES/fresh.yaml" "kubescape.io/completion: complete"
assert_file_contains "$PROFILES/fresh.yaml" "/usr/bin/sleep"
"$VIGIL" verify --trust "$TRUST" "$PROFILES/fresh.yaml" >/dev/null ||
	fail "the learned profile is not signed by a trusted key"
ls "$PROFILES" | grep -q '\.tmp\.' && fail "temporary file left in $PROFILES"
wait_until 5 python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
states = {w["name"]: w["state"] for w in s["workloads"]}
sys.exit(0 if states.get("bound") == "detecting" and states.get("fresh") == "detecting" else 1)
' "$TEST_TMP/status.json" || fail "status file: $(cat "$TEST_TMP/status.json" 2>/dev/null)"
sleep 0.3
[ ! -s "$ALERTS" ] || fail "alerts before any deviation: $(head -c 1500 "$ALERTS")"

# Tamper: allow /bin/true in the signed file without re-signing it.
python3 - "$PROFILES/bound.yaml" <<'EOF'
import sys
p = sys.argv[1]
text = open(p).read()
text = text.replace("  execs:\n", "  execs:\n  - path: /usr/bin/true\n", 1)
open(p + ".new", "w").write(text)
EOF
mv "$PROFILES/bound.yaml.new" "$PROFILES/bound.yaml"
wait_until 10 json_count_ge 1 "$ALERTS" rule_id=R1016 ||
	fail "no R1016 after the signed profile was edited: $(tail -c 1500 "$TEST_TMP/agent.log")"
[ "$(json_count "$ALERTS" rule_id=R1016 severity=10 event.reason=tampered \
	"event.path=$PROFILES/bound.yaml" workload.name=bound)" = 1 ] ||
	fail "R1016 alert fields: $(head -c 2000 "$ALERTS")"

# Detection continues with the last good version (which does not allow /bin/true).
touch "$CTL/go"
wait_until 10 json_count_ge 2 "$ALERTS" rule_id=R0001 ||
	fail "no R0001 for /bin/true in both workloads: $(head -c 3000 "$ALERTS")"
for w in bound fresh; do
	[ "$(json_count "$ALERTS" rule_id=R0001 "workload.name=$w" event.path=/usr/bin/true)" = 1 ] ||
		fail "$w: R0001 for /usr/bin/true: $(head -c 3000 "$ALERTS")"
done
sleep 0.3
rules=$(json_get "$ALERTS" rule_id | sort | tr '\n' ' ')
assert_eq "R0001 R0001 R1016 " "$rules" "every alert raised"

# An unsigned replacement is news too.
grep -v 'signature.kubescape.io' "$TEST_TMP/bound.signed.yaml" >"$PROFILES/bound.yaml.new"
mv "$PROFILES/bound.yaml.new" "$PROFILES/bound.yaml"
wait_until 10 json_count_ge 1 "$ALERTS" rule_id=R1016 event.reason=unsigned || fail "no R1016 for an unsigned profile: $(tail -c 1500 "$ALERTS")"

# SIGTERM: flush and exit 0.
kill -TERM "$AGENT_PID"
wait "$AGENT_PID" && rc=0 || rc=$?
assert_eq 0 "$rc" "agent exit status after SIGTERM"

# vigil watch with a trust directory refuses the tampered file the same way.
python3 - "$TEST_TMP/bound.signed.yaml" "$TEST_TMP/tampered.yaml" <<'EOF'
import sys
text = open(sys.argv[1]).read()
open(sys.argv[2], "w").write(text.replace("  execs:\n", "  execs:\n  - path: /usr/bin/true\n", 1))
EOF
set +e
"$VIGIL" watch --profile "$TEST_TMP/tampered.yaml" --trust "$TRUST" \
	--alerts "file:$TEST_TMP/watch.jsonl" -- /bin/true 2>"$TEST_TMP/watch.err"
rc=$?
set -e
assert_eq 1 "$rc" "vigil watch exit status with a tampered profile"
[ "$(json_count "$TEST_TMP/watch.jsonl" rule_id=R1016 event.reason=tampered)" = 1 ] ||
	fail "vigil watch: R1016: $(cat "$TEST_TMP/watch.jsonl")"
# ...and accepts the signed one.
rm -f "$CTL/go"
"$VIGIL" watch --profile "$TEST_TMP/bound.signed.yaml" --trust "$TRUST" \
	--alerts "file:$TEST_TMP/watch2.jsonl" -- sh -c "$LOOP" 2>/dev/null &
wpid=$!
on_exit stop_pid "$wpid"
sleep 1
[ ! -s "$TEST_TMP/watch2.jsonl" ] || fail "alerts with a valid signed profile: $(cat "$TEST_TMP/watch2.jsonl")"
