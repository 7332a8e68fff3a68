// SPDX-License-Identifier: Apache-2.0
/*
 * Alert counters per minute, kept by ClickHouse itself: materialized views on the alerts table
 * sum every inserted block into alert_minutes (node, minute) and fleet_minutes (minute), both
 * SummingMergeTree, the tables SQLite keeps with triggers (sqlite_schema.c) and counts.c reads
 * (sum(n) ... GROUP BY, since rows are summed only as parts merge). The fleet page's alerts of
 * the last hour then read one row per node and minute instead of every alert of the hour
 * (1 000 000 in the fleet benchmark). A view counts rows as inserted: the writer inserts an
 * alert once (its lookups drop a re-sent one, a retried insert is counted by batch first), so
 * only an alert two cockpits raced to insert at once is counted twice, where counting the
 * alerts themselves (uniqExact of the ids) does not. On a cluster each shard's views read its
 * alerts_local into its own counter tables, and Distributed tables read them all.
 *
 * A database made before the counters gets them at the next open: the views count what is
 * inserted from then on, and the alerts received before are counted into the tables once
 * (the alerts a flush in flight in another cockpit inserts meanwhile may be counted twice or
 * missed: an upgrade's instant, not a steady state).
 */
#include <errno.h>
#include <stdio.h>

#include "store/clickhouse_internal.h"

/* table, its columns and ORDER BY, what the view groups by */
static const struct counter {
	const char *name, *cols, *order, *group;
} counters[] = {
	{ "alert_minutes", "node String, minute UInt64, n UInt64, high UInt64, mid UInt64",
	  "minute, node", "node, minute" },
	{ "fleet_minutes", "minute UInt64, n UInt64, high UInt64, mid UInt64", "minute", "minute" },
};

#define MINUTE_EXPR "intDiv(time_ns, 60000000000)"
#define COUNTS_EXPRS                                                                             \
	"count() AS n, countIf(severity >= 8) AS high, countIf(severity >= 4 AND severity < 8) " \
	"AS mid"

static int run(struct vigil_store *s, const char *url, struct vigil_buf *b, struct vigil_error *err)
{
	int rc = b->data ? ch_http(s, url, b->data, NULL, 0, NULL, err) : -ENOMEM;

	vigil_buf__reset(b);
	return rc;
}

/* The counter tables and their views on one server holding alerts (suffix "_local" on a
 * shard of a cluster). */
static int create_local(struct vigil_store *s, const char *url, const char *suffix,
			struct vigil_error *err)
{
	struct ch *c = s->be;
	struct vigil_buf b = VIGIL_BUF_INIT;
	int rc = 0;

	for (size_t i = 0; !rc && i < sizeof(counters) / sizeof(counters[0]); i++) {
		const struct counter *k = &counters[i];
		char view[96];
		bool had = false;
		uint64_t t0;

		vigil_buf__printf(
			&b,
			"CREATE TABLE IF NOT EXISTS %s.%s%s (%s) ENGINE = "
			"SummingMergeTree() PARTITION BY toYYYYMM(toDateTime(minute * 60)) "
			"ORDER BY (%s)",
			c->db, k->name, suffix, k->cols, k->order);
		rc = run(s, url, &b, err);
		snprintf(view, sizeof(view), "%s%s_mv", k->name, suffix);
		if (!rc)
			rc = ch_table_exists(s, url, view, &had, err);
		if (rc || had)
			continue;
		/* what was received before the view counts is counted once, below */
		t0 = vigil_realtime_ns();
		vigil_buf__printf(&b,
				  "CREATE MATERIALIZED VIEW IF NOT EXISTS %s.%s TO %s.%s%s AS "
				  "SELECT %s" MINUTE_EXPR " AS minute, " COUNTS_EXPRS
				  " FROM %s.alerts%s GROUP BY %s",
				  c->db, view, c->db, k->name, suffix, i == 0 ? "node, " : "",
				  c->db, suffix, k->group);
		rc = run(s, url, &b, err);
		if (rc)
			break;
		vigil_buf__printf(&b,
				  "INSERT INTO %s.%s%s SELECT %s" MINUTE_EXPR
				  " AS minute, " COUNTS_EXPRS " FROM %s.alerts%s FINAL WHERE "
				  "received_ns < %llu GROUP BY %s",
				  c->db, k->name, suffix, i == 0 ? "node, " : "", c->db, suffix,
				  (unsigned long long)t0, k->group);
		rc = run(s, url, &b, err);
	}
	vigil_buf__release(&b);
	return rc;
}

/* Distributed tables over the shards' counter tables. */
static int create_distributed(struct vigil_store *s, const char *url, struct vigil_error *err)
{
	struct ch *c = s->be;
	struct vigil_buf b = VIGIL_BUF_INIT;
	int rc = 0;

	for (size_t i = 0; !rc && i < sizeof(counters) / sizeof(counters[0]); i++) {
		vigil_buf__printf(&b,
				  "CREATE TABLE IF NOT EXISTS %s.%s (%s) ENGINE = "
				  "Distributed(%s, %s, %s_local, rand())",
				  c->db, counters[i].name, counters[i].cols, c->cluster, c->db,
				  counters[i].name);
		rc = run(s, url, &b, err);
	}
	vigil_buf__release(&b);
	return rc;
}

int ch_create_counters(struct vigil_store *s, const char *url, bool local, bool distributed,
		       struct vigil_error *err)
{
	struct ch *c = s->be;
	int rc = 0;

	if (local)
		rc = create_local(s, url, distributed || c->cluster[0] ? "_local" : "", err);
	if (!rc && distributed)
		rc = create_distributed(s, url, err);
	return rc;
}
