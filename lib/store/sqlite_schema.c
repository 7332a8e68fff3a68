// SPDX-License-Identifier: Apache-2.0
/*
 * SQLite DDL from the logical schema, and the migration of a store written by schema 1 (alerts
 * unique by incident, time and rule; no fleet tables): tables whose columns changed are rebuilt
 * and their rows copied, so nothing an older vigil stored is lost. Schema 2 differs from 3
 * only in indexes; 4 adds flows.tls (a table rebuilt as above); 5 adds the alert counters
 * (counted once from the alerts stored when a store is brought to 5); 6 counts inserts in the
 * writer instead of by a trigger per alert (recounted once when a store is brought to 6), and
 * lists the fleet's nodes in a narrow table of their own; 7 makes alerts unique per node
 * (node, alert_id): the alerts table is rebuilt, every row kept.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_internal.h"

static const char *sql_type(enum col_type t)
{
	switch (t) {
	case COL_F64:
		return "REAL";
	case COL_STR:
	case COL_ENUM:
	case COL_ARR:
		return "TEXT";
	default:
		return "INTEGER";
	}
}

static void create_table(struct vigil_buf *b, const struct store_table *tab, const char *name)
{
	vigil_buf__printf(b, "CREATE TABLE IF NOT EXISTS %s (", name);
	for (size_t i = 0; i < tab->ncols; i++)
		vigil_buf__printf(b, "%s%s %s NOT NULL DEFAULT %s", i ? ", " : "",
				  tab->cols[i].name, sql_type(tab->cols[i].type),
				  tab->cols[i].type == COL_F64		  ? "0.0"
				  : tab->cols[i].type == COL_ARR	  ? "'[]'"
				  : sql_type(tab->cols[i].type)[0] == 'T' ? "''"
									  : "0");
	if (tab->mode == PUT_REPLACE)
		vigil_buf__printf(b, ", PRIMARY KEY (%s)", tab->key);
	else if (tab->mode == PUT_IGNORE)
		vigil_buf__printf(b, ", UNIQUE (%s)", tab->key);
	vigil_buf__puts(b, ");");
}

static void create_indexes(struct vigil_buf *b, const struct store_table *tab)
{
	for (size_t i = 0; tab->idx && tab->idx[i]; i++) {
		char name[64];
		size_t o = (size_t)snprintf(name, sizeof(name), "%s_by", tab->name);

		for (const char *p = tab->idx[i]; *p && o + 1 < sizeof(name); p++)
			if (*p != ' ')
				name[o++] = *p == ',' ? '_' : *p;
		name[o] = '\0';
		vigil_buf__printf(b, "CREATE INDEX IF NOT EXISTS %s ON %s (%s);", name, tab->name,
				  tab->idx[i]);
	}
}

/*
 * Alert counts per minute, per node (alert_minutes) and for the fleet (fleet_minutes). The
 * writer adds each put_rows call's inserted alerts to them in the transaction that inserts
 * them (sqlite_counts.c; an INSERT OR IGNORE of a duplicate inserts nothing and counts
 * nothing); a trigger takes deleted alerts off (retention, an incident taken over). The fleet
 * page's alerts of the last hour and the counts over time read at most one row per node and
 * minute instead of every alert of the period. Alerts are never updated or replaced in place
 * (PUT_IGNORE), which is what keeps these exact. Schema 5 counted inserts by a trigger too
 * (alerts_counted, two upserts per alert): dropped here, or a schema-5 file would count
 * every alert twice.
 */
/* A minute is time_ns / 60000000000; high is severity >= 8, mid 4 to 7 (sqlite_counts.c). */
_Static_assert(STORE_COUNT_NS == 60000000000ull, "the SQL below divides by STORE_COUNT_NS");

static const char counters_tables_sql[] =
	"CREATE TABLE IF NOT EXISTS alert_minutes (minute INTEGER NOT NULL, node TEXT NOT NULL, "
	"n INTEGER NOT NULL, high INTEGER NOT NULL, mid INTEGER NOT NULL, "
	/* by node first: a request's alerts are one node's, so its counts share a page or two;
	 * the index by minute changes only when a node's minute gets its first alert */
	"PRIMARY KEY (node, minute)) WITHOUT ROWID;"
	"CREATE INDEX IF NOT EXISTS alert_minutes_by_minute ON alert_minutes (minute, node);"
	"CREATE TABLE IF NOT EXISTS fleet_minutes (minute INTEGER PRIMARY KEY, "
	"n INTEGER NOT NULL, high INTEGER NOT NULL, mid INTEGER NOT NULL);"
	/* a table migration renames alerts and drops the old one with its triggers: anew */
	"DROP TRIGGER IF EXISTS alerts_counted; DROP TRIGGER IF EXISTS alerts_uncounted;";

static const char counters_uncount_sql[] =
	"CREATE TRIGGER alerts_uncounted AFTER DELETE ON alerts BEGIN "
	"UPDATE alert_minutes SET n = n - 1, high = high - (old.severity >= 8), "
	"mid = mid - (old.severity >= 4 AND old.severity < 8) "
	"WHERE minute = old.time_ns / 60000000000 AND node = old.node;"
	"UPDATE fleet_minutes SET n = n - 1, high = high - (old.severity >= 8), "
	"mid = mid - (old.severity >= 4 AND old.severity < 8) "
	"WHERE minute = old.time_ns / 60000000000;"
	/* a minute whose alerts retention deleted takes no room */
	"DELETE FROM alert_minutes WHERE minute = old.time_ns / 60000000000 AND node = old.node "
	"AND n = 0;"
	"DELETE FROM fleet_minutes WHERE minute = old.time_ns / 60000000000 AND n = 0; END;";

/* what is stored already, counted once (a file brought to this schema, whatever it had) */
static const char counters_recount_sql[] =
	"DELETE FROM alert_minutes; DELETE FROM fleet_minutes;"
	"INSERT INTO alert_minutes SELECT time_ns / 60000000000 AS m, node, count(*), "
	"sum(severity >= 8), sum(severity >= 4 AND severity < 8) FROM alerts GROUP BY m, node;"
	"INSERT INTO fleet_minutes SELECT minute, sum(n), sum(high), sum(mid) FROM alert_minutes "
	"GROUP BY minute;";

/*
 * The fleet list's narrow table (schema 6): one row per node name, from its last heartbeat
 * (nodes) and its node tokens (credentials: active when any is, else revoked), kept by
 * triggers in the transaction of every heartbeat and token (a hundred a second at 1 000
 * nodes, not the alerts' path). The fleet page scans this instead of joining nodes and
 * credentials, and of their union of names, for each of its queries (nodes_page.c).
 */
static const char node_list_sql[] =
	"CREATE TABLE IF NOT EXISTS node_list (node TEXT NOT NULL PRIMARY KEY, "
	"last_seen_ns INTEGER NOT NULL DEFAULT 0, time_ns INTEGER NOT NULL DEFAULT 0, "
	"interval_s INTEGER NOT NULL DEFAULT 0, agent_version TEXT NOT NULL DEFAULT '', "
	"kernel TEXT NOT NULL DEFAULT '', uptime_s INTEGER NOT NULL DEFAULT 0, "
	"drops INTEGER NOT NULL DEFAULT 0, sink_failures INTEGER NOT NULL DEFAULT 0, "
	"spool_dropped INTEGER NOT NULL DEFAULT 0, workloads INTEGER NOT NULL DEFAULT 0, "
	"credential TEXT NOT NULL DEFAULT 'none') WITHOUT ROWID;"
	"DROP TRIGGER IF EXISTS nodes_listed; DROP TRIGGER IF EXISTS credentials_listed;"
	"CREATE TRIGGER nodes_listed AFTER INSERT ON nodes BEGIN "
	"INSERT INTO node_list (node, last_seen_ns, time_ns, interval_s, agent_version, kernel, "
	"uptime_s, drops, sink_failures, spool_dropped, workloads) VALUES (new.node, "
	"new.last_seen_ns, new.time_ns, new.interval_s, new.agent_version, new.kernel, "
	"new.uptime_s, new.drops, new.sink_failures, new.spool_dropped, new.workloads) "
	"ON CONFLICT (node) DO UPDATE SET last_seen_ns = excluded.last_seen_ns, "
	"time_ns = excluded.time_ns, interval_s = excluded.interval_s, "
	"agent_version = excluded.agent_version, kernel = excluded.kernel, "
	"uptime_s = excluded.uptime_s, drops = excluded.drops, "
	"sink_failures = excluded.sink_failures, spool_dropped = excluded.spool_dropped, "
	"workloads = excluded.workloads; END;"
	"CREATE TRIGGER credentials_listed AFTER INSERT ON credentials WHEN new.kind = 'node' "
	"BEGIN INSERT INTO node_list (node, credential) VALUES (new.node, (SELECT CASE WHEN "
	"max(revoked_ns = 0) THEN 'active' ELSE 'revoked' END FROM credentials WHERE kind = "
	"'node' AND node = new.node)) ON CONFLICT (node) DO UPDATE SET credential = "
	"excluded.credential; END;"
	/* what is stored already, listed once */
	"DELETE FROM node_list;"
	"INSERT INTO node_list (node, last_seen_ns, time_ns, interval_s, agent_version, kernel, "
	"uptime_s, drops, sink_failures, spool_dropped, workloads) SELECT node, last_seen_ns, "
	"time_ns, interval_s, agent_version, kernel, uptime_s, drops, sink_failures, "
	"spool_dropped, workloads FROM nodes;"
	"INSERT INTO node_list (node, credential) SELECT node, CASE WHEN max(revoked_ns = 0) THEN "
	"'active' ELSE 'revoked' END FROM credentials WHERE kind = 'node' GROUP BY node "
	"ON CONFLICT (node) DO UPDATE SET credential = excluded.credential;";

/* What a column missing from a schema-1 table is filled with when its rows are copied. */
static const char *migrate_expr(const struct store_table *tab, const char *col)
{
	static const struct {
		const char *table, *col, *expr;
	} fills[] = {
		{ "alerts", "alert_id",
		  "coalesce(json_extract(record, '$.alert_id'), lower(hex(randomblob(16))))" },
		{ "alerts", "node", "coalesce(json_extract(record, '$.node'), '')" },
		{ "alerts", "received_ns", "time_ns" },
		{ "alerts", "workload_id", "coalesce(json_extract(record, '$.workload.id'), '')" },
		{ "alerts", "workload_name",
		  "coalesce(json_extract(record, '$.workload.name'), '')" },
		{ "alerts", "namespace",
		  "coalesce(json_extract(record, '$.workload.namespace'), '')" },
		{ "incidents", "node", "host" },
		{ "incidents", "received_ns", "opened_ns" },
	};

	for (size_t i = 0; i < sizeof(fills) / sizeof(fills[0]); i++)
		if (!strcmp(fills[i].table, tab->name) && !strcmp(fills[i].col, col))
			return fills[i].expr;
	return NULL;
}

/*
 * True when a table unique by a key is unique by the schema's key. Schema 7 made alerts
 * unique by (node, alert_id) instead of alert_id (a node that learns another's id cannot make
 * the real alert a duplicate); the constraint is the table's own, so an older table is rebuilt
 * (migrate_table: every row is kept, as the old key was the stricter one).
 */
static bool unique_current(sqlite3 *db, const struct store_table *tab)
{
	sqlite3_stmt *st;
	char want[128];
	bool same = false;

	if (tab->mode != PUT_IGNORE)
		return true;
	snprintf(want, sizeof(want), ", UNIQUE (%s))", tab->key);
	if (sqlite3_prepare_v2(db,
			       "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(st, 1, tab->name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *sql = (const char *)sqlite3_column_text(st, 0);
		size_t n = sql ? strlen(sql) : 0, w = strlen(want);

		same = n >= w && !strcmp(sql + n - w, want);
	}
	sqlite3_finalize(st);
	return same;
}

/* True when the table exists with exactly the schema's columns and key; *exists says if it
 * exists. */
static bool table_current(sqlite3 *db, const struct store_table *tab, bool *exists,
			  struct vigil_buf *have)
{
	char sql[128];
	sqlite3_stmt *st;
	size_t n = 0;
	bool same = true;

	snprintf(sql, sizeof(sql), "PRAGMA table_info(%s)", tab->name);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return false;
	vigil_buf__reset(have);
	vigil_buf__puts(have, ",");
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 1);

		vigil_buf__printf(have, "%s,", name);
		same &= n < tab->ncols && !strcmp(name, tab->cols[n].name);
		n++;
	}
	sqlite3_finalize(st);
	*exists = n > 0;
	return same && n == tab->ncols && unique_current(db, tab);
}

static int migrate_table(struct vigil_buf *b, const struct store_table *tab, const char *have)
{
	char old[80];

	snprintf(old, sizeof(old), "%s_schema1", tab->name);
	vigil_buf__printf(b, "ALTER TABLE %s RENAME TO %s;", tab->name, old);
	create_table(b, tab, tab->name);
	vigil_buf__printf(b, "INSERT OR IGNORE INTO %s (", tab->name);
	for (size_t i = 0; i < tab->ncols; i++)
		vigil_buf__printf(b, "%s%s", i ? ", " : "", tab->cols[i].name);
	vigil_buf__puts(b, ") SELECT ");
	for (size_t i = 0; i < tab->ncols; i++) {
		char probe[80];
		const char *fill = migrate_expr(tab, tab->cols[i].name);

		snprintf(probe, sizeof(probe), ",%s,", tab->cols[i].name);
		if (strstr(have, probe))
			vigil_buf__printf(b, "%s%s", i ? ", " : "", tab->cols[i].name);
		else
			vigil_buf__printf(b, "%s%s", i ? ", " : "",
					  fill					  ? fill
					  : sql_type(tab->cols[i].type)[0] == 'T' ? "''"
										  : "0");
	}
	vigil_buf__printf(b, " FROM %s; DROP TABLE %s;", old, old);
	return 0;
}

int sq_create_schema(struct vigil_store *s, int64_t from_version, struct vigil_error *err)
{
	struct sq *q = s->be;
	struct vigil_buf b = VIGIL_BUF_INIT, have = VIGIL_BUF_INIT;
	int rc;

	/* auto_vacuum is set when the file is opened, before its first write (sqlite.c) */
	vigil_buf__puts(&b, "BEGIN IMMEDIATE;");
	for (int t = 0; t < T__MAX; t++) {
		const struct store_table *tab = &store_tables[t];
		bool exists = false;

		if (!table_current(q->db, tab, &exists, &have) && exists)
			migrate_table(&b, tab, have.data ? have.data : "");
		else
			create_table(&b, tab, tab->name);
		create_indexes(&b, tab);
	}
	/* schema 2's alert indexes, now covering ones under other names */
	vigil_buf__puts(&b, "DROP INDEX IF EXISTS alerts_by_incident_id_time_ns;"
			    "DROP INDEX IF EXISTS alerts_by_time_ns;");
	vigil_buf__puts(&b, counters_tables_sql);
	vigil_buf__puts(&b, counters_uncount_sql);
	vigil_buf__puts(&b, counters_recount_sql);
	vigil_buf__puts(&b, node_list_sql);
	vigil_buf__printf(&b, "PRAGMA user_version = %d; COMMIT;", STORE_SCHEMA_VERSION);
	vigil_buf__release(&have);
	if (!b.data)
		return vigil_error__set(err, -ENOMEM, "", 0, 0, "out of memory");
	rc = sq_exec(s, b.data, err);
	if (rc)
		sq_exec(s, "ROLLBACK", NULL);
	vigil_buf__release(&b);
	return rc;
}
