/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The uplink object shared by uplink.c (the callers' side: queue, stats, health) and
 * sender.c (the uplink's thread: spool and cockpit). Internal to sensor/uplink.
 */
#ifndef VIGIL_UPLINK_INTERNAL_H
#define VIGIL_UPLINK_INTERNAL_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sensor/uplink/client.h"
#include "sensor/uplink/credential.h"
#include "sensor/uplink/spool.h"
#include "vigil/uplink.h"

/* Beyond max_bytes, the spool keeps this much for health alerts, so a loss is reported. */
#define UPLINK_HEALTH_RESERVE (256u << 10)
#define UPLINK_SEEN_MAX	      1024 /* profiles already sent this run (by hash) */
/* While the cockpit's certificate stays refused, V0004 is raised again this often. */
#define UPLINK_TRUST_REALERT_NS (600ull * 1000000000ull)

struct uplink_item {
	enum uplink_kind kind;
	bool reserve; /* a health alert: may use the reserve */
	size_t len;
	char *text; /* compact JSON, owned */
};

struct vigil_uplink {
	/* set at open, read-only after */
	char *url, *token_file, *join_token_file, *node_token_file, *ca_file, *spool_dir;
	char node[256];
	char kernel[128];
	char boot_id[64];
	uint64_t started_mono;
	uint64_t heartbeat_ns, retry_base_ns, retry_cap_ns;
	size_t queue_max, batch_max, batch_bytes;

	/* the thread's own */
	struct uplink_client *client;
	struct uplink_spool *spool;
	char token[UPLINK_TOKEN_MAX + 1];
	unsigned attempt;	   /* consecutive failures, for the backoff */
	size_t batch_limit;	   /* records per request now (halved on 413) */
	struct uplink_item *items; /* commit_queue's buffer (qcap items) */
	uint64_t rng;

	pthread_mutex_t mu; /* everything below */
	pthread_cond_t cv_work, cv_idle;
	pthread_t thread;
	bool thread_started;
	atomic_bool abort;	/* stop now, abort a transfer in flight */
	bool draining;		/* stop once the spool is delivered (or abort comes) */
	bool busy;		/* the thread is spooling or sending */
	uint64_t backoff_until; /* no request before this (CLOCK_MONOTONIC ns) */
	struct uplink_item *q;	/* ring: q[(head + i) % cap], i < n */
	size_t qhead, qn, qcap;
	json_t *hb_state; /* the node's state for the next heartbeat, or NULL */
	uint64_t hb_seq;
	uint64_t seen[UPLINK_SEEN_MAX];
	size_t seen_next;
	uint64_t lost_reported;	     /* lost records already reported by a V0003 */
	uint64_t untrusted_reported; /* certificate refusals already reported by a V0004 */
	uint64_t trust_alert_mono;   /* when the last V0004 was raised; 0: not in this streak
				      * of refusals (a 2xx from the cockpit ends a streak) */
	struct vigil_uplink_stats st;
};

uint64_t uplink_now_mono(void);
/* The thread (sender.c). */
void *uplink_sender__main(void *arg);
/* The client's tick during a request (in the thread): moves the queue into the spool. */
void uplink_sender__tick(void *ctx);
/* The heartbeat sent for state (heartbeat.c): a new object, or NULL on ENOMEM. */
json_t *uplink_heartbeat__build(struct vigil_uplink *u, const json_t *state, uint64_t seq,
				const struct vigil_uplink_stats *st);
/* The cockpit's bounds on a heartbeat (docs/COCKPIT.md), with room for the envelope. */
#define UPLINK_HB_MAX_BYTES	((4u << 20) - (64u << 10))
#define UPLINK_HB_MAX_WORKLOADS 10000
/* hb as the text sent: workloads past those bounds left out and counted (workloads_omitted). */
char *uplink_heartbeat__text(json_t *hb);
/* Host facts the heartbeat carries, read once at open (heartbeat.c). */
void uplink_heartbeat__host_facts(struct vigil_uplink *u);
/* What the uplink lost so far: dropped + rejected + torn. */
uint64_t uplink_lost_total(const struct vigil_uplink_stats *st);

#endif
