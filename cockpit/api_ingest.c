// SPDX-License-Identifier: Apache-2.0
/*
 * What nodes write: alerts, incident reports, heartbeats and profiles (one object or an
 * array), and enrolment with a join token. The node is the credential's: an item naming
 * another node refuses the whole request (403, nothing stored). The handlers queue rows and
 * leave the commit to the writer's group (work.c): their answers stand only if it succeeds.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cockpit/cockpit_internal.h"
#include "util/strutil.h"
#include "vigil/detect.h"
#include "vigil/profile.h"
#include "vigil/store.h"
#include "vigil/store_fleet.h"

#define MAX_ITEMS	 COCKPIT_MAX_ITEMS
#define MAX_WORKLOADS	 10000
#define MAX_PROFILE_YAML (4u << 20)
#define JOIN_CHECK_SLACK 0

/* The request's items: an array, or one object as an array of one. NULL: answered. */
static json_t *items_of(struct cockpit_req *req, struct cockpit_reply *r)
{
	json_error_t jerr;
	/* alerts' texts are kept for their records (cockpit_ingest_prepare) */
	json_t *doc = cockpit_batch_parse(req->body.data, req->body.len, MAX_ITEMS,
					  req->ep == EP_ALERTS ? &req->texts : NULL, &jerr),
	       *items;

	if (!doc) {
		cockpit_reply_error(r, 400, "invalid JSON at line %d column %d: %s", jerr.line,
				    jerr.column, jerr.text);
		return NULL;
	}
	if (json_is_array(doc)) {
		items = doc;
	} else {
		items = json_array();
		if (!items || json_array_append_new(items, doc)) {
			json_decref(items);
			cockpit_reply_error(r, 500, "out of memory");
			return NULL;
		}
	}
	if (json_array_size(items) > MAX_ITEMS) {
		cockpit_reply_error(r, 413, "%zu items in one request (at most %d)",
				    json_array_size(items), MAX_ITEMS);
		json_decref(items);
		return NULL;
	}
	return items;
}

/* 403 when any item says it comes from another node than the credential's. */
static bool other_node(struct cockpit_req *req, json_t *items, struct cockpit_reply *r)
{
	size_t i;
	json_t *it;

	json_array_foreach(items, i, it)
	{
		const json_t *n = json_object_get(it, "node");

		if (n && (!json_is_string(n) || strcmp(json_string_value(n), req->node))) {
			cockpit_reply_error(r, 403,
					    "item %zu names node \"%s\" but the token is node "
					    "\"%s\"'s: nothing stored",
					    i, json_is_string(n) ? json_string_value(n) : "?",
					    req->node);
			return true;
		}
	}
	return false;
}

static void answer(struct cockpit_req *req, struct cockpit_reply *r, size_t n, json_t *rejected)
{
	req->counts[RES_REJECTED] = json_array_size(rejected);
	r->status = req->counts[RES_ACCEPTED] || req->counts[RES_DUPLICATE] || !n ? 200 : 400;
	r->body = json_pack("{s:I, s:I, s:o}", "accepted", (json_int_t)req->counts[RES_ACCEPTED],
			    "duplicates", (json_int_t)req->counts[RES_DUPLICATE], "rejected",
			    rejected);
}

static void tally(struct cockpit_req *req, json_t *rejected, size_t i,
		  const struct vigil_item_result *res)
{
	if (res->status == 0)
		req->counts[RES_ACCEPTED]++;
	else if (res->status == 1)
		req->counts[RES_DUPLICATE]++;
	else {
		/* the reason quotes the item (a profile's load error, cut at a byte count, can
		 * end inside a UTF-8 character): json_pack refuses invalid UTF-8, and the item
		 * would then be neither counted nor reported */
		char why[sizeof(res->why)];

		snprintf(why, sizeof(why), "%s", res->why);
		vigil_utf8_scrub(why);
		json_array_append_new(
			rejected, json_pack("{s:I, s:s}", "index", (json_int_t)i, "error", why));
	}
}

static void store_failed(struct cockpit_req *req, struct cockpit_reply *r, int rc)
{
	/* the writer drops the whole group and answers 503 to all of it */
	req->wrote = true;
	cockpit_reply_error(r, 503, "store unavailable, nothing stored: %s", strerror(-rc));
}

/* 403 for the whole request (nothing was stored): an item names another node's incident. */
static void foreign_incident(struct cockpit_ctx *ctx, struct cockpit_req *req,
			     struct cockpit_reply *r, size_t i, const char *why)
{
	atomic_fetch_add(&ctx->c->m.rejected[REJ_FORBIDDEN], 1);
	req->counts[RES_REJECTED] = req->nitems;
	cockpit_reply_error(r, 403, "item %zu: %s; nothing stored", i, why);
}

static void ingest_alerts(struct cockpit_ctx *ctx, struct cockpit_req *req, struct cockpit_reply *r)
{
	size_t n = req->nitems;
	json_t *rejected;
	int rc = vigil_store__put_prepared(ctx->store, req->prepared, req->res);

	if (rc)
		return store_failed(req, r, rc);
	for (size_t i = 0; i < n; i++)
		if (req->res[i].status == -EACCES)
			return foreign_incident(ctx, req, r, i, req->res[i].why);
	rejected = json_array();
	for (size_t i = 0; i < n; i++)
		tally(req, rejected, i, &req->res[i]);
	req->wrote = req->counts[RES_ACCEPTED] > 0;
	answer(req, r, n, rejected);
}

static void ingest_reports(struct cockpit_ctx *ctx, struct cockpit_req *req,
			   struct cockpit_reply *r)
{
	json_t *items = req->items;
	struct vigil_ingest in = { .node = req->node, .now_ns = req->now_ns };
	json_t *rejected, *it, *ids = json_object(), *owners = NULL;
	size_t i;
	int rc;

	/* every report's incident must be this node's (or new) before any is stored */
	json_array_foreach(items, i, it)
	{
		const char *id = json_string_value(json_object_get(it, "incident_id"));

		if (id && ids)
			json_object_set_new(ids, id, json_true());
	}
	rc = ids ? vigil_store__incident_nodes(ctx->store, ids, &owners) : -ENOMEM;
	json_decref(ids);
	if (rc)
		return store_failed(req, r, rc);
	json_array_foreach(items, i, it)
	{
		const char *id = json_string_value(json_object_get(it, "incident_id")),
			   *owner = id ? vigil_store__foreign_owner(owners, id, req->node) : NULL;
		char why[160];

		if (owner) {
			snprintf(why, sizeof(why), "incident %s is node %.64s's", id, owner);
			json_decref(owners);
			return foreign_incident(ctx, req, r, i, why);
		}
	}
	json_decref(owners);
	rejected = json_array();
	json_array_foreach(items, i, it)
	{
		struct vigil_item_result res;

		rc = vigil_store__ingest_report(ctx->store, &in, it, &res);

		if (rc) {
			json_decref(rejected);
			return store_failed(req, r, rc);
		}
		tally(req, rejected, i, &res);
	}
	req->wrote = req->counts[RES_ACCEPTED] > 0;
	answer(req, r, json_array_size(items), rejected);
}

static void ingest_heartbeat(struct cockpit_ctx *ctx, struct cockpit_req *req,
			     struct cockpit_reply *r)
{
	json_t *hb = json_array_get(req->items, 0);
	int rc;

	rc = vigil_store__put_heartbeat(ctx->store, req->node, hb, req->now_ns);
	if (rc)
		return store_failed(req, r, rc);
	req->wrote = true;
	req->counts[RES_ACCEPTED] = 1;
	answer(req, r, 1, json_array());
}

/* Why a profile item is refused, or NULL when it is fine (its digest checked). */
static const char *profile_invalid(const json_t *p, char *why, size_t size)
{
	static const char *const kinds[] = { "learned", "in_force" };
	const json_t *wl = json_object_get(p, "workload");
	const char *kind = json_string_value(json_object_get(p, "kind"));
	const char *digest = json_string_value(json_object_get(p, "digest"));
	const json_t *yaml = json_object_get(p, "yaml");
	struct vigil_profile_limits lim = { .max_file_bytes = MAX_PROFILE_YAML };
	struct vigil_profile *prof = NULL;
	struct vigil_error err = { 0 };
	char computed[80];
	bool kind_ok = false;

	for (size_t i = 0; kind && i < 2; i++)
		kind_ok |= !strcmp(kind, kinds[i]);
	if (!json_is_object(p) || !json_is_string(json_object_get(wl, "name")))
		return "not a profile (an object with workload.name)";
	if (!kind_ok)
		return "kind must be \"learned\" or \"in_force\"";
	if (!digest || strlen(digest) != 71 || !vigil_str_has_prefix(digest, "sha256:") ||
	    !vigil_is_hex(digest + 7, 64))
		return "digest must be sha256: and 64 lower-case hex digits";
	if (!json_is_string(yaml) || json_string_length(yaml) > MAX_PROFILE_YAML)
		return "yaml must be a string of at most 4 MiB";
	if (vigil_profile__load_buffer(json_string_value(yaml), json_string_length(yaml), "profile",
				       &lim, &prof, &err)) {
		snprintf(why, size, "yaml does not load: %.120s", err.message);
		return why;
	}
	if (vigil_profile_digest(prof, computed, sizeof(computed)) || strcmp(computed, digest)) {
		snprintf(why, size, "digest does not match the yaml (its digest is %.71s)",
			 computed);
		vigil_profile__free(prof);
		return why;
	}
	vigil_profile__free(prof);
	return NULL;
}

static void ingest_profiles(struct cockpit_ctx *ctx, struct cockpit_req *req,
			    struct cockpit_reply *r)
{
	json_t *rejected = json_array(), *it;
	size_t i;

	json_array_foreach(req->items, i, it)
	{
		bool dup = false;
		int rc;

		if (req->res[i].status < 0) { /* refused when it was prepared */
			tally(req, rejected, i, &req->res[i]);
			continue;
		}
		rc = vigil_store__put_profile(ctx->store, req->node, it, req->now_ns, &dup);
		if (rc) {
			json_decref(rejected);
			return store_failed(req, r, rc);
		}
		req->counts[dup ? RES_DUPLICATE : RES_ACCEPTED]++;
	}
	req->wrote = req->counts[RES_ACCEPTED] > 0;
	answer(req, r, json_array_size(req->items), rejected);
}

/* Over the node's rate of items: 429 with the seconds to wait, nothing taken. */
static bool over_rate(struct cockpit_ctx *ctx, struct cockpit_req *req, struct cockpit_reply *r,
		      size_t n)
{
	unsigned wait = cockpit_rates_take_items(&ctx->c->rates, req->node, n, vigil_realtime_ns());

	if (!wait)
		return false;
	atomic_fetch_add(&ctx->c->m.rejected[REJ_RATE], 1);
	cockpit_reply_error(r, 429,
			    "this node writes more items per second than its rate "
			    "(%zu in this request): nothing stored, retry after %u s",
			    n, wait);
	r->retry_after = wait;
	return true;
}

/*
 * Alerts prepared from the body's text (vigil_store__prepare_alerts_text: a plain array of
 * alerts, all of this node's and all to be stored): no parsed items at all, so nothing for
 * the loop thread to free either. The checks the parsed way makes before preparing (invalid
 * JSON, another node) cannot fail here: that text declines and is parsed.
 */
static bool prepared_from_text(struct cockpit_ctx *ctx, struct cockpit_req *req,
			       struct cockpit_reply *r, size_t n)
{
	if (over_rate(ctx, req, r, n)) {
		vigil_store_prepared__free(req->prepared);
		req->prepared = NULL;
		return false;
	}
	req->nitems = n;
	req->ready = true;
	req->res = calloc(n + 1, sizeof(*req->res));
	if (!req->res) {
		cockpit_reply_error(r, 503, "out of memory: retry later");
		return false;
	}
	/* the rows hold copies of what they need */
	vigil_buf__release(&req->body);
	return true;
}

/*
 * What a write needs before the store: its JSON, the node check, and per endpoint the work
 * that needs no store (alerts' rows, profiles' YAML and digest). Runs on a reader thread, so
 * the writer does little more than write. false: r holds the final answer.
 */
bool cockpit_ingest_prepare(struct cockpit_ctx *ctx, struct cockpit_req *req,
			    struct cockpit_reply *r)
{
	struct vigil_ingest in = { .node = req->node,
				   .now_ns = req->now_ns,
				   .need_alert_id = true };
	json_t *items, *it;
	size_t n, i;

	if (req->ep == EP_ALERTS) {
		int rc = vigil_store__prepare_alerts_text(&in, req->body.data, req->body.len,
							  MAX_ITEMS, &req->prepared, &n);

		if (rc < 0) {
			cockpit_reply_error(r, 503, "out of memory: retry later");
			return false;
		}
		if (!rc)
			return prepared_from_text(ctx, req, r, n);
	}
	items = items_of(req, r);
	if (!items) {
		req->counts[RES_REJECTED] = 1;
		return false;
	}
	if (other_node(req, items, r)) {
		atomic_fetch_add(&ctx->c->m.rejected[REJ_FORBIDDEN], 1);
		json_decref(items);
		return false;
	}
	n = json_array_size(items);
	/* the node's items per second, now that they are counted (rate.c) */
	if (over_rate(ctx, req, r, n)) {
		json_decref(items);
		return false;
	}
	req->items = items;
	req->nitems = n;
	req->ready = true;
	req->res = calloc(n + 1, sizeof(*req->res));
	if (!req->res) {
		cockpit_reply_error(r, 503, "out of memory: retry later");
		return false;
	}
	switch (req->ep) {
	case EP_ALERTS:
		json_array_foreach(items, i, it)
		{
			/* a cut alert's record is dumped from it, not its text as sent */
			if (cockpit_alert_cut(it, req->texts ? req->texts[i].len : 0) && req->texts)
				req->texts[i].len = 0;
		}
		in.texts = req->texts;
		if (vigil_store__prepare_alerts(&in, items, req->res, &req->prepared)) {
			cockpit_reply_error(r, 503, "out of memory: retry later");
			return false;
		}
		/*
		 * The rows hold copies of the records: the body's text and the spans into it go
		 * now. The parsed items stay until the answer is sent (freed on the loop
		 * thread): freeing them here, on the thread that parsed them, was measured
		 * dearer (prepare + readers 22.6 against 14.0 us of CPU per alert, 200 000
		 * alerts side by side), malloc then consolidating them in the parser's arena.
		 */
		free(req->texts);
		req->texts = NULL;
		vigil_buf__release(&req->body);
		break;
	case EP_HEARTBEAT: {
		json_t *hb = json_array_get(items, 0), *wl = json_object_get(hb, "workloads");

		if (n != 1 || !json_is_object(hb)) {
			cockpit_reply_error(r, 400, "a heartbeat is one object");
			return false;
		}
		if (wl && (!json_is_array(wl) || json_array_size(wl) > MAX_WORKLOADS)) {
			cockpit_reply_error(r, 400, "workloads must be an array of at most %d",
					    MAX_WORKLOADS);
			return false;
		}
		break;
	}
	case EP_REPORTS:
		json_array_foreach(items, i, it)
		{
			json_t *alerts = json_object_get(it, "alerts"), *a;
			size_t k;

			json_array_foreach(alerts, k, a) cockpit_alert_cut(a, 0);
		}
		break;
	case EP_PROFILES:
		json_array_foreach(items, i, it)
		{
			const char *why =
				profile_invalid(it, req->res[i].why, sizeof(req->res[i].why));

			if (why) {
				if (why != req->res[i].why)
					snprintf(req->res[i].why, sizeof(req->res[i].why), "%s",
						 why);
				req->res[i].status = -EINVAL;
			}
		}
		break;
	default:
		break;
	}
	return true;
}

void cockpit_ingest(struct cockpit_ctx *ctx, struct cockpit_req *req, struct cockpit_reply *r)
{
	/* a request not prepared on a reader (the fuzz harness calls this directly) */
	if (!req->ready && !cockpit_ingest_prepare(ctx, req, r))
		return;
	switch (req->ep) {
	case EP_ALERTS:
		ingest_alerts(ctx, req, r);
		break;
	case EP_REPORTS:
		ingest_reports(ctx, req, r);
		break;
	case EP_HEARTBEAT:
		ingest_heartbeat(ctx, req, r);
		break;
	case EP_PROFILES:
		ingest_profiles(ctx, req, r);
		break;
	default:
		cockpit_reply_error(r, 404, "no such endpoint");
	}
}

/*
 * POST /api/v1/enroll with a join token: a new node token for a node that has none. The
 * join token's uses are counted from the store here (the writer is the only one writing on
 * this cockpit, so the count is exact here).
 */
void cockpit_enroll(struct cockpit_ctx *ctx, struct cockpit_req *req, struct cockpit_reply *r)
{
	json_t *doc = json_loadb(req->body.data ? req->body.data : "", req->body.len,
				 JSON_REJECT_DUPLICATES, NULL),
	       *creds = NULL, *c;
	const char *node = json_string_value(json_object_get(doc, "node"));
	struct vigil_credential cred = { .kind = "node" };
	char token[VIGIL_TOKEN_LEN + 1];
	const json_t *join = NULL;
	uint64_t used = 0;
	size_t i;
	int rc;

	req->counts[RES_REJECTED] = 1;
	if (!node || !vigil_node_name__valid(node)) {
		cockpit_reply_error(r, 400,
				    "want {\"node\":\"NAME\"} with a name of 1 to 253 of "
				    "A-Z a-z 0-9 . _ - (not starting with . or -)");
		goto out;
	}
	rc = vigil_store__credentials(ctx->store, 0, &creds, NULL);
	if (!rc)
		rc = vigil_store__enrolments(ctx->store, req->node, &used, NULL);
	if (rc) {
		cockpit_reply_error(r, 503, "store unavailable: retry later");
		goto out;
	}
	json_array_foreach(creds, i, c)
	{
		const char *h = json_string_value(json_object_get(c, "token_hash")) ?: "";
		bool node_tok =
			!strcmp(json_string_value(json_object_get(c, "kind")) ?: "", "node");

		if (!strcmp(h, req->node))
			join = c;
		if (node_tok && !json_integer_value(json_object_get(c, "revoked_ns")) &&
		    !strcmp(json_string_value(json_object_get(c, "node")) ?: "", node)) {
			cockpit_reply_error(r, 409,
					    "node %s is enrolled already: revoke its token first "
					    "(vigil cockpit token revoke %s)",
					    node, node);
			goto out;
		}
	}
	if (!join || json_integer_value(json_object_get(join, "revoked_ns")) ||
	    (json_integer_value(json_object_get(join, "expires_ns")) &&
	     (uint64_t)json_integer_value(json_object_get(join, "expires_ns")) < req->now_ns) ||
	    used >= (uint64_t)json_integer_value(json_object_get(join, "uses"))) {
		cockpit_reply_error(r, 401, "the join token is expired, revoked or used up");
		goto out;
	}
	if (vigil_token__new(VIGIL_NODE_TOKEN_PREFIX, token, sizeof(token))) {
		cockpit_reply_error(r, 500, "no randomness for a token");
		goto out;
	}
	vigil_token__hash(token, cred.token_hash);
	vigil_strlcpy(cred.node, node, sizeof(cred.node));
	cred.version = cred.created_ns = req->now_ns;
	rc = vigil_store__put_credential(ctx->store, &cred);
	if (!rc)
		rc = vigil_store__put_enrolment(ctx->store, req->node, node, cred.token_hash,
						req->now_ns);
	if (rc) {
		store_failed(req, r, rc);
		goto out;
	}
	req->wrote = true;
	req->counts[RES_REJECTED] = 0;
	req->counts[RES_ACCEPTED] = 1;
	/* once durable, this cockpit knows the token at once (others within a second), and the
	 * join token's use is counted */
	req->new_cred = json_pack(
		"[{s:s, s:I, s:s, s:s, s:I, s:I, s:i, s:I}, {s:s, s:I, s:s, s:s, "
		"s:I, s:I, s:I, s:I, s:I}]",
		"token_hash", cred.token_hash, "version", (json_int_t)cred.version, "kind", "node",
		"node", node, "created_ns", (json_int_t)cred.created_ns, "expires_ns",
		(json_int_t)0, "uses", 0, "revoked_ns", (json_int_t)0, "token_hash", req->node,
		"version", json_integer_value(json_object_get(join, "version")), "kind", "join",
		"node", "", "created_ns", json_integer_value(json_object_get(join, "created_ns")),
		"expires_ns", json_integer_value(json_object_get(join, "expires_ns")), "uses",
		json_integer_value(json_object_get(join, "uses")), "revoked_ns", (json_int_t)0,
		"enrolments", (json_int_t)(used + 1));
	r->status = 200;
	r->body = json_pack("{s:s, s:s}", "node", node, "token", token);
out:
	json_decref(creds);
	json_decref(doc);
}
