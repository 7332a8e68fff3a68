// SPDX-License-Identifier: Apache-2.0
/*
 * Incidents taken over (owner.c): a node squatted the id derived for another node's alerts and
 * put its own report there; the owner's alerts took the incident back. SQLite deletes the
 * squatter's report rows in the same transaction. Here readers take the newest version of an
 * incident's report rows, and the squatter's are the newest there are, so they are deleted:
 * after the flush that stored the owner's incident row (a failed flush keeps them, as it keeps
 * the squatter's incident), with ALTER TABLE ... DELETE on every server that holds the rows
 * (each shard's local table on a cluster). ClickHouse runs that mutation in the background:
 * the rows go within seconds, not with the acknowledgement. A failure is tried again at the
 * next flush. The squatter's alerts stay in the incident, marked with its node.
 *
 * A mutation is expensive (ClickHouse rewrites every part that holds the rows, and runs the
 * mutations of a table one after the other), and a squatting node decides how many takes
 * there are: one set of deletes per flush let it queue one mutation per table and shard for
 * every request. So the ids wait and go together: at most one mutation per table and shard
 * every CH_TAKEN_EVERY_NS, sooner only once CH_TAKEN_BATCH ids wait (which bounds the memory
 * too). Until then readers still see the squatter's report rows in the incidents taken over
 * (seconds, as before the mutation ran); a cockpit stopped meanwhile leaves them.
 */
#include <errno.h>

#include "store/clickhouse_internal.h"

#define CH_TAKEN_EVERY_NS 10000000000ull
#define CH_TAKEN_BATCH	  10000

/* ALTER TABLE db.table DELETE WHERE incident_id IN (ids) on url (NULL: the server). */
static int drop_on(struct vigil_store *s, const char *url, const char *table, const json_t *ids)
{
	struct ch *c = s->be;
	struct vigil_buf b = VIGIL_BUF_INIT;
	const char *k;
	json_t *v;
	bool first = true;
	int rc;

	b.max = 16u << 20;
	vigil_buf__printf(&b, "ALTER TABLE %s.%s DELETE WHERE incident_id IN (", c->db, table);
	json_object_foreach((json_t *)ids, k, v)
	{
		if (!first)
			vigil_buf__puts(&b, ",");
		ch_quote(&b, k);
		first = false;
	}
	rc = vigil_buf__puts(&b, ")");
	rc = rc || !b.data ? -ENOMEM : ch_http(s, url, b.data, NULL, 0, NULL, NULL);
	vigil_buf__release(&b);
	return rc;
}

int ch_drop_taken(struct vigil_store *s, bool now)
{
	struct ch *c = s->be;
	uint64_t t_now = vigil_realtime_ns();
	json_t *ids, *v;
	const char *k;
	size_t n = 0;
	int rc = 0;

	if (!json_object_size(c->taken))
		return 0;
	if (!now && t_now < c->taken_next_ns && json_object_size(c->taken) < CH_TAKEN_BATCH)
		return 0; /* the next set goes with the others, at its time */
	/* one batch: the rest waits for the next */
	ids = json_object();
	if (!ids)
		return -ENOMEM;
	json_object_foreach(c->taken, k, v)
	{
		if (n++ == CH_TAKEN_BATCH)
			break;
		if (json_object_set(ids, k, v)) {
			json_decref(ids);
			return -ENOMEM;
		}
	}
	for (int t = T_REPORT_FIRST; !rc && t <= T_REPORT_LAST; t++) {
		char local[80];

		if (t == T_ALERTS)
			continue;
		if (!c->cluster[0]) {
			rc = drop_on(s, NULL, store_tables[t].name, ids);
			continue;
		}
		/* a Distributed table takes no ALTER ... DELETE: each shard's local table does */
		snprintf(local, sizeof(local), "%s_local", store_tables[t].name);
		for (size_t i = 0; !rc && i < c->nshards; i++)
			rc = drop_on(s, c->shards[i], local, ids);
	}
	/* a failure too waits its turn: a server that is down gets no mutation per flush */
	c->taken_next_ns = t_now + CH_TAKEN_EVERY_NS;
	if (!rc) {
		json_object_foreach(ids, k, v)
		{
			json_object_del(c->taken, k);
		}
	}
	json_decref(ids);
	return rc;
}
