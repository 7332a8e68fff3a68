// SPDX-License-Identifier: Apache-2.0
/*
 * webhook: and alertmanager: sinks against a real HTTP server (libmicrohttpd on 127.0.0.1, an
 * ephemeral port) that records every request and can answer with scripted statuses, be
 * stopped and restarted, or hold requests until released.
 */
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/buf.h"
#include "vigil/alert.h"

#define MAX_PLAN 16

struct rx {
	struct MHD_Daemon *d;
	uint16_t port;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int plan[MAX_PLAN]; /* statuses for the next requests, then 200 */
	int n_plan, next_plan;
	bool hold;	   /* requests wait until released */
	unsigned held;	   /* requests waiting now */
	unsigned requests; /* every request seen */
	json_t *accepted;  /* alerts of every 2xx request, in arrival order */
	json_t *batches;   /* size of each 2xx request */
	char last_path[256];
	char last_ctype[128];
	char last_auth[128];
};

struct upload {
	struct vigil_buf body;
};

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	struct upload *u = *con_cls;

	if (u) {
		vigil_buf__release(&u->body);
		free(u);
		*con_cls = NULL;
	}
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
			       const char *method, const char *version, const char *data,
			       size_t *data_size, void **con_cls)
{
	struct rx *rx = cls;
	struct upload *u = *con_cls;
	struct MHD_Response *resp;
	const char *ctype, *auth;
	enum MHD_Result ret;
	int status = 200;
	json_t *doc;

	if (!u) {
		u = calloc(1, sizeof(*u));
		if (!u)
			return MHD_NO;
		*con_cls = u;
		return MHD_YES;
	}
	if (*data_size) {
		if (vigil_buf__append(&u->body, data, *data_size) < 0)
			return MHD_NO;
		*data_size = 0;
		return MHD_YES;
	}
	ctype = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
	auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	pthread_mutex_lock(&rx->mu);
	rx->requests++;
	snprintf(rx->last_path, sizeof(rx->last_path), "%s", url);
	snprintf(rx->last_ctype, sizeof(rx->last_ctype), "%s", ctype ? ctype : "");
	snprintf(rx->last_auth, sizeof(rx->last_auth), "%s", auth ? auth : "");
	if (rx->next_plan < rx->n_plan)
		status = rx->plan[rx->next_plan++];
	rx->held++;
	pthread_cond_broadcast(&rx->cv);
	while (rx->hold)
		pthread_cond_wait(&rx->cv, &rx->mu);
	rx->held--;
	if (status >= 200 && status < 300) {
		doc = json_loadb(u->body.data ? u->body.data : "", u->body.len, 0, NULL);
		if (json_is_array(doc)) {
			json_array_extend(rx->accepted, doc);
			json_array_append_new(rx->batches, json_integer(json_array_size(doc)));
		}
		json_decref(doc);
	}
	pthread_cond_broadcast(&rx->cv);
	pthread_mutex_unlock(&rx->mu);
	resp = MHD_create_response_from_buffer(2, (void *)"{}", MHD_RESPMEM_PERSISTENT);
	ret = MHD_queue_response(c, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static int rx_listen(struct rx *rx)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(rx->port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	const union MHD_DaemonInfo *info;

	rx->d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, 0,
				 NULL, NULL, handler, rx, MHD_OPTION_SOCK_ADDR, &sin,
				 MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u,
				 MHD_OPTION_NOTIFY_COMPLETED, completed, rx, MHD_OPTION_END);
	if (!rx->d)
		return -1;
	info = MHD_get_daemon_info(rx->d, MHD_DAEMON_INFO_BIND_PORT);
	rx->port = info->port;
	return 0;
}

static struct rx *rx_start(void)
{
	struct rx *rx = calloc(1, sizeof(*rx));

	assert_non_null(rx);
	pthread_mutex_init(&rx->mu, NULL);
	pthread_cond_init(&rx->cv, NULL);
	rx->accepted = json_array();
	rx->batches = json_array();
	assert_int_equal(rx_listen(rx), 0);
	return rx;
}

static void rx_stop_listening(struct rx *rx)
{
	MHD_stop_daemon(rx->d);
	rx->d = NULL;
}

static void rx_release(struct rx *rx)
{
	pthread_mutex_lock(&rx->mu);
	rx->hold = false;
	pthread_cond_broadcast(&rx->cv);
	pthread_mutex_unlock(&rx->mu);
}

static void rx_free(struct rx *rx)
{
	rx_release(rx);
	if (rx->d)
		MHD_stop_daemon(rx->d);
	json_decref(rx->accepted);
	json_decref(rx->batches);
	free(rx);
}

static void rx_plan(struct rx *rx, int n, ...)
{
	va_list ap;

	va_start(ap, n);
	pthread_mutex_lock(&rx->mu);
	for (int i = 0; i < n; i++)
		rx->plan[rx->n_plan++] = va_arg(ap, int);
	pthread_mutex_unlock(&rx->mu);
	va_end(ap);
}

static json_t *make_alert(int seq)
{
	char msg[64];

	snprintf(msg, sizeof(msg), "alert %d", seq);
	return json_pack("{s:s, s:s, s:s, s:i, s:s, s:{s:s, s:s}, s:{s:s, s:s, s:s, s:s, s:s, "
			 "s:s, s:s, s:s}, s:{s:i, s:i, s:s, s:s, s:[s], s:i, s:i}, s:{s:s, s:s}, "
			 "s:n, s:i}",
			 "time", "2026-01-02T10:00:00.123456789Z", "rule_id", "R0001", "rule_name",
			 "Unexpected process launched", "severity", 1, "message", msg, "mitre",
			 "tactic", "TA0002", "technique", "T1059", "workload", "id", "w1", "name",
			 "web", "cgroup", "/test", "container_id", "", "container_name", "web",
			 "pod", "", "namespace", "", "image", "", "process", "pid", 42, "ppid", 1,
			 "comm", "curl", "exe", "/usr/bin/curl", "args", "curl", "uid", 0, "gid", 0,
			 "event", "type", "exec", "path", "/usr/bin/curl", "profile", "seq", seq);
}

static int emit_seq(struct vigil_alerts *a, int seq)
{
	json_t *j = make_alert(seq);
	int ret = vigil_alerts__emit(a, j);

	json_decref(j);
	return ret;
}

static struct vigil_alerts *new_alerts(const struct vigil_alerts_opts *o, const char *kind,
				       struct rx *rx, const char *suffix)
{
	struct vigil_alerts *a = vigil_alerts__new(o);
	struct vigil_error err;
	char spec[256];

	assert_non_null(a);
	snprintf(spec, sizeof(spec), "%s:http://127.0.0.1:%u/hook%s", kind, rx->port,
		 suffix ? suffix : "");
	if (vigil_alerts__add_sink(a, spec, &err) < 0)
		fail_msg("add_sink %s: %s", spec, err.message);
	return a;
}

static struct vigil_sink_stats stats1(struct vigil_alerts *a)
{
	struct vigil_sink_stats st;

	assert_int_equal(vigil_alerts__stats(a, &st, 1), 1);
	return st;
}

/* Asserts the receiver holds exactly seq first..first+n-1, in order, each once. */
static void assert_in_order(struct rx *rx, int first, int n)
{
	pthread_mutex_lock(&rx->mu);
	assert_int_equal(json_array_size(rx->accepted), n);
	for (int i = 0; i < n; i++) {
		json_t *al = json_array_get(rx->accepted, i);

		assert_int_equal(json_integer_value(json_object_get(al, "seq")), first + i);
		assert_int_equal(strlen(json_string_value(json_object_get(al, "alert_id"))), 32);
		for (int k = 0; k < i; k++)
			assert_string_not_equal(
				json_string_value(json_object_get(al, "alert_id")),
				json_string_value(json_object_get(json_array_get(rx->accepted, k),
								  "alert_id")));
	}
	pthread_mutex_unlock(&rx->mu);
}

static void test_batching(void **state)
{
	struct vigil_alerts_opts o = { .batch_max = 10, .batch_wait_ns = 60000000000ull };
	struct rx *rx = rx_start();
	struct vigil_alerts *a = new_alerts(&o, "webhook", rx, NULL);

	for (int i = 0; i < 25; i++)
		assert_int_equal(emit_seq(a, i), 0);
	/* Two full batches go without waiting; flush sends the partial one. */
	assert_int_equal(vigil_alerts__flush(a, 10000000000ull), 0);
	assert_in_order(rx, 0, 25);
	assert_int_equal(json_array_size(rx->batches), 3);
	assert_int_equal(json_integer_value(json_array_get(rx->batches, 0)), 10);
	assert_int_equal(json_integer_value(json_array_get(rx->batches, 1)), 10);
	assert_int_equal(json_integer_value(json_array_get(rx->batches, 2)), 5);
	assert_string_equal(rx->last_path, "/hook");
	assert_string_equal(rx->last_ctype, "application/json");
	assert_int_equal(stats1(a).sent, 25);
	assert_int_equal(stats1(a).queued, 0);
	vigil_alerts__free(a);
	rx_free(rx);
}

static void test_extra_header(void **state)
{
	struct vigil_alerts_opts o = { .batch_wait_ns = 1000000ull };
	struct rx *rx = rx_start();
	struct vigil_alerts *a =
		new_alerts(&o, "webhook", rx, ";header=Authorization: Bearer t0k=n;header=X-A: 1");

	assert_int_equal(emit_seq(a, 0), 0);
	assert_int_equal(vigil_alerts__flush(a, 10000000000ull), 0);
	assert_string_equal(rx->last_auth, "Bearer t0k=n");
	assert_in_order(rx, 0, 1);
	vigil_alerts__free(a);
	rx_free(rx);
}

struct emitter {
	struct vigil_alerts *a;
	int thread;
	int failed;
};

static void *emit_thread(void *arg)
{
	struct emitter *e = arg;

	for (int i = 0; i < 250; i++) {
		json_t *j = make_alert(i);

		json_object_set_new(j, "thread", json_integer(e->thread));
		if (vigil_alerts__emit(e->a, j) < 0)
			e->failed++;
		json_decref(j);
	}
	return NULL;
}

/* Detection may emit from several threads: nothing lost, each thread's alerts in its order. */
static void test_concurrent_emit(void **state)
{
	struct vigil_alerts_opts o = { .batch_max = 20, .batch_wait_ns = 1000000ull };
	struct rx *rx = rx_start();
	struct vigil_alerts *a = new_alerts(&o, "webhook", rx, NULL);
	struct emitter e[4];
	pthread_t t[4];
	int last[4] = { -1, -1, -1, -1 };

	for (int i = 0; i < 4; i++) {
		e[i] = (struct emitter){ .a = a, .thread = i };
		assert_int_equal(pthread_create(&t[i], NULL, emit_thread, &e[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(e[i].failed, 0);
	}
	assert_int_equal(vigil_alerts__flush(a, 10000000000ull), 0);
	assert_int_equal(json_array_size(rx->accepted), 1000);
	for (size_t i = 0; i < 1000; i++) {
		json_t *al = json_array_get(rx->accepted, i);
		int th = (int)json_integer_value(json_object_get(al, "thread"));
		int seq = (int)json_integer_value(json_object_get(al, "seq"));

		assert_int_equal(seq, last[th] + 1);
		last[th] = seq;
	}
	assert_int_equal(stats1(a).sent, 1000);
	vigil_alerts__free(a);
	rx_free(rx);
}

static void test_batch_wait(void **state)
{
	struct vigil_alerts_opts o = { .batch_max = 50, .batch_wait_ns = 50000000ull };
	struct rx *rx = rx_start();
	struct vigil_alerts *a = new_alerts(&o, "webhook", rx, NULL);
	int i;

	for (i = 0; i < 3; i++)
		assert_int_equal(emit_seq(a, i), 0);
	/* No flush: the partial batch must leave on its own once batch_wait passed. */
	for (i = 0; i < 500 && stats1(a).sent < 3; i++)
		usleep(10000);
	assert_int_equal(stats1(a).sent, 3);
	assert_int_equal(json_array_size(rx->batches), 1);
	assert_in_order(rx, 0, 3);
	vigil_alerts__free(a);
	rx_free(rx);
}

static void test_retry_500_then_ok(void **state)
{
	struct vigil_alerts_opts o = { .batch_max = 10,
				       .batch_wait_ns = 1000000ull,
				       .retry_base_ns = 10000000ull };
	struct rx *rx = rx_start();
	struct vigil_alerts *a;
	struct vigil_sink_stats st;

	rx_plan(rx, 2, 500, 503);
	a = new_alerts(&o, "webhook", rx, NULL);
	for (int i = 0; i < 5; i++)
		assert_int_equal(emit_seq(a, i), 0);
	assert_int_equal(vigil_alerts__flush(a, 10000000000ull), 0);
	assert_in_order(rx, 0, 5);
	assert_int_equal(rx->requests, 3);
	st = stats1(a);
	assert_int_equal(st.sent, 5);
	assert_int_equal(st.failures, 2);
	assert_int_equal(st.retries, 2);
	assert_int_equal(st.dropped, 0);
	assert_string_equal(st.last_error, "HTTP 503");
	vigil_alerts__free(a);
	rx_free(rx);
}

static void test_receiver_down_then_up(void **state)
{
	struct vigil_alerts_opts o = { .batch_max = 7,
				       .batch_wait_ns = 1000000ull,
				       .retry_base_ns = 20000000ull,
				       .retry_cap_ns = 100000000ull };
	struct rx *rx = rx_start();
	struct vigil_alerts *a = new_alerts(&o, "webhook", rx, NULL);
	int i;

	rx_stop_listening(rx); /* same port comes back later */
	for (i = 0; i < 40; i++)
		assert_int_equal(emit_seq(a, i), 0);
	for (i = 0; i < 500 && stats1(a).failures < 3; i++)
		usleep(10000);
	assert_true(stats1(a).failures >= 3);
	assert_int_equal(stats1(a).sent, 0);
	for (i = 40; i < 60; i++)
		assert_int_equal(emit_seq(a, i), 0);
	assert_int_equal(rx_listen(rx), 0);
	assert_int_equal(vigil_alerts__flush(a, 10000000000ull), 0);
	/* Every alert, in order, none twice (connection refused: nothing was half-delivered). */
	assert_in_order(rx, 0, 60);
	assert_int_equal(stats1(a).sent, 60);
	assert_int_equal(stats1(a).dropped, 0);
	vigil_alerts__free(a);
	rx_free(rx);
}

static void test_queue_bound_slow_receiver(void **state)
{
	struct vigil_alerts_opts o = { .queue_max = 100,
				       .batch_max = 10,
				       .batch_wait_ns = 1000000ull };
	struct rx *rx = rx_start();
	struct vigil_alerts *a = new_alerts(&o, "webhook", rx, NULL);
	struct vigil_sink_stats st;
	json_t *health = NULL;
	int refused = 0, i;

	/* The receiver takes the first request and then holds it: delivery is stuck. */
	rx->hold = true;
	assert_int_equal(emit_seq(a, 0), 0);
	pthread_mutex_lock(&rx->mu);
	while (!rx->held)
		pthread_cond_wait(&rx->cv, &rx->mu);
	pthread_mutex_unlock(&rx->mu);
	/* 1000 emits complete while the receiver is blocked: emit never waits for delivery. */
	for (i = 1; i < 1000; i++)
		if (emit_seq(a, i) == -ENOBUFS)
			refused++;
	st = stats1(a);
	assert_int_equal(refused, 900);
	assert_int_equal(st.queued, 100);
	assert_int_equal(st.dropped, 900);
	assert_int_equal(st.dropped_full, 900);
	assert_int_equal(rx->held, 1);

	/* The drop is reported by a health alert, once. */
	assert_int_equal(vigil_alerts__health_alert(a, &health), 1);
	assert_string_equal(json_string_value(json_object_get(health, "rule_id")), "V0001");
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(health, "event"), "dropped")),
		900);
	/* It may use the queue's reserve, so it is not lost in the full queue. */
	assert_int_equal(vigil_alerts__emit(a, health), 0);
	json_decref(health);
	health = NULL;
	assert_int_equal(vigil_alerts__health_alert(a, &health), 0);
	assert_null(health);

	rx_release(rx);
	assert_int_equal(vigil_alerts__flush(a, 10000000000ull), 0);
	/* The first 100 (the oldest) were kept; the newest were refused. */
	assert_int_equal(json_array_size(rx->accepted), 101);
	for (i = 0; i < 100; i++)
		assert_int_equal(
			json_integer_value(json_object_get(json_array_get(rx->accepted, i), "seq")),
			i);
	assert_string_equal(
		json_string_value(json_object_get(json_array_get(rx->accepted, 100), "rule_id")),
		"V0001");
	vigil_alerts__free(a);
	rx_free(rx);
}

static void test_4xx_dropped_408_429_retried(void **state)
{
	/* each group of three must leave as one batch (the counts below are per request): a
	 * batch wait of 1 ms split them when the machine was loaded; 300 ms does not */
	struct vigil_alerts_opts o = { .batch_max = 10,
				       .batch_wait_ns = 300000000ull,
				       .retry_base_ns = 5000000ull };
	struct rx *rx = rx_start();
	struct vigil_alerts *a;
	struct vigil_sink_stats st;

	rx_plan(rx, 1, 400);
	a = new_alerts(&o, "webhook", rx, NULL);
	for (int i = 0; i < 3; i++)
		assert_int_equal(emit_seq(a, i), 0);
	assert_int_equal(vigil_alerts__flush(a, 10000000000ull), 0);
	st = stats1(a);
	assert_int_equal(st.dropped_rejected, 3);
	assert_int_equal(st.dropped, 3);
	assert_int_equal(st.retries, 0);
	assert_int_equal(st.sent, 0);
	assert_string_equal(st.last_error, "HTTP 400");
	assert_int_equal(rx->requests, 1);

	rx_plan(rx, 2, 429, 408);
	for (int i = 3; i < 6; i++)
		assert_int_equal(emit_seq(a, i), 0);
	assert_int_equal(vigil_alerts__flush(a, 10000000000ull), 0);
	st = stats1(a);
	assert_int_equal(st.sent, 3);
	assert_int_equal(st.retries, 2);
	assert_int_equal(st.dropped, 3);
	assert_in_order(rx, 3, 3);
	vigil_alerts__free(a);
	rx_free(rx);
}

static void test_retry_max_exhausted(void **state)
{
	struct vigil_alerts_opts o = { .batch_max = 10,
				       .batch_wait_ns = 1000000ull,
				       .retry_max = 3,
				       .retry_base_ns = 1000000ull };
	struct rx *rx = rx_start();
	struct vigil_alerts *a;
	struct vigil_sink_stats st;

	rx_plan(rx, 3, 500, 500, 500);
	a = new_alerts(&o, "webhook", rx, NULL);
	for (int i = 0; i < 4; i++)
		assert_int_equal(emit_seq(a, i), 0);
	assert_int_equal(vigil_alerts__flush(a, 10000000000ull), 0);
	st = stats1(a);
	assert_int_equal(st.failures, 3);
	assert_int_equal(st.dropped_retries, 4);
	assert_int_equal(st.sent, 0);
	assert_int_equal(rx->requests, 3);
	vigil_alerts__free(a);
	rx_free(rx);
}

static void test_alertmanager_body(void **state)
{
	struct vigil_alerts_opts o = { .batch_max = 10, .batch_wait_ns = 1000000ull };
	struct rx *rx = rx_start();
	struct vigil_alerts *a = new_alerts(&o, "alertmanager", rx, "/;resolve=5m");
	json_t *am, *labels, *ann;
	time_t now = time(NULL), ends;
	struct tm tm = { 0 };
	const char *s;

	assert_int_equal(emit_seq(a, 7), 0);
	assert_int_equal(vigil_alerts__flush(a, 10000000000ull), 0);
	assert_string_equal(rx->last_path, "/hook/api/v2/alerts");
	assert_int_equal(json_array_size(rx->accepted), 1);
	am = json_array_get(rx->accepted, 0);
	labels = json_object_get(am, "labels");
	ann = json_object_get(am, "annotations");
	assert_string_equal(json_string_value(json_object_get(labels, "alertname")),
			    "VigilRuleViolated");
	assert_string_equal(json_string_value(json_object_get(labels, "rule_id")), "R0001");
	assert_string_equal(json_string_value(json_object_get(labels, "rule_name")),
			    "Unexpected process launched");
	assert_string_equal(json_string_value(json_object_get(labels, "severity")), "low");
	assert_string_equal(json_string_value(json_object_get(labels, "severity_score")), "1");
	assert_string_equal(json_string_value(json_object_get(labels, "workload_id")), "w1");
	assert_string_equal(json_string_value(json_object_get(labels, "container_name")), "web");
	assert_string_equal(json_string_value(json_object_get(labels, "comm")), "curl");
	assert_non_null(json_object_get(labels, "node"));
	assert_null(json_object_get(labels, "pod")); /* empty: left out */
	assert_string_equal(json_string_value(json_object_get(ann, "description")), "alert 7");
	assert_non_null(strstr(json_string_value(json_object_get(ann, "summary")),
			       "R0001 Unexpected process launched in web"));
	assert_string_equal(json_string_value(json_object_get(ann, "args")), "curl");
	assert_string_equal(json_string_value(json_object_get(am, "startsAt")),
			    "2026-01-02T10:00:00.123456789Z");
	s = json_string_value(json_object_get(am, "endsAt"));
	assert_non_null(strptime(s, "%Y-%m-%dT%H:%M:%S", &tm));
	ends = timegm(&tm);
	assert_true(ends >= now + 299 && ends <= now + 310);
	vigil_alerts__free(a);
	rx_free(rx);
}

static void test_free_with_dead_receiver_returns(void **state)
{
	struct vigil_alerts_opts o = { .batch_wait_ns = 1000000ull, .retry_base_ns = 1000000ull };
	struct rx *rx = rx_start();
	struct vigil_alerts *a = new_alerts(&o, "webhook", rx, NULL);
	struct vigil_sink_stats st;

	rx_stop_listening(rx);
	for (int i = 0; i < 10; i++)
		assert_int_equal(emit_seq(a, i), 0);
	assert_int_equal(vigil_alerts__flush(a, 50000000ull), -ETIMEDOUT);
	st = stats1(a);
	assert_int_equal(st.queued, 10);
	assert_true(st.failures >= 1);
	assert_non_null(strstr(st.last_error, "onnect"));
	vigil_alerts__free(a); /* retry forever, yet free returns */
	rx_free(rx);
}

static void test_bad_specs(void **state)
{
	struct vigil_alerts *a = vigil_alerts__new(NULL);
	struct vigil_error err;

	assert_int_equal(vigil_alerts__add_sink(a, "webhok:http://x", &err), -EINVAL);
	assert_non_null(strstr(err.message, "did you mean \"webhook\""));
	assert_int_equal(vigil_alerts__add_sink(a, "webhook:ftp://x", &err), -EINVAL);
	assert_int_equal(vigil_alerts__add_sink(a, "webhook:http://x;bach=3", &err), -EINVAL);
	assert_non_null(strstr(err.message, "did you mean \"batch\""));
	assert_int_equal(vigil_alerts__add_sink(a, "webhook:http://x;batch=0", &err), -EINVAL);
	assert_int_equal(vigil_alerts__add_sink(a, "alertmanager:http://x;resolve=soon", &err),
			 -EINVAL);
	assert_int_equal(vigil_alerts__add_sink(a, "file:", &err), -EINVAL);
	assert_non_null(strstr(err.message, "expected file:PATH"));
	assert_int_equal(vigil_alerts__add_sink(a, "stdout:x", &err), -EINVAL);
	assert_non_null(strstr(err.message, "stdout takes no address"));
	assert_int_equal(vigil_alerts__add_sink(a, "webhook:", &err), -EINVAL);
	assert_int_equal(vigil_alerts__add_sink(a, "file:/nonexistent-dir/x", &err), -ENOENT);
	assert_non_null(strstr(err.message, "/nonexistent-dir/x"));
	assert_int_equal(vigil_alerts__add_sink(a, "webhook:http://x;header=NoColon", &err),
			 -EINVAL);
	assert_int_equal(vigil_alerts__add_sink(a, "syslog;header=A: b", &err), -EINVAL);
	assert_int_equal(vigil_alerts__add_sink(a, "syslog;cacert=/x", &err), -EINVAL);
	assert_int_equal(vigil_alerts__stats(a, NULL, 0), 0);
	vigil_alerts__free(a);
	vigil_alerts__free(NULL);
}

/* A sink's secrets (header values, a URL's user:password and query) are not in what is shown
 * of it (status, /metrics, health alerts, the heartbeat the cockpit stores for analysts). */
static void test_shown_spec_hides_secrets(void **state)
{
	struct vigil_alerts *a = vigil_alerts__new(NULL);
	struct vigil_sink_stats st[2];
	struct vigil_error err;

	assert_int_equal(vigil_alerts__add_sink(a,
						"webhook:http://user:pa55@127.0.0.1:9/in?key=k3y;"
						"batch=5;header=Authorization: Bearer s3cr3t;"
						"header=X-Api-Key: k3y2",
						&err),
			 0);
	assert_int_equal(vigil_alerts__add_sink(a, "syslog;facility=auth", &err), 0);
	assert_int_equal(vigil_alerts__stats(a, st, 2), 2);
	assert_string_equal(st[0].spec, "webhook:http://***@127.0.0.1:9/in?***;batch=5;"
					"header=Authorization: ***;header=X-Api-Key: ***");
	assert_string_equal(st[1].spec, "syslog;facility=auth");
	vigil_alerts__free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_batching),
		cmocka_unit_test(test_batch_wait),
		cmocka_unit_test(test_extra_header),
		cmocka_unit_test(test_concurrent_emit),
		cmocka_unit_test(test_retry_500_then_ok),
		cmocka_unit_test(test_receiver_down_then_up),
		cmocka_unit_test(test_queue_bound_slow_receiver),
		cmocka_unit_test(test_4xx_dropped_408_429_retried),
		cmocka_unit_test(test_retry_max_exhausted),
		cmocka_unit_test(test_alertmanager_body),
		cmocka_unit_test(test_free_with_dead_receiver_returns),
		cmocka_unit_test(test_bad_specs),
		cmocka_unit_test(test_shown_spec_hides_secrets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
