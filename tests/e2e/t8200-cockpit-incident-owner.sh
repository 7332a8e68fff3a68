#!/usr/bin/env bash
# A node's token cannot rewrite or fill another node's incident. Incident ids are the incidents'
# only key and a node chooses them (the zoom's ids) or can compute them (the id of another node's
# alerts without an incident is derived from its name, workload and hour): before, node A's
# report under node B's incident id replaced B's summary and evidence (files, events) and took
# the incident out of B's list, and A could squat the id B's next loose alerts would join.
# Run on SQLite and, when clickhouse-server is installed, on ClickHouse; there a report whose
# state is outside the schema's list failed every write of its group (503 for ever).
. "$(dirname "$0")/../lib/common.sh"

. "$TESTLIB/cockpit.sh"

# owner_checks STORE NAME: every check against a cockpit on STORE
owner_checks() {
	local store=$1 name=$2
	cockpit_start "$name" --store "$store"
	base=$COCKPIT_URL
	ta=$(cockpit_node_token $store node-a)
	tb=$(cockpit_node_token $store node-b)

	# post TOKEN ENDPOINT JSON: prints the status, body in $TEST_TMP/body
	post() { curl -s -o "$TEST_TMP/body" -w '%{http_code}' -H "Authorization: Bearer $1" --data-binary "$3" "$base/api/v1/$2"; }
	get() { curl -s "$base/api/v1/$1"; }
	py() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

	# B's incident with its evidence.
	id=11112222333344445555666677778888
	assert_eq 200 "$(post "$tb" reports '{"incident_id":"'$id'","state":"closed","workload":{"id":"w-b","name":"payments"},
	  "opened_ns":1795313422000000000,"summary":"payments sent a token out",
	  "alerts":[{"alert_id":"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb1","rule_id":"R1030","time":"2026-11-22T10:00:00Z"}],
	  "files":[{"time_ns":1795313422000000000,"path":"/var/run/secrets/token","pid":7}]}')" "B's report"

	# A rewrites it: refused as a whole, nothing of the request kept (A's own report with it neither).
	own=aaaa0000aaaa0000aaaa0000aaaa0000
	assert_eq 403 "$(post "$ta" reports '[{"incident_id":"'$own'","summary":"A own"},{"incident_id":"'$id'","state":"closed","summary":"nothing happened"}]')" \
		"a report under another node's incident"
	assert_contains "$(cat $TEST_TMP/body)" "is node node-b's" "says whose it is"
	inc=$(get incidents/$id)
	assert_eq "node-b|payments sent a token out|/var/run/secrets/token" \
		"$(echo "$inc" | py 'd["node"]+"|"+d["summary"]+"|"+d["files"][0]["path"]')" "B's incident intact"
	assert_eq 1 "$(get 'incidents?node=node-b' | py 'd["total"]')" "still in B's list"
	assert_eq 404 "$(curl -s -o /dev/null -w '%{http_code}' $base/api/v1/incidents/$own)" "A's own report of that request not stored"

	# A's alerts naming B's incident: the whole batch refused, its good alert not stored either.
	assert_eq 403 "$(post "$ta" alerts '[{"alert_id":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1","rule_id":"R0001","workload":{"id":"w-a"}},
	  {"alert_id":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa2","rule_id":"R0001","incident_id":"'$id'"}]')" "alerts into another node's incident"
	assert_contains "$(cat $TEST_TMP/body)" "item 1: incident $id is node node-b's" "names the item"
	assert_eq 0 "$(get 'alerts?node=node-a' | py 'd["total"]')" "nothing of A's batch stored"
	assert_eq 1 "$(get "incidents/$id" | py 'len(d["alerts"])')" "B's incident holds B's alert only"

	# Squatting: A puts a report under the id B's next alerts without an incident will join.
	hour=$(($(date +%s) / 3600))
	loose=$(python3 -c "import hashlib,sys; print(hashlib.sha256(('vigil-loose\nnode-b\nw-b\n%s' % sys.argv[1]).encode()).hexdigest()[:32])" $hour)
	assert_eq 200 "$(post "$ta" reports '{"incident_id":"'$loose'","state":"closed","summary":"benign","workload":{"id":"w-b","name":"decoy"},
	  "files":[{"time_ns":1,"path":"/decoy","pid":1}]}')" "A's report under a free id"
	now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	assert_eq 200 "$(post "$tb" alerts '{"alert_id":"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2","rule_id":"R0001","time":"'$now'","workload":{"id":"w-b","name":"payments"}}')" \
		"B's alert without an incident"
	inc=$(get incidents/$loose)
	assert_eq "node-b|payments" "$(echo "$inc" | py 'd["node"]+"|"+d["workload"]["name"]')" \
		"the id derived for B is B's: A's squatting report replaced"
	# SQLite deletes the squatter's report rows with the commit; ClickHouse once the mutation
	# that the flush started has run (in the background: poll, generously under load)
	no_files() { [ "$(get "incidents/$loose" | py 'len(d["files"])')" = 0 ]; }
	case $store in
	sqlite:*) assert_eq 0 "$(echo "$inc" | py 'len(d["files"])')" "A's report rows gone" ;;
	*) wait_until 90 no_files || fail "A's report rows still in B's incident: $(get "incidents/$loose")" ;;
	esac
	assert_contains "$(echo "$inc" | py 'd["summary"]')" "alerts of payments" "B's summary"
	assert_eq "$loose" "$(get 'incidents?node=node-b&limit=10' | py '",".join(i["incident_id"] for i in d["incidents"] if i["incident_id"]=="'$loose'")')" \
		"in B's list"

	# A state outside the schema's list (or none) is stored as "open": on ClickHouse it failed
	# the whole insert before, 503 to every request of the group, and the agent retried it
	# for ever.
	assert_eq 200 "$(post "$ta" reports '{"incident_id":"abab0000abab0000abab0000abab0000","state":"pwned","summary":"odd state"}')" \
		"a report with a state outside the list"
	assert_eq open "$(get incidents/abab0000abab0000abab0000abab0000 | py 'd["state"]')" "stored as open"

	# A's own incidents are unaffected, and the refusals are counted.
	assert_eq 200 "$(post "$ta" reports '{"incident_id":"'$own'","summary":"A own"}')" "A's own report"
	assert_eq 200 "$(post "$ta" alerts '{"alert_id":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa3","rule_id":"R0001","incident_id":"'$own'"}')" "A's alert into it"
	assert_eq 2 "$(cockpit_metric 'vigil_cockpit_rejected_total{cause="forbidden"}')" "refusals counted"

	race_checks "$store" "$base" "$3"
	flood_checks "$store"
}

# flood_checks STORE: a node squats many ids derived for another node's workloads, whose
# alerts then take them over one request at a time. Each take deletes the squatter's report
# rows; on ClickHouse that is a mutation per table (ALTER ... DELETE), and one set per request
# let the squatter make the cockpit queue 5 mutations per request (200 here): they go together,
# at most one set per 10 s. Every squatted report row still goes.
flood_checks() {
	local store=$1 n=40 i m0=0 m1=0 t0 ids idlist
	# the ids are derived per hour: not across an hour's end
	[ $(($(date +%s) % 3600)) -lt 3480 ] || sleep 125
	ids=$(python3 -c "
import hashlib, sys, time
h = int(time.time()) // 3600
for i in range(1, $n + 1):
    print(hashlib.sha256(('vigil-loose\nnode-b\nw-f%d\n%d' % (i, h)).encode()).hexdigest()[:32])")
	i=0
	for id in $ids; do
		i=$((i + 1))
		assert_eq 200 "$(post "$ta" reports '{"incident_id":"'$id'","summary":"decoy","workload":{"id":"w-f'$i'"},
		  "files":[{"time_ns":1,"path":"/decoy","pid":1}],"events":[{"time_ns":1,"kind":"exec","pid":1}]}')" "A squats $i"
	done
	idlist=$(echo $ids | sed "s/\([0-9a-f]*\)/'\1'/g; s/ /,/g")
	mutations() { ch_query "SELECT count() FROM system.mutations WHERE database = 'vigil_t8200'"; }
	case $store in clickhouse:*) m0=$(mutations) ;; esac
	t0=$SECONDS
	i=0
	now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	for id in $ids; do
		i=$((i + 1))
		assert_eq 200 "$(post "$tb" alerts '{"alert_id":"'$(printf 'f1%030x' $i)'","rule_id":"R0001","time":"'$now'","workload":{"id":"w-f'$i'","name":"svc"}}')" \
			"B's alert takes $i back"
	done
	case $store in
	sqlite:*)
		for id in $ids; do
			assert_eq "node-b|0" "$(get "incidents/$id" | py 'd["node"]+"|"+str(len(d["files"]))')" "$id is B's, A's rows gone"
		done
		return 0
		;;
	esac
	m1=$(mutations)
	local took=$((SECONDS - t0)) bound
	bound=$((5 * (2 + took / 10)))
	log "ClickHouse: $((m1 - m0)) mutations for $n takes in ${took}s (bound $bound; one set per take before: $((5 * n)))"
	[ $((m1 - m0)) -le $bound ] || fail "$((m1 - m0)) mutations for $n takes in ${took}s (want <= $bound)"
	# the rest goes at the first write after its interval (agents heartbeat every 10 s)
	k=0
	squat_gone() {
		k=$((k + 1))
		post "$tb" alerts '{"alert_id":"'$(printf 'f2%030x' $k)'","rule_id":"R0001","incident_id":"'$own_b'"}' >/dev/null
		[ "$(ch_query "SELECT count() FROM vigil_t8200.files WHERE incident_id IN ($idlist)")" = 0 ] &&
			[ "$(ch_query "SELECT count() FROM vigil_t8200.events WHERE incident_id IN ($idlist)")" = 0 ] ||
			{ sleep 1; return 1; }
	}
	own_b=bbbb0000bbbb0000bbbb0000bbbb0000
	wait_until 120 squat_gone || fail "A's squatted rows not all deleted: $(ch_query "SELECT count() FROM vigil_t8200.files WHERE incident_id IN ($idlist)") left"
	for id in $(echo $ids | cut -d' ' -f1,$n); do
		assert_eq "node-b|0" "$(get "incidents/$id" | py 'd["node"]+"|"+str(len(d["files"]))')" "$id is B's, A's rows gone"
	done
	log "ClickHouse: $(($(mutations) - m0)) mutations in all, every squatted row gone"
}

# race_checks STORE URL TAG: pairs of nodes name the same new incident id at once, so both
# requests of a pair tend to fall into one writer group. On ClickHouse both were accepted before
# (each saw "owned by nobody" in the group's lookup; the newer row won): ownership is the first
# accepted write's, the other is refused (403) and counted, and nothing of it is stored.
race_checks() {
	local store=$1 base=$2 tag=$3 pairs=30 i
	for i in $(seq 1 $pairs); do
		for side in x y; do
			"$VIGIL" cockpit token add "race-$i-$side" --store "$store" >"$TEST_TMP/tok-$i-$side" ||
				fail "token add race-$i-$side"
		done
	done
	wait_until 15 _cockpit_accepts "$base" "$(cat "$TEST_TMP/tok-$pairs-y")" || fail "race tokens not accepted"
	cat >"$TEST_TMP/race.py" <<'PY'
import json, sys, threading, urllib.request, urllib.error
base, tmp, pairs, tag = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
barrier = threading.Barrier(2 * pairs)
out = {}
def post(i, side):
    tok = open("%s/tok-%d-%s" % (tmp, i, side)).read().strip()
    iid = "%s%030x" % (tag, i)
    if i % 2:  # alerts naming the incident (the group's prefetched owner lookup)
        ep, body = "alerts", [{"alert_id": "%s%02x%028x" % (tag, ord(side), i), "rule_id": "R0001",
                               "incident_id": iid}]
    else:      # a report (asked one request at a time)
        ep, body = "reports", {"incident_id": iid, "summary": "race-%d-%s" % (i, side)}
    req = urllib.request.Request("%s/api/v1/%s" % (base, ep), data=json.dumps(body).encode(),
                                 headers={"Authorization": "Bearer " + tok})
    barrier.wait()
    try:
        out[(i, side)] = urllib.request.urlopen(req, timeout=60).status
    except urllib.error.HTTPError as e:
        out[(i, side)] = e.code
ts = [threading.Thread(target=post, args=(i, s)) for i in range(1, pairs + 1) for s in "xy"]
for t in ts: t.start()
for t in ts: t.join()
for i in range(1, pairs + 1):
    print(i, "%s%030x" % (tag, i), out.get((i, "x")), out.get((i, "y")))
PY
	python3 "$TEST_TMP/race.py" "$base" "$TEST_TMP" $pairs "$tag" >"$TEST_TMP/race.out" || fail "race.py failed"
	local both=0 id sx sy winner loser
	while read -r i id sx sy; do
		case "$sx/$sy" in
		200/403) winner=race-$i-x loser=race-$i-y ;;
		403/200) winner=race-$i-y loser=race-$i-x ;;
		200/200) both=$((both + 1)); continue ;;
		*) fail "pair $i: statuses $sx/$sy (want one 200, one 403)" ;;
		esac
		inc=$(get "incidents/$id")
		assert_eq "$winner" "$(echo "$inc" | py 'd["node"]')" "pair $i: the first accepted write owns $id"
		if [ $((i % 2)) = 1 ]; then
			assert_eq 0 "$(get "alerts?node=$loser" | py 'd["total"]')" "pair $i: no alert of the refused node"
			assert_eq 1 "$(echo "$inc" | py 'len(d["alerts"])')" "pair $i: the owner's alert only"
		else
			assert_eq "$winner" "$(echo "$inc" | py 'd["summary"]')" "pair $i: the owner's report"
		fi
	done <"$TEST_TMP/race.out"
	[ $both = 0 ] || fail "$both of $pairs pairs: both nodes accepted into the same new incident: $(tr '\n' ';' <"$TEST_TMP/race.out")"
	assert_eq $((2 + pairs)) "$(cockpit_metric 'vigil_cockpit_rejected_total{cause="forbidden"}')" "the refused of each pair counted"
}

owner_checks sqlite:$TEST_TMP/evidence.db cockpit 5a
log "SQLite: held"

# The same on ClickHouse (the owner lookup reads the newest incident row there).
. "$TESTLIB/clickhouse.sh"
on_exit ch_cleanup
rc=0
ch_start "$TEST_TMP/ch" || rc=$?
if [ $rc = 0 ]; then
	owner_checks "clickhouse:$CH_URL/vigil_t8200" cockpit-ch c4
	log "ClickHouse: held"
elif [ $rc = 77 ]; then
	log "clickhouse-server not installed: SQLite only"
else
	fail "clickhouse-server did not start"
fi
echo "ok: $TEST_NAME"
