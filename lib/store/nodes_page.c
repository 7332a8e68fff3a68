// SPDX-License-Identifier: Apache-2.0
/*
 * The fleet list one page at a time, in SQL (SQLite and ClickHouse, which reads its rows from
 * the subquery its dialect gives as node_list): the nodes that heartbeat and the ones
 * that only have a token, each with its status judged in the query (online, stale, offline
 * from its last heartbeat and interval, as status_of in read_fleet.c), filtered, sorted
 * ("trouble first": offline, stale, then the most data lost) and paged by the query, and the
 * fleet's totals counted by it. Only the page's nodes become JSON and have their alerts of
 * the hour counted; before, every node did (1 000 entries and 60 000 counter rows for a page
 * of 50 at 1 000 nodes), and the list was sorted and cut in the cockpit.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/nodes_internal.h"
#include "store/store_internal.h"
#include "util/buf.h"
#include "vigil/store_fleet.h"

#define MAX_ARGS 8

/* Every parameter is numbered (?1 .. ?8), so a value can be used twice. */
enum {
	A_NOW = 1,
	A_STATUS,
	A_Q,
	A_MINUTE,
	A_SINCE,
	A_MINUTE_NS,
	A_LIMIT,
	A_OFFSET
};

/* The columns of w: a node's row, its status rank and what it lost. */
#define W_COLS                                                                              \
	"name, last_seen_ns, time_ns, interval_s, agent_version, kernel, uptime_s, drops, " \
	"sink_failures, spool_dropped, workloads, credential, st, troubles, status"

/* The status rank of a node row (0 offline, 1 stale, 2 online), as status_of judges it: its
 * age is 0 for a heartbeat from the future, spelled so that unsigned columns (ClickHouse)
 * never wrap; the interval as the node said it, bounded. */
static void status_rank(struct vigil_buf *b)
{
	vigil_buf__printf(b,
			  "CASE WHEN last_seen_ns = 0 THEN 0 WHEN (CASE WHEN last_seen_ns >= ?%d "
			  "THEN 0 ELSE ?%d - last_seen_ns END) < 2000000000 * CASE WHEN "
			  "interval_s = 0 THEN %d WHEN interval_s > %d THEN %d ELSE interval_s END "
			  "THEN 2 WHEN (CASE WHEN last_seen_ns >= ?%d THEN 0 ELSE ?%d - "
			  "last_seen_ns END) < %llu THEN 1 ELSE 0 END",
			  A_NOW, A_NOW, NODE_DEFAULT_INTERVAL, NODE_MAX_INTERVAL, NODE_MAX_INTERVAL,
			  A_NOW, A_NOW, NODE_STALE_NS);
}

/*
 * w, one subquery over the node rows (18.16's WITH takes no subqueries): one row per node
 * name (heartbeat row or node token: node_list, sqlite_schema.c, or the backend's own) with
 * the nodes table's columns (0 or '' without a heartbeat), its credential state, its status
 * rank and name, and troubles (what it lost). One level, the rank written out where the status
 * needs it: 18.16 took twice the time of the node rows alone for three nested SELECT * levels.
 */
static void from_w(struct vigil_buf *b, const struct store_dialect *d)
{
	vigil_buf__puts(b, "(SELECT node AS name, last_seen_ns, time_ns, interval_s, "
			   "agent_version, kernel, uptime_s, drops, sink_failures, spool_dropped, "
			   "workloads, credential, ");
	status_rank(b);
	vigil_buf__puts(b, " AS st, drops + sink_failures + spool_dropped AS troubles, CASE ");
	status_rank(b);
	vigil_buf__printf(b,
			  " WHEN 2 THEN 'online' WHEN 1 THEN 'stale' ELSE 'offline' END AS status "
			  "FROM %s) AS w",
			  d->node_list ? d->node_list : "node_list");
}

/* The dialect's case-insensitive "col contains ?n". */
static void contains(struct vigil_buf *b, const struct store_dialect *d, const char *col, int n)
{
	const char *q = strchr(d->ci_contains[1], '?');

	vigil_buf__printf(b, "%s%s%.*s?%d%s", d->ci_contains[0], col, (int)(q - d->ci_contains[1]),
			  d->ci_contains[1], n, q + 1);
}

/* The filter of the page and its total, as an expression on w. */
static void filter(struct vigil_buf *b, const struct store_dialect *d,
		   const struct vigil_nodes_page *p)
{
	static const char *const cols[] = { "name", "agent_version", "kernel", "status" };

	vigil_buf__puts(b, "(1");
	if (p->status)
		vigil_buf__printf(b, " AND status = ?%d", A_STATUS);
	if (p->q) {
		vigil_buf__puts(b, " AND (");
		for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
			vigil_buf__puts(b, i ? " OR " : "");
			contains(b, d, cols[i], A_Q);
		}
		vigil_buf__puts(b, ")");
	}
	vigil_buf__puts(b, ")");
}

/* Alerts since ?A_SINCE per node: whole minutes from the counters, the part before the first
 * whole minute from the alerts (as store_alerts_by_node counts them; none where the minute
 * counts whole, whole_minutes); nodes_in restricts. */
static void alerts_1h(struct vigil_buf *b, const struct store_dialect *d, const char *nodes_in)
{
	vigil_buf__printf(b,
			  "SELECT node, sum(n) AS a FROM (SELECT node, n FROM alert_minutes "
			  "WHERE minute >= ?%d%s",
			  A_MINUTE, nodes_in ? nodes_in : "");
	if (!d->whole_minutes)
		vigil_buf__printf(b,
				  " UNION ALL SELECT node, 1 FROM alerts WHERE time_ns >= ?%d AND "
				  "time_ns < ?%d%s",
				  A_SINCE, A_MINUTE_NS, nodes_in ? nodes_in : "");
	vigil_buf__puts(b, ") AS m GROUP BY node");
}

/* The fleet's alerts of the hour, a scalar expression: its counters per minute, and the
 * part-minute (none where the minute counts whole). */
static void fleet_alerts(struct vigil_buf *b, const struct store_dialect *d)
{
	if (d->whole_minutes)
		vigil_buf__printf(b, "(SELECT sum(n) FROM fleet_minutes WHERE minute >= ?%d)",
				  A_MINUTE);
	else
		vigil_buf__printf(
			b,
			"((SELECT ifnull(sum(n), 0) FROM fleet_minutes WHERE minute >= ?%d) "
			"+ (SELECT count(*) FROM alerts WHERE time_ns >= ?%d AND time_ns < ?%d))",
			A_MINUTE, A_SINCE, A_MINUTE_NS);
}

static const struct {
	const char *name, *order;
} sorts[] = {
	{ "name", "name" },
	{ "trouble", "st, troubles DESC, name" },
	{ "seen", "last_seen_ns, name" },
	{ "version", "agent_version, name" },
	{ "workloads", "workloads DESC, name" },
	{ "alerts", "ifnull(ac.a, 0) DESC, name" },
	{ "drops", "drops DESC, name" },
};

static const char *order_of(const char *sort)
{
	for (size_t i = 0; i < sizeof(sorts) / sizeof(sorts[0]); i++)
		if (!strcmp(sort ? sort : "name", sorts[i].name))
			return sorts[i].order;
	return NULL;
}

struct page_q {
	struct vigil_store *s;
	struct store_arg *args; /* MAX_ARGS, then the page's node names (?9 ...) */
	size_t nargs;
	struct vigil_error *err;
};

static int run(struct page_q *pq, struct vigil_buf *b, json_t **rows)
{
	int rc = b->data ? pq->s->ops->query(pq->s, b->data, pq->args, pq->nargs, rows, pq->err)
			 : -ENOMEM;

	vigil_buf__release(b);
	return rc;
}

/*
 * The whole fleet's totals and the filter's total into out, in one pass over the nodes: their
 * sums per agent version, added up here (and the version most nodes run: the first by name of
 * those as common).
 */
static int totals(struct page_q *pq, const struct vigil_nodes_page *p, json_t *out)
{
	const struct store_dialect *d = pq->s->ops->dialect;
	static const char *const keys[] = { "nodes",	 "online",    "stale", "offline",
					    "workloads", "unhealthy", "total" };
	json_int_t sums[7] = { 0 }, best = -1;
	struct vigil_buf b = VIGIL_BUF_INIT;
	const char *version = "", *first = NULL;
	json_t *rows = NULL, *row, *sum;
	size_t i;
	int rc;

	vigil_buf__puts(&b, "SELECT agent_version, min(name) AS first, count(*) AS nodes, "
			    "sum(st = 2) AS online, sum(st = 1) AS stale, sum(st = 0) AS offline, "
			    "sum(workloads) AS workloads, sum(troubles > 0) AS unhealthy, sum(");
	filter(&b, d, p);
	/* the fleet's alerts of the hour in the same answer, one round trip less */
	vigil_buf__puts(&b, ") AS total, ");
	fleet_alerts(&b, d);
	vigil_buf__puts(&b, " AS fleet_a FROM ");
	from_w(&b, d);
	vigil_buf__puts(&b, " GROUP BY agent_version");
	rc = run(pq, &b, &rows);
	if (rc)
		return rc;
	json_array_foreach(rows, i, row)
	{
		json_int_t n = json_integer_value(json_object_get(row, "nodes"));
		const char *f = json_string_value(json_object_get(row, "first")) ?: "";

		for (size_t k = 0; k < 7; k++)
			sums[k] += json_integer_value(json_object_get(row, keys[k]));
		if (n > best || (n == best && strcmp(f, first) < 0)) {
			best = n;
			first = f;
			version = json_string_value(json_object_get(row, "agent_version")) ?: "";
		}
	}
	json_object_set_new(out, "total", json_integer(sums[6]));
	sum = json_pack("{s:I, s:I, s:I, s:I, s:I, s:O?, s:I, s:s}", "nodes", sums[0], "online",
			sums[1], "stale", sums[2], "offline", sums[3], "workloads", sums[4],
			"alerts_1h", json_object_get(json_array_get(rows, 0), "fleet_a"),
			"unhealthy", sums[5], "version", version);
	json_decref(rows);
	if (!sum)
		return -ENOMEM;
	json_object_set_new(out, "summary", sum);
	if (json_is_integer(json_object_get(sum, "alerts_1h")))
		return 0;
	/* no node at all (alerts of imported evidence only): no row carried them */
	vigil_buf__puts(&b, "SELECT ");
	fleet_alerts(&b, d);
	vigil_buf__puts(&b, " AS a");
	rc = run(pq, &b, &rows);
	if (!rc)
		json_object_set_new(sum, "alerts_1h",
				    json_integer(json_integer_value(
					    json_object_get(json_array_get(rows, 0), "a"))));
	json_decref(rows);
	return rc;
}

/* The page's entries, their alerts of the hour counted for them alone. */
static int page(struct page_q *pq, const struct vigil_nodes_page *p, const char *order, json_t *out)
{
	const struct store_dialect *d = pq->s->ops->dialect;
	struct vigil_buf b = VIGIL_BUF_INIT, in = VIGIL_BUF_INIT;
	json_t *rows = NULL, *counts = NULL, *by = json_object(), *list = json_array(), *row;
	size_t i;
	int rc;

	/* every node's count joined (the page's in the same answer), or the page's counted after */
	bool joined = d->page_joins_counts || !strcmp(p->sort ? p->sort : "", "alerts");

	vigil_buf__printf(&b, "SELECT " W_COLS "%s FROM ",
			  joined ? ", ifnull(ac.a, 0) AS a1h" : "");
	from_w(&b, d);
	if (joined) {
		vigil_buf__puts(&b, " LEFT JOIN (");
		alerts_1h(&b, d, NULL);
		vigil_buf__puts(&b, ") AS ac ON ac.node = w.name");
	}
	vigil_buf__puts(&b, " WHERE ");
	filter(&b, d, p);
	vigil_buf__printf(&b, " ORDER BY %s LIMIT ?%d OFFSET ?%d", order, A_LIMIT, A_OFFSET);
	rc = by && list ? run(pq, &b, &rows) : -ENOMEM;
	vigil_buf__release(&b);
	json_array_foreach(rows, i, row)
	{
		if (joined)
			json_object_set(by, json_string_value(json_object_get(row, "name")) ?: "",
					json_object_get(row, "a1h"));
	}
	/* the page's names, bound after the fixed arguments */
	if (!rc && !joined && json_array_size(rows)) {
		struct store_arg *more =
			realloc(pq->args, (MAX_ARGS + json_array_size(rows)) * sizeof(*more));

		rc = more ? 0 : -ENOMEM;
		if (more)
			pq->args = more;
		vigil_buf__puts(&in, " AND node IN (");
		json_array_foreach(rows, i, row)
		{
			if (rc)
				break;
			vigil_buf__printf(&in, "%s?%zu", i ? "," : "", MAX_ARGS + i + 1);
			pq->args[MAX_ARGS + i] =
				ARG_S(json_string_value(json_object_get(row, "name")) ?: "");
		}
		vigil_buf__puts(&in, ")");
		pq->nargs = MAX_ARGS + json_array_size(rows);
		if (!rc && in.data) {
			alerts_1h(&b, d, in.data);
			rc = run(pq, &b, &counts);
		} else if (!rc) {
			rc = -ENOMEM;
		}
		pq->nargs = MAX_ARGS;
	}
	json_array_foreach(counts, i, row)
	{
		json_object_set(by, json_string_value(json_object_get(row, "node")) ?: "",
				json_object_get(row, "a"));
	}
	json_array_foreach(rows, i, row)
	{
		const char *name = json_string_value(json_object_get(row, "name")) ?: "";

		if (rc)
			break;
		if (json_array_append_new(
			    list,
			    store_node_entry(name, row,
					     json_string_value(json_object_get(row, "credential")),
					     json_integer_value(json_object_get(by, name)),
					     p->now_ns, false)))
			rc = -ENOMEM;
	}
	vigil_buf__release(&in);
	json_decref(rows);
	json_decref(counts);
	json_decref(by);
	if (!rc)
		rc = json_object_set(out, "nodes", list) ? -ENOMEM : 0;
	json_decref(list);
	return rc;
}

int vigil_store__nodes_page(struct vigil_store *s, const struct vigil_nodes_page *p, json_t **ret,
			    struct vigil_error *err)
{
	uint64_t since, minute;
	struct page_q pq = { .s = s, .nargs = MAX_ARGS, .err = err };
	const char *order;
	json_t *out;
	int rc;

	if (!s || !p || !ret)
		return -EINVAL;
	if (!s->ops->dialect->paged_nodes)
		return -EOPNOTSUPP;
	order = order_of(p->sort);
	if (!order || (p->status && strcmp(p->status, "online") && strcmp(p->status, "stale") &&
		       strcmp(p->status, "offline")))
		return vigil_error__set(err, -EINVAL, "", 0, 0, "unknown sort or status");
	pq.args = calloc(MAX_ARGS, sizeof(*pq.args));
	if (!pq.args)
		return -ENOMEM;
	since = p->now_ns > NODE_HOUR_NS ? p->now_ns - NODE_HOUR_NS : 0;
	/* as store_alerts_by_node: from the minute since falls in where it counts whole */
	minute = s->ops->dialect->whole_minutes ? since / STORE_COUNT_NS
						: (since + STORE_COUNT_NS - 1) / STORE_COUNT_NS;
	pq.args[A_NOW - 1] = ARG_I(p->now_ns);
	pq.args[A_STATUS - 1] = ARG_S(p->status ? p->status : "");
	pq.args[A_Q - 1] = ARG_S(p->q ? p->q : "");
	pq.args[A_MINUTE - 1] = ARG_I(minute);
	pq.args[A_SINCE - 1] = ARG_I(since);
	pq.args[A_MINUTE_NS - 1] = ARG_I(minute * STORE_COUNT_NS);
	pq.args[A_LIMIT - 1] = ARG_I(p->limit);
	pq.args[A_OFFSET - 1] = ARG_I(p->offset);
	out = json_pack("{s:[], s:I, s:I}", "nodes", "total", (json_int_t)0, "offset",
			(json_int_t)p->offset);
	rc = out ? totals(&pq, p, out) : -ENOMEM;
	if (!rc && p->limit)
		rc = page(&pq, p, order, out);
	free(pq.args);
	if (rc) {
		json_decref(out);
		return rc;
	}
	*ret = out;
	return 0;
}
