/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fleet part of the store (vigil/store.h): what the cockpit writes for every node (alerts
 * and reports with their node, heartbeats, workloads, profiles, credentials) and the queries
 * its API answers. Same backends, same rules: writes are queued and made durable by
 * vigil_store__flush; not thread-safe (one thread per store handle).
 *
 * Every function taking a json_t does not take ownership unless it says so; every *ret is
 * owned by the caller (json_decref).
 */
#ifndef VIGIL_STORE_FLEET_H
#define VIGIL_STORE_FLEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil/store.h"

struct json_t;

/* Where a batch of items comes from. */
/* A piece of a request's body: one item's JSON text as it was sent. */
struct vigil_text {
	const char *p;
	size_t len;
};

struct vigil_ingest {
	const char *node;   /* set on every item (from the credential); NULL keeps the item's */
	uint64_t now_ns;    /* arrival time */
	bool need_alert_id; /* alerts without alert_id are rejected (else one is derived) */
	/* per item, the text it was parsed from (NULL: not known): an alert with its id and
	 * time keeps that text as its record, with the fields the cockpit adds appended */
	const struct vigil_text *texts;
};

/* The outcome of one item of a batch. */
struct vigil_item_result {
	int status; /* 0 stored, 1 duplicate (stored before), negative errno: rejected */
	char why[160];
};

/*
 * Queues alert records (a JSON array; each object is completed in place: node, time,
 * incident_id, alert_id). An alert without incident_id joins its node+workload+hour incident
 * (vigil_store__loose_incident_id); an incident the store has no row for gets a placeholder
 * row that the report replaces. res has one entry per item. Returns 0 or a store error.
 */
int vigil_store__ingest_alerts(struct vigil_store *s, const struct vigil_ingest *in,
			       struct json_t *alerts, struct vigil_item_result *res);
/*
 * The same in two steps, so the work that needs no store (checking and completing the alerts,
 * making their rows) can run on other threads than the one that writes: prepare fills res
 * for the rejected items and *ret (vigil_store_prepared__free); put_prepared queues the rows
 * and fills res for the others (stored or duplicate). alerts must outlive neither: *ret owns
 * what it needs.
 */
struct vigil_store_prepared;
int vigil_store__prepare_alerts(const struct vigil_ingest *in, struct json_t *alerts,
				struct vigil_item_result *res, struct vigil_store_prepared **ret);
int vigil_store__put_prepared(struct vigil_store *s, struct vigil_store_prepared *p,
			      struct vigil_item_result *res);
void vigil_store_prepared__free(struct vigil_store_prepared *p);
/*
 * The same preparation from a body's text as sent (a JSON array of alerts), without parsing
 * it into a tree (lib/store/ingest_text.c): 0 and *ret with *n items, every one of them to be
 * stored (in->node must be set: an alert naming another node declines). 1: the body is not
 * the plain case (not an array of at most max alerts that all have a valid alert_id and time,
 * ...; invalid or unsure JSON): nothing done, parse it and call prepare_alerts. -ENOMEM.
 */
int vigil_store__prepare_alerts_text(const struct vigil_ingest *in, const char *body, size_t len,
				     size_t max, struct vigil_store_prepared **ret, size_t *n);
/* The rows and placeholders of a preparation, to compare both ways of making it (borrowed). */
void vigil_store_prepared__rows(const struct vigil_store_prepared *p, struct json_t **rows,
				struct json_t **placeholders);
/*
 * Before put_prepared of several requests (the cockpit's writer group): asks the store once
 * which of their alerts are stored already and who owns their incidents, so each put_prepared
 * after it needs no round trip of its own (a remote store: ClickHouse; a local one ignores
 * this). n = 0 forgets what was asked; so do flush and discard. Errors are not returned: each
 * put_prepared then asks for itself.
 */
void vigil_store__prefetch_alerts(struct vigil_store *s, struct vigil_store_prepared *const *p,
				  size_t n);
/* Queues one incident report (completed in place: node; received time). res: one entry. */
int vigil_store__ingest_report(struct vigil_store *s, const struct vigil_ingest *in,
			       struct json_t *report, struct vigil_item_result *res);
/*
 * Incident ownership (lib/store/owner.c): *ret maps each id of the object ids (its keys) that
 * the store holds to the node it belongs to. A node's write that names an incident of another
 * node is refused: the alerts and reports above leave such an item rejected with -EACCES
 * (and the other alerts of the call with -ECANCELED)
 * (nothing of the call stored) when in->node is set.
 */
int vigil_store__incident_nodes(struct vigil_store *s, const struct json_t *ids,
				struct json_t **ret);
/* The node owning id in owners when it is not node, else NULL. */
const char *vigil_store__foreign_owner(const struct json_t *owners, const char *id,
				       const char *node);
/* The id of the incident an alert without one joins: 32 hex digits into out. */
void vigil_store__loose_incident_id(const char *node, const struct json_t *alert, uint64_t alert_ns,
				    char out[33]);

/* A node's heartbeat: the node row, and its workload list when that changed. */
int vigil_store__put_heartbeat(struct vigil_store *s, const char *node,
			       const struct json_t *heartbeat, uint64_t now_ns);
/*
 * One profile (fields as in POST /api/v1/profiles, already checked by the caller). *dup is
 * set when the same (node, workload, namespace, kind, digest) is stored already.
 */
int vigil_store__put_profile(struct vigil_store *s, const char *node, const struct json_t *profile,
			     uint64_t now_ns, bool *dup);

/* ---- credentials ------------------------------------------------------------------------- */

struct vigil_credential {
	char token_hash[65]; /* sha256 hex of the token */
	char kind[8];	     /* "node" or "join" */
	char node[256];	     /* node tokens */
	uint64_t version;    /* when this row was written (ns) */
	uint64_t created_ns, expires_ns, revoked_ns;
	uint32_t uses; /* join tokens */
};

/* Writes (or supersedes: same token_hash, newer version) a credential. Flush to make durable. */
int vigil_store__put_credential(struct vigil_store *s, const struct vigil_credential *c);
/*
 * Credentials whose version is >= since_ns (0: all), the newest row of each token, as an
 * array of objects with the fields of struct vigil_credential plus "enrolments" (join tokens:
 * how many enrolments used it).
 */
int vigil_store__credentials(struct vigil_store *s, uint64_t since_ns, struct json_t **ret,
			     struct vigil_error *err);
/* Records an enrolment with a join token (join_hash) that issued token_hash to node. */
int vigil_store__put_enrolment(struct vigil_store *s, const char *join_hash, const char *node,
			       const char *token_hash, uint64_t now_ns);
/* How many enrolments used this join token. */
int vigil_store__enrolments(struct vigil_store *s, const char *join_hash, uint64_t *ret,
			    struct vigil_error *err);

/* ---- queries ----------------------------------------------------------------------------- */

struct vigil_query {
	const char *node, *workload, *namespace_, *rule, *incident, *kind, *q;
	uint64_t since_ns, until_ns; /* 0 = unbounded */
	size_t limit;		     /* 0 = the function's default */
	uint64_t now_ns;	     /* judging online/stale, "last hour" */
	uint64_t *total;	     /* when set: how many match, without the limit */
};

/* Incidents newest first with counts from their alerts. */
int vigil_store__incidents(struct vigil_store *s, const struct vigil_query *f, struct json_t **ret,
			   struct vigil_error *err);
/* Alert records newest first (node, incident_id, received_ns filled). */
int vigil_store__alerts(struct vigil_store *s, const struct vigil_query *f, struct json_t **ret,
			struct vigil_error *err);
/* Alert counts per bucket of bucket_ns from since_ns to until_ns: [{"t_ns","count"}...]. */
int vigil_store__alert_counts(struct vigil_store *s, const struct vigil_query *f,
			      uint64_t bucket_ns, struct json_t **ret, struct vigil_error *err);
/* One page of the fleet list (GET /api/v1/nodes). */
struct vigil_nodes_page {
	const char *status; /* "online", "stale", "offline"; NULL: any */
	const char *q;	    /* in the name, agent version, kernel or status (any case); NULL: any */
	/* NULL or "name"; "trouble" (offline, stale, then online; the most data lost first),
	 * "seen" (longest silent first), "version", "workloads", "alerts" (last hour), "drops"
	 * (most first); equal ones by name */
	const char *sort;
	uint64_t offset;
	size_t limit; /* 0: the totals only */
	uint64_t now_ns;
};
/*
 * *ret = {"nodes": [the page], "total": how many match, "offset", "summary": the whole fleet's
 * nodes, online, stale, offline, workloads, alerts_1h, unhealthy, and the version most run},
 * the entries as vigil_store__nodes gives them. Filtered, sorted and paged by the store, so
 * the cost is the page's, not every node's JSON. -EOPNOTSUPP: this backend cannot; list them
 * all (vigil_store__nodes) and page that. -EINVAL: an unknown sort or status.
 */
int vigil_store__nodes_page(struct vigil_store *s, const struct vigil_nodes_page *p,
			    struct json_t **ret, struct vigil_error *err);
/* Nodes (heartbeat rows and credentials) by name; f->node picks one (then with heartbeat). */
int vigil_store__nodes(struct vigil_store *s, const struct vigil_query *f, struct json_t **ret,
		       struct vigil_error *err);
int vigil_store__workloads(struct vigil_store *s, const struct vigil_query *f, struct json_t **ret,
			   struct vigil_error *err);
/* Profiles without YAML, newest first, with "current". */
int vigil_store__profiles(struct vigil_store *s, const struct vigil_query *f, struct json_t **ret,
			  struct vigil_error *err);
/* The newest profile row with this digest ("sha256:HEX"), with "yaml". -ENOENT when absent. */
int vigil_store__profile(struct vigil_store *s, const char *digest, struct json_t **ret,
			 struct vigil_error *err);

#endif
