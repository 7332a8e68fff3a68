// SPDX-License-Identifier: Apache-2.0
/*
 * The uplink (sensor/uplink/) against a real HTTP server on loopback (libmicrohttpd, an
 * ephemeral port) that speaks the write side of the fleet contract (docs/COCKPIT.md): bearer
 * tokens, enrolment, de-duplication by alert_id, the {"accepted","duplicates","rejected"}
 * answer, and scripted statuses. It can be stopped and restarted (an outage). The real
 * cockpit is exercised end to end by tests/e2e/t8100-fleet.sh; this test pins the agent side's
 * decisions: what is retried, refused, counted, kept, and in which order it arrives.
 */
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/buf.h"
#include "vigil/uplink.h"

#define MAX_PLAN 32
#define SEC	 1000000000ull

struct srv {
	struct MHD_Daemon *d;
	uint16_t port;
	pthread_mutex_t mu;
	int plan[MAX_PLAN]; /* statuses for the next ingest requests, then the real answer */
	int n_plan, next_plan;
	char tokens[4][128]; /* node tokens accepted */
	char join[128];	     /* the join token, "" when used */
	unsigned requests, heartbeats, enrolments;
	json_t *ids;	  /* alert ids stored, in arrival order */
	json_t *seen;	  /* alert_id -> true */
	json_t *reports;  /* reports stored */
	json_t *profiles; /* digests stored */
	json_t *last_hb;
	unsigned
		reject_index_of_seq; /* rejects (per item) the alert whose "seq" is this (0: none) */
	size_t max_items;	     /* 413 for a batch larger than this (0: no limit) */
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

static bool token_ok(struct srv *s, const char *auth)
{
	if (!auth || strncmp(auth, "Bearer ", 7))
		return false;
	for (int i = 0; i < 4; i++)
		if (s->tokens[i][0] && !strcmp(s->tokens[i], auth + 7))
			return true;
	return false;
}

static json_t *ingest(struct srv *s, const char *url, json_t *doc, int *status)
{
	json_t *items = json_is_array(doc) ? json_incref(doc) : json_pack("[O]", doc);
	json_t *rejected = json_array(), *v;
	size_t i, accepted = 0, dups = 0;

	if (s->max_items && json_array_size(items) > s->max_items) {
		json_decref(items);
		json_decref(rejected);
		*status = 413;
		return json_pack("{s:s}", "error", "too many items");
	}
	json_array_foreach(items, i, v)
	{
		if (!strcmp(url, "/api/v1/alerts")) {
			const char *id = json_string_value(json_object_get(v, "alert_id"));

			if (!id || (s->reject_index_of_seq &&
				    json_integer_value(json_object_get(v, "seq")) ==
					    s->reject_index_of_seq)) {
				json_array_append_new(rejected, json_pack("{s:I, s:s}", "index",
									  (json_int_t)i, "error",
									  "bad alert"));
				continue;
			}
			if (json_object_get(s->seen, id)) {
				dups++;
				continue;
			}
			json_object_set_new(s->seen, id, json_true());
			json_array_append_new(s->ids, json_string(id));
		} else if (!strcmp(url, "/api/v1/reports")) {
			json_array_append(s->reports, v); /* the whole report */
		} else {
			json_array_append(s->profiles, json_object_get(v, "digest"));
		}
		accepted++;
	}
	json_decref(items);
	return json_pack("{s:I, s:I, s:o}", "accepted", (json_int_t)accepted, "duplicates",
			 (json_int_t)dups, "rejected", rejected);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
			       const char *method, const char *version, const char *data,
			       size_t *data_size, void **con_cls)
{
	struct srv *s = cls;
	struct upload *u = *con_cls;
	struct MHD_Response *resp;
	const char *auth;
	enum MHD_Result ret;
	int status = 200;
	json_t *doc, *ans = NULL;
	char *text;

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
	auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	doc = json_loadb(u->body.data ? u->body.data : "", u->body.len, 0, NULL);
	pthread_mutex_lock(&s->mu);
	s->requests++;
	if (!strcmp(url, "/api/v1/enroll")) {
		if (s->join[0] && auth && !strcmp(auth + 7, s->join)) {
			s->join[0] = '\0'; /* one-time */
			snprintf(s->tokens[3], sizeof(s->tokens[3]), "enrolled-%s-token-0123",
				 json_string_value(json_object_get(doc, "node")));
			s->enrolments++;
			ans = json_pack("{s:O, s:s}", "node", json_object_get(doc, "node"), "token",
					s->tokens[3]);
		} else {
			status = 401;
		}
	} else if (!token_ok(s, auth)) {
		status = 401;
	} else if (s->next_plan < s->n_plan) {
		status = s->plan[s->next_plan++];
	} else if (!doc) {
		status = 400;
	} else if (!strcmp(url, "/api/v1/heartbeat")) {
		s->heartbeats++;
		json_decref(s->last_hb);
		s->last_hb = json_incref(doc);
	} else {
		ans = ingest(s, url, doc, &status);
	}
	pthread_mutex_unlock(&s->mu);
	json_decref(doc);
	if (!ans)
		ans = status == 200 ? json_object() : json_pack("{s:i}", "status", status);
	text = json_dumps(ans, JSON_COMPACT);
	json_decref(ans);
	resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	ret = MHD_queue_response(c, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void srv_listen(struct srv *s)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(s->port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	s->d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, 0,
				NULL, NULL, handler, s, MHD_OPTION_SOCK_ADDR, &sin,
				MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u, MHD_OPTION_NOTIFY_COMPLETED,
				completed, s, MHD_OPTION_END);
	assert_non_null(s->d);
	s->port = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT)->port;
}

static struct srv *srv_start(void)
{
	struct srv *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	pthread_mutex_init(&s->mu, NULL);
	s->ids = json_array();
	s->seen = json_object();
	s->reports = json_array();
	s->profiles = json_array();
	snprintf(s->tokens[0], sizeof(s->tokens[0]), "node-a-token-0123456789");
	srv_listen(s);
	return s;
}

static void srv_stop(struct srv *s)
{
	MHD_stop_daemon(s->d);
	s->d = NULL;
}

static void srv_free(struct srv *s)
{
	if (s->d)
		MHD_stop_daemon(s->d);
	json_decref(s->ids);
	json_decref(s->seen);
	json_decref(s->reports);
	json_decref(s->profiles);
	json_decref(s->last_hb);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

static void srv_plan(struct srv *s, int n, ...)
{
	va_list ap;

	va_start(ap, n);
	pthread_mutex_lock(&s->mu);
	for (int i = 0; i < n; i++)
		s->plan[s->n_plan++] = va_arg(ap, int);
	pthread_mutex_unlock(&s->mu);
	va_end(ap);
}

static size_t srv_count(struct srv *s, json_t *arr)
{
	size_t n;

	pthread_mutex_lock(&s->mu);
	n = json_array_size(arr);
	pthread_mutex_unlock(&s->mu);
	return n;
}

/* ---- fixtures ----------------------------------------------------------------------- */

static char dir[64], spool[96], tokfile[96], joinfile[96], nodetok[96], url[64];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/vigil-uplink-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(spool, sizeof(spool), "%s/spool", dir);
	snprintf(tokfile, sizeof(tokfile), "%s/node.token", dir);
	snprintf(joinfile, sizeof(joinfile), "%s/join.token", dir);
	snprintf(nodetok, sizeof(nodetok), "%s/cockpit-node.token", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) ? -1 : 0;
}

static void write_token(const char *path, const char *tok, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fprintf(f, "%s\n", tok);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static struct vigil_uplink *open_uplink(struct srv *s, struct vigil_uplink_opts *extra)
{
	struct vigil_uplink_opts o = { 0 };
	struct vigil_uplink *u = NULL;
	struct vigil_error err = { 0 };

	if (extra)
		o = *extra;
	snprintf(url, sizeof(url), "http://127.0.0.1:%u", s->port);
	o.url = url;
	if (!o.join_token_file) {
		o.token_file = tokfile;
		if (access(tokfile, F_OK))
			write_token(tokfile, "node-a-token-0123456789", 0600);
	}
	o.spool_dir = spool;
	o.node_name = "node-a";
	if (!o.retry_base_ns)
		o.retry_base_ns = 20000000ull;
	if (!o.retry_cap_ns)
		o.retry_cap_ns = 200000000ull;
	assert_int_equal(vigil_uplink__open(&o, &u, &err), 0);
	return u;
}

static json_t *alert(int seq)
{
	char id[40];

	snprintf(id, sizeof(id), "%032x", seq);
	return json_pack("{s:s, s:s, s:i, s:s}", "alert_id", id, "rule_id", "R0001", "seq", seq,
			 "message", "a process outside the profile");
}

static void send_alerts(struct vigil_uplink *u, int from, int to)
{
	for (int i = from; i < to; i++) {
		json_t *a = alert(i);

		assert_int_equal(vigil_uplink__alert(u, a), 0);
		json_decref(a);
	}
}

/* The server stored exactly alerts [0, n), each once, in order. */
static void assert_ids_in_order(struct srv *s, int n)
{
	char id[40];

	pthread_mutex_lock(&s->mu);
	assert_int_equal(json_array_size(s->ids), (size_t)n);
	for (int i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "%032x", i);
		assert_string_equal(json_string_value(json_array_get(s->ids, (size_t)i)), id);
	}
	pthread_mutex_unlock(&s->mu);
}

/* ---- tests -------------------------------------------------------------------------- */

static void test_delivery_in_order(void **state)
{
	struct srv *s = srv_start();
	struct vigil_uplink *u = open_uplink(s, NULL);
	struct vigil_uplink_stats st;

	send_alerts(u, 0, 1200);
	assert_int_equal(vigil_uplink__flush(u, 20 * SEC), 0);
	assert_ids_in_order(s, 1200);
	vigil_uplink__stats(u, &st);
	assert_int_equal(st.accepted[VIGIL_UPLINK_ALERT], 1200);
	assert_int_equal(st.spool_items, 0);
	assert_true(st.connected);
	assert_true(st.requests >= 3 && st.requests < 1200); /* batched */
	vigil_uplink__free(u, SEC);
	srv_free(s);
}

static void test_outage_then_replay(void **state)
{
	struct srv *s = srv_start();
	struct vigil_uplink *u = open_uplink(s, NULL);
	struct vigil_uplink_stats st;

	send_alerts(u, 0, 10);
	assert_int_equal(vigil_uplink__flush(u, 10 * SEC), 0);
	srv_stop(s); /* the cockpit goes away */
	send_alerts(u, 10, 300);
	assert_int_equal(vigil_uplink__flush(u, SEC / 2), -ETIMEDOUT);
	vigil_uplink__stats(u, &st);
	assert_false(st.connected);
	assert_true(st.failures > 0);
	assert_int_equal(st.spool_items + st.waiting, 290);
	srv_listen(s); /* back, on the same port */
	assert_int_equal(vigil_uplink__flush(u, 20 * SEC), 0);
	assert_ids_in_order(s, 300);
	vigil_uplink__free(u, SEC);
	srv_free(s);
}

static void test_agent_restart_replays_spool(void **state)
{
	struct srv *s = srv_start();
	struct vigil_uplink *u = open_uplink(s, NULL);
	struct vigil_uplink_stats st;
	uint16_t port = s->port;

	srv_stop(s);
	send_alerts(u, 0, 50);
	vigil_uplink__free(u, SEC / 10); /* the cockpit is down: everything stays on disk */
	s->port = port;
	srv_listen(s);
	u = open_uplink(s, NULL);
	vigil_uplink__stats(u, &st);
	assert_int_equal(st.spool_recovered, 50);
	send_alerts(u, 50, 60);
	assert_int_equal(vigil_uplink__flush(u, 20 * SEC), 0);
	assert_ids_in_order(s, 60);
	vigil_uplink__free(u, SEC);
	srv_free(s);
}

static void test_5xx_retried_4xx_rejected(void **state)
{
	struct srv *s = srv_start();
	struct vigil_uplink *u;
	struct vigil_uplink_stats st;
	json_t *hl = NULL;

	srv_plan(s, 3, 503, 500, 400); /* two transient failures, then one batch refused */
	u = open_uplink(s, &(struct vigil_uplink_opts){ .batch_max = 5 });
	send_alerts(u, 0, 5);
	assert_int_equal(vigil_uplink__flush(u, 10 * SEC), 0);
	send_alerts(u, 5, 10);
	assert_int_equal(vigil_uplink__flush(u, 10 * SEC), 0);
	vigil_uplink__stats(u, &st);
	/* the first batch met 503 and 500 (retried), then 400 (refused); the second arrived */
	assert_int_equal(st.failures, 2);
	assert_int_equal(st.accepted[VIGIL_UPLINK_ALERT], 5);
	assert_int_equal(st.rejected[VIGIL_UPLINK_ALERT], 5);
	pthread_mutex_lock(&s->mu);
	assert_int_equal(json_array_size(s->ids), 5);
	assert_string_equal(json_string_value(json_array_get(s->ids, 0)),
			    "00000000000000000000000000000005");
	pthread_mutex_unlock(&s->mu);
	/* the loss is a health alert */
	assert_int_equal(vigil_uplink__health_alert(u, &hl), 1);
	assert_string_equal(json_string_value(json_object_get(hl, "rule_id")), "V0003");
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(hl, "event"), "dropped")), 5);
	json_decref(hl);
	assert_int_equal(vigil_uplink__health_alert(u, &hl), 0); /* reported once */
	vigil_uplink__free(u, SEC);
	srv_free(s);
}

static void test_item_rejected_and_duplicates(void **state)
{
	struct srv *s = srv_start();
	struct vigil_uplink *u = open_uplink(s, NULL);
	struct vigil_uplink_stats st;

	s->reject_index_of_seq = 3;
	send_alerts(u, 0, 6);
	send_alerts(u, 0, 2); /* re-sent: the cockpit knows them */
	assert_int_equal(vigil_uplink__flush(u, 10 * SEC), 0);
	vigil_uplink__stats(u, &st);
	assert_int_equal(st.accepted[VIGIL_UPLINK_ALERT], 5);
	assert_int_equal(st.rejected[VIGIL_UPLINK_ALERT], 1);
	assert_int_equal(st.duplicates[VIGIL_UPLINK_ALERT], 2);
	assert_non_null(strstr(st.last_error, "bad alert"));
	vigil_uplink__free(u, SEC);
	srv_free(s);
}

static void test_revoked_token_kept_then_replaced(void **state)
{
	struct srv *s = srv_start();
	struct vigil_uplink *u = open_uplink(s, NULL);
	struct vigil_uplink_stats st;

	send_alerts(u, 0, 3);
	assert_int_equal(vigil_uplink__flush(u, 10 * SEC), 0);
	/* revoked: every post is refused, nothing is thrown away */
	pthread_mutex_lock(&s->mu);
	s->tokens[0][0] = '\0';
	snprintf(s->tokens[1], sizeof(s->tokens[1]), "node-a-second-token-0123");
	pthread_mutex_unlock(&s->mu);
	send_alerts(u, 3, 8);
	assert_int_equal(vigil_uplink__flush(u, SEC / 2), -ETIMEDOUT);
	vigil_uplink__stats(u, &st);
	assert_true(st.auth_failures > 0);
	assert_int_equal(st.rejected[VIGIL_UPLINK_ALERT], 0);
	assert_int_equal(st.spool_items, 5);
	assert_int_equal(st.last_status, 401);
	/* the administrator hands the node a new token: it is read again, and all arrives */
	write_token(tokfile, "node-a-second-token-0123", 0600);
	assert_int_equal(vigil_uplink__flush(u, 10 * SEC), 0);
	assert_ids_in_order(s, 8);
	vigil_uplink__free(u, SEC);
	srv_free(s);
}

static void test_enrolment(void **state)
{
	struct srv *s = srv_start();
	struct vigil_uplink_opts o = { .join_token_file = joinfile, .node_token_file = nodetok };
	struct vigil_uplink *u;
	struct vigil_uplink_stats st;
	struct stat sb;
	char buf[128] = "";
	FILE *f;

	snprintf(s->join, sizeof(s->join), "join-once-0123456789abcdef");
	write_token(joinfile, "join-once-0123456789abcdef", 0600);
	u = open_uplink(s, &o);
	send_alerts(u, 0, 4);
	assert_int_equal(vigil_uplink__flush(u, 10 * SEC), 0);
	assert_ids_in_order(s, 4);
	vigil_uplink__stats(u, &st);
	assert_int_equal(st.enrolments, 1);
	assert_true(st.have_token);
	/* the node token is kept, private, and used from then on */
	assert_int_equal(stat(nodetok, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	f = fopen(nodetok, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "enrolled-node-a-token-0123\n");
	vigil_uplink__free(u, SEC);
	/* a restart uses the kept token: the join token (now used up) is not needed again */
	u = open_uplink(s, &o);
	send_alerts(u, 4, 6);
	assert_int_equal(vigil_uplink__flush(u, 10 * SEC), 0);
	assert_ids_in_order(s, 6);
	assert_int_equal(s->enrolments, 1);
	vigil_uplink__free(u, SEC);
	srv_free(s);
}

static void test_join_token_refused(void **state)
{
	struct srv *s = srv_start();
	struct vigil_uplink_opts o = { .join_token_file = joinfile, .node_token_file = nodetok };
	struct vigil_uplink *u;
	struct vigil_uplink_stats st;

	write_token(joinfile, "join-wrong-0123456789abcdef", 0600);
	u = open_uplink(s, &o);
	send_alerts(u, 0, 2);
	assert_int_equal(vigil_uplink__flush(u, SEC / 2), -ETIMEDOUT);
	vigil_uplink__stats(u, &st);
	assert_false(st.have_token);
	assert_true(st.auth_failures > 0);
	assert_non_null(strstr(st.last_error, "join token"));
	assert_int_equal(st.spool_items, 2); /* kept for when an administrator fixes it */
	assert_int_equal(access(nodetok, F_OK), -1);
	vigil_uplink__free(u, SEC / 10);
	srv_free(s);
}

/*
 * A node with more workloads than a heartbeat may carry (the cockpit takes 4 MiB and 10 000)
 * still heartbeats: the rest are left out and counted, watched workloads first. Before, every
 * heartbeat was refused (413/400) and the node showed offline while its workloads ran.
 */
static void test_heartbeat_too_many_workloads(void **state)
{
	struct srv *s = srv_start();
	struct vigil_uplink *u = open_uplink(s, NULL);
	json_t *hb = json_pack("{s:[]}", "workloads"), *got, *wls;
	char name[320];
	char *text;
	size_t n;

	memset(name, 'w', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	for (int i = 0; i < 12000; i++) {
		snprintf(name, 8, "%06d", i);
		name[6] = 'w';
		json_array_append_new(json_object_get(hb, "workloads"),
				      json_pack("{s:s, s:s, s:b}", "name", name, "state",
						i == 0 ? "learning" : "unprotected", "ignored",
						i != 0));
	}
	assert_int_equal(vigil_uplink__heartbeat(u, hb), 0);
	json_decref(hb);
	for (int i = 0; i < 500 && !s->heartbeats; i++)
		usleep(20000);
	assert_int_equal(s->heartbeats, 1);
	pthread_mutex_lock(&s->mu);
	got = json_incref(s->last_hb);
	pthread_mutex_unlock(&s->mu);
	text = json_dumps(got, JSON_COMPACT);
	assert_true(strlen(text) <= (4u << 20));
	free(text);
	wls = json_object_get(got, "workloads");
	n = json_array_size(wls);
	assert_true(n > 1000 && n <= 10000);
	assert_int_equal(json_integer_value(json_object_get(got, "workloads_omitted")),
			 (json_int_t)(12000 - n));
	/* the watched workload is kept first */
	assert_string_equal(json_string_value(json_object_get(json_array_get(wls, 0), "state")),
			    "learning");
	json_decref(got);
	vigil_uplink__free(u, SEC / 10);
	srv_free(s);
}

static void test_heartbeat(void **state)
{
	struct srv *s = srv_start();
	struct vigil_uplink *u = open_uplink(s, NULL);
	json_t *hb =
		json_pack("{s:[{s:s, s:s}], s:[{s:s, s:I}]}", "workloads", "name", "web", "state",
			  "detecting", "sinks", "name", "stdout", "sent", (json_int_t)3);
	json_t *got, *sinks;

	assert_int_equal(vigil_uplink__heartbeat(u, hb), 0);
	json_decref(hb);
	for (int i = 0; i < 200 && !s->heartbeats; i++)
		usleep(20000);
	assert_int_equal(s->heartbeats, 1);
	pthread_mutex_lock(&s->mu);
	got = json_incref(s->last_hb);
	pthread_mutex_unlock(&s->mu);
	assert_null(json_object_get(got, "node")); /* the credential names the node */
	assert_int_equal(json_integer_value(json_object_get(got, "interval_s")), 10);
	assert_true(json_integer_value(json_object_get(got, "seq")) >= 1);
	assert_true(json_is_string(json_object_get(got, "kernel")));
	assert_true(json_is_string(json_object_get(got, "version")));
	assert_true(json_is_integer(json_object_get(got, "uptime_s")));
	assert_true(json_is_object(json_object_get(got, "spool")));
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(got, "workloads"), 0), "state")),
			    "detecting");
	sinks = json_object_get(got, "sinks");
	assert_int_equal(json_array_size(sinks), 2); /* the agent's, and the uplink's own */
	assert_string_equal(json_string_value(json_object_get(json_array_get(sinks, 1), "name")),
			    "cockpit");
	json_decref(got);
	vigil_uplink__free(u, SEC);
	srv_free(s);
}

static void test_413_halves(void **state)
{
	struct srv *s = srv_start();
	struct vigil_uplink *u;
	struct vigil_uplink_stats st;

	s->max_items = 7;
	u = open_uplink(s, &(struct vigil_uplink_opts){ .batch_max = 50 });
	send_alerts(u, 0, 40);
	assert_int_equal(vigil_uplink__flush(u, 10 * SEC), 0);
	assert_ids_in_order(s, 40);
	vigil_uplink__stats(u, &st);
	assert_int_equal(st.rejected[VIGIL_UPLINK_ALERT], 0);
	vigil_uplink__free(u, SEC);
	srv_free(s);
}

static void test_spool_full_reported(void **state)
{
	struct srv *s = srv_start();
	struct vigil_uplink *u;
	struct vigil_uplink_stats st;
	json_t *hl = NULL;

	srv_stop(s);
	u = open_uplink(s, &(struct vigil_uplink_opts){ .spool_max_bytes = 8192 });
	send_alerts(u, 0, 200); /* ~100 bytes each: about 80 fit */
	vigil_uplink__flush(u, SEC / 2);
	vigil_uplink__stats(u, &st);
	assert_true(st.dropped[VIGIL_UPLINK_ALERT] > 50);
	assert_int_equal(st.dropped[VIGIL_UPLINK_ALERT] + st.spool_items, 200);
	assert_int_equal(vigil_uplink__health_alert(u, &hl), 1);
	/* the health alert itself still fits: the reserve */
	assert_int_equal(vigil_uplink__alert(u, hl), -EINVAL); /* it has no alert_id yet */
	json_object_set_new(hl, "alert_id", json_string("ffffffffffffffffffffffffffffffff"));
	assert_int_equal(vigil_uplink__alert(u, hl), 0);
	json_decref(hl);
	srv_listen(s);
	assert_int_equal(vigil_uplink__flush(u, 10 * SEC), 0);
	vigil_uplink__stats(u, &st);
	assert_int_equal(srv_count(s, s->ids), st.spool_items + st.accepted[VIGIL_UPLINK_ALERT]);
	pthread_mutex_lock(&s->mu);
	assert_non_null(json_object_get(s->seen, "ffffffffffffffffffffffffffffffff"));
	pthread_mutex_unlock(&s->mu);
	vigil_uplink__free(u, SEC);
	srv_free(s);
}

static void test_reports_and_profiles(void **state)
{
	struct srv *s = srv_start();
	struct vigil_uplink *u = open_uplink(s, NULL);
	json_t *r = json_pack("{s:s, s:s}", "incident_id", "inc-1", "state", "open");
	json_t *p = json_pack("{s:{s:s, s:s}, s:s, s:s, s:s, s:s, s:s, s:s}", "workload", "name",
			      "web", "namespace", "", "kind", "learned", "name", "web", "digest",
			      "sha256:aa", "signer", "", "completion", "complete", "yaml",
			      "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n");
	json_t *bad = json_pack("{s:s}", "state", "open");

	assert_int_equal(vigil_uplink__report(u, r), 0);
	assert_int_equal(vigil_uplink__report(u, bad), -EINVAL);
	assert_int_equal(vigil_uplink__profile(u, p), 0);
	assert_int_equal(vigil_uplink__profile(u, p), 0); /* the same one: sent once */
	assert_int_equal(vigil_uplink__flush(u, 10 * SEC), 0);
	assert_int_equal(srv_count(s, s->reports), 1);
	assert_int_equal(srv_count(s, s->profiles), 1);
	json_decref(r);
	json_decref(p);
	json_decref(bad);
	vigil_uplink__free(u, SEC);
	srv_free(s);
}

/*
 * An incident open for its whole max_duration carries 8 MiB of events and every alert: over
 * the record limit. It reaches the cockpit with the first and last events and says what was
 * left out (the 10-minute outage run of t8100 lost one: dropped.reports 1).
 */
static void test_huge_report_thinned(void **state)
{
	struct srv *s = srv_start();
	struct vigil_uplink *u = open_uplink(s, NULL);
	struct vigil_uplink_stats st;
	json_t *r = json_pack("{s:s, s:s, s:[], s:[]}", "incident_id", "inc-big", "state", "closed",
			      "events", "alerts");
	json_t *ev = json_object_get(r, "events"), *al = json_object_get(r, "alerts"), *got, *om;
	char pad[400];
	size_t n_ev = 30000, n_al = 2000;

	memset(pad, 'x', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	for (size_t i = 0; i < n_ev; i++)
		json_array_append_new(ev,
				      json_pack("{s:I, s:s}", "seq", (json_int_t)i, "pad", pad));
	for (size_t i = 0; i < n_al; i++)
		json_array_append_new(al,
				      json_pack("{s:I, s:s}", "seq", (json_int_t)i, "pad", pad));
	assert_int_equal(vigil_uplink__report(u, r), 0);
	assert_int_equal(vigil_uplink__flush(u, 20 * SEC), 0);
	vigil_uplink__stats(u, &st);
	assert_int_equal(st.dropped[VIGIL_UPLINK_REPORT], 0);
	assert_int_equal(st.reports_thinned, 1);
	assert_int_equal(srv_count(s, s->reports), 1);
	pthread_mutex_lock(&s->mu);
	got = json_array_get(s->reports, 0);
	om = json_object_get(got, "uplink_omitted");
	assert_non_null(om);
	ev = json_object_get(got, "events");
	/* the first and the last events are kept, the middle left out and counted */
	assert_true(json_array_size(ev) > 1000);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(ev, 0), "seq")), 0);
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(ev, json_array_size(ev) - 1), "seq")),
			 n_ev - 1);
	assert_int_equal(json_array_size(ev) +
				 (size_t)json_integer_value(json_object_get(om, "events")),
			 n_ev);
	assert_int_equal(json_integer_value(json_object_get(om, "alerts")), 0);
	assert_int_equal(json_array_size(json_object_get(got, "alerts")), n_al);
	pthread_mutex_unlock(&s->mu);
	/* alerts alone over the limit: thinned too, the first and last kept */
	json_object_set_new(r, "incident_id", json_string("inc-alerts"));
	json_object_set_new(r, "events", json_array());
	json_object_set_new(r, "alerts", json_array());
	for (size_t i = 0; i < n_ev; i++)
		json_array_append_new(json_object_get(r, "alerts"),
				      json_pack("{s:I, s:s}", "seq", (json_int_t)i, "pad", pad));
	assert_int_equal(vigil_uplink__report(u, r), 0);
	assert_int_equal(vigil_uplink__flush(u, 20 * SEC), 0);
	pthread_mutex_lock(&s->mu);
	got = json_array_get(s->reports, 1);
	assert_true(json_integer_value(
			    json_object_get(json_object_get(got, "uplink_omitted"), "alerts")) > 0);
	pthread_mutex_unlock(&s->mu);
	json_decref(r);
	vigil_uplink__free(u, SEC);
	srv_free(s);
}

static void test_urls_and_tokens(void **state)
{
	struct vigil_uplink_opts o = { .url = "https://cockpit.example.org:7443",
				       .spool_dir = spool,
				       .token_file = tokfile };
	struct vigil_error err = { 0 };
	struct vigil_uplink *u = NULL;
	char why[256];

	assert_int_equal(vigil_uplink__check_url("https://cockpit:7443", why, sizeof(why)), 0);
	assert_int_equal(vigil_uplink__check_url("http://127.0.0.1:7070", why, sizeof(why)), 0);
	assert_int_equal(vigil_uplink__check_url("http://[::1]:7070/", why, sizeof(why)), 0);
	assert_int_equal(vigil_uplink__check_url("http://localhost:7070", why, sizeof(why)), 0);
	assert_int_equal(vigil_uplink__check_url("http://10.0.0.5:7070", why, sizeof(why)),
			 -EINVAL);
	assert_non_null(strstr(why, "only allowed to a loopback"));
	assert_int_equal(vigil_uplink__check_url("ftp://cockpit", why, sizeof(why)), -EINVAL);
	assert_int_equal(vigil_uplink__check_url("https://u:p@cockpit", why, sizeof(why)), -EINVAL);
	assert_int_equal(vigil_uplink__check_url("cockpit:7070", why, sizeof(why)), -EINVAL);
	assert_int_equal(vigil_uplink__check_url("", why, sizeof(why)), -EINVAL);
	/* a token everyone can read, or too short, is refused at open */
	write_token(tokfile, "node-a-token-0123456789", 0644);
	assert_int_equal(vigil_uplink__open(&o, &u, &err), -EPERM);
	assert_non_null(strstr(err.message, "chmod 600"));
	write_token(tokfile, "short", 0600);
	assert_int_equal(vigil_uplink__open(&o, &u, &err), -EINVAL);
	o.token_file = NULL;
	assert_int_equal(vigil_uplink__open(&o, &u, &err), -EINVAL);
	assert_non_null(strstr(err.message, "token_file or a join_token_file"));
	assert_null(u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_delivery_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outage_then_replay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_agent_restart_replays_spool, setup, teardown),
		cmocka_unit_test_setup_teardown(test_5xx_retried_4xx_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_item_rejected_and_duplicates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_revoked_token_kept_then_replaced, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_enrolment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_join_token_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_heartbeat, setup, teardown),
		cmocka_unit_test_setup_teardown(test_heartbeat_too_many_workloads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_413_halves, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spool_full_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reports_and_profiles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_huge_report_thinned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_urls_and_tokens, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
