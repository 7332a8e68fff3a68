// SPDX-License-Identifier: Apache-2.0
/*
 * The agent's Prometheus page (docs/AGENT.md §12): rendered here, in the agent's thread,
 * once a second, from the counters the agent owns (sensor, detector, sinks, uplink, BPF
 * programs), and handed to the /metrics server (sensor/metrics/), which only copies it out.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/agent/agent_state.h"
#include "sensor/metrics/metrics.h"
#include "util/buf.h"
#include "vigil/uplink.h"

#define METRICS_EVERY_NS 1000000000ULL
#define MAX_PROGS	 64

int agent_metrics_open(struct agent *a, struct vigil_error *err)
{
	int e;

	if (!a->c->metrics.listen)
		return 0;
	e = vigil_metrics_server__start(a->c->metrics.listen, &a->metrics, err);
	if (e < 0)
		return e;
	agent_logf("metrics: GET /metrics on %s (port %u)", a->c->metrics.listen,
		   vigil_metrics_server__port(a->metrics));
	return 0;
}

void agent_metrics_close(struct agent *a)
{
	vigil_metrics_server__free(a->metrics);
	a->metrics = NULL;
}

static void sensor_metrics(struct agent *a, struct vigil_buf *b)
{
	struct vigil_sensor_status st;

	if (vigil_sensor__status(a->s, &st) < 0)
		return;
	prom_metric(b, "vigil_sensor_events_total", "counter",
		    "Events the sensor delivered to user space.", (double)st.events);
	prom_family(b, "vigil_sensor_drops_total", "counter",
		    "Events the sensor lost, by cause (ring buffer full, per-workload rate "
		    "limit, a kernel table full).");
	prom_sample(b, "vigil_sensor_drops_total", (double)st.drops_ringbuf, 1, "cause", "ringbuf");
	prom_sample(b, "vigil_sensor_drops_total", (double)st.drops_ratelimit, 1, "cause",
		    "ratelimit");
	prom_sample(b, "vigil_sensor_drops_total", (double)st.drops_table, 1, "cause", "table");
	prom_metric(b, "vigil_sensor_dedup_hits_total", "counter",
		    "Repeated events suppressed in the kernel.", (double)st.dedup_hits);
	prom_family(b, "vigil_sensor_dns_tcp_streams_total", "counter",
		    "DNS over TCP streams cut by eviction in the middle of a message (cut), found "
		    "out of sync by their next write (desync), cut and no longer told apart "
		    "(forgotten: their next write is misread).");
	prom_sample(b, "vigil_sensor_dns_tcp_streams_total", (double)st.dns_tcp_cut, 1, "event",
		    "cut");
	prom_sample(b, "vigil_sensor_dns_tcp_streams_total", (double)st.dns_tcp_desync, 1, "event",
		    "desync");
	prom_sample(b, "vigil_sensor_dns_tcp_streams_total", (double)st.dns_tcp_forgotten, 1,
		    "event", "forgotten");
	prom_metric(b, "vigil_sensor_processes", "gauge", "Processes in the sensor's table.",
		    (double)st.processes);
	prom_metric(b, "vigil_sensor_hooks_attached", "gauge", "Kernel hooks attached.",
		    (double)st.hooks_attached);
	prom_metric(b, "vigil_sensor_hooks_failed", "gauge", "Kernel hooks that failed to attach.",
		    (double)st.hooks_failed);
}

static void detection_metrics(struct agent *a, struct vigil_buf *b)
{
	static const char *const states[] = { "learning", "detecting", "unprotected", "ignored",
					      "naming" };
	struct vigil_detect_stats st;
	uint64_t by_state[5] = { 0 };

	vigil_detector__stats(a->d, &st);
	prom_metric(b, "vigil_detection_events_total", "counter",
		    "Events checked against a profile.", (double)st.events);
	prom_metric(b, "vigil_detection_suppressed_total", "counter",
		    "Alert repeats counted within a cooldown instead of sent.",
		    (double)st.suppressed);
	prom_family(b, "vigil_alerts_total", "counter", "Alerts raised, by rule id.");
	for (size_t i = 0; i < a->nrules; i++)
		prom_sample(b, "vigil_alerts_total", (double)a->rules[i].n, 1, "rule",
			    a->rules[i].rule);
	for (size_t i = 0; i < a->nwl; i++) {
		if (!a->wl[i]->gone && a->wl[i]->state >= WL_LEARNING &&
		    a->wl[i]->state <= WL_NAMING)
			by_state[a->wl[i]->state - WL_LEARNING]++;
	}
	prom_family(b, "vigil_workloads", "gauge", "Workloads watched now, by state.");
	for (size_t i = 0; i < 5; i++)
		prom_sample(b, "vigil_workloads", (double)by_state[i], 1, "state", states[i]);
}

/* Containers being named (naming.c): their held events, and what became of them. */
static void naming_metrics(struct agent *a, struct vigil_buf *b)
{
	prom_family(b, "vigil_agent_held_events_total", "counter",
		    "Events of containers being named: held, judged after the answer, dropped "
		    "(queue full).");
	prom_sample(b, "vigil_agent_held_events_total", (double)a->naming.held_total, 1, "outcome",
		    "held");
	prom_sample(b, "vigil_agent_held_events_total", (double)a->naming.replayed, 1, "outcome",
		    "replayed");
	prom_sample(b, "vigil_agent_held_events_total", (double)a->naming.dropped, 1, "outcome",
		    "dropped");
	prom_metric(b, "vigil_agent_held_bytes", "gauge",
		    "Bytes of events held now for containers being named.",
		    (double)a->naming.held_bytes);
	prom_family(b, "vigil_agent_naming_total", "counter",
		    "Containers named by their engine's first answer, or not within its bound.");
	prom_sample(b, "vigil_agent_naming_total", (double)a->naming.answered, 1, "outcome",
		    "answered");
	prom_sample(b, "vigil_agent_naming_total", (double)a->naming.timeouts, 1, "outcome",
		    "timeout");
}

static void sink_metrics(struct agent *a, struct vigil_buf *b)
{
	struct vigil_sink_stats s[32];
	size_t n = vigil_alerts__stats(a->alerts, s, 32);

	if (n > 32)
		n = 32;
	prom_family(b, "vigil_sink_sent_total", "counter", "Alerts a sink delivered.");
	for (size_t i = 0; i < n; i++)
		prom_sample(b, "vigil_sink_sent_total", (double)s[i].sent, 1, "sink", s[i].spec);
	prom_family(b, "vigil_sink_queued", "gauge", "Alerts waiting in a sink's queue.");
	for (size_t i = 0; i < n; i++)
		prom_sample(b, "vigil_sink_queued", (double)s[i].queued, 1, "sink", s[i].spec);
	prom_family(b, "vigil_sink_failures_total", "counter", "Failed delivery attempts.");
	for (size_t i = 0; i < n; i++)
		prom_sample(b, "vigil_sink_failures_total", (double)s[i].failures, 1, "sink",
			    s[i].spec);
	prom_family(b, "vigil_sink_dropped_total", "counter", "Alerts a sink gave up, by cause.");
	for (size_t i = 0; i < n; i++) {
		prom_sample(b, "vigil_sink_dropped_total", (double)s[i].dropped_full, 2, "sink",
			    s[i].spec, "cause", "queue_full");
		prom_sample(b, "vigil_sink_dropped_total", (double)s[i].dropped_rejected, 2, "sink",
			    s[i].spec, "cause", "rejected");
		prom_sample(b, "vigil_sink_dropped_total", (double)s[i].dropped_retries, 2, "sink",
			    s[i].spec, "cause", "retries_exhausted");
	}
}

static void uplink_kinds(struct vigil_buf *b, const char *outcome, const uint64_t *v)
{
	static const char *const kinds[VIGIL_UPLINK_NKINDS] = { "alert", "report", "profile" };

	for (int k = 0; k < VIGIL_UPLINK_NKINDS; k++)
		prom_sample(b, "vigil_cockpit_records_total", (double)v[k], 2, "kind", kinds[k],
			    "outcome", outcome);
}

static void uplink_metrics(struct agent *a, struct vigil_buf *b)
{
	struct vigil_uplink_stats st;

	if (!a->uplink)
		return;
	vigil_uplink__stats(a->uplink, &st);
	prom_family(b, "vigil_cockpit_records_total", "counter",
		    "Records for the cockpit, by kind and outcome (accepted, duplicate, rejected "
		    "for good, dropped before the spool).");
	uplink_kinds(b, "accepted", st.accepted);
	uplink_kinds(b, "duplicate", st.duplicates);
	uplink_kinds(b, "rejected", st.rejected);
	uplink_kinds(b, "dropped", st.dropped);
	prom_metric(b, "vigil_cockpit_spool_items", "gauge",
		    "Records in the spool the cockpit has not stored yet.", (double)st.spool_items);
	prom_metric(b, "vigil_cockpit_spool_bytes", "gauge", "Size of the spool's segment files.",
		    (double)st.spool_bytes);
	prom_metric(b, "vigil_cockpit_spool_max_bytes", "gauge", "The spool's bound.",
		    (double)st.spool_max_bytes);
	prom_metric(b, "vigil_cockpit_spool_torn_total", "counter",
		    "Damaged spool regions skipped (a torn tail after a crash, bad bytes).",
		    (double)st.spool_torn);
	prom_metric(b, "vigil_cockpit_requests_total", "counter", "Requests to the cockpit.",
		    (double)st.requests);
	prom_metric(b, "vigil_cockpit_failures_total", "counter",
		    "Requests without an answer, or answered 408, 429 or 5xx (retried).",
		    (double)st.failures);
	prom_metric(b, "vigil_cockpit_auth_failures_total", "counter",
		    "Requests whose credential the cockpit refused (401, 403).",
		    (double)st.auth_failures);
	prom_metric(b, "vigil_cockpit_untrusted_total", "counter",
		    "Requests not sent: the cockpit's certificate was refused (pinned CA).",
		    (double)st.untrusted);
	prom_family(b, "vigil_cockpit_heartbeats_total", "counter", "Heartbeats, by result.");
	prom_sample(b, "vigil_cockpit_heartbeats_total", (double)st.heartbeats_sent, 1, "result",
		    "sent");
	prom_sample(b, "vigil_cockpit_heartbeats_total", (double)st.heartbeats_failed, 1, "result",
		    "failed");
	prom_metric(b, "vigil_cockpit_connected", "gauge",
		    "1 when the cockpit answered the last request with 2xx.", st.connected ? 1 : 0);
}

static void bpf_metrics(struct agent *a, struct vigil_buf *b)
{
	struct vigil_prog_stat p[MAX_PROGS];
	bool enabled = false;
	int n = vigil_sensor__prog_stats(a->s, p, MAX_PROGS, &enabled);

	uint64_t runs = 0;

	prom_metric(b, "vigil_bpf_stats_enabled", "gauge",
		    "1 when the kernel.bpf_stats_enabled sysctl is on (the kernel times the "
		    "programs; a process holding BPF_ENABLE_STATS does too, unseen here).",
		    enabled ? 1 : 0);
	if (n > MAX_PROGS)
		n = MAX_PROGS;
	for (int i = 0; i < n; i++)
		runs += p[i].run_cnt;
	/* the kernel counts only while stats are on: nothing counted, nothing to show */
	if (n <= 0 || !runs)
		return;
	prom_family(b, "vigil_bpf_run_seconds_total", "counter",
		    "Time spent in each BPF program of the sensor.");
	for (int i = 0; i < n; i++)
		prom_sample(b, "vigil_bpf_run_seconds_total", (double)p[i].run_time_ns / 1e9, 1,
			    "program", p[i].name);
	prom_family(b, "vigil_bpf_runs_total", "counter", "Runs of each BPF program.");
	for (int i = 0; i < n; i++)
		prom_sample(b, "vigil_bpf_runs_total", (double)p[i].run_cnt, 1, "program",
			    p[i].name);
}

void agent_metrics_tick(struct agent *a, uint64_t now)
{
	struct vigil_buf b = VIGIL_BUF_INIT;

	if (!a->metrics || now < a->next_metrics)
		return;
	a->next_metrics = now + METRICS_EVERY_NS;
	prom_metric(&b, "vigil_agent_start_time_seconds", "gauge",
		    "When the agent started (Unix time).", (double)a->started);
	prom_metric(&b, "vigil_health_alerts_total", "counter",
		    "Health alerts (V0001 to V0004) raised.", (double)a->health_alerts);
	sensor_metrics(a, &b);
	detection_metrics(a, &b);
	naming_metrics(a, &b);
	sink_metrics(a, &b);
	uplink_metrics(a, &b);
	bpf_metrics(a, &b);
	if (b.data)
		vigil_metrics_server__publish(a->metrics, b.data, b.len);
	vigil_buf__release(&b);
}
