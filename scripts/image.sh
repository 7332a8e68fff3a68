#!/usr/bin/env bash
# `make image`: an OCI image of Vigil (agent and cockpit) built offline with podman from what this
# machine has: FROM scratch, plus build/vigil (debug info stripped), the shared libraries it
# loads (as ldd resolves them here, and those it loads at their first use), the dynamic loader, CA certificates (HTTPS sinks), and a
# passwd/group with an unprivileged user (65532) that the image runs as by default. The agent's
# DaemonSet runs it as root and privileged (eBPF); the cockpit runs as 65532.
#
#   scripts/image.sh BINARY VERSION [NAME]     # NAME defaults to localhost/vigil
#
# Tags NAME:VERSION and NAME:latest. podman reads CONTAINERS_CONF / CONTAINERS_STORAGE_CONF, so
# tests build into their own store. Nothing is pulled: there is no base image.
set -euo pipefail

bin=${1:?usage: scripts/image.sh BINARY VERSION [NAME]}
version=${2:?usage: scripts/image.sh BINARY VERSION [NAME]}
name=${3:-localhost/vigil}
uid=65532

die() { echo "vigil: image: $*" >&2; exit 2; }
# Under set -e a failing command ends the script; say which one, so a failure is never silent.
trap 'echo "vigil: image: line $LINENO: \"$BASH_COMMAND\" failed (exit $?)" >&2' ERR
command -v podman >/dev/null || die "podman is not installed (scripts/deps.sh test)"
[ -x "$bin" ] || die "$bin: not built (make)"
# A tag is [A-Za-z0-9_.-], at most 128 characters.
tag=$(printf '%s' "$version" | tr -c 'A-Za-z0-9_.-' '-' | cut -c1-128)

work=$(mktemp -d "${TMPDIR:-/tmp}/vigil-image.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
mkdir -p "$root"/{usr/local/bin,etc/vigil/trust,etc/ssl/certs,tmp,var/lib/vigil,var/lib/vigil-cockpit,run}
chmod 1777 "$root/tmp"

objcopy --strip-debug "$bin" "$root/usr/local/bin/vigil"

# Every library the binary loads, at the path the loader looks for it (symlinks resolved): those
# it links, and those it loads at their first use (libcurl, libmicrohttpd: the *_SONAME of
# lib/util/lazy_*.c) with all of theirs.
lazy=$(sed -n 's/^#define [A-Z]*_SONAME "\(.*\)"/\1/p' "$(dirname "$0")"/../lib/util/lazy_*.c)
[ -n "$lazy" ] || die "no lazily loaded library named in lib/util/lazy_*.c"
# The loader's cache is read once into a file: `ldconfig -p | awk '... exit'` under pipefail
# failed whenever awk exited before ldconfig had written everything (SIGPIPE; seen in CI).
ldconfig -p >"$work/ld.so.cache.txt"
lazy_paths=
for so in $lazy; do
	p=$(awk -v so="$so" '$1 == so && /x86-64|x86_64|AArch64|aarch64/ { print $NF; exit }' "$work/ld.so.cache.txt")
	[ -n "$p" ] || p=$(awk -v so="$so" '$1 == so { print $NF; exit }' "$work/ld.so.cache.txt")
	[ -n "$p" ] || die "$so (loaded at its first use) is not installed"
	lazy_paths="$lazy_paths $p"
done
# shellcheck disable=SC2086 # one path per word
libs=$({ ldd "$bin"; for p in $lazy_paths; do echo "	$p (0)"; ldd "$p"; done; } |
	awk '/=> \// { print $3 } /^\t\/[^ ]+ \(/ { print $1 }' | sort -u)
[ -n "$libs" ] || die "ldd found no libraries in $bin (a static build needs no libraries: fine)"
for lib in $libs; do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
	strip --strip-unneeded "$root$lib" 2>/dev/null || true
done
# /lib64 -> the loader, as on the host (the binary's PT_INTERP names /lib64/ld-linux-x86-64.so.2).
interp=$(readelf -l "$bin" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
if [ -n "$interp" ] && [ ! -e "$root$interp" ]; then
	mkdir -p "$root$(dirname "$interp")"
	cp -L "$interp" "$root$interp"
fi

[ -f /etc/ssl/certs/ca-certificates.crt ] &&
	cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
cat >"$root/etc/passwd" <<EOF
root:x:0:0:root:/:/nonexistent
vigil:x:$uid:$uid:vigil:/var/lib/vigil-cockpit:/nonexistent
EOF
cat >"$root/etc/group" <<EOF
root:x:0:
vigil:x:$uid:
EOF
echo 'hosts: files dns' >"$root/etc/nsswitch.conf"
# The cockpit's default store directory belongs to the unprivileged user (COPY --chown below:
# COPY itself makes every file root's).
rmdir "$root/var/lib/vigil-cockpit"
mkdir -p "$work/cockpit-home"

cat >"$work/Containerfile" <<EOF
FROM scratch
COPY rootfs/ /
COPY --chown=$uid:$uid cockpit-home/ /var/lib/vigil-cockpit/
LABEL org.opencontainers.image.title="vigil" \\
      org.opencontainers.image.description="Vigil runtime security: node agent (vigil agent) and cockpit (vigil cockpit)" \\
      org.opencontainers.image.version="$version" \\
      org.opencontainers.image.licenses="Apache-2.0"
USER $uid:$uid
WORKDIR /var/lib/vigil-cockpit
ENTRYPOINT ["/usr/local/bin/vigil"]
CMD ["--help"]
EOF

podman build --quiet --pull=never --network=none --squash-all -f "$work/Containerfile" \
	-t "$name:$tag" -t "$name:latest" "$work" >"$work/image-id" ||
	die "podman build failed"
size=$(podman image inspect --format '{{.Size}}' "$name:$tag")
echo "image $name:$tag (and :latest), $((size / 1024 / 1024)) MiB, id $(cut -c1-12 "$work/image-id")"
