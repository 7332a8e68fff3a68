// SPDX-License-Identifier: Apache-2.0
/*
 * The ClickHouse backend without a server (a closed loopback port): what it decides on its
 * own. Incidents waiting in the spool are their nodes' (clickhouse_owners.c): another node
 * cannot claim one before it is replayed, in the process that spooled it or in one that opens
 * the spool later. The cockpit checks with the server once it is back; here no lookup can
 * reach it, so a refusal shows the spool alone decided.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "vigil/store.h"
#include "vigil/store_fleet.h"

#define ID "c0ffee00c0ffee00c0ffee00c0ffee00"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/vigil-storech-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[96];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) ? -1 : 0;
}

/* node's report under ID, as the cockpit stores it (its node from the credential). */
static void ingest(struct vigil_store *s, const char *node, int *rc, int *status)
{
	struct vigil_ingest in = { .node = node, .now_ns = 1795313422000000000ull };
	struct vigil_item_result res = { 0 };
	json_t *r = json_pack("{s:s, s:s, s:[{s:s, s:I, s:i}]}", "incident_id", ID, "summary", node,
			      "files", "path", "/etc/shadow", "time_ns",
			      (json_int_t)1795313422000000000ll, "pid", 7);

	assert_non_null(r);
	*rc = vigil_store__ingest_report(s, &in, r, &res);
	*status = res.status;
	json_decref(r);
}

static void test_spooled_incident_is_owned(void **state)
{
	struct vigil_store *s;
	struct vigil_store_opts o;
	struct vigil_error err;
	char spool[96], url[96];
	int sock = socket(AF_INET, SOCK_STREAM, 0), rc, status;
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	json_t *r =
		json_pack("{s:s, s:s, s:s}", "incident_id", ID, "node", "node-a", "summary", "a's");

	(void)state;
	/* a port nobody listens on: bound, never listened */
	assert_int_equal(bind(sock, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(sock, (struct sockaddr *)&sa, &sl), 0);
	snprintf(url, sizeof(url), "clickhouse:http://127.0.0.1:%d/vigil", ntohs(sa.sin_port));
	snprintf(spool, sizeof(spool), "%s/spool", dir);
	vigil_store_opts__init(&o);
	o.spool_dir = spool;
	o.retries = 1;
	o.retry_base_ns = 1000000;

	/* node-a's incident goes to the spool */
	assert_int_equal(vigil_store__open(url, &o, &s, &err), 0);
	assert_int_equal(vigil_store__put_report(s, r), 0);
	assert_int_equal(vigil_store__flush(s, &err), -EAGAIN);

	/* node-b names it: refused by what the spool holds (the server was never asked) */
	ingest(s, "node-b", &rc, &status);
	assert_int_equal(rc, 0);
	assert_int_equal(status, -EACCES);
	vigil_store__free(s);

	/* a store opened later on the same spool knows it too */
	assert_int_equal(vigil_store__open(url, &o, &s, &err), 0);
	ingest(s, "node-b", &rc, &status);
	assert_int_equal(rc, 0);
	assert_int_equal(status, -EACCES);
	/* its owner writes on */
	ingest(s, "node-a", &rc, &status);
	assert_int_equal(rc, 0);
	assert_int_equal(status, 0);
	/* what is dropped unstored claims nothing: the spool's claim stays */
	vigil_store__discard(s);
	ingest(s, "node-b", &rc, &status);
	assert_int_equal(status, -EACCES);
	vigil_store__free(s);
	close(sock);
	json_decref(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_spooled_incident_is_owned, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
