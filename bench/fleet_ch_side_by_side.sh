#!/usr/bin/env bash
# Two bench_fleet binaries (an old and a new build) against ClickHouse at the same time, each
# with a clickhouse-server 18.16 of its own (tests/lib/clickhouse.sh, queries logged in
# system.query_log for a look afterwards), so both see the same machine. See docs/BENCHMARKS.md
# ("ClickHouse: counters, claims, batched deletes").
#
#   bench/fleet_ch_side_by_side.sh OLD_BENCH_FLEET NEW_BENCH_FLEET DIR [bench_fleet args...]
#   e.g. ... /tmp/old/build/bench/bench_fleet build/bench/bench_fleet /tmp/sbs \
#            --alerts 1000000 --nodes 1000 --queries 40
#
# Writes DIR/old.txt and DIR/new.txt (each binary's tables), then the servers' own time per
# kind of query (bench/fleet_ch_querylog.sh); stops both servers at the end.
set -u
[ $# -ge 3 ] || { sed -n '2,12p' "$0"; exit 2; }
old=$1 new=$2 dir=$3
shift 3
cd "$(dirname "$0")/.." || exit 1
. tests/lib/clickhouse.sh
pids=
# shellcheck disable=SC2154 # p is the loop's
trap 'for p in $pids; do CH_PID=$p; ch_stop; done' EXIT
for w in old new; do
	ch_config "$dir/$w/ch" >/dev/null || exit 1
	grep -q log_queries "$dir/$w/ch/users.xml" ||
		sed -i '0,/<default>/s//<default>\n            <log_queries>1<\/log_queries>/' "$dir/$w/ch/users.xml"
	ch_run "$dir/$w/ch" || exit 1
	pids="$pids $CH_PID"
	echo "$CH_URL $CH_PID" >"$dir/$w/info"
done
read -r ou op <"$dir/old/info"
read -r nu np <"$dir/new/info"
echo "start $(date -u '+%F %T') UTC, load $(cut -d' ' -f1-3 /proc/loadavg)"
VIGIL_BENCH_CLICKHOUSE=$ou VIGIL_BENCH_CLICKHOUSE_PID=$op nice -n 10 "$old" --skip-sqlite "$@" >"$dir/old.txt" 2>&1 &
a=$!
VIGIL_BENCH_CLICKHOUSE=$nu VIGIL_BENCH_CLICKHOUSE_PID=$np nice -n 10 "$new" --skip-sqlite "$@" >"$dir/new.txt" 2>&1 &
b=$!
wait $a $b
echo "end $(date -u '+%F %T') UTC, load $(cut -d' ' -f1-3 /proc/loadavg)"
paste -d'\n' <(grep '^| ' "$dir/old.txt") <(grep '^| ' "$dir/new.txt")
echo
echo "| server | query | count | server time p50 / p99 | rows read p50 |"
echo "|---|---|---|---|---|"
bench/fleet_ch_querylog.sh "old=$ou" "new=$nu"
