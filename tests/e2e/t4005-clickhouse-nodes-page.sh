#!/usr/bin/env bash
# The fleet page on a real ClickHouse 18.16 (issue 10): filtered, sorted ("trouble first"),
# paged and totalled in its SQL (lib/store/nodes_page.c over the node_list the server keeps:
# clickhouse_node_list.c), as its whole node list says, and every page and total the same, byte
# for byte, as SQLite's for the same fleet, also after later tokens, revocations and heartbeats,
# from a second store on the database, and after an upgrade that makes the list from what is
# stored: tests/unit/test_store_nodes_page.c given this server.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/lib/clickhouse.sh

# the unit test as `make unit` built it, else a plain build of it
bin=build/asan/tests/unit/test_store_nodes_page
if [ ! -x "$bin" ] || [ "$bin" -ot tests/unit/test_store_nodes_page.c ] ||
	[ "$bin" -ot build/libvigil.a ]; then
	bin=build/tests/unit/test_store_nodes_page
	make --no-print-directory -s "$bin" >/dev/null || { echo "cannot build $bin"; exit 1; }
fi

tmp=$(mktemp -d /tmp/vigil-t4005-XXXXXX)
trap 'ch_cleanup; [ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
rc=0; ch_start "$tmp/ch" || rc=$?
[ $rc -eq 77 ] && { echo "clickhouse-server not installed"; exit 77; }
[ $rc -eq 0 ] || exit 1

VIGIL_TEST_CLICKHOUSE=$CH_URL "$bin" >"$tmp/out" 2>&1 || { cat "$tmp/out"; exit 1; }
cat "$tmp/out"
# the ClickHouse half ran (it skips without a server)
grep -q 'OK \] test_clickhouse_as_sqlite' "$tmp/out" || { echo "the ClickHouse test did not run"; exit 1; }
echo ok
