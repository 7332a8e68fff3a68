#!/usr/bin/env bash
# Source this: runs real clickhouse-server (Debian's 18.16) processes for a test, in a temp
# dir, on free loopback ports, stopped by their own PIDs.
#
#   ch_start DIR        # one server; sets CH_HTTP_PORT, CH_URL (http://127.0.0.1:PORT), CH_PID;
#                       # 77 if absent
#   ch_query "SQL"      # runs SQL over HTTP on CH_URL, prints the answer
#   ch_stop             # stops it (data stays in DIR); ch_start DIR again restarts it
#   ch_cleanup          # stops it if running (for trap)
#
#   ch_cluster_start DIR  # two servers, DIR/s1 and DIR/s2, as the two shards (one replica
#                       # each) of the cluster "vigil_test" (remote_servers in config.d of
#                       # both); sets CH1_URL, CH2_URL, CH1_PID, CH2_PID; 77 if absent.
#                       # Ready means each shard reached the other over the native port; an
#                       # attempt that is not is stopped and made again on other ports (3 tries)
#   ch_cluster_health   # prints whether each shard is alive and its last errors (for fail)
#   ch_cluster_stop     # stops both

# Below the kernel's ephemeral range (ip_local_port_range, 32768 up here): a port picked there
# can be taken as the local port of some outgoing connection before the server binds it.
ch_free_port() {
	local p low
	low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
	[ "$low" -gt 21000 ] || low=32768
	for _ in $(seq 1 50); do
		p=$((20000 + RANDOM % (low - 20000)))
		if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# ch_config DIR: writes DIR/config.xml (once) with its own ports and paths.
ch_config() {
	local dir=$1
	command -v clickhouse-server >/dev/null || { echo "clickhouse-server not installed"; return 77; }
	[ -f /etc/clickhouse-server/config.xml ] || { echo "no /etc/clickhouse-server/config.xml"; return 77; }
	mkdir -p "$dir/data" "$dir/tmp" "$dir/user_files" "$dir/format_schemas" "$dir/log" "$dir/config.d"
	[ -f "$dir/config.xml" ] && return 0
	local http tcp inter
	http=$(ch_free_port) && tcp=$(ch_free_port) && inter=$(ch_free_port) || return 1
	cp /etc/clickhouse-server/users.xml "$dir/users.xml"
	sed -e "s|<http_port>[0-9]*</http_port>|<http_port>$http</http_port>|" \
		-e "s|<tcp_port>[0-9]*</tcp_port>|<tcp_port>$tcp</tcp_port>|" \
		-e "s|<interserver_http_port>[0-9]*</interserver_http_port>|<interserver_http_port>$inter</interserver_http_port>|" \
		-e "s|<listen_host>::1</listen_host>||" \
		-e "s|<path>/var/lib/clickhouse/</path>|<path>$dir/data/</path>|" \
		-e "s|<tmp_path>/var/lib/clickhouse/tmp/</tmp_path>|<tmp_path>$dir/tmp/</tmp_path>|" \
		-e "s|<user_files_path>/var/lib/clickhouse/user_files/</user_files_path>|<user_files_path>$dir/user_files/</user_files_path>|" \
		-e "s|<format_schema_path>/var/lib/clickhouse/format_schemas/</format_schema_path>|<format_schema_path>$dir/format_schemas/</format_schema_path>|" \
		-e "s|/var/log/clickhouse-server/|$dir/log/|g" \
		/etc/clickhouse-server/config.xml >"$dir/config.xml"
	echo "$http" >"$dir/http_port"
	echo "$tcp" >"$dir/tcp_port"
}

# ch_run DIR: starts the server of DIR; sets CH_HTTP_PORT, CH_URL, CH_PID, CH_DIR.
ch_run() {
	local dir=$1
	CH_HTTP_PORT=$(cat "$dir/http_port")
	CH_URL="http://127.0.0.1:$CH_HTTP_PORT"
	CH_DIR=$dir
	(cd "$dir" && exec clickhouse-server --config-file="$dir/config.xml" >"$dir/log/stdout" 2>&1) &
	CH_PID=$!
	# a deadline in seconds, not a count of tries: on a loaded machine one try takes longer
	local deadline=$((SECONDS + ${VIGIL_CH_START_TIMEOUT:-90}))
	local tcp
	tcp=$(cat "$dir/tcp_port")
	while [ $SECONDS -lt $deadline ]; do
		# ready = our process is alive AND both its HTTP and native TCP ports answer (a ping
		# alone could be answered by another server that holds the same port)
		if [ "$(curl -s --max-time 1 "$CH_URL/ping")" = "Ok." ] &&
			(exec 3<>"/dev/tcp/127.0.0.1/$tcp") 2>/dev/null && kill -0 "$CH_PID" 2>/dev/null; then
			return 0
		fi
		kill -0 "$CH_PID" 2>/dev/null || break
		sleep 0.2
	done
	echo "clickhouse-server did not start; log:" >&2
	tail -n 20 "$dir/log/clickhouse-server.err.log" "$dir/log/stdout" >&2 2>/dev/null
	# a server that is still starting must not outlive the test that gave up on it
	ch_stop
	return 1
}

ch_start() {
	local rc=0
	ch_config "$1" || rc=$?
	[ $rc -eq 0 ] || return $rc
	ch_run "$1"
}

ch_query() {
	curl -sS --max-time 10 --data-binary "$1" "$CH_URL/"
}

ch_stop() {
	[ -n "${CH_PID:-}" ] || return 0
	kill "$CH_PID" 2>/dev/null || true
	for _ in $(seq 1 100); do
		kill -0 "$CH_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$CH_PID" 2>/dev/null || true
	wait "$CH_PID" 2>/dev/null || true
	CH_PID=
}

ch_cleanup() {
	ch_stop
}

ch_cluster_start() {
	local dir=$1 rc=0 try
	for try in 1 2 3; do
		rc=0
		_ch_cluster_try "$dir/try$try" || rc=$?
		[ $rc -eq 1 ] || return $rc
		echo "ch_cluster_start: attempt $try failed; trying again on other ports" >&2
	done
	return 1
}

# _ch_cluster_try DIR: one attempt on fresh ports; 0 only when each shard answers a query sent
# through the other over the native protocol (what Distributed tables use).
_ch_cluster_try() {
	local dir=$1 rc=0 s
	for s in s1 s2; do
		ch_config "$dir/$s" || rc=$?
		[ $rc -eq 0 ] || return $rc
	done
	for s in s1 s2; do
		cat >"$dir/$s/config.d/vigil_test_cluster.xml" <<XML
<yandex>
  <remote_servers>
    <vigil_test>
      <shard><replica><host>127.0.0.1</host><port>$(cat "$dir/s1/tcp_port")</port></replica></shard>
      <shard><replica><host>127.0.0.1</host><port>$(cat "$dir/s2/tcp_port")</port></replica></shard>
    </vigil_test>
  </remote_servers>
</yandex>
XML
	done
	ch_run "$dir/s1" || return 1
	CH1_URL=$CH_URL
	CH1_PID=$CH_PID
	# the first shard is stopped if the second does not come up (nobody else knows its pid yet)
	ch_run "$dir/s2" || { CH_PID=$CH1_PID; ch_stop; CH1_PID=; return 1; }
	CH2_URL=$CH_URL
	CH2_PID=$CH_PID
	CH1_DIR=$dir/s1
	CH2_DIR=$dir/s2
	CH_URL=$CH1_URL
	CH_PID=
	local q="SELECT count() FROM remote('127.0.0.1:%s', system.one)"
	# shellcheck disable=SC2059
	if [ "$(curl -s --max-time 10 --data-binary "$(printf "$q" "$(cat "$dir/s2/tcp_port")")" "$CH1_URL/")" = 1 ] &&
		[ "$(curl -s --max-time 10 --data-binary "$(printf "$q" "$(cat "$dir/s1/tcp_port")")" "$CH2_URL/")" = 1 ]; then
		return 0
	fi
	echo "the two shards do not reach each other:" >&2
	ch_cluster_health >&2
	ch_cluster_stop
	return 1
}

# ch_cluster_health: for a failure message: is each shard alive, and its last errors.
ch_cluster_health() {
	local n pid d
	for n in 1 2; do
		eval "pid=\${CH${n}_PID:-} d=\${CH${n}_DIR:-}"
		if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
			echo "shard $n (pid $pid) is running"
		else
			echo "shard $n (pid ${pid:-none}) is NOT running"
		fi
		[ -n "$d" ] && tail -n 5 "$d/log/clickhouse-server.err.log" 2>/dev/null
	done
	return 0
}

ch_cluster_stop() {
	local p
	for p in ${CH1_PID:-} ${CH2_PID:-}; do
		CH_PID=$p
		ch_stop
	done
	CH1_PID=
	CH2_PID=
}
