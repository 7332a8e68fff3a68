#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# R0010 / R0006 on io_uring opens (docs/ENFORCEMENT.md). A learned workload opens files only
# through io_uring (IORING_OP_OPENAT, READ, CLOSE: iouring_openat), so the profile's iouring list
# has OPENAT and R1030 has nothing to say. It then opens /etc/shadow, a bind mount of it (a name
# that is not sensitive: the kernel knows the file by its device and inode) and a service-account
# token, all through the ring. Before the open's completion was judged, each was only detected:
# the file was read to its end and the alert said nothing was done.
# dry-run: the file is read, the alert says would-kill. kill: the process dies at the open's
# completion, before the ring's READ is submitted (nothing is printed), the alert says killed.
. "$(dirname "$0")/../lib/common.sh"
requires_root
requires_progs
requires_io_uring
requires_cmd unshare mount
vigil_has watch || skip "vigil watch is not part of this build"

T=$TEST_TMP
MODE=$T/mode
M=$T/markers
mkdir -p "$M" "$T/alias"
touch "$T/alias/bf"
TOK=/run/secrets/kubernetes.io/serviceaccount

mkdir -p "$T/sa"
echo secret-token >"$T/sa/token"
cat >"$T/drive.sh" <<EOF
#!/bin/bash
# a token as the kubelet mounts it (made outside the workload: one it wrote itself would be
# learned, and any token in a profile allows every token, as in Kubescape), in this workload's
# own mount namespace
mount -t tmpfs tmpfs /run
mkdir -p $TOK
mount --bind '$T/sa' $TOK
'$PROGS/iouring_openat' /etc/hostname >/dev/null
case "\$(cat '$MODE')" in
shadow) '$PROGS/iouring_openat' /etc/shadow >'$M/read' ;;
async) '$PROGS/iouring_openat' /etc/shadow async >'$M/read' ;;
bind) mount --bind /etc/shadow '$T/alias/bf' && '$PROGS/iouring_openat' '$T/alias/bf' >'$M/read' ;;
token) '$PROGS/iouring_openat' $TOK/token >'$M/read' ;;
esac
echo end >'$M/end'
EOF

echo benign >"$MODE"
"$VIGIL" learn --out "$T/p.yaml" --name drive -- unshare -m /bin/bash "$T/drive.sh" \
	2>"$T/learn.err" || fail "learn: $(cat "$T/learn.err")"
assert_file_contains "$T/p.yaml" "kubescape.io/completion: complete"
assert_file_contains "$T/p.yaml" "OPENAT"

# watch NAME MODE [OPTIONS...]: one run; alerts in $T/NAME.jsonl
watch()
{
	local name=$1 mode=$2
	shift 2
	rm -f "$M"/*
	echo "$mode" >"$MODE"
	"$VIGIL" watch --profile "$T/p.yaml" --alerts "file:$T/$name.jsonl" --cooldown 0s \
		"$@" -- unshare -m /bin/bash "$T/drive.sh" >"$T/$name.out" 2>"$T/$name.err" &&
		fail "$name: no alert"
	[ -f "$M/end" ] || fail "$name: the workload did not run to its end: $(cat "$T/$name.err")"
	touch "$T/$name.jsonl"
}
alerts() { json_count "$T/$1.jsonl" "${@:2}"; }

watch shadow-dry shadow --enforce R0010
assert_file_contains "$M/read" "read $(stat -c %s /etc/shadow) bytes"
assert_eq 1 "$(alerts shadow-dry rule_id=R0010 key=/etc/shadow action=would-kill event.via_iouring=true)" \
	"dry-run: $(cat "$T/shadow-dry.jsonl")"
watch shadow-kill shadow --enforce R0010 --enforce-mode kill
[ ! -s "$M/read" ] || fail "kill: the ring read /etc/shadow: $(cat "$M/read")"
assert_eq 1 "$(alerts shadow-kill rule_id=R0010 key=/etc/shadow action=killed)" \
	"kill: $(cat "$T/shadow-kill.jsonl")"
assert_eq 0 "$(alerts shadow-kill action=killed key!=/etc/shadow)" "nothing else killed"

# the open run by an io-wq worker thread (IOSQE_ASYNC): the kill from that thread takes its
# whole process
watch async-kill async --enforce R0010 --enforce-mode kill
[ ! -s "$M/read" ] || fail "kill (io-wq): the ring read /etc/shadow: $(cat "$M/read")"
assert_eq 1 "$(alerts async-kill rule_id=R0010 key=/etc/shadow action=killed)" \
	"io-wq kill: $(cat "$T/async-kill.jsonl")"

# a bind mount of /etc/shadow: the name the kernel gives is not sensitive, the identity is
watch bind-kill bind --enforce R0010 --enforce-mode kill
[ ! -s "$M/read" ] || fail "kill: the ring read the bind mount: $(cat "$M/read")"
assert_eq 1 "$(alerts bind-kill rule_id=R0010 key=/etc/shadow action=killed)" \
	"bind mount kill: $(cat "$T/bind-kill.jsonl")"

watch token-kill token --enforce R0006 --enforce-mode kill
[ ! -s "$M/read" ] || fail "kill: the ring read the token: $(cat "$M/read")"
assert_eq 1 "$(alerts token-kill rule_id=R0006 action=killed)" "token kill: $(cat "$T/token-kill.jsonl")"
echo "ok: $TEST_NAME"
