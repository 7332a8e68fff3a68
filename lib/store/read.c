// SPDX-License-Identifier: Apache-2.0
/*
 * The incident and alert queries of the cockpit: lists with filters, newest first, and alert
 * counts over time. One SQL text for both backends (query.c); what a list shows of an
 * incident's alerts (count, rules, window) is counted from the alerts table, so an incident
 * that grows by single alerts never has its row rewritten. Counts over time: counts.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "vigil/store_fleet.h"

#define DEFAULT_INCIDENTS 100
#define DEFAULT_ALERTS	  100
#define MAX_LIMIT	  10000

static size_t limit_of(const struct vigil_query *f, size_t def)
{
	return !f->limit ? def : f->limit > MAX_LIMIT ? MAX_LIMIT : f->limit;
}

/* " AND (A OR B ...)" where each column is searched case-insensitively for q. */
static void where_text(struct store_sql *q, const struct store_dialect *d, const char *text,
		       const char *const *cols)
{
	sql_add(q, " AND (");
	for (size_t i = 0; cols[i]; i++) {
		sql_add(q, "%s", i ? " OR " : "");
		sql_wrap(q, d->ci_contains, cols[i]);
		sql_arg(q, ARG_S(text));
	}
	sql_add(q, ")");
}

static void split_rules(json_t *set, const char *list)
{
	while (list && *list) {
		size_t n = strcspn(list, ",");
		char rule[64];

		snprintf(rule, sizeof(rule), "%.*s", (int)n, list);
		if (rule[0])
			json_object_set_new(set, rule, json_true());
		list += n + (list[n] == ',');
	}
}

/* Counts, window, rules and highest severity of each listed incident, from its alerts. */
static int add_alert_counts(struct vigil_store *s, json_t *list, struct vigil_error *err)
{
	const struct store_dialect *d = s->ops->dialect;
	struct store_sql *q;
	json_t *rows = NULL, *inc, *row, *by_id;
	size_t i;
	int rc;

	if (!json_array_size(list))
		return 0;
	q = malloc(sizeof(*q));
	if (!q)
		return -ENOMEM;
	sql_init(q);
	sql_add(q,
		"SELECT incident_id, %s AS n, min(time_ns) AS first_ns, max(time_ns) AS last_ns, "
		"max(severity) AS severity, %s AS rules FROM alerts WHERE incident_id IN (",
		d->count_alerts, d->rules_concat);
	json_array_foreach(list, i, inc)
	{
		sql_add(q, "%s?", i ? "," : "");
		sql_arg(q, ARG_S(json_string_value(json_object_get(inc, "incident_id"))));
	}
	sql_add(q, ") GROUP BY incident_id");
	rc = sql_run(s, q, &rows, err);
	sql_release(q);
	free(q);
	if (rc)
		return rc;
	/* by id: a page of N incidents is joined in N lookups, not N x N */
	by_id = json_object();
	json_array_foreach(rows, i, row)
	{
		json_object_set(by_id, json_string_value(json_object_get(row, "incident_id")) ?: "",
				row);
	}
	json_array_foreach(list, i, inc)
	{
		json_t *set, *rules, *r;
		const char *k;
		size_t x;

		row = json_object_get(by_id,
				      json_string_value(json_object_get(inc, "incident_id")) ?: "");
		json_object_set_new(
			inc, "severity",
			json_integer(json_integer_value(json_object_get(row, "severity"))));
		if (!row)
			continue;
		if (json_integer_value(json_object_get(row, "n")) >
		    json_integer_value(json_object_get(inc, "alert_count")))
			json_object_set(inc, "alert_count", json_object_get(row, "n"));
		if (!json_integer_value(json_object_get(inc, "start_ns")))
			json_object_set(inc, "start_ns", json_object_get(row, "first_ns"));
		if (json_integer_value(json_object_get(row, "last_ns")) >
		    json_integer_value(json_object_get(inc, "end_ns")))
			json_object_set(inc, "end_ns", json_object_get(row, "last_ns"));
		set = json_object();
		rules = json_array();
		json_array_foreach(json_object_get(inc, "rules"), x, r)
		{
			json_object_set(set, json_string_value(r) ?: "", json_true());
		}
		split_rules(set, json_string_value(json_object_get(row, "rules")));
		json_object_foreach(set, k, r)
		{
			json_array_append_new(rules, json_string(k));
		}
		json_object_set_new(inc, "rules", rules);
		json_decref(set);
	}
	json_decref(by_id);
	json_decref(rows);
	return 0;
}

/* The WHERE clause of an incident list (after "WHERE 1 = 1"). */
static void incident_filters(struct store_sql *q, const struct store_dialect *d,
			     const struct vigil_query *f)
{
	static const char *const text_cols[] = { "summary",	"workload_name", "node",
						 "incident_id", "workload_id",	 NULL };

	if (f->node) {
		sql_add(q, " AND node = ?");
		sql_arg(q, ARG_S(f->node));
	}
	if (f->workload) {
		sql_add(q, " AND (workload_name = ? OR workload_id = ?)");
		sql_arg(q, ARG_S(f->workload));
		sql_arg(q, ARG_S(f->workload));
	}
	if (f->rule) {
		sql_add(q, " AND (");
		sql_wrap(q, d->array_has, "rules");
		sql_add(q,
			" OR incident_id IN (SELECT incident_id FROM alerts WHERE rule_id = ?))");
		sql_arg(q, ARG_S(f->rule));
		sql_arg(q, ARG_S(f->rule));
	}
	if (f->q)
		where_text(q, d, f->q, text_cols);
	if (f->since_ns) {
		sql_add(q, " AND (opened_ns >= ? OR received_ns >= ?)");
		sql_arg(q, ARG_I(f->since_ns));
		sql_arg(q, ARG_I(f->since_ns));
	}
	if (f->until_ns) {
		sql_add(q, " AND opened_ns < ?");
		sql_arg(q, ARG_I(f->until_ns));
	}
}

/* The filters of an alert list (after "WHERE 1 = 1"). */
static void alert_filters(struct store_sql *q, const struct store_dialect *d,
			  const struct vigil_query *f)
{
	static const char *const text_cols[] = { "message",	  "rule_id", "rule_name", "comm",
						 "workload_name", "node",    NULL };

	if (f->node) {
		sql_add(q, " AND node = ?");
		sql_arg(q, ARG_S(f->node));
	}
	if (f->workload) {
		sql_add(q, " AND (workload_name = ? OR workload_id = ?)");
		sql_arg(q, ARG_S(f->workload));
		sql_arg(q, ARG_S(f->workload));
	}
	if (f->rule) {
		sql_add(q, " AND rule_id = ?");
		sql_arg(q, ARG_S(f->rule));
	}
	if (f->incident) {
		sql_add(q, " AND incident_id = ?");
		sql_arg(q, ARG_S(f->incident));
	}
	if (f->q)
		where_text(q, d, f->q, text_cols);
	if (f->since_ns) {
		sql_add(q, " AND time_ns >= ?");
		sql_arg(q, ARG_I(f->since_ns));
	}
	if (f->until_ns) {
		sql_add(q, " AND time_ns < ?");
		sql_arg(q, ARG_I(f->until_ns));
	}
}

/* How many rows "SELECT ... FROM <from> WHERE 1 = 1 <filters>" has, into *total. */
static int count_rows(struct vigil_store *s, const char *what, const char *from,
		      void (*filters)(struct store_sql *, const struct store_dialect *,
				      const struct vigil_query *),
		      const struct vigil_query *f, uint64_t *total, struct vigil_error *err)
{
	struct store_sql *q = malloc(sizeof(*q));
	json_t *rows = NULL;
	int rc;

	if (!q)
		return -ENOMEM;
	sql_init(q);
	sql_add(q, "SELECT %s AS n FROM %s WHERE 1 = 1", what, from);
	filters(q, s->ops->dialect, f);
	rc = sql_run(s, q, &rows, err);
	sql_release(q);
	free(q);
	if (!rc)
		*total =
			(uint64_t)json_integer_value(json_object_get(json_array_get(rows, 0), "n"));
	json_decref(rows);
	return rc;
}

int vigil_store__incidents(struct vigil_store *s, const struct vigil_query *f, json_t **ret,
			   struct vigil_error *err)
{
	const struct store_dialect *d;
	struct store_sql *q;
	json_t *rows = NULL, *out, *row;
	char from[64];
	size_t i;
	int rc;

	if (!s || !f || !ret)
		return -EINVAL;
	d = s->ops->dialect;
	q = malloc(sizeof(*q));
	if (!q)
		return -ENOMEM;
	sql_init(q);
	sql_add(q, "SELECT * FROM incidents%s WHERE 1 = 1", d->final);
	incident_filters(q, d, f);
	sql_add(q, " ORDER BY opened_ns DESC, incident_id LIMIT ?");
	sql_arg(q, ARG_I(limit_of(f, DEFAULT_INCIDENTS)));
	rc = sql_run(s, q, &rows, err);
	sql_release(q);
	free(q);
	if (rc)
		return rc;
	out = json_array();
	json_array_foreach(rows, i, row)
	{
		json_t *norm = store_row_normalize(&store_tables[T_INCIDENTS], row);

		json_array_append_new(out, store_list_entry(norm));
		json_decref(norm);
	}
	json_decref(rows);
	if (!out)
		return -ENOMEM;
	rc = add_alert_counts(s, out, err);
	if (!rc && f->total) {
		snprintf(from, sizeof(from), "incidents%s", d->final);
		rc = count_rows(s, "count(*)", from, incident_filters, f, f->total, err);
	}
	if (rc) {
		json_decref(out);
		return rc;
	}
	*ret = out;
	return 0;
}

#define FETCH_CHUNK 1000

/* The key an alert is unique by (node, alert_id: two nodes may hold the same id), in buf. */
static const char *alert_key(const json_t *row, char *buf, size_t size)
{
	snprintf(buf, size, "%s\x1f%s", json_string_value(json_object_get(row, "node")) ?: "",
		 json_string_value(json_object_get(row, "alert_id")) ?: "");
	return buf;
}

/* Fills "record" of rows [from, to) (alert_id, incident_id, node) by primary key. */
static int fetch_chunk(struct vigil_store *s, json_t *rows, size_t from, size_t to,
		       struct vigil_error *err)
{
	struct store_sql *q = malloc(sizeof(*q));
	json_t *recs = NULL, *by_id, *row;
	char key[512];
	size_t i;
	int rc;

	if (!q)
		return -ENOMEM;
	sql_init(q);
	sql_add(q, "SELECT alert_id, node, record FROM alerts WHERE incident_id IN (");
	for (i = from; i < to; i++) {
		sql_add(q, "%s?", i > from ? "," : "");
		sql_arg(q, ARG_S(json_string_value(
				   json_object_get(json_array_get(rows, i), "incident_id"))));
	}
	sql_add(q, ") AND alert_id IN (");
	for (i = from; i < to; i++) {
		sql_add(q, "%s?", i > from ? "," : "");
		sql_arg(q, ARG_S(json_string_value(
				   json_object_get(json_array_get(rows, i), "alert_id"))));
	}
	sql_add(q, ")");
	rc = sql_run(s, q, &recs, err);
	sql_release(q);
	free(q);
	if (rc)
		return rc;
	by_id = json_object();
	json_array_foreach(recs, i, row)
	{
		json_object_set(by_id, alert_key(row, key, sizeof(key)),
				json_object_get(row, "record"));
	}
	for (i = from; i < to; i++) {
		row = json_array_get(rows, i);
		json_object_set(row, "record",
				json_object_get(by_id, alert_key(row, key, sizeof(key)))
					?: json_null());
	}
	json_decref(by_id);
	json_decref(recs);
	return 0;
}

/* Fills "record" of each row by primary key, in chunks (a query's arguments are bounded). */
static int fetch_records(struct vigil_store *s, json_t *rows, struct vigil_error *err)
{
	size_t n = json_array_size(rows), bytes = 0;
	int rc = 0;

	for (size_t i = 0; !rc && i < n; i += FETCH_CHUNK) {
		size_t end = i + FETCH_CHUNK < n ? i + FETCH_CHUNK : n;

		rc = fetch_chunk(s, rows, i, end, err);
		/* the chunks' answers together are bounded as one query's (query_max_bytes) */
		for (size_t k = i; !rc && s->opts.query_max_bytes && k < end; k++)
			bytes += json_string_length(
				json_object_get(json_array_get(rows, k), "record"));
		if (!rc && s->opts.query_max_bytes && bytes > s->opts.query_max_bytes)
			rc = vigil_error__set(err, -E2BIG, "", 0, 0,
					      "the answer passed its bound of %zu MiB",
					      s->opts.query_max_bytes >> 20);
	}
	return rc;
}

int vigil_store__alerts(struct vigil_store *s, const struct vigil_query *f, json_t **ret,
			struct vigil_error *err)
{
	const struct store_dialect *d;
	size_t limit = limit_of(f, DEFAULT_ALERTS), i;
	struct store_sql *q;
	json_t *rows = NULL, *out, *row, *seen;
	int rc;

	if (!s || !f || !ret)
		return -EINVAL;
	d = s->ops->dialect;
	q = malloc(sizeof(*q));
	if (!q)
		return -ENOMEM;
	sql_init(q);
	/*
	 * ClickHouse reads every column of every row it sorts: pick the newest by their small
	 * columns first, then fetch those records by primary key. It may also hold a duplicate
	 * until its merge: ask for more, keep one of each.
	 */
	sql_add(q, "SELECT alert_id, incident_id, node, received_ns%s FROM alerts WHERE 1 = 1",
		d->sets_replaced ? ", record" : ", time_ns");
	alert_filters(q, d, f);
	sql_add(q, " ORDER BY time_ns DESC, alert_id LIMIT ?");
	sql_arg(q, ARG_I(d->sets_replaced ? limit : 2 * limit));
	rc = sql_run(s, q, &rows, err);
	sql_release(q);
	free(q);
	if (!rc && !d->sets_replaced)
		rc = fetch_records(s, rows, err);
	if (rc) {
		json_decref(rows);
		return rc;
	}
	out = json_array();
	seen = json_object();
	json_array_foreach(rows, i, row)
	{
		const char *id = json_string_value(json_object_get(row, "alert_id")) ?: "";
		char key[512];
		json_t *rec;

		/* one of each (node, alert_id): another node's alert of the same id is its own */
		if (json_array_size(out) >= limit ||
		    json_object_get(seen, alert_key(row, key, sizeof(key))))
			continue;
		json_object_set_new(seen, key, json_true());
		rec = json_loads(json_string_value(json_object_get(row, "record")) ?: "", 0, NULL);
		if (!json_is_object(rec)) {
			json_decref(rec);
			rec = json_pack("{s:s}", "alert_id", id);
		}
		json_object_set(rec, "incident_id", json_object_get(row, "incident_id"));
		json_object_set(rec, "node", json_object_get(row, "node"));
		json_object_set(rec, "received_ns", json_object_get(row, "received_ns"));
		json_array_append_new(out, rec);
	}
	json_decref(seen);
	json_decref(rows);
	if (!out)
		return -ENOMEM;
	/* every alert: the sum of the fleet's counters per minute, not a count of every alert
	 * (half a second at 1 000 000 on ClickHouse, for each newest-alerts page) */
	if (f->total && d->minute_counts && !f->node && !f->workload && !f->rule && !f->incident &&
	    !f->q && !f->since_ns && !f->until_ns)
		rc = count_rows(s, "coalesce(sum(n), 0)", "fleet_minutes", alert_filters, f,
				f->total, err);
	else if (f->total)
		rc = count_rows(s, d->count_alerts, "alerts", alert_filters, f, f->total, err);
	if (rc) {
		json_decref(out);
		return rc;
	}
	*ret = out;
	return 0;
}
