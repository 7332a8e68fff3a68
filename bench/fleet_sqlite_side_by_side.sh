#!/usr/bin/env bash
# Two bench_fleet binaries (an old and a new build) on SQLite at the same time, so both see the
# same machine, with the CPU of each of their threads sampled every second from
# /proc/PID/task/*/stat. See docs/BENCHMARKS.md ("SQLite ingest without a parse tree").
#
#   bench/fleet_sqlite_side_by_side.sh OLD_BENCH_FLEET NEW_BENCH_FLEET DIR [bench_fleet args...]
#   e.g. ... /tmp/old/bench_fleet build/bench/bench_fleet /tmp/sbs --alerts 1000000 --nodes 1000
#
# Writes DIR/old.txt and DIR/new.txt (each binary's tables), DIR/old.cpu and DIR/new.cpu
# (seconds since start, thread name, CPU seconds), and prints, per binary, the CPU per alert of
# each kind of thread at the end of its ingest (the sample at its start + its ingest seconds).
set -u
[ $# -ge 3 ] || { sed -n '2,11p' "$0"; exit 2; }
old=$1 new=$2 dir=$3
shift 3
alerts=100000
prev=
for a in "$@"; do
	[ "$prev" = --alerts ] && alerts=$a
	prev=$a
done
mkdir -p "$dir" || exit 1
tck=$(getconf CLK_TCK)

# every second: elapsed seconds, thread name, CPU seconds of each thread of pid
sample() {
	local pid=$1 out=$2 t0 now
	t0=$(date +%s.%N)
	: >"$out"
	while kill -0 "$pid" 2>/dev/null; do
		now=$(date +%s.%N)
		for st in /proc/"$pid"/task/*/stat; do
			# comm is in parentheses and has no spaces here (vigil-loop, bench_fleet...)
			awk -v t="$(echo "$now - $t0" | bc)" -v tck="$tck" \
				'{ gsub(/[()]/, "", $2); printf "%.1f %s %.2f\n", t, $2, ($14 + $15) / tck }' \
				"$st" 2>/dev/null
		done >>"$out"
		sleep 1
	done
}

echo "start $(date -u '+%F %T') UTC, load $(cut -d' ' -f1-3 /proc/loadavg)"
nice -n 5 "$old" "$@" >"$dir/old.txt" 2>&1 &
a=$!
nice -n 5 "$new" "$@" >"$dir/new.txt" 2>&1 &
b=$!
sample $a "$dir/old.cpu" &
sample $b "$dir/new.cpu" &
wait $a $b
wait
echo "end $(date -u '+%F %T') UTC, load $(cut -d' ' -f1-3 /proc/loadavg)"
paste -d'\n' <(grep '^| ' "$dir/old.txt") <(grep '^| ' "$dir/new.txt")
for w in old new; do
	secs=$(sed -n 's/^| sustained ingest | .*(\([0-9.]*\) s).*/\1/p' "$dir/$w.txt")
	[ -n "$secs" ] || { echo "$w: no ingest figure"; continue; }
	# the last sample at or before the end of the ingest, summed per thread name
	awk -v end="$secs" -v n="$alerts" -v w="$w" '
		$1 <= end + 0.5 { if ($1 > last) { last = $1; delete cpu } if ($1 == last) cpu[$2] += $3 }
		END { printf "%s at %.1f s, us of CPU per alert:", w, last;
		      for (k in cpu) { printf " %s %.1f", k, cpu[k] * 1e6 / n; tot += cpu[k] }
		      printf "; all %.1f\n", tot * 1e6 / n }' "$dir/$w.cpu"
done
