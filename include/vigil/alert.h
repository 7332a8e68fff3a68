/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Alerts and their sinks. An alert is a JSON object (jansson) with the fields of
 * ARCHITECTURE.md's alert record (docs/ALERTS.md has the full schema). Detection builds it;
 * a struct vigil_alerts fans it out to every configured sink.
 *
 * Delivery never blocks detection: stdout and file sinks write synchronously (local and fast),
 * network sinks (webhook, alertmanager, syslog) queue within a bound and deliver from their own
 * thread with retries and backoff. What is dropped is counted and visible in the stats.
 */
#ifndef VIGIL_ALERT_H
#define VIGIL_ALERT_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/error.h"

struct json_t;
struct vigil_alerts;

struct vigil_sink_stats {
	char spec[256];	 /* the sink as configured, e.g. "webhook:http://..." */
	uint64_t sent;	 /* delivered (acknowledged) */
	uint64_t queued; /* waiting now */
	uint64_t retries;
	uint64_t dropped;  /* gave up: queue full or retries exhausted */
	uint64_t failures; /* failed delivery attempts */
};

struct vigil_alerts_opts {
	size_t queue_max;	/* alerts queued per network sink (default 10 000) */
	unsigned batch_max;	/* alerts per webhook/alertmanager request (default 50) */
	uint64_t batch_wait_ns; /* flush a partial batch after this long (default 1 s) */
	unsigned retry_max;	/* attempts per batch before it is dropped; 0 = retry forever */
	uint64_t retry_base_ns; /* first backoff (default 200 ms), doubled up to retry_cap_ns */
	uint64_t retry_cap_ns;	/* default 30 s */
};

/* NULL opts = defaults. Returns NULL and sets errno on failure. */
struct vigil_alerts *vigil_alerts__new(const struct vigil_alerts_opts *opts);
/* Adds a sink: stdout, file:PATH, webhook:URL, alertmanager:URL, syslog[:ADDR]. */
int vigil_alerts__add_sink(struct vigil_alerts *a, const char *spec, struct vigil_error *err);
/* Hands the alert to every sink. Does not take ownership of alert (sinks copy or incref). */
int vigil_alerts__emit(struct vigil_alerts *a, struct json_t *alert);
/* Waits up to timeout_ns for queued alerts to be delivered. 0 when all were, -ETIMEDOUT else. */
int vigil_alerts__flush(struct vigil_alerts *a, uint64_t timeout_ns);
/* Copies up to max sink stats into out; returns the number of sinks. */
size_t vigil_alerts__stats(const struct vigil_alerts *a, struct vigil_sink_stats *out, size_t max);
/* Flushes briefly (bounded), stops threads, frees. Accepts NULL. */
void vigil_alerts__free(struct vigil_alerts *a);

#endif
