// SPDX-License-Identifier: Apache-2.0
/* The SQLite evidence store: round trip of a report, alerts, listing, retention, versions. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
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

#include "vigil/store.h"

#define STORE_FIXTURE_NAME "store"
#include "store_fixture.h"

static json_t *alert(const char *id, const char *rule, const char *time)
{
	return json_pack("{s:s, s:s, s:s, s:i, s:s, s:{s:i, s:s, s:s}, s:{s:s, s:i}, s:s}", "time",
			 time, "rule_id", rule, "rule_name", "Unexpected io_uring operation",
			 "severity", 5, "message", "io_uring opcode CONNECT not in profile",
			 "process", "pid", 4242, "comm", "client", "exe", "/tmp/client", "event",
			 "type", "iouring", "opcode", 16, "incident_id", id);
}

static json_t *report(const char *id, uint64_t opened, const char *state)
{
	json_t *r = json_pack(
		"{s:s, s:s, s:{s:s, s:s, s:I, s:s, s:s}, s:I, s:I, s:I, s:I, s:i, s:i, s:i, s:I,"
		" s:[s], s:[s], s:s}",
		"incident_id", id, "state", state, "workload", "id", "wl-1", "name", "client",
		"cgroup_id", (json_int_t)1234, "cgroup", "/vigil/client", "container_id", "",
		"opened_ns", (json_int_t)opened, "start_ns", (json_int_t)(opened - 60000000000ull),
		"end_ns", (json_int_t)(opened + 5000000000ull), "closed_ns", (json_int_t)0,
		"alert_count", 1, "event_count", 3, "events_dropped", 0, "bytes", (json_int_t)4096,
		"rules", "R1030", "languages", "go", "summary",
		"client (go) read /var/run/secrets/token and sent it to 127.0.0.1:8888");

	json_object_set_new(r, "alerts",
			    json_pack("[o]", alert(id, "R1030", "2026-11-22T10:00:00.5Z")));
	json_object_set_new(
		r, "events",
		json_pack("[{s:i, s:I, s:s, s:i, s:s, s:i, s:s}, {s:i, s:I, s:s, s:i, s:s, s:i, "
			  "s:s, s:I}]",
			  "seq", 0, "time_ns", (json_int_t)opened, "kind", "exec", "pid", 4242,
			  "comm", "client", "via_iouring", 0, "detail", "/tmp/client", "seq", 1,
			  "time_ns", (json_int_t)(opened + 1000), "kind", "net_io", "pid", 4242,
			  "comm", "client", "via_iouring", 1, "detail", "-> 127.0.0.1:8888",
			  "bytes", (json_int_t)180));
	json_object_set_new(r, "processes",
			    json_pack("[{s:i, s:s, s:s, s:s, s:s, s:s, s:I}]", "pid", 4242, "comm",
				      "client", "exe", "/tmp/client", "language", "go",
				      "language_version", "go1.19.8", "language_evidence",
				      "section .go.buildinfo", "first_ns", (json_int_t)opened));
	json_object_set_new(
		r, "destinations",
		json_pack("[{s:s, s:i, s:s, s:s, s:s, s:i, s:i, s:I, s:I, s:I, s:I, s:f, s:f, "
			  "s:f, s:s, s:I}]",
			  "addr", "127.0.0.1", "port", 8888, "transport", "tcp", "dns", "",
			  "protocol", "binary", "connections", 1, "messages", 30, "first_ns",
			  (json_int_t)opened, "last_ns", (json_int_t)(opened + 29000000000ull),
			  "bytes_out", (json_int_t)5400, "bytes_in", (json_int_t)900,
			  "beacon_score", 0.97, "beacon_ts_score", 0.99, "beacon_ds_score", 0.95,
			  "beacon_band", "high", "interval_ns", (json_int_t)1000000000));
	json_object_set_new(r, "flows",
			    json_pack("[{s:I, s:s, s:i, s:s, s:i, s:s, s:s, s:f, s:I, s:s, s:[s]}]",
				      "time_ns", (json_int_t)(opened + 1000), "addr", "127.0.0.1",
				      "port", 8888, "direction", "out", "via_iouring", 1,
				      "protocol", "binary", "detail", "180 bytes", "entropy", 5.5,
				      "bytes", (json_int_t)180, "sample_hex", "00012a2a2a2a",
				      "redactions", "sha256:ab len:4 prefix:65794a68"));
	json_object_set_new(r, "files",
			    json_pack("[{s:I, s:s, s:i, s:I, s:s, s:i, s:[s]}]", "time_ns",
				      (json_int_t)opened, "path", "/var/run/secrets/token", "pid",
				      4242, "bytes", (json_int_t)120, "sample_sha256", "ab",
				      "sample_len", 120, "sent_to", "127.0.0.1:8888"));
	return r;
}

/* an hour ago: inside the default 30-day retention */
static uint64_t base_ns(void)
{
	return ((uint64_t)time(NULL) - 3600) * 1000000000ull;
}

static const char ID1[] = "0123456789abcdef0123456789abcdef";
static const char ID2[] = "fedcba9876543210fedcba9876543210";

static void test_round_trip(void **state)
{
	struct vigil_store *s;
	struct vigil_error err;
	json_t *r = report(ID1, base_ns(), "closed"), *got, *list, *d;
	struct vigil_store_stats st;

	assert_int_equal(vigil_store__open(spec, NULL, &s, &err), 0);
	assert_string_equal(vigil_store__backend(s), "sqlite");
	assert_int_equal(vigil_store__put_report(s, r), 0);
	/* the same alert again (as raised before the report): stored once */
	{
		json_t *a = alert(ID1, "R1030", "2026-11-22T10:00:00.5Z");

		assert_int_equal(vigil_store__put_alert(s, NULL, a), 0);
		json_decref(a);
	}
	assert_int_equal(vigil_store__flush(s, &err), 0);
	vigil_store__stats(s, &st);
	assert_true(st.rows_written >= 8);
	vigil_store__free(s);

	/* read back from a fresh handle, read-only, by a prefix of the id */
	{
		struct vigil_store_opts o;

		vigil_store_opts__init(&o);
		o.read_only = true;
		assert_int_equal(vigil_store__open(spec, &o, &s, &err), 0);
	}
	assert_int_equal(vigil_store__get(s, "0123456789ab", &got, &err), 0);
	assert_string_equal(json_string_value(json_object_get(got, "incident_id")), ID1);
	assert_string_equal(json_string_value(json_object_get(got, "state")), "closed");
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(got, "workload"), "name")),
		"client");
	assert_int_equal(json_array_size(json_object_get(got, "alerts")), 1);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(got, "alerts"), 0), "rule_id")),
			    "R1030");
	assert_int_equal(json_array_size(json_object_get(got, "events")), 2);
	d = json_array_get(json_object_get(got, "destinations"), 0);
	assert_string_equal(json_string_value(json_object_get(d, "addr")), "127.0.0.1");
	assert_int_equal(json_integer_value(json_object_get(d, "port")), 8888);
	assert_true(json_real_value(json_object_get(d, "beacon_score")) > 0.96);
	assert_int_equal(json_integer_value(json_object_get(d, "interval_ns")), 1000000000);
	assert_string_equal(
		json_string_value(json_array_get(
			json_object_get(json_array_get(json_object_get(got, "files"), 0),
					"sent_to"),
			0)),
		"127.0.0.1:8888");
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(got, "flows"), 0), "direction")),
			    "out");
	json_decref(got);
	assert_int_equal(vigil_store__get(s, "99", &got, &err), -ENOENT);
	assert_int_equal(vigil_store__get(s, "x'; drop", &got, &err), -EINVAL);
	assert_int_equal(vigil_store__list(s, 0, &list, &err), 0);
	assert_int_equal(json_array_size(list), 1);
	json_decref(list);
	assert_int_equal(vigil_store__put_report(s, r), -EROFS);
	vigil_store__free(s);
	json_decref(r);
}

static void test_report_replaces_children(void **state)
{
	struct vigil_store *s;
	json_t *r = report(ID1, base_ns(), "open"), *got;

	assert_int_equal(vigil_store__open(spec, NULL, &s, NULL), 0);
	assert_int_equal(vigil_store__put_report(s, r), 0);
	assert_int_equal(vigil_store__flush(s, NULL), 0);
	/* the incident grew and closed: one more event, state closed */
	json_array_append_new(json_object_get(r, "events"),
			      json_pack("{s:i, s:I, s:s}", "seq", 2, "time_ns",
					(json_int_t)(base_ns() + 2000000000ull), "kind",
					"connect"));
	json_object_set_new(r, "state", json_string("closed"));
	assert_int_equal(vigil_store__put_report(s, r), 0);
	assert_int_equal(vigil_store__flush(s, NULL), 0);
	assert_int_equal(vigil_store__get(s, ID1, &got, NULL), 0);
	assert_int_equal(json_array_size(json_object_get(got, "events")), 3);
	assert_int_equal(json_array_size(json_object_get(got, "destinations")), 1);
	assert_string_equal(json_string_value(json_object_get(got, "state")), "closed");
	json_decref(got);
	vigil_store__free(s);
	json_decref(r);
}

static void test_retention(void **state)
{
	struct vigil_store *s;
	struct vigil_store_opts o;
	struct vigil_store_stats st;
	json_t *list, *got;
	char id[33];

	vigil_store_opts__init(&o);
	o.max_incidents = 3;
	o.max_age_ns = 0;
	assert_int_equal(vigil_store__open(spec, &o, &s, NULL), 0);
	for (int i = 0; i < 5; i++) {
		json_t *r;

		snprintf(id, sizeof(id), "%032x", i + 1);
		r = report(id, base_ns() + (uint64_t)i * 1000000000ull, "closed");
		assert_int_equal(vigil_store__put_report(s, r), 0);
		assert_int_equal(vigil_store__flush(s, NULL), 0);
		json_decref(r);
	}
	assert_int_equal(vigil_store__list(s, 0, &list, NULL), 0);
	assert_int_equal(json_array_size(list), 3);
	/* newest first; the two oldest are gone with their rows */
	assert_string_equal(
		json_string_value(json_object_get(json_array_get(list, 0), "incident_id")),
		"00000000000000000000000000000005");
	json_decref(list);
	assert_int_equal(vigil_store__get(s, "00000000000000000000000000000001", &got, NULL),
			 -ENOENT);
	vigil_store__stats(s, &st);
	assert_int_equal(st.retention_deleted, 2);
	vigil_store__free(s);

	/* byte bound: a tiny limit keeps only the newest incident */
	o.max_incidents = 0;
	o.max_bytes = 1;
	assert_int_equal(vigil_store__open(spec, &o, &s, NULL), 0);
	{
		json_t *r = report(ID2, (base_ns() + 100000000000ull), "closed");

		assert_int_equal(vigil_store__put_report(s, r), 0);
		assert_int_equal(vigil_store__flush(s, NULL), 0);
		json_decref(r);
	}
	assert_int_equal(vigil_store__list(s, 0, &list, NULL), 0);
	assert_int_equal(json_array_size(list), 1);
	assert_string_equal(
		json_string_value(json_object_get(json_array_get(list, 0), "incident_id")), ID2);
	json_decref(list);
	vigil_store__free(s);

	/* age bound: it counts from arrival, so a report of an old incident (or one that does
	 * not say when it opened) is kept: acknowledged means kept */
	vigil_store_opts__init(&o);
	assert_int_equal(vigil_store__open(spec, &o, &s, NULL), 0);
	{
		json_t *r = report(ID2, 1000000000000000000ull, "closed"); /* 2001 */
		json_t *r2 = report(ID1, 0, "open");

		json_object_del(r2, "opened_ns");
		assert_int_equal(vigil_store__put_report(s, r), 0);
		assert_int_equal(vigil_store__put_report(s, r2), 0);
		assert_int_equal(vigil_store__flush(s, NULL), 0);
		json_decref(r);
		json_decref(r2);
	}
	assert_int_equal(vigil_store__get(s, ID2, &got, NULL), 0);
	json_decref(got);
	assert_int_equal(vigil_store__get(s, ID1, &got, NULL), 0);
	assert_true(json_integer_value(json_object_get(got, "opened_ns")) > (json_int_t)base_ns());
	json_decref(got);
	vigil_store__free(s);
	/* ... and an incident that arrived 31 days ago goes at the next write */
	{
		char cmd[512];

		snprintf(cmd, sizeof(cmd),
			 "sqlite3 %s \"UPDATE incidents SET received_ns = %llu WHERE incident_id "
			 "= '%s'\"",
			 path, (unsigned long long)(base_ns() - 31ull * 86400 * 1000000000ull),
			 ID2);
		if (system(cmd))
			skip();
	}
	assert_int_equal(vigil_store__open(spec, &o, &s, NULL), 0);
	{
		json_t *r = report("abab", base_ns(), "closed");

		assert_int_equal(vigil_store__put_report(s, r), 0);
		assert_int_equal(vigil_store__flush(s, NULL), 0);
		json_decref(r);
	}
	assert_int_equal(vigil_store__get(s, ID2, &got, NULL), -ENOENT);
	assert_int_equal(vigil_store__get(s, ID1, &got, NULL), 0);
	json_decref(got);
	vigil_store__free(s);
}

static void test_bad_specs_and_versions(void **state)
{
	struct vigil_store *s;
	struct vigil_error err;
	struct vigil_store_opts o;
	char cmd[256];

	assert_int_equal(vigil_store__open("sqlit:/tmp/x", NULL, &s, &err), -EINVAL);
	assert_non_null(strstr(err.message, "did you mean sqlite"));
	assert_int_equal(vigil_store__open("clickhouse:ftp://x", NULL, &s, &err), -EINVAL);
	vigil_store_opts__init(&o);
	o.read_only = true;
	assert_true(vigil_store__open(spec, &o, &s, &err) < 0);
	/* a store written by a newer vigil is refused, not misread */
	assert_int_equal(vigil_store__open(spec, NULL, &s, &err), 0);
	vigil_store__free(s);
	snprintf(cmd, sizeof(cmd), "sqlite3 %s 'PRAGMA user_version = 99' 2>/dev/null", path);
	if (system(cmd))
		skip();
	assert_int_equal(vigil_store__open(spec, NULL, &s, &err), -EPROTO);
	assert_non_null(strstr(err.message, "newer"));
}

/* ClickHouse unreachable (a closed loopback port): batches go to the spool, within its bound. */
static void test_clickhouse_spool(void **state)
{
	struct vigil_store *s;
	struct vigil_store_opts o;
	struct vigil_store_stats st;
	struct vigil_error err;
	char spool[96], cmd[160];
	json_t *r = report(ID1, base_ns(), "closed");
	int sock = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	char url[96];

	/* a port nobody listens on: bound, never listened */
	assert_int_equal(bind(sock, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(sock, (struct sockaddr *)&sa, &sl), 0);
	snprintf(url, sizeof(url), "clickhouse:http://127.0.0.1:%d/vigil", ntohs(sa.sin_port));
	snprintf(spool, sizeof(spool), "%s/spool", dir);
	vigil_store_opts__init(&o);
	o.spool_dir = spool;
	o.retries = 2;
	o.retry_base_ns = 1000000;

	/* no server: open still works (the spool will hold the batches) */
	assert_int_equal(vigil_store__open(url, &o, &s, &err), 0);
	assert_string_equal(vigil_store__backend(s), "clickhouse");
	assert_int_equal(vigil_store__put_report(s, r), 0);
	assert_int_equal(vigil_store__flush(s, &err), -EAGAIN);
	vigil_store__stats(s, &st);
	assert_int_equal(st.spooled_batches, 7);
	assert_true(st.spool_bytes > 0);
	assert_int_equal(st.rows_written, 0);
	vigil_store__free(s);
	snprintf(cmd, sizeof(cmd), "test $(ls %s/*.jsonl | wc -l) -eq 7", spool);
	assert_int_equal(system(cmd), 0);

	/* a full spool: the batch is counted lost, the error says so */
	o.spool_max_bytes = 1;
	assert_int_equal(vigil_store__open(url, &o, &s, &err), 0);
	assert_int_equal(vigil_store__put_report(s, r), 0);
	assert_int_equal(vigil_store__flush(s, &err), -ENOSPC);
	vigil_store__stats(s, &st);
	assert_true(st.lost_batches > 0);
	vigil_store__free(s);
	close(sock);
	json_decref(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_replaces_children, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retention, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_specs_and_versions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clickhouse_spool, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
