/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Zoom: the recorder (a bounded ring of recent events per workload), incidents (opened by an
 * alert, keyed by workload, extended by further alerts, closed after a quiet post-window) and
 * the analysis that turns an incident's events into a report (vigil/analysis.h).
 *
 * The agent wires it:
 *   every event      -> vigil_zoom__event(z, ev)
 *   every alert      -> vigil_zoom__alert(z, ev, alert, id)   (before the alert is emitted: it
 *                                                               writes "incident_id" into it)
 *   periodically     -> vigil_zoom__tick(z, now)              (closes incidents)
 *   zoom on/off      <- the zoom callback, e.g. calling vigil_sensor__set_zoom
 *   reports          <- the report callback, e.g. vigil_store__put_report + flush
 *
 * Memory is bounded: ring bytes per workload and in total (LRU over workloads), events and
 * bytes per incident, number of open incidents. What is dropped is counted in the stats and
 * in each report's "bounds". Not thread-safe: one thread drives it.
 */
#ifndef VIGIL_ZOOM_H
#define VIGIL_ZOOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil/event.h"

struct json_t;
struct vigil_zoom;

/* 32 hex chars: first 16 bytes of SHA-256 over the workload identity and the open time. */
#define VIGIL_INCIDENT_ID_LEN 32

struct vigil_zoom_opts {
	uint64_t pre_ns;	  /* pre-trigger context kept per workload, default 60 s */
	uint64_t post_ns;	  /* an incident closes this long after its last alert, 30 s */
	uint64_t max_duration_ns; /* an incident closes at most this long after opening, 10 min */
	size_t ring_bytes;	  /* ring per workload, default 64 KiB */
	size_t ring_total_bytes;  /* all rings, default 16 MiB (LRU eviction of workloads) */
	size_t max_workloads;	  /* rings kept, default 1024 */
	size_t incident_bytes;	  /* event bytes kept per incident, default 8 MiB */
	size_t max_incidents;	  /* open at once, default 64 (further alerts only counted) */
	size_t sample_bytes;	  /* payload/content bytes kept per event, default 1024 */
	bool keep_secrets;	  /* false (default): secret bytes in payloads are redacted */
};

/* Fills opts with the defaults above. */
void vigil_zoom_opts__init(struct vigil_zoom_opts *opts);

/* Turns deeper capture for a workload on or off (the agent calls vigil_sensor__set_zoom). */
typedef int (*vigil_zoom_set_fn)(void *ctx, uint64_t cgroup_id, bool on);
/*
 * Receives an incident report (owned by zoom, valid during the call; incref to keep). Called
 * when an incident closes (closed = true) and by vigil_zoom__flush for open ones.
 */
typedef int (*vigil_zoom_report_fn)(void *ctx, const struct json_t *report, bool closed);

/* NULL opts = defaults. NULL + errno on failure. */
struct vigil_zoom *vigil_zoom__new(const struct vigil_zoom_opts *opts);
/* Closes open incidents (reports them), frees. Accepts NULL. */
void vigil_zoom__free(struct vigil_zoom *z);

void vigil_zoom__set_zoom_cb(struct vigil_zoom *z, vigil_zoom_set_fn fn, void *ctx);
void vigil_zoom__set_report_cb(struct vigil_zoom *z, vigil_zoom_report_fn fn, void *ctx);

/* Records an event (copies what it keeps). 0 or -errno; never blocks. */
int vigil_zoom__event(struct vigil_zoom *z, const struct vigil_event *ev);

/*
 * An alert raised on ev's workload: opens an incident (pre-trigger context from the ring,
 * zoom turned on) or extends the open one. Writes "incident_id" into alert (when not NULL)
 * and the id into ret_id (when not NULL, VIGIL_INCIDENT_ID_LEN + 1 bytes).
 * Returns 1 when an incident was opened, 0 when one was extended, -errno on failure.
 */
int vigil_zoom__alert(struct vigil_zoom *z, const struct vigil_event *ev, struct json_t *alert,
		      char *ret_id);

/* Closes incidents whose post-window or max duration passed at now_ns (CLOCK_REALTIME).
 * Returns how many were closed. */
int vigil_zoom__tick(struct vigil_zoom *z, uint64_t now_ns);

/* Reports every open incident as it stands (not closed). Returns how many. */
int vigil_zoom__flush(struct vigil_zoom *z);

/* The report of an incident (open or recently closed) by id; *ret owned by the caller. */
int vigil_zoom__report(struct vigil_zoom *z, const char *id, struct json_t **ret);

struct vigil_zoom_stats {
	uint64_t events;	    /* recorded */
	uint64_t ring_bytes;	    /* in all rings now */
	uint64_t ring_evicted;	    /* events pushed out of a ring by its byte bound */
	uint64_t workloads;	    /* rings now */
	uint64_t workloads_evicted; /* rings dropped by LRU */
	uint64_t incidents_open;
	uint64_t incidents_opened;
	uint64_t incidents_closed;
	uint64_t incident_events_dropped; /* past an incident's byte bound */
	uint64_t alerts_dropped;	  /* too many open incidents */
};
int vigil_zoom__stats(const struct vigil_zoom *z, struct vigil_zoom_stats *ret);

#endif
