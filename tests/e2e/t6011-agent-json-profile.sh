#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t6011: a profile kept as JSON, the way JSON tools write it, binds and means the same.
#  - the workload's profile is learned, then rewritten as a JSON stream (what `jq '.items[]'`
#    prints: the profile and a ConfigMap beside it) by Python's json.dump, which escapes every
#    non-ASCII character (an exec path with an emoji becomes a surrogate pair);
#  - it is PROFILES_DIR/worker.json: the agent finds it for workload "worker" (no binding) and
#    detects with it: the loop's own sleep is quiet, /bin/true raises R0001;
#  - a new worker.json that allows /bin/true is reloaded (inotify takes .json files): /bin/true
#    is quiet from then on, /usr/bin/env (still outside the profile) is not.
. "$(dirname "$0")/../lib/common.sh"
requires_root
vigil_has agent || skip "vigil agent is not part of this build"

PROFILES=$TEST_TMP/profiles
CTL=$TEST_TMP/ctl
ALERTS=$TEST_TMP/alerts.jsonl
mkdir -p "$PROFILES" "$CTL"

# Idles on sleep; for each goN file (N = 0, 1, ...) runs /bin/true, then /usr/bin/env once N > 0.
LOOP="n=0; while :; do if [ -e $CTL/go\$n ]; then /bin/true; [ \$n -gt 0 ] && /usr/bin/env >/dev/null; n=\$((n + 1)); fi; sleep 0.1; done"

"$VIGIL" learn --out "$TEST_TMP/learned.yaml" --name worker --duration 1500ms -- sh -c "$LOOP" \
	2>"$TEST_TMP/learn.err" || fail "vigil learn: $(cat "$TEST_TMP/learn.err")"
"$VIGIL" profile show --json "$TEST_TMP/learned.yaml" >"$TEST_TMP/learned.json" || fail "show --json"

# to_json ALLOW_TRUE OUT: the learned objects as Python's json.dump writes a jq-like stream
to_json() {
	python3 - "$TEST_TMP/learned.json" "$1" "$2" <<'PY'
import json, sys
src, allow_true, out = sys.argv[1], sys.argv[2] == "1", sys.argv[3]
text, dec, docs, i = open(src).read(), json.JSONDecoder(), [], 0
while i < len(text):
    while i < len(text) and text[i].isspace():
        i += 1
    if i < len(text):
        o, i = dec.raw_decode(text, i)
        docs.append(o)
def containers(d):
    s = d["spec"]
    return [s] if d["kind"] == "ContainerProfile" else s.get("containers") or []
for d in docs:
    for c in containers(d):
        c.setdefault("execs", [])
        c["execs"] = (c["execs"] or []) + [{"path": "/opt/\U0001F4E6/tool", "args": ["tool", "\u22ef\u22ef"]}]
        if allow_true:
            c["execs"] += [{"path": "/usr/bin/true"}, {"path": "/bin/true"}]
docs.insert(1, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "notes"}, "data": {"a": "b"}})
with open(out, "w") as f:
    for d in docs:
        f.write(json.dumps(d, indent=2) + "\n")
PY
}
to_json 0 "$PROFILES/worker.json"
grep -q '\\ud83d\\udce6' "$PROFILES/worker.json" || fail "no surrogate pair in the JSON written"
[ "$(grep -c '^{' "$PROFILES/worker.json")" -ge 2 ] || fail "not a stream of JSON values"

cat >"$TEST_TMP/agent.yaml" <<EOF
state_dir: $TEST_TMP/state
profiles_dir: $PROFILES
scope: containers
include_cgroups: ["/none-$TEST_NAME/*"] # only its own commands, not other tests' containers
learning:
  duration: 1500ms
cooldown: 0s
sinks: ["file:$ALERTS"]
workloads:
  - name: worker
    command: [sh, -c, "$LOOP"]
EOF
spawn agent "$VIGIL" agent --config "$TEST_TMP/agent.yaml"
AGENT_PID=$SPAWNED_PID
wait_for_line "$TEST_TMP/agent.log" "worker: detecting with $PROFILES/worker.json" 10

touch "$CTL/go0"
wait_until 10 json_count_ge 1 "$ALERTS" rule_id=R0001 event.path=/usr/bin/true ||
	fail "no R0001 for /bin/true: $(head -c 2000 "$ALERTS") $(tail -c 1000 "$TEST_TMP/agent.log")"
[ "$(json_count "$ALERTS" rule_id=R0001 event.path=/usr/bin/sleep)" = 0 ] ||
	fail "sleep is in the JSON profile, yet: $(head -c 2000 "$ALERTS")"

to_json 1 "$PROFILES/worker.json.new"
mv "$PROFILES/worker.json.new" "$PROFILES/worker.json"
wait_for_line "$TEST_TMP/agent.log" "reloaded $PROFILES/worker.json" 10
touch "$CTL/go1"
wait_until 10 json_count_ge 1 "$ALERTS" rule_id=R0001 event.path=/usr/bin/env ||
	fail "no R0001 for /usr/bin/env: $(tail -c 2000 "$ALERTS")"
[ "$(json_count "$ALERTS" rule_id=R0001 event.path=/usr/bin/true)" = 1 ] ||
	fail "/bin/true alerted after the reload that allows it: $(cat "$ALERTS")"
[ "$(json_count "$ALERTS" rule_id=R0001 event.path=/usr/bin/sleep)" = 0 ] ||
	fail "sleep alerted: $(head -c 2000 "$ALERTS")"
stop_pid "$AGENT_PID"
echo "ok: a JSON-stream profile with surrogate escapes binds, detects and reloads"
