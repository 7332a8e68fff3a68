#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2404: learning per executable (byExecutable, docs/PROFILES.md) on a real PostgreSQL (Debian's,
# run as postgres through setpriv, which reads the account database to set the groups).
# Learned under pgbench with `vigil learn --per-executable`, then:
#   - the profile allows /etc/passwd workload-wide (the launcher read it) and keeps it out of
#     postgres' own section;
#   - a different benign load (monitoring views, VACUUM, CHECKPOINT, reload, log rotation,
#     select-only pgbench) raises nothing;
#   - pg_read_file('/etc/passwd') (a superuser's SQL reading a file of the host) raises V1103
#     naming postgres, at severity 5; a workload-wide profile would have raised nothing.
# The profile's size with and without the sections is logged (the cost of the extension).
. "$(dirname "$0")/../lib/common.sh"
requires_root
. "$TESTLIB/postgres.sh"
requires_cmd jq
vigil_has watch || skip "vigil watch is not part of this build"
pg_init

# ---- learn per executable under pgbench -----------------------------------------------------
pg_learn 200 --per-executable
"$VIGIL" profile lint "$PROFILE" >/dev/null || fail "the learned profile does not lint"

# the launcher's read is the workload's, not the server's
"$VIGIL" profile show --json "$PROFILE" >"$TEST_TMP/profile.json"
PG=$PGBIN/postgres
assert_eq true "$(jq '[.spec.opens[].path] | index("/etc/passwd") != null' "$TEST_TMP/profile.json")" \
	"/etc/passwd in the workload's opens"
assert_eq true "$(jq --arg pg "$PG" '[.spec.byExecutable[] | select(.path == $pg)] | length == 1' \
	"$TEST_TMP/profile.json")" "a section for $PG"
assert_eq false "$(jq --arg pg "$PG" '[.spec.byExecutable[] | select(.path == $pg) | .opens[].path] |
	index("/etc/passwd") != null' "$TEST_TMP/profile.json")" "/etc/passwd in postgres' own section"
assert_eq true "$(jq '[.spec.byExecutable[] | select(.path == "/usr/bin/setpriv") | .opens[].path] |
	index("/etc/passwd") != null' "$TEST_TMP/profile.json")" "/etc/passwd in setpriv's section"
WITH=$(wc -c <"$PROFILE")
WITHOUT=$(jq 'del(.spec.byExecutable)' "$TEST_TMP/profile.json" >"$TEST_TMP/wide.json" &&
	"$VIGIL" profile fmt "$TEST_TMP/wide.json" | wc -c)
log "profile: $WITH bytes with byExecutable ($(jq '.spec.byExecutable | length' \
	"$TEST_TMP/profile.json") sections), $WITHOUT without"

# ---- a different benign load ---------------------------------------------------------------
pg_serve benign
for q in "SELECT count(*) FROM pg_stat_activity" "SELECT * FROM pg_stat_database" \
	"VACUUM ANALYZE pgbench_accounts" "CHECKPOINT" "SELECT pg_reload_conf()" \
	"SELECT pg_rotate_logfile()" "SHOW ALL"; do
	sql -c "$q" >/dev/null || fail "psql: $q failed"
done
pgbench -h 127.0.0.1 -p "$PORT" -U postgres -c 2 -t 200 -S postgres >"$TEST_TMP/pgbench-S.log" 2>&1 ||
	fail "pgbench -S failed: $(tail -3 "$TEST_TMP/pgbench-S.log")"
pg_finish
assert_eq 0 "$(json_count "$ALERTS")" "alerts on the benign load: $(json_get "$ALERTS" message | head -c 2000)"
assert_eq 0 "$RC" "vigil watch status on the benign load"

# ---- the database reads a file of the host ---------------------------------------------------
pg_serve read
sql -c "SELECT pg_read_file('/etc/passwd')" >"$TEST_TMP/read.out" || fail "pg_read_file failed"
grep -q '^ root:' "$TEST_TMP/read.out" || fail "pg_read_file did not read /etc/passwd"
pg_finish
wait_until 10 json_count_ge 1 "$ALERTS" rule_id=V1103 ||
	fail "no V1103 for pg_read_file: $(json_get "$ALERTS" message | head -c 2000)"
MSG=$(json_get "$ALERTS" message rule_id=V1103 | head -1)
assert_contains "$MSG" "$PG opened /etc/passwd" "V1103's message"
assert_eq 5 "$(json_get "$ALERTS" severity rule_id=V1103 | head -1)" "V1103's severity"
log "pg_read_file: $(json_count "$ALERTS") alert(s): $MSG"
echo "ok: $TEST_NAME"
