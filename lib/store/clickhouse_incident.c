// SPDX-License-Identifier: Apache-2.0
/*
 * One incident's rows asked at once: its alerts and the rows of its newest report (events,
 * processes, destinations, flows, files), one query per table, each on a connection of that
 * table's own in a thread of its own (as a flush's inserts: clickhouse_inserts.c). One after
 * the other they were six round trips after the incident's, each waiting its turn for a
 * loaded server's CPUs; at once, the page waits for the slowest. One query gathering every
 * table's rows into arrays of tuples (scalar subqueries) was tried first: one round trip, but
 * 18.16 took 3-5 times the server time of the plain queries for it (57 against ~14 ms at the
 * median at 1 000 000 alerts, docs/BENCHMARKS.md), so the answer came later, not sooner.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/clickhouse_internal.h"

struct read_job {
	struct vigil_store *s;
	struct ch_conn *k;
	enum store_table_id t;
	const char *id;
	json_t *rows;
	struct vigil_error err;
	int rc;
	pthread_t th;
	bool started;
};

/* The rows of one table, ordered as vigil_store__get orders them on SQLite. */
static void *read_table(void *arg)
{
	struct read_job *j = arg;
	const struct store_table *tab = &store_tables[j->t];
	struct store_arg args[2] = { ARG_S(j->id), ARG_S(j->id) };
	char sql[512];

	if (j->t == T_ALERTS) /* unique by id: FINAL collapses a duplicate */
		snprintf(sql, sizeof(sql),
			 "SELECT * FROM alerts FINAL WHERE incident_id = ? ORDER BY time_ns, "
			 "alert_id%s",
			 store_report_alerts_limit(j->s));
	else /* every report of the incident, versioned: the newest one's rows */
		snprintf(sql, sizeof(sql),
			 "SELECT * FROM %s WHERE incident_id = ? AND version = (SELECT "
			 "max(version) FROM %s WHERE incident_id = ?) ORDER BY %s%s",
			 tab->name, tab->name, tab->time_col, j->t == T_EVENTS ? ", seq" : "");
	j->rc = ch_query_on(j->s, j->k, sql, args, j->t == T_ALERTS ? 1 : 2, &j->rows, &j->err);
	return NULL;
}

/* rows (stolen) as normalized rows of table t; NULL on ENOMEM. */
static json_t *normalized(enum store_table_id t, json_t *rows)
{
	json_t *out = json_array(), *row;
	size_t i;

	json_array_foreach(rows, i, row)
	{
		if (!out ||
		    json_array_append_new(out, store_row_normalize(&store_tables[t], row))) {
			json_decref(out);
			out = NULL;
		}
	}
	json_decref(rows);
	return out;
}

int ch_incident_children(struct vigil_store *s, const char *id, json_t *children[T__MAX],
			 struct vigil_error *err)
{
	struct ch *c = s->be;
	struct read_job jobs[T__MAX];
	int rc = 0;

	memset(jobs, 0, sizeof(jobs));
	for (int t = T_REPORT_FIRST; t <= T_REPORT_LAST; t++) {
		struct read_job *j = &jobs[t];

		*j = (struct read_job){ .s = s, .t = (enum store_table_id)t, .id = id };
		if (!c->ins[t])
			c->ins[t] = ch_conn_new(s);
		if (c->ins[t]) {
			j->k = c->ins[t];
			j->started = pthread_create(&j->th, NULL, read_table, j) == 0;
		}
	}
	/* what could not start (no connection, no thread) runs here, on the store's own */
	for (int t = T_REPORT_FIRST; t <= T_REPORT_LAST; t++) {
		if (!jobs[t].started) {
			jobs[t].k = &c->conn;
			read_table(&jobs[t]);
		}
	}
	for (int t = T_REPORT_FIRST; t <= T_REPORT_LAST; t++) {
		struct read_job *j = &jobs[t];

		if (j->started)
			pthread_join(j->th, NULL);
		if (j->rc && !rc) {
			rc = j->rc;
			if (err)
				*err = j->err;
		}
		children[t] = j->rc ? NULL : normalized((enum store_table_id)t, j->rows);
		if (j->rc)
			json_decref(j->rows);
		if (!j->rc && !children[t] && !rc)
			rc = vigil_error__set(err, -ENOMEM, "", 0, 0, "out of memory");
	}
	return rc;
}
