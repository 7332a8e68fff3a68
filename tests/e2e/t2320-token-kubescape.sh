#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# R0006 with profiles as Kubescape writes them (docs/ALERTS.md R0006): Kubescape exempts every
# token open when the profile lists any open ending in "/token" (its tests list the kubelet's
# symlink ".../serviceaccount/token"; node-agent learns the timestamped file as
# ".../serviceaccount/⋯/token"), while the kernel names an open by the timestamped file, whose
# directory the kubelet replaces at every rotation. In the kubelet's layout (as t2030 builds
# it), with R0006 enforced (kill):
#  - a profile listing the symlink name reads the token by name and through a hard link, before
#    and after a rotation (a new timestamped directory whose identity the kernel never loaded):
#    nothing killed, no R0006;
#  - a profile listing Kubescape's learned ".../⋯/token" is accepted for enforcement (the
#    mid-path wildcard of a token entry is whole in the kernel) and reads it: no R0006;
#  - a profile listing another file of the directory (namespace) is killed with R0006;
#  - a container learned by Vigil while it reads its token writes ".../serviceaccount/⋯/token"
#    (what Kubescape writes, and what its R0006 check, any opens path ending in "/token",
#    accepts), and after a rotation its read raises nothing.
# Before, the first two were killed (the kernel's name was never the profile's).
. "$(dirname "$0")/../lib/common.sh"
. "$TESTLIB/podman.sh"
requires_podman
podman_image_busybox
vigil_has agent || skip "vigil agent is not part of this build"

SA=/var/run/secrets/kubernetes.io/serviceaccount
TS=..2026_12_06_18_00_00.000000001
TS2=..2026_12_06_19_00_00.000000002
REAL=$SA/$TS/token
# the image t2030 uses (the same steps under the same lock: whichever test comes first builds)
IMAGE=localhost/vigil-busybox-satoken:t2030
SECRET='eyJhbGciOiJSUzI1NiJ9.t2030-projected-token.c2lnbmF0dXJl'
(
	flock -w 120 9 || exit 1
	podman_cmd image exists "$IMAGE" && exit 0
	rm -rf "$TEST_TMP/root"
	_busybox_rootfs "$TEST_TMP/root" && mkdir -p "$TEST_TMP/root$SA/$TS" &&
		printf '%s' "$SECRET" >"$TEST_TMP/root$REAL" && chmod 644 "$TEST_TMP/root$REAL" &&
		echo default >"$TEST_TMP/root$SA/$TS/namespace" &&
		ln -s "$TS" "$TEST_TMP/root$SA/..data" && ln -s ..data/token "$TEST_TMP/root$SA/token" &&
		ln -s ..data/namespace "$TEST_TMP/root$SA/namespace" &&
		_podman_import "$IMAGE" "$TEST_TMP/root"
) 9>"$VIGIL_PODMAN_DIR/.image.lock" || fail "cannot build $IMAGE"

PROFILES=$TEST_TMP/profiles
ALERTS=$TEST_TMP/alerts.jsonl
mkdir -p "$PROFILES"
# profile NAME OPEN-PATH: busybox and its applets, and that one open (Kubescape's flags)
profile()
{
	cat >"$PROFILES/$1.yaml" <<PROFILE
apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1
kind: ContainerProfile
metadata:
  name: $1
  annotations:
    kubescape.io/managed-by: User
    kubescape.io/status: completed
    kubescape.io/completion: complete
spec:
  execs:
  - path: /bin/busybox
    args: ["⋯⋯"]
  opens:
  - path: $2
    flags: [O_RDONLY, O_LARGEFILE]
PROFILE
}
profile link "$SA/token"
profile dyn "/run/secrets/kubernetes.io/serviceaccount/⋯/token"
profile ns "$SA/namespace"

# round R: the container copies the token to /ctl/stolen-R by name (name) or through a hard
# link of the file ..data names now (hl); done-R says the shell went on
LOOP='while :; do if [ -e /ctl/go ]; then r=$(cat /ctl/go); rm -f /ctl/go; m=${r%%-*};
  if [ "$m" = name ]; then cp '$SA'/token /ctl/stolen-$r; fi;
  if [ "$m" = hl ]; then ln '$SA'/..data/token /tmp/hl-$r && cp /tmp/hl-$r /ctl/stolen-$r; rm -f /tmp/hl-$r; fi;
  echo done >/ctl/done-$r; fi; sleep 0.1; done'
podman_cgroup_parent t2320c
declare -A CTL CG NAME PID
for p in link dyn ns learn; do
	CTL[$p]=$TEST_TMP/ctl-$p
	mkdir -p "${CTL[$p]}"
	PODMAN_OPTS=(--cgroup-parent "$PODMAN_PARENT" --label "app=t2320c-$p-$$" -v "${CTL[$p]}:/ctl")
	podman_start "$p" "$IMAGE" sh -c "$LOOP"
	NAME[$p]=$PODMAN_NAME
	CG[$p]=$(podman_cgroup "$PODMAN_ID")
	PID[$p]=$(podman_pid "$PODMAN_ID")
done

cat >"$TEST_TMP/agent.yaml" <<CONFIG
state_dir: $TEST_TMP/state
profiles_dir: $PROFILES
rescan: 200ms
include_cgroups: ["${CG[link]}", "${CG[dyn]}", "${CG[ns]}", "${CG[learn]}"]
learning:
  duration: 4s
cooldown: 0s
sinks: ["file:$ALERTS"]
bindings:
  - profile: link.yaml
    label: app=t2320c-link-$$
    enforce: [R0006]
    enforce_mode: kill
  - profile: dyn.yaml
    label: app=t2320c-dyn-$$
    enforce: [R0006]
    enforce_mode: kill
  - profile: ns.yaml
    label: app=t2320c-ns-$$
    enforce: [R0006]
    enforce_mode: kill
CONFIG
"$VIGIL" agent --check --config "$TEST_TMP/agent.yaml" || fail "config rejected"
spawn agent "$VIGIL" agent --config "$TEST_TMP/agent.yaml"
for p in link dyn ns; do
	wait_for_line "$TEST_TMP/agent.log" \
		"${NAME[$p]}: [1-9][0-9]* sensitive file\(s\) of its own root known to the kernel" 30
done
wait_for_line "$TEST_TMP/agent.log" "${NAME[learn]}: learning" 30

# round WHO R: trigger round R in container WHO, wait until its shell is done with it
round()
{
	echo "$2" >"${CTL[$1]}/go"
	wait_for_file "${CTL[$1]}/done-$2" 20
}
copied() { cmp -s "${CTL[$1]}/stolen-$2" <(printf '%s' "$SECRET"); }
alerts() { json_count "$ALERTS" "$@"; }
# rotate WHO: the kubelet's rotation, from the host: a new timestamped directory, ..data to it
rotate()
{
	local root=/proc/${PID[$1]}/root
	mkdir "$root$SA/$TS2" && printf '%s' "$SECRET" >"$root$SA/$TS2/token" &&
		ln -s "$TS2" "$root$SA/..data.new" && mv -T "$root$SA/..data.new" "$root$SA/..data" ||
		fail "$1: cannot rotate the token"
}

# learned while it reads its token (by name, twice: the learning window may open late)
round learn name-l1
round learn name-l2

# the kubelet's symlink name in the profile (Kubescape's test shape)
round link name-k1
copied link name-k1 || fail "symlink name allowed: the by-name read was killed: $(cat "$ALERTS" 2>/dev/null)"
round link hl-k2
copied link hl-k2 || fail "symlink name allowed: the hard link read was killed"
rotate link
round link name-k3
copied link name-k3 || fail "after a rotation: the by-name read was killed"

# Kubescape's learned shape, enforced
round dyn name-d1
copied dyn name-d1 || fail "'⋯/token' allowed: the by-name read was killed"

# another file of the directory allows no token: killed, R0006
round ns name-n1
[ ! -s "${CTL[ns]}/stolen-name-n1" ] || fail "namespace only: cp copied the token"
wait_until 10 json_count_ge 1 "$ALERTS" "workload.cgroup=${CG[ns]}" rule_id=R0006 key="$REAL" \
	action=killed || fail "namespace only: no R0006 alert saying killed: $(cat "$ALERTS" 2>/dev/null)"

# learned: the timestamped directory as Kubescape writes it; Kubescape's check accepts it
wait_for_line "$TEST_TMP/agent.log" "${NAME[learn]}: learned -> " 30
LEARNED=$PROFILES/${NAME[learn]}.yaml
assert_file_contains "$LEARNED" "path: $SA/⋯/token"
grep -Eq '^ *- *(path: )?.*/token"?$' "$LEARNED" || fail "no opens path ending in /token"
! grep -q "$TS" "$LEARNED" || fail "the timestamped directory was learned: $(grep "$TS" "$LEARNED")"
rotate learn
round learn name-l3
copied learn name-l3 || fail "learned: the read after a rotation failed"

sleep 1 # the agent's last events
for p in link dyn learn; do
	assert_eq 0 "$(alerts "workload.cgroup=${CG[$p]}" rule_id=R0006)" \
		"$p: no R0006 alert: $(cat "$ALERTS" 2>/dev/null)"
done
assert_eq 0 "$(alerts action=killed "workload.cgroup!=${CG[ns]}")" "nothing else killed"
echo "ok: R0006 reads profiles as Kubescape writes them, and learning writes what Kubescape does"
