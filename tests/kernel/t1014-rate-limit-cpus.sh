#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The per-workload rate limit holds when one workload floods from every CPU at once, and what
# it refuses is counted: records that passed it (delivered, or lost to a full ring buffer) stay
# within the bucket (one second of burst plus the rate for the run), and delivered + dropped
# account for every attempt. The limit is set to 5 000 records/s (`trace --rate`) so that even
# a loaded machine floods well past it.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"
requires_progs
[ "$(nproc)" -ge 2 ] || skip "needs two CPUs"

out=$TEST_TMP/flood.jsonl
RATE=5000
TRACE_OPTS=(--kinds open --rate "$RATE")
trace_json "$out" "$PROGS/open_flood" 4
assert_eq 0 "$TRACE_RC" "open_flood status"
read -r _ opens _ secs _ cpus <"$out.cmd" || fail "open_flood said nothing"
log "offered $opens opens in $secs s on $cpus CPUs; $(cat "$TRACE_ERR")"
delivered=$(grep -c 'vigil-flood-' "$out" || true)
for c in 0 1; do
	assert_ge "$(grep -c "vigil-flood-$c-" "$out" || true)" 1 "events from CPU $c"
done
total=$(sed -n 's/.* \([0-9]*\) events dropped (ring buffer.*/\1/p' "$TRACE_ERR")
ringbuf=$(sed -n 's/.* events dropped (ring buffer \([0-9]*\),.*/\1/p' "$TRACE_ERR")
ratelimit=$(sed -n 's/.*, rate limit \([0-9]*\),.*/\1/p' "$TRACE_ERR")
[ -n "$ratelimit" ] || fail "no drop report: $(cat "$TRACE_ERR")"
# the bucket: RATE to start, RATE more each second; the flood runs `secs` seconds
bound=$(python3 -c "print(int($RATE * (1 + $secs) * 1.05))")
passed=$((delivered + ringbuf))
assert_ge "$opens" $((6 * bound / 5)) "opens offered (the flood must exceed the limit to test it)"
assert_ge "$bound" "$passed" "records past the rate limit (delivered $delivered + ring buffer $ringbuf)"
assert_ge "$ratelimit" $((opens - bound)) "rate-limit drops counted"
assert_ge "$((delivered + total))" "$opens" "delivered + dropped"
echo ok
