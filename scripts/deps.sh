#!/usr/bin/env bash
# Installs the Debian packages Vigil needs, idempotently: apt-get update runs only when
# something is missing. Groups: build (compile vigil), check (make check), test (every
# test tier, real servers included), bench (peers and load generators). Run as root.
#
#   scripts/deps.sh build test     # what `make test` uses
#   scripts/deps.sh all
set -euo pipefail

build_pkgs=(make gcc clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev pkg-config
	libyaml-dev libssl-dev libcurl4-openssl-dev libsqlite3-dev libmicrohttpd-dev
	libjansson-dev libcmocka-dev libclang-rt-14-dev openssl curl ca-certificates)
check_pkgs=(clang-format clang-tidy cppcheck)
test_pkgs=(liburing-dev podman runc containerd busybox-static iproute2 util-linux procps
	prometheus-alertmanager clickhouse-server clickhouse-client sqlite3 golang-go
	chromium python3 python3-yaml strace redis-server redis-tools nginx-light fcgiwrap postgresql perl gnuplot-nox
	openssh-client)
bench_pkgs=(bpftrace auditd redis-server redis-tools gnuplot-nox hyperfine python3 util-linux)

want=()
[ $# -eq 0 ] && set -- build
for group in "$@"; do
	case "$group" in
	build) want+=("${build_pkgs[@]}") ;;
	check) want+=("${check_pkgs[@]}") ;;
	test) want+=("${test_pkgs[@]}") ;;
	bench) want+=("${bench_pkgs[@]}") ;;
	all) want+=("${build_pkgs[@]}" "${check_pkgs[@]}" "${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
	*) echo "deps.sh: unknown group '$group' (build, check, test, bench, all)" >&2; exit 2 ;;
	esac
done

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm: the build vendors the cockpit page's chart library from it (mk/cockpit.mk) and browser
# tests drive Chromium with playwright-core from it. Machines of this kind ship a Node.js build
# that includes npm (and conflicts with Debian's npm package): add Debian's only where there is
# no npm at all.
case " $* " in *" build "*|*" test "*|*" all "*) command -v npm >/dev/null 2>&1 || missing+=(nodejs npm) ;; esac

if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps.sh: missing packages: ${missing[*]}; run as root (sudo make ...)" >&2
		exit 2
	fi
	echo "deps.sh: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# Services must not start on install (no init system here; tests start their own).
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The sensor's tracepoints need tracefs; cgroup2 is where workloads get their own cgroup.
if [ "$(id -u)" -eq 0 ]; then
	if [ -d /sys/kernel/tracing ] && [ -z "$(ls -A /sys/kernel/tracing 2>/dev/null)" ]; then
		mount -t tracefs tracefs /sys/kernel/tracing || true
	fi
	if [ -d /sys/kernel/security ] && [ -z "$(ls -A /sys/kernel/security 2>/dev/null)" ]; then
		mount -t securityfs securityfs /sys/kernel/security 2>/dev/null || true
	fi
fi
exit 0
