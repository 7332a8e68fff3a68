// SPDX-License-Identifier: Apache-2.0
/*
 * The cockpit's API (docs/COCKPIT.md): routing, shared helpers and health. Writes are in
 * api_ingest.c, incident and alert queries in api_read.c, the fleet's in api_fleet.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cockpit/cockpit_internal.h"
#include "util/strutil.h"
#include "vigil/store.h"
#include "vigil/store_fleet.h"

#define MAX_QUERY_TEXT 256

void cockpit_reply_error(struct cockpit_reply *r, unsigned status, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* messages quote the request (a path, an id): invalid UTF-8 would make json_pack fail and
	 * turn a 404 into a 500 */
	vigil_utf8_scrub(msg);
	r->status = status;
	r->body = json_pack("{s:s}", "error", msg);
}

const char *cockpit_arg(const struct cockpit_req *req, const char *name)
{
	const char *v = json_string_value(json_object_get(req->args, name));

	return v && v[0] ? v : NULL;
}

int cockpit_parse_when(const char *s, uint64_t now_ns, uint64_t *ret)
{
	uint64_t v;
	struct tm tm = { 0 };

	if (!s || !s[0])
		return -EINVAL;
	if (!vigil_parse_u64(s, &v) && v > 1000000000000000000ull) { /* nanoseconds */
		*ret = v;
		return 0;
	}
	if (strlen(s) >= 19 && strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) {
		const char *p = s + 19;
		uint64_t ns = 0, scale = 100000000ull;
		time_t secs;

		if (*p == '.')
			for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
				ns += (uint64_t)(*p - '0') * scale;
		if (*p != 'Z' && *p != '\0')
			return -EINVAL;
		secs = timegm(&tm);
		if (secs < 0)
			return -EINVAL;
		*ret = (uint64_t)secs * 1000000000ull + ns;
		return 0;
	}
	if (!vigil_parse_duration(s, &v) && v <= now_ns) { /* that long ago */
		*ret = now_ns - v;
		return 0;
	}
	return -EINVAL;
}

/* Fills f from the request's arguments; false (with r answered) when one is malformed. */
bool cockpit_query_args(const struct cockpit_req *req, struct vigil_query *f, size_t def_limit,
			struct cockpit_reply *r)
{
	static const char *const text[] = { "node",	"workload", "namespace", "rule",
					    "incident", "kind",	    "q" };
	const char **dst[] = { &f->node,     &f->workload, &f->namespace_, &f->rule,
			       &f->incident, &f->kind,	   &f->q };
	const char *limit = cockpit_arg(req, "limit"), *since = cockpit_arg(req, "since"),
		   *until = cockpit_arg(req, "until");
	uint64_t v;

	memset(f, 0, sizeof(*f));
	f->now_ns = req->now_ns;
	f->limit = def_limit;
	for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++) {
		*dst[i] = cockpit_arg(req, text[i]);
		if (*dst[i] && strlen(*dst[i]) > MAX_QUERY_TEXT) {
			cockpit_reply_error(r, 400, "%s is longer than %d bytes", text[i],
					    MAX_QUERY_TEXT);
			return false;
		}
	}
	if (limit && (vigil_parse_u64(limit, &v) || v == 0 || v > 10000)) {
		cockpit_reply_error(r, 400, "limit must be a number from 1 to 10000");
		return false;
	}
	if (limit)
		f->limit = (size_t)v;
	if (since && cockpit_parse_when(since, req->now_ns, &f->since_ns)) {
		cockpit_reply_error(r, 400,
				    "since must be an RFC 3339 time, a duration back from now "
				    "(15m, 24h, 7d) or nanoseconds");
		return false;
	}
	if (until && cockpit_parse_when(until, req->now_ns, &f->until_ns)) {
		cockpit_reply_error(r, 400, "until must be like since");
		return false;
	}
	return true;
}

void cockpit_store_error(struct cockpit_reply *r, const struct vigil_error *err, const char *what)
{
	/* the query's own cost, not the store's health: asking again would cost the same */
	if (err->code == -ETIMEDOUT)
		return cockpit_reply_error(r, 503,
					   "cannot read %s: %s: narrow the query (since, node, "
					   "rule, a longer search text)",
					   what, err->message);
	if (err->code == -E2BIG)
		return cockpit_reply_error(r, 400, "cannot read %s: %s: ask for fewer (limit)",
					   what, err->message);
	cockpit_reply_error(r, 503, "cannot read %s: %s", what,
			    err->message[0] ? err->message : "store unavailable");
}

static bool is(const char *path, const char *want)
{
	return !strcmp(path, want);
}

static bool under(const char *path, const char *prefix)
{
	return vigil_str_has_prefix(path, prefix) && path[strlen(prefix)] &&
	       !strchr(path + strlen(prefix), '/');
}

enum route cockpit_route(const char *method, const char *path, enum ingest_ep *ep)
{
	static const struct {
		const char *path;
		enum ingest_ep ep;
	} writes[] = { { "/api/v1/alerts", EP_ALERTS },
		       { "/api/v1/reports", EP_REPORTS },
		       { "/api/v1/heartbeat", EP_HEARTBEAT },
		       { "/api/v1/profiles", EP_PROFILES } };
	static const char *const reads[] = { "/api/v1/nodes",	     "/api/v1/workloads",
					     "/api/v1/profiles",     "/api/v1/profiles/diff",
					     "/api/v1/incidents",    "/api/v1/alerts",
					     "/api/v1/stats/alerts", "/api/v1/search" };
	static const char *const read_prefixes[] = { "/api/v1/nodes/", "/api/v1/profiles/",
						     "/api/v1/incidents/" };
	bool get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
	bool post = !strcmp(method, "POST");
	bool known = false;

	if (is(path, "/api/v1/health"))
		return get ? R_HEALTH : R_METHOD;
	if (is(path, "/metrics"))
		return get ? R_METRICS : R_METHOD;
	if (is(path, "/api/v1/enroll")) {
		*ep = EP_ENROLL;
		return post ? R_ENROLL : R_METHOD;
	}
	for (size_t i = 0; i < sizeof(writes) / sizeof(writes[0]); i++)
		if (is(path, writes[i].path) && post) {
			*ep = writes[i].ep;
			return R_WRITE;
		} else if (is(path, writes[i].path)) {
			known = true;
		}
	for (size_t i = 0; i < sizeof(reads) / sizeof(reads[0]); i++)
		known |= is(path, reads[i]);
	for (size_t i = 0; i < sizeof(read_prefixes) / sizeof(read_prefixes[0]); i++)
		known |= under(path, read_prefixes[i]);
	if (known)
		return get ? R_READ : R_METHOD;
	if (vigil_str_has_prefix(path, "/api/"))
		return R_NOT_FOUND;
	return get ? R_ASSET : R_METHOD;
}

void cockpit_health(struct vigil_cockpit *c, bool full, struct cockpit_reply *r)
{
	const struct cockpit_metrics *m = &c->m;

	r->status = 200;
	if (!full) {
		r->body = json_pack("{s:s}", "status", "ok");
		return;
	}
	r->body = json_pack(
		"{s:s, s:s, s:s, s:b, s:I, s:{s:I, s:I, s:I, s:I}, s:I, s:{s:I, s:I, s:I}, s:{s:I, "
		"s:I}, s:I}",
		"status", "ok", "version", VIGIL_VERSION, "store", c->backend ? c->backend : "",
		"tls", c->tls_cert != NULL, "uptime_s",
		(json_int_t)((vigil_realtime_ns() - c->started_ns) / 1000000000ull), "received",
		"alerts", (json_int_t)atomic_load(&m->ingest[EP_ALERTS][RES_ACCEPTED]), "reports",
		(json_int_t)atomic_load(&m->ingest[EP_REPORTS][RES_ACCEPTED]), "heartbeats",
		(json_int_t)atomic_load(&m->ingest[EP_HEARTBEAT][RES_ACCEPTED]), "profiles",
		(json_int_t)atomic_load(&m->ingest[EP_PROFILES][RES_ACCEPTED]), "rejected",
		(json_int_t)(atomic_load(&m->ingest[EP_ALERTS][RES_REJECTED]) +
			     atomic_load(&m->ingest[EP_REPORTS][RES_REJECTED]) +
			     atomic_load(&m->ingest[EP_PROFILES][RES_REJECTED])),
		"nodes", "online", (json_int_t)atomic_load(&m->nodes[0]), "stale",
		(json_int_t)atomic_load(&m->nodes[1]), "offline",
		(json_int_t)atomic_load(&m->nodes[2]), "queued", "write",
		(json_int_t)atomic_load(&m->queued[0]), "read",
		(json_int_t)atomic_load(&m->queued[1]), "store_rows_written",
		(json_int_t)atomic_load(&m->store_rows_written));
}

void cockpit_req_release(struct cockpit_req *req)
{
	vigil_buf__release(&req->body);
	json_decref(req->args);
	json_decref(req->new_cred);
	json_decref(req->items);
	free(req->res);
	free(req->texts);
	req->texts = NULL;
	vigil_store_prepared__free(req->prepared);
	req->args = req->new_cred = req->items = NULL;
	req->res = NULL;
	req->prepared = NULL;
}

void cockpit_api(struct cockpit_ctx *ctx, struct cockpit_req *req, struct cockpit_reply *r)
{
	switch (req->route) {
	case R_WRITE:
		return cockpit_ingest(ctx, req, r);
	case R_ENROLL:
		return cockpit_enroll(ctx, req, r);
	case R_READ:
		return cockpit_read(ctx, req, r);
	case R_HEALTH:
		return cockpit_health(ctx->c, true, r);
	default:
		return cockpit_reply_error(r, 404, "no API endpoint %s", req->path);
	}
}
