#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The founding demo (docs/EVIDENCE.md, "Kernel capture"; seed 000): learns the benign demo
# service (C), runs its malicious "update" (Go: reads a service-account token through io_uring
# and beacons it to a C2 listener on loopback once a second) under
# `vigil watch --evidence sqlite:DB`, checks the incident's evidence, and prints the incident
# report. Run as root after `make all progs` (`make demo` does both).
#
#   scripts/demo.sh [BEACONS]       (5..60, default 6; the watch lasts about BEACONS seconds;
#                                    a beacon score needs at least 4 contacts)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ "$(id -u)" -ne 0 ]; then
	echo "vigil: demo: needs root (the sensor loads BPF programs): sudo make demo" >&2
	exit 2
fi
beacons=${1:-6}
case $beacons in
[5-9] | [1-5][0-9] | 60) ;;
*)
	echo "vigil: demo: BEACONS must be 5..60, not '$beacons'" >&2
	exit 2
	;;
esac
report=$(mktemp /tmp/vigil-demo-report.XXXXXX)
trap 'rm -f "$report"' EXIT
echo "demo: learning the service, then watching its update (about $beacons s)..."
rc=0
DEMO_BEACONS=$beacons DEMO_REPORT=$report "$root/tests/e2e/t4100-founding-demo.sh" || rc=$?
if [ "$rc" -ne 0 ] || [ ! -s "$report" ]; then
	echo "vigil: demo: the demo failed (exit $rc)" >&2
	exit 1
fi
echo
cat "$report"
