#!/usr/bin/env bash
# The server's side of a bench/fleet_ch_side_by_side.sh run: per kind of query, how many ran,
# the server's own time p50 / p99 (system.query_log) and the rows read at the median, for each
# server. Called by that script before it stops the servers; alone, give it the URLs.
#
#   bench/fleet_ch_querylog.sh NAME=URL [NAME=URL...]
set -u
[ $# -ge 1 ] || { sed -n '2,7p' "$0"; exit 2; }
# the kinds: the fleet page's two queries, the duplicate check, one incident's alerts
kinds="multiIf(query LIKE 'SELECT agent_version, min(name)%', 'fleet page: totals',
 query LIKE 'SELECT name, last_seen_ns%', 'fleet page: the page',
 query LIKE 'SELECT alert_id FROM %.alerts WHERE incident_id IN%', 'duplicate check (per writer group)',
 query LIKE 'SELECT incident_id, node FROM %', 'incident owners (per writer group)',
 '')"
for arg in "$@"; do
	name=${arg%%=*} url=${arg#*=}
	curl -sS --data-binary "SYSTEM FLUSH LOGS" "$url/" >/dev/null
	curl -sS --data-binary "SELECT '$name', $kinds AS kind, count(), quantileExact(0.5)(query_duration_ms), quantileExact(0.99)(query_duration_ms), quantileExact(0.5)(read_rows) FROM system.query_log WHERE type = 2 AND kind != '' GROUP BY kind ORDER BY kind FORMAT TSV" "$url/" |
		awk -F'\t' '{ printf "| %s | %s | %d | %d / %d ms | %d |\n", $1, $2, $3, $4, $5, $6 }'
done
