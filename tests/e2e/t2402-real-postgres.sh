#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2402: a real PostgreSQL (Debian's postgresql-15, run as the postgres user) learned under
# pgbench (TPC-B), watched under a different benign load (select-only pgbench, pg_stat views,
# VACUUM ANALYZE, CHECKPOINT, a configuration reload and a log rotation) with no alert, then
# attacked the classic ways, one server per compromise:
#   program   COPY ... FROM PROGRAM 'id' (a shell from the database, as postgres)
#   sshkey    COPY ... TO '/var/lib/postgresql/.ssh/authorized_keys' (the postgres account's
#             SSH login)
#   udf       CREATE FUNCTION ... LANGUAGE C from an attacker's library whose constructor runs
#             a command (the lib_mysqludf_sys / pg UDF technique)
# Each compromise: its strongest alert is high (>= 8, the rule named), its alerts are one
# incident, and the headline names the root cause.
#
# Runs in a private mount namespace where the postgres account's home is a fresh tmpfs (with
# the ~/.ssh many service accounts have): the SSH key is written there, the machine's own home
# is untouched.
if [ "$(id -u)" = 0 ] && [ -z "${VIGIL_T2402_NS:-}" ] && command -v unshare >/dev/null; then
	VIGIL_T2402_NS=1 exec unshare --mount --propagation private -- "$0" "$@"
fi
. "$(dirname "$0")/../lib/common.sh"
requires_root
. "$TESTLIB/postgres.sh"
requires_cmd cc
vigil_has watch || skip "vigil watch is not part of this build"
[ -n "${VIGIL_T2402_NS:-}" ] || fail "needs a private mount namespace (unshare)"
pg_init

PGHOME=$(getent passwd postgres | cut -d: -f6)
mkdir -p "$PGHOME"
mount -t tmpfs -o mode=0755 tmpfs "$PGHOME"
mkdir -m 700 "$PGHOME/.ssh"
chown postgres:postgres "$PGHOME" "$PGHOME/.ssh"

# The attacker's library: its constructor runs a command when the server loads it.
cat >"$TEST_TMP/udf.c" <<'C'
#include <stdlib.h>
__attribute__((constructor)) static void run(void)
{
	if (system("id >/dev/null")) {
	}
}
C
cc -shared -fPIC -o "$TEST_TMP/udf.so" "$TEST_TMP/udf.c" || fail "cannot build the library"
chmod 755 "$TEST_TMP/udf.so"

# ---- learn under pgbench -------------------------------------------------------------------
pg_learn 300
assert_file_contains "$PROFILE" "$PGBIN/postgres"

# serve NAME: postgres under vigil watch, evidence in one store; sets WPID and ALERTS.
STORE=sqlite:$TEST_TMP/evidence.db
serve() { pg_serve "$1" --evidence "$STORE"; }

# ---- a different benign load: monitoring, maintenance, reload, log rotation -----------------
serve benign
for q in "SELECT count(*) FROM pg_stat_activity" "SELECT * FROM pg_stat_database" \
	"SELECT * FROM pg_stat_bgwriter" "SELECT pg_size_pretty(pg_database_size('postgres'))" \
	"VACUUM ANALYZE pgbench_accounts" "CHECKPOINT" "SELECT pg_reload_conf()" \
	"SELECT pg_rotate_logfile()" "SELECT * FROM pg_locks" "SHOW ALL"; do
	sql -c "$q" >/dev/null || fail "psql: $q failed"
done
pgbench -h 127.0.0.1 -p "$PORT" -U postgres -c 2 -t 300 -S postgres >"$TEST_TMP/pgbench-S.log" 2>&1 ||
	fail "pgbench -S failed: $(tail -3 "$TEST_TMP/pgbench-S.log")"
pg_finish
assert_eq 0 "$(json_count "$ALERTS")" "alerts on the benign load: $(json_get "$ALERTS" message | head -c 2000)"
assert_eq 0 "$RC" "vigil watch status on the benign load"

json_count_ge() { [ "$(json_count "$2" "${@:3}")" -ge "$1" ]; }
# compromise NAME RULE HEADLINE: RULE at severity >= 8 is the strongest alert, every alert is
# one incident, and the incident's headline is HEADLINE.
compromise()
{
	local name=$1 rule=$2 want=$3 top
	pg_finish
	wait_until 10 json_count_ge 1 "$ALERTS" "rule_id=$rule" ||
		fail "$name: no $rule: $(json_get "$ALERTS" message | head -c 2000)"
	top=$(json_get "$ALERTS" severity | sort -n | tail -1)
	assert_ge "$top" 8 "$name: the strongest alert's severity"
	assert_eq "$top" "$(json_get "$ALERTS" severity "rule_id=$rule" | head -1)" \
		"$name: $rule is the strongest alert"
	assert_eq 1 "$(json_get "$ALERTS" incident_id | sort -u | wc -l)" "$name: incidents"
	assert_contains "$(json_get "$ALERTS" incident_headline | tail -1)" "$want" "$name: headline"
	log "$name: $(json_count "$ALERTS") alerts, one incident, strongest $rule at $top: $(json_get "$ALERTS" incident_headline | tail -1)"
}
SH=$(readlink -f /bin/sh)

serve program
sql -c "CREATE TABLE out(line text); COPY out FROM PROGRAM 'id'" >/dev/null
compromise program V1100 "postgres started $SH, which ran id as postgres"

serve sshkey
sql -c "COPY (SELECT 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAttacker attacker@evil') TO '$PGHOME/.ssh/authorized_keys'" >/dev/null
compromise sshkey V1101 "postgres: persistence path written: $PGHOME/.ssh/authorized_keys as postgres"
[ -s "$PGHOME/.ssh/authorized_keys" ] || fail "sshkey: the attack did not write its file"

serve udf
sql -c "CREATE FUNCTION sys() RETURNS int AS '$TEST_TMP/udf.so', 'sys' LANGUAGE C" >/dev/null 2>&1 ||
	true # the library has no such symbol: its constructor already ran
compromise udf V1100 "postgres started $SH, which ran id as postgres"
echo "ok: $TEST_NAME"
