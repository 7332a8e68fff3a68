// SPDX-License-Identifier: Apache-2.0
/*
 * A ClickHouse flush sends its tables' inserts at once (lib/store/clickhouse_inserts.c): a
 * fake server over loopback holds every INSERT's answer until another INSERT is in flight
 * beside it (or 3 s pass), so inserts sent one after the other show as one at a time and
 * slow. A heartbeat (nodes and workloads rows) and a credential flushed together must have
 * been in flight together, the flush acknowledged only after both answered.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "vigil/store.h"
#include "vigil/store_fleet.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int in_flight, most, inserts, answered;

/* Reads one request (headers and Content-Length body) into buf; its length, or -1. */
static ssize_t read_request(int fd, char *buf, size_t size)
{
	size_t have = 0;
	char *end = NULL;

	while (!end) {
		ssize_t n = read(fd, buf + have, size - 1 - have);

		if (n <= 0)
			return -1;
		have += (size_t)n;
		buf[have] = '\0';
		end = strstr(buf, "\r\n\r\n");
	}
	{
		const char *cl = strcasestr(buf, "Content-Length:");
		size_t want = (size_t)(end + 4 - buf) + (cl ? strtoul(cl + 15, NULL, 10) : 0);

		while (have < want && have < size - 1) {
			ssize_t n = read(fd, buf + have, size - 1 - have);

			if (n <= 0)
				return -1;
			have += (size_t)n;
		}
	}
	buf[have] = '\0';
	return (ssize_t)have;
}

static void *serve_conn(void *arg)
{
	int fd = (int)(intptr_t)arg;
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	char *buf = malloc(1 << 20);

	while (buf && read_request(fd, buf, 1 << 20) > 0) {
		if (strstr(buf, "query=INSERT")) {
			struct timespec until;

			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += 3;
			pthread_mutex_lock(&mu);
			inserts++;
			if (++in_flight > most)
				most = in_flight;
			pthread_cond_broadcast(&cv);
			/* answer once another INSERT is in flight too (or at the deadline) */
			while (most < 2 && pthread_cond_timedwait(&cv, &mu, &until) == 0)
				;
			in_flight--;
			answered++;
			pthread_mutex_unlock(&mu);
		}
		if (write(fd, ok, sizeof(ok) - 1) != (ssize_t)sizeof(ok) - 1)
			break;
	}
	free(buf);
	close(fd);
	return NULL;
}

static void *serve(void *arg)
{
	int ls = (int)(intptr_t)arg, fd;

	while ((fd = accept(ls, NULL, NULL)) >= 0) {
		pthread_t t;

		if (pthread_create(&t, NULL, serve_conn, (void *)(intptr_t)fd) == 0)
			pthread_detach(t);
		else
			close(fd);
	}
	return NULL;
}

static void test_inserts_at_once(void **state)
{
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	struct vigil_credential cred = { .kind = "node", .node = "node-a", .version = 1 };
	struct vigil_store_opts o;
	struct vigil_error err = { 0 };
	struct vigil_store *s = NULL;
	char url[96];
	pthread_t srv;
	json_t *hb;
	int rc;

	(void)state;
	assert_true(ls >= 0);
	assert_int_equal(bind(ls, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(ls, 16), 0);
	assert_int_equal(getsockname(ls, (struct sockaddr *)&sa, &sl), 0);
	assert_int_equal(pthread_create(&srv, NULL, serve, (void *)(intptr_t)ls), 0);
	pthread_detach(srv);
	snprintf(url, sizeof(url), "clickhouse:http://127.0.0.1:%d/vigil", ntohs(sa.sin_port));
	vigil_store_opts__init(&o);
	o.create_schema = false; /* the fake server knows no DDL */
	o.retries = 1;
	assert_int_equal(vigil_store__open(url, &o, &s, &err), 0);

	hb = json_pack("{s:s, s:i, s:s, s:[{s:s, s:s}]}", "time", "2026-11-22T10:00:00Z",
		       "interval_s", 10, "version", "0.9", "workloads", "id", "w", "name", "web");
	assert_int_equal(vigil_store__put_heartbeat(s, "node-a", hb, 1795313422000000000ull), 0);
	json_decref(hb);
	memset(cred.token_hash, 'a', 64);
	assert_int_equal(vigil_store__put_credential(s, &cred), 0);
	rc = vigil_store__flush(s, &err);
	assert_int_equal(rc, 0);
	pthread_mutex_lock(&mu);
	/* nodes, workloads, credentials: three tables, every one answered before the flush */
	assert_int_equal(inserts, 3);
	assert_int_equal(answered, 3);
	if (most < 2)
		fail_msg("the inserts went one at a time (at most %d in flight)", most);
	pthread_mutex_unlock(&mu);
	vigil_store__free(s);
	shutdown(ls, SHUT_RDWR);
	close(ls);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inserts_at_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
