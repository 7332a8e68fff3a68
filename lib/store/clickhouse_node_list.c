// SPDX-License-Identifier: Apache-2.0
/*
 * The fleet list's narrow table on ClickHouse, kept by the server as SQLite keeps node_list
 * with triggers (sqlite_schema.c): node_list, an AggregatingMergeTree with one row per node
 * once merged, fed by two materialized views: every heartbeat row inserted into nodes adds
 * argMax(column, version) states (its newest heartbeat, as nodes FINAL gives it), every node
 * token row inserted into credentials adds the token to the node's uniqExact set of tokens and,
 * when the row revokes it, to its set of revoked ones. A node's credential is then 'none'
 * without tokens, 'active' while it has more tokens than revoked ones, else 'revoked'. That
 * takes a revocation as final, as the cockpit's own token cache does (cockpit/auth.c: an older
 * or a later unrevoked row never undoes it). nodes_page.c reads it through CH_NODE_LIST (its
 * -Merge over the rows not merged yet): one table of a row per node, where the page used to
 * group nodes FINAL and credentials FINAL per request (18.16 took 15-21 ms at the median for
 * that at 1 000 nodes against 6-10 ms from this table, on the same server).
 *
 * Both states are idempotent (the newest version wins, a token counts once), so a row counted
 * twice changes nothing: two cockpits on one database, an insert retried after a lost answer,
 * and the upgrade's backfill racing a view are all harmless. A database made before the table
 * gets it at the next open: views first, then every row stored before, listed once more.
 * On a cluster each shard's views read its nodes_local and credentials_local (a node's
 * heartbeats and its tokens may be on different shards), and node_list, Distributed over the
 * node_list_local tables, merges the states of all shards.
 */
#include <errno.h>
#include <stdio.h>

#include "store/clickhouse_internal.h"

/* The heartbeat's columns the list keeps, each with its type (for the state's type). */
static const struct {
	const char *name, *type, *zero;
} beat_cols[] = {
	{ "last_seen_ns", "UInt64", "toUInt64(0)" },
	{ "time_ns", "UInt64", "toUInt64(0)" },
	{ "interval_s", "UInt32", "toUInt32(0)" },
	{ "agent_version", "String", "''" },
	{ "kernel", "String", "''" },
	{ "uptime_s", "UInt64", "toUInt64(0)" },
	{ "drops", "UInt64", "toUInt64(0)" },
	{ "sink_failures", "UInt64", "toUInt64(0)" },
	{ "spool_dropped", "UInt64", "toUInt64(0)" },
	{ "workloads", "UInt32", "toUInt32(0)" },
};

#define NBEAT (sizeof(beat_cols) / sizeof(beat_cols[0]))

static int run(struct vigil_store *s, const char *url, struct vigil_buf *b, struct vigil_error *err)
{
	int rc = b->data ? ch_http(s, url, b->data, NULL, 0, NULL, err) : -ENOMEM;

	vigil_buf__reset(b);
	return rc;
}

/* The rows a heartbeat row of nodes (beats) or a token row of credentials adds: every
 * column of node_list, the other source's states empty (18.16's views fill no column). */
static void select_states(struct vigil_buf *b, const char *db, const char *suffix, bool beats)
{
	vigil_buf__puts(b, "SELECT node");
	for (size_t i = 0; i < NBEAT; i++) {
		if (beats)
			vigil_buf__printf(b, ", argMaxState(%s, version) AS %s", beat_cols[i].name,
					  beat_cols[i].name);
		else
			vigil_buf__printf(b, ", argMaxStateIf(%s, toUInt64(0), 0) AS %s",
					  beat_cols[i].zero, beat_cols[i].name);
	}
	if (beats)
		vigil_buf__printf(b,
				  ", uniqExactStateIf(node, 0) AS tokens, uniqExactStateIf(node, "
				  "0) AS revoked FROM %s.nodes%s GROUP BY node",
				  db, suffix);
	else
		vigil_buf__printf(b,
				  ", uniqExactState(token_hash) AS tokens, uniqExactStateIf("
				  "token_hash, revoked_ns != 0) AS revoked FROM %s.credentials%s "
				  "WHERE kind = 'node' GROUP BY node",
				  db, suffix);
}

static void columns(struct vigil_buf *b)
{
	vigil_buf__puts(b, "(node String");
	for (size_t i = 0; i < NBEAT; i++)
		vigil_buf__printf(b, ", %s AggregateFunction(argMax, %s, UInt64)",
				  beat_cols[i].name, beat_cols[i].type);
	vigil_buf__puts(b, ", tokens AggregateFunction(uniqExact, String), revoked "
			   "AggregateFunction(uniqExact, String))");
}

/* The table and its two views on a server holding nodes and credentials (suffix "_local" on
 * a shard of a cluster); the rows stored before the views, once. */
static int create_local(struct vigil_store *s, const char *url, const char *suffix,
			struct vigil_error *err)
{
	struct ch *c = s->be;
	struct vigil_buf b = VIGIL_BUF_INIT;
	static const char *const views[] = { "node_beats", "node_tokens" };
	bool made = false;
	int rc;

	vigil_buf__printf(&b, "CREATE TABLE IF NOT EXISTS %s.node_list%s ", c->db, suffix);
	columns(&b);
	vigil_buf__puts(&b, " ENGINE = AggregatingMergeTree() ORDER BY node");
	rc = run(s, url, &b, err);
	for (size_t i = 0; !rc && i < 2; i++) {
		char view[96];
		bool had = false;

		snprintf(view, sizeof(view), "%s%s_mv", views[i], suffix);
		rc = ch_table_exists(s, url, view, &had, err);
		if (rc || had)
			continue;
		vigil_buf__printf(
			&b, "CREATE MATERIALIZED VIEW IF NOT EXISTS %s.%s TO %s.node_list%s AS ",
			c->db, view, c->db, suffix);
		select_states(&b, c->db, suffix, i == 0);
		rc = run(s, url, &b, err);
		made |= !rc;
	}
	/* what was stored before the views: listed once more changes nothing (idempotent) */
	for (int i = 0; made && !rc && i < 2; i++) {
		vigil_buf__printf(&b, "INSERT INTO %s.node_list%s ", c->db, suffix);
		select_states(&b, c->db, suffix, i == 0);
		rc = run(s, url, &b, err);
	}
	vigil_buf__release(&b);
	return rc;
}

int ch_create_node_list(struct vigil_store *s, const char *url, bool local, bool distributed,
			struct vigil_error *err)
{
	struct ch *c = s->be;
	struct vigil_buf b = VIGIL_BUF_INIT;
	int rc = 0;

	if (local)
		rc = create_local(s, url, distributed || c->cluster[0] ? "_local" : "", err);
	if (!rc && distributed) {
		vigil_buf__printf(&b, "CREATE TABLE IF NOT EXISTS %s.node_list ", c->db);
		columns(&b);
		vigil_buf__printf(&b, " ENGINE = Distributed(%s, %s, node_list_local, rand())",
				  c->cluster, c->db);
		rc = run(s, url, &b, err);
	}
	vigil_buf__release(&b);
	return rc;
}
