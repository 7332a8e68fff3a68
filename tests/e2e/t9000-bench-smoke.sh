#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The overhead benchmark in its smallest mode produces a well-formed results file (every workload
# measured with and without the sensor, the agent's counters and per-hook kernel times read), and
# it leaves the machine as it found it: no audit rules, audit off, no BPF statistics left on, no
# cgroup left behind, also when it is interrupted while auditd is running.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac

[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }
for t in python3 redis-server redis-benchmark setpriv bpftool; do
	command -v $t >/dev/null || { echo "$t not installed (scripts/deps.sh bench)"; exit 77; }
done
make -C "$ROOT" --no-print-directory BUILD="$BUILD" bench-overhead-bins >/dev/null

TMP=$(mktemp -d /tmp/vigil-t9000.XXXXXX)
bg=
trap '[ -n "$bg" ] && kill $bg 2>/dev/null; rm -rf "$TMP"' EXIT
stats0=$(sysctl -n kernel.bpf_stats_enabled)
modes="none floor detect"
command -v auditd >/dev/null && command -v auditctl >/dev/null && modes="$modes auditd"

# a generous bound, not a timing: the smallest mode takes ~1 min on a shared 2-core machine
BUILD=$BUILD BENCH_SMOKE=1 BENCH_OUT="$TMP" BENCH_MODES="$modes" timeout 240 "$ROOT/bench/overhead/run" \
	>"$TMP/out" 2>"$TMP/err" || { cat "$TMP/err"; echo "harness failed"; exit 1; }

python3 - "$TMP/bench-overhead.json" "$modes" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
modes = sys.argv[2].split()
assert r["modes"] == modes, r["modes"]
for w in ("open", "stat", "pipe", "connect", "forkexec", "redis_set", "redis_get", "build"):
    ms = r["workloads"][w]["modes"]
    for m in modes:
        assert ms[m]["median"] > 0, (w, m)
        if m != "none":
            assert ms[m]["ratio_median"] > 0, (w, m)
a = r["agent"]["detect"]
assert a["events"] > 0 and a["cpu_s"] >= 0 and a["rss_kb_max"] > 0, a
assert "vg_sys_enter" in r["hook_ns_per_call"], r["hook_ns_per_call"].keys()
assert r["hook_ns_per_call"]["vg_sys_enter"]["floor"]["calls"] > 0
assert r["latency"]["n"] + r["latency"]["missed"] == 5, r["latency"]
assert "tp_btf/sys_enter" in r["floor_hooks"], r["floor_hooks"]
PY
grep -q '<!-- bench:overhead:begin -->' "$TMP/BENCHMARKS.md"
grep -q '| open+close (ops/s) |' "$TMP/BENCHMARKS.md"
! ls -d /sys/fs/cgroup/unified/vigil-bench-* 2>/dev/null | grep -q . ||
	{ ls -d /sys/fs/cgroup/unified/vigil-bench-*; echo "cgroup left behind"; exit 1; }
[ "$(sysctl -n kernel.bpf_stats_enabled)" = "$stats0" ] || { echo "bpf_stats_enabled not restored"; exit 1; }

if [[ " $modes " == *" auditd "* ]]; then
	auditctl -s | grep -q '^enabled 0' || { echo "audit left enabled"; exit 1; }
	auditctl -l | grep -q vigil-bench && { echo "audit rules left"; exit 1; }
	# interrupted while auditd runs: rules removed, audit off, auditd stopped
	BUILD=$BUILD BENCH_SMOKE=1 BENCH_OUT="$TMP/int" BENCH_MODES="none auditd" \
		"$ROOT/bench/overhead/run" >/dev/null 2>&1 &
	bg=$!
	for _ in $(seq 1 200); do
		auditctl -l 2>/dev/null | grep -q vigil-bench && break
		sleep 0.05
	done
	auditctl -l | grep -q vigil-bench || { echo "auditd mode never started"; exit 1; }
	kill -INT $bg
	wait $bg || true
	bg=
	auditctl -l | grep -q vigil-bench && { echo "audit rules left after SIGINT"; exit 1; }
	auditctl -s | grep -q '^enabled 0' || { echo "audit left enabled after SIGINT"; exit 1; }
	auditctl -s | grep -q '^pid 0' || { echo "auditd left running after SIGINT"; exit 1; }
fi
echo "ok"
