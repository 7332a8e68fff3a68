// SPDX-License-Identifier: Apache-2.0
/*
 * Queries of the analyst: incidents (list and one report), alerts, alert counts over time
 * and the search across everything. Arguments are checked here; the store bounds the rest.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cockpit/cockpit_internal.h"
#include "util/strutil.h"
#include "vigil/event.h"
#include "vigil/store.h"
#include "vigil/store_fleet.h"

#define SEARCH_LIMIT 20

static void incidents(struct cockpit_ctx *ctx, struct cockpit_req *req, struct cockpit_reply *r)
{
	struct vigil_error err = { 0 };
	struct vigil_query f;
	json_t *list = NULL;
	uint64_t total = 0;

	if (!cockpit_query_args(req, &f, 100, r))
		return;
	f.total = &total;
	if (vigil_store__incidents(ctx->store, &f, &list, &err))
		return cockpit_store_error(r, &err, "incidents");
	r->status = 200;
	r->body = json_pack("{s:o, s:I}", "incidents", list, "total", (json_int_t)total);
}

static void incident(struct cockpit_ctx *ctx, const char *id, struct cockpit_reply *r)
{
	struct vigil_error err = { 0 };
	json_t *report = NULL;
	size_t n = strlen(id);
	int rc;

	if (n > 32 || !vigil_is_hex(id, n))
		return cockpit_reply_error(r, 400,
					   "an incident id is 1 to 32 lower-case hex digits");
	rc = vigil_store__get(ctx->store, id, &report, &err);
	if (rc == -ENOENT)
		return cockpit_reply_error(r, 404, "no incident %s", id);
	if (rc == -EINVAL) /* a prefix of several ids: the client must say more */
		return cockpit_reply_error(r, 400, "%s", err.message);
	if (rc)
		return cockpit_store_error(r, &err, "the incident");
	r->status = 200;
	r->body = report;
}

static void alerts(struct cockpit_ctx *ctx, struct cockpit_req *req, struct cockpit_reply *r)
{
	struct vigil_error err = { 0 };
	struct vigil_query f;
	json_t *list = NULL;
	uint64_t total = 0;

	if (!cockpit_query_args(req, &f, 100, r))
		return;
	/* "incident=" (empty) filters as it always did: no incident has that id */
	if (f.incident && f.incident[0] &&
	    (strlen(f.incident) > 32 || !vigil_is_hex(f.incident, strlen(f.incident))))
		return cockpit_reply_error(r, 400, "incident is 1 to 32 lower-case hex digits");
	f.total = &total;
	if (vigil_store__alerts(ctx->store, &f, &list, &err))
		return cockpit_store_error(r, &err, "alerts");
	r->status = 200;
	r->body = json_pack("{s:o, s:I}", "alerts", list, "total", (json_int_t)total);
}

static void alert_stats(struct cockpit_ctx *ctx, struct cockpit_req *req, struct cockpit_reply *r)
{
	struct vigil_error err = { 0 };
	struct vigil_query f;
	const char *bucket = cockpit_arg(req, "bucket");
	uint64_t bucket_ns = 3600000000000ull;
	json_t *series = NULL, *e;
	size_t i;
	char stamp[48];
	int rc;

	if (!cockpit_query_args(req, &f, 0, r))
		return;
	if (bucket && (vigil_parse_duration(bucket, &bucket_ns) || bucket_ns < 1000000000ull))
		return cockpit_reply_error(r, 400, "bucket must be a duration of at least 1s");
	bucket_ns -= bucket_ns % 1000000000ull;
	if (!f.since_ns)
		f.since_ns = req->now_ns - 86400000000000ull;
	if (!f.until_ns)
		f.until_ns = req->now_ns;
	if (f.until_ns <= f.since_ns)
		return cockpit_reply_error(r, 400, "since must be before until");
	/* buckets aligned to the bucket size, so two calls a moment apart agree */
	f.since_ns -= f.since_ns % bucket_ns;
	rc = vigil_store__alert_counts(ctx->store, &f, bucket_ns, &series, &err);
	if (rc == -E2BIG)
		return cockpit_reply_error(r, 400, "%s: use a larger bucket", err.message);
	if (rc)
		return cockpit_store_error(r, &err, "alert counts");
	json_array_foreach(series, i, e)
	{
		json_object_set_new(
			e, "t",
			json_string(vigil_format_time_ns(
				(uint64_t)json_integer_value(json_object_get(e, "t_ns")), stamp,
				sizeof(stamp))));
	}
	r->status = 200;
	r->body = json_pack("{s:I, s:I, s:o}", "bucket_s", (json_int_t)(bucket_ns / 1000000000ull),
			    "since_ns", (json_int_t)f.since_ns, "series", series);
}

static void search(struct cockpit_ctx *ctx, struct cockpit_req *req, struct cockpit_reply *r)
{
	struct vigil_error err = { 0 };
	struct vigil_query f;
	json_t *nodes = NULL, *wl = NULL, *inc = NULL, *al = NULL, *all = NULL, *n;
	size_t i;

	if (!cockpit_query_args(req, &f, SEARCH_LIMIT, r))
		return;
	if (!f.q)
		return cockpit_reply_error(r, 400, "q (the text to search for) is needed");
	f.limit = SEARCH_LIMIT;
	if (vigil_store__workloads(ctx->store, &f, &wl, &err) ||
	    vigil_store__incidents(ctx->store, &f, &inc, &err) ||
	    vigil_store__alerts(ctx->store, &f, &al, &err)) {
		json_decref(wl);
		json_decref(inc);
		return cockpit_store_error(r, &err, "search results");
	}
	/* nodes are few: filter their list by name, version or kernel */
	{
		const char *q = f.q;

		f = (struct vigil_query){ .now_ns = req->now_ns };
		if (vigil_store__nodes(ctx->store, &f, &all, &err)) {
			json_decref(wl);
			json_decref(inc);
			json_decref(al);
			return cockpit_store_error(r, &err, "nodes");
		}
		nodes = json_array();
		json_array_foreach(all, i, n)
		{
			static const char *const keys[] = { "name", "version", "kernel" };

			for (size_t k = 0; k < 3 && json_array_size(nodes) < SEARCH_LIMIT; k++)
				if (strcasestr(json_string_value(json_object_get(n, keys[k])) ?: "",
					       q)) {
					json_array_append(nodes, n);
					break;
				}
		}
		json_decref(all);
	}
	r->status = 200;
	r->body = json_pack("{s:o, s:o, s:o, s:o}", "nodes", nodes, "workloads", wl, "incidents",
			    inc, "alerts", al);
}

void cockpit_read(struct cockpit_ctx *ctx, struct cockpit_req *req, struct cockpit_reply *r)
{
	const char *p = req->path;

	if (!strcmp(p, "/api/v1/incidents"))
		return incidents(ctx, req, r);
	if (vigil_str_has_prefix(p, "/api/v1/incidents/"))
		return incident(ctx, p + strlen("/api/v1/incidents/"), r);
	if (!strcmp(p, "/api/v1/alerts"))
		return alerts(ctx, req, r);
	if (!strcmp(p, "/api/v1/stats/alerts"))
		return alert_stats(ctx, req, r);
	if (!strcmp(p, "/api/v1/search"))
		return search(ctx, req, r);
	return cockpit_read_fleet(ctx, req, r);
}
