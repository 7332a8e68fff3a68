// SPDX-License-Identifier: Apache-2.0
/*
 * The cockpit's JSON API takes alerts, reports, heartbeats, profiles and enrolments from
 * every node, and queries from analysts. The harness calls cockpit_api() as the writer and
 * reader threads do, with a throwaway SQLite store, as node "fuzz-node". The first byte picks
 * the request: 0 POST alerts, 1 POST reports, 2 POST heartbeat, 3 POST profiles, 4 POST
 * enroll (the rest is the body), 5 GET incidents/REST, 6 a GET of one of the query endpoints
 * with the rest as "name=value&..." arguments, 7 health.
 * Checks: every reply has a status and a JSON object body; an ingest reply counts every item
 * once (accepted + duplicates + rejected = items), answers 200 exactly when something was
 * accepted or duplicate or there was nothing, and the request's counts agree with it; reads
 * answer 200, 400 or 404, never 5xx (the store is local). An alerts body parsed one element
 * at a time gives what parsing it whole gives, and each element's text is that element.
 * Alerts prepared from the body's text without parsing it (lib/store/ingest_text.c) are, when
 * that way takes the body, what preparing the parsed body makes, row for row.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cockpit/cockpit_internal.h"
#include "store_tmp.h"
#include "vigil/store.h"
#include "vigil/store_fleet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t items_in(const char *body, size_t len)
{
	json_t *doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
	size_t n = json_is_array(doc) ? json_array_size(doc) : 1;

	json_decref(doc);
	return n;
}

static void check_ingest(const struct cockpit_req *req, const struct cockpit_reply *r,
			 const char *body, size_t len)
{
	json_t *acc = json_object_get(r->body, "accepted");
	json_t *dup = json_object_get(r->body, "duplicates");
	json_t *rej = json_object_get(r->body, "rejected");
	size_t n;

	if (r->status == 413 || r->status == 403)
		return; /* too many items; an item naming another node */
	if (!acc) {	/* invalid JSON, or a heartbeat that is not one object */
		if (r->status != 400 || !json_is_string(json_object_get(r->body, "error")))
			abort();
		return;
	}
	n = req->ep == EP_HEARTBEAT ? 1 : items_in(body, len);
	if (!json_is_integer(acc) || !json_is_integer(dup) || !json_is_array(rej) ||
	    (size_t)(json_integer_value(acc) + json_integer_value(dup)) + json_array_size(rej) !=
		    n ||
	    (uint64_t)json_integer_value(acc) != req->counts[RES_ACCEPTED] ||
	    (uint64_t)json_integer_value(dup) != req->counts[RES_DUPLICATE] ||
	    (r->status == 200) !=
		    (json_integer_value(acc) > 0 || json_integer_value(dup) > 0 || n == 0))
		abort();
}

/*
 * The alerts' parse, one element at a time with each element's text (cockpit/batch.c), says
 * what parsing the whole body says: the same items, or an error; and each element's text is
 * that element.
 */
static void check_batch_parse(const char *body, size_t len)
{
	json_t *whole = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL), *items;
	struct vigil_text *spans = NULL;
	json_error_t err;

	items = cockpit_batch_parse(body, len, COCKPIT_MAX_ITEMS, &spans, &err);
	if (!whole != !items || (whole && !json_equal(whole, items)))
		abort();
	for (size_t i = 0; spans && i < json_array_size(items); i++) {
		json_t *one = json_loadb(spans[i].p, spans[i].len, JSON_DECODE_ANY, NULL);

		if (spans[i].p < body || spans[i].p + spans[i].len > body + len || !one ||
		    !json_equal(one, json_array_get(items, i)))
			abort();
		json_decref(one);
	}
	free(spans);
	json_decref(whole);
	json_decref(items);
}

/*
 * Alerts prepared from the text (lib/store/ingest_text.c) are what the parsed way makes: when
 * it takes a body, jansson parses that body, no item names another node, and preparing the
 * parsed items (with their texts, as the cockpit does) rejects none and gives the same rows
 * and placeholders, in the same order.
 */
static void check_text_prepare(const char *body, size_t len)
{
	struct vigil_ingest in = { .node = "fuzz-node",
				   .now_ns = 1800000000000000000ull,
				   .need_alert_id = true };
	struct vigil_store_prepared *fast = NULL, *slow = NULL;
	struct vigil_item_result *res;
	struct vigil_text *spans = NULL;
	json_t *items, *fr, *fp, *sr, *sp, *it;
	json_error_t err;
	size_t n = 0, i;
	int rc = vigil_store__prepare_alerts_text(&in, body, len, COCKPIT_MAX_ITEMS, &fast, &n);

	if (rc == 1)
		return;
	if (rc)
		abort();
	items = cockpit_batch_parse(body, len, COCKPIT_MAX_ITEMS, &spans, &err);
	if (!json_is_array(items) || json_array_size(items) != n || !spans)
		abort();
	json_array_foreach(items, i, it)
	{
		const json_t *node = json_object_get(it, "node");

		if (node && (!json_is_string(node) || strcmp(json_string_value(node), "fuzz-node")))
			abort();
	}
	res = calloc(n + 1, sizeof(*res));
	in.texts = spans;
	if (!res || vigil_store__prepare_alerts(&in, items, res, &slow))
		abort();
	for (i = 0; i < n; i++)
		if (res[i].status)
			abort();
	vigil_store_prepared__rows(fast, &fr, &fp);
	vigil_store_prepared__rows(slow, &sr, &sp);
	if (!json_equal(fr, sr) || !json_equal(fp, sp))
		abort();
	vigil_store_prepared__free(fast);
	vigil_store_prepared__free(slow);
	free(res);
	free(spans);
	json_decref(items);
}

static void args_from(json_t *args, const char *s)
{
	while (*s) {
		size_t n = strcspn(s, "&");
		const char *eq = memchr(s, '=', n);
		char key[64], val[512];

		if (eq && (size_t)(eq - s) < sizeof(key)) {
			snprintf(key, sizeof(key), "%.*s", (int)(eq - s), s);
			snprintf(val, sizeof(val), "%.*s", (int)(n - (size_t)(eq - s) - 1), eq + 1);
			json_object_set_new(args, key, json_string(val));
		}
		s += n + (s[n] == '&');
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const posts[] = { "/api/v1/alerts", "/api/v1/reports",
					     "/api/v1/heartbeat", "/api/v1/profiles",
					     "/api/v1/enroll" };
	static const char *const gets[] = { "/api/v1/incidents",      "/api/v1/alerts",
					    "/api/v1/nodes",	      "/api/v1/workloads",
					    "/api/v1/profiles",	      "/api/v1/profiles/diff",
					    "/api/v1/stats/alerts",   "/api/v1/search",
					    "/api/v1/nodes/fuzz-node" };
	static struct vigil_cockpit *c;
	struct cockpit_ctx ctx;
	struct cockpit_req req = { 0 };
	struct cockpit_reply r = { 0 };
	int mode;
	char *rest;

	if (size < 2 || size > 64 * 1024)
		return 0;
	if (!c) {
		c = calloc(1, sizeof(*c));
		if (!c)
			abort();
		c->auth = cockpit_auth_new(NULL);
	}
	ctx.c = c;
	ctx.store = store_tmp_get();
	mode = data[0] % 8;
	rest = malloc(size);
	if (!rest)
		abort();
	memcpy(rest, data + 1, size - 1);
	rest[size - 1] = '\0';
	req.now_ns = 1800000000000000000ull;
	req.args = json_object();
	snprintf(req.node, sizeof(req.node), "fuzz-node");
	if (mode < 5) {
		snprintf(req.method, sizeof(req.method), "POST");
		snprintf(req.path, sizeof(req.path), "%s", posts[mode]);
		req.route = cockpit_route("POST", req.path, &req.ep);
		if (mode == 4) /* enroll: the join token's hash */
			memset(req.node, 'a', 64);
		vigil_buf__append(&req.body, rest, size - 1);
		cockpit_api(&ctx, &req, &r);
		if (req.wrote && r.status != 503 && vigil_store__flush(ctx.store, NULL))
			abort();
		if (r.status == 503)
			vigil_store__discard(ctx.store);
		if (!json_is_object(r.body) || r.status >= 500)
			abort();
		if (mode < 4)
			check_ingest(&req, &r, rest, size - 1);
		if (mode == 0) {
			check_batch_parse(rest, size - 1);
			check_text_prepare(rest, size - 1);
		}
	} else {
		snprintf(req.method, sizeof(req.method), "GET");
		if (mode == 5)
			snprintf(req.path, sizeof(req.path), "/api/v1/incidents/%.200s", rest);
		else if (mode == 6)
			snprintf(req.path, sizeof(req.path), "%s",
				 gets[(unsigned char)rest[0] % (sizeof(gets) / sizeof(gets[0]))]);
		else
			snprintf(req.path, sizeof(req.path), "/api/v1/health");
		if (mode == 6)
			args_from(req.args, rest + 1);
		req.route = cockpit_route("GET", req.path, &req.ep);
		cockpit_api(&ctx, &req, &r);
		if (!json_is_object(r.body) ||
		    (r.status != 200 && r.status != 400 && r.status != 404))
			abort();
	}
	cockpit_req_release(&req);
	json_decref(r.body);
	free(r.text);
	free(rest);
	return 0;
}
