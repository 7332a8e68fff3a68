// SPDX-License-Identifier: Apache-2.0
/*
 * Evidence figures, side by side in one run:
 *   - ingest rows/s of each store given on the command line (incident reports of 2 000 rows:
 *     events, flows, destinations ... as the zoom writes them, put + flush per report);
 *   - the recorder: ns per event in steady state, and memory with 100 workloads;
 *   - building an incident report (analysis) from 10 000 events.
 *   build/bench/bench_store [sqlite:PATH] [clickhouse:URL ...]    (make bench-evidence)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vigil/sensor.h"
#include "vigil/store.h"
#include "vigil/zoom.h"

#define S 1000000000ull

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long v = -1;

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6))
			v = strtol(line + 6, NULL, 10);
	if (f)
		fclose(f);
	return v;
}

/* A report shaped like the zoom's: rows = events + flows + 1 destination + 1 file ... */
static json_t *make_report(unsigned n, unsigned nev, uint64_t t0)
{
	char id[33];
	json_t *ev = json_array(), *fl = json_array();

	snprintf(id, sizeof(id), "%016x%016x", n, n * 2654435761u);
	for (unsigned i = 0; i < nev; i++) {
		json_array_append_new(ev, json_pack("{s:i, s:I, s:s, s:i, s:s, s:b, s:s, s:i}",
						    "seq", (int)i, "time_ns",
						    (json_int_t)(t0 + i * 1000), "kind", "net_io",
						    "pid", 4242, "comm", "client", "via_iouring", 1,
						    "detail", "-> 127.0.0.1:8888", "bytes", 180));
		if (i % 10 == 0)
			json_array_append_new(
				fl, json_pack("{s:I, s:s, s:i, s:s, s:s, s:f, s:i, s:s}", "time_ns",
					      (json_int_t)(t0 + i * 1000), "addr", "127.0.0.1",
					      "port", 8888, "direction", "out", "protocol",
					      "binary", "entropy", 5.1, "bytes", 180, "sample_hex",
					      "3fff8100000102030405060708090a0b0c0d0e0f"));
	}
	return json_pack(
		"{s:s, s:s, s:{s:s, s:s, s:i, s:s}, s:I, s:I, s:I, s:s, s:o, s:o, "
		"s:[{s:s, s:i, s:f, s:s}], s:[{s:I, s:s, s:i, s:i}], s:[{s:i, s:s, "
		"s:s}], s:[{s:s, s:s, s:i, s:s, s:i}]}",
		"incident_id", id, "state", "closed", "workload", "id", "/vigil/bench", "name",
		"bench", "cgroup_id", 7, "cgroup", "/vigil/bench", "opened_ns", (json_int_t)t0,
		"start_ns", (json_int_t)t0, "end_ns", (json_int_t)(t0 + 30 * S), "summary", "bench",
		"events", ev, "flows", fl, "destinations", "addr", "127.0.0.1", "port", 8888,
		"beacon_score", 0.97, "beacon_band", "high", "files", "time_ns", (json_int_t)t0,
		"path", "/var/run/secrets/token", "pid", 4242, "bytes", 120, "processes", "pid",
		4242, "comm", "client", "language", "go", "alerts", "time", "2026-11-22T10:00:00Z",
		"rule_id", "R1030", "severity", 5, "message", "x", "pid", 4242);
}

/* put + flush per report (one_flush false), or every report then one flush */
static void bench_store_mode(const char *spec, bool one_flush, unsigned base)
{
	struct vigil_store *s;
	struct vigil_error err;
	struct vigil_store_stats st;
	const unsigned reports = 20, nev = 2000;
	uint64_t t0 = (uint64_t)time(NULL) * S;
	json_t *rs[20];
	double t;
	int rc;

	for (unsigned i = 0; i < reports; i++)
		rs[i] = make_report(base + i + 1, nev, t0 + i * S);
	rc = vigil_store__open(spec, NULL, &s, &err);
	if (rc) {
		fprintf(stderr, "bench_store: %s: %s\n", spec, err.message);
		exit(1);
	}
	t = now_s();
	for (unsigned i = 0; i < reports; i++) {
		rc = vigil_store__put_report(s, rs[i]);
		if (!rc && (!one_flush || i == reports - 1))
			rc = vigil_store__flush(s, &err);
		if (rc) {
			fprintf(stderr, "bench_store: %s: %s\n", spec, strerror(-rc));
			exit(1);
		}
	}
	t = now_s() - t;
	vigil_store__stats(s, &st);
	printf("%-10s %-16s %8llu rows %4llu batches %7.3f s %9.0f rows/s\n",
	       vigil_store__backend(s), one_flush ? "one flush" : "flush per report",
	       (unsigned long long)st.rows_written, (unsigned long long)st.batches_written, t,
	       (double)st.rows_written / t);
	vigil_store__free(s);
	for (unsigned i = 0; i < reports; i++)
		json_decref(rs[i]);
}

static void bench_store(const char *spec)
{
	bench_store_mode(spec, false, 0);
	bench_store_mode(spec, true, 100);
}

static void bench_recorder(void)
{
	struct vigil_workload wl[100];
	struct vigil_process proc = { .pid = 100, .comm = "app", .exe = "", .cwd = "/" };
	char names[100][32];
	struct vigil_zoom_stats st;
	struct vigil_event ev;
	struct vigil_zoom *z;
	long before = rss_kib(), after;
	const unsigned n = 2000000;
	double t;

	z = vigil_zoom__new(NULL);
	memset(wl, 0, sizeof(wl));
	for (int i = 0; i < 100; i++) {
		snprintf(names[i], sizeof(names[i]), "/vigil/w%d", i);
		wl[i].cgroup_id = 1000 + (uint64_t)i;
		wl[i].cgroup_path = names[i];
		wl[i].name = names[i];
		wl[i].container_id = "";
	}
	memset(&ev, 0, sizeof(ev));
	ev.kind = VIGIL_EV_OPEN;
	ev.proc = &proc;
	ev.open.path = "/usr/lib/x86_64-linux-gnu/libssl.so.3";
	t = now_s();
	for (unsigned i = 0; i < n; i++) {
		ev.workload = &wl[i % 100];
		ev.time_ns = (uint64_t)i * 1000;
		vigil_zoom__event(z, &ev);
	}
	t = now_s() - t;
	after = rss_kib();
	vigil_zoom__stats(z, &st);
	printf("recorder: %u events over 100 workloads: %.0f ns/event; rings %llu KiB "
	       "(%llu KiB per workload), RSS +%ld KiB\n",
	       n, t * 1e9 / n, (unsigned long long)st.ring_bytes / 1024,
	       (unsigned long long)st.ring_bytes / 1024 / 100, after - before);

	/* an incident of 10 000 connections + payloads, then its report */
	{
		struct vigil_event ne;
		uint8_t frame[200];
		char id[33];
		json_t *r;

		memset(&ne, 0, sizeof(ne));
		memset(frame, 0x5a, sizeof(frame));
		ne.kind = VIGIL_EV_NET_IO;
		ne.workload = &wl[0];
		ne.proc = &proc;
		ne.net.direction = VIGIL_DIR_OUTBOUND;
		ne.net.proto = IPPROTO_TCP;
		ne.net.remote.family = AF_INET;
		ne.net.remote.port = 8888;
		inet_pton(AF_INET, "127.0.0.1", ne.net.remote.addr);
		ne.net.data = frame;
		ne.net.data_len = sizeof(frame);
		ne.net.bytes = sizeof(frame);
		ne.time_ns = 10 * S;
		vigil_zoom__alert(z, &ne, NULL, id);
		for (unsigned i = 0; i < 10000; i++) {
			ne.time_ns = 10 * S + (uint64_t)i * S;
			vigil_zoom__event(z, &ne);
		}
		t = now_s();
		vigil_zoom__report(z, id, &r);
		t = now_s() - t;
		printf("analysis: report of an incident with %zu events: %.1f ms\n",
		       json_array_size(json_object_get(r, "events")), t * 1e3);
		json_decref(r);
	}
	vigil_zoom__free(z);
}

static int set_zoom(void *ctx, uint64_t cgroup_id, bool on)
{
	return ctx ? vigil_sensor__set_zoom(ctx, cgroup_id, on) : 0;
}

/*
 * Zoom activation: from vigil_zoom__alert (an alert on a workload with a full ring) to the
 * zoom flag written into the sensor's kernel map, when the sensor can be opened (root, BPF);
 * otherwise up to the callback.
 */
static void bench_activation(void)
{
	struct vigil_sensor *sensor = NULL;
	struct vigil_sensor_opts so = { .scope = VIGIL_SCOPE_SELECTED };
	struct vigil_process proc = { .pid = 100, .comm = "app", .exe = "", .cwd = "/" };
	struct vigil_workload wl = { .cgroup_path = "/vigil/bench",
				     .name = "bench",
				     .container_id = "" };
	struct vigil_event ev;
	struct vigil_zoom *z = vigil_zoom__new(NULL);
	double lat[200], t;
	int n = 0;

	if (vigil_sensor__open(&so, &sensor, NULL))
		sensor = NULL;
	vigil_zoom__set_zoom_cb(z, set_zoom, sensor);
	memset(&ev, 0, sizeof(ev));
	ev.kind = VIGIL_EV_OPEN;
	ev.proc = &proc;
	ev.workload = &wl;
	ev.open.path = "/etc/shadow";
	for (int i = 0; i < 200; i++) {
		wl.cgroup_id = 5000 + (uint64_t)i;
		for (int k = 0; k < 300; k++) { /* a full ring of context */
			ev.time_ns = (uint64_t)i * 1000 * S + (uint64_t)k * 1000;
			vigil_zoom__event(z, &ev);
		}
		t = now_s();
		vigil_zoom__alert(z, &ev, NULL, NULL);
		lat[n++] = (now_s() - t) * 1e6;
		vigil_zoom__tick(z, UINT64_MAX); /* close it (report built outside the timing) */
	}
	for (int i = 1; i < n; i++) /* insertion sort: 200 values */
		for (int j = i; j > 0 && lat[j] < lat[j - 1]; j--) {
			double x = lat[j];

			lat[j] = lat[j - 1];
			lat[j - 1] = x;
		}
	printf("zoom activation (alert -> %s): median %.1f us, p99 %.1f us, max %.1f us\n",
	       sensor ? "flag in the kernel map" : "callback; sensor not opened", lat[n / 2],
	       lat[n * 99 / 100], lat[n - 1]);
	vigil_zoom__free(z);
	vigil_sensor__free(sensor);
}

int main(int argc, char **argv)
{
	printf("evidence benchmark (one run, same machine)\n");
	/* the recorder first, so its RSS growth is not hidden by memory the stores freed */
	bench_recorder();
	bench_activation();
	for (int i = 1; i < argc; i++)
		bench_store(argv[i]);
	return 0;
}
