#!/usr/bin/env bash
# Source after common.sh: a real PostgreSQL (Debian's postgresql package) for a test, run as the
# postgres account, its data and socket in $TEST_TMP, on a free loopback port; learned and
# watched by vigil.
#
#   pg_init                    skips if PostgreSQL is absent; initdb in $TEST_TMP/pgdata; sets
#                              PGBIN, PGDATA, PORT, PROFILE ($TEST_TMP/postgres.yaml) and SERVER
#                              (the command that runs the server as postgres)
#   sql ARGS...                psql as postgres (stops at the first error)
#   pg_up                      true once the server answers
#   pg_stop                    asks the server to stop (fast shutdown)
#   pg_learn N [LEARN ARGS...] `vigil learn ARGS` of the server into PROFILE under pgbench -i and
#                              N TPC-B transactions from 2 clients
#   pg_serve NAME [WATCH ARGS...]  the server under `vigil watch --profile PROFILE ARGS`, alerts in
#                              $TEST_TMP/alerts-NAME.jsonl; sets WPID and ALERTS
#   pg_finish                  stops it and waits for the watch; sets RC to its exit status

pg_init() {
	requires_cmd psql pgbench setpriv
	PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
	[ -x "$PGBIN/postgres" ] || skip "postgresql is not installed (scripts/deps.sh test)"
	id postgres >/dev/null 2>&1 || fail "no postgres account (the postgresql package makes it)"
	chmod 755 "$TEST_TMP"
	PGDATA=$TEST_TMP/pgdata
	local sock=$TEST_TMP/pgsock
	mkdir -p "$PGDATA" "$sock"
	chown postgres:postgres "$PGDATA" "$sock"
	SERVER=(setpriv --reuid=postgres --regid=postgres --init-groups "$PGBIN/postgres" -D "$PGDATA")
	setpriv --reuid=postgres --regid=postgres --init-groups "$PGBIN/initdb" -D "$PGDATA" \
		--auth=trust -U postgres >"$TEST_TMP/initdb.log" 2>&1 ||
		fail "initdb failed: $(tail -5 "$TEST_TMP/initdb.log")"
	PORT=$(free_port)
	cat >>"$PGDATA/postgresql.conf" <<CONF
port = $PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$sock'
logging_collector = on
log_directory = 'log'
log_filename = 'postgresql-%H%M%S.log'
fsync = off
CONF
	PROFILE=$TEST_TMP/postgres.yaml
}

sql() { psql -X -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }
pg_up() { sql -c 'SELECT 1' >/dev/null 2>&1; }
pg_stop() { kill -INT "$(head -1 "$PGDATA/postmaster.pid")" 2>/dev/null || true; }

pg_learn() {
	local n=$1 lpid
	shift
	"$VIGIL" learn "$@" --out "$PROFILE" --name postgres -- "${SERVER[@]}" 2>"$TEST_TMP/learn.err" &
	lpid=$!
	on_exit stop_pid "$lpid"
	wait_until 20 pg_up || fail "postgres did not start under vigil learn: $(cat "$TEST_TMP/learn.err")"
	pgbench -h 127.0.0.1 -p "$PORT" -U postgres -i -s 1 -q postgres >"$TEST_TMP/pgbench-i.log" 2>&1 ||
		fail "pgbench -i failed: $(tail -3 "$TEST_TMP/pgbench-i.log")"
	pgbench -h 127.0.0.1 -p "$PORT" -U postgres -c 2 -t "$n" postgres >"$TEST_TMP/pgbench.log" 2>&1 ||
		fail "pgbench failed: $(tail -3 "$TEST_TMP/pgbench.log")"
	pg_stop
	wait "$lpid" || fail "vigil learn failed: $(cat "$TEST_TMP/learn.err")"
}

pg_serve() {
	local name=$1
	shift
	ALERTS=$TEST_TMP/alerts-$name.jsonl
	: >"$ALERTS"
	"$VIGIL" watch --profile "$PROFILE" --name postgres --alerts "file:$ALERTS" "$@" \
		-- "${SERVER[@]}" >"$TEST_TMP/watch-$name.out" 2>"$TEST_TMP/watch-$name.err" &
	WPID=$!
	on_exit stop_pid "$WPID"
	wait_until 20 pg_up || fail "postgres did not start under vigil watch: $(cat "$TEST_TMP/watch-$name.err")"
}

pg_finish() {
	pg_stop
	set +e
	wait "$WPID"
	RC=$?
	set -e
}
