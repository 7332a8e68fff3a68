#!/usr/bin/env bash
# An acknowledgement means stored, also when the writer groups many requests into one commit
# (issue 10's ingest): eight clients of four nodes post batches of alerts at once to a cockpit
# on SQLite; right after an answer of 200 arrives the cockpit is killed (SIGKILL, no chance to
# finish anything), restarted on the same file, and killed again, five times. Every alert id
# that was answered 200 is in the store after each restart, exactly once; ids whose request got
# no answer may or may not be (the agent sends them again: duplicates, not stored twice).
. "$(dirname "$0")/../lib/common.sh"
. "$TESTLIB/cockpit.sh"
requires_cmd python3 curl sqlite3

db=$TEST_TMP/acks.db
store=sqlite:$db
for n in 1 2 3 4; do
	"$VIGIL" cockpit token add node-$n --store $store >"$TEST_TMP/node-$n.token" || fail "token add"
done

# post.py URL PID ROUND OUT: 8 threads (2 per node) post batches of 200 alerts until the cockpit
# is gone; after the 30th answer of 200 the thread that got it kills the cockpit at once. Each
# acknowledged id is written to OUT; prints how many requests were answered 200.
cat >"$TEST_TMP/post.py" <<'PY'
import http.client, json, os, signal, sys, threading, time, urllib.parse
url, pid, rnd, out, tmp = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
u = urllib.parse.urlparse(url)
lock, acked, answers, killed = threading.Lock(), [], [0], [False]
deadline = time.time() + 120
def client(k):
    node = 1 + k % 4
    token = open("%s/node-%d.token" % (tmp, node)).read().strip()
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    b = 0
    while not killed[0]:
        ids = ["%02x%02x%08x%020x" % (rnd, k, b, i) for i in range(200)]
        body = json.dumps([{"alert_id": x, "rule_id": "R0001", "severity": 5,
                            "time": "2026-12-07T01:00:00Z", "message": "m" * 100,
                            "workload": {"id": "w", "name": "w"}} for x in ids])
        try:
            conn.request("POST", "/api/v1/alerts", body, {"Authorization": "Bearer " + token})
            r = conn.getresponse()
            r.read()
        except Exception:
            return  # the cockpit is gone: no answer, nothing acknowledged
        b += 1
        if r.status != 200:
            if time.time() > deadline:
                sys.exit("no 200 in time: HTTP %d" % r.status)
            time.sleep(0.1)
            continue
        with lock:
            acked.extend(ids)
            answers[0] += 1
            if answers[0] == 30 and not killed[0]:
                killed[0] = True
                os.kill(pid, signal.SIGKILL)  # right after this acknowledgement
th = [threading.Thread(target=client, args=(k,)) for k in range(8)]
for t in th: t.start()
for t in th: t.join()
with open(out, "w") as f:
    f.write("\n".join(acked) + "\n")
print(answers[0])
PY

for round in 1 2 3 4 5; do
	cockpit_start cockpit-$round --store $store
	answered=$(python3 "$TEST_TMP/post.py" "$COCKPIT_URL" "$COCKPIT_PID" $round "$TEST_TMP/acked-$round" "$TEST_TMP") ||
		fail "round $round: the clients failed"
	wait "$COCKPIT_PID" 2>/dev/null || true # killed: 137
	kill -0 "$COCKPIT_PID" 2>/dev/null && fail "round $round: the cockpit was not killed"
	[ "$answered" -ge 30 ] || fail "round $round: only $answered answers of 200"
	# the next cockpit opens the file as the killed one left it (its WAL recovered)
	cockpit_start cockpit-$round-after --store $store
	sqlite3 "$db" "SELECT alert_id FROM alerts" >"$TEST_TMP/stored-$round" || fail "round $round: cannot read the store"
	stop_pid "$COCKPIT_PID"
	python3 - "$TEST_TMP/acked-$round" "$TEST_TMP/stored-$round" <<'PY' || fail "round $round: acknowledged alerts lost"
import sys
acked = [l.strip() for l in open(sys.argv[1]) if l.strip()]
stored = [l.strip() for l in open(sys.argv[2]) if l.strip()]
lost = sorted(set(acked) - set(stored))
assert len(stored) == len(set(stored)), "an alert is stored twice"
assert not lost, "%d of %d acknowledged ids are not stored, e.g. %s" % (len(lost), len(acked), lost[:3])
print("round: %d acknowledged, all stored (%d alerts in the store)" % (len(acked), len(stored)))
PY
done
# the counters count what is stored, once
assert_eq "$(sqlite3 "$db" 'SELECT count(*) FROM alerts')" "$(sqlite3 "$db" 'SELECT sum(n) FROM alert_minutes')" "counters after the kills"
echo "acknowledged means stored across 5 kills: ok"
