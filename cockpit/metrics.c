// SPDX-License-Identifier: Apache-2.0
/*
 * The cockpit's Prometheus metrics (GET /metrics, text exposition format 0.0.4): items
 * ingested per endpoint and outcome, requests refused per cause, store latency histograms,
 * connections and queues, and nodes online / stale / offline. Counters are atomics, so the
 * loop renders them without waiting for any worker.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cockpit/cockpit_internal.h"
#include "util/buf.h"

static const double bounds[LAT_BUCKETS] = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
					    0.25,  0.5,	   1,	  2.5,	5,     10,   30 };

void cockpit_metrics_latency(struct cockpit_metrics *m, int which, uint64_t ns)
{
	double s = (double)ns / 1e9;
	int b = 0;

	while (b < LAT_BUCKETS && s > bounds[b])
		b++;
	atomic_fetch_add(&m->lat_bucket[which][b], 1);
	atomic_fetch_add(&m->lat_sum_us[which], ns / 1000);
	atomic_fetch_add(&m->lat_count[which], 1);
}

char *cockpit_metrics_render(const struct cockpit_metrics *m, const char *backend)
{
	static const char *const eps[EP__MAX] = { "alerts", "reports", "heartbeat", "profiles",
						  "enroll" };
	static const char *const res[RES__MAX] = { "accepted", "duplicate", "rejected" };
	static const char *const causes[REJ__MAX] = { "unauthenticated",
						      "revoked",
						      "forbidden",
						      "too_large",
						      "busy",
						      "timeout",
						      "shed",
						      "per_ip",
						      "bad_request",
						      "store",
						      "rate" };
	static const char *const ops[2] = { "write", "read" };
	static const char *const status[3] = { "online", "stale", "offline" };
	struct vigil_buf b = VIGIL_BUF_INIT;

	vigil_buf__printf(&b,
			  "# HELP vigil_cockpit_info The cockpit and its store.\n"
			  "# TYPE vigil_cockpit_info gauge\n"
			  "vigil_cockpit_info{version=\"%s\",store=\"%s\"} 1\n",
			  VIGIL_VERSION, backend ? backend : "");
	vigil_buf__puts(&b, "# HELP vigil_cockpit_ingested_total Items received from nodes, by "
			    "endpoint and outcome.\n# TYPE vigil_cockpit_ingested_total counter\n");
	for (int e = 0; e < EP__MAX; e++)
		for (int r = 0; r < RES__MAX; r++)
			vigil_buf__printf(
				&b,
				"vigil_cockpit_ingested_total{endpoint=\"%s\",result=\"%s\"}"
				" %llu\n",
				eps[e], res[r], (unsigned long long)atomic_load(&m->ingest[e][r]));
	vigil_buf__puts(&b, "# HELP vigil_cockpit_rejected_total Requests and connections refused, "
			    "by cause.\n# TYPE vigil_cockpit_rejected_total counter\n");
	for (int c = 0; c < REJ__MAX; c++)
		vigil_buf__printf(&b, "vigil_cockpit_rejected_total{cause=\"%s\"} %llu\n",
				  causes[c], (unsigned long long)atomic_load(&m->rejected[c]));
	vigil_buf__printf(
		&b,
		"# HELP vigil_cockpit_requests_total HTTP requests whose headers arrived.\n"
		"# TYPE vigil_cockpit_requests_total counter\n"
		"vigil_cockpit_requests_total %llu\n",
		(unsigned long long)atomic_load(&m->requests));
	vigil_buf__puts(&b, "# HELP vigil_cockpit_store_seconds Store time per group commit "
			    "(write) and per query (read).\n"
			    "# TYPE vigil_cockpit_store_seconds histogram\n");
	for (int o = 0; o < 2; o++) {
		unsigned long long cum = 0;

		for (int k = 0; k <= LAT_BUCKETS; k++) {
			cum += atomic_load(&m->lat_bucket[o][k]);
			if (k < LAT_BUCKETS)
				vigil_buf__printf(&b,
						  "vigil_cockpit_store_seconds_bucket{op=\"%s\","
						  "le=\"%g\"} %llu\n",
						  ops[o], bounds[k], cum);
			else
				vigil_buf__printf(&b,
						  "vigil_cockpit_store_seconds_bucket{op=\"%s\","
						  "le=\"+Inf\"} %llu\n",
						  ops[o], cum);
		}
		vigil_buf__printf(&b, "vigil_cockpit_store_seconds_sum{op=\"%s\"} %.6f\n", ops[o],
				  (double)atomic_load(&m->lat_sum_us[o]) / 1e6);
		vigil_buf__printf(&b, "vigil_cockpit_store_seconds_count{op=\"%s\"} %llu\n", ops[o],
				  (unsigned long long)atomic_load(&m->lat_count[o]));
	}
	vigil_buf__puts(&b, "# HELP vigil_cockpit_nodes Nodes by the age of their last heartbeat "
			    "(counted every 5 s).\n# TYPE vigil_cockpit_nodes gauge\n");
	for (int k = 0; k < 3; k++)
		vigil_buf__printf(&b, "vigil_cockpit_nodes{status=\"%s\"} %llu\n", status[k],
				  (unsigned long long)atomic_load(&m->nodes[k]));
	vigil_buf__printf(
		&b,
		"# HELP vigil_cockpit_connections Open client connections.\n"
		"# TYPE vigil_cockpit_connections gauge\nvigil_cockpit_connections %llu\n"
		"# HELP vigil_cockpit_queued Requests waiting for the writer or a reader.\n"
		"# TYPE vigil_cockpit_queued gauge\nvigil_cockpit_queued{queue=\"write\"} %llu\n"
		"vigil_cockpit_queued{queue=\"read\"} %llu\n"
		"# HELP vigil_cockpit_inflight_bytes Request bodies held in memory.\n"
		"# TYPE vigil_cockpit_inflight_bytes gauge\nvigil_cockpit_inflight_bytes %llu\n"
		"# HELP vigil_cockpit_store_rows_written_total Rows the store confirmed.\n"
		"# TYPE vigil_cockpit_store_rows_written_total counter\n"
		"vigil_cockpit_store_rows_written_total %llu\n",
		(unsigned long long)atomic_load(&m->connections),
		(unsigned long long)atomic_load(&m->queued[0]),
		(unsigned long long)atomic_load(&m->queued[1]),
		(unsigned long long)atomic_load(&m->inflight_bytes),
		(unsigned long long)atomic_load(&m->store_rows_written));
	return vigil_buf__steal(&b, NULL);
}
