#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2019: a bind shell in a workload that never listened (V1109, issue 14). A worker
# (t2019-bind-worker.py) is learned: it reads a file and writes a result, accepting nothing, so
# its profile's network data lists no ingress (`ingress: []`). A rerun of the same work is quiet.
# The same worker then runs a bind shell (a listener whose one accepted connection becomes
# /bin/sh's stdin/stdout): the accept raises V1109 for its local port. The same run against a
# Kubescape ApplicationProfile alone (no NetworkNeighborhood: no network data, nothing known
# about ingress) raises no V1109.
. "$(dirname "$0")/../lib/common.sh"
requires_root
requires_cmd python3
vigil_has watch || skip "vigil watch is not part of this build"

PORT=$(free_port)
PLAN=$TEST_TMP/plan
IN=$TEST_TMP/input
PROFILE=$TEST_TMP/p.yaml
printf 'alpha beta gamma\ndelta\n' >"$IN"
RUN=(python3 "$(dirname "$0")/t2019-bind-worker.py" "$PLAN" "$IN" "$TEST_TMP/out")

echo work >"$PLAN"
"$VIGIL" learn --out "$PROFILE" --name worker -- "${RUN[@]}" >"$TEST_TMP/learn.out" \
	2>"$TEST_TMP/learn.err" || fail "vigil learn failed: $(cat "$TEST_TMP/learn.err")"
grep -qx '  ingress: \[\]' "$PROFILE" || fail "the learned profile has no empty ingress list: $(grep -n gress "$PROFILE")"

watch()
{
	ALERTS=$TEST_TMP/alerts-$1.jsonl
	set +e
	"$VIGIL" watch --profile "$2" --burst 0 --alerts "file:$ALERTS" -- "${RUN[@]}" \
		>"$TEST_TMP/watch-$1.out" 2>"$TEST_TMP/watch-$1.err"
	RC=$?
	set -e
	[ -f "$ALERTS" ] || : >"$ALERTS"
}

watch benign "$PROFILE"
assert_eq 0 "$(json_count "$ALERTS")" "alerts on a benign rerun: $(head -c 3000 "$ALERTS")"
assert_eq 0 "$RC" "exit status of a benign watch ($(cat "$TEST_TMP/watch-benign.err"))"

echo "bind $PORT" >"$PLAN"
watch bind "$PROFILE"
grep -q "bind shell did not answer" "$TEST_TMP/watch-bind.err" &&
	fail "the bind shell did not run: $(cat "$TEST_TMP/watch-bind.err")"
assert_eq 1 "$(json_count "$ALERTS" rule_id=V1109 event.local_port="$PORT")" \
	"V1109 for the bind shell's accept on port $PORT: $(head -c 3000 "$ALERTS")"
assert_eq 1 "$(json_count "$ALERTS" rule_id=V1109)" "V1109 alerts: $(json_get "$ALERTS" message)"
assert_eq 1 "$RC" "exit status of a watch that alerted"
log "bind: $(json_get "$ALERTS" rule_id | sort | uniq -c | tr '\n' ';')"

# Kubescape's ApplicationProfile alone: the learned entries as its container, no ingress or
# egress key (they belong in a NetworkNeighborhood, absent here): ingress unknown, not judged
AP=$TEST_TMP/ap.yaml
python3 - "$PROFILE" "$AP" <<'PY'
import sys
out, skip, spec = [], False, False
for line in open(sys.argv[1]).read().splitlines():
    if line == "kind: ContainerProfile":
        line = "kind: ApplicationProfile"
    if line == "spec:":
        out += [line, "  containers:", "  - name: worker"]
        spec = True
        continue
    if spec and line.startswith("  ") and line[2] not in " -":
        skip = line.split(":")[0].strip() in ("architectures", "ingress", "egress")
    if spec and not skip:
        line = "  " + line
    if not skip:
        out.append(line)
open(sys.argv[2], "w").write("\n".join(out) + "\n")
PY
"$VIGIL" profile lint "$AP" >/dev/null 2>"$TEST_TMP/lint.err" || fail "AP fixture invalid: $(cat "$TEST_TMP/lint.err")"
grep -Eq "^ *(ingress|egress):" "$AP" && fail "the AP fixture has network data"
watch ap "$AP"
assert_eq 0 "$(json_count "$ALERTS" rule_id=V1109)" "V1109 without network data: $(head -c 3000 "$ALERTS")"
log "ap: $(json_get "$ALERTS" rule_id | sort | uniq -c | tr '\n' ';')"
echo "ok: $TEST_NAME"
