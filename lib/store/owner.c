// SPDX-License-Identifier: Apache-2.0
/*
 * Which node an incident belongs to. Incident ids are chosen by the nodes (the zoom's ids) or
 * derived from a node's name (an alert without an incident), and they are the incidents'
 * only key; so without this check a node's token could replace another node's report (its
 * summary, files and events) or pour its alerts into another node's incident, and the SOC
 * would show the other node's evidence as it chose. A write from a node that names an
 * incident stored as another node's is refused (ingest.c, the cockpit: 403). An id derived
 * for a node's own alerts proves that node's ownership: a row another node put there first
 * (it guessed the id) is taken over (vigil_store__take_incident).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "vigil/store_fleet.h"

#define OWNER_CHUNK 1000

static int owners_chunk(struct vigil_store *s, const char *const *ids, size_t n, json_t *out)
{
	const struct store_dialect *d = s->ops->dialect;
	struct store_sql *q = malloc(sizeof(*q));
	json_t *rows = NULL, *row;
	size_t i;
	int rc;

	if (!q)
		return -ENOMEM;
	sql_init(q);
	sql_add(q, "SELECT incident_id, node FROM incidents%s WHERE incident_id IN (", d->final);
	for (i = 0; i < n; i++) {
		sql_add(q, "%s?", i ? "," : "");
		sql_arg(q, ARG_S(ids[i]));
	}
	sql_add(q, ")");
	rc = sql_run(s, q, &rows, NULL);
	sql_release(q);
	free(q);
	if (rc)
		return rc;
	json_array_foreach(rows, i, row)
	{
		const char *id = json_string_value(json_object_get(row, "incident_id"));
		const char *node = json_string_value(json_object_get(row, "node"));

		if (id && node && json_object_set_new(out, id, json_string(node)))
			rc = -ENOMEM;
	}
	json_decref(rows);
	return rc;
}

int vigil_store__incident_nodes(struct vigil_store *s, const json_t *ids, json_t **ret)
{
	const char *chunk[OWNER_CHUNK], *k;
	json_t *out = json_object(), *v;
	size_t n = 0;
	int rc = 0;

	*ret = NULL;
	if (!out)
		return -ENOMEM;
	json_object_foreach((json_t *)ids, k, v)
	{
		/* written and not yet stored, or asked already for the writer's whole group
		 * (prefetch): no round trip. What is written first decides, as if stored. */
		const json_t *known = s->pending ? json_object_get(s->pending, k) : NULL;

		if (!known && s->owners)
			known = json_object_get(s->owners, k);
		if (known) {
			if (json_is_string(known) && json_object_set(out, k, (json_t *)known))
				rc = -ENOMEM;
			continue;
		}
		chunk[n++] = k;
		if (n == OWNER_CHUNK && !rc) {
			rc = owners_chunk(s, chunk, n, out);
			n = 0;
		}
	}
	if (n && !rc)
		rc = owners_chunk(s, chunk, n, out);
	if (rc) {
		json_decref(out);
		return rc;
	}
	*ret = out;
	return 0;
}

int store_prefetch_owners(struct vigil_store *s, const json_t *ids)
{
	json_t *owners = NULL, *v;
	const char *k;
	int rc;

	json_decref(s->owners);
	s->owners = NULL;
	rc = vigil_store__incident_nodes(s, ids, &owners);
	if (rc)
		return rc;
	/* an id asked and not found is known too: stored by nobody */
	json_object_foreach((json_t *)ids, k, v)
	{
		if (!json_object_get(owners, k) && json_object_set_new(owners, k, json_null()))
			rc = -ENOMEM;
	}
	if (rc) {
		json_decref(owners);
		return rc;
	}
	s->owners = owners;
	return 0;
}

const char *vigil_store__foreign_owner(const json_t *owners, const char *id, const char *node)
{
	const char *owner = json_string_value(json_object_get(owners, id));

	return owner && node && strcmp(owner, node) ? owner : NULL;
}

int store_take_incident(struct vigil_store *s, json_t *placeholder, uint64_t now_ns)
{
	const char *id = json_string_value(json_object_get(placeholder, "incident_id"));
	struct put_opts o = { .replace_owner = id, .taken = true };
	json_t *none = json_array(), *one = json_array();
	int rc = none && one ? 0 : -ENOMEM;

	/* the other node's report rows go (SQLite deletes them now; ClickHouse once the flush
	 * stored the new incident row, clickhouse_taken.c), its alerts stay, marked with its name */
	for (int t = T_REPORT_FIRST; !rc && t <= T_REPORT_LAST; t++)
		if (t != T_ALERTS)
			rc = s->ops->put_rows(s, (enum store_table_id)t, none, &o);
	/* a version of its own: it outranks the row it replaces on every backend */
	if (!rc)
		rc = json_object_set_new(placeholder, "version",
					 json_integer((json_int_t)now_ns)) ||
				     json_array_append(one, placeholder)
			     ? -ENOMEM
			     : s->ops->put_rows(s, T_INCIDENTS, one, NULL);
	json_decref(none);
	json_decref(one);
	return rc;
}
