// SPDX-License-Identifier: Apache-2.0
/*
 * The fleet part of the SQLite store: alerts unique by node and alert_id (not by incident, time
 * and rule; not by alert_id across the fleet), alerts without an incident (linear, one derived incident per node, workload and
 * hour), heartbeats and workloads, profiles, credentials, and a schema-1 file brought up to
 * date without losing its rows.
 */
#include <errno.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "vigil/store.h"
#include "vigil/store_fleet.h"

#define STORE_FIXTURE_NAME "fleet"
#include "store_fixture.h"

/* An alert of workload "web" at the given second; id n. */
static json_t *alert(unsigned n, const char *incident, const char *time)
{
	char id[33];
	json_t *a;

	snprintf(id, sizeof(id), "%032x", n);
	a = json_pack("{s:s, s:s, s:s, s:s, s:i, s:s, s:{s:s, s:s}, s:{s:i, s:s}}", "alert_id", id,
		      "time", time, "rule_id", "R0001", "rule_name", "Unexpected process launched",
		      "severity", 1, "message", "unexpected process", "workload", "id", "w-web",
		      "name", "web", "process", "pid", 100 + (int)n, "comm", "sh");
	if (incident)
		json_object_set_new(a, "incident_id", json_string(incident));
	return a;
}

static void rfc3339_now(char *buf, size_t size, int offset_s)
{
	time_t t = time(NULL) + offset_s;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%S.000000000Z", &tm);
}

static size_t ingest(struct vigil_store *s, const char *node, json_t *arr, size_t *dups)
{
	struct vigil_ingest in = { .node = node, .now_ns = now_ns(), .need_alert_id = true };
	struct vigil_item_result *res = calloc(json_array_size(arr) + 1, sizeof(*res));
	size_t ok = 0;

	assert_non_null(res);
	assert_int_equal(vigil_store__ingest_alerts(s, &in, arr, res), 0);
	*dups = 0;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		ok += res[i].status == 0;
		*dups += res[i].status == 1;
	}
	free(res);
	return ok;
}

/* 15 distinct alerts sharing incident, second and rule: 15 rows; sent again: 15 duplicates. */
static void test_alert_ids(void **state)
{
	struct vigil_store *s;
	struct vigil_query f = { 0 };
	char t[64];
	json_t *arr = json_array(), *got, *list;
	size_t dups;

	rfc3339_now(t, sizeof(t), -10);
	for (unsigned i = 1; i <= 15; i++)
		json_array_append_new(arr, alert(i, "00aa", t));
	assert_int_equal(vigil_store__open(spec, NULL, &s, NULL), 0);
	assert_int_equal(ingest(s, "node-a", arr, &dups), 15);
	assert_int_equal(dups, 0);
	assert_int_equal(vigil_store__flush(s, NULL), 0);
	assert_int_equal(ingest(s, "node-a", arr, &dups), 0);
	assert_int_equal(dups, 15);
	assert_int_equal(vigil_store__flush(s, NULL), 0);
	/* the incident exists (a placeholder until its report comes) and has all 15 */
	assert_int_equal(vigil_store__get(s, "00aa", &got, NULL), 0);
	assert_int_equal(json_array_size(json_object_get(got, "alerts")), 15);
	json_decref(got);
	f.node = "node-a";
	assert_int_equal(vigil_store__alerts(s, &f, &list, NULL), 0);
	assert_int_equal(json_array_size(list), 15);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "node")),
			    "node-a");
	json_decref(list);
	/* a missing or malformed alert_id is refused, the rest of the batch stored */
	{
		struct vigil_ingest in = { .node = "node-a",
					   .now_ns = now_ns(),
					   .need_alert_id = true };
		struct vigil_item_result res[3];
		json_t *b = json_array();

		json_array_append_new(b, alert(99, NULL, t));
		json_array_append_new(b, alert(100, NULL, t));
		json_object_del(json_array_get(b, 0), "alert_id");
		json_object_set_new(json_array_get(b, 1), "alert_id", json_string("XYZ"));
		json_array_append_new(b, alert(101, NULL, t));
		assert_int_equal(vigil_store__ingest_alerts(s, &in, b, res), 0);
		assert_true(res[0].status < 0 && strstr(res[0].why, "alert_id missing"));
		assert_true(res[1].status < 0 && strstr(res[1].why, "32 lower-case hex"));
		assert_int_equal(res[2].status, 0);
		json_decref(b);
	}
	vigil_store__free(s);
	json_decref(arr);
}

static void put_report(struct vigil_store *s, const char *id)
{
	struct vigil_ingest in = { .node = "node-a", .now_ns = now_ns() };
	struct vigil_item_result res;
	json_t *r = json_pack("{s:s, s:s, s:s}", "incident_id", id, "state", "closed", "summary",
			      "a report");

	assert_int_equal(vigil_store__ingest_report(s, &in, r, &res), 0);
	assert_int_equal(res.status, 0);
	json_decref(r);
}

/*
 * Retention deletes the incidents whose last arrival is oldest: an alert acknowledged into an
 * incident that opened long ago is as new as it gets (before, the incident was judged by its
 * first arrival, and the commit that stored the alert deleted it with the alert).
 */
static void test_retention_by_activity(void **state)
{
	struct vigil_store *s;
	struct vigil_store_opts o;
	char t[64];
	json_t *arr, *got;
	size_t dups;

	vigil_store_opts__init(&o);
	o.max_incidents = 2;
	rfc3339_now(t, sizeof(t), -10);
	assert_int_equal(vigil_store__open(spec, &o, &s, NULL), 0);
	arr = json_pack("[o]", alert(1, "00aa", t));
	assert_int_equal(ingest(s, "node-a", arr, &dups), 1);
	json_decref(arr);
	assert_int_equal(vigil_store__flush(s, NULL), 0);
	put_report(s, "00bb");
	assert_int_equal(vigil_store__flush(s, NULL), 0);
	/* one commit: a new alert of the first incident and a third incident */
	arr = json_pack("[o]", alert(2, "00aa", t));
	assert_int_equal(ingest(s, "node-a", arr, &dups), 1);
	json_decref(arr);
	put_report(s, "00cc");
	assert_int_equal(vigil_store__flush(s, NULL), 0);
	/* the alert just acknowledged is kept; the incident nothing arrived for since goes */
	assert_int_equal(vigil_store__get(s, "00aa", &got, NULL), 0);
	assert_int_equal(json_array_size(json_object_get(got, "alerts")), 2);
	json_decref(got);
	assert_int_equal(vigil_store__get(s, "00bb", &got, NULL), -ENOENT);
	assert_int_equal(vigil_store__get(s, "00cc", &got, NULL), 0);
	json_decref(got);
	vigil_store__free(s);
}

/*
 * Times ahead of the cockpit's clock count as the arrival (kept as sent in time_given /
 * opened_ns_given): before, a node whose clock ran a day ahead kept its alerts and incidents
 * on top of every newest-first list for a day. Within 5 minutes a time stays as sent; a
 * re-sent alert is still a duplicate.
 */
static void test_future_times(void **state)
{
	struct vigil_store *s;
	struct vigil_query f = { 0 };
	struct vigil_ingest in = { .node = "node-a", .now_ns = now_ns() };
	struct vigil_item_result res;
	char ahead[64], near[64], now_year[64];
	json_t *arr, *list, *got, *r;
	uint64_t t0 = now_ns();
	size_t dups;

	rfc3339_now(ahead, sizeof(ahead), 86400);
	rfc3339_now(near, sizeof(near), 120);
	rfc3339_now(now_year, sizeof(now_year), 0);
	assert_int_equal(vigil_store__open(spec, NULL, &s, NULL), 0);
	/* and a time past what nanoseconds hold, which wrapped around into 2035 before */
	arr = json_pack("[o, o, o]", alert(1, NULL, ahead), alert(2, NULL, near),
			alert(3, NULL, "2610-01-01T00:00:00Z"));
	assert_int_equal(ingest(s, "node-a", arr, &dups), 3);
	json_decref(arr);
	arr = json_pack("[o]", alert(1, NULL, ahead)); /* sent again, later */
	assert_int_equal(ingest(s, "node-a", arr, &dups), 0);
	assert_int_equal(dups, 1);
	json_decref(arr);
	r = json_pack("{s:s, s:I, s:s}", "incident_id", "00ff", "opened_ns",
		      (json_int_t)(t0 + 86400ull * 1000000000ull), "summary", "from the future");
	assert_int_equal(vigil_store__ingest_report(s, &in, r, &res), 0);
	json_decref(r);
	assert_int_equal(vigil_store__flush(s, NULL), 0);
	f.node = "node-a";
	assert_int_equal(vigil_store__alerts(s, &f, &list, NULL), 0);
	assert_int_equal(json_array_size(list), 3);
	for (size_t i = 0; i < 3; i++) {
		const json_t *a = json_array_get(list, i);
		const char *id = json_string_value(json_object_get(a, "alert_id"));

		if (id[31] != '2') { /* ahead: arrival, and the time as sent kept */
			assert_true(json_is_string(json_object_get(a, "time_given")));
			assert_string_equal(json_string_value(json_object_get(a, "time_given")),
					    id[31] == '1' ? ahead : "2610-01-01T00:00:00Z");
			assert_string_not_equal(
				json_string_value(json_object_get(a, "time")),
				json_string_value(json_object_get(a, "time_given")));
			assert_true(strncmp(json_string_value(json_object_get(a, "time")), now_year,
					    4) == 0);
		} else {
			assert_string_equal(json_string_value(json_object_get(a, "time")), near);
			assert_null(json_object_get(a, "time_given"));
		}
	}
	json_decref(list);
	assert_int_equal(vigil_store__get(s, "00ff", &got, NULL), 0);
	assert_true((uint64_t)json_integer_value(json_object_get(got, "opened_ns")) <
		    now_ns() + 1000000000ull);
	json_decref(got);
	vigil_store__free(s);
}

/* Alerts without an incident: one incident per node, workload and hour, counted, linear. */
static void test_loose_alerts(void **state)
{
	struct vigil_store *s;
	struct vigil_query f = { 0 };
	char t[64], id_a[33], id_b[33];
	json_t *list, *arr;
	size_t dups, total = 0;

	rfc3339_now(t, sizeof(t), -1);
	assert_int_equal(vigil_store__open(spec, NULL, &s, NULL), 0);
	for (unsigned batch = 0; batch < 20; batch++) {
		arr = json_array();
		for (unsigned i = 0; i < 500; i++)
			json_array_append_new(arr, alert(batch * 1000 + i + 1, NULL, t));
		total += ingest(s, "node-a", arr, &dups);
		assert_int_equal(vigil_store__flush(s, NULL), 0);
		json_decref(arr);
	}
	assert_int_equal(total, 10000);
	assert_int_equal(vigil_store__incidents(s, &f, &list, NULL), 0);
	assert_int_equal(json_array_size(list), 1);
	assert_int_equal(
		json_integer_value(json_object_get(json_array_get(list, 0), "alert_count")), 10000);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "node")),
			    "node-a");
	/* the id is the derived one: any cockpit computes the same */
	{
		json_t *a = alert(1, NULL, t);

		vigil_store__loose_incident_id("node-a", a, now_ns(), id_a);
		vigil_store__loose_incident_id("node-b", a, now_ns(), id_b);
		assert_string_not_equal(id_a, id_b);
		json_decref(a);
	}
	json_decref(list);
	f.rule = "R0001";
	assert_int_equal(vigil_store__incidents(s, &f, &list, NULL), 0);
	assert_int_equal(json_array_size(list), 1);
	json_decref(list);
	f.rule = "R9999";
	assert_int_equal(vigil_store__incidents(s, &f, &list, NULL), 0);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
	/* alert ids are unique per node: another node's alert of the same id is its own (in its
	 * own incident), and node-a's re-send is still a duplicate */
	arr = json_array();
	json_array_append_new(arr, alert(1, NULL, t));
	assert_int_equal(ingest(s, "node-b", arr, &dups), 1);
	assert_int_equal(ingest(s, "node-b", arr, &dups), 0);
	assert_int_equal(dups, 1);
	json_decref(arr);
	arr = json_array(); /* ingest completed the other in place (node-b's incident) */
	json_array_append_new(arr, alert(1, NULL, t));
	assert_int_equal(ingest(s, "node-a", arr, &dups), 0);
	assert_int_equal(dups, 1);
	json_decref(arr);
	assert_int_equal(vigil_store__flush(s, NULL), 0);
	f.rule = NULL;
	assert_int_equal(vigil_store__incidents(s, &f, &list, NULL), 0);
	assert_int_equal(json_array_size(list), 2);
	json_decref(list);
	vigil_store__free(s);
}

static json_t *heartbeat(const char *wl_name, const char *state)
{
	return json_pack("{s:s, s:i, s:i, s:s, s:s, s:i, s:{s:i, s:{s:i, s:i}}, s:[{s:s, s:i}],"
			 " s:{s:i}, s:[{s:s, s:s, s:s, s:s, s:{s:s, s:s}}]}",
			 "time", "2026-11-22T10:00:00Z", "seq", 1, "interval_s", 10, "version",
			 "0.1", "kernel", "6.18.0", "uptime_s", 100, "sensor", "events", 5, "drops",
			 "ringbuf", 2, "rate", 3, "sinks", "name", "cockpit", "failed", 4, "spool",
			 "dropped", 1, "workloads", "id", wl_name, "name", wl_name, "namespace",
			 "prod", "state", state, "profile", "name", wl_name, "digest", "sha256:00");
}

static void test_heartbeats(void **state)
{
	struct vigil_store *s;
	struct vigil_query f = { .now_ns = now_ns() };
	json_t *hb = heartbeat("web", "learning"), *list, *n;
	struct vigil_credential c = { .kind = "node", .node = "node-c", .version = 1 };

	assert_int_equal(vigil_store__open(spec, NULL, &s, NULL), 0);
	assert_int_equal(vigil_store__put_heartbeat(s, "node-a", hb, now_ns()), 0);
	json_decref(hb);
	hb = heartbeat("db", "detecting");
	assert_int_equal(vigil_store__put_heartbeat(s, "node-b", hb, now_ns() - 60000000000ull), 0);
	json_decref(hb);
	memset(c.token_hash, 'a', 64);
	assert_int_equal(vigil_store__put_credential(s, &c), 0);
	assert_int_equal(vigil_store__flush(s, NULL), 0);
	assert_int_equal(vigil_store__nodes(s, &f, &list, NULL), 0);
	assert_int_equal(json_array_size(list), 3);
	n = json_array_get(list, 0);
	assert_string_equal(json_string_value(json_object_get(n, "name")), "node-a");
	assert_string_equal(json_string_value(json_object_get(n, "status")), "online");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(n, "health"), "drops")),
			 5);
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(n, "health"), "sink_failures")),
		4);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 1), "status")),
			    "stale");
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 2), "status")),
			    "offline");
	assert_string_equal(
		json_string_value(json_object_get(json_array_get(list, 2), "credential")),
		"active");
	json_decref(list);
	/* the workload list is the node's current state: a new heartbeat replaces it */
	hb = heartbeat("api", "detecting");
	assert_int_equal(vigil_store__put_heartbeat(s, "node-b", hb, now_ns()), 0);
	json_decref(hb);
	assert_int_equal(vigil_store__flush(s, NULL), 0);
	f.node = "node-b";
	assert_int_equal(vigil_store__workloads(s, &f, &list, NULL), 0);
	assert_int_equal(json_array_size(list), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "name")),
			    "api");
	json_decref(list);
	assert_int_equal(vigil_store__nodes(s, &f, &list, NULL), 0);
	assert_int_equal(json_array_size(list), 1);
	assert_string_equal(
		json_string_value(json_object_get(
			json_object_get(json_array_get(list, 0), "heartbeat"), "kernel")),
		"6.18.0");
	json_decref(list);
	vigil_store__free(s);
}

/*
 * A node cannot keep itself "online" after it stops: the interval it announces is bounded by
 * what an agent may configure (1 s to 1 h). Before, one heartbeat saying interval_s 10^9 (or
 * -1) and then silence (the agent killed) kept the node online for decades.
 */
static void test_heartbeat_interval_bound(void **state)
{
	static const json_int_t said[] = { 1000000000, -1, 4000 };
	static const char *const want[] = { "offline", "offline", "online" };
	struct vigil_store *s;
	struct vigil_query f = { .now_ns = now_ns() };
	json_t *list;

	assert_int_equal(vigil_store__open(spec, NULL, &s, NULL), 0);
	for (int i = 0; i < 3; i++) {
		json_t *hb = heartbeat("web", "detecting");
		char node[24];

		snprintf(node, sizeof(node), "node-%d", i);
		json_object_set_new(hb, "interval_s", json_integer(said[i]));
		/* the first two fell silent 3 h ago, the third 1 h ago (within 2 x its 1 h) */
		assert_int_equal(vigil_store__put_heartbeat(s, node, hb,
							    f.now_ns - (i < 2 ? 3ull : 1ull) *
									       3600000000000ull),
				 0);
		json_decref(hb);
	}
	assert_int_equal(vigil_store__flush(s, NULL), 0);
	assert_int_equal(vigil_store__nodes(s, &f, &list, NULL), 0);
	assert_int_equal(json_array_size(list), 3);
	for (int i = 0; i < 3; i++)
		assert_string_equal(json_string_value(json_object_get(
					    json_array_get(list, (size_t)i), "status")),
				    want[i]);
	json_decref(list);
	vigil_store__free(s);
}

static void test_profiles_and_credentials(void **state)
{
	struct vigil_store *s;
	struct vigil_query f = { 0 };
	json_t *p = json_pack("{s:{s:s, s:s}, s:s, s:s, s:s, s:s, s:s, s:s}", "workload", "name",
			      "web", "namespace", "prod", "kind", "learned", "name", "web",
			      "digest", "sha256:aa", "signer", "", "completion", "complete", "yaml",
			      "kind: ApplicationProfile\n");
	struct vigil_credential c = { .kind = "join", .uses = 2, .version = 5 };
	json_t *list;
	bool dup;
	uint64_t n;

	assert_int_equal(vigil_store__open(spec, NULL, &s, NULL), 0);
	assert_int_equal(vigil_store__put_profile(s, "node-a", p, now_ns(), &dup), 0);
	assert_false(dup);
	assert_int_equal(vigil_store__put_profile(s, "node-a", p, now_ns(), &dup), 0);
	assert_true(dup);
	json_object_set_new(p, "digest", json_string("sha256:bb"));
	assert_int_equal(vigil_store__put_profile(s, "node-a", p, now_ns() + 1, &dup), 0);
	assert_false(dup);
	memset(c.token_hash, 'b', 64);
	assert_int_equal(vigil_store__put_credential(s, &c), 0);
	assert_int_equal(vigil_store__put_enrolment(s, c.token_hash, "node-x", "t", now_ns()), 0);
	assert_int_equal(vigil_store__flush(s, NULL), 0);
	assert_int_equal(vigil_store__profiles(s, &f, &list, NULL), 0);
	assert_int_equal(json_array_size(list), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "digest")),
			    "sha256:bb");
	assert_true(json_is_true(json_object_get(json_array_get(list, 0), "current")));
	assert_true(json_is_false(json_object_get(json_array_get(list, 1), "current")));
	json_decref(list);
	assert_int_equal(vigil_store__profile(s, "sha256:aa", &list, NULL), 0);
	assert_string_equal(json_string_value(json_object_get(list, "yaml")),
			    "kind: ApplicationProfile\n");
	json_decref(list);
	assert_int_equal(vigil_store__profile(s, "sha256:cc", &list, NULL), -ENOENT);
	/* a newer row of the same token supersedes it (revocation) */
	c.revoked_ns = 7;
	c.version = 9;
	assert_int_equal(vigil_store__put_credential(s, &c), 0);
	assert_int_equal(vigil_store__flush(s, NULL), 0);
	assert_int_equal(vigil_store__credentials(s, 0, &list, NULL), 0);
	assert_int_equal(json_array_size(list), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "revoked_ns")),
			 7);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "enrolments")),
			 1);
	json_decref(list);
	assert_int_equal(vigil_store__credentials(s, 10, &list, NULL), 0);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
	assert_int_equal(vigil_store__enrolments(s, c.token_hash, &n, NULL), 0);
	assert_int_equal(n, 1);
	vigil_store__free(s);
	json_decref(p);
}

/* A file written by schema 1 (alerts unique by incident, time and rule) is brought up to date. */
static void test_migrate_schema1(void **state)
{
	static const char v1[] =
		"CREATE TABLE incidents (incident_id TEXT, version INTEGER, state TEXT, "
		"workload_id TEXT, workload_name TEXT, cgroup_id INTEGER, cgroup TEXT, container_id "
		"TEXT, host TEXT, opened_ns INTEGER, start_ns INTEGER, end_ns INTEGER, closed_ns "
		"INTEGER, alert_count INTEGER, event_count INTEGER, events_dropped INTEGER, bytes "
		"INTEGER, rules TEXT, languages TEXT, summary TEXT, PRIMARY KEY (incident_id));"
		"CREATE TABLE alerts (incident_id TEXT, version INTEGER, time_ns INTEGER, rule_id "
		"TEXT, rule_name TEXT, severity INTEGER, message TEXT, pid INTEGER, comm TEXT, record "
		"TEXT, UNIQUE (incident_id, time_ns, rule_id));"
		"INSERT INTO incidents VALUES ('0abc', 1, 'open', 'w', 'web', 0, '', '', 'host-1', "
		"5, 5, 6, 0, 1, 0, 0, 0, '[\"R0001\"]', '[]', 'old incident');"
		"INSERT INTO alerts VALUES ('0abc', 0, 5, 'R0001', 'n', 1, 'm', 1, 'sh', "
		"'{\"alert_id\":\"0000000000000000000000000000beef\",\"rule_id\":\"R0001\","
		"\"node\":\"host-1\"}');"
		"PRAGMA user_version = 1;";
	struct vigil_store *s;
	struct vigil_error err;
	sqlite3 *db;
	json_t *got;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, v1, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(vigil_store__open(spec, NULL, &s, &err), 0);
	assert_int_equal(vigil_store__get(s, "0abc", &got, &err), 0);
	assert_string_equal(json_string_value(json_object_get(got, "summary")), "old incident");
	assert_string_equal(json_string_value(json_object_get(got, "node")), "host-1");
	assert_int_equal(json_array_size(json_object_get(got, "alerts")), 1);
	json_decref(got);
	{
		/* the migrated alert keeps its id and node: sent again by its node, a duplicate */
		struct vigil_ingest in = { .node = "host-1", .now_ns = now_ns() };
		struct vigil_item_result res[1];
		json_t *a = json_pack("[{s:s, s:s, s:s, s:s}]", "alert_id",
				      "0000000000000000000000000000beef", "rule_id", "R0001",
				      "incident_id", "0abc", "time", "2026-11-22T10:00:00Z");

		assert_int_equal(vigil_store__ingest_alerts(s, &in, a, res), 0);
		assert_int_equal(res[0].status, 1);
		json_decref(a);
	}
	vigil_store__free(s);
}

/* An alert of node's workload at t_ns (whole seconds) with this severity, in incident inc. */
static json_t *alert_at(unsigned n, const char *inc, uint64_t t_ns, int severity)
{
	time_t t = (time_t)(t_ns / 1000000000ull);
	char stamp[64];
	struct tm tm;
	json_t *a;

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S.000000000Z", &tm);
	a = alert(n, inc, stamp);
	json_object_set_new(a, "severity", json_integer(severity));
	return a;
}

/* A node is listed once it sent a heartbeat: one, then its alerts of the hour before q_ns. */
static json_int_t node_alerts_1h(struct vigil_store *s, uint64_t q_ns, const char *node)
{
	struct vigil_query f = { .now_ns = q_ns };
	json_t *list = NULL, *n;
	json_t *hb = json_pack("{s:i}", "interval_s", 10);
	json_int_t v = -1;
	size_t i;

	assert_int_equal(vigil_store__put_heartbeat(s, node, hb, q_ns), 0);
	assert_int_equal(vigil_store__flush(s, NULL), 0);
	json_decref(hb);
	assert_int_equal(vigil_store__nodes(s, &f, &list, NULL), 0);
	json_array_foreach(list, i, n)
	{
		if (!strcmp(json_string_value(json_object_get(n, "name")), node))
			v = json_integer_value(json_object_get(n, "alerts_1h"));
	}
	json_decref(list);
	f.node = node; /* one node: the same count */
	assert_int_equal(vigil_store__nodes(s, &f, &list, NULL), 0);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "alerts_1h")),
			 v);
	json_decref(list);
	return v;
}

/* Sum of count, high and mid over the series of [since, until) in buckets of bucket_s. */
static void series_sums(struct vigil_store *s, const char *node, const char *rule, uint64_t since,
			uint64_t until, uint64_t bucket_s, json_int_t out[3])
{
	struct vigil_query f = { .since_ns = since, .until_ns = until, .node = node, .rule = rule };
	json_t *series = NULL, *e;
	size_t i;

	assert_int_equal(vigil_store__alert_counts(s, &f, bucket_s * 1000000000ull, &series, NULL),
			 0);
	out[0] = out[1] = out[2] = 0;
	json_array_foreach(series, i, e)
	{
		out[0] += json_integer_value(json_object_get(e, "count"));
		out[1] += json_integer_value(json_object_get(e, "high"));
		out[2] += json_integer_value(json_object_get(e, "mid"));
	}
	json_decref(series);
}

/*
 * The fleet page's alerts of the last hour and the counts over time come from counters per
 * node and minute (added to as alerts are written, taken off by a trigger as they are deleted) plus the alerts of the
 * part-minute at the start or end: exact at any boundary, duplicates counted once, and equal to
 * counting the alerts themselves (a rule filter, which the counters cannot answer).
 */
static void test_alert_counters(void **state)
{
	uint64_t m = now_ns() / 60000000000ull * 60000000000ull, sec = 1000000000ull;
	uint64_t q = m + 50 * sec, since = q - 3600 * sec; /* 50 s into a minute */
	struct vigil_store *s;
	json_int_t a[3], b[3];
	json_t *arr;
	size_t dups;

	assert_int_equal(vigil_store__open(spec, NULL, &s, NULL), 0);
	/* node-a: one just before the hour (same minute as its start), four inside */
	arr = json_pack("[o, o, o, o, o, o]", alert_at(1, "0a01", since - 5 * sec, 9),
			alert_at(2, "0a01", since + 5 * sec, 9),
			alert_at(3, "0a01", since + 10 * sec, 5),
			alert_at(8, "0a01", since + 30 * sec, 1),
			alert_at(4, "0a02", m - 10 * sec, 1), alert_at(5, "0a02", m, 8));
	assert_int_equal(ingest(s, "node-a", arr, &dups), 6);
	json_decref(arr);
	arr = json_pack("[o, o]", alert_at(6, "0b01", since + 5 * sec, 4),
			alert_at(7, "0b01", m + 40 * sec, 1));
	assert_int_equal(ingest(s, "node-b", arr, &dups), 2);
	assert_int_equal(vigil_store__flush(s, NULL), 0);
	/* sent again: duplicates, counted once */
	assert_int_equal(ingest(s, "node-b", arr, &dups), 0);
	assert_int_equal(dups, 2);
	json_decref(arr);
	assert_int_equal(vigil_store__flush(s, NULL), 0);
	assert_int_equal(node_alerts_1h(s, q, "node-a"), 5);
	assert_int_equal(node_alerts_1h(s, q, "node-b"), 2);
	/* 24 h in hours (counters and the last part-minute) and by rule (the alerts) agree */
	series_sums(s, NULL, NULL, (q - 86400 * sec) / (3600 * sec) * 3600 * sec, q, 3600, a);
	series_sums(s, NULL, "R0001", (q - 86400 * sec) / (3600 * sec) * 3600 * sec, q, 3600, b);
	assert_int_equal(a[0], 8);
	assert_memory_equal(a, b, sizeof(a));
	assert_int_equal(a[1], 3); /* severity 9, 9, 8 */
	assert_int_equal(a[2], 2); /* 5, 4 */
	/* a window ending 2 s into a minute: its whole minute from the counters, then only the
	 * alerts before its end (not the one at since + 30 s) */
	series_sums(s, "node-a", NULL, since - since % (60 * sec), since + 12 * sec, 60, a);
	assert_int_equal(a[0], 3);
	series_sums(s, "node-b", NULL, since - since % (60 * sec), q, 60, a);
	series_sums(s, "node-b", "R0001", since - since % (60 * sec), q, 60, b);
	assert_int_equal(a[0], 2); /* since + 5 s and m + 40 s */
	assert_memory_equal(a, b, sizeof(a));
	vigil_store__free(s);
}

/* Counters and alerts as the file holds them: equal, and no empty minute kept. */
static void assert_counters_match(void)
{
	sqlite3 *db;
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(
		sqlite3_prepare_v2(
			db,
			"SELECT (SELECT count(*) FROM alerts), (SELECT sum(n) FROM alert_minutes), "
			"(SELECT sum(n) FROM fleet_minutes), (SELECT count(*) FROM alert_minutes "
			"WHERE n = 0), (SELECT count(*) FROM (SELECT node, time_ns / 60000000000 AS m, "
			"count(*) AS k FROM alerts GROUP BY node, m) AS x LEFT JOIN alert_minutes AS "
			"c ON c.node = x.node AND c.minute = x.m WHERE c.n IS NOT x.k)",
			-1, &st, NULL),
		SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_true(sqlite3_column_int64(st, 0) > 0);
	assert_int_equal(sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1));
	assert_int_equal(sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 2));
	assert_int_equal(sqlite3_column_int64(st, 3), 0);
	assert_int_equal(sqlite3_column_int64(st, 4), 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* Retention deletes alerts: their counts go with them. A schema-4 file is counted once. */
static void test_counters_deletes_and_upgrade(void **state)
{
	uint64_t t = now_ns() - 7200000000000ull;
	struct vigil_store_opts o;
	struct vigil_store *s;
	sqlite3 *db;
	json_t *arr;
	size_t dups;

	vigil_store_opts__init(&o);
	o.max_incidents = 2;
	assert_int_equal(vigil_store__open(spec, &o, &s, NULL), 0);
	for (unsigned k = 0; k < 4; k++) {
		char inc[8];

		snprintf(inc, sizeof(inc), "0c0%u", k);
		arr = json_pack("[o, o]", alert_at(10 * k + 1, inc, t + k * 61000000000ull, 9),
				alert_at(10 * k + 2, inc, t + k * 61000000000ull, 2));
		assert_int_equal(ingest(s, "node-a", arr, &dups), 2);
		json_decref(arr);
		assert_int_equal(vigil_store__flush(s, NULL), 0);
	}
	assert_int_equal(node_alerts_1h(s, t + 3600000000000ull, "node-a"), 4);
	vigil_store__free(s);
	assert_counters_match();
	/* as an older vigil left it: no counters */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
				      "DROP TRIGGER alerts_uncounted; "
				      "DROP TABLE alert_minutes; DROP TABLE fleet_minutes; "
				      "PRAGMA user_version = 4;",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(vigil_store__open(spec, NULL, &s, NULL), 0);
	assert_int_equal(node_alerts_1h(s, t + 3600000000000ull, "node-a"), 4);
	vigil_store__free(s);
	assert_counters_match();
}

/*
 * A schema-5 file (its counters kept by a trigger per inserted alert) is brought to 6 in place:
 * the trigger goes (else every alert from then on counts twice), what it counted is counted
 * once, and the alerts written after the upgrade are counted by the writer, once.
 */
static void test_counters_upgrade_from_5(void **state)
{
	uint64_t t = now_ns() - 600000000000ull, sec = 1000000000ull;
	struct vigil_store *s;
	sqlite3 *db;
	sqlite3_stmt *st;
	json_t *arr;
	size_t dups;

	assert_int_equal(vigil_store__open(spec, NULL, &s, NULL), 0);
	arr = json_pack("[o, o, o]", alert_at(1, "0d01", t, 9), alert_at(2, "0d01", t + sec, 5),
			alert_at(3, "0d01", t + 61 * sec, 1));
	assert_int_equal(ingest(s, "node-a", arr, &dups), 3);
	json_decref(arr);
	assert_int_equal(vigil_store__flush(s, NULL), 0);
	vigil_store__free(s);
	/* as schema 5 left it: the insert trigger, and counters it kept off by one here (a
	 * recount must replace them, not add to them) */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(
		sqlite3_exec(
			db,
			"CREATE TRIGGER alerts_counted AFTER INSERT ON alerts BEGIN INSERT INTO "
			"alert_minutes VALUES (new.time_ns / 60000000000, new.node, 1, 0, 0) ON "
			"CONFLICT (node, minute) DO UPDATE SET n = n + 1; INSERT INTO "
			"fleet_minutes VALUES (new.time_ns / 60000000000, 1, 0, 0) ON CONFLICT "
			"(minute) DO UPDATE SET n = n + 1; END; UPDATE alert_minutes SET n = n + "
			"1; UPDATE fleet_minutes SET n = n + 1; PRAGMA user_version = 5;",
			NULL, NULL, NULL),
		SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(vigil_store__open(spec, NULL, &s, NULL), 0);
	assert_counters_match();
	arr = json_pack("[o, o]", alert_at(4, "0d01", t + 2 * sec, 8),
			alert_at(5, "0d02", t + 200 * sec, 1));
	assert_int_equal(ingest(s, "node-a", arr, &dups), 2);
	json_decref(arr);
	assert_int_equal(vigil_store__flush(s, NULL), 0);
	assert_int_equal(node_alerts_1h(s, t + 3000 * sec, "node-a"), 5);
	vigil_store__free(s);
	assert_counters_match();
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(
		sqlite3_prepare_v2(
			db,
			"SELECT (SELECT count(*) FROM sqlite_master WHERE type = "
			"'trigger' AND name = 'alerts_counted'), (SELECT "
			"user_version FROM pragma_user_version), (SELECT sum(high) FROM fleet_minutes)",
			-1, &st, NULL),
		SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int64(st, 0), 0);
	assert_int_equal(sqlite3_column_int64(st, 1), 7);
	assert_int_equal(sqlite3_column_int64(st, 2), 2); /* severity 9 and 8 */
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/*
 * A schema-6 file (alerts unique by alert_id across the fleet) is brought to 7 in place: the
 * alerts table is rebuilt unique by (node, alert_id), every row and index kept, counted
 * once; then another node's alert of a stored id is stored (it was a "duplicate" before)
 * and a node's re-send is still a duplicate.
 */
static void test_alerts_unique_per_node_upgrade(void **state)
{
	uint64_t t = now_ns() - 600000000000ull, sec = 1000000000ull;
	struct vigil_store *s;
	sqlite3 *db;
	sqlite3_stmt *st;
	json_t *arr;
	size_t dups;
	char *old_sql, *at, sql[8192];

	assert_int_equal(vigil_store__open(spec, NULL, &s, NULL), 0);
	arr = json_pack("[o, o, o]", alert_at(1, "0e01", t, 9), alert_at(2, "0e01", t + sec, 5),
			alert_at(3, "0e02", t + 61 * sec, 1));
	assert_int_equal(ingest(s, "node-a", arr, &dups), 3);
	json_decref(arr);
	assert_int_equal(vigil_store__flush(s, NULL), 0);
	vigil_store__free(s);
	/* as schema 6 made it: the same table, unique by alert_id alone */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
					    "SELECT sql FROM sqlite_master WHERE type = 'table' "
					    "AND name = 'alerts'",
					    -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	old_sql = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	assert_non_null(old_sql);
	at = strstr(old_sql, ", UNIQUE (node, alert_id))");
	assert_non_null(at);
	snprintf(
		sql, sizeof(sql),
		"ALTER TABLE alerts RENAME TO alerts6; %.*s, UNIQUE (alert_id)); INSERT INTO alerts "
		"SELECT * FROM alerts6; DROP TABLE alerts6; CREATE INDEX alerts_by_node_time_ns "
		"ON alerts (node, time_ns); PRAGMA user_version = 6;",
		(int)(at - old_sql), old_sql);
	free(old_sql);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	assert_int_equal(vigil_store__open(spec, NULL, &s, NULL), 0);
	assert_counters_match();
	/* node-b's alert 1 and 2 (ids node-a holds) are stored; node-a's re-send is not */
	arr = json_pack("[o, o]", alert_at(1, "0f01", t, 9), alert_at(2, "0f01", t + sec, 5));
	assert_int_equal(ingest(s, "node-b", arr, &dups), 2);
	assert_int_equal(dups, 0);
	assert_int_equal(vigil_store__flush(s, NULL), 0);
	assert_int_equal(ingest(s, "node-b", arr, &dups), 0);
	assert_int_equal(dups, 2);
	json_decref(arr);
	arr = json_pack("[o]", alert_at(1, "0e01", t, 9));
	assert_int_equal(ingest(s, "node-a", arr, &dups), 0);
	assert_int_equal(dups, 1);
	json_decref(arr);
	/* the newest alerts list both nodes' alert 1, each with its own record */
	{
		struct vigil_query f = { .limit = 100 };
		json_t *list, *a;
		size_t i, n1 = 0;

		assert_int_equal(vigil_store__alerts(s, &f, &list, NULL), 0);
		assert_int_equal(json_array_size(list), 5);
		json_array_foreach(list, i, a)
		{
			if (strcmp(json_string_value(json_object_get(a, "alert_id")),
				   "00000000000000000000000000000001"))
				continue;
			n1++;
			assert_string_equal(
				json_string_value(json_object_get(a, "incident_id")),
				!strcmp(json_string_value(json_object_get(a, "node")), "node-a")
					? "0e01"
					: "0f01");
		}
		assert_int_equal(n1, 2);
		json_decref(list);
	}
	vigil_store__free(s);
	assert_counters_match();
	/* rebuilt: version 7, unique per node, its indexes there */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(
		sqlite3_prepare_v2(
			db,
			"SELECT (SELECT user_version FROM pragma_user_version), (SELECT "
			"sql LIKE '%UNIQUE (node, alert_id))' FROM sqlite_master WHERE "
			"name = 'alerts'), (SELECT count(*) FROM sqlite_master WHERE "
			"type = 'index' AND tbl_name = 'alerts' AND name LIKE 'alerts_by%'), "
			"(SELECT count(*) FROM alerts)",
			-1, &st, NULL),
		SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int64(st, 0), 7);
	assert_int_equal(sqlite3_column_int64(st, 1), 1);
	assert_int_equal(sqlite3_column_int64(st, 2), 3);
	assert_int_equal(sqlite3_column_int64(st, 3), 5);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* Both nodes' alerts of ids 1 and 2 in the newest alerts list, each with its own record. */
static void assert_own_records(struct vigil_store *s, size_t want)
{
	struct vigil_query f = { .limit = 100 };
	json_t *list, *a;
	size_t i, n = 0;

	assert_int_equal(vigil_store__alerts(s, &f, &list, NULL), 0);
	assert_int_equal(json_array_size(list), want);
	json_array_foreach(list, i, a)
	{
		const char *node = json_string_value(json_object_get(a, "node"));

		n += !strcmp(json_string_value(json_object_get(a, "message")), node);
	}
	assert_int_equal(n, want);
	json_decref(list);
}

/* Alert n whose message is its node (a record read back under the wrong node shows). */
static json_t *alert_of(unsigned n, const char *node, const char *inc, uint64_t t_ns)
{
	json_t *a = alert_at(n, inc, t_ns, 5);

	json_object_set_new(a, "message", json_string(node));
	return a;
}

/*
 * On a real ClickHouse (VIGIL_TEST_CLICKHOUSE=http://HOST:PORT: tests/e2e/t8015), alert ids are
 * unique per node too: node-b's alerts of node-a's ids, in the same writer batch (the ids
 * queued, not flushed yet) or after it, are stored; a re-send of either node is a duplicate,
 * also to a second store on the database (another cockpit: the server's lookup decides); the
 * newest alerts list both, each with its own record (read back by node and id).
 */
static void test_alert_ids_per_node_clickhouse(void **state)
{
	const char *url = getenv("VIGIL_TEST_CLICKHOUSE");
	uint64_t t = now_ns() - 600000000000ull;
	struct vigil_store *ch, *ch2;
	char chspec[256];
	json_t *arr;
	size_t dups;

	(void)state;
	if (!url || !*url)
		skip();
	snprintf(chspec, sizeof(chspec), "clickhouse:%s/vigil_fleet_ids_%d", url, (int)getpid());
	assert_int_equal(vigil_store__open(chspec, NULL, &ch, NULL), 0);
	arr = json_pack("[o, o]", alert_of(1, "node-a", "1a01", t),
			alert_of(2, "node-a", "1a01", t));
	assert_int_equal(ingest(ch, "node-a", arr, &dups), 2);
	json_decref(arr);
	/* queued, not flushed: node-b's copies are its own alerts */
	arr = json_pack("[o, o]", alert_of(1, "node-b", "1b01", t),
			alert_of(2, "node-b", "1b01", t));
	assert_int_equal(ingest(ch, "node-b", arr, &dups), 2);
	json_decref(arr);
	assert_int_equal(vigil_store__flush(ch, NULL), 0);
	/* stored: node-c's copies too; each node's re-send a duplicate */
	arr = json_pack("[o]", alert_of(1, "node-c", "1c01", t));
	assert_int_equal(ingest(ch, "node-c", arr, &dups), 1);
	json_decref(arr);
	assert_int_equal(vigil_store__flush(ch, NULL), 0);
	assert_int_equal(vigil_store__open(chspec, NULL, &ch2, NULL), 0);
	for (int k = 0; k < 2; k++) {
		struct vigil_store *s = k ? ch2 : ch;

		arr = json_pack("[o, o]", alert_of(1, "node-a", "1a01", t),
				alert_of(2, "node-a", "1a01", t));
		assert_int_equal(ingest(s, "node-a", arr, &dups), 0);
		assert_int_equal(dups, 2);
		json_decref(arr);
		arr = json_pack("[o, o]", alert_of(1, "node-b", "1b01", t),
				alert_of(2, "node-b", "1b01", t));
		assert_int_equal(ingest(s, "node-b", arr, &dups), 0);
		assert_int_equal(dups, 2);
		json_decref(arr);
		assert_int_equal(vigil_store__flush(s, NULL), 0);
		assert_own_records(s, 5);
	}
	vigil_store__free(ch2);
	vigil_store__free(ch);
	{
		char cmd[512];

		snprintf(cmd, sizeof(cmd),
			 "curl -sS --max-time 10 --data-binary 'DROP DATABASE vigil_fleet_ids_%d' "
			 "'%s/' >/dev/null",
			 (int)getpid(), url);
		assert_int_equal(system(cmd), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_alert_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retention_by_activity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_future_times, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loose_alerts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_heartbeats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_heartbeat_interval_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_profiles_and_credentials, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_schema1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alert_counters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_counters_deletes_and_upgrade, setup, teardown),
		cmocka_unit_test_setup_teardown(test_counters_upgrade_from_5, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alerts_unique_per_node_upgrade, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_alert_ids_per_node_clickhouse, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
