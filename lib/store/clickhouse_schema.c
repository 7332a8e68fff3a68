// SPDX-License-Identifier: Apache-2.0
/*
 * ClickHouse DDL from the logical schema. On one server each table is a MergeTree (a
 * ReplacingMergeTree(version) where rows are unique by a key). On a cluster
 * (`?cluster=NAME&shard=URL...`) each shard gets those tables as TABLE_local and every server
 * named gets TABLE = Distributed(NAME, db, TABLE_local, key hash) over them, so rows with the
 * same key land on the same shard and FINAL collapses them there. 18.16's ON CLUSTER needs
 * ZooKeeper; creating the tables on each shard over HTTP does not.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "store/clickhouse_internal.h"

static const char *ch_type(const struct store_col *col, char *buf, size_t size)
{
	switch (col->type) {
	case COL_STR:
		return "String";
	case COL_U64:
		return "UInt64";
	case COL_U32:
		return "UInt32";
	case COL_U16:
		return "UInt16";
	case COL_U8:
		return "UInt8";
	case COL_F64:
		return "Float64";
	case COL_ARR:
		return "Array(String)";
	case COL_ENUM:
		snprintf(buf, size, "Enum8(%s)", col->enum_values);
		return buf;
	}
	return "String";
}

static void columns(struct vigil_buf *b, const struct store_table *tab)
{
	char tb[128];

	vigil_buf__puts(b, "(");
	for (size_t i = 0; i < tab->ncols; i++)
		vigil_buf__printf(b, "%s %s, ", tab->cols[i].name,
				  ch_type(&tab->cols[i], tb, sizeof(tb)));
	vigil_buf__puts(b, "batch_id String)");
}

static void engine(struct vigil_buf *b, const struct store_table *tab)
{
	vigil_buf__printf(b, " ENGINE = %s",
			  tab->mode == PUT_APPEND ? "MergeTree()" : "ReplacingMergeTree(version)");
	if (!tab->ch_no_partition)
		vigil_buf__printf(b, " PARTITION BY toYYYYMM(toDateTime(intDiv(%s, 1000000000)))",
				  tab->time_col);
	vigil_buf__printf(b, " ORDER BY (%s)", tab->ch_order);
	/* one incident's alerts are a few rows of wide records: do not read 8 192 of them */
	if (tab->ch_fine_index)
		vigil_buf__puts(b, " SETTINGS index_granularity = 1024");
}

static int run(struct vigil_store *s, const char *url, struct vigil_buf *b, struct vigil_error *err)
{
	int rc = b->data ? ch_http(s, url, b->data, NULL, 0, NULL, err) : -ENOMEM;

	vigil_buf__reset(b);
	return rc;
}

/* Whether db.name exists on url. */
int ch_table_exists(struct vigil_store *s, const char *url, const char *name, bool *ret,
		    struct vigil_error *err)
{
	struct ch *c = s->be;
	struct vigil_buf b = VIGIL_BUF_INIT, ans = VIGIL_BUF_INIT;
	int rc;

	vigil_buf__puts(&b, "SELECT count() FROM system.tables WHERE database = ");
	ch_quote(&b, c->db);
	vigil_buf__puts(&b, " AND name = ");
	ch_quote(&b, name);
	vigil_buf__puts(&b, " FORMAT TabSeparated");
	rc = b.data ? ch_http(s, url, b.data, NULL, 0, &ans, err) : -ENOMEM;
	*ret = !rc && ans.data && ans.data[0] == '1';
	vigil_buf__release(&b);
	vigil_buf__release(&ans);
	return rc;
}

/* A table made by an older vigil lacks the columns added since (schema 4: flows.tls): add
 * them. Asked of system.columns, as 18.16 may not know ADD COLUMN IF NOT EXISTS. */
static int add_missing(struct vigil_store *s, const char *url, const char *table,
		       const struct store_table *tab, struct vigil_error *err)
{
	struct ch *c = s->be;
	struct vigil_buf b = VIGIL_BUF_INIT, have = VIGIL_BUF_INIT;
	int rc;

	vigil_buf__puts(&b, "SELECT name FROM system.columns WHERE database = ");
	ch_quote(&b, c->db);
	vigil_buf__puts(&b, " AND table = ");
	ch_quote(&b, table);
	vigil_buf__puts(&b, " FORMAT TabSeparated");
	rc = b.data ? ch_http(s, url, b.data, NULL, 0, &have, err) : -ENOMEM;
	vigil_buf__reset(&b);
	for (size_t i = 0; !rc && have.data && i < tab->ncols; i++) {
		char line[96], tb[128];

		snprintf(line, sizeof(line), "\n%s\n", tab->cols[i].name);
		/* the answer with a newline in front: every name is "\nNAME\n" */
		if (strstr(have.data, line + 1) == have.data || strstr(have.data, line))
			continue;
		vigil_buf__printf(&b, "ALTER TABLE %s.%s ADD COLUMN %s %s", c->db, table,
				  tab->cols[i].name, ch_type(&tab->cols[i], tb, sizeof(tb)));
		rc = run(s, url, &b, err);
	}
	vigil_buf__release(&b);
	vigil_buf__release(&have);
	return rc;
}

/* The tables of one server: plain, or TABLE_local (shard) and/or TABLE Distributed. */
static int create_on(struct vigil_store *s, const char *url, bool local, bool distributed,
		     struct vigil_error *err)
{
	struct ch *c = s->be;
	struct vigil_buf b = VIGIL_BUF_INIT;
	int rc;

	vigil_buf__printf(&b, "CREATE DATABASE IF NOT EXISTS %s", c->db);
	c->no_db = true;
	rc = run(s, url, &b, err);
	c->no_db = false;
	for (int t = 0; !rc && t < T__MAX; t++) {
		const struct store_table *tab = &store_tables[t];

		if (local) {
			char name[80];

			snprintf(name, sizeof(name), "%s%s", tab->name,
				 distributed || c->cluster[0] ? "_local" : "");
			vigil_buf__printf(&b, "CREATE TABLE IF NOT EXISTS %s.%s ", c->db, name);
			columns(&b, tab);
			engine(&b, tab);
			rc = run(s, url, &b, err);
			if (!rc)
				rc = add_missing(s, url, name, tab, err);
		}
		if (!rc && distributed) {
			vigil_buf__printf(&b, "CREATE TABLE IF NOT EXISTS %s.%s ", c->db,
					  tab->name);
			columns(&b, tab);
			vigil_buf__printf(&b, " ENGINE = Distributed(%s, %s, %s_local, %s)",
					  c->cluster, c->db, tab->name, tab->ch_shard);
			rc = run(s, url, &b, err);
			if (!rc)
				rc = add_missing(s, url, tab->name, tab, err);
		}
	}
	/* after the alerts table: its views read it (clickhouse_counters.c) */
	if (!rc)
		rc = ch_create_counters(s, url, local, distributed, err);
	/* after nodes and credentials, the same way (clickhouse_node_list.c) */
	if (!rc)
		rc = ch_create_node_list(s, url, local, distributed, err);
	vigil_buf__release(&b);
	return rc;
}

/* A database made by schema 1 has alerts without alert_id: refuse it rather than misread it. */
static int check_version(struct vigil_store *s, struct vigil_error *err)
{
	struct ch *c = s->be;
	struct store_arg args[] = { ARG_S(c->db) };
	json_t *rows = NULL;
	int rc = ch_query(s,
			  "SELECT count() AS n FROM system.columns WHERE database = ? AND "
			  "table = 'alerts' AND name = 'alert_id'",
			  args, 1, &rows, err);

	if (!rc && json_integer_value(json_object_get(json_array_get(rows, 0), "n")) != 1)
		rc = vigil_error__set(err, -EPROTO, "", 0, 0,
				      "clickhouse: database %s was made by an older vigil (alerts "
				      "without alert_id): give a new database name, or rename the "
				      "old tables away",
				      c->db);
	json_decref(rows);
	return rc;
}

int ch_create_schema(struct vigil_store *s, struct vigil_error *err)
{
	struct ch *c = s->be;
	bool entry_is_shard = false;
	int rc = 0;

	if (!c->cluster[0]) {
		rc = create_on(s, NULL, true, false, err);
	} else {
		for (size_t i = 0; !rc && i < c->nshards; i++) {
			entry_is_shard |= !strcmp(c->shards[i], c->base);
			rc = create_on(s, c->shards[i], true, true, err);
		}
		if (!rc && !entry_is_shard)
			rc = create_on(s, NULL, false, true, err);
	}
	return rc ? rc : check_version(s, err);
}
