// SPDX-License-Identifier: Apache-2.0
/*
 * The cockpit's ingest path into SQLite: an alert's record kept as the node sent it (the
 * cockpit parses a batch one element at a time and hands the store each element's text) is
 * the record a dump of the completed alert gave, member for member; what the store changes
 * (no time, no id, a future time, a node that is not the credential's) is dumped as before.
 * And the file itself: a new store is created with auto_vacuum INCREMENTAL, so retention gives
 * freed pages back; a file created without it (every store before) keeps working.
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

#include "cockpit/cockpit_internal.h"
#include "vigil/store.h"
#include "vigil/store_fleet.h"

#define STORE_FIXTURE_NAME "ingest"
#include "store_fixture.h"

/* a second store beside the fixture's (path) */
static char path_b[160];

static const char *other_path(void)
{
	snprintf(path_b, sizeof(path_b), "%s/b.db", dir);
	return path_b;
}

static struct vigil_store *open_at(const char *file, uint64_t max_incidents)
{
	struct vigil_store_opts o;
	struct vigil_store *s = NULL;
	char uri[160];

	vigil_store_opts__init(&o);
	o.max_incidents = max_incidents;
	snprintf(uri, sizeof(uri), "sqlite:%s", file);
	assert_int_equal(vigil_store__open(uri, &o, &s, NULL), 0);
	return s;
}

/* Stores body's alerts as node "n1" (texts: as the cockpit does, else parsed whole). */
static void put_body(const char *file, const char *body, bool texts, uint64_t now)
{
	struct vigil_store *s = open_at(file, 0);
	struct vigil_ingest in = { .node = "n1", .now_ns = now, .need_alert_id = false };
	struct vigil_text *spans = NULL;
	struct vigil_item_result res[16];
	json_error_t err;
	json_t *items = cockpit_batch_parse(body, strlen(body), 100, texts ? &spans : NULL, &err);

	assert_non_null(items);
	assert_true(json_array_size(items) <= 16);
	if (texts)
		assert_non_null(spans);
	in.texts = spans;
	assert_int_equal(vigil_store__ingest_alerts(s, &in, items, res), 0);
	for (size_t i = 0; i < json_array_size(items); i++)
		assert_int_equal(res[i].status, 0);
	assert_int_equal(vigil_store__flush(s, NULL), 0);
	free(spans);
	json_decref(items);
	vigil_store__free(s);
}

/* Every stored record of the file at path, by rule_id (each test alert has its own rule). */
static json_t *records(const char *file)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	json_t *out = json_object();

	assert_int_equal(sqlite3_open_v2(file, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(
		sqlite3_prepare_v2(db, "SELECT rule_id, record FROM alerts", -1, &st, NULL),
		SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_object_set_new(out, (const char *)sqlite3_column_text(st, 0),
				    json_string((const char *)sqlite3_column_text(st, 1)));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return out;
}

static void stamp(char *buf, size_t size, int64_t offset_s)
{
	time_t t = time(NULL) + (time_t)offset_s;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%S.000000001Z", &tm);
}

/*
 * The same body stored both ways gives the same records, byte for byte where the body is
 * compact and has no escapes a dump writes otherwise: with the node sent or not, an incident named or derived, and the cases the store
 * changes the alert in (no time, no id, a time in the future, an escaped string).
 */
static void test_record_as_sent(void **state)
{
	char now[48], future[48], body[4096];
	uint64_t t = now_ns();
	json_t *a, *b;
	const char *k;
	json_t *v;

	stamp(now, sizeof(now), -60);
	stamp(future, sizeof(future), 3600);
	snprintf(
		body, sizeof(body),
		"[{\"alert_id\":\"%032x\",\"time\":\"%s\",\"rule_id\":\"R1\",\"node\":\"n1\","
		"\"workload\":{\"id\":\"w\",\"name\":\"web\"},\"message\":\"a \\\"b\\\" \\u00e9\"},"
		"{\"alert_id\":\"%032x\",\"time\":\"%s\",\"rule_id\":\"R2\"},"
		"{\"alert_id\":\"%032x\",\"time\":\"%s\",\"rule_id\":\"R3\",\"incident_id\":\"ab\"},"
		"{\"time\":\"%s\",\"rule_id\":\"R4\"},"
		"{\"alert_id\":\"%032x\",\"rule_id\":\"R5\"},"
		"{\"alert_id\":\"%032x\",\"time\":\"%s\",\"rule_id\":\"R6\"}]",
		1, now, 2, now, 3, now, now, 5, 6, future);
	put_body(path, body, true, t);
	put_body(other_path(), body, false, t);
	a = records(path);
	b = records(path_b);
	assert_int_equal(json_object_size(a), 6);
	json_object_foreach(b, k, v)
	{
		/* the same members in the same order (the texts differ only in escapes: R1 sent
		 * \u00e9 where a dump writes the UTF-8) */
		json_t *pa = json_loads(json_string_value(json_object_get(a, k)),
					JSON_REJECT_DUPLICATES, NULL),
		       *pb = json_loads(json_string_value(v), JSON_REJECT_DUPLICATES, NULL);
		char *da = json_dumps(pa, JSON_COMPACT), *db = json_dumps(pb, JSON_COMPACT);

		assert_non_null(da);
		assert_non_null(db);
		assert_string_equal(da, db);
		if (strcmp(k, "R1"))
			assert_string_equal(json_string_value(json_object_get(a, k)),
					    json_string_value(v));
		free(da);
		free(db);
		json_decref(pa);
		json_decref(pb);
	}
	/* R1's record is its text as sent (a dump would have written the UTF-8) */
	assert_non_null(strstr(json_string_value(json_object_get(a, "R1")), "\\u00e9"));
	assert_null(strstr(json_string_value(json_object_get(b, "R1")), "\\u00e9"));
	/* what the cockpit adds is there: the node once, the derived incident */
	assert_non_null(strstr(json_string_value(json_object_get(a, "R2")),
			       "\"rule_id\":\"R2\",\"node\":\"n1\",\"incident_id\":\""));
	assert_null(strstr(strstr(json_string_value(json_object_get(a, "R1")), "\"node\"") + 1,
			   "\"node\""));
	assert_non_null(strstr(json_string_value(json_object_get(a, "R6")), "\"time_given\""));
	json_decref(a);
	json_decref(b);
}

/* A body with spaces and newlines: its records are its alerts, completed, as JSON. */
static void test_record_as_sent_spaced(void **state)
{
	char now[48], body[1024];
	json_t *a, *rec, *want;

	stamp(now, sizeof(now), -60);
	snprintf(body, sizeof(body),
		 " [ \n { \"alert_id\" : \"%032x\" , \"time\" : \"%s\" , \"rule_id\" : \"R1\" } "
		 "\n ,\t{ \"alert_id\" : \"%032x\", \"time\" : \"%s\", \"rule_id\" : \"R2\", "
		 "\"node\": \"n1\" }\r\n ] \n",
		 7, now, 8, now);
	put_body(path, body, true, now_ns());
	a = records(path);
	assert_int_equal(json_object_size(a), 2);
	rec = json_loads(json_string_value(json_object_get(a, "R1")), JSON_REJECT_DUPLICATES, NULL);
	assert_non_null(rec);
	want = json_pack("{s:s, s:s, s:s}", "rule_id", "R1", "node", "n1", "time", now);
	for (const char *k2 = "rule_id"; k2; k2 = !strcmp(k2, "rule_id") ? "node" : NULL)
		assert_true(json_equal(json_object_get(rec, k2), json_object_get(want, k2)));
	assert_int_equal(strlen(json_string_value(json_object_get(rec, "incident_id"))), 32);
	json_decref(rec);
	rec = json_loads(json_string_value(json_object_get(a, "R2")), JSON_REJECT_DUPLICATES, NULL);
	assert_non_null(rec); /* the node it sent, not added twice */
	json_decref(rec);
	json_decref(want);
	json_decref(a);
}

/* Bodies that are not a plain array are parsed whole, with jansson's own error. */
static void test_batch_parse_fallbacks(void **state)
{
	static const char *const bad[] = { "[1,]",    "[1 2]", "[1] x",
					   "[",	      "",      "[{\"a\":1,\"a\":2}]",
					   "{\"a\":1" };
	struct vigil_text *spans = (struct vigil_text *)1;
	json_error_t e1, e2;
	json_t *j;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_null(cockpit_batch_parse(bad[i], strlen(bad[i]), 100, &spans, &e1));
		assert_null(spans);
		assert_null(json_loadb(bad[i], strlen(bad[i]), JSON_REJECT_DUPLICATES, &e2));
		assert_string_equal(e1.text, e2.text);
		assert_int_equal(e1.line, e2.line);
		assert_int_equal(e1.column, e2.column);
	}
	j = cockpit_batch_parse("{\"a\":1}", 7, 100, &spans, &e1); /* one object: whole */
	assert_true(json_is_object(j));
	assert_null(spans);
	json_decref(j);
	j = cockpit_batch_parse("[1,2,3]", 7, 2, &spans, &e1); /* over max: whole, all counted */
	assert_int_equal(json_array_size(j), 3);
	assert_null(spans);
	json_decref(j);
	j = cockpit_batch_parse(" [ ] ", 5, 2, &spans, &e1);
	assert_int_equal(json_array_size(j), 0);
	free(spans);
	json_decref(j);
}

static int64_t pragma(const char *file, const char *name)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	char sql[64];
	int64_t v = -1;

	snprintf(sql, sizeof(sql), "PRAGMA %s", name);
	assert_int_equal(sqlite3_open_v2(file, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/* 40 incidents of 50 alerts with 2 KiB messages; retention keeps max of them. */
static void fill(const char *file, uint64_t max)
{
	struct vigil_store *s = open_at(file, max);
	struct vigil_ingest in = { .node = "n1", .now_ns = now_ns(), .need_alert_id = true };
	struct vigil_item_result res[50];
	char now[48], msg[2048];

	stamp(now, sizeof(now), -60);
	memset(msg, 'x', sizeof(msg) - 1);
	msg[sizeof(msg) - 1] = '\0';
	for (unsigned k = 0; k < 40; k++) {
		json_t *arr = json_array();
		char inc[8];

		snprintf(inc, sizeof(inc), "%x", 0x100 + k);
		for (unsigned i = 0; i < 50; i++) {
			char id[33];

			snprintf(id, sizeof(id), "%032x", k * 50 + i + 1);
			json_array_append_new(arr,
					      json_pack("{s:s, s:s, s:s, s:s, s:s}", "alert_id", id,
							"time", now, "rule_id", "R1", "incident_id",
							inc, "message", msg));
		}
		assert_int_equal(vigil_store__ingest_alerts(s, &in, arr, res), 0);
		assert_int_equal(vigil_store__flush(s, NULL), 0);
		json_decref(arr);
	}
	vigil_store__free(s);
}

/* A new file vacuums incrementally: what retention deletes leaves no free pages behind. */
static void test_auto_vacuum_new_file(void **state)
{
	fill(path, 2);
	assert_int_equal(pragma(path, "auto_vacuum"), 2); /* INCREMENTAL */
	assert_int_equal(pragma(path, "freelist_count"), 0);
}

/* A file made without auto_vacuum (as every store was) is used as it is, retention too. */
static void test_auto_vacuum_old_file(void **state)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(other_path(), &db), SQLITE_OK);
	assert_int_equal(
		sqlite3_exec(db, "PRAGMA journal_mode = WAL; CREATE TABLE t (x)", NULL, NULL, NULL),
		SQLITE_OK);
	sqlite3_close(db);
	fill(path_b, 2);
	assert_int_equal(pragma(path_b, "auto_vacuum"), 0);
	assert_true(pragma(path_b, "freelist_count") > 0); /* kept for reuse, as before */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_record_as_sent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_record_as_sent_spaced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_parse_fallbacks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auto_vacuum_new_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auto_vacuum_old_file, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
