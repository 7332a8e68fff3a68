#!/usr/bin/env bash
# `vigil profile seccomp` under podman+runc: a workload's syscalls are learned (syscall_set, the
# static program that makes a fixed set), the profile becomes an OCI seccomp profile, and the
# same program runs in a container under it; the same program asked for one syscall more gets
# EPERM from the filter, while without the filter (podman's default profile) that syscall works,
# so the refusal is ours. The generated file also names only the learned architecture.
. "$(dirname "$0")/../lib/common.sh"
. "$TESTLIB/podman.sh"
requires_podman
requires_progs
vigil_has learn || skip "vigil learn is not part of this build"
podman_image_progs

# 1. Learn the workload.
"$VIGIL" learn --out "$TEST_TMP/set.yaml" --name syscall-set -- "$PROGS/syscall_set" \
	>"$TEST_TMP/learn.out" 2>"$TEST_TMP/learn.err" || fail "learn: $(cat "$TEST_TMP/learn.err")"
assert_file_contains "$TEST_TMP/set.yaml" "sched_yield"

# 2. The seccomp profile.
"$VIGIL" profile seccomp -o "$TEST_TMP/seccomp.json" "$TEST_TMP/set.yaml" 2>"$TEST_TMP/gen.err" ||
	fail "profile seccomp: $(cat "$TEST_TMP/gen.err")"
python3 - "$TEST_TMP/seccomp.json" <<'EOF' || fail "seccomp JSON: $(cat "$TEST_TMP/seccomp.json")"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["defaultAction"] == "SCMP_ACT_ERRNO", j["defaultAction"]
assert j["defaultErrnoRet"] == 1
assert j["architectures"] == ["SCMP_ARCH_X86_64"], j["architectures"]
learned = set(j["syscalls"][0]["names"])
assert {"getpid", "getcwd", "sched_yield", "uname"} <= learned, learned
allowed = set().union(*(r["names"] for r in j["syscalls"]))
assert "sysinfo" not in allowed and "getrusage" not in allowed, "extras allowed"
assert all(r["action"] == "SCMP_ACT_ALLOW" for r in j["syscalls"])
EOF

# 3. The workload runs under it, in a container.
out=$(podman_run --rm --security-opt seccomp="$TEST_TMP/seccomp.json" "$PROGS_IMAGE" \
	/progs/syscall_set 2>&1) || fail "the learned workload fails under its seccomp profile: $out"
assert_contains "$out" "sched_yield 24" "the learned workload ran to its end"

# 4. One syscall outside the profile fails with EPERM ...
if out=$(podman_run --rm --security-opt seccomp="$TEST_TMP/seccomp.json" "$PROGS_IMAGE" \
	/progs/syscall_set sysinfo 2>&1); then
	fail "sysinfo was allowed by a profile that never learned it: $out"
fi
assert_contains "$out" "sysinfo: Operation not permitted" "the syscall outside fails with EPERM"
assert_contains "$out" "sched_yield 24" "the learned part still ran"
# ... and works in the same container without our filter.
out=$(podman_run --rm "$PROGS_IMAGE" /progs/syscall_set sysinfo 2>&1) ||
	fail "sysinfo fails even without the filter: $out"
assert_contains "$out" "sysinfo 99" "without the filter the extra syscall works"
echo "ok: learned workload runs under its seccomp profile; an unlearned syscall gets EPERM"
