#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2003: `vigil learn --containers` learns every running container into DIR/NAME.yaml: our
# podman+runc container's profile has what it runs, is marked partial (it ran before learning
# began), and is a valid profile (`vigil profile lint`).
. "$(dirname "$0")/../lib/common.sh"
. "$TESTLIB/podman.sh"
requires_podman
podman_image_busybox
vigil_has learn || skip "vigil learn is not part of this build"

podman_start box "$BUSYBOX_IMAGE" sh -c 'while :; do cat /etc/passwd >/dev/null; sleep 0.2; done'
OUT=$TEST_TMP/profiles
"$VIGIL" learn --out "$OUT" --duration 2s --containers 2>"$TEST_TMP/learn.err" ||
	fail "vigil learn --containers: $(cat "$TEST_TMP/learn.err")"
PROFILE=$OUT/$PODMAN_NAME.yaml
[ -f "$PROFILE" ] || fail "no $PROFILE: $(ls "$OUT"; cat "$TEST_TMP/learn.err")"
assert_file_contains "$PROFILE" "name: $PODMAN_NAME"
assert_file_contains "$PROFILE" "/bin/busybox"
assert_file_contains "$PROFILE" "/etc/passwd"
assert_file_contains "$PROFILE" "kubescape.io/completion: partial"
assert_file_contains "$PROFILE" "kubescape.io/status: completed"
assert_file_contains "$PROFILE" "kubescape.io/workload-kind: Container"
if vigil_has profile; then
	"$VIGIL" profile lint "$PROFILE" >/dev/null || fail "learned profile does not lint"
fi
