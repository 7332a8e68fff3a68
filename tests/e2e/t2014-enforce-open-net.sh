#!/usr/bin/env bash
# Enforcement beyond exec (`vigil watch --enforce`, docs/ENFORCEMENT.md), with the profile's
# allow sets in the kernel. A learned workload (in its own mount namespace, with a
# service-account token on a tmpfs) then steps out of its profile:
#   R0010  cp /etc/shadow: killed at the open's exit, the copy is never written; likewise through
#          a hard link and a bind mount of it (the kernel knows the file by its inode);
#   R0006  cp of the token: likewise;
#   R0011  a datagram to a UDP peer not in the profile: refused before it is sent (the listener
#          receives nothing), the sender killed;
#   R1030  an io_uring OPENAT the profile never used: killed at submission, nothing printed.
# dry-run: each attack completes and its alert says would-kill. kill: each side effect is
# absent, the alert says killed, the workload's shell goes on. A profile the kernel cannot hold
# whole (a wildcard before the end below /etc, a CIDR peer) is not enforced: alerts only.
. "$(dirname "$0")/../lib/common.sh"
requires_root
requires_progs
requires_io_uring
requires_cmd unshare mount python3
vigil_has watch || skip "vigil watch is not part of this build"

T=$TEST_TMP
MODE=$T/mode
M=$T/markers
mkdir -p "$M"
TOK=/run/secrets/kubernetes.io/serviceaccount

# a UDP listener: counts the datagrams it receives (one line each)
udp_counter allowed
ALLOWED=$SERVER_PORT
udp_counter other
OTHER=$SERVER_PORT
other_got() { udp_got other; }
allowed_got() { udp_got allowed; }
other_got_any() { [ "$(other_got)" -ge 1 ]; }
allowed_got_more() { [ "$(allowed_got)" -gt "$1" ]; }

mkdir -p "$T/sa"
echo secret-token >"$T/sa/token"
cat >"$T/drive.sh" <<EOS
#!/bin/bash
# a token as the kubelet mounts it (made outside the workload: an open of it by the workload
# would be learned, and any token in the profile allows every token, as in Kubescape), in this
# workload's own mount namespace
mount -t tmpfs tmpfs /run
mkdir -p $TOK
mount --bind '$T/sa' $TOK
cat /etc/hostname >/dev/null
'$PROGS/udp_send' sendto 127.0.0.1 $ALLOWED >/dev/null
case "\$(cat '$MODE')" in
shadow) cp /etc/shadow '$M/stolen' ;;
hardlink) cp '$T/alias/hl' '$M/stolen' ;;
bind) mount --bind /etc/shadow '$T/alias/bf' && cp '$T/alias/bf' '$M/stolen' ;;
token) cp $TOK/token '$M/token' ;;
egress) '$PROGS/udp_send' sendto 127.0.0.1 $OTHER >'$M/sent' ;;
uring) '$PROGS/iouring_openat' /etc/hostname >'$M/uring' ;;
esac
echo end >'$M/end'
EOS

echo benign >"$MODE"
"$VIGIL" learn --out "$T/p.yaml" --name drive -- unshare -m /bin/bash "$T/drive.sh" \
	2>"$T/learn.err" || fail "learn: $(cat "$T/learn.err")"
assert_file_contains "$T/p.yaml" "kubescape.io/completion: complete"

# watch NAME PROFILE MODE [OPTIONS...]: one run; alerts in $T/NAME.jsonl
watch()
{
	local name=$1 profile=$2 mode=$3
	shift 3
	rm -f "$M"/*
	echo "$mode" >"$MODE"
	"$VIGIL" watch --profile "$profile" --alerts "file:$T/$name.jsonl" --cooldown 0s \
		--enforce-switch "$T/switch" "$@" -- unshare -m /bin/bash "$T/drive.sh" \
		>"$T/$name.out" 2>"$T/$name.err" && fail "$name: no alert"
	[ -f "$M/end" ] || fail "$name: the workload did not run to its end: $(cat "$T/$name.err")"
	touch "$T/$name.jsonl"
}
alerts() { json_count "$T/$1.jsonl" "${@:2}"; }

# R0010: /etc/shadow
watch shadow-dry "$T/p.yaml" shadow --enforce R0010
cmp -s /etc/shadow "$M/stolen" || fail "dry-run: the copy of /etc/shadow was not made"
assert_eq 1 "$(alerts shadow-dry rule_id=R0010 key=/etc/shadow action=would-kill action_reason=dry-run)" \
	"R0010 dry-run alert: $(cat "$T/shadow-dry.jsonl")"
watch shadow-kill "$T/p.yaml" shadow --enforce R0010 --enforce-mode kill
[ ! -e "$M/stolen" ] || fail "kill: cp went on to write $(wc -c <"$M/stolen") bytes of /etc/shadow"
assert_eq 1 "$(alerts shadow-kill rule_id=R0010 key=/etc/shadow action=killed)" \
	"R0010 kill alert: $(cat "$T/shadow-kill.jsonl")"
assert_eq 0 "$(alerts shadow-kill action=killed key!=/etc/shadow)" "nothing else killed"

# R0010 through another name: a hard link and (in the workload's mount namespace) a bind mount
# of /etc/shadow. Detection resolves the alias in user space; the kernel compares the file's
# device and inode with the node's sensitive files'. The hard link exists only for these runs:
# while it does, every open of /etc/shadow is an aliased one (other tests must not see it).
mkdir -p "$T/alias"
touch "$T/alias/bf"
on_exit rm -f "$T/alias/hl"
ln /etc/shadow "$T/alias/hl" || fail "cannot hard-link /etc/shadow into $T"
watch hardlink-dry "$T/p.yaml" hardlink --enforce R0010
cmp -s /etc/shadow "$M/stolen" || fail "dry-run: the copy through the hard link was not made"
assert_eq 1 "$(alerts hardlink-dry rule_id=R0010 key=/etc/shadow action=would-kill action_reason=dry-run)" \
	"R0010 hard link dry-run alert: $(cat "$T/hardlink-dry.jsonl")"
watch hardlink-kill "$T/p.yaml" hardlink --enforce R0010 --enforce-mode kill
[ ! -e "$M/stolen" ] || fail "kill: cp went on to write $(wc -c <"$M/stolen") bytes through the hard link"
assert_eq 1 "$(alerts hardlink-kill rule_id=R0010 key=/etc/shadow action=killed)" \
	"R0010 hard link kill alert: $(cat "$T/hardlink-kill.jsonl")"
rm -f "$T/alias/hl"
watch bind-kill "$T/p.yaml" bind --enforce R0010 --enforce-mode kill
[ ! -s "$M/stolen" ] || fail "kill: cp went on to write $(wc -c <"$M/stolen") bytes through the bind mount"
assert_eq 1 "$(alerts bind-kill rule_id=R0010 key=/etc/shadow action=killed)" \
	"R0010 bind mount kill alert: $(cat "$T/bind-kill.jsonl")"

# R0006: the service-account token
watch token-dry "$T/p.yaml" token --enforce R0006
assert_file_contains "$M/token" secret-token
assert_eq 1 "$(alerts token-dry rule_id=R0006 action=would-kill)" "R0006 dry-run: $(cat "$T/token-dry.jsonl")"
watch token-kill "$T/p.yaml" token --enforce R0006 --enforce-mode kill
[ ! -e "$M/token" ] || fail "kill: the token was copied"
assert_eq 1 "$(alerts token-kill rule_id=R0006 action=killed)" "R0006 kill: $(cat "$T/token-kill.jsonl")"

# R0011: a datagram to a peer not in the profile
watch egress-dry "$T/p.yaml" egress --enforce R0011
wait_until 10 other_got_any || fail "dry-run: the other listener got nothing"
assert_eq 1 "$(alerts egress-dry rule_id=R0011 "key=UDP/127.0.0.1:$OTHER" action=would-kill)" \
	"R0011 dry-run: $(cat "$T/egress-dry.jsonl")"
before=$(other_got)
allowed_before=$(allowed_got)
watch egress-kill "$T/p.yaml" egress --enforce R0011 --enforce-mode kill
assert_eq 1 "$(alerts egress-kill rule_id=R0011 "key=UDP/127.0.0.1:$OTHER" action=killed)" \
	"R0011 kill: $(cat "$T/egress-kill.jsonl")"
# the allowed peer still got this run's datagram; give the refused one as long to arrive
wait_until 10 allowed_got_more "$allowed_before" ||
	fail "the allowed listener missed this run's datagram: $(cat "$TEST_TMP/allowed.log")"
sleep 1
assert_eq "$before" "$(other_got)" "a datagram reached the peer enforcement refused"
[ ! -s "$M/sent" ] || fail "udp_send lived on to report: $(cat "$M/sent")"
assert_eq 0 "$(alerts egress-kill action=killed "key!=UDP/127.0.0.1:$OTHER")" "only the sender killed"

# R1030: an io_uring operation the profile does not list
watch uring-dry "$T/p.yaml" uring --enforce R1030
[ -s "$M/uring" ] || fail "dry-run: iouring_openat did not run"
assert_ge "$(alerts uring-dry rule_id=R1030 action=would-kill)" 1 "R1030 dry-run: $(cat "$T/uring-dry.jsonl")"
watch uring-kill "$T/p.yaml" uring --enforce R1030 --enforce-mode kill
[ ! -s "$M/uring" ] || fail "kill: iouring_openat printed $(cat "$M/uring")"
assert_eq 1 "$(alerts uring-kill rule_id=R1030 action=killed)" "R1030 kill: $(cat "$T/uring-kill.jsonl")"

# the switch turns it off: the copy is made, the alert says why nothing was done
touch "$T/switch"
watch shadow-off "$T/p.yaml" shadow --enforce R0010 --enforce-mode kill
rm -f "$T/switch"
cmp -s /etc/shadow "$M/stolen" || fail "switch off: the copy was not made"
assert_eq 1 "$(alerts shadow-off rule_id=R0010 action=would-kill action_reason=switch-off)" \
	"switch: $(cat "$T/shadow-off.jsonl")"

# rails: what the kernel cannot compare exactly is not enforced
python3 - "$T/p.yaml" "$T/wild.yaml" "$T/cidr.yaml" <<'EOF'
import sys, yaml
# the learned ContainerProfile: entries flat under spec
d = yaml.safe_load(open(sys.argv[1]))
d["spec"].setdefault("opens", []).append({"path": "/etc/\u22ef/x", "flags": ["O_RDONLY"]})
yaml.safe_dump(d, open(sys.argv[2], "w"), allow_unicode=True)
d = yaml.safe_load(open(sys.argv[1]))
d["spec"].setdefault("egress", []).append(
    {"identifier": "cidr", "type": "external", "ipAddresses": ["10.0.0.0/8"]})
yaml.safe_dump(d, open(sys.argv[3], "w"), allow_unicode=True)
EOF
watch rail-open "$T/wild.yaml" shadow --enforce R0010 --enforce-mode kill
[ -e "$M/stolen" ] || fail "rail: enforced a profile with /etc/⋯/x"
assert_contains "$(cat "$T/rail-open.err")" "not enforcing" "rail: watch says why (opens)"
watch rail-net "$T/cidr.yaml" egress --enforce R0011 --enforce-mode kill --enable R0011
[ -s "$M/sent" ] || fail "rail: enforced a profile with a CIDR peer"
assert_contains "$(cat "$T/rail-net.err")" "not enforcing" "rail: watch says why (egress)"
echo "ok: $TEST_NAME"
