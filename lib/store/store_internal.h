/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private to lib/store: the logical schema (one description, rendered as SQLite and ClickHouse
 * DDL), the mapping between report JSON and table rows, the backend operations, and the small
 * SQL dialect layer the read queries are written against (query.c).
 */
#ifndef VIGIL_STORE_INTERNAL_H
#define VIGIL_STORE_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/clock.h"
#include "vigil/store.h"

#define STORE_SCHEMA_VERSION 7 /* SQLite's PRAGMA user_version */

/* The span of one alert counter (SQLite keeps counts per node and minute, sqlite_schema.c). */
#define STORE_COUNT_NS 60000000000ull

enum col_type {
	COL_STR,
	COL_U64,
	COL_U32,
	COL_U16,
	COL_U8,
	COL_F64,
	COL_ENUM, /* a string from a fixed list (ClickHouse Enum8) */
	COL_ARR,  /* array of strings */
};

struct store_col {
	const char *name;
	enum col_type type;
	const char *enum_values; /* COL_ENUM: "'open' = 1, 'closed' = 2" */
};

enum store_table_id {
	T_INCIDENTS,
	T_ALERTS,
	T_EVENTS,
	T_PROCESSES,
	T_DESTINATIONS,
	T_FLOWS,
	T_FILES,
	T_NODES,
	T_WORKLOADS,
	T_PROFILES,
	T_CREDENTIALS,
	T_ENROLMENTS,
	T__MAX
};

/* The tables an incident report is split into: T_ALERTS .. T_FILES. */
#define T_REPORT_FIRST T_ALERTS
#define T_REPORT_LAST  T_FILES

/* How rows of a table are written. */
enum put_mode {
	PUT_APPEND,  /* every row is new */
	PUT_IGNORE,  /* unique by key: a row whose key is stored already is a duplicate, dropped */
	PUT_REPLACE, /* unique by key: the newest version replaces the stored row */
};

struct store_table {
	const char *name;
	const struct store_col *cols; /* owner key first (incident_id, node, ...), version second */
	size_t ncols;
	const char *report_key; /* array in the report holding these rows; NULL otherwise */
	const char *time_col;	/* orders rows of an incident; partitions ClickHouse by month */
	enum put_mode mode;
	const char *key;	/* the unique key (PUT_IGNORE / PUT_REPLACE), SQL column list */
	const char *ch_order;	/* ClickHouse ORDER BY (starts with the key when there is one) */
	const char *ch_shard;	/* Distributed sharding expression: equal keys, equal shard */
	const char *const *idx; /* SQLite indexes (column lists), NULL-terminated */
	bool ch_no_partition;	/* small state tables: one ClickHouse partition */
	bool ch_fine_index;	/* rows read one incident at a time: index every 1 024 rows */
};

extern const struct store_table store_tables[T__MAX];

/* A row of table t (typed, every column present) from an item. NULL on ENOMEM. */
/* Makes placeholder (an incident row, version set here) replace the incident another node
 * put under an id derived for this node's alerts, with that node's report rows (owner.c). */
int store_take_incident(struct vigil_store *s, json_t *placeholder, uint64_t now_ns);
json_t *store_row_from_item(const struct store_table *t, const json_t *item, const char *owner,
			    uint64_t version);
/* The incident row from a report's top level. */
json_t *store_incident_row(const json_t *report, uint64_t version);
/* Coerces a row read back from a backend to the column types and drops what is not a column.
 * Returns a new object. */
json_t *store_row_normalize(const struct store_table *t, const json_t *row);
/* Report JSON from an incident row and the child rows of each table (arrays by table id;
 * entries may be NULL). Steals nothing. */
/* " LIMIT N" for the alerts of a report (vigil_store_opts.max_report_alerts), or "". */
const char *store_report_alerts_limit(const struct vigil_store *s);
json_t *store_report_assemble(const json_t *incident_row, json_t *const children[T__MAX]);
/* The summary an incident row gives in `vigil evidence list`. */
json_t *store_list_entry(const json_t *incident_row);
/* node -> count of alerts since since_ns (of one node when node is set); an empty object when
 * the store cannot say, NULL on ENOMEM (counts.c). */
json_t *store_alerts_by_node(struct vigil_store *s, uint64_t since_ns, const char *node);
/* True when id is 1..32 lower-case hex digits (safe to put into a query). */
bool store_id_valid(const char *id);
/* "2026-11-22T10:00:00.123456789Z" -> ns; 0 when unreadable. */
uint64_t store_parse_time(const char *t);
/* The first 16 bytes of sha256(data) as 32 lower-case hex digits. */
void store_hash32(const void *data, size_t len, char out[33]);

/* ---- SQL dialects ------------------------------------------------------------------------ */

/*
 * Argument of a query. Queries are written with '?' placeholders: SQLite binds them, the
 * ClickHouse backend (18.16 has no query parameters) substitutes escaped literals.
 */
struct store_arg {
	bool is_str;
	const char *s;
	int64_t i;
};

#define ARG_S(v)       ((struct store_arg){ .is_str = true, .s = (v) })
#define ARG_I(v)       ((struct store_arg){ .is_str = false, .i = (int64_t)(v) })
#define STORE_MAX_ARGS 30000 /* below SQLite's 32 766 host parameters */

struct store_dialect {
	const char *final;	  /* " FINAL" after replacing tables (ClickHouse), "" */
	const char *count_alerts; /* count of distinct alerts */
	const char *rules_concat; /* aggregate of distinct rule_id as "a,b" */
	/* the pieces around a column (or two operands): "a / b" is idiv[0] a idiv[1] b idiv[2] */
	const char *idiv[3];
	const char *ci_contains[2]; /* case-insensitive "column contains ?" */
	const char *array_has[2];   /* "array column has the element ?" */
	bool sets_replaced;	    /* a node's workload rows are replaced in place (SQLite) */
	/* the fleet list is filtered, sorted, paged and totalled in SQL (nodes_page.c); else
	 * vigil_store__nodes_page answers -EOPNOTSUPP and the caller pages every node */
	bool paged_nodes;
	/* what the fleet list reads its rows from (node_list's columns, one row per node name):
	 * NULL, SQLite's table node_list; else a subquery (ClickHouse: nodes and tokens) */
	const char *node_list;
	/* the fleet page joins every node's alerts of the hour into its query (one round trip;
	 * ClickHouse sums the hour's counter rows fast), not counted for the page's nodes after */
	bool page_joins_counts;
	/* alert counts per STORE_COUNT_NS are kept as alerts are written (SQLite: tables
	 * alert_minutes per node and fleet_minutes), so counts over time read those */
	bool minute_counts;
	/* no "GROUP BY +col" (SQLite's way to keep a GROUP BY from walking an index) */
	bool plain_group_by;
	/* counts read whole minutes of counters only (ClickHouse): the part of a minute at either
	 * end of a period would be a scan of every alert (they are ordered by incident, not by
	 * time), so the minute that holds the start or end counts whole (counts.c) */
	bool whole_minutes;
};

/* A query under construction: SQL text and its arguments. */
struct store_sql {
	struct vigil_buf text;
	struct store_arg args[STORE_MAX_ARGS];
	size_t nargs;
	int err; /* sticky: the first error of any append */
};

void sql_init(struct store_sql *q);
void sql_release(struct store_sql *q);
void sql_add(struct store_sql *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sql_arg(struct store_sql *q, struct store_arg a);
/* Appends pre[0] col pre[1]: a dialect's expression around a column. */
void sql_wrap(struct store_sql *q, const char *const pre[2], const char *col);
/* Runs q; rows as JSON objects keyed by column name (numbers as numbers). */
int sql_run(struct vigil_store *s, struct store_sql *q, json_t **ret, struct vigil_error *err);

/* ---- backends ---------------------------------------------------------------------------- */

struct put_opts {
	/* first delete (SQLite) or supersede (ClickHouse: readers take the newest version) the
	 * rows whose owner key (first column) is this */
	const char *replace_owner;
	/* with replace_owner: the rows it has are another node's, taken over (owner.c): gone for
	 * good, not only superseded (ClickHouse deletes them after the flush) */
	bool taken;
	/* PUT_IGNORE tables: one entry per row, set when the row's key was stored or queued
	 * already (the row is dropped) */
	bool *dup;
	/* PUT_REPLACE tables: write only where the key is absent (placeholder rows: SQLite
	 * OR IGNORE; in ClickHouse they carry version 0, which any real row outranks) */
	bool if_absent;
};

struct store_ops {
	const char *name;
	const struct store_dialect *dialect;
	/* Queues rows (an array of typed rows) of table t. o may be NULL. */
	int (*put_rows)(struct vigil_store *s, enum store_table_id t, json_t *rows,
			const struct put_opts *o);
	int (*flush)(struct vigil_store *s, struct vigil_error *err);
	/* Drops what is queued and not yet flushed (the caller answers "not stored"). */
	void (*discard)(struct vigil_store *s);
	int (*query)(struct vigil_store *s, const char *sql, const struct store_arg *args,
		     size_t nargs, json_t **ret, struct vigil_error *err);
	void (*close)(struct vigil_store *s);
	/* Looks up at once which rows (an array, of table t) are stored already, for the put_rows
	 * calls that follow (vigil_store__prefetch_alerts); rows NULL forgets. NULL: the
	 * backend's own lookups are cheap. */
	int (*prefetch)(struct vigil_store *s, enum store_table_id t, const json_t *rows);
	/* Marks the incidents (the keys of ids) as arrived now (received_ns), so retention
	 * judges an incident by its last arrival. NULL: the backend has no retention. */
	int (*touch)(struct vigil_store *s, const json_t *ids, uint64_t now_ns);
	/* Reads the alerts and newest report rows of incident id (a whole id) into children
	 * (T_REPORT_FIRST..T_REPORT_LAST, normalized rows, ordered as vigil_store__get orders
	 * them) at once. NULL: vigil_store__get asks table by table. */
	int (*incident_children)(struct vigil_store *s, const char *id, json_t *children[T__MAX],
				 struct vigil_error *err);
};

struct vigil_store {
	const struct store_ops *ops;
	struct vigil_store_opts opts;
	struct vigil_store_stats stats;
	void *be;	  /* backend state */
	json_t *wl_cache; /* node -> [digest, version] of the workload rows it wrote last */
	json_t *owners;	  /* prefetched: incident id -> its node, or null (none stored) */
	/* incident id -> node: incident rows written and not yet visible to a lookup (queued
	 * or spooled by ClickHouse); they decide ownership before the table does (owner.c) */
	json_t *pending;
};

/* Fills s->owners for the incident ids (the keys of ids) in one lookup (owner.c). */
int store_prefetch_owners(struct vigil_store *s, const json_t *ids);

int store_sqlite_open(struct vigil_store *s, const char *path, struct vigil_error *err);
int store_clickhouse_open(struct vigil_store *s, const char *url, struct vigil_error *err);

#endif
