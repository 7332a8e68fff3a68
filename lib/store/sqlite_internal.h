/* SPDX-License-Identifier: Apache-2.0 */
/* Private to the SQLite backend (sqlite.c, sqlite_schema.c). */
#ifndef VIGIL_STORE_SQLITE_INTERNAL_H
#define VIGIL_STORE_SQLITE_INTERNAL_H

#include <sqlite3.h>

#include "store/store_internal.h"

struct sq {
	sqlite3 *db;
	sqlite3_stmt *ins[T__MAX];
	sqlite3_stmt *ins_absent[T__MAX]; /* INSERT OR IGNORE of PUT_REPLACE tables */
	sqlite3_stmt *del[T__MAX];
	sqlite3_stmt *touch; /* an incident's arrival (sq_touch), prepared once */
	bool in_tx;
	size_t pending;
	uint64_t pending_rows; /* rows inserted in the open transaction (stats on commit) */
};

int sq_exec(struct vigil_store *s, const char *sql, struct vigil_error *err);
/* Creates the schema, or brings a schema-1 store to this version (from_version 1). */
int sq_create_schema(struct vigil_store *s, int64_t from_version, struct vigil_error *err);

#endif
