#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# In-kernel allow sets (docs/SENSOR.md): the CPU cost of N first opens (distinct files, so the
# kernel's de-duplication does not hide them) that the profile allows with "DIR/⋯", under
# `vigil watch` with the sets in the kernel and with --no-kernel-allow, beside no sensor and
# the sensor's fixed cost (load, a workload that does nothing). CPU = user + system of the whole
# job (vigil and its workload, from /usr/bin/time), so it is less sensitive to load than wall
# time. Rounds interleaved; prints each figure and the per-open overhead.
#   bench/kallow_opens.sh [FILES] [ROUNDS]
set -euo pipefail
N=${1:-40000}
R=${2:-3}
VIGIL=${VIGIL:-build/vigil}
[ "$(id -u)" -eq 0 ] || { echo "needs root" >&2; exit 77; }
T=$(mktemp -d /tmp/kallow-bench.XXXXXX)
D=$(mktemp -d /var/lib/kallow-bench.XXXXXX) # below a watched directory, as an application's data
trap 'rm -rf "$T" "$D"' EXIT
for i in $(seq 1 "$N"); do : >"$D/f$i"; done
cat >"$T/work.sh" <<'W'
#!/bin/bash
for f in "$1"/*; do : <"$f"; done
W
"$VIGIL" learn --out "$T/p.yaml" --name kb -- /bin/bash "$T/work.sh" "$D" 2>/dev/null
grep -q "path: $D/⋯" "$T/p.yaml" || { echo "the learner did not collapse $D" >&2; exit 1; }
# (vigil watch exits 1 when it raised alerts: only the time matters here)
cpu() { { /usr/bin/time -f "%U %S" "$@" 2>&1 >/dev/null || true; } | tail -1 | awk '{ printf "%.2f", $1 + $2 }'; }
mkdir "$T/empty"
declare -A sum
for r in $(seq 1 "$R"); do
	a=$(cpu /bin/bash "$T/work.sh" "$D")
	b=$(cpu "$VIGIL" watch --profile "$T/p.yaml" --alerts "file:$T/a.jsonl" -- /bin/bash "$T/work.sh" "$T/empty")
	c=$(cpu "$VIGIL" watch --profile "$T/p.yaml" --alerts "file:$T/a.jsonl" -- /bin/bash "$T/work.sh" "$D")
	d=$(cpu "$VIGIL" watch --profile "$T/p.yaml" --alerts "file:$T/a.jsonl" --no-kernel-allow -- /bin/bash "$T/work.sh" "$D")
	echo "round $r: no sensor $a s, sensor fixed $b s, sets in kernel $c s, without $d s"
	sum[a]=$(echo "${sum[a]:-0} + $a" | bc); sum[b]=$(echo "${sum[b]:-0} + $b" | bc)
	sum[c]=$(echo "${sum[c]:-0} + $c" | bc); sum[d]=$(echo "${sum[d]:-0} + $d" | bc)
done
echo "per first open, over no sensor + fixed: sets in kernel" \
	"$(echo "scale=2; (${sum[c]} - ${sum[a]} - ${sum[b]}) * 1000000 / $R / $N" | bc) us," \
	"without $(echo "scale=2; (${sum[d]} - ${sum[a]} - ${sum[b]}) * 1000000 / $R / $N" | bc) us"
