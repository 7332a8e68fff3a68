// SPDX-License-Identifier: Apache-2.0
/*
 * A flush's inserts sent at once: the queued rows of each table go to the server on a
 * connection of that table's own, in a thread each, and the flush waits for all of them
 * (each INSERT answers once its part is written: wait_end_of_query, so an acknowledgement
 * still means stored). One after the other, a writer group that carries alerts, a heartbeat
 * (nodes) and its workloads waited for three round trips in a row, and the cockpit's writer
 * is one thread: every group after it waited too. The incidents go after these, alone
 * (ch_flush: a reader that sees an incident row sees its children).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "store/clickhouse_internal.h"

struct job {
	struct vigil_store *s;
	struct ch_conn *k;
	enum store_table_id t;
	struct ch_tally tally;
	struct vigil_error err;
	int rc;
	pthread_t th;
	bool started;
};

static void *run(void *arg)
{
	struct job *j = arg;
	struct ch *c = j->s->be;

	j->rc = ch_insert_retry_on(j->s, j->k, store_tables[j->t].name, c->batch[j->t],
				   c->q[j->t].data, c->q[j->t].len, c->nrows[j->t], &j->tally,
				   &j->err);
	return NULL;
}

void ch_insert_tables(struct vigil_store *s, const enum store_table_id *tables, size_t n,
		      int rc[T__MAX], struct vigil_error *errs)
{
	struct ch *c = s->be;
	struct job jobs[T__MAX];

	memset(jobs, 0, sizeof(jobs));
	for (size_t i = 0; i < n; i++) {
		enum store_table_id t = tables[i];
		struct job *j = &jobs[i];

		*j = (struct job){ .s = s, .t = t, .k = &c->conn };
		/* one table: on the store's own connection, in this thread */
		if (n > 1) {
			if (!c->ins[t])
				c->ins[t] = ch_conn_new(s);
			if (c->ins[t]) {
				j->k = c->ins[t];
				j->started = pthread_create(&j->th, NULL, run, j) == 0;
			}
		}
	}
	/* what could not start (no connection, no thread) runs here, one after the other */
	for (size_t i = 0; i < n; i++)
		if (!jobs[i].started)
			run(&jobs[i]);
	for (size_t i = 0; i < n; i++) {
		struct job *j = &jobs[i];

		if (j->started)
			pthread_join(j->th, NULL);
		rc[j->t] = j->rc;
		if (j->rc && errs)
			errs[j->t] = j->err;
		s->stats.rows_written += j->tally.rows;
		s->stats.batches_written += j->tally.batches;
		s->stats.retries += j->tally.retries;
	}
}
