/* SPDX-License-Identifier: Apache-2.0 */
/* Private to the SQLite backend (sqlite.c, sqlite_schema.c, sqlite_counts.c). */
#ifndef VIGIL_STORE_SQLITE_INTERNAL_H
#define VIGIL_STORE_SQLITE_INTERNAL_H

#include <sqlite3.h>

#include "store/store_internal.h"

/* One inserted alert, to be counted (sqlite_counts.c); node points into the caller's row. */
struct sq_tally {
	const char *node;
	int64_t minute;
	bool high, mid;
};

struct sq {
	sqlite3 *db;
	sqlite3_stmt *ins[T__MAX];
	sqlite3_stmt *ins_absent[T__MAX]; /* INSERT OR IGNORE of PUT_REPLACE tables */
	sqlite3_stmt *del[T__MAX];
	sqlite3_stmt *touch; /* an incident's arrival (sq_touch), prepared once */
	bool in_tx;
	size_t pending;
	uint64_t pending_rows; /* rows inserted in the open transaction (stats on commit) */
	sqlite3_stmt *count_node, *count_fleet; /* the counters' upserts */
	struct sq_tally *tally;			/* the alerts of one put_rows call */
	size_t ntally, tally_cap;
	uint64_t query_deadline_ns; /* sq_query's statement is interrupted past it (0 = none) */
};

int sq_exec(struct vigil_store *s, const char *sql, struct vigil_error *err);
/* Creates the schema, or brings a schema-1 store to this version (from_version 1). */
int sq_create_schema(struct vigil_store *s, int64_t from_version, struct vigil_error *err);

/* The alert counters (sqlite_counts.c): add each inserted alert, then flush the call's alerts
 * into the counters (in the open transaction); flush also forgets what a failed call added. */
int sq_counts_prepare(struct sq *q);
void sq_counts_close(struct sq *q);
int sq_counts_add(struct sq *q, const char *node, int64_t time_ns, int64_t severity);
int sq_counts_flush(struct sq *q);

#endif
