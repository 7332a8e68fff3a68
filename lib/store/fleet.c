// SPDX-License-Identifier: Apache-2.0
/*
 * What the fleet writes besides alerts and reports: heartbeats (a node row replaced by each,
 * and the node's workload list, written again only when it changed), profiles, credentials
 * and enrolments.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "vigil/store_fleet.h"

#define WL_CACHE_MAX 200000

static uint64_t sum_values(const json_t *obj)
{
	const char *k;
	const json_t *v;
	uint64_t n = 0;

	json_object_foreach((json_t *)obj, k, v)
	{
		if (json_is_integer(v) && json_integer_value(v) > 0)
			n += (uint64_t)json_integer_value(v);
	}
	return n;
}

static json_t *workload_row(const json_t *w, const char *node, uint64_t version)
{
	const json_t *p = json_object_get(w, "profile");
	json_t *item = json_pack(
		"{s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, "
		"s:O?}",
		"id", json_object_get(w, "id"), "name", json_object_get(w, "name"), "namespace",
		json_object_get(w, "namespace"), "pod", json_object_get(w, "pod"), "pod_uid",
		json_object_get(w, "pod_uid"), "container", json_object_get(w, "container"),
		"image", json_object_get(w, "image"), "runtime", json_object_get(w, "runtime"),
		"state", json_object_get(w, "state"), "profile_name", json_object_get(p, "name"),
		"profile_digest", json_object_get(p, "digest"), "profile_signer",
		json_object_get(p, "signer"), "profile_completion",
		json_object_get(p, "completion"), "alerts_total",
		json_object_get(w, "alerts_total"));
	json_t *row =
		item ? store_row_from_item(&store_tables[T_WORKLOADS], item, node, version) : NULL;

	json_decref(item);
	return row;
}

/*
 * Writes the workload rows when the list differs from what this handle wrote last for the
 * node; *version gets the version of the rows in force. SQLite replaces the node's rows in
 * place every time (cheap, and right when two cockpits share the file).
 */
static int put_workloads(struct vigil_store *s, const char *node, const json_t *list,
			 const char *digest, uint64_t now_ns, uint64_t *version)
{
	const struct store_dialect *d = s->ops->dialect;
	struct put_opts o = { .replace_owner = d->sets_replaced ? node : NULL };
	json_t *cached = s->wl_cache ? json_object_get(s->wl_cache, node) : NULL, *rows, *w;
	size_t i;
	int rc = 0;

	if (!d->sets_replaced && cached &&
	    !strcmp(json_string_value(json_array_get(cached, 0)) ?: "", digest)) {
		*version = (uint64_t)json_integer_value(json_array_get(cached, 1));
		return 0;
	}
	*version = now_ns;
	rows = json_array();
	if (!rows)
		return -ENOMEM;
	json_array_foreach(list, i, w)
	{
		if (json_is_object(w) && json_array_append_new(rows, workload_row(w, node, now_ns)))
			rc = -ENOMEM;
	}
	if (!rc)
		rc = s->ops->put_rows(s, T_WORKLOADS, rows, &o);
	json_decref(rows);
	if (rc || d->sets_replaced)
		return rc;
	if (!s->wl_cache || json_object_size(s->wl_cache) > WL_CACHE_MAX) {
		json_decref(s->wl_cache);
		s->wl_cache = json_object();
	}
	if (s->wl_cache)
		json_object_set_new(s->wl_cache, node,
				    json_pack("[s, I]", digest, (json_int_t)now_ns));
	return 0;
}

int vigil_store__put_heartbeat(struct vigil_store *s, const char *node, const json_t *hb,
			       uint64_t now_ns)
{
	const json_t *list = json_object_get(hb, "workloads"),
		     *sinks = json_object_get(hb, "sinks");
	char digest[33], *text;
	uint64_t version = 0, failures = 0;
	json_t *item, *rows, *sk;
	size_t i;
	int rc;

	if (!s || !node || !json_is_object(hb))
		return -EINVAL;
	if (s->opts.read_only)
		return -EROFS;
	text = json_is_array(list) ? json_dumps(list, JSON_COMPACT | JSON_SORT_KEYS) : strdup("[]");
	if (!text)
		return -ENOMEM;
	store_hash32(text, strlen(text), digest);
	free(text);
	rc = put_workloads(s, node, list, digest, now_ns, &version);
	if (rc)
		return rc;
	json_array_foreach(sinks, i, sk)
	{
		if (json_integer_value(json_object_get(sk, "failed")) > 0)
			failures += (uint64_t)json_integer_value(json_object_get(sk, "failed"));
	}
	text = json_dumps(hb, JSON_COMPACT);
	item = text ? json_pack("{s:I, s:I, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:I, s:I, s:O?, "
				"s:I, s:s, s:I, s:s}",
				"last_seen_ns", (json_int_t)now_ns, "time_ns",
				(json_int_t)store_parse_time(
					json_string_value(json_object_get(hb, "time"))),
				"seq", json_object_get(hb, "seq"), "interval_s",
				json_object_get(hb, "interval_s"), "agent_version",
				json_object_get(hb, "version"), "kernel",
				json_object_get(hb, "kernel"), "uptime_s",
				json_object_get(hb, "uptime_s"), "boot_id",
				json_object_get(hb, "boot_id"), "drops",
				(json_int_t)sum_values(
					json_object_get(json_object_get(hb, "sensor"), "drops")),
				"sink_failures", (json_int_t)failures, "spool_dropped",
				json_object_get(json_object_get(hb, "spool"), "dropped"),
				"workloads", (json_int_t)json_array_size(list), "workloads_digest",
				digest, "workloads_version", (json_int_t)version, "heartbeat", text)
		    : NULL;
	free(text);
	rows = json_array();
	if (!item || !rows ||
	    json_array_append_new(
		    rows, store_row_from_item(&store_tables[T_NODES], item, node, now_ns))) {
		json_decref(item);
		json_decref(rows);
		return -ENOMEM;
	}
	json_decref(item);
	rc = s->ops->put_rows(s, T_NODES, rows, NULL);
	json_decref(rows);
	return rc;
}

int vigil_store__put_profile(struct vigil_store *s, const char *node, const json_t *p,
			     uint64_t now_ns, bool *dup)
{
	const json_t *wl = json_object_get(p, "workload");
	bool d = false;
	struct put_opts o = { .dup = &d };
	json_t *item, *rows;
	int rc;

	if (!s || !node || !json_is_object(p))
		return -EINVAL;
	if (s->opts.read_only)
		return -EROFS;
	item = json_pack("{s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:I, s:O?}", "workload_name",
			 json_object_get(wl, "name"), "namespace", json_object_get(wl, "namespace"),
			 "kind", json_object_get(p, "kind"), "name", json_object_get(p, "name"),
			 "digest", json_object_get(p, "digest"), "signer",
			 json_object_get(p, "signer"), "completion",
			 json_object_get(p, "completion"), "received_ns", (json_int_t)now_ns,
			 "yaml", json_object_get(p, "yaml"));
	rows = json_array();
	if (!item || !rows ||
	    json_array_append_new(
		    rows, store_row_from_item(&store_tables[T_PROFILES], item, node, now_ns))) {
		json_decref(item);
		json_decref(rows);
		return -ENOMEM;
	}
	json_decref(item);
	rc = s->ops->put_rows(s, T_PROFILES, rows, &o);
	json_decref(rows);
	if (dup)
		*dup = d;
	return rc;
}

int vigil_store__put_credential(struct vigil_store *s, const struct vigil_credential *c)
{
	json_t *item, *rows;
	int rc;

	if (!s || !c || strlen(c->token_hash) != 64)
		return -EINVAL;
	if (s->opts.read_only)
		return -EROFS;
	item = json_pack("{s:s, s:s, s:I, s:I, s:i, s:I}", "kind", c->kind, "node", c->node,
			 "created_ns", (json_int_t)c->created_ns, "expires_ns",
			 (json_int_t)c->expires_ns, "uses", (int)c->uses, "revoked_ns",
			 (json_int_t)c->revoked_ns);
	rows = json_array();
	if (!item || !rows ||
	    json_array_append_new(rows, store_row_from_item(&store_tables[T_CREDENTIALS], item,
							    c->token_hash, c->version))) {
		json_decref(item);
		json_decref(rows);
		return -ENOMEM;
	}
	json_decref(item);
	rc = s->ops->put_rows(s, T_CREDENTIALS, rows, NULL);
	json_decref(rows);
	return rc;
}

int vigil_store__credentials(struct vigil_store *s, uint64_t since_ns, json_t **ret,
			     struct vigil_error *err)
{
	struct store_arg arg = ARG_I(since_ns);
	json_t *rows = NULL, *counts = NULL, *row, *out;
	char sql[160];
	size_t i, j;
	int rc;

	if (!s || !ret)
		return -EINVAL;
	snprintf(sql, sizeof(sql), "SELECT * FROM credentials%s WHERE version >= ?",
		 s->ops->dialect->final);
	rc = s->ops->query(s, sql, &arg, 1, &rows, err);
	if (!rc)
		rc = s->ops->query(s,
				   "SELECT join_hash, count(*) AS n FROM enrolments GROUP BY "
				   "join_hash",
				   NULL, 0, &counts, err);
	if (rc) {
		json_decref(rows);
		return rc;
	}
	out = json_array();
	json_array_foreach(rows, i, row)
	{
		json_t *c = store_row_normalize(&store_tables[T_CREDENTIALS], row), *cnt;
		const char *h = json_string_value(json_object_get(c, "token_hash"));
		json_int_t n = 0;

		json_array_foreach(counts, j, cnt)
		{
			if (!strcmp(json_string_value(json_object_get(cnt, "join_hash")) ?: "",
				    h ?: ""))
				n = json_integer_value(json_object_get(cnt, "n"));
		}
		json_object_set_new(c, "enrolments", json_integer(n));
		json_array_append_new(out, c);
	}
	json_decref(rows);
	json_decref(counts);
	*ret = out;
	return out ? 0 : -ENOMEM;
}

int vigil_store__put_enrolment(struct vigil_store *s, const char *join_hash, const char *node,
			       const char *token_hash, uint64_t now_ns)
{
	json_t *item = json_pack("{s:s, s:I, s:s}", "node", node, "time_ns", (json_int_t)now_ns,
				 "token_hash", token_hash);
	json_t *rows = json_array();
	int rc;

	if (!item || !rows ||
	    json_array_append_new(rows, store_row_from_item(&store_tables[T_ENROLMENTS], item,
							    join_hash, now_ns))) {
		json_decref(item);
		json_decref(rows);
		return -ENOMEM;
	}
	json_decref(item);
	rc = s->ops->put_rows(s, T_ENROLMENTS, rows, NULL);
	json_decref(rows);
	return rc;
}

int vigil_store__enrolments(struct vigil_store *s, const char *join_hash, uint64_t *ret,
			    struct vigil_error *err)
{
	struct store_arg arg = ARG_S(join_hash);
	json_t *rows = NULL;
	int rc = s->ops->query(s, "SELECT count(*) AS n FROM enrolments WHERE join_hash = ?", &arg,
			       1, &rows, err);

	if (!rc)
		*ret = (uint64_t)json_integer_value(json_object_get(json_array_get(rows, 0), "n"));
	json_decref(rows);
	return rc;
}
