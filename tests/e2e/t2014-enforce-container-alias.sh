#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# R0010 kill through another name of a container image's OWN sensitive file (docs/ENFORCEMENT.md).
# An image carries its own /etc/shadow (not the node's). A podman container bound by an agent with
# `enforce: [R0010]`, `enforce_mode: kill` copies it through a hard link it makes and through a
# bind mount it makes, renamed (mv), linked elsewhere with its own name removed (ln + rm), all inside
# the container, and the file the image's /etc/gshadow (an absolute symlink) names, opened by its
# own name: the kernel knows the file by its identity (read
# through /proc/PID/root when the container is bound), kills cp at the open, the copy never
# appears, the alert says killed, the container goes on. With the node-wide switch the same copy
# is made (the attack is real; the alert says would-kill). A second container whose profile
# allows /etc/shadow by name copies it through a hard link and is not killed: the alias is
# judged as the name, never more strictly.
. "$(dirname "$0")/../lib/common.sh"
. "$TESTLIB/podman.sh"
requires_podman
podman_image_busybox
vigil_has agent || skip "vigil agent is not part of this build"

# the image: busybox and an /etc/shadow of its own (in the image's layer, not the node's file),
# and an /etc/gshadow that is an absolute symlink to /data/gs (read inside the image's root: the
# node has no /data/gs, or another file there)
IMAGE=localhost/vigil-busybox-shadow:t2014-symlink
SECRET='root:$6$t2014image$c0ntainer0wnSecret:19000:0:99999:7:::'
GSECRET='root:!:t2014gshadow:'
own_shadow()
{
	echo "$SECRET" >"$1/etc/shadow" && chmod 600 "$1/etc/shadow" && mkdir "$1/data" &&
		echo "$GSECRET" >"$1/data/gs" && ln -s /data/gs "$1/etc/gshadow"
}
podman_image_busybox_with "$IMAGE" own_shadow

PROFILES=$TEST_TMP/profiles
ALERTS=$TEST_TMP/alerts.jsonl
mkdir -p "$PROFILES"
busybox_profile "$PROFILES/deny.yaml" deny "  capabilities: [CAP_SYS_ADMIN]"
busybox_profile "$PROFILES/allow.yaml" allow '  capabilities: [CAP_SYS_ADMIN]
  opens:
  - path: /etc/shadow
    flags: [O_RDONLY, O_LARGEFILE]'

# round R MODE: the container copies its /etc/shadow through a hard link (hl) or a bind mount
# (bind) it makes to /ctl/stolen-R; done-R says the shell went on
LOOP=$(ctl_loop 'if [ "$m" = hl ]; then ln /etc/shadow /tmp/hl-$r && cp /tmp/hl-$r /ctl/stolen-$r; rm -f /tmp/hl-$r; fi;
  if [ "$m" = bind ]; then touch /tmp/bf-$r && mount --bind /etc/shadow /tmp/bf-$r && cp /tmp/bf-$r /ctl/stolen-$r;
    umount /tmp/bf-$r; rm -f /tmp/bf-$r; fi;
  if [ "$m" = mv ]; then mv /etc/shadow /tmp/mv-$r && stat -c %h /tmp/mv-$r >/ctl/links-$r &&
    cp /tmp/mv-$r /ctl/stolen-$r; mv /tmp/mv-$r /etc/shadow; fi;
  if [ "$m" = gs ]; then cp /data/gs /ctl/stolen-$r; fi;
  if [ "$m" = lnrm ]; then ln /etc/shadow /tmp/lr-$r && rm /etc/shadow && stat -c %h /tmp/lr-$r >/ctl/links-$r &&
    cp /tmp/lr-$r /ctl/stolen-$r; mv /tmp/lr-$r /etc/shadow; fi;')
podman_cgroup_parent t2014c
declare -A CTL CG NAME
for p in deny allow; do
	CTL[$p]=$TEST_TMP/ctl-$p
	mkdir -p "${CTL[$p]}"
	PODMAN_OPTS=(--cgroup-parent "$PODMAN_PARENT" --label "app=t2014c-$p-$$" --cap-add SYS_ADMIN
		-v "${CTL[$p]}:/ctl")
	podman_start "$p" "$IMAGE" sh -c "$LOOP"
	NAME[$p]=$PODMAN_NAME
	CG[$p]=$(podman_cgroup "$PODMAN_ID")
done

cat >"$TEST_TMP/agent.yaml" <<CONFIG
state_dir: $TEST_TMP/state
profiles_dir: $PROFILES
rescan: 200ms
include_cgroups: ["${CG[deny]}", "${CG[allow]}"]
learning:
  duration: 1h
cooldown: 0s
sinks: ["file:$ALERTS"]
enforce_switch: $TEST_TMP/switch
bindings:
  - profile: deny.yaml
    label: app=t2014c-deny-$$
    enforce: [R0010]
    enforce_mode: kill
  - profile: allow.yaml
    label: app=t2014c-allow-$$
    enforce: [R0010]
    enforce_mode: kill
CONFIG
"$VIGIL" agent --check --config "$TEST_TMP/agent.yaml" || fail "config rejected"
spawn agent "$VIGIL" agent --config "$TEST_TMP/agent.yaml"
for p in deny allow; do
	wait_for_line "$TEST_TMP/agent.log" \
		"${NAME[$p]}: [1-9][0-9]* sensitive file\(s\) of its own root known to the kernel" 30
done

# round WHO R: trigger round R in container WHO, wait until its shell is done with it
round() { ctl_round "${CTL[$1]}" "$2"; }
alerts() { json_count "$ALERTS" "$@"; }
has_alert() { [ "$(alerts "$@")" -ge 1 ]; }
deny_cg=workload.cgroup=${CG[deny]}

round deny hl-k1
[ ! -e "${CTL[deny]}/stolen-hl-k1" ] || fail "hard link: cp copied the image's /etc/shadow"
wait_until 10 has_alert "$deny_cg" rule_id=R0010 action=killed ||
	fail "hard link: no alert saying killed: $(cat "$ALERTS" 2>/dev/null)"
assert_eq 1 "$(alerts "$deny_cg" rule_id=R0010 key=/etc/shadow action=killed event.path=/tmp/hl-hl-k1)" \
	"hard link: one R0010 alert for /etc/shadow, killed: $(cat "$ALERTS")"

round deny bind-k2
[ ! -s "${CTL[deny]}/stolen-bind-k2" ] || fail "bind mount: cp copied the image's /etc/shadow"
wait_until 10 has_alert "$deny_cg" rule_id=R0010 key=/etc/shadow action=killed event.path=/tmp/bf-bind-k2 ||
	fail "bind mount: no alert saying killed: $(cat "$ALERTS")"

# renamed, or linked elsewhere and its own name removed: one link, no mount, still its identity
round deny mv-k3
assert_eq 1 "$(cat "${CTL[deny]}/links-mv-k3")" "renamed: the file has one link (no other name left)"
[ ! -s "${CTL[deny]}/stolen-mv-k3" ] || fail "renamed: cp copied the image's /etc/shadow"
wait_until 10 has_alert "$deny_cg" rule_id=R0010 key=/etc/shadow action=killed event.path=/tmp/mv-mv-k3 ||
	fail "renamed: no alert saying killed: $(cat "$ALERTS")"
round deny lnrm-k4
assert_eq 1 "$(cat "${CTL[deny]}/links-lnrm-k4")" "linked and removed: the file has one link"
[ ! -s "${CTL[deny]}/stolen-lnrm-k4" ] || fail "linked and removed: cp copied the image's /etc/shadow"
wait_until 10 has_alert "$deny_cg" rule_id=R0010 key=/etc/shadow action=killed event.path=/tmp/lr-lnrm-k4 ||
	fail "linked and removed: no alert saying killed: $(cat "$ALERTS")"

# /etc/gshadow is an absolute symlink in the image: the file it names there is known by identity
round deny gs-k5
[ ! -s "${CTL[deny]}/stolen-gs-k5" ] || fail "symlinked gshadow: cp copied the image's /data/gs"
wait_until 10 has_alert "$deny_cg" rule_id=R0010 key=/etc/gshadow action=killed event.path=/data/gs ||
	fail "symlinked gshadow: no alert saying killed: $(cat "$ALERTS")"

# the profile allows /etc/shadow by name: its hard link is allowed too, nothing killed
round allow hl-a1
cmp -s "${CTL[allow]}/stolen-hl-a1" <(echo "$SECRET") ||
	fail "allowed by name: the copy through the hard link was not made"

# the switch: the same attack completes (it is real), the alert says why nothing was done
touch "$TEST_TMP/switch"
wait_for_line "$TEST_TMP/agent.log" "enforcement turned off by the node-wide switch" 10
round deny hl-s1
cmp -s "${CTL[deny]}/stolen-hl-s1" <(echo "$SECRET") || fail "switch off: the copy was not made"
wait_until 10 has_alert "$deny_cg" rule_id=R0010 action=would-kill action_reason=switch-off ||
	fail "switch off: no would-kill alert: $(cat "$ALERTS")"
assert_eq 0 "$(alerts action=killed "workload.cgroup!=${CG[deny]}")" "nothing else killed"
echo "ok: an alias of a container image's own /etc/shadow is killed at the open"
