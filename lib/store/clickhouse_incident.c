// SPDX-License-Identifier: Apache-2.0
/*
 * One incident's rows in one ClickHouse query: its alerts and the rows of its newest report
 * (events, processes, destinations, flows, files), each table's rows gathered into an array of
 * tuples by a scalar subquery, all six in one answer row. Per table a query of its own was six
 * round trips after the incident's; each waits its turn for a loaded server's CPUs, so the
 * page's latency was six queues more than its work. The tuples hold the table's columns in
 * the schema's order (schema.c), named here again by position.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store/clickhouse_internal.h"

/* What orders each table's rows, as vigil_store__get orders them in SQL on SQLite. */
static const char *order_of(enum store_table_id t)
{
	return t == T_ALERTS ? "time_ns, alert_id" : t == T_EVENTS ? "time_ns, seq" : NULL;
}

static void table_subquery(struct vigil_buf *b, enum store_table_id t)
{
	const struct store_table *tab = &store_tables[t];
	const char *order = order_of(t);

	vigil_buf__puts(b, "(SELECT groupArray(r) FROM (SELECT (");
	for (size_t i = 0; i < tab->ncols; i++)
		vigil_buf__printf(b, "%s%s", i ? ", " : "", tab->cols[i].name);
	/* alerts are unique by id (FINAL collapses a duplicate); the other tables hold every
	 * report of the incident, versioned: the newest one's rows */
	if (t == T_ALERTS)
		vigil_buf__puts(b, ") AS r FROM alerts FINAL WHERE incident_id = ?1");
	else
		vigil_buf__printf(b,
				  ") AS r FROM %s WHERE incident_id = ?1 AND version = (SELECT "
				  "max(version) FROM %s WHERE incident_id = ?1)",
				  tab->name, tab->name);
	/* one ordered stream into one aggregate: groupArray keeps the order */
	vigil_buf__printf(b, " ORDER BY %s)) AS %s", order ? order : tab->time_col, tab->name);
}

/* The rows of table t from the tuples of arr (arrays of the table's columns, in order). */
static json_t *rows_of(enum store_table_id t, const json_t *arr)
{
	const struct store_table *tab = &store_tables[t];
	json_t *out = json_array(), *tuple;
	size_t i;

	json_array_foreach(arr, i, tuple)
	{
		json_t *row = json_object(), *norm;

		if (!out || !row || json_array_size(tuple) != tab->ncols) {
			json_decref(row);
			json_decref(out);
			return NULL;
		}
		for (size_t k = 0; k < tab->ncols; k++)
			json_object_set(row, tab->cols[k].name, json_array_get(tuple, k));
		norm = store_row_normalize(tab, row);
		json_decref(row);
		if (!norm || json_array_append_new(out, norm)) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

int ch_incident_children(struct vigil_store *s, const char *id, json_t *children[T__MAX],
			 struct vigil_error *err)
{
	struct store_arg arg = ARG_S(id);
	struct vigil_buf b = VIGIL_BUF_INIT;
	json_t *res = NULL, *row;
	int rc;

	vigil_buf__puts(&b, "SELECT ");
	for (int t = T_REPORT_FIRST; t <= T_REPORT_LAST; t++) {
		if (t > T_REPORT_FIRST)
			vigil_buf__puts(&b, ", ");
		table_subquery(&b, t);
	}
	if (!b.data)
		return -ENOMEM;
	rc = ch_query(s, b.data, &arg, 1, &res, err);
	vigil_buf__release(&b);
	if (rc)
		return rc;
	row = json_array_get(res, 0);
	for (int t = T_REPORT_FIRST; t <= T_REPORT_LAST && !rc; t++) {
		const json_t *arr = json_object_get(row, store_tables[t].name);

		children[t] = json_is_array(arr) ? rows_of(t, arr) : NULL;
		if (!children[t])
			rc = vigil_error__set(err, json_is_array(arr) ? -ENOMEM : -EIO, "", 0, 0,
					      "clickhouse: the rows of incident %s: %s", id,
					      json_is_array(arr) ? "out of memory"
								 : "an answer without them");
	}
	json_decref(res);
	return rc;
}
