#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The founding demo (docs/EVIDENCE.md, "Kernel capture"; seed 000): learns the benign demo
# service (C), runs its malicious "update" (Go: reads a service-account token through io_uring
# and beacons it to a C2 listener on loopback once a second) under
# `vigil watch --evidence sqlite:DB`, checks the incident's evidence, and prints the incident
# report. Run as root after `make all progs` (`make demo` does both).
#
#   scripts/demo.sh [BEACONS]       (default 6; the watch lasts about BEACONS seconds)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ "$(id -u)" -ne 0 ]; then
	echo "vigil: demo: needs root (the sensor loads BPF programs): sudo make demo" >&2
	exit 2
fi
report=$(mktemp /tmp/vigil-demo-report.XXXXXX)
trap 'rm -f "$report"' EXIT
echo "demo: learning the service, then watching its update (about ${1:-6} s)..."
rc=0
DEMO_BEACONS=${1:-6} DEMO_REPORT=$report "$root/tests/e2e/t4100-founding-demo.sh" || rc=$?
if [ "$rc" -ne 0 ] || [ ! -s "$report" ]; then
	echo "vigil: demo: the demo failed (exit $rc)" >&2
	exit 1
fi
echo
cat "$report"
