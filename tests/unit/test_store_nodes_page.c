// SPDX-License-Identifier: Apache-2.0
/*
 * The fleet list paged by SQLite (vigil_store__nodes_page) against the whole list
 * (vigil_store__nodes) sorted and filtered here as the cockpit did before: a fleet of nodes
 * online, stale and offline (some only a token, active or revoked), with intervals out of
 * bounds, data lost and alerts; every sort, status and text filter gives the same nodes in the
 * same order with the same entries, pages put together are the whole list, and the totals are
 * the whole fleet's. Given a ClickHouse server (VIGIL_TEST_CLICKHOUSE: tests/e2e/t4005), the
 * same of ClickHouse, whose every page and total is also SQLite's for the same fleet: after
 * later tokens, revocations and heartbeats too (its node_list is kept by views), from a second
 * store on the same database, and after the list was dropped and made again at the next open.
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

#define STORE_FIXTURE_NAME "nodes"
#include "store_fixture.h"

#define SEC   1000000000ull
#define NODES 36

static json_int_t num(const json_t *n, const char *k)
{
	return json_integer_value(json_object_get(n, k));
}

static json_int_t troubles(const json_t *n)
{
	const json_t *h = json_object_get(n, "health");

	return num(h, "drops") + num(h, "sink_failures") + num(h, "spool_dropped");
}

static const char *str(const json_t *n, const char *k)
{
	return json_string_value(json_object_get(n, k)) ?: "";
}

static int rank(const json_t *n)
{
	return !strcmp(str(n, "status"), "offline") ? 0
	       : !strcmp(str(n, "status"), "stale") ? 1
						    : 2;
}

static int cmp_i(json_int_t a, json_int_t b)
{
	return a < b ? -1 : a > b;
}

static const char *g_sort; /* qsort has no context */

/* The order the cockpit gave the whole list (cockpit/api_nodes.c, cmp_entries). */
static int cmp_ref(const void *pa, const void *pb)
{
	const json_t *a = *(json_t *const *)pa, *b = *(json_t *const *)pb;
	int c = 0;

	if (!strcmp(g_sort, "trouble")) {
		c = rank(a) - rank(b);
		if (!c)
			c = cmp_i(troubles(b), troubles(a));
	} else if (!strcmp(g_sort, "seen")) {
		c = cmp_i(num(a, "last_seen_ns"), num(b, "last_seen_ns"));
	} else if (!strcmp(g_sort, "version")) {
		c = strcmp(str(a, "version"), str(b, "version"));
	} else if (!strcmp(g_sort, "workloads")) {
		c = cmp_i(num(b, "workloads"), num(a, "workloads"));
	} else if (!strcmp(g_sort, "alerts")) {
		c = cmp_i(num(b, "alerts_1h"), num(a, "alerts_1h"));
	} else if (!strcmp(g_sort, "drops")) {
		c = cmp_i(num(json_object_get(b, "health"), "drops"),
			  num(json_object_get(a, "health"), "drops"));
	}
	return c ? c : strcmp(str(a, "name"), str(b, "name"));
}

static bool matches(const json_t *n, const char *status, const char *q)
{
	static const char *const keys[] = { "name", "version", "kernel", "status" };

	if (status && strcmp(str(n, "status"), status))
		return false;
	for (size_t k = 0; q && k < 4; k++)
		if (strcasestr(str(n, keys[k]), q))
			return true;
	return !q;
}

/* node i: a heartbeat (or none: a token only) of some age, interval, losses and version */
static void make_fleet(struct vigil_store *s, uint64_t now)
{
	static const uint64_t ages_s[] = { 0, 5, 30, 200, 400, 10800 };
	static const json_int_t intervals[] = { -1, 0, 10, 600, 4000, 1000000000 };
	char name[32], id[33], stamp[48];

	for (unsigned i = 0; i < NODES; i++) {
		struct vigil_credential c = { .kind = "node", .version = 1 };
		struct vigil_ingest in = { .node = name, .now_ns = now, .need_alert_id = true };
		struct vigil_item_result res[8];
		json_t *hb, *alerts;
		time_t t;
		struct tm tm;

		snprintf(name, sizeof(name), "node-%02u", (i * 7) % NODES);
		if (i % 5 != 4) {
			hb = json_pack("{s:s, s:I, s:s, s:s, s:{s:{s:i}}, s:[{s:s, s:i}], s:{s:i}, "
				       "s:[{s:s, s:s}]}",
				       "time", "2026-11-22T10:00:00Z", "interval_s",
				       intervals[i % 6], "version", i % 3 ? "0.9" : "0.8", "kernel",
				       i % 4 ? "6.18.0" : "6.1.0-STALE", "sensor", "drops",
				       "ringbuf", (int)(i % 4 == 1 ? i : 0), "sinks", "name",
				       "cockpit", "failed", (int)(i % 7 == 2), "spool", "dropped",
				       (int)(i % 9 == 3), "workloads", "id", "w", "name", "web");
			for (unsigned k = 0; k < i % 3; k++)
				json_array_append_new(json_object_get(hb, "workloads"),
						      json_pack("{s:s}", "name", "extra"));
			assert_int_equal(vigil_store__put_heartbeat(
						 s, name, hb, now - ages_s[(i / 6) % 6] * SEC),
					 0);
			json_decref(hb);
		}
		if (i % 4 != 1) { /* a token: revoked for some */
			snprintf(c.token_hash, sizeof(c.token_hash), "%064u", i);
			snprintf(c.node, sizeof(c.node), "%s", name);
			c.revoked_ns = i % 3 == 0 ? 5 : 0;
			assert_int_equal(vigil_store__put_credential(s, &c), 0);
		}
		/* i % 5 alerts in the last hour, one 2 h ago */
		alerts = json_array();
		for (unsigned k = 0; k <= i % 5; k++) {
			t = (time_t)((now - (k == 0 ? 7200 : 60 * k + i) * SEC) / SEC);
			gmtime_r(&t, &tm);
			strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S.000000000Z", &tm);
			snprintf(id, sizeof(id), "%016x%016x", i, k);
			json_array_append_new(alerts,
					      json_pack("{s:s, s:s, s:s, s:{s:s}}", "alert_id", id,
							"time", stamp, "rule_id", "R0001",
							"workload", "name", "web"));
		}
		assert_int_equal(vigil_store__ingest_alerts(s, &in, alerts, res), 0);
		json_decref(alerts);
	}
	{
		struct vigil_error err = { 0 };
		int rc = vigil_store__flush(s, &err);

		if (rc)
			fail_msg("flush: %d: %s", rc, err.message);
	}
}

/* The page of p against the whole list sorted and filtered here. */
static void check(struct vigil_store *s, const json_t *all, struct vigil_nodes_page *p)
{
	json_t *got = NULL, *want[NODES + 8], *n;
	size_t k = 0, i;

	json_array_foreach(all, i, n)
	{
		if (matches(n, p->status, p->q))
			want[k++] = n;
	}
	g_sort = p->sort ? p->sort : "name";
	qsort(want, k, sizeof(want[0]), cmp_ref);
	assert_int_equal(vigil_store__nodes_page(s, p, &got, NULL), 0);
	assert_int_equal(num(got, "total"), (json_int_t)k);
	n = json_object_get(got, "nodes");
	assert_int_equal(json_array_size(n),
			 p->offset >= k ? 0
					: (k - p->offset < p->limit ? k - p->offset : p->limit));
	json_array_foreach(n, i, n)
	{
		char *a = json_dumps(n, JSON_SORT_KEYS),
		     *b = json_dumps(want[p->offset + i], JSON_SORT_KEYS);

		if (strcmp(a, b))
			fail_msg("sort %s status %s q %s at %zu:\n got %s\nwant %s", g_sort,
				 p->status ?: "-", p->q ?: "-", p->offset + i, a, b);
		free(a);
		free(b);
	}
	json_decref(got);
}

static const char *const sorts[] = { NULL,	  "trouble", "seen",  "version",
				     "workloads", "alerts",  "drops", "name" };
static const char *const statuses[] = { NULL, "online", "stale", "offline" };
static const char *const qs[] = { NULL, "stale", "0.8", "NODE-1", "zzz" };

/* Every sort, status and text filter, and pages of 5 (and past the end), against all. */
static void check_all(struct vigil_store *s, const json_t *all, uint64_t now)
{
	for (size_t a = 0; a < sizeof(sorts) / sizeof(sorts[0]); a++)
		for (size_t b = 0; b < sizeof(statuses) / sizeof(statuses[0]); b++)
			for (size_t c = 0; c < sizeof(qs) / sizeof(qs[0]); c++) {
				struct vigil_nodes_page p = { .sort = sorts[a],
							      .status = statuses[b],
							      .q = qs[c],
							      .limit = 1000,
							      .now_ns = now };

				check(s, all, &p);
			}
	for (uint64_t off = 0; off <= NODES + 5; off += 5) {
		struct vigil_nodes_page p = {
			.sort = "trouble", .limit = 5, .offset = off, .now_ns = now
		};

		check(s, all, &p);
	}
}

static void test_page_as_the_whole_list(void **state)
{
	uint64_t now = now_ns();
	struct vigil_query f = { .now_ns = now };
	struct vigil_store *s;
	json_t *all = NULL, *got = NULL, *sum, *n;
	json_int_t by[3] = { 0 }, workloads = 0, a1h = 0, unhealthy = 0;
	size_t i;

	assert_int_equal(vigil_store__open(spec, NULL, &s, NULL), 0);
	make_fleet(s, now);
	assert_int_equal(vigil_store__nodes(s, &f, &all, NULL), 0);
	/* nodes 9 and 29 have neither heartbeat nor token: only alerts, not listed */
	assert_int_equal(json_array_size(all), NODES - 2);
	check_all(s, all, now);
	/* the totals are the whole fleet's, whatever the filter; limit 0: the totals only */
	json_array_foreach(all, i, n)
	{
		by[rank(n)]++;
		workloads += num(n, "workloads");
		a1h += num(n, "alerts_1h");
		unhealthy += troubles(n) > 0;
	}
	assert_true(by[0] && by[1] && by[2] && unhealthy && a1h);
	assert_int_equal(vigil_store__nodes_page(
				 s, &(struct vigil_nodes_page){ .status = "stale", .now_ns = now },
				 &got, NULL),
			 0);
	assert_int_equal(json_array_size(json_object_get(got, "nodes")), 0);
	assert_int_equal(num(got, "total"), by[1]);
	sum = json_object_get(got, "summary");
	assert_int_equal(num(sum, "nodes"), NODES - 2);
	assert_int_equal(num(sum, "offline"), by[0]);
	assert_int_equal(num(sum, "stale"), by[1]);
	assert_int_equal(num(sum, "online"), by[2]);
	assert_int_equal(num(sum, "workloads"), workloads);
	/* every alert of the hour, also those of the two nodes not listed (4 each) */
	assert_int_equal(num(sum, "alerts_1h"), a1h + 8);
	assert_int_equal(num(sum, "unhealthy"), unhealthy);
	assert_string_equal(str(sum, "version"), "0.9");
	json_decref(got);
	/* a token revoked and a token-only node heartbeating later: the list follows */
	{
		struct vigil_credential c = { .kind = "node", .version = 2, .revoked_ns = 7 };
		json_t *hb = json_pack("{s:s, s:i, s:s}", "time", "2026-11-22T10:00:00Z",
				       "interval_s", 10, "version", "0.7");

		snprintf(c.token_hash, sizeof(c.token_hash), "%064u", 2u); /* node-14's */
		snprintf(c.node, sizeof(c.node), "node-14");
		assert_int_equal(vigil_store__put_credential(s, &c), 0);
		assert_int_equal(vigil_store__put_heartbeat(s, "node-28", hb, now), 0);
		json_decref(hb);
		assert_int_equal(vigil_store__flush(s, NULL), 0);
		json_decref(all);
		assert_int_equal(vigil_store__nodes(s, &f, &all, NULL), 0);
		for (size_t a = 0; a < sizeof(sorts) / sizeof(sorts[0]); a++) {
			struct vigil_nodes_page p = { .sort = sorts[a],
						      .limit = 1000,
						      .now_ns = now };

			check(s, all, &p);
		}
	}
	/* a file of schema 5 (no node list) gets its list from the nodes and tokens it holds */
	vigil_store__free(s);
	{
		sqlite3 *db;

		assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
		assert_int_equal(sqlite3_exec(db,
					      "DROP TRIGGER nodes_listed; DROP TRIGGER "
					      "credentials_listed; DROP TABLE node_list; PRAGMA "
					      "user_version = 5;",
					      NULL, NULL, NULL),
				 SQLITE_OK);
		sqlite3_close(db);
	}
	assert_int_equal(vigil_store__open(spec, NULL, &s, NULL), 0);
	for (size_t a = 0; a < sizeof(sorts) / sizeof(sorts[0]); a++) {
		struct vigil_nodes_page p = { .sort = sorts[a], .limit = 1000, .now_ns = now };

		check(s, all, &p);
	}
	/* what the store cannot answer is refused, not guessed */
	assert_int_equal(
		vigil_store__nodes_page(
			s, &(struct vigil_nodes_page){ .sort = "age", .now_ns = now }, &got, NULL),
		-EINVAL);
	json_decref(all);
	vigil_store__free(s);
}

/* The answer of p from a and from b, the same. */
static void same_page(struct vigil_store *a, struct vigil_store *b, struct vigil_nodes_page *p)
{
	json_t *x = NULL, *y = NULL;
	char *xs, *ys;

	assert_int_equal(vigil_store__nodes_page(a, p, &x, NULL), 0);
	assert_int_equal(vigil_store__nodes_page(b, p, &y, NULL), 0);
	xs = json_dumps(x, JSON_SORT_KEYS);
	ys = json_dumps(y, JSON_SORT_KEYS);
	if (strcmp(xs, ys))
		fail_msg("sort %s status %s q %s offset %llu:\n sqlite     %s\n clickhouse %s",
			 p->sort ?: "-", p->status ?: "-", p->q ?: "-",
			 (unsigned long long)p->offset, xs, ys);
	free(xs);
	free(ys);
	json_decref(x);
	json_decref(y);
}

/*
 * Tokens and heartbeats after the fleet was made, on either store: node-00 (its token revoked)
 * gets a second, active one; node-14 a second active one, then its first revoked; node-21 (its
 * token revoked) a second, revoked one; node-28, a token only, heartbeats.
 */
static void change_tokens(struct vigil_store *s, uint64_t now)
{
	static const struct {
		const char *node;
		unsigned token, version;
		uint64_t revoked_ns;
	} changes[] = {
		{ "node-00", 100, 1, 0 },
		{ "node-14", 101, 1, 0 },
		{ "node-14", 2, 2, 7 },
		{ "node-21", 102, 1, 9 },
	};
	json_t *hb = json_pack("{s:s, s:i, s:s}", "time", "2026-11-22T10:00:00Z", "interval_s", 10,
			       "version", "0.7");

	for (size_t i = 0; i < sizeof(changes) / sizeof(changes[0]); i++) {
		struct vigil_credential c = { .kind = "node",
					      .version = changes[i].version,
					      .revoked_ns = changes[i].revoked_ns };

		snprintf(c.token_hash, sizeof(c.token_hash), "%064u", changes[i].token);
		snprintf(c.node, sizeof(c.node), "%s", changes[i].node);
		assert_int_equal(vigil_store__put_credential(s, &c), 0);
	}
	assert_int_equal(vigil_store__put_heartbeat(s, "node-28", hb, now), 0);
	json_decref(hb);
	assert_int_equal(vigil_store__flush(s, NULL), 0);
}

/* Every sort and status of a and b, the same (whole lists) and the totals. */
static void same_lists(struct vigil_store *a, struct vigil_store *b, uint64_t now)
{
	for (size_t i = 0; i < sizeof(sorts) / sizeof(sorts[0]); i++)
		for (size_t k = 0; k < sizeof(statuses) / sizeof(statuses[0]); k++)
			same_page(a, b,
				  &(struct vigil_nodes_page){ .sort = sorts[i],
							      .status = statuses[k],
							      .limit = 1000,
							      .now_ns = now });
	same_page(a, b, &(struct vigil_nodes_page){ .now_ns = now });
}

/*
 * The same fleet in a real ClickHouse (VIGIL_TEST_CLICKHOUSE=http://HOST:PORT, a server of the
 * caller's: tests/e2e/t4005) pages, sorts and totals in its SQL as its whole list says, and
 * every page is SQLite's, byte for byte (no alert of the fleet is in the minute an hour ago,
 * the one ClickHouse counts whole).
 */
static void test_clickhouse_as_sqlite(void **state)
{
	const char *url = getenv("VIGIL_TEST_CLICKHOUSE");
	uint64_t now = now_ns();
	struct vigil_query f = { .now_ns = now };
	struct vigil_store *ch, *ch2, *sq;
	char chspec[256];
	json_t *all = NULL;

	(void)state;
	if (!url || !*url)
		skip();
	snprintf(chspec, sizeof(chspec), "clickhouse:%s/vigil_nodes_page_%d", url, (int)getpid());
	assert_int_equal(vigil_store__open(chspec, NULL, &ch, NULL), 0);
	assert_int_equal(vigil_store__open(spec, NULL, &sq, NULL), 0);
	make_fleet(ch, now);
	make_fleet(sq, now);
	assert_int_equal(vigil_store__nodes(ch, &f, &all, NULL), 0);
	assert_int_equal(json_array_size(all), NODES - 2);
	check_all(ch, all, now);
	for (size_t a = 0; a < sizeof(sorts) / sizeof(sorts[0]); a++)
		for (size_t b = 0; b < sizeof(statuses) / sizeof(statuses[0]); b++)
			for (size_t c = 0; c < sizeof(qs) / sizeof(qs[0]); c++) {
				struct vigil_nodes_page p = { .sort = sorts[a],
							      .status = statuses[b],
							      .q = qs[c],
							      .limit = 7,
							      .offset = c,
							      .now_ns = now };

				same_page(sq, ch, &p);
			}
	same_page(sq, ch, &(struct vigil_nodes_page){ .now_ns = now }); /* the totals only */
	/* the list the server keeps follows later tokens, revocations and heartbeats */
	change_tokens(ch, now);
	change_tokens(sq, now);
	same_lists(sq, ch, now);
	/* a second store on the same database (another cockpit) gives the same answers */
	assert_int_equal(vigil_store__open(chspec, NULL, &ch2, NULL), 0);
	same_lists(ch, ch2, now);
	vigil_store__free(ch2);
	/* a database made before the node list: the next open makes it from what is stored */
	vigil_store__free(ch);
	{
		static const char *const drop[] = { "node_beats_mv", "node_tokens_mv",
						    "node_list" };
		char cmd[512];

		for (size_t i = 0; i < sizeof(drop) / sizeof(drop[0]); i++) {
			snprintf(
				cmd, sizeof(cmd),
				"curl -sSf --data-binary 'DROP TABLE vigil_nodes_page_%d.%s' '%s/'",
				(int)getpid(), drop[i], url);
			assert_int_equal(system(cmd), 0);
		}
	}
	assert_int_equal(vigil_store__open(chspec, NULL, &ch, NULL), 0);
	same_lists(sq, ch, now);
	json_decref(all);
	vigil_store__free(sq);
	vigil_store__free(ch);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_page_as_the_whole_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clickhouse_as_sqlite, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
