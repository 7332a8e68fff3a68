#!/usr/bin/env bash
# The demo's benign service works against its loopback peers and behaves the same with
# different inputs (message, request count, data file content): the same programs executed,
# the same files opened, the same addresses contacted, the same set of syscalls. Learning it
# once and rerunning it with other inputs must therefore raise no alert.
. "$(dirname "$0")/../lib/common.sh"
. "$TESTLIB/demo.sh"
requires_demo
requires_cmd strace

demo_peers
echo "first data" >"$TEST_TMP/data"

# behaviour LOG: what a profile records, from an strace -f log, one sorted item per line.
behaviour()
{
	python3 - "$1" <<'PY'
import re, sys
items = set()
for line in open(sys.argv[1]):
    m = re.match(r"^(?:\[pid +\d+\] |\d+ +)?([a-z0-9_]+)\((.*)", line)
    if not m or "resumed>" in line:
        continue
    call, args = m.groups()
    items.add("syscall " + call)
    if call == "execve":
        items.add("exec " + re.match(r'"([^"]*)"', args).group(1))
    elif call in ("open", "openat"):
        items.add("open " + re.search(r'"([^"]*)"', args).group(1))
    elif call in ("connect", "sendto"):
        a = re.search(r'sin_port=htons\((\d+)\).*inet_addr\("([^"]+)"\)', args)
        if a:
            items.add("%s %s:%s" % (call, a.group(2), a.group(1)))
print("\n".join(sorted(items)))
PY
}

run_service() # N MESSAGE REQUESTS DATA
{
	demo_service_config "$TEST_TMP/svc.conf" "$2" "$3" "$TEST_TMP/data"
	printf '%s' "$4" >"$TEST_TMP/data"
	strace -f -qq -o "$TEST_TMP/strace.$1" "$DEMO/service" "$TEST_TMP/svc.conf" \
		>"$TEST_TMP/service.$1" 2>&1 || fail "service run $1 failed: $(cat "$TEST_TMP/service.$1")"
	behaviour "$TEST_TMP/strace.$1" >"$TEST_TMP/behaviour.$1"
}

run_service 1 "hello" 1 "first data"
run_service 2 "a rather different and longer message, run two" 3 "$(head -c 300 /dev/urandom | base64)"

assert_contains "$(cat "$TEST_TMP/service.1")" "$DEMO_NAME is 127.0.0.1; 1 request(s) to $DEMO_PEER"
assert_contains "$(cat "$TEST_TMP/service.2")" "3 request(s) to $DEMO_PEER"
assert_eq 2 "$(grep -c "^query $DEMO_NAME\$" "$TEST_TMP/dns.log")" "DNS questions answered"
assert_eq 4 "$(grep -c '^conn ' "$TEST_TMP/peer.log")" "TCP connections to the peer"

# What the service did, as a profile would see it.
b=$(cat "$TEST_TMP/behaviour.1")
assert_contains "$b" "exec $DEMO/service" "behaviour"
assert_contains "$b" "exec /bin/date" "behaviour"
assert_contains "$b" "open $TEST_TMP/svc.conf" "behaviour"
assert_contains "$b" "open $TEST_TMP/data" "behaviour"
assert_contains "$b" "connect $DEMO_PEER" "behaviour"
assert_contains "$b" "sendto $DEMO_DNS" "behaviour"
diff -u "$TEST_TMP/behaviour.1" "$TEST_TMP/behaviour.2" >&2 ||
	fail "the service behaves differently with other inputs"
echo "ok: two runs with different inputs, same behaviour ($(wc -l <"$TEST_TMP/behaviour.1") items)"
