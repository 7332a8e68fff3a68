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
 */
#include <errno.h>

#include "store/clickhouse_internal.h"

/* ALTER TABLE db.table DELETE WHERE incident_id IN (ids) on url (NULL: the server). */
static int drop_on(struct vigil_store *s, const char *url, const char *table)
{
	struct ch *c = s->be;
	struct vigil_buf b = VIGIL_BUF_INIT;
	const char *k;
	json_t *v;
	bool first = true;
	int rc;

	vigil_buf__printf(&b, "ALTER TABLE %s.%s DELETE WHERE incident_id IN (", c->db, table);
	json_object_foreach(c->taken, k, v)
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

int ch_drop_taken(struct vigil_store *s)
{
	struct ch *c = s->be;
	int rc = 0;

	for (int t = T_REPORT_FIRST; !rc && t <= T_REPORT_LAST; t++) {
		char local[80];

		if (t == T_ALERTS)
			continue;
		if (!c->cluster[0]) {
			rc = drop_on(s, NULL, store_tables[t].name);
			continue;
		}
		/* a Distributed table takes no ALTER ... DELETE: each shard's local table does */
		snprintf(local, sizeof(local), "%s_local", store_tables[t].name);
		for (size_t i = 0; !rc && i < c->nshards; i++)
			rc = drop_on(s, c->shards[i], local);
	}
	if (!rc)
		json_object_clear(c->taken);
	return rc;
}
