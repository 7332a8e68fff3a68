#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2503: per-rule parameters in an agent binding, as Kubescape's rule bindings give them. The
# agent watches a command workload bound to a hand-written profile (its shell, cat, sleep and
# touch; /etc/hostname), then the workload opens /etc/hosts and /etc/ssl/openssl.cnf and runs
# id and uname. Its binding says
#   R0002: ignorePrefixes [/etc/ssl/]      R0001: excludeProcesses [{name: uname, path: ...}]
# so /etc/hosts raises R0002 and id raises R0001, while openssl.cnf and uname raise neither.
# A binding with a parameter its rule does not take, or an unknown one, is refused at its line.
. "$(dirname "$0")/../lib/common.sh"
vigil_has agent || skip "vigil agent is not part of this build"
requires_cmd id uname cat

ALERTS=$TEST_TMP/alerts.jsonl
GO=$TEST_TMP/go
DONE=$TEST_TMP/done
UNAME=$(readlink -f "$(command -v uname)")
cat >"$TEST_TMP/web.sh" <<EOF
#!/bin/sh
while [ ! -e "$GO" ]; do cat /etc/hostname >/dev/null; sleep 0.2; done
cat /etc/hosts >/dev/null
cat /etc/ssl/openssl.cnf >/dev/null
id >/dev/null
uname >/dev/null
touch "$DONE"
exec sleep 600
EOF
chmod +x "$TEST_TMP/web.sh"
mkdir -p "$TEST_TMP/profiles"
{
	echo "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1"
	echo "kind: ContainerProfile"
	echo "metadata: {name: web}"
	echo "spec:"
	echo "  execs:"
	for p in "$TEST_TMP/web.sh" /bin/sh cat sleep touch; do
		[ "${p#/}" != "$p" ] || p=$(command -v "$p")
		echo "  - path: $(readlink -f "$p")"
		[ "$p" = "$(readlink -f "$p")" ] || echo "  - path: $p"
	done
	echo "  opens:"
	echo "  - {path: /etc/ld.so.cache, flags: [O_RDONLY, O_CLOEXEC]}"
	echo "  - {path: /etc/hostname, flags: [O_RDONLY]}"
} >"$TEST_TMP/profiles/web.yaml"

agent_yaml()
{
	cat <<EOF
state_dir: $TEST_TMP/state
profiles_dir: $TEST_TMP/profiles
# no container: only our command (other tests' containers may be running on this machine)
include_cgroups: ["/vigil-t2503-no-such-cgroup"]
learning:
  duration: 1h
enabled_rules: [R0002]   # Kubescape ships it off
sinks: ["file:$ALERTS"]
workloads:
  - name: web-$$
    command: [$TEST_TMP/web.sh]
bindings:
  - profile: web.yaml
    name: web-$$
    rules:
      - ruleID: R0002
        parameters:
          ignorePrefixes: [/etc/ssl/]
      - ruleName: Unexpected process launched
        parameters:
          excludeProcesses: [{name: uname, path: $UNAME}]
$1
EOF
}

# 1. mistakes are configuration errors at their line
agent_yaml "      - ruleID: R0003
        parameters: {ignorePrefixes: [/tmp]}" >"$TEST_TMP/bad1.yaml"
out=$("$VIGIL" agent --check --config "$TEST_TMP/bad1.yaml" 2>&1) && fail "accepted: R0003 with ignorePrefixes"
grep -q "bad1.yaml:23:.*R0003 does not take ignorePrefixes (it takes no parameters)" <<<"$out" ||
	fail "message: $out"
agent_yaml "      - ruleID: R0011
        parameters: {port: [443]}" >"$TEST_TMP/bad2.yaml"
out=$("$VIGIL" agent --check --config "$TEST_TMP/bad2.yaml" 2>&1) && fail "accepted: an unknown parameter"
grep -q "bad2.yaml:23:.*unknown rule parameter \"port\" (did you mean \"ports\"?)" <<<"$out" ||
	fail "message: $out"

# 2. applied
agent_yaml "" >"$TEST_TMP/agent.yaml"
"$VIGIL" agent --check --config "$TEST_TMP/agent.yaml" || fail "config rejected"
spawn agent "$VIGIL" agent --config "$TEST_TMP/agent.yaml"
wait_for_line "$TEST_TMP/agent.log" "web-$$: detecting with $TEST_TMP/profiles/web.yaml" 30
touch "$ALERTS" "$GO"
wait_until 15 test -e "$DONE" || fail "the workload did not run its deviations"
has() { json_count_ge 1 "$ALERTS" "workload.name=web-$$" "$@"; }
wait_until 15 has rule_id=R0002 event.path=/etc/hosts || fail "no R0002 for /etc/hosts: $(tail -c 2000 "$ALERTS")"
wait_until 15 has rule_id=R0001 event.path="$(readlink -f "$(command -v id)")" ||
	fail "no R0001 for id: $(tail -c 2000 "$ALERTS")"
sleep 1 # what the workload did is all in (id ran after openssl.cnf and before uname's exit)
assert_eq 0 "$(json_count "$ALERTS" "workload.name=web-$$" rule_id=R0002 event.path=/etc/ssl/openssl.cnf)" \
	"R0002 for a file under the binding's ignorePrefixes"
assert_eq 0 "$(json_count "$ALERTS" "workload.name=web-$$" rule_id=R0001 "event.path=$UNAME")" \
	"R0001 for the binding's excluded process"
# uname's exec was judged (it is not in the profile): another rule may still speak of it
log "R0002 ignorePrefixes and R0001 excludeProcesses applied; bad parameters refused at their line"
