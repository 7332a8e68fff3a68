// SPDX-License-Identifier: Apache-2.0
/*
 * The alert counters per node and minute (alert_minutes) and per minute (fleet_minutes), added
 * to as alerts are inserted: once per minute and node that a put_rows call's alerts fall in,
 * inside the same transaction. A trigger did this per alert (two upserts for every row: 40 %
 * of the writer's time at fleet rates); a batch of 1 000 alerts of one node over an hour now
 * costs some 60 + 60 upserts. Deletes (retention, an incident taken over) still go through
 * the trigger alerts_uncounted (sqlite_schema.c): they are rare, and exact either way.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_internal.h"

#define HIGH_MIN 8 /* severity >= 8 is high, 4..7 mid (as the read side splits them) */
#define MID_MIN	 4

static const char upsert_node_sql[] =
	"INSERT INTO alert_minutes VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (node, minute) DO "
	"UPDATE SET n = n + excluded.n, high = high + excluded.high, mid = mid + excluded.mid";
static const char upsert_fleet_sql[] =
	"INSERT INTO fleet_minutes VALUES (?1, ?2, ?3, ?4) ON CONFLICT (minute) DO UPDATE SET n "
	"= n + excluded.n, high = high + excluded.high, mid = mid + excluded.mid";

int sq_counts_prepare(struct sq *q)
{
	if (sqlite3_prepare_v3(q->db, upsert_node_sql, -1, SQLITE_PREPARE_PERSISTENT,
			       &q->count_node, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v3(q->db, upsert_fleet_sql, -1, SQLITE_PREPARE_PERSISTENT,
			       &q->count_fleet, NULL) != SQLITE_OK)
		return -EIO;
	return 0;
}

void sq_counts_close(struct sq *q)
{
	sqlite3_finalize(q->count_node);
	sqlite3_finalize(q->count_fleet);
	free(q->tally);
	q->tally = NULL;
	q->ntally = q->tally_cap = 0;
}

int sq_counts_add(struct sq *q, const char *node, int64_t time_ns, int64_t severity)
{
	if (q->ntally == q->tally_cap) {
		size_t cap = q->tally_cap ? 2 * q->tally_cap : 1024;
		struct sq_tally *t = realloc(q->tally, cap * sizeof(*t));

		if (!t)
			return -ENOMEM;
		q->tally = t;
		q->tally_cap = cap;
	}
	q->tally[q->ntally++] = (struct sq_tally){
		.node = node,
		.minute = time_ns / (int64_t)STORE_COUNT_NS,
		.high = severity >= HIGH_MIN,
		.mid = severity >= MID_MIN && severity < HIGH_MIN,
	};
	return 0;
}

static int cmp_node_minute(const void *pa, const void *pb)
{
	const struct sq_tally *a = pa, *b = pb;
	int c = strcmp(a->node, b->node);

	return c ? c : (a->minute > b->minute) - (a->minute < b->minute);
}

static int cmp_minute(const void *pa, const void *pb)
{
	const struct sq_tally *a = pa, *b = pb;

	return (a->minute > b->minute) - (a->minute < b->minute);
}

static int upsert(struct sq *q, sqlite3_stmt *st, const struct sq_tally *first, int64_t n,
		  int64_t high, int64_t mid, bool with_node)
{
	int k = 1, rc;

	sqlite3_bind_int64(st, k++, first->minute);
	if (with_node)
		sqlite3_bind_text(st, k++, first->node, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, k++, n);
	sqlite3_bind_int64(st, k++, high);
	sqlite3_bind_int64(st, k, mid);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 0;
	return sqlite3_errcode(q->db) == SQLITE_FULL ? -ENOSPC : -EIO;
}

/* Adds the runs of equal keys (by cmp) to the counters: one upsert per run. */
static int add_runs(struct sq *q, sqlite3_stmt *st, int (*cmp)(const void *, const void *),
		    bool with_node)
{
	size_t i = 0;

	qsort(q->tally, q->ntally, sizeof(*q->tally), cmp);
	while (i < q->ntally) {
		const struct sq_tally *first = &q->tally[i];
		int64_t n = 0, high = 0, mid = 0;
		int rc;

		for (; i < q->ntally && !cmp(first, &q->tally[i]); i++) {
			n++;
			high += q->tally[i].high;
			mid += q->tally[i].mid;
		}
		rc = upsert(q, st, first, n, high, mid, with_node);
		if (rc)
			return rc;
	}
	return 0;
}

int sq_counts_flush(struct sq *q)
{
	int rc = 0;

	if (q->ntally) {
		rc = add_runs(q, q->count_node, cmp_node_minute, true);
		if (!rc)
			rc = add_runs(q, q->count_fleet, cmp_minute, false);
	}
	q->ntally = 0;
	return rc;
}
