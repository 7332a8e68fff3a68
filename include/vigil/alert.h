/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Alerts and their sinks. The detector raises an alert as a typed record (struct vigil_alert:
 * its rule, the event that raised it, its workload and process); vigil_alert__json encodes it
 * once as the JSON object of docs/ALERTS.md, with the event spelled as `vigil trace --json`
 * spells it; a struct vigil_alerts fans that object out to every configured sink.
 *
 * Delivery never blocks detection: stdout and file sinks write synchronously (local and fast),
 * network sinks (webhook, alertmanager, syslog) queue within a bound and deliver from their own
 * thread with retries and backoff. What is dropped is counted and visible in the stats.
 *
 * Threads: every function may be called from several threads at once, except
 * vigil_alerts__free, which must be the last call.
 */
#ifndef VIGIL_ALERT_H
#define VIGIL_ALERT_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/error.h"
#include "vigil/event.h"
#include "vigil/rules.h"

struct json_t;
struct vigil_alerts;

/* Where a profile came from, for the alert's "profile" object. */
struct vigil_profile_ref {
	const char *name;   /* document name; NULL = the profile's first document name */
	const char *digest; /* "sha256:..."; NULL = computed from the canonical form */
	const char *signer; /* identity that signed it, "" or NULL when unsigned */
};

/*
 * One alert, as raised. Every pointer is borrowed: valid during the callback that receives the
 * alert (copy what you keep). event is the kernel event that raised it; an alert without one
 * (R1016 on a profile file, Vigil's health) carries its "event" object in event_json instead.
 */
struct vigil_alert {
	const struct vigil_rule *rule;
	uint64_t time_ns; /* CLOCK_REALTIME: the event's time */
	const char *message;
	const char *key; /* what makes it distinct for cooldowns */
	uint64_t repeats;
	const struct vigil_event *event;       /* NULL when not raised by a kernel event */
	const struct vigil_workload *workload; /* NULL when none */
	struct vigil_workload_info info;       /* what the caller knows beyond the sensor */
	const struct vigil_process *proc;      /* NULL when none */
	/* a profile that failed verification (R1016): event "profile" with its file, why
	 * ("unsigned", "tampered", "untrusted") and a sentence */
	struct {
		const char *path, *reason, *detail;
	} profile_file;
	const struct json_t *event_json;	 /* otherwise (health): the "event" object */
	const struct vigil_profile_ref *profile; /* NULL: none was in force */
};

/* The alert's JSON object (docs/ALERTS.md). New reference; NULL on out of memory. */
struct json_t *vigil_alert__json(const struct vigil_alert *a);
/* An alert without a kernel event (Vigil's health): a with message and the "event" object
 * event, which is taken (released here; NULL when it could not be made gives NULL). New
 * reference; NULL on out of memory. */
struct json_t *vigil_alert__health_json(struct vigil_alert *a, const char *message,
					struct json_t *event);

struct vigil_sink_stats {
	char spec[256];	 /* the sink as configured, e.g. "webhook:http://..." */
	uint64_t sent;	 /* delivered (acknowledged) */
	uint64_t queued; /* waiting now */
	uint64_t retries;
	uint64_t dropped;  /* gave up: queue full or retries exhausted */
	uint64_t failures; /* failed delivery attempts */
	/* Added: why alerts were dropped (dropped = the sum, plus alerts left at free). */
	uint64_t dropped_full;	   /* the queue was full: the new alert was refused */
	uint64_t dropped_rejected; /* the receiver refused the batch (HTTP 4xx but 408/429) */
	uint64_t dropped_retries;  /* retry_max attempts failed */
	char last_error[128];	   /* the last delivery failure, "" when none */
};

struct vigil_alerts_opts {
	size_t queue_max;	/* alerts queued per network sink (default 10 000) */
	unsigned batch_max;	/* alerts per webhook/alertmanager request (default 50) */
	uint64_t batch_wait_ns; /* flush a partial batch after this long (default 1 s) */
	unsigned retry_max;	/* attempts per batch before it is dropped; 0 = retry forever */
	uint64_t retry_base_ns; /* first backoff (default 200 ms), doubled up to retry_cap_ns */
	uint64_t retry_cap_ns;	/* default 30 s */
	/* Added (0 = default): */
	uint64_t connect_timeout_ns; /* HTTP connect timeout (default 5 s) */
	uint64_t timeout_ns;	     /* HTTP request timeout, whole transfer (default 10 s) */
	uint64_t resolve_ns;	     /* Alertmanager endsAt = now + this (default 1 h) */
};

/* NULL opts = defaults. Returns NULL and sets errno on failure. */
struct vigil_alerts *vigil_alerts__new(const struct vigil_alerts_opts *opts);
/*
 * Adds a sink: one of the kinds vigil_alerts__sink_usage lists (stdout, file:PATH, webhook:URL,
 * ...). Network sinks accept ";key=value" options after the address (batch=N,
 * wait=DUR, retries=N, queue=N, timeout=DUR; HTTP: header=NAME: VALUE, cacert=PATH;
 * alertmanager: resolve=DUR; syslog: facility=NAME), see docs/ALERTS.md. Starts the sink's thread. 0 or a negative errno (err
 * says why).
 */
int vigil_alerts__add_sink(struct vigil_alerts *a, const char *spec, struct vigil_error *err);
/*
 * Hands the alert (a JSON object) to every sink. Does not take ownership: sinks keep a deep
 * copy, with "alert_id" and "node" added when missing. Never waits for the network. 0 when
 * every sink took it, -ENOBUFS when a full queue refused it, -EIO when a file write failed
 * (the other sinks still got it; both are counted in the stats), -EINVAL/-EMSGSIZE for an
 * alert that is not an object or is larger than 1 MiB serialised.
 */
int vigil_alerts__emit(struct vigil_alerts *a, struct json_t *alert);
/* The kinds of sink, as a usage line ("stdout, file:PATH, webhook:URL, ... or syslog[...]"). */
void vigil_alerts__sink_usage(char *buf, size_t size);
/* Waits up to timeout_ns for queued alerts to be delivered. 0 when all were, -ETIMEDOUT else. */
int vigil_alerts__flush(struct vigil_alerts *a, uint64_t timeout_ns);
/* Copies up to max sink stats into out; returns the number of sinks. */
size_t vigil_alerts__stats(const struct vigil_alerts *a, struct vigil_sink_stats *out, size_t max);
/*
 * Reopens every file: sink by path (call after log rotation, e.g. on SIGHUP). The old file
 * stays in use when the new one cannot be opened. 0, or the first negative errno.
 */
int vigil_alerts__reopen(struct vigil_alerts *a);
/*
 * Health: when any sink dropped alerts since the previous call, builds a V0001 "Alerts
 * dropped" alert (docs/ALERTS.md) with every sink's counters, stores a new reference in *ret
 * (the caller json_decref()s it, usually after emitting it) and returns 1. Returns 0 and leaves
 * *ret alone when nothing was dropped, or a negative errno.
 */
int vigil_alerts__health_alert(struct vigil_alerts *a, struct json_t **ret);
/* Flushes briefly (bounded), stops threads, frees. Accepts NULL. */
void vigil_alerts__free(struct vigil_alerts *a);

#endif
