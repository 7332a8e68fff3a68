/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private to lib/store: the logical schema (one description, rendered as SQLite and ClickHouse
 * DDL), the mapping between report JSON and table rows, and the backend operations.
 */
#ifndef VIGIL_STORE_INTERNAL_H
#define VIGIL_STORE_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil/store.h"

#define STORE_SCHEMA_VERSION 1

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
	T__MAX
};

struct store_table {
	const char *name;
	const struct store_col *cols; /* incident_id first, version second */
	size_t ncols;
	const char *report_key; /* array in the report holding these rows; NULL for incidents */
	const char *time_col;	/* orders rows; partitions ClickHouse tables by month */
	const char *ch_order;	/* ClickHouse ORDER BY */
	bool dedup;		/* rows unique by ch_order (ReplacingMergeTree / OR IGNORE) */
	const char *unique;	/* SQLite UNIQUE constraint columns, NULL when none */
};

extern const struct store_table store_tables[T__MAX];

/* A row of table t (typed, every column present) from a report item. NULL on ENOMEM. */
json_t *store_row_from_item(const struct store_table *t, const json_t *item,
			    const char *incident_id, uint64_t version);
/* The incident row from a report's top level. */
json_t *store_incident_row(const json_t *report, uint64_t version);
/* Coerces a row read back from a backend (ClickHouse quotes UInt64) to the column types and
 * drops what is not a column. Returns a new object. */
json_t *store_row_normalize(const struct store_table *t, const json_t *row);
/* Report JSON from an incident row and the child rows of each table (arrays by table id;
 * entries may be NULL). Steals nothing. */
json_t *store_report_assemble(const json_t *incident_row, json_t *const children[T__MAX]);
/* The summary an incident row gives in `vigil evidence list`. */
json_t *store_list_entry(const json_t *incident_row);
/* True when id is 1..32 lower-case hex digits (safe to put into a query). */
bool store_id_valid(const char *id);

struct store_ops {
	const char *name;
	int (*put_rows)(struct vigil_store *s, enum store_table_id t, json_t *rows,
			const char *replace_incident, uint64_t version);
	int (*flush)(struct vigil_store *s, struct vigil_error *err);
	int (*list)(struct vigil_store *s, size_t limit, json_t **ret, struct vigil_error *err);
	int (*get)(struct vigil_store *s, const char *id, json_t **ret, struct vigil_error *err);
	void (*close)(struct vigil_store *s);
};

struct vigil_store {
	const struct store_ops *ops;
	struct vigil_store_opts opts;
	struct vigil_store_stats stats;
	void *be; /* backend state */
};

int store_sqlite_open(struct vigil_store *s, const char *path, struct vigil_error *err);
int store_clickhouse_open(struct vigil_store *s, const char *url, struct vigil_error *err);

uint64_t store_now_ns(void);

#endif
