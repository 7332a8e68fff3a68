// SPDX-License-Identifier: Apache-2.0
/*
 * The fleet page's cost in the store (SQLite), both ways in one run: a page of 50 nodes,
 * trouble first, with the fleet's totals (vigil_store__nodes_page: filtered, sorted and paged
 * in SQL) against the whole list the cockpit paged before (vigil_store__nodes: every node's
 * entry, alerts of the hour counted for each; the sorting and cutting it did after are not
 * counted here). CPU time per call of this thread, so other jobs on the machine count less
 * than in wall time. NODES nodes heartbeat, each with a token and one alert a minute for the
 * last hour.
 *   build/bench/bench_nodes_page [NODES]    (make bench BENCH=nodes_page)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "vigil/store.h"
#include "vigil/store_fleet.h"

#define CALLS 30

static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int fill(struct vigil_store *s, unsigned nodes, uint64_t now)
{
	struct vigil_item_result res[60];
	int rc = 0;

	for (unsigned i = 0; i < nodes && !rc; i++) {
		struct vigil_credential c = { .kind = "node", .version = 1 };
		struct vigil_ingest in = { .now_ns = now, .need_alert_id = true };
		char name[32], id[33], stamp[48];
		json_t *hb, *alerts = json_array();

		snprintf(name, sizeof(name), "node-%04u", i);
		in.node = name;
		hb = json_pack("{s:s, s:i, s:s, s:s, s:{s:{s:i}}, s:[{s:s}, {s:s}, {s:s}]}", "time",
			       "2026-11-22T10:00:00Z", "interval_s", 10, "version", "0.9", "kernel",
			       "6.18.0", "sensor", "drops", "ringbuf", (int)(i % 7 == 0),
			       "workloads", "name", "a", "name", "b", "name", "c");
		rc = vigil_store__put_heartbeat(s, name, hb,
						now - (uint64_t)(i % 50) * 1000000000ull);
		json_decref(hb);
		snprintf(c.token_hash, sizeof(c.token_hash), "%064u", i);
		snprintf(c.node, sizeof(c.node), "%s", name);
		if (!rc)
			rc = vigil_store__put_credential(s, &c);
		for (unsigned k = 0; k < 60; k++) {
			time_t t = (time_t)(now / 1000000000ull) - 60 * (time_t)k - 1;
			struct tm tm;

			gmtime_r(&t, &tm);
			strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
			snprintf(id, sizeof(id), "%016x%016x", i, k);
			json_array_append_new(alerts,
					      json_pack("{s:s, s:s, s:s, s:{s:s}}", "alert_id", id,
							"time", stamp, "rule_id", "R0001",
							"workload", "name", "a"));
		}
		if (!rc)
			rc = vigil_store__ingest_alerts(s, &in, alerts, res);
		json_decref(alerts);
	}
	return rc ? rc : vigil_store__flush(s, NULL);
}

int main(int argc, char **argv)
{
	unsigned nodes = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 1000;
	char dir[] = "/tmp/vigil-bench-nodes-XXXXXX", spec[128], cmd[160];
	uint64_t now = (uint64_t)time(NULL) * 1000000000ull;
	struct vigil_store *s = NULL;
	struct vigil_error err = { 0 };
	struct vigil_store_opts o;
	double page = 0, all = 0, t;
	size_t page_bytes = 0, all_bytes = 0;
	int rc = 0;

	if (!nodes || !mkdtemp(dir))
		return 2;
	snprintf(spec, sizeof(spec), "sqlite:%s/fleet.db", dir);
	vigil_store_opts__init(&o);
	o.cache_bytes = 32u << 20; /* as the cockpit's readers */
	if (vigil_store__open(spec, &o, &s, &err) || fill(s, nodes, now)) {
		fprintf(stderr, "bench_nodes_page: %s\n", err.message);
		return 1;
	}
	for (int i = 0; i < CALLS && !rc; i++) {
		struct vigil_nodes_page p = { .sort = "trouble", .limit = 50, .now_ns = now };
		struct vigil_query f = { .now_ns = now };
		json_t *r = NULL;
		char *text;

		t = cpu_ms();
		rc = vigil_store__nodes_page(s, &p, &r, &err);
		text = r ? json_dumps(r, JSON_COMPACT) : NULL;
		page += cpu_ms() - t;
		page_bytes = text ? strlen(text) : 0;
		free(text);
		json_decref(r);
		r = NULL;
		t = cpu_ms();
		if (!rc)
			rc = vigil_store__nodes(s, &f, &r, &err);
		text = r ? json_dumps(r, JSON_COMPACT) : NULL;
		all += cpu_ms() - t;
		all_bytes = text ? strlen(text) : 0;
		free(text);
		json_decref(r);
	}
	vigil_store__free(s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) || rc) {
		fprintf(stderr, "bench_nodes_page: %s\n", err.message);
		return 1;
	}
	printf("The fleet page's cost in the SQLite store (bench/bench_nodes_page.c): %u nodes "
	       "heartbeating, each with a token and one alert a minute for the last hour; CPU "
	       "time of the calling thread per call, mean of %d, the answer made JSON text.\n\n",
	       nodes, CALLS);
	printf("| call | CPU per call | answer |\n|---|---|---|\n");
	printf("| a page of 50, trouble first, with the totals (`vigil_store__nodes_page`, SQL) "
	       "| %.2f ms | %zu bytes |\n",
	       page / CALLS, page_bytes);
	printf("| every node, what the cockpit sorted and cut before (`vigil_store__nodes`; the "
	       "sorting not counted) | %.2f ms | %zu bytes |\n",
	       all / CALLS, all_bytes);
	return 0;
}
