#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2016: DNS over TCP is learned and checked as UDP DNS is. A workload asks its resolver (a TCP
# listener on port 53 in a private network namespace) for a name over TCP; the name is learned
# into the egress neighbour's dnsNames and a rerun is quiet. A run that asks for another name
# over TCP, one byte per write (a client that wants to be missed), raises R0005 with that name.
if [ "$(id -u)" = 0 ] && [ -z "${VIGIL_T2016_NETNS:-}" ] && command -v unshare >/dev/null; then
	VIGIL_T2016_NETNS=1 exec unshare --net -- "$0" "$@"
fi
. "$(dirname "$0")/../lib/common.sh"
requires_root
requires_progs
requires_cmd ip
vigil_has watch || skip "vigil watch is not part of this build"

ip link set lo up
spawn dns "$PROGS/tcp_echo" 53 0 127.0.0.1
wait_for_line "$TEST_TMP/dns.log" '^port 53$' 30
PROFILE=$TEST_TMP/p.yaml
DRIVE=$TEST_TMP/drive.sh
NAMES=$TEST_TMP/names
HOW=$TEST_TMP/how
cat >"$DRIVE" <<DRIVE_EOF
#!/bin/sh
read how <"$HOW"
exec "$PROGS/dns_tcp" "\$how" 127.0.0.1 53 - <"$NAMES"
DRIVE_EOF
chmod +x "$DRIVE"

echo writev >"$HOW"
printf 'api.learned.example\nmirror.learned.example\n' >"$NAMES"
"$VIGIL" learn --out "$PROFILE" --name dnstcp -- /bin/sh "$DRIVE" >"$TEST_TMP/learn.out" \
	2>"$TEST_TMP/learn.err" || fail "vigil learn failed: $(cat "$TEST_TMP/learn.err")"
assert_file_contains "$PROFILE" "- api.learned.example"
assert_file_contains "$PROFILE" "- mirror.learned.example"

watch()
{
	ALERTS=$TEST_TMP/alerts-$1.jsonl
	set +e
	"$VIGIL" watch --profile "$PROFILE" --name dnstcp --alerts "file:$ALERTS" -- /bin/sh "$DRIVE" \
		>"$TEST_TMP/watch-$1.out" 2>"$TEST_TMP/watch-$1.err"
	RC=$?
	set -e
	[ -f "$ALERTS" ] || : >"$ALERTS"
}

watch benign
assert_eq 0 "$(json_count "$ALERTS")" "alerts on a benign rerun: $(head -c 2000 "$ALERTS")"
assert_eq 0 "$RC" "exit status of a benign watch ($(cat "$TEST_TMP/watch-benign.err"))"

printf 'api.learned.example\nc2.exfil.example\n' >"$NAMES"
watch attack-writev
assert_eq 1 "$(json_count "$ALERTS" rule_id=R0005 event.domain=c2.exfil.example event.tcp=true)" \
	"R0005 for the new name over TCP: $(head -c 2000 "$ALERTS")"
assert_eq 1 "$(json_count "$ALERTS")" "alerts: $(json_get "$ALERTS" message)"

echo split >"$HOW"
watch attack-split
assert_eq 1 "$(json_count "$ALERTS" rule_id=R0005 event.domain=c2.exfil.example event.tcp=true)" \
	"R0005 for the new name, one byte per write: $(head -c 2000 "$ALERTS")"
assert_eq 0 "$(json_count "$ALERTS" rule_id=R0005 event.domain=api.learned.example)" \
	"R0005 for the learned name"
log "attack: $(json_get "$ALERTS" message | tr '\n' ';')"
echo "ok: $TEST_NAME"
