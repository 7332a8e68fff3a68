#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# R0006 (service-account token) by identity, whatever the name (docs/ENFORCEMENT.md). An image
# carries a token in the kubelet's layout: .../serviceaccount/token -> ..data/token, ..data ->
# ..2026_12_06_18_00_00.000000001/, the file itself in the timestamped directory. A podman
# container bound by an agent with `enforce: [R0006]`, `enforce_mode: kill` copies it by name,
# through a hard link, renamed (mv) and through a symlink it makes: each copy is killed at the
# open, never appears, and the alert is R0006 killed. The same hard link in a dry-run container
# completes and the alert says would-kill, and in a container only detected (no enforcement) it
# is alerted as R0006; a container whose profile allows the token by name
# copies it through a hard link and is not killed. Before the identity of tokens was known, the
# hard link and the rename were neither alerted as R0006 nor killed.
. "$(dirname "$0")/../lib/common.sh"
. "$TESTLIB/podman.sh"
requires_podman
podman_image_busybox
vigil_has agent || skip "vigil agent is not part of this build"

SA=/var/run/secrets/kubernetes.io/serviceaccount
TS=..2026_12_06_18_00_00.000000001
REAL=$SA/$TS/token
IMAGE=localhost/vigil-busybox-satoken:t2030
SECRET='eyJhbGciOiJSUzI1NiJ9.t2030-projected-token.c2lnbmF0dXJl'
token_layout()
{
	mkdir -p "$1$SA/$TS" && printf '%s' "$SECRET" >"$1$REAL" && chmod 644 "$1$REAL" &&
		echo default >"$1$SA/$TS/namespace" && ln -s "$TS" "$1$SA/..data" &&
		ln -s ..data/token "$1$SA/token" && ln -s ..data/namespace "$1$SA/namespace"
}
podman_image_busybox_with "$IMAGE" token_layout

PROFILES=$TEST_TMP/profiles
ALERTS=$TEST_TMP/alerts.jsonl
mkdir -p "$PROFILES"
busybox_profile "$PROFILES/deny.yaml" deny
# by name: the name the kernel's path walk gives an open of $SA/token (the timestamped file)
busybox_profile "$PROFILES/allow.yaml" allow "  opens:
  - path: $REAL
    flags: [O_RDONLY, O_LARGEFILE]"

# round R: the container copies the token to /ctl/stolen-R by name (name), through a hard link
# (hl), renamed (mv) or through a symlink (sym); done-R says the shell went on
LOOP=$(ctl_loop 'if [ "$m" = name ]; then cp '$SA'/token /ctl/stolen-$r; fi;
  if [ "$m" = hl ]; then ln '$REAL' /tmp/hl-$r && cp /tmp/hl-$r /ctl/stolen-$r; rm -f /tmp/hl-$r; fi;
  if [ "$m" = mv ]; then mv '$REAL' /tmp/mv-$r && stat -c %h /tmp/mv-$r >/ctl/links-$r &&
    cp /tmp/mv-$r /ctl/stolen-$r; mv /tmp/mv-$r '$REAL'; fi;
  if [ "$m" = sym ]; then ln -s '$SA'/token /tmp/sl-$r && cp /tmp/sl-$r /ctl/stolen-$r; rm -f /tmp/sl-$r; fi;')
podman_cgroup_parent t2030c
declare -A CTL CG NAME
for p in deny dry allow detect; do
	CTL[$p]=$TEST_TMP/ctl-$p
	mkdir -p "${CTL[$p]}"
	PODMAN_OPTS=(--cgroup-parent "$PODMAN_PARENT" --label "app=t2030c-$p-$$" -v "${CTL[$p]}:/ctl")
	podman_start "$p" "$IMAGE" sh -c "$LOOP"
	NAME[$p]=$PODMAN_NAME
	CG[$p]=$(podman_cgroup "$PODMAN_ID")
done

cat >"$TEST_TMP/agent.yaml" <<CONFIG
state_dir: $TEST_TMP/state
profiles_dir: $PROFILES
rescan: 200ms
include_cgroups: ["${CG[deny]}", "${CG[dry]}", "${CG[allow]}", "${CG[detect]}"]
learning:
  duration: 1h
cooldown: 0s
sinks: ["file:$ALERTS"]
bindings:
  - profile: deny.yaml
    label: app=t2030c-deny-$$
    enforce: [R0006]
    enforce_mode: kill
  - profile: deny.yaml
    label: app=t2030c-dry-$$
    enforce: [R0006]
    enforce_mode: dry-run
  - profile: allow.yaml
    label: app=t2030c-allow-$$
    enforce: [R0006]
    enforce_mode: kill
  - profile: deny.yaml
    label: app=t2030c-detect-$$
CONFIG
"$VIGIL" agent --check --config "$TEST_TMP/agent.yaml" || fail "config rejected"
spawn agent "$VIGIL" agent --config "$TEST_TMP/agent.yaml"
for p in deny dry allow; do
	wait_for_line "$TEST_TMP/agent.log" \
		"${NAME[$p]}: [1-9][0-9]* sensitive file\(s\) of its own root known to the kernel" 30
done

# round WHO R: trigger round R in container WHO, wait until its shell is done with it
round() { ctl_round "${CTL[$1]}" "$2"; }
alerts() { json_count "$ALERTS" "$@"; }
has_alert() { [ "$(alerts "$@")" -ge 1 ]; }
deny_cg=workload.cgroup=${CG[deny]}
killed_at_least() { [ "$(alerts "$deny_cg" rule_id=R0006 key="$REAL" action=killed)" -ge "$1" ]; }

# by name, through the kubelet's symlinks: the kernel names the timestamped file
round deny name-k1
[ ! -s "${CTL[deny]}/stolen-name-k1" ] || fail "by name: cp copied the token"
wait_until 10 has_alert "$deny_cg" rule_id=R0006 key="$REAL" action=killed ||
	fail "by name: no R0006 alert saying killed: $(cat "$ALERTS" 2>/dev/null)"

round deny hl-k2
[ ! -s "${CTL[deny]}/stolen-hl-k2" ] || fail "hard link: cp copied the token"
wait_until 10 has_alert "$deny_cg" rule_id=R0006 key="$REAL" action=killed event.path=/tmp/hl-hl-k2 ||
	fail "hard link: no R0006 alert saying killed: $(cat "$ALERTS")"

round deny mv-k3
assert_eq 1 "$(cat "${CTL[deny]}/links-mv-k3")" "renamed: the token has one link (no other name left)"
[ ! -s "${CTL[deny]}/stolen-mv-k3" ] || fail "renamed: cp copied the token"
wait_until 10 has_alert "$deny_cg" rule_id=R0006 key="$REAL" action=killed event.path=/tmp/mv-mv-k3 ||
	fail "renamed: no R0006 alert saying killed: $(cat "$ALERTS")"

round deny sym-k4
[ ! -s "${CTL[deny]}/stolen-sym-k4" ] || fail "symlink: cp copied the token"
wait_until 10 killed_at_least 4 || fail "symlink: no fourth R0006 alert saying killed: $(cat "$ALERTS")"

# dry-run: the hard link's copy is made, the alert says what enforcement would have done
round dry hl-d1
cmp -s "${CTL[dry]}/stolen-hl-d1" <(printf '%s' "$SECRET") || fail "dry-run: the copy was not made"
wait_until 10 has_alert "workload.cgroup=${CG[dry]}" rule_id=R0006 key="$REAL" action=would-kill \
	event.path=/tmp/hl-hl-d1 || fail "dry-run: no R0006 would-kill alert: $(cat "$ALERTS")"

# detection alone (no enforcement, nothing in the kernel by identity): the hard link is found
# by identity in user space, in the container's mount namespace, and alerted as R0006
round detect hl-n1
cmp -s "${CTL[detect]}/stolen-hl-n1" <(printf '%s' "$SECRET") || fail "detect: the copy was not made"
wait_until 10 has_alert "workload.cgroup=${CG[detect]}" rule_id=R0006 key="$REAL" \
	event.path=/tmp/hl-hl-n1 || fail "detect: no R0006 alert for the hard link: $(cat "$ALERTS")"

# the profile allows the token by name: by name and through a hard link, nothing killed
round allow name-a1
round allow hl-a2
cmp -s "${CTL[allow]}/stolen-name-a1" <(printf '%s' "$SECRET") || fail "allowed by name: no copy"
cmp -s "${CTL[allow]}/stolen-hl-a2" <(printf '%s' "$SECRET") ||
	fail "allowed by name: the copy through the hard link was not made"
assert_eq 0 "$(alerts "workload.cgroup=${CG[allow]}" rule_id=R0006)" \
	"allowed by name: no R0006 alert: $(cat "$ALERTS")"
assert_eq 0 "$(alerts action=killed "workload.cgroup!=${CG[deny]}")" "nothing else killed"
echo "ok: the service-account token is killed by identity, whatever the name"
