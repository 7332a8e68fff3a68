// SPDX-License-Identifier: Apache-2.0
/*
 * The uplink against a hostile or broken cockpit: a server on loopback (raw sockets, so it can
 * misbehave in ways an HTTP library would not let it) that answers with a gigabyte, answers
 * one byte at a time forever, answers 500 forever, redirects, or answers 200 with a page that
 * is not the cockpit's (a proxy's). Each time the uplink must keep its
 * memory bounded, keep every record in its spool (nothing lost, nothing counted as stored),
 * keep spooling new records while a request hangs, back off, and deliver everything once the
 * cockpit behaves again.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "vigil/uplink.h"

#define SEC 1000000000ull

enum mode {
	M_OK,
	M_HUGE,
	M_DRIP,
	M_500,
	M_REDIRECT,
	M_NOT_COCKPIT
};

struct srv {
	int lfd;
	uint16_t port;
	pthread_t th;
	atomic_int mode;
	atomic_uint conns; /* connections accepted */
	atomic_bool stop;
	pthread_mutex_t mu;
	json_t *seen; /* alert_id -> true */
};

static char dir[64], spool[96], tokfile[96], url[64];

static uint64_t mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * SEC + (uint64_t)ts.tv_nsec;
}

static bool send_all(int fd, const void *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w <= 0)
			return false;
		p = (const char *)p + w;
		n -= (size_t)w;
	}
	return true;
}

/* Reads one request (headers, then Content-Length bytes of body); returns its body. */
static char *read_request(int fd, char *path, size_t path_size)
{
	size_t cap = 1 << 16, len = 0, clen = 0;
	char *b = malloc(cap + 1), *body = NULL, *cl, *ret = NULL;

	while (b) {
		ssize_t r;

		if (len == cap) {
			char *nb = realloc(b, cap * 2 + 1);

			if (!nb)
				break;
			b = nb;
			cap *= 2;
			body = NULL; /* found again in the moved buffer */
		}
		r = recv(fd, b + len, cap - len, 0);
		if (r <= 0)
			break;
		len += (size_t)r;
		b[len] = '\0';
		if (!(body = strstr(b, "\r\n\r\n")))
			continue;
		body += 4;
		cl = strcasestr(b, "content-length:");
		clen = cl ? strtoul(cl + 15, NULL, 10) : 0;
		if (len >= (size_t)(body - b) + clen) {
			if (sscanf(b, "%*s %63s", path) != 1)
				snprintf(path, path_size, "?");
			ret = strndup(body, clen);
			break;
		}
	}
	free(b);
	return ret;
}

static void answer_ok(struct srv *s, int fd, const char *path, const char *body)
{
	json_t *doc = json_loads(body, 0, NULL), *v;
	size_t i, n = 0, dups = 0;
	char hdr[256], out[256];

	if (json_is_object(doc))
		doc = json_pack("[o]", doc);
	json_array_foreach(doc, i, v)
	{
		const char *id = json_string_value(json_object_get(v, "alert_id"));

		pthread_mutex_lock(&s->mu);
		if (!strcmp(path, "/api/v1/alerts") && id && json_object_get(s->seen, id))
			dups++;
		else {
			if (!strcmp(path, "/api/v1/alerts") && id)
				json_object_set_new(s->seen, id, json_true());
			n++;
		}
		pthread_mutex_unlock(&s->mu);
	}
	json_decref(doc);
	snprintf(out, sizeof(out), "{\"accepted\":%zu,\"duplicates\":%zu,\"rejected\":[]}", n,
		 dups);
	snprintf(hdr, sizeof(hdr),
		 "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
		 "Connection: close\r\n\r\n",
		 strlen(out));
	if (send_all(fd, hdr, strlen(hdr)))
		send_all(fd, out, strlen(out));
}

static void serve(struct srv *s, int fd)
{
	static char junk[65536];
	char path[64] = "", *body = read_request(fd, path, sizeof(path));
	const char *h;

	if (!body)
		return;
	switch (atomic_load(&s->mode)) {
	case M_OK:
		answer_ok(s, fd, path, body);
		break;
	case M_HUGE: /* a gigabyte, as fast as the client takes it */
		h = "HTTP/1.1 200 OK\r\nContent-Length: 1073741824\r\n\r\n";
		memset(junk, '7', sizeof(junk));
		if (send_all(fd, h, strlen(h)))
			for (int i = 0; i < 16384 && !atomic_load(&s->stop); i++)
				if (!send_all(fd, junk, sizeof(junk)))
					break;
		break;
	case M_DRIP: /* a chunked answer that never ends: one byte every 50 ms */
		h = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
		if (send_all(fd, h, strlen(h)))
			while (!atomic_load(&s->stop) && send_all(fd, "1\r\n{\r\n", 6))
				usleep(50000);
		break;
	case M_500:
		h = "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: "
		    "close\r\n\r\n";
		send_all(fd, h, strlen(h));
		break;
	case M_REDIRECT: /* a proxy sending the agent elsewhere */
		h = "HTTP/1.1 301 Moved Permanently\r\nLocation: http://127.0.0.1:1/api/v1/alerts\r\n"
		    "Content-Length: 0\r\nConnection: close\r\n\r\n";
		send_all(fd, h, strlen(h));
		break;
	case M_NOT_COCKPIT: /* 200 with a page of its own: a proxy's login page, a wrong URL */
		h = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 27\r\n"
		    "Connection: close\r\n\r\n<html>please log in</html>\n";
		send_all(fd, h, strlen(h));
		break;
	}
	free(body);
}

static void *srv_main(void *arg)
{
	struct srv *s = arg;

	while (!atomic_load(&s->stop)) {
		int fd = accept(s->lfd, NULL, NULL);

		if (fd < 0)
			continue;
		atomic_fetch_add(&s->conns, 1);
		serve(s, fd);
		close(fd);
	}
	return NULL;
}

static struct srv *srv_start(void)
{
	struct srv *s = calloc(1, sizeof(*s));
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 };

	assert_non_null(s);
	pthread_mutex_init(&s->mu, NULL);
	s->seen = json_object();
	s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(s->lfd >= 0);
	assert_int_equal(bind(s->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(s->lfd, 16), 0);
	assert_int_equal(getsockname(s->lfd, (struct sockaddr *)&a, &al), 0);
	/* accept wakes up now and then to see stop */
	setsockopt(s->lfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	s->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&s->th, NULL, srv_main, s), 0);
	return s;
}

static void srv_free(struct srv *s)
{
	atomic_store(&s->stop, true);
	pthread_join(s->th, NULL);
	close(s->lfd);
	json_decref(s->seen);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

static size_t stored(struct srv *s)
{
	size_t n;

	pthread_mutex_lock(&s->mu);
	n = json_object_size(s->seen);
	pthread_mutex_unlock(&s->mu);
	return n;
}

static int setup(void **state)
{
	FILE *f;

	snprintf(dir, sizeof(dir), "/tmp/vigil-uplink-hostile-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(spool, sizeof(spool), "%s/spool", dir);
	snprintf(tokfile, sizeof(tokfile), "%s/node.token", dir);
	f = fopen(tokfile, "w");
	if (!f)
		return -1;
	fprintf(f, "vgn_%064d\n", 7);
	fclose(f);
	return chmod(tokfile, 0600);
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) ? -1 : 0;
}

static struct vigil_uplink *open_uplink(struct srv *s, uint64_t timeout_ns)
{
	struct vigil_uplink_opts o = { 0 };
	struct vigil_uplink *u = NULL;
	struct vigil_error err = { 0 };

	snprintf(url, sizeof(url), "http://127.0.0.1:%u", s->port);
	o.url = url;
	o.token_file = tokfile;
	o.spool_dir = spool;
	o.heartbeat_ns = SEC;
	o.timeout_ns = timeout_ns;
	o.connect_timeout_ns = SEC;
	o.retry_base_ns = 50000000ull;
	o.retry_cap_ns = SEC / 2;
	assert_int_equal(vigil_uplink__open(&o, &u, &err), 0);
	return u;
}

static void send_alerts(struct vigil_uplink *u, int from, int to)
{
	for (int i = from; i < to; i++) {
		char id[33];
		json_t *a;

		snprintf(id, sizeof(id), "%032x", i + 1);
		a = json_pack("{s:s, s:s, s:i}", "alert_id", id, "rule_id", "R0001", "seq", i);
		assert_int_equal(vigil_uplink__alert(u, a), 0);
		json_decref(a);
	}
}

static struct vigil_uplink_stats stats(struct vigil_uplink *u)
{
	struct vigil_uplink_stats st;

	vigil_uplink__stats(u, &st);
	return st;
}

/* Resident memory of this process in KiB. */
static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6))
			kb = strtol(line + 6, NULL, 10);
	if (f)
		fclose(f);
	return kb;
}

/* Polls cond(u) every 20 ms for up to seconds; true when it held. */
#define WAIT_FOR(seconds, cond)                                   \
	({                                                        \
		uint64_t end_ = mono() + (uint64_t)(seconds)*SEC; \
		bool ok_;                                         \
		while (!(ok_ = (cond)) && mono() < end_)          \
			usleep(20000);                            \
		ok_;                                              \
	})

/* After the hostility, the cockpit behaves: everything arrives, exactly once. */
static void recovers(struct srv *s, struct vigil_uplink *u, size_t n)
{
	struct vigil_uplink_stats st;

	atomic_store(&s->mode, M_OK);
	assert_int_equal(vigil_uplink__flush(u, 60 * SEC), 0);
	assert_int_equal(stored(s), n);
	st = stats(u);
	assert_int_equal(st.accepted[VIGIL_UPLINK_ALERT] + st.duplicates[VIGIL_UPLINK_ALERT], n);
	assert_int_equal(st.dropped[VIGIL_UPLINK_ALERT] + st.rejected[VIGIL_UPLINK_ALERT], 0);
	assert_int_equal(st.spool_items, 0);
}

static void test_huge_answer(void **state)
{
	struct srv *s = srv_start();
	struct vigil_uplink *u;
	long before = rss_kib(), peak = 0;

	atomic_store(&s->mode, M_HUGE);
	u = open_uplink(s, 5 * SEC);
	send_alerts(u, 0, 50);
	/* each answer is cut off at the reply bound: a failure, retried; nothing counted stored */
	assert_true(
		WAIT_FOR(60, (peak = rss_kib() > peak ? rss_kib() : peak, stats(u).failures >= 3)));
	assert_int_equal(stats(u).accepted[VIGIL_UPLINK_ALERT], 0);
	assert_int_equal(stats(u).spool_items, 50);
	/* the gigabyte answers never lived in memory (the bound is 1 MiB) */
	print_message("# rss before %ld KiB, peak %ld KiB\n", before, peak);
	assert_true(peak - before < 32 * 1024);
	recovers(s, u, 50);
	vigil_uplink__free(u, SEC);
	srv_free(s);
}

static void test_endless_answer(void **state)
{
	struct srv *s = srv_start();
	struct vigil_uplink *u;
	uint64_t f0;

	atomic_store(&s->mode, M_DRIP);
	u = open_uplink(s, 20 * SEC);
	send_alerts(u, 0, 10);
	/* a request hangs on the drip for up to 20 s; alerts raised meanwhile still reach the
	 * spool, long before it ends */
	assert_true(WAIT_FOR(30, atomic_load(&s->conns) >= 1));
	f0 = stats(u).failures;
	send_alerts(u, 10, 300);
	assert_true(WAIT_FOR(12, stats(u).waiting == 0 && stats(u).spool_items == 300));
	assert_int_equal(stats(u).failures, f0);
	/* the request timeout ends the never-ending answer: the uplink keeps trying */
	assert_true(WAIT_FOR(60, stats(u).failures >= f0 + 1));
	assert_int_equal(stats(u).accepted[VIGIL_UPLINK_ALERT], 0);
	recovers(s, u, 300);
	vigil_uplink__free(u, SEC);
	srv_free(s);
}

static void test_5xx_forever(void **state)
{
	struct srv *s = srv_start();
	struct vigil_uplink *u;
	struct vigil_uplink_stats st;
	uint64_t t0 = mono();

	atomic_store(&s->mode, M_500);
	u = open_uplink(s, 5 * SEC);
	send_alerts(u, 0, 200);
	assert_true(WAIT_FOR(30, stats(u).failures >= 5));
	sleep(2);
	st = stats(u);
	/* kept, not dropped; and backed off (50 ms doubling to 500 ms): not a request storm */
	assert_int_equal(st.spool_items, 200);
	assert_int_equal(st.dropped[VIGIL_UPLINK_ALERT] + st.rejected[VIGIL_UPLINK_ALERT], 0);
	assert_false(st.connected);
	print_message("# %llu requests in %.1f s of 500s\n", (unsigned long long)st.requests,
		      (double)(mono() - t0) / SEC);
	assert_true(st.requests <= 2 * ((mono() - t0) / (SEC / 2) + 8));
	recovers(s, u, 200);
	vigil_uplink__free(u, SEC);
	srv_free(s);
}

/* An answer that is not the cockpit's verdict on the records: each kept, none counted. */
static void kept_through(enum mode m)
{
	struct srv *s = srv_start();
	struct vigil_uplink *u;
	struct vigil_uplink_stats st;

	atomic_store(&s->mode, m);
	u = open_uplink(s, 5 * SEC);
	send_alerts(u, 0, 50);
	assert_true(WAIT_FOR(30, stats(u).failures >= 3));
	st = stats(u);
	print_message("# %llu requests, %llu failures, last error: %s\n",
		      (unsigned long long)st.requests, (unsigned long long)st.failures,
		      st.last_error);
	assert_int_equal(st.spool_items, 50);
	assert_int_equal(st.accepted[VIGIL_UPLINK_ALERT] + st.duplicates[VIGIL_UPLINK_ALERT], 0);
	assert_int_equal(st.dropped[VIGIL_UPLINK_ALERT] + st.rejected[VIGIL_UPLINK_ALERT], 0);
	recovers(s, u, 50);
	vigil_uplink__free(u, SEC);
	srv_free(s);
}

/* before: a 301 was "other 4xx", refused for good: the whole spool dropped as rejected */
static void test_redirect(void **state)
{
	kept_through(M_REDIRECT);
}

/* before: any 2xx counted the batch stored, and it left the spool */
static void test_not_the_cockpits_answer(void **state)
{
	kept_through(M_NOT_COCKPIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_huge_answer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_endless_answer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_5xx_forever, setup, teardown),
		cmocka_unit_test_setup_teardown(test_redirect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_the_cockpits_answer, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
