/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The uplink: how an agent reports to its cockpit (docs/AGENT.md §11, the contract in
 * docs/COCKPIT.md). Alerts, incident reports and profiles go through a bounded on-disk spool
 * and are removed from it only when the cockpit answered that it stored them; the heartbeat
 * (the node's current state) is sent every interval and never spooled: only the newest one
 * matters. Nothing here waits for the network: the callers' threads only queue, one thread of
 * the uplink's own does the disk and the HTTP.
 *
 * Delivery is at least once: a record is re-sent until a 2xx says stored, and the cockpit
 * de-duplicates by alert_id (alerts), incident_id (reports) and digest (profiles). What the
 * uplink cannot keep (its queue or spool full, a record the cockpit refuses for good, damage
 * found on disk) is counted and reported by vigil_uplink__health_alert (V0003).
 *
 * Threads: every function may be called from any thread, except vigil_uplink__free, which
 * must be the last call.
 */
#ifndef VIGIL_UPLINK_H
#define VIGIL_UPLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil/error.h"

struct json_t;
struct vigil_uplink;

struct vigil_uplink_opts {
	const char *url;	     /* the cockpit's base URL (vigil_uplink__check_url) */
	const char *token_file;	     /* the node token, one line; or NULL and: */
	const char *join_token_file; /* enrol with this one-time token ... */
	const char *node_token_file; /* ... and keep the node token here (0600) */
	const char *ca_file;	     /* pinned CA bundle (PEM); NULL = the system's CAs */
	const char *node_name;	     /* enrolment name; default the host name */
	const char *spool_dir;	     /* required */
	uint64_t spool_max_bytes;    /* 0 = 64 MiB */
	uint64_t heartbeat_ns;	     /* 0 = 10 s */
	uint64_t connect_timeout_ns; /* 0 = 5 s */
	uint64_t timeout_ns;	     /* a whole request, 0 = 10 s; + 1 s per 256 KiB of body */
	uint64_t retry_base_ns;	     /* first backoff, 0 = 200 ms; doubled up to: */
	uint64_t retry_cap_ns;	     /* 0 = heartbeat_ns */
	size_t queue_max;	     /* items waiting for the spool, 0 = 10 000 */
	size_t batch_max;	     /* records per request, 0 = 500 */
	size_t batch_bytes;	     /* request body, 0 = 4 MiB */
};

enum vigil_uplink_kind {
	VIGIL_UPLINK_ALERT = 0,
	VIGIL_UPLINK_REPORT,
	VIGIL_UPLINK_PROFILE,
	VIGIL_UPLINK_NKINDS,
};

struct vigil_uplink_stats {
	/* per kind (enum vigil_uplink_kind) */
	uint64_t queued[VIGIL_UPLINK_NKINDS];	  /* handed to the uplink */
	uint64_t accepted[VIGIL_UPLINK_NKINDS];	  /* stored by the cockpit */
	uint64_t duplicates[VIGIL_UPLINK_NKINDS]; /* the cockpit had them already */
	uint64_t rejected[VIGIL_UPLINK_NKINDS];	  /* refused for good (4xx, or per item) */
	uint64_t dropped[VIGIL_UPLINK_NKINDS]; /* never spooled: queue or spool full, too large */
	uint64_t dropped_health; /* of dropped alerts, health alerts (V...): not news for a V0003 */
	uint64_t waiting;	 /* queued in memory, not yet in the spool */
	/* the spool */
	uint64_t spool_items, spool_bytes, spool_max_bytes;
	uint64_t spool_torn, spool_torn_bytes, spool_recovered;
	/* requests */
	uint64_t requests;	/* every POST */
	uint64_t failures;	/* no answer, 5xx, 408, 429, 3xx, a 2xx without counts: retried */
	uint64_t auth_failures; /* 401, 403: the credential was refused (kept, retried) */
	uint64_t untrusted; /* the cockpit's certificate was refused (pinned CA): nothing sent */
	uint64_t heartbeats_sent, heartbeats_failed;
	uint64_t enrolments;
	uint64_t reports_thinned; /* reports sent with fewer events/alerts to fit (thin.c) */
	bool connected;		  /* the last request was answered 2xx */
	bool have_token;	  /* a node token is known (given, or from enrolment) */
	long last_status;	  /* HTTP status of the last answer, 0 for none */
	int64_t last_ok_unix;	  /* when the cockpit last answered 2xx (0: never) */
	char last_error[160];	  /* the last failure, "" when none */
	char spool_error[160];	  /* the last failure of the spool's disk (ENOSPC...), "" none */
};

/*
 * Checks a cockpit URL: http(s)://HOST[:PORT][/PREFIX], no user, query or fragment, and
 * plain http only to a loopback address. 0, or -EINVAL with why (size bytes) filled.
 */
int vigil_uplink__check_url(const char *url, char *why, size_t size);

/*
 * Opens the spool (replaying what an earlier run left) and starts the uplink's thread.
 * Connects to nothing yet: a cockpit that is down is retried in the background. Fails on
 * bad options, an unreadable token file or an unusable spool (err says which).
 */
int vigil_uplink__open(const struct vigil_uplink_opts *o, struct vigil_uplink **ret,
		       struct vigil_error *err);

/*
 * Queue one record (a JSON object, copied; never waits). An alert must carry "alert_id", a
 * report "incident_id"; a profile is {"workload":{..},"kind":"learned"|"in_force","name",
 * "digest","signer","completion","yaml"}. 0, -ENOBUFS when the queue is full (counted),
 * -EINVAL for a record without its id, -EMSGSIZE for one larger than the spool takes (a
 * report that large is first sent with fewer events and alerts, said in its "uplink_omitted").
 * Health alerts (rule_id V...) may use a reserve when full, so losses can be reported.
 */
int vigil_uplink__alert(struct vigil_uplink *u, const struct json_t *alert);
int vigil_uplink__report(struct vigil_uplink *u, const struct json_t *report);
int vigil_uplink__profile(struct vigil_uplink *u, const struct json_t *profile);
/*
 * The node's current state for the next heartbeat (replaces one not yet sent): the
 * caller's fields (hooks, sensor, sinks, workloads; docs/COCKPIT.md), to which the uplink
 * adds time, seq, node, version, kernel, uptime_s, boot_id, spool and its own sink counters.
 */
int vigil_uplink__heartbeat(struct vigil_uplink *u, const struct json_t *state);

void vigil_uplink__stats(struct vigil_uplink *u, struct vigil_uplink_stats *ret);
/* The stats as a JSON object (new reference), for status files and metrics; NULL on ENOMEM. */
struct json_t *vigil_uplink__stats_json(struct vigil_uplink *u);
/*
 * V0003 "Cockpit uplink lost data": when records were dropped, refused for good or found
 * damaged since the last call, stores a new alert in *ret and returns 1; 0 when nothing was
 * lost; a negative errno.
 */
int vigil_uplink__health_alert(struct vigil_uplink *u, struct json_t **ret);
/*
 * V0004 "Cockpit certificate refused": when the cockpit's address answered with a
 * certificate the pinned CA does not accept since the last call (someone else may be
 * answering there; nothing was sent to it, the records wait in the spool), stores a new
 * alert in *ret and returns 1; 0 when not; a negative errno. Raised when refusals start,
 * then at most every 10 minutes while they go on (a 2xx from the cockpit ends them).
 */
int vigil_uplink__trust_alert(struct vigil_uplink *u, struct json_t **ret);
/*
 * Waits up to timeout_ns until everything queued is spooled and the spool is empty (the
 * cockpit stored it all). 0, or -ETIMEDOUT.
 */
int vigil_uplink__flush(struct vigil_uplink *u, uint64_t timeout_ns);
/*
 * Spools what is queued, tries for up to timeout_ns to deliver the spool, stops the thread
 * (aborting a request in flight) and frees. What was not delivered stays in the spool for
 * the next run. Accepts NULL.
 */
void vigil_uplink__free(struct vigil_uplink *u, uint64_t timeout_ns);

#endif
