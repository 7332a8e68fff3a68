// SPDX-License-Identifier: Apache-2.0
/*
 * The fleet against one cockpit, on SQLite and on ClickHouse (issue 10): NODES nodes, each with
 * its own node token, heartbeat every 10 s (3 workloads each) while ALERTS alerts arrive in
 * batches of BATCH through CLIENTS keep-alive connections; then, at that size, the latency of
 * the pages an analyst opens: the incident list, the fleet (nodes), one incident, the newest
 * alerts and the alert counts of the day.
 *
 *   build/bench/bench_fleet [--alerts N] [--nodes N] [--batch N] [--clients N] [--queries N]
 *                           [--skip-sqlite]
 *   VIGIL_BENCH_CLICKHOUSE=http://127.0.0.1:PORT  also run on ClickHouse (make bench-fleet)
 *
 * The cockpit runs in this process (its own threads, a real HTTP listener on loopback); the
 * clients are libcurl in other threads of the same process, so both share the machine's CPUs
 * as a cockpit and a local load balancer would. Prints a Markdown section (bench/run).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "cockpit/cockpit.h"
#include "util/buf.h"
#include "util/lazylib.h"
#include "vigil/store.h"
#include "vigil/store_fleet.h"

#define GOAL_RATE   50000.0
#define GOAL_P99_MS 200.0
#define NQ	    6 /* the pages measured */

struct cfg {
	unsigned alerts, nodes, batch, clients, queries;
};

struct run {
	const struct cfg *cfg;
	char base[64];
	char (*tokens)[VIGIL_TOKEN_LEN + 1];
	char analyst[64];
	atomic_uint next_batch;
	atomic_uint retries;
	atomic_uint failures;
	atomic_bool ingest_done;
	atomic_uint heartbeats;
	uint64_t t0_s; /* alert times spread over the hour before this */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds this process used so far (every thread: cockpit and clients). */
static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* CPU seconds of another process (the ClickHouse server: VIGIL_BENCH_CLICKHOUSE_PID); -1 when
 * unknown. */
static double proc_cpu_s(const char *pid)
{
	char path[64], line[1024], *p;
	unsigned long ut = 0, st = 0;
	FILE *f;
	int n = 0;

	if (!pid || !pid[0])
		return -1;
	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	p = fgets(line, sizeof(line), f) ? strrchr(line, ')') : NULL;
	fclose(f);
	/* after "(comm)": state is field 3, utime 14, stime 15 */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu%n", &ut, &st,
			 &n) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static long rss_mib(pid_t pid)
{
	char path[64], line[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmHWM:", 6))
			v = strtol(line + 6, NULL, 10) / 1024;
	if (f)
		fclose(f);
	return v;
}

static size_t sink(char *p, size_t sz, size_t n, void *ud)
{
	struct vigil_buf *b = ud;

	if (b)
		vigil_buf__append(b, p, sz * n);
	return sz * n;
}

/* One request on a kept-alive handle; the status, the body in out (may be NULL). */
static long request(CURL *h, const char *url, const char *token, const char *body, size_t len,
		    struct vigil_buf *out)
{
	struct curl_slist *hdr = NULL;
	char auth[160];
	long code = 0;

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	hdr = curl_slist_append(hdr, auth);
	hdr = curl_slist_append(hdr, "Content-Type: application/json");
	hdr = curl_slist_append(hdr, "Expect:");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	if (body) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	} else {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	}
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 120L);
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(hdr);
	return code;
}

/* Batch b: BATCH alerts of node b % NODES, 3 workloads, 8 rules, times over the last hour. */
static void make_batch(const struct run *r, unsigned b, struct vigil_buf *out)
{
	unsigned node = b % r->cfg->nodes;

	vigil_buf__reset(out);
	vigil_buf__puts(out, "[");
	for (unsigned i = 0; i < r->cfg->batch; i++) {
		uint64_t n = (uint64_t)b * r->cfg->batch + i;
		uint64_t t = r->t0_s - 3600 + (n * 2654435761u) % 3600;
		struct tm tm;
		time_t tt = (time_t)t;
		char stamp[32];

		gmtime_r(&tt, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
		vigil_buf__printf(
			out,
			"%s{\"alert_id\":\"%032llx\",\"time\":\"%s.%09lluZ\",\"rule_id\":\"R000%u\","
			"\"rule_name\":\"Unexpected process launched\",\"severity\":%u,"
			"\"message\":\"unexpected process /usr/bin/curl launched by sh (not in "
			"profile)\",\"workload\":{\"id\":\"wl-%u-%u\",\"name\":\"app-%u\",\"namespace\":"
			"\"prod\",\"container_id\":\"\"},\"process\":{\"pid\":%u,\"comm\":\"curl\","
			"\"exe\":\"/usr/bin/curl\"},\"event\":{\"type\":\"exec\",\"path\":\"/usr/bin/"
			"curl\"}}",
			i ? "," : "", (unsigned long long)(0xf1ee700000000000ull + n), stamp,
			(unsigned long long)(n % 1000000000ull), (unsigned)(n % 8),
			(unsigned)(1 + n % 10), node, (unsigned)(n % 3), (unsigned)(n % 3),
			(unsigned)(1000 + n % 30000));
	}
	vigil_buf__puts(out, "]");
}

static void *alert_client(void *arg)
{
	struct run *r = arg;
	CURL *h = curl_easy_init();
	struct vigil_buf body = VIGIL_BUF_INIT;
	char url[128];
	unsigned batches = r->cfg->alerts / r->cfg->batch, b;

	snprintf(url, sizeof(url), "%s/api/v1/alerts", r->base);
	while ((b = atomic_fetch_add(&r->next_batch, 1)) < batches) {
		make_batch(r, b, &body);
		for (int attempt = 0;; attempt++) {
			long code = request(h, url, r->tokens[b % r->cfg->nodes], body.data,
					    body.len, NULL);

			if (code == 200)
				break;
			if (attempt > 50) {
				atomic_fetch_add(&r->failures, 1);
				break;
			}
			atomic_fetch_add(&r->retries, 1);
			usleep(100000);
		}
	}
	vigil_buf__release(&body);
	curl_easy_cleanup(h);
	return NULL;
}

/* Every node heartbeats every 10 s (spread evenly) until the alerts are in. */
static void *heartbeat_client(void *arg)
{
	struct run *r = arg;
	CURL *h = curl_easy_init();
	char url[128], body[1024];
	double start = now_s();
	unsigned k = 0;

	snprintf(url, sizeof(url), "%s/api/v1/heartbeat", r->base);
	while (!atomic_load(&r->ingest_done) || k < r->cfg->nodes) {
		unsigned node = k % r->cfg->nodes;
		double due = start + (double)k * 10.0 / r->cfg->nodes;
		int n = snprintf(
			body, sizeof(body),
			"{\"time\":\"2026-11-22T10:00:00Z\",\"seq\":%u,\"interval_s\":10,\"version\":"
			"\"0.9\",\"kernel\":\"6.18.0\",\"uptime_s\":%u,\"sensor\":{\"events\":%u,"
			"\"drops\":{\"ringbuf\":0}},\"workloads\":[{\"id\":\"wl-%u-0\",\"name\":\"app-0\","
			"\"namespace\":\"prod\",\"state\":\"detecting\"},{\"id\":\"wl-%u-1\",\"name\":"
			"\"app-1\",\"namespace\":\"prod\",\"state\":\"detecting\"},{\"id\":\"wl-%u-2\","
			"\"name\":\"app-2\",\"namespace\":\"prod\",\"state\":\"learning\"}]}",
			k / r->cfg->nodes, k, k * 100, node, node, node);

		if (now_s() < due)
			usleep((useconds_t)((due - now_s()) * 1e6));
		if (request(h, url, r->tokens[node], body, (size_t)n, NULL) == 200)
			atomic_fetch_add(&r->heartbeats, 1);
		k++;
	}
	curl_easy_cleanup(h);
	return NULL;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* p50 and p99 (ms) of n GETs of path (an incident id is picked from list when path is NULL). */
static void latency(struct run *r, const char *what, const char *path, const json_t *ids,
		    double *p50, double *p99, size_t *bytes)
{
	CURL *h = curl_easy_init();
	double *ms = calloc(r->cfg->queries, sizeof(*ms));
	struct vigil_buf out = VIGIL_BUF_INIT;
	char url[256];

	for (unsigned i = 0; i < r->cfg->queries; i++) {
		double t;
		long code;

		if (path)
			snprintf(url, sizeof(url), "%s%s", r->base, path);
		else
			snprintf(url, sizeof(url), "%s/api/v1/incidents/%s", r->base,
				 json_string_value(json_array_get(ids, i % json_array_size(ids))));
		vigil_buf__reset(&out);
		t = now_s();
		code = request(h, url, r->analyst, NULL, 0, &out);
		ms[i] = (now_s() - t) * 1000.0;
		if (code != 200)
			fprintf(stderr, "bench_fleet: %s: HTTP %ld\n", what, code);
		*bytes = out.len;
	}
	qsort(ms, r->cfg->queries, sizeof(*ms), cmp_d);
	*p50 = ms[r->cfg->queries / 2];
	*p99 = ms[(r->cfg->queries * 99) / 100 < r->cfg->queries ? (r->cfg->queries * 99) / 100
								 : r->cfg->queries - 1];
	free(ms);
	vigil_buf__release(&out);
	curl_easy_cleanup(h);
}

/* Node tokens straight into the store, as `vigil cockpit token add` would. */
static int add_tokens(const char *spec, struct run *r)
{
	struct vigil_store *s = NULL;
	struct vigil_error err = { 0 };
	int rc = vigil_store__open(spec, NULL, &s, &err);

	if (rc) {
		fprintf(stderr, "bench_fleet: %s: %s\n", spec, err.message);
		return rc;
	}
	for (unsigned i = 0; i < r->cfg->nodes && !rc; i++) {
		struct vigil_credential c = { .kind = "node" };

		vigil_token__new(VIGIL_NODE_TOKEN_PREFIX, r->tokens[i], sizeof(r->tokens[i]));
		vigil_token__hash(r->tokens[i], c.token_hash);
		snprintf(c.node, sizeof(c.node), "node-%04u", i);
		c.version = c.created_ns = (uint64_t)time(NULL) * 1000000000ull;
		rc = vigil_store__put_credential(s, &c);
	}
	if (!rc)
		rc = vigil_store__flush(s, &err);
	vigil_store__free(s);
	return rc;
}

static int one_backend(const struct cfg *cfg, const char *label, const char *spec)
{
	struct run r = { .cfg = cfg };
	struct vigil_cockpit_opts o = { .listen = "127.0.0.1:0",
					.store = spec,
					.max_per_ip = 4096 };
	struct vigil_cockpit *c = NULL;
	struct vigil_error err = { 0 };
	pthread_t *th = calloc(cfg->clients, sizeof(*th)), hb;
	double t, cpu, srv, rate, p50[NQ], p99[NQ];
	const char *srv_pid =
		strstr(spec, "clickhouse:") == spec ? getenv("VIGIL_BENCH_CLICKHOUSE_PID") : NULL;
	size_t bytes[NQ];
	struct vigil_buf out = VIGIL_BUF_INIT;
	json_t *list, *ids = json_array(), *e;
	/* the fleet page asks for one page of nodes, the ones needing attention first (and the
	 * fleet's totals); the last row is every node in one answer */
	static const char *const names[NQ] = { "incident list (100 newest)",
					       "fleet page (50 nodes, trouble first, totals)",
					       "one incident",
					       "newest 100 alerts",
					       "alert counts, 24 h in 1 h buckets",
					       "every node in one answer (1 000 at most)" };
	static const char *const paths[NQ] = { "/api/v1/incidents",
					       "/api/v1/nodes?limit=50&sort=trouble",
					       NULL,
					       "/api/v1/alerts?limit=100",
					       "/api/v1/stats/alerts?since=24h&bucket=1h",
					       "/api/v1/nodes" };
	size_t i;
	CURL *h;

	r.tokens = calloc(cfg->nodes, sizeof(*r.tokens));
	snprintf(r.analyst, sizeof(r.analyst), "bench-analyst-token-%d", (int)getpid());
	o.analyst_token = r.analyst;
	r.t0_s = (uint64_t)time(NULL);
	if (!th || !r.tokens || add_tokens(spec, &r))
		return -1;
	if (vigil_cockpit__start(&o, &c, &err)) {
		fprintf(stderr, "bench_fleet: cockpit on %s: %s\n", spec, err.message);
		return -1;
	}
	snprintf(r.base, sizeof(r.base), "http://127.0.0.1:%u", vigil_cockpit__port(c));
	t = now_s();
	cpu = cpu_s();
	srv = proc_cpu_s(srv_pid);
	pthread_create(&hb, NULL, heartbeat_client, &r);
	for (unsigned k = 0; k < cfg->clients; k++)
		pthread_create(&th[k], NULL, alert_client, &r);
	for (unsigned k = 0; k < cfg->clients; k++)
		pthread_join(th[k], NULL);
	t = now_s() - t;
	cpu = cpu_s() - cpu;
	srv = srv >= 0 ? proc_cpu_s(srv_pid) - srv : -1;
	atomic_store(&r.ingest_done, true);
	pthread_join(hb, NULL);
	rate = (double)(cfg->alerts / cfg->batch * cfg->batch) / t;

	/* the incidents to open: the newest ones, as an analyst would */
	h = curl_easy_init();
	{
		char url[128];

		snprintf(url, sizeof(url), "%s/api/v1/incidents?limit=200", r.base);
		request(h, url, r.analyst, NULL, 0, &out);
	}
	curl_easy_cleanup(h);
	list = json_loads(out.data ? out.data : "", 0, NULL);
	json_array_foreach(json_object_get(list, "incidents"), i, e)
	{
		json_array_append(ids, json_object_get(e, "incident_id"));
	}
	json_decref(list);
	for (int q = 0; q < NQ; q++)
		latency(&r, names[q], paths[q], ids, &p50[q], &p99[q], &bytes[q]);

	printf("\n**%s**: %u alerts in batches of %u from %u nodes through %u connections, "
	       "%u heartbeats meanwhile (each node every 10 s).\n\n",
	       label, cfg->alerts / cfg->batch * cfg->batch, cfg->batch, cfg->nodes, cfg->clients,
	       atomic_load(&r.heartbeats));
	printf("| measure | value | goal |\n|---|---|---|\n");
	printf("| sustained ingest | **%.0f alerts/s** (%.1f s) | >= %.0f alerts/s %s |\n", rate, t,
	       GOAL_RATE, rate >= GOAL_RATE ? "(met)" : "(**missed**)");
	printf("| CPU per alert (cockpit and clients, all threads) | %.1f us (%.1f CPU s) | |\n",
	       cpu * 1e6 / (cfg->alerts / cfg->batch * cfg->batch), cpu);
	if (srv >= 0)
		printf("| CPU per alert (clickhouse-server) | %.1f us (%.1f CPU s) | |\n",
		       srv * 1e6 / (cfg->alerts / cfg->batch * cfg->batch), srv);
	printf("| retried batches (503) / failed | %u / %u | 0 failed |\n", atomic_load(&r.retries),
	       atomic_load(&r.failures));
	printf("| peak memory of the process (cockpit + clients) | %ld MiB | |\n",
	       rss_mib(getpid()));
	for (int q = 0; q < NQ; q++)
		printf("| %s: p50 / p99 (answer %zu bytes) | %.1f / **%.1f ms** | p99 <= %.0f ms %s |\n",
		       names[q], bytes[q], p50[q], p99[q], GOAL_P99_MS,
		       q < 3 ? (p99[q] <= GOAL_P99_MS ? "(met)" : "(**missed**)") : "(not a goal)");
	vigil_buf__release(&out);
	json_decref(ids);
	vigil_cockpit__free(c);
	free(th);
	free(r.tokens);
	return 0;
}

static int arg_u(const char *name, const char *v, unsigned *ret)
{
	char *end;
	unsigned long n = strtoul(v ? v : "", &end, 10);

	if (!v || *end || !n || n > 100000000ul) {
		fprintf(stderr, "bench_fleet: %s wants a positive number\n", name);
		return -1;
	}
	*ret = (unsigned)n;
	return 0;
}

int main(int argc, char **argv)
{
	struct cfg cfg = {
		.alerts = 1000000, .nodes = 1000, .batch = 1000, .clients = 8, .queries = 200
	};
	const char *ch = getenv("VIGIL_BENCH_CLICKHOUSE");
	char dir[] = "/tmp/vigil-bench-fleet-XXXXXX", spec[512], cmd[600], why[256];
	bool skip_sqlite = false;
	int rc = 0;

	for (int i = 1; i < argc; i += 2) {
		unsigned *dst;

		if (!strcmp(argv[i], "--skip-sqlite")) { /* a ClickHouse-only run, to compare */
			skip_sqlite = true;
			i--;
			continue;
		}
		dst = !strcmp(argv[i], "--alerts")    ? &cfg.alerts
		      : !strcmp(argv[i], "--nodes")   ? &cfg.nodes
		      : !strcmp(argv[i], "--batch")   ? &cfg.batch
		      : !strcmp(argv[i], "--clients") ? &cfg.clients
		      : !strcmp(argv[i], "--queries") ? &cfg.queries
						      : NULL;

		if (!dst || arg_u(argv[i], i + 1 < argc ? argv[i + 1] : NULL, dst))
			return 2;
	}
	if (cfg.batch > cfg.alerts)
		cfg.batch = cfg.alerts;
	if (vigil_curl_need("bench_fleet", why, sizeof(why)) < 0) {
		fprintf(stderr, "%s\n", why);
		return 1;
	}
	if (!mkdtemp(dir))
		return 1;
	printf("The fleet against one cockpit (bench/bench_fleet.c): the goals are issue 10's: "
	       ">= 50 000 alerts/s batched, p99 <= 200 ms for the incident list, the fleet page "
	       "and one incident at 1 000 000 alerts and 1 000 nodes.\n");
	snprintf(spec, sizeof(spec), "sqlite:%s/fleet.db", dir);
	if (!skip_sqlite)
		rc |= one_backend(&cfg, "SQLite", spec);
	if (ch && ch[0]) {
		snprintf(spec, sizeof(spec), "clickhouse:%s/vigil_bench_fleet_%d", ch,
			 (int)getpid());
		rc |= one_backend(&cfg, "ClickHouse", spec);
	} else {
		printf("\n(ClickHouse: not run; `make bench-fleet` starts one.)\n");
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		rc = 1;
	return rc ? 1 : 0;
}
