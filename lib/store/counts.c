// SPDX-License-Identifier: Apache-2.0
/*
 * Alert counts: per node since a time (the fleet page's alerts of the last hour) and over time
 * in buckets (the charts). Where the backend keeps counters per minute as alerts are written
 * (SQLite, sqlite_schema.c), the whole minutes of a period are read from those, and only the
 * minute it starts or ends in from the alerts themselves: a count costs one row per node and
 * minute, not one per alert, and stays exact. ClickHouse keeps the same tables with
 * materialized views (clickhouse_counters.c) and counts the minutes at either end whole
 * (whole_minutes): its alerts are ordered by incident, so a part of a minute is a scan of all.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "vigil/store_fleet.h"

#define MAX_BUCKETS 2000

static int run(struct vigil_store *s, struct store_sql *q, json_t **rows, struct vigil_error *err)
{
	int rc = sql_run(s, q, rows, err);

	sql_release(q);
	free(q);
	return rc;
}

static struct store_sql *new_sql(void)
{
	struct store_sql *q = malloc(sizeof(*q));

	if (q)
		sql_init(q);
	return q;
}

/* Adds each row's n to map[row.node]. */
static void add_by_node(json_t *map, const json_t *rows)
{
	size_t i;
	json_t *row;

	json_array_foreach(rows, i, row)
	{
		const char *n = json_string_value(json_object_get(row, "node")) ?: "";
		json_int_t had = json_integer_value(json_object_get(map, n));

		json_object_set_new(
			map, n, json_integer(had + json_integer_value(json_object_get(row, "n"))));
	}
}

/* Alerts of [from, to) (to 0: no end) per node, counted from the alerts. */
static int scan_by_node(struct vigil_store *s, uint64_t from, uint64_t to, const char *node,
			json_t *map)
{
	struct store_sql *q = new_sql();
	json_t *rows = NULL;
	int rc;

	if (!q)
		return -ENOMEM;
	sql_add(q, "SELECT node, %s AS n FROM alerts WHERE time_ns >= ?",
		s->ops->dialect->count_alerts);
	sql_arg(q, ARG_I(from));
	if (to) {
		sql_add(q, " AND time_ns < ?");
		sql_arg(q, ARG_I(to));
	}
	if (node) {
		sql_add(q, " AND node = ?");
		sql_arg(q, ARG_S(node));
	}
	sql_add(q, " GROUP BY node");
	rc = run(s, q, &rows, NULL);
	if (!rc)
		add_by_node(map, rows);
	json_decref(rows);
	return rc;
}

json_t *store_alerts_by_node(struct vigil_store *s, uint64_t since_ns, const char *node)
{
	/* whole minutes: from the minute since_ns falls in (never fewer than the period's) */
	uint64_t minute = s->ops->dialect->whole_minutes
				  ? since_ns / STORE_COUNT_NS
				  : (since_ns + STORE_COUNT_NS - 1) / STORE_COUNT_NS;
	json_t *map = json_object(), *rows = NULL;
	struct store_sql *q;

	if (!map || !s->ops->dialect->minute_counts) {
		if (map && scan_by_node(s, since_ns, 0, node, map))
			json_object_clear(map);
		return map;
	}
	/* the part of a minute before the first whole one, from the alerts */
	if (since_ns < minute * STORE_COUNT_NS &&
	    scan_by_node(s, since_ns, minute * STORE_COUNT_NS, node, map))
		goto fail;
	if (!(q = new_sql()))
		goto fail;
	/* "+node": a range of the index by minute, not a walk of the whole key (node, minute) */
	sql_add(q, "SELECT node, sum(n) AS n FROM alert_minutes WHERE minute >= ?");
	sql_arg(q, ARG_I(minute));
	if (node) {
		sql_add(q, " AND node = ?");
		sql_arg(q, ARG_S(node));
	}
	sql_add(q, " GROUP BY %snode", s->ops->dialect->plain_group_by ? "" : "+");
	if (run(s, q, &rows, NULL))
		goto fail;
	add_by_node(map, rows);
	json_decref(rows);
	return map;
fail:
	json_object_clear(map);
	return map;
}

/* Adds the rows {b, n, high, mid} to the buckets of out. */
static void add_buckets(json_t *out, const json_t *rows)
{
	size_t i;
	json_t *row;

	json_array_foreach(rows, i, row)
	{
		json_int_t b = json_integer_value(json_object_get(row, "b"));
		json_t *e = b >= 0 ? json_array_get(out, (size_t)b) : NULL;
		static const char *const keys[] = { "count", "high", "mid" };
		static const char *const cols[] = { "n", "high", "mid" };

		for (size_t k = 0; e && k < 3; k++)
			json_object_set_new(
				e, keys[k],
				json_integer(json_integer_value(json_object_get(e, keys[k])) +
					     json_integer_value(json_object_get(row, cols[k]))));
	}
}

/*
 * Counts of [from, to) into the buckets of out (bucket b starts at f->since_ns + b *
 * bucket_ns): from the alerts, or (minutes) from the counters, whose bounds are whole minutes.
 */
static int count_into(struct vigil_store *s, const struct vigil_query *f, uint64_t bucket_ns,
		      uint64_t from, uint64_t to, bool minutes, json_t *out,
		      struct vigil_error *err)
{
	const struct store_dialect *d = s->ops->dialect;
	struct store_sql *q = new_sql();
	json_t *rows = NULL;
	char bexpr[128];
	int rc;

	if (!q)
		return -ENOMEM;
	if (minutes)
		snprintf(bexpr, sizeof(bexpr), "%sminute * %llu - ?%s?%s", d->idiv[0],
			 STORE_COUNT_NS, d->idiv[1], d->idiv[2]);
	else
		snprintf(bexpr, sizeof(bexpr), "%stime_ns - ?%s?%s", d->idiv[0], d->idiv[1],
			 d->idiv[2]);
	if (minutes) {
		sql_add(q,
			"SELECT %s AS b, sum(n) AS n, sum(high) AS high, sum(mid) AS mid FROM %s "
			"WHERE minute >= ? AND minute < ?",
			bexpr, f->node ? "alert_minutes" : "fleet_minutes");
		from /= STORE_COUNT_NS;
		to /= STORE_COUNT_NS;
	} else {
		/* by severity too (the page stacks them): high >= 8, mid >= 4, low */
		sql_add(q,
			"SELECT %s AS b, %s AS n, sum(CASE WHEN severity >= 8 THEN 1 ELSE 0 END) AS "
			"high, sum(CASE WHEN severity >= 4 AND severity < 8 THEN 1 ELSE 0 END) AS "
			"mid FROM alerts WHERE time_ns >= ? AND time_ns < ?",
			bexpr, d->count_alerts);
	}
	sql_arg(q, ARG_I(f->since_ns));
	sql_arg(q, ARG_I(bucket_ns));
	sql_arg(q, ARG_I(from));
	sql_arg(q, ARG_I(to));
	if (f->node) {
		sql_add(q, " AND node = ?");
		sql_arg(q, ARG_S(f->node));
	}
	if (f->rule && !minutes) {
		sql_add(q, " AND rule_id = ?");
		sql_arg(q, ARG_S(f->rule));
	}
	sql_add(q, " GROUP BY b");
	rc = run(s, q, &rows, err);
	if (!rc)
		add_buckets(out, rows);
	json_decref(rows);
	return rc;
}

int vigil_store__alert_counts(struct vigil_store *s, const struct vigil_query *f,
			      uint64_t bucket_ns, json_t **ret, struct vigil_error *err)
{
	uint64_t nb, whole;
	json_t *out, *e;
	size_t i;
	int rc = 0;

	if (!s || !f || !ret || !bucket_ns || f->until_ns <= f->since_ns)
		return -EINVAL;
	nb = (f->until_ns - f->since_ns + bucket_ns - 1) / bucket_ns;
	if (nb > MAX_BUCKETS)
		return vigil_error__set(err, -E2BIG, "", 0, 0, "%llu buckets (at most %d)",
					(unsigned long long)nb, MAX_BUCKETS);
	out = json_array();
	for (uint64_t b = 0; out && b < nb; b++)
		json_array_append_new(out, json_pack("{s:I, s:i, s:i, s:i, s:i}", "t_ns",
						     (json_int_t)(f->since_ns + b * bucket_ns),
						     "count", 0, "high", 0, "mid", 0, "low", 0));
	if (!out)
		return -ENOMEM;
	/* the counters hold no rule; each of their minutes must fall in one bucket */
	whole = f->until_ns - f->until_ns % STORE_COUNT_NS;
	/* whole minutes: the minute until_ns falls in counts whole (until is now, mostly) */
	if (s->ops->dialect->whole_minutes && whole < f->until_ns)
		whole += STORE_COUNT_NS;
	if (s->ops->dialect->minute_counts && !f->rule && bucket_ns % STORE_COUNT_NS == 0 &&
	    f->since_ns % STORE_COUNT_NS == 0 && whole > f->since_ns) {
		rc = count_into(s, f, bucket_ns, f->since_ns, whole, true, out, err);
		if (!rc && whole < f->until_ns)
			rc = count_into(s, f, bucket_ns, whole, f->until_ns, false, out, err);
	} else {
		rc = count_into(s, f, bucket_ns, f->since_ns, f->until_ns, false, out, err);
	}
	if (rc) {
		json_decref(out);
		return rc;
	}
	json_array_foreach(out, i, e)
	{
		json_int_t n = json_integer_value(json_object_get(e, "count")),
			   low = n - json_integer_value(json_object_get(e, "high")) -
				 json_integer_value(json_object_get(e, "mid"));

		json_object_set_new(e, "low", json_integer(low > 0 ? low : 0));
	}
	*ret = out;
	return 0;
}
