// SPDX-License-Identifier: Apache-2.0
/*
 * GET /api/v1/nodes: one page of the fleet (filtered by status and text, sorted, limit and
 * offset) with the fleet's totals, so the page shows a thousand nodes' tiles and the nodes
 * that need attention first without fetching every node. SQLite and ClickHouse filter, sort,
 * page and total them in their queries (lib/store/nodes_page.c); for a store that cannot, every node is
 * listed (narrow rows, alert counts from its counters) and the page is made here, the same way.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cockpit/cockpit_internal.h"
#include "util/strutil.h"
#include "vigil/store.h"
#include "vigil/store_fleet.h"

#define DEFAULT_NODES 1000
#define MAX_OFFSET    100000000ull

enum sort {
	S_NAME,
	S_TROUBLE,
	S_SEEN,
	S_VERSION,
	S_WORKLOADS,
	S_ALERTS,
	S_DROPS,
	S__MAX
};

static const char *const sort_names[S__MAX] = { "name",	     "trouble", "seen", "version",
						"workloads", "alerts",	"drops" };

static json_int_t num(const json_t *n, const char *k)
{
	return json_integer_value(json_object_get(n, k));
}

static json_int_t health(const json_t *n, const char *k)
{
	return json_integer_value(json_object_get(json_object_get(n, "health"), k));
}

static json_int_t troubles(const json_t *n)
{
	return health(n, "drops") + health(n, "sink_failures") + health(n, "spool_dropped");
}

static const char *str(const json_t *n, const char *k)
{
	return json_string_value(json_object_get(n, k)) ?: "";
}

static int status_rank(const json_t *n)
{
	const char *s = str(n, "status");

	return !strcmp(s, "offline") ? 0 : !strcmp(s, "stale") ? 1 : 2;
}

static int cmp_i(json_int_t a, json_int_t b)
{
	return a < b ? -1 : a > b;
}

/* qsort has no context argument: the order is passed by the entries' wrapper. */
struct entry {
	json_t *n;
	enum sort by;
};

static int cmp_entries(const void *pa, const void *pb)
{
	const json_t *a = ((const struct entry *)pa)->n, *b = ((const struct entry *)pb)->n;
	int c = 0;

	switch (((const struct entry *)pa)->by) {
	case S_TROUBLE: /* offline, stale, then online; the most data lost first */
		c = status_rank(a) - status_rank(b);
		if (!c)
			c = cmp_i(troubles(b), troubles(a));
		break;
	case S_SEEN: /* the longest silent first */
		c = cmp_i(num(a, "last_seen_ns"), num(b, "last_seen_ns"));
		break;
	case S_VERSION:
		c = strcmp(str(a, "version"), str(b, "version"));
		break;
	case S_WORKLOADS:
		c = cmp_i(num(b, "workloads"), num(a, "workloads"));
		break;
	case S_ALERTS:
		c = cmp_i(num(b, "alerts_1h"), num(a, "alerts_1h"));
		break;
	case S_DROPS:
		c = cmp_i(health(b, "drops"), health(a, "drops"));
		break;
	default:
		break;
	}
	return c ? c : strcmp(str(a, "name"), str(b, "name"));
}

static bool matches(const json_t *n, const char *status, const char *q)
{
	static const char *const keys[] = { "name", "version", "kernel", "status" };

	if (status && strcmp(str(n, "status"), status))
		return false;
	for (size_t k = 0; q && k < sizeof(keys) / sizeof(keys[0]); k++)
		if (strcasestr(str(n, keys[k]), q))
			return true;
	return !q;
}

/* The fleet's totals (whatever the filter) and the version most nodes run. */
static json_t *summary(const json_t *all)
{
	json_int_t by[3] = { 0 }, workloads = 0, alerts = 0, unhealthy = 0, best = 0;
	json_t *versions = json_object(), *n, *out;
	const char *common = "", *v;
	size_t i;

	json_array_foreach(all, i, n)
	{
		json_int_t had = json_integer_value(json_object_get(versions, str(n, "version")));

		by[status_rank(n)]++;
		workloads += num(n, "workloads");
		alerts += num(n, "alerts_1h");
		unhealthy += troubles(n) > 0;
		json_object_set_new(versions, str(n, "version"), json_integer(had + 1));
	}
	json_object_foreach(versions, v, n)
	{
		if (json_integer_value(n) > best) {
			best = json_integer_value(n);
			common = v;
		}
	}
	out = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:s}", "nodes",
			(json_int_t)json_array_size(all), "online", by[2], "stale", by[1],
			"offline", by[0], "workloads", workloads, "alerts_1h", alerts, "unhealthy",
			unhealthy, "version", common);
	json_decref(versions);
	return out;
}

/* Pages all (every node by name, stolen) here: for a store that cannot page. */
static void page_here(const struct vigil_nodes_page *p, const struct vigil_query *f, json_t *all,
		      enum sort by, struct cockpit_reply *r)
{
	size_t k = 0, i;
	struct entry *e;
	json_t *n, *page;

	e = calloc(json_array_size(all) + 1, sizeof(*e));
	page = json_array();
	if (!e || !page) {
		free(e);
		json_decref(page);
		json_decref(all);
		return cockpit_reply_error(r, 500, "out of memory");
	}
	json_array_foreach(all, i, n)
	{
		if (matches(n, p->status, f->q))
			e[k++] = (struct entry){ .n = n, .by = by };
	}
	if (by != S_NAME) /* the store's order is by name */
		qsort(e, k, sizeof(*e), cmp_entries);
	for (i = (size_t)p->offset; i < k && json_array_size(page) < p->limit; i++)
		json_array_append(page, e[i].n);
	r->status = 200;
	r->body = json_pack("{s:o, s:I, s:I, s:o}", "nodes", page, "total", (json_int_t)k, "offset",
			    (json_int_t)p->offset, "summary", summary(all));
	free(e);
	json_decref(all);
}

void cockpit_nodes_list(struct cockpit_ctx *ctx, struct cockpit_req *req,
			const struct vigil_query *f, struct cockpit_reply *r)
{
	struct vigil_nodes_page p = { .status = cockpit_arg(req, "status"),
				      .q = f->q,
				      .sort = cockpit_arg(req, "sort"),
				      .limit = cockpit_arg(req, "limit") ? f->limit : DEFAULT_NODES,
				      .now_ns = f->now_ns };
	const char *offset = cockpit_arg(req, "offset");
	struct vigil_error err = { 0 };
	enum sort by = S_NAME;
	json_t *all = NULL;
	int rc;

	if (p.status && strcmp(p.status, "online") && strcmp(p.status, "stale") &&
	    strcmp(p.status, "offline"))
		return cockpit_reply_error(r, 400, "status must be online, stale or offline");
	if (p.sort) {
		for (by = 0; by < S__MAX && strcmp(p.sort, sort_names[by]); by++)
			;
		if (by == S__MAX)
			return cockpit_reply_error(r, 400,
						   "sort must be name, trouble, seen, version, "
						   "workloads, alerts or drops");
	}
	if (offset && (vigil_parse_u64(offset, &p.offset) || p.offset > MAX_OFFSET))
		return cockpit_reply_error(r, 400, "offset must be a number from 0 to %llu",
					   MAX_OFFSET);
	rc = vigil_store__nodes_page(ctx->store, &p, &r->body, &err);
	if (!rc) {
		r->status = 200;
		return;
	}
	if (rc != -EOPNOTSUPP)
		return cockpit_store_error(r, &err, "nodes");
	if (vigil_store__nodes(ctx->store, f, &all, &err))
		return cockpit_store_error(r, &err, "nodes");
	page_here(&p, f, all, by, r);
}
