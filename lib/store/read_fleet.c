// SPDX-License-Identifier: Apache-2.0
/*
 * The fleet queries: nodes (online, stale or offline from their last heartbeat, credential
 * state, alerts of the last hour), the workloads each node reported last, and profiles.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/nodes_internal.h"
#include "store/store_internal.h"
#include "vigil/event.h"
#include "vigil/store_fleet.h"

#define HOUR_NS		  NODE_HOUR_NS
#define STALE_NS	  NODE_STALE_NS
#define DEFAULT_INTERVAL  NODE_DEFAULT_INTERVAL
#define MAX_INTERVAL	  NODE_MAX_INTERVAL
#define DEFAULT_WORKLOADS 1000
#define DEFAULT_PROFILES  1000
#define MAX_LIMIT	  10000

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

/* "node\x1fworkload id" and "node\x1fworkload name" -> count of alerts since since_ns. */
static json_t *workload_alert_counts(struct vigil_store *s, uint64_t since_ns, const char *node)
{
	const struct store_dialect *d = s->ops->dialect;
	struct store_sql *q = new_sql();
	json_t *rows = NULL, *map = json_object(), *row;
	size_t i;

	if (!q || !map) {
		free(q);
		return map;
	}
	sql_add(q,
		"SELECT node, workload_id, workload_name, %s AS n FROM alerts WHERE time_ns >= ?",
		d->count_alerts);
	sql_arg(q, ARG_I(since_ns));
	if (node) {
		sql_add(q, " AND node = ?");
		sql_arg(q, ARG_S(node));
	}
	sql_add(q, " GROUP BY node, workload_id, workload_name");
	if (run(s, q, &rows, NULL))
		return map;
	json_array_foreach(rows, i, row)
	{
		char key[1024];
		const char *n = json_string_value(json_object_get(row, "node")) ?: "";

		/* a workload is found by its id, or by its name when the alert had no id */
		snprintf(key, sizeof(key), "%s\x1f%s", n,
			 json_string_value(json_object_get(row, "workload_id")) ?: "");
		json_object_set(map, key, json_object_get(row, "n"));
		snprintf(key, sizeof(key), "%s\x1f%s", n,
			 json_string_value(json_object_get(row, "workload_name")) ?: "");
		if (!json_object_get(map, key))
			json_object_set(map, key, json_object_get(row, "n"));
	}
	json_decref(rows);
	return map;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char *status_of(uint64_t last_ns, uint64_t interval_s, uint64_t now_ns)
{
	uint64_t age = now_ns > last_ns ? now_ns - last_ns : 0;

	if (!last_ns)
		return "offline";
	/* the node says its interval: no more than an agent may configure (1 h), so a node
	 * that announced decades and then fell silent is not kept "online" */
	if (!interval_s)
		interval_s = DEFAULT_INTERVAL;
	if (interval_s > MAX_INTERVAL)
		interval_s = MAX_INTERVAL;
	if (age < 2 * interval_s * 1000000000ull)
		return "online";
	return age < STALE_NS ? "stale" : "offline";
}

json_t *store_node_entry(const char *name, const json_t *r, const char *cred, json_int_t a1h,
			 uint64_t now_ns, bool full)
{
	uint64_t last = (uint64_t)json_integer_value(json_object_get(r, "last_seen_ns"));
	uint64_t interval = (uint64_t)json_integer_value(json_object_get(r, "interval_s"));
	char stamp[48];
	json_t *e = json_pack(
		"{s:s, s:s, s:s, s:I, s:s, s:s, s:I, s:I, s:{s:I, s:I, s:I}, s:I, s:I, s:s}",
		"name", name, "status", status_of(last, interval, now_ns), "last_seen",
		last ? vigil_format_time_ns(last, stamp, sizeof(stamp)) : "", "last_seen_ns",
		(json_int_t)last, "version",
		json_string_value(json_object_get(r, "agent_version")) ?: "", "kernel",
		json_string_value(json_object_get(r, "kernel")) ?: "", "uptime_s",
		json_integer_value(json_object_get(r, "uptime_s")), "interval_s",
		(json_int_t)(interval ? interval : DEFAULT_INTERVAL), "health", "drops",
		json_integer_value(json_object_get(r, "drops")), "sink_failures",
		json_integer_value(json_object_get(r, "sink_failures")), "spool_dropped",
		json_integer_value(json_object_get(r, "spool_dropped")), "workloads",
		json_integer_value(json_object_get(r, "workloads")), "alerts_1h", a1h, "credential",
		cred);

	/* the node's clock against the cockpit's when its last heartbeat arrived: a clock set
	 * back (alerts that sort below the newest) shows, give or take the transfer time */
	if (e && last && json_integer_value(json_object_get(r, "time_ns")) > 0)
		json_object_set_new(
			e, "clock_offset_ms",
			json_integer((json_integer_value(json_object_get(r, "time_ns")) -
				      (json_int_t)last) /
				     1000000));
	if (e && full) {
		json_t *hb = json_loads(json_string_value(json_object_get(r, "heartbeat")) ?: "", 0,
					NULL);

		json_object_set_new(e, "heartbeat", hb ? hb : json_object());
	}
	return e;
}

int vigil_store__nodes(struct vigil_store *s, const struct vigil_query *f, json_t **ret,
		       struct vigil_error *err)
{
	const struct store_dialect *d;
	struct store_sql *q;
	json_t *rows = NULL, *creds = NULL, *a1h, *byname, *out, *row;
	const char *name;
	size_t i;
	int rc;

	if (!s || !f || !ret)
		return -EINVAL;
	d = s->ops->dialect;
	if (!(q = new_sql()))
		return -ENOMEM;
	/* the list leaves each node's last heartbeat out (a kilobyte or more per node) */
	sql_add(q, "SELECT %s FROM nodes%s",
		f->node ? "*"
			: "node, last_seen_ns, time_ns, interval_s, agent_version, kernel, uptime_s, "
			  "drops, sink_failures, spool_dropped, workloads",
		d->final);
	if (f->node) {
		sql_add(q, " WHERE node = ?");
		sql_arg(q, ARG_S(f->node));
	}
	rc = run(s, q, &rows, err);
	if (!rc && (q = new_sql())) {
		sql_add(q, "SELECT node, revoked_ns FROM credentials%s WHERE kind = 'node'",
			d->final);
		if (f->node) {
			sql_add(q, " AND node = ?");
			sql_arg(q, ARG_S(f->node));
		}
		rc = run(s, q, &creds, err);
	}
	if (rc) {
		json_decref(rows);
		return rc;
	}
	/* name -> {"row", "cred"}: heartbeat rows and nodes that only have a credential */
	byname = json_object();
	json_array_foreach(rows, i, row)
	{
		json_object_set_new(byname, json_string_value(json_object_get(row, "node")) ?: "",
				    json_pack("{s:O, s:s}", "row", row, "cred", "none"));
	}
	json_array_foreach(creds, i, row)
	{
		const char *n = json_string_value(json_object_get(row, "node")) ?: "";
		json_t *e = json_object_get(byname, n);
		bool active = json_integer_value(json_object_get(row, "revoked_ns")) == 0;

		if (!e) {
			e = json_pack("{s:{}, s:s}", "row", "cred", "none");
			json_object_set_new(byname, n, e);
		}
		if (active || strcmp(json_string_value(json_object_get(e, "cred")), "active"))
			json_object_set_new(e, "cred", json_string(active ? "active" : "revoked"));
	}
	a1h = store_alerts_by_node(s, f->now_ns > HOUR_NS ? f->now_ns - HOUR_NS : 0, f->node);
	out = json_array();
	/* jansson keeps insertion order: sort the names */
	{
		size_t n = json_object_size(byname), k = 0;
		const char **names = calloc(n + 1, sizeof(*names));
		json_t *e;

		json_object_foreach(byname, name, e) if (names) names[k++] = name;
		if (names)
			qsort(names, k, sizeof(*names), cmp_names);
		for (size_t x = 0; names && x < k; x++) {
			e = json_object_get(byname, names[x]);
			json_array_append_new(
				out,
				store_node_entry(names[x], json_object_get(e, "row"),
						 json_string_value(json_object_get(e, "cred")),
						 json_integer_value(json_object_get(a1h, names[x])),
						 f->now_ns, f->node != NULL));
		}
		free(names);
	}
	json_decref(byname);
	json_decref(a1h);
	json_decref(rows);
	json_decref(creds);
	*ret = out;
	return out ? 0 : -ENOMEM;
}

/* "node\x1fname\x1fnamespace" -> {name, digest} of the newest learned profile, for the
 * nodes of rows. */
static json_t *learned_profiles(struct vigil_store *s, const json_t *rows)
{
	struct store_sql *q;
	json_t *nodes, *map = json_object(), *res = NULL, *row, *v;
	const char *n;
	size_t i;
	bool first = true;

	if (!map || !json_array_size(rows) || !(q = new_sql()))
		return map;
	nodes = json_object();
	json_array_foreach(rows, i, row)
	{
		json_object_set_new(nodes, json_string_value(json_object_get(row, "node")) ?: "",
				    json_true());
	}
	sql_add(q,
		"SELECT node, workload_name, namespace, name, digest, received_ns FROM profiles%s "
		"WHERE kind = 'learned' AND node IN (",
		s->ops->dialect->final);
	json_object_foreach(nodes, n, v)
	{
		sql_add(q, "%s?", first ? "" : ",");
		sql_arg(q, ARG_S(n));
		first = false;
	}
	sql_add(q, ") ORDER BY received_ns DESC");
	if (run(s, q, &res, NULL)) {
		json_decref(nodes);
		return map;
	}
	json_decref(nodes);
	json_array_foreach(res, i, row)
	{
		char key[1024];

		snprintf(key, sizeof(key), "%s\x1f%s\x1f%s",
			 json_string_value(json_object_get(row, "node")) ?: "",
			 json_string_value(json_object_get(row, "workload_name")) ?: "",
			 json_string_value(json_object_get(row, "namespace")) ?: "");
		if (!json_object_get(map, key)) /* newest first */
			json_object_set_new(map, key,
					    json_pack("{s:O?, s:O?}", "name",
						      json_object_get(row, "name"), "digest",
						      json_object_get(row, "digest")));
	}
	json_decref(res);
	return map;
}

int vigil_store__workloads(struct vigil_store *s, const struct vigil_query *f, json_t **ret,
			   struct vigil_error *err)
{
	static const char *const text_cols[] = { "name",      "namespace", "pod",  "image",
						 "container", "id",	   "node", NULL };
	const struct store_dialect *d;
	struct store_sql *q;
	json_t *rows = NULL, *a1h, *learned, *out, *row;
	size_t i;
	int rc;

	if (!s || !f || !ret)
		return -EINVAL;
	d = s->ops->dialect;
	if (!(q = new_sql()))
		return -ENOMEM;
	/* the rows in force: the version the node's last heartbeat points at */
	sql_add(q,
		"SELECT * FROM workloads WHERE (node, version) IN (SELECT node, workloads_version "
		"FROM nodes%s%s)",
		d->final, f->node ? " WHERE node = ?" : "");
	if (f->node) {
		sql_arg(q, ARG_S(f->node));
		sql_add(q, " AND node = ?");
		sql_arg(q, ARG_S(f->node));
	}
	if (f->namespace_) {
		sql_add(q, " AND namespace = ?");
		sql_arg(q, ARG_S(f->namespace_));
	}
	if (f->workload) {
		sql_add(q, " AND (name = ? OR id = ?)");
		sql_arg(q, ARG_S(f->workload));
		sql_arg(q, ARG_S(f->workload));
	}
	if (f->q) {
		sql_add(q, " AND (");
		for (size_t k = 0; text_cols[k]; k++) {
			sql_add(q, "%s", k ? " OR " : "");
			sql_wrap(q, d->ci_contains, text_cols[k]);
			sql_arg(q, ARG_S(f->q));
		}
		sql_add(q, ")");
	}
	sql_add(q, " ORDER BY node, namespace, name, id LIMIT ?");
	sql_arg(q, ARG_I(!f->limit		? DEFAULT_WORKLOADS
			 : f->limit > MAX_LIMIT ? MAX_LIMIT
						: f->limit));
	rc = run(s, q, &rows, err);
	if (rc)
		return rc;
	a1h = workload_alert_counts(s, f->now_ns > HOUR_NS ? f->now_ns - HOUR_NS : 0, f->node);
	learned = learned_profiles(s, rows);
	out = json_array();
	json_array_foreach(rows, i, row)
	{
		json_t *r = store_row_normalize(&store_tables[T_WORKLOADS], row), *n, *l;
		const char *node = json_string_value(json_object_get(r, "node"));
		char key[1024];

		snprintf(key, sizeof(key), "%s\x1f%s", node,
			 json_string_value(json_object_get(r, "id")));
		n = json_object_get(a1h, key);
		if (!n) {
			snprintf(key, sizeof(key), "%s\x1f%s", node,
				 json_string_value(json_object_get(r, "name")));
			n = json_object_get(a1h, key);
		}
		json_array_append_new(
			out,
			json_pack(
				"{s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:{s:O, s:O, "
				"s:O, s:O}, s:O, s:I}",
				"node", json_object_get(r, "node"), "id", json_object_get(r, "id"),
				"name", json_object_get(r, "name"), "namespace",
				json_object_get(r, "namespace"), "pod", json_object_get(r, "pod"),
				"pod_uid", json_object_get(r, "pod_uid"), "container",
				json_object_get(r, "container"), "image",
				json_object_get(r, "image"), "runtime",
				json_object_get(r, "runtime"), "state", json_object_get(r, "state"),
				"profile", "name", json_object_get(r, "profile_name"), "digest",
				json_object_get(r, "profile_digest"), "signer",
				json_object_get(r, "profile_signer"), "completion",
				json_object_get(r, "profile_completion"), "alerts_total",
				json_object_get(r, "alerts_total"), "alerts_1h",
				json_integer_value(n)));
		snprintf(key, sizeof(key), "%s\x1f%s\x1f%s", node,
			 json_string_value(json_object_get(r, "name")),
			 json_string_value(json_object_get(r, "namespace")));
		l = json_object_get(learned, key);
		if (l)
			json_object_set(json_array_get(out, json_array_size(out) - 1), "learned",
					l);
		json_decref(r);
	}
	json_decref(learned);
	json_decref(a1h);
	json_decref(rows);
	*ret = out;
	return out ? 0 : -ENOMEM;
}

static json_t *profile_entry(const json_t *row, bool with_yaml)
{
	json_t *r = store_row_normalize(&store_tables[T_PROFILES], row), *e;
	char stamp[48];

	if (!r)
		return NULL;
	e = json_pack("{s:O, s:{s:O, s:O}, s:O, s:O, s:O, s:O, s:O, s:s, s:O}", "node",
		      json_object_get(r, "node"), "workload", "name",
		      json_object_get(r, "workload_name"), "namespace",
		      json_object_get(r, "namespace"), "kind", json_object_get(r, "kind"), "name",
		      json_object_get(r, "name"), "digest", json_object_get(r, "digest"), "signer",
		      json_object_get(r, "signer"), "completion", json_object_get(r, "completion"),
		      "received",
		      vigil_format_time_ns(
			      (uint64_t)json_integer_value(json_object_get(r, "received_ns")),
			      stamp, sizeof(stamp)),
		      "received_ns", json_object_get(r, "received_ns"));
	if (e && with_yaml)
		json_object_set(e, "yaml", json_object_get(r, "yaml"));
	json_decref(r);
	return e;
}

int vigil_store__profiles(struct vigil_store *s, const struct vigil_query *f, json_t **ret,
			  struct vigil_error *err)
{
	const struct store_dialect *d;
	struct store_sql *q;
	json_t *rows = NULL, *out, *row, *seen;
	size_t i;
	int rc;

	if (!s || !f || !ret)
		return -EINVAL;
	d = s->ops->dialect;
	if (!(q = new_sql()))
		return -ENOMEM;
	sql_add(q,
		"SELECT node, version, workload_name, namespace, kind, name, digest, signer, "
		"completion, received_ns FROM profiles%s WHERE 1 = 1",
		d->final);
	if (f->node) {
		sql_add(q, " AND node = ?");
		sql_arg(q, ARG_S(f->node));
	}
	if (f->workload) {
		sql_add(q, " AND workload_name = ?");
		sql_arg(q, ARG_S(f->workload));
	}
	if (f->namespace_) {
		sql_add(q, " AND namespace = ?");
		sql_arg(q, ARG_S(f->namespace_));
	}
	if (f->kind) {
		sql_add(q, " AND kind = ?");
		sql_arg(q, ARG_S(f->kind));
	}
	if (f->q) {
		sql_add(q, " AND (");
		sql_wrap(q, d->ci_contains, "name");
		sql_add(q, " OR ");
		sql_wrap(q, d->ci_contains, "workload_name");
		sql_add(q, " OR ");
		sql_wrap(q, d->ci_contains, "digest");
		sql_add(q, ")");
		sql_arg(q, ARG_S(f->q));
		sql_arg(q, ARG_S(f->q));
		sql_arg(q, ARG_S(f->q));
	}
	sql_add(q, " ORDER BY received_ns DESC, digest LIMIT ?");
	sql_arg(q, ARG_I(!f->limit		? DEFAULT_PROFILES
			 : f->limit > MAX_LIMIT ? MAX_LIMIT
						: f->limit));
	rc = run(s, q, &rows, err);
	if (rc)
		return rc;
	out = json_array();
	seen = json_object();
	json_array_foreach(rows, i, row)
	{
		json_t *e = profile_entry(row, false);
		char key[1024];

		/* newest first: the first of each node, workload and kind is the one in force */
		snprintf(key, sizeof(key), "%s\x1f%s\x1f%s\x1f%s",
			 json_string_value(json_object_get(row, "node")) ?: "",
			 json_string_value(json_object_get(row, "workload_name")) ?: "",
			 json_string_value(json_object_get(row, "namespace")) ?: "",
			 json_string_value(json_object_get(row, "kind")) ?: "");
		json_object_set_new(e, "current", json_boolean(!json_object_get(seen, key)));
		json_object_set_new(seen, key, json_true());
		json_array_append_new(out, e);
	}
	json_decref(seen);
	json_decref(rows);
	*ret = out;
	return out ? 0 : -ENOMEM;
}

int vigil_store__profile(struct vigil_store *s, const char *digest, json_t **ret,
			 struct vigil_error *err)
{
	struct store_arg arg = ARG_S(digest);
	json_t *rows = NULL;
	char sql[160];
	int rc;

	if (!s || !digest || !ret)
		return -EINVAL;
	snprintf(sql, sizeof(sql),
		 "SELECT * FROM profiles%s WHERE digest = ? ORDER BY received_ns DESC LIMIT 1",
		 s->ops->dialect->final);
	rc = s->ops->query(s, sql, &arg, 1, &rows, err);
	if (rc)
		return rc;
	if (!json_array_size(rows)) {
		json_decref(rows);
		return vigil_error__set(err, -ENOENT, "", 0, 0, "no profile %s", digest);
	}
	*ret = profile_entry(json_array_get(rows, 0), true);
	json_decref(rows);
	return *ret ? 0 : -ENOMEM;
}
