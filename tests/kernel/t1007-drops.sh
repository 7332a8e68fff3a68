#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Flooding a small ring buffer loses events, and the loss is counted (per cause) and reported,
# never silent; de-duplication makes a repeated open cost no ring-buffer traffic at all.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/sensor-lib.sh"

cat >"$TEST_TMP/flood.py" <<'PY'
import os, sys
for i in range(int(sys.argv[1])):
    try:
        os.open("/nonexistent/vigil-flood-%d" % i, os.O_RDONLY)
    except OSError:
        pass
PY
out=$TEST_TMP/flood.jsonl
TRACE_OPTS=(--kinds open --buffer 8192)
trace_json "$out" python3 "$TEST_TMP/flood.py" 30000
assert_eq 0 "$TRACE_RC" "flood status"
err=$(cat "$TRACE_ERR")
assert_contains "$err" "events dropped (ring buffer"
total=$(sed -n 's/.* \([0-9]*\) events dropped (ring buffer.*/\1/p' "$TRACE_ERR")
ringbuf=$(sed -n 's/.* events dropped (ring buffer \([0-9]*\),.*/\1/p' "$TRACE_ERR")
got=$(json_count "$out" event.path~/nonexistent/vigil-flood-)
assert_ge "$ringbuf" 1 "ring-buffer drops"
# what was delivered plus what was dropped (ring buffer or rate limit) covers every open
assert_ge "$((got + total))" 30000 "delivered + dropped"
# an 8 KiB buffer wraps hundreds of times: a record crossing its end must arrive whole (the
# consumer maps the data once and copies such a record, sensor/ringbuf_reader.c), so every
# delivered path is intact and they come in the order of the opens
python3 - "$out" <<'PY' || fail "a delivered flood record is damaged or out of order"
import json, re, sys
last = -1
for line in open(sys.argv[1]):
    p = json.loads(line).get("event", {}).get("path", "")
    if not p.startswith("/nonexistent/"):
        continue
    m = re.fullmatch(r"/nonexistent/vigil-flood-(\d+)", p)
    assert m and int(m.group(1)) > last, p
    last = int(m.group(1))
PY

# with de-duplication, 2000 opens of one path are one event
cat >"$TEST_TMP/same.py" <<'PY'
import os
for i in range(2000):
    os.close(os.open("/etc/hostname", os.O_RDONLY))
PY
out=$TEST_TMP/dedup.jsonl
TRACE_OPTS=(--kinds open --dedup)
trace_json "$out" python3 "$TEST_TMP/same.py"
assert_eq 1 "$(json_count "$out" event.path=/etc/hostname)" "opens of /etc/hostname with --dedup"
TRACE_OPTS=(--kinds open)
trace_json "$out" python3 "$TEST_TMP/same.py"
assert_ge "$(json_count "$out" event.path=/etc/hostname)" 2000 "opens without --dedup"
echo ok
