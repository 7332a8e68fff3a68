#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Exemptions follow what a process cannot choose: rulePolicies.processAllowed and the built-in
# runc exemption of R1006 match the executable the kernel ran, not the name (comm) a process
# gives itself with prctl(PR_SET_NAME) or by writing /proc/self/comm. A process renamed to an
# exempted name is alerted; an executable that is that name is still exempt.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"
requires_progs

T=$TEST_TMP
mkdir "$T/bin"
cp "$PROGS/renamed" "$T/bin/backup"
cp "$PROGS/renamed" "$T/bin/runc"
P=$T/profile.yaml
cat >"$P" <<EOF
apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1
kind: ContainerProfile
metadata:
  name: renamed
spec:
  execs:
  - path: /bin/sh
    args: ["⋯⋯"]
  - path: $PROGS/renamed
    args: ["⋯⋯"]
  - path: $T/bin/backup
    args: ["⋯⋯"]
  - path: $T/bin/runc
    args: ["⋯⋯"]
  syscalls: [read, write, openat, close]
  rulePolicies:
    R1010:
      processAllowed: [backup]
EOF
"$VIGIL" profile lint "$P" >/dev/null || fail "profile does not lint"

# watch NAME SCRIPT: runs SCRIPT under vigil watch; ALERTS is the alert file
watch()
{
	ALERTS=$T/alerts-$1.jsonl
	printf '#!/bin/sh\n%s\n' "$2" >"$T/$1.sh"
	"$VIGIL" watch --profile "$P" --alerts "file:$ALERTS" --cooldown 0 -- /bin/sh "$T/$1.sh" \
		>"$T/$1.out" 2>"$T/$1.err" || true
	grep -q "done as" "$T/$1.out" || fail "$1: the command did not run: $(cat "$T/$1.err")"
	touch "$ALERTS"
}

# renamed: the name is exempt, the executable is not
watch renamed "'$PROGS/renamed' backup prctl symlink /etc/shadow '$T/l1'
'$PROGS/renamed' backup procfs symlink /etc/shadow '$T/l2'
'$PROGS/renamed' runc prctl unshare"
assert_eq 1 "$(json_count "$ALERTS" rule_id=R1010 key="$T/l1" process.comm=backup)" \
	"R1010 for a process renamed with prctl"
assert_eq 1 "$(json_count "$ALERTS" rule_id=R1010 key="$T/l2" process.comm=backup)" \
	"R1010 for a process renamed through /proc/self/comm"
assert_ge "$(json_count "$ALERTS" rule_id=R1006 process.comm=runc)" 1 \
	"R1006 for a process renamed runc"

# the executables themselves: exempt
watch real "'$T/bin/backup' backup prctl symlink /etc/shadow '$T/l3'
'$T/bin/runc' runc prctl unshare"
[ -L "$T/l3" ] || fail "the backup executable made no symlink"
assert_eq 0 "$(json_count "$ALERTS" rule_id=R1010)" "R1010 for the backup executable"
assert_eq 0 "$(json_count "$ALERTS" rule_id=R1006)" "R1006 for the runc executable"
echo ok
