// SPDX-License-Identifier: Apache-2.0
/*
 * The cockpit's JSON API takes alerts and incident reports from every agent over HTTP. The
 * harness calls cockpit_api() as the HTTP layer does, with a throwaway SQLite store. The
 * first byte picks the request: 0 POST /api/v1/alerts, 1 POST /api/v1/reports (the rest is
 * the body), 2 GET /api/v1/incidents/REST, 3 GET /api/v1/health. Checks: every reply has a
 * status and a JSON object body; an ingest reply counts every item once (accepted plus
 * rejected = items), succeeds exactly when something was accepted or there was nothing, and
 * the cockpit's received counters grow by what was accepted.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cockpit/cockpit_internal.h"
#include "store_tmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t items_in(const char *body, size_t len)
{
	json_t *doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
	size_t n = json_is_array(doc) ? json_array_size(doc) : 1;

	json_decref(doc);
	return n;
}

static void check_ingest(const struct cockpit_reply *r, const char *body, size_t len,
			 uint64_t before, uint64_t after)
{
	json_t *acc = json_object_get(r->body, "accepted");
	json_t *rej = json_object_get(r->body, "rejected");
	size_t n;

	if (r->status != 200 && r->status != 400) {
		if (r->status != 413 || after != before)
			abort(); /* the store is local: never 503 */
		return;
	}
	if (!acc) { /* invalid JSON */
		if (r->status != 400 || !json_is_string(json_object_get(r->body, "error")) ||
		    after != before)
			abort();
		return;
	}
	n = items_in(body, len);
	if (!json_is_integer(acc) || !json_is_array(rej) ||
	    (size_t)json_integer_value(acc) + json_array_size(rej) != n ||
	    after - before != (uint64_t)json_integer_value(acc) ||
	    (r->status == 200) != (json_integer_value(acc) > 0 || n == 0))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const post_urls[] = { "/api/v1/alerts", "/api/v1/reports" };
	struct vigil_cockpit c = { .max_body = 1 << 20 };
	static uint64_t alerts, reports;
	struct cockpit_reply r = { 0 };
	char url[300];
	char *rest;
	int mode;

	if (size < 1 || size > 64 * 1024)
		return 0;
	c.store = store_tmp_get();
	c.alerts_received = alerts;
	c.reports_received = reports;
	mode = data[0] % 4;
	rest = malloc(size);
	if (!rest)
		abort();
	memcpy(rest, data + 1, size - 1);
	rest[size - 1] = '\0';
	if (mode < 2) {
		cockpit_api(&c, NULL, "POST", post_urls[mode], rest, size - 1, &r);
		if (!json_is_object(r.body))
			abort();
		if (mode == 0)
			check_ingest(&r, rest, size - 1, alerts, c.alerts_received);
		else
			check_ingest(&r, rest, size - 1, reports, c.reports_received);
	} else {
		snprintf(url, sizeof(url), "%s%.200s",
			 mode == 2 ? "/api/v1/incidents/" : "/api/v1/health",
			 mode == 2 ? rest : "");
		cockpit_api(&c, NULL, "GET", url, NULL, 0, &r);
		if (!json_is_object(r.body) ||
		    (r.status != 200 && r.status != 400 && r.status != 404))
			abort();
	}
	alerts = c.alerts_received;
	reports = c.reports_received;
	json_decref(r.body);
	free(rest);
	return 0;
}
