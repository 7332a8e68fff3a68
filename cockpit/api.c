// SPDX-License-Identifier: Apache-2.0
/*
 * The cockpit's JSON API (docs/COCKPIT.md):
 *
 *   GET  /api/v1/health               store backend and counters
 *   GET  /api/v1/incidents[?limit=N]  incidents, newest first
 *   GET  /api/v1/incidents/ID         one incident's full report (a unique id prefix works)
 *   POST /api/v1/alerts               alert records (one object or an array): agents' webhook
 *   POST /api/v1/reports              incident reports (one object or an array)
 *
 * A write is acknowledged only after the store flushed it; a flush that fails answers 503 so
 * the sender (the agent's webhook sink) keeps the batch and retries: nothing is lost.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>
#include <openssl/sha.h>

#include "cockpit/cockpit_internal.h"
#include "util/strutil.h"
#include "vigil/store.h"

#define MAX_ITEMS_PER_REQUEST 10000

static void reply_error(struct cockpit_reply *r, unsigned status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void reply_error(struct cockpit_reply *r, unsigned status, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->status = status;
	r->body = json_pack("{s:s}", "error", msg);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void hex16(const unsigned char *in, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 0; i < 16; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[32] = '\0';
}

static const char *workload_key(const json_t *alert)
{
	const json_t *wl = json_object_get(alert, "workload");
	const char *keys[] = { "id", "container_id", "cgroup", "name" };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = json_string_value(json_object_get(wl, keys[i]));

		if (v && v[0])
			return v;
	}
	return "unknown";
}

/*
 * Alerts from an agent that runs without zoom carry no incident id. They still belong to an
 * incident: one per workload and hour, kept here, so the page shows them together. The
 * incident's report is rewritten with each alert so its counts and window stay true.
 */
static int ingest_loose_alert(struct vigil_cockpit *c, json_t *alert)
{
	const char *key = workload_key(alert);
	uint64_t now = now_ns(), hour = now / 3600000000000ull;
	unsigned char digest[SHA256_DIGEST_LENGTH];
	char material[600], id[33];
	json_t *report = NULL, *alerts, *rules, *copy;
	const char *rule = json_string_value(json_object_get(alert, "rule_id"));
	size_t i;
	json_t *r;
	bool seen = false;
	int n, rc;

	n = snprintf(material, sizeof(material), "cockpit\n%s\n%llu", key,
		     (unsigned long long)hour);
	SHA256((const unsigned char *)material, (size_t)(n < 0 ? 0 : n), digest);
	hex16(digest, id);
	rc = vigil_store__get(c->store, id, &report, NULL);
	if (rc == -ENOENT) {
		report = json_pack("{s:s,s:O?,s:s,s:I,s:I,s:s}", "incident_id", id, "workload",
				   json_object_get(alert, "workload"), "state", "open", "opened_ns",
				   (json_int_t)now, "start_ns", (json_int_t)now, "summary",
				   "alerts received without an incident (agent without zoom)");
	} else if (rc) {
		return rc;
	}
	if (!report)
		return -ENOMEM;
	alerts = json_object_get(report, "alerts");
	if (!json_is_array(alerts)) {
		alerts = json_array();
		json_object_set_new(report, "alerts", alerts);
	}
	rules = json_object_get(report, "rules");
	if (!json_is_array(rules)) {
		rules = json_array();
		json_object_set_new(report, "rules", rules);
	}
	copy = json_deep_copy(alert);
	json_object_set_new(copy, "incident_id", json_string(id));
	json_array_append_new(alerts, copy);
	json_array_foreach(rules, i, r) seen |= rule && !strcmp(json_string_value(r), rule);
	if (!seen && rule)
		json_array_append_new(rules, json_string(rule));
	json_object_set_new(report, "alert_count",
			    json_integer((json_int_t)json_array_size(alerts)));
	json_object_set_new(report, "end_ns", json_integer((json_int_t)now));
	rc = vigil_store__put_report(c->store, report);
	json_decref(report);
	/* The next loose alert of this workload reads this report back. */
	return rc ? rc : vigil_store__flush(c->store, NULL);
}

static int ingest_alert(struct vigil_cockpit *c, json_t *alert, char *why, size_t whylen)
{
	const char *incident = json_string_value(json_object_get(alert, "incident_id"));
	int rc;

	if (!json_is_object(alert) || !json_is_string(json_object_get(alert, "rule_id"))) {
		snprintf(why, whylen, "not an alert record (an object with a rule_id)");
		return -EINVAL;
	}
	/* The store keys alerts by (incident, time, rule): an alert without a time gets the time
	 * it arrived, so two such alerts of one rule stay two. */
	if (!json_is_string(json_object_get(alert, "time"))) {
		char stamp[64];
		uint64_t now = now_ns();
		time_t secs = (time_t)(now / 1000000000ull);
		struct tm tm;

		gmtime_r(&secs, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(stamp + strlen(stamp), sizeof(stamp) - strlen(stamp), ".%09lluZ",
			 (unsigned long long)(now % 1000000000ull));
		json_object_set_new(alert, "time", json_string(stamp));
	}
	if (!incident || !incident[0])
		rc = ingest_loose_alert(c, alert);
	else
		rc = vigil_store__put_alert(c->store, incident, alert);
	if (rc)
		snprintf(why, whylen, "%s", rc == -EINVAL ? "invalid incident_id" : strerror(-rc));
	return rc;
}

static int ingest_report(struct vigil_cockpit *c, json_t *report, char *why, size_t whylen)
{
	int rc;

	if (!json_is_object(report)) {
		snprintf(why, whylen, "not an incident report (an object)");
		return -EINVAL;
	}
	rc = vigil_store__put_report(c->store, report);
	if (rc)
		snprintf(why, whylen, "%s",
			 rc == -EINVAL ? "missing or invalid incident_id" : strerror(-rc));
	return rc;
}

typedef int (*ingest_fn)(struct vigil_cockpit *c, json_t *item, char *why, size_t whylen);

static void ingest(struct vigil_cockpit *c, const char *body, size_t len, ingest_fn fn,
		   uint64_t *counter, struct cockpit_reply *r)
{
	json_error_t jerr;
	json_t *doc, *items, *rejected;
	size_t accepted = 0, n;
	struct vigil_error err = { 0 };

	doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc) {
		reply_error(r, 400, "invalid JSON at line %d column %d: %s", jerr.line, jerr.column,
			    jerr.text);
		return;
	}
	if (json_is_array(doc)) {
		items = json_incref(doc);
	} else {
		items = json_array();
		json_array_append(items, doc);
	}
	n = json_array_size(items);
	if (n > MAX_ITEMS_PER_REQUEST) {
		reply_error(r, 413, "%zu items in one request (at most %d)", n,
			    MAX_ITEMS_PER_REQUEST);
		goto out;
	}
	rejected = json_array();
	for (size_t i = 0; i < n; i++) {
		char why[256] = "";

		if (fn(c, json_array_get(items, i), why, sizeof(why)) == 0) {
			accepted++;
			continue;
		}
		c->rejected++;
		json_array_append_new(rejected,
				      json_pack("{s:I,s:s}", "index", (json_int_t)i, "error", why));
	}
	if (accepted && vigil_store__flush(c->store, &err)) {
		json_decref(rejected);
		reply_error(r, 503, "store unavailable, retry later: %s", err.message);
		goto out;
	}
	*counter += accepted;
	r->status = accepted || !n ? 200 : 400;
	r->body = json_pack("{s:I,s:o}", "accepted", (json_int_t)accepted, "rejected", rejected);
out:
	json_decref(items);
	json_decref(doc);
}

static void health(struct vigil_cockpit *c, struct cockpit_reply *r)
{
	struct vigil_store_stats st = { 0 };

	vigil_store__stats(c->store, &st);
	r->status = 200;
	r->body = json_pack("{s:s,s:s,s:s,s:{s:I,s:I,s:I},s:{s:I,s:I,s:I,s:I}}", "status", "ok",
			    "version", VIGIL_VERSION, "store", vigil_store__backend(c->store),
			    "received", "alerts", (json_int_t)c->alerts_received, "reports",
			    (json_int_t)c->reports_received, "rejected", (json_int_t)c->rejected,
			    "store_stats", "rows_written", (json_int_t)st.rows_written,
			    "spooled_batches", (json_int_t)st.spooled_batches, "lost_batches",
			    (json_int_t)st.lost_batches, "spool_bytes", (json_int_t)st.spool_bytes);
}

static void list_incidents(struct vigil_cockpit *c, struct MHD_Connection *conn,
			   struct cockpit_reply *r)
{
	const char *limit_s = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "limit");
	uint64_t limit = 100;
	struct vigil_error err = { 0 };
	json_t *list = NULL;

	if (limit_s && (vigil_parse_u64(limit_s, &limit) || limit == 0 || limit > 10000)) {
		reply_error(r, 400, "limit must be a number from 1 to 10000");
		return;
	}
	if (vigil_store__list(c->store, (size_t)limit, &list, &err)) {
		reply_error(r, 500, "cannot list incidents: %s", err.message);
		return;
	}
	r->status = 200;
	r->body = json_pack("{s:o}", "incidents", list);
}

static void get_incident(struct vigil_cockpit *c, const char *id, struct cockpit_reply *r)
{
	struct vigil_error err = { 0 };
	json_t *report = NULL;
	size_t n = strlen(id);
	int rc;

	if (!n || n > 32 || strspn(id, "0123456789abcdef") != n) {
		reply_error(r, 400, "an incident id is 1 to 32 lower-case hex digits");
		return;
	}
	rc = vigil_store__get(c->store, id, &report, &err);
	if (rc == -ENOENT) {
		reply_error(r, 404, "no incident %s", id);
		return;
	}
	if (rc == -EINVAL) { /* a prefix of several ids: the client must say more */
		reply_error(r, 400, "%s", err.message);
		return;
	}
	if (rc) {
		reply_error(r, 500, "cannot read incident %s: %s", id, err.message);
		return;
	}
	r->status = 200;
	r->body = report;
}

void cockpit_api(struct vigil_cockpit *c, struct MHD_Connection *conn, const char *method,
		 const char *url, const char *body, size_t len, struct cockpit_reply *r)
{
	bool get = !strcmp(method, "GET"), post = !strcmp(method, "POST");

	if (!strcmp(url, "/api/v1/health") && get)
		return health(c, r);
	if (!strcmp(url, "/api/v1/incidents") && get)
		return list_incidents(c, conn, r);
	if (vigil_str_has_prefix(url, "/api/v1/incidents/") && get)
		return get_incident(c, url + strlen("/api/v1/incidents/"), r);
	if (!strcmp(url, "/api/v1/alerts") && post)
		return ingest(c, body, len, ingest_alert, &c->alerts_received, r);
	if (!strcmp(url, "/api/v1/reports") && post)
		return ingest(c, body, len, ingest_report, &c->reports_received, r);
	if (!strcmp(url, "/api/v1/health") || !strcmp(url, "/api/v1/incidents") ||
	    vigil_str_has_prefix(url, "/api/v1/incidents/") || !strcmp(url, "/api/v1/alerts") ||
	    !strcmp(url, "/api/v1/reports"))
		return reply_error(r, 405, "%s is not allowed on %s", method, url);
	reply_error(r, 404, "no API endpoint %s", url);
}
