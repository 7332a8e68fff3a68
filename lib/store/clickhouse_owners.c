// SPDX-License-Identifier: Apache-2.0
/*
 * Incident owners not yet visible to a lookup. An owner lookup (owner.c) reads the incidents
 * table, but here an incident row is queued until the group's flush and, with a spool, may
 * wait on disk until the server is back. Two nodes naming the same new incident id in one
 * writer group both saw "owned by nobody" and were both accepted, the newer row winning; and
 * once the server was back, a node could take an id whose first rows were still in the spool
 * (replayed first, then outranked). So every incident row queued claims its id for its node at
 * once (s->pending, read before the table), and the ids of the spool's incident batches stay
 * claimed until they are replayed: ownership is decided by the first accepted write, as if it
 * had been committed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/clickhouse_internal.h"

/* s->pending = what the spool holds, then what is queued (the newer). */
static int rebuild(struct vigil_store *s)
{
	struct ch *c = s->be;
	json_t *p = json_object();

	if (!p || (c->spool_owners && json_object_update(p, c->spool_owners)) ||
	    (c->queued_owners && json_object_update(p, c->queued_owners))) {
		json_decref(p);
		return -ENOMEM;
	}
	json_decref(s->pending);
	s->pending = p;
	return 0;
}

/* Adds id -> node of an incident row (a JSON object) to map. */
static int claim(json_t *map, const json_t *row)
{
	const char *id = json_string_value(json_object_get(row, "incident_id"));
	json_t *node = json_object_get(row, "node");

	if (!id || !json_is_string(node))
		return 0;
	return json_object_set(map, id, node) ? -ENOMEM : 0;
}

int ch_owner_queued(struct vigil_store *s, const json_t *row)
{
	struct ch *c = s->be;

	if (!c->queued_owners && !(c->queued_owners = json_object()))
		return -ENOMEM;
	if (!s->pending && !(s->pending = json_object()))
		return -ENOMEM;
	if (claim(c->queued_owners, row) || claim(s->pending, row))
		return -ENOMEM;
	return 0;
}

int ch_owners_flushed(struct vigil_store *s, bool spooled)
{
	struct ch *c = s->be;
	const char *k;
	json_t *v;

	if (!json_object_size(c->queued_owners))
		return 0;
	if (spooled) {
		if (!c->spool_owners && !(c->spool_owners = json_object()))
			return -ENOMEM;
		if (json_object_update(c->spool_owners, c->queued_owners))
			return -ENOMEM;
	} else if (s->owners) {
		/* stored now: the group's prefetched view ("nobody") would be out of date */
		json_object_foreach(c->queued_owners, k, v)
		{
			if (json_object_set(s->owners, k, v))
				return -ENOMEM;
		}
	}
	json_object_clear(c->queued_owners);
	return rebuild(s);
}

int ch_owners_discard(struct vigil_store *s)
{
	struct ch *c = s->be;

	json_object_clear(c->queued_owners);
	return rebuild(s);
}

/* Claims the ids of one spooled incidents batch (JSONEachRow lines). */
static int scan_file(json_t *map, const char *path)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;

	if (!f)
		return errno == ENOENT ? 0 : -errno; /* replayed meanwhile */
	while (!rc && getline(&line, &cap, f) > 0) {
		json_t *row = json_loads(line, 0, NULL);

		rc = row ? claim(map, row) : 0;
		json_decref(row);
	}
	free(line);
	fclose(f);
	return rc;
}

int ch_owners_scan_spool(struct vigil_store *s)
{
	struct ch *c = s->be;
	json_t *map;
	char want[80], **names = NULL;
	size_t n = 0;
	int rc;

	if (!s->opts.spool_dir)
		return 0;
	map = json_object();
	if (!map)
		return -ENOMEM;
	/* SEQ-incidents-BATCH-ROWS.jsonl, in replay order: a later batch's owner (a take-over)
	 * is the one that ends up newest */
	snprintf(want, sizeof(want), "-%s-", store_tables[T_INCIDENTS].name);
	rc = ch_spool_names(s->opts.spool_dir, &names, &n);
	for (size_t i = 0; i < n; i++) {
		char path[1024];

		snprintf(path, sizeof(path), "%s/%s", s->opts.spool_dir, names[i]);
		if (!rc && strstr(names[i], want))
			rc = scan_file(map, path);
		free(names[i]);
	}
	free(names);
	if (rc == -ENOENT)
		rc = 0; /* no spool directory yet: nothing spooled */
	if (rc) {
		json_decref(map);
		return rc;
	}
	json_decref(c->spool_owners);
	c->spool_owners = map;
	return rebuild(s);
}

void ch_owners_release(struct vigil_store *s)
{
	struct ch *c = s->be;

	json_decref(c->queued_owners);
	json_decref(c->spool_owners);
	c->queued_owners = c->spool_owners = NULL;
	json_decref(s->pending);
	s->pending = NULL;
}
