/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The evidence store: one interface, two backends, chosen by a spec string.
 *
 *   sqlite:PATH                  embedded (default sqlite:/var/lib/vigil/evidence.db)
 *   clickhouse:http://HOST:PORT[/DATABASE]   ClickHouse over HTTP (default database "vigil")
 *
 * Both hold the same logical schema (docs/EVIDENCE.md): tables incidents, alerts, events,
 * processes, destinations, flows, files, and the fleet's (vigil/store_fleet.h). Data moves in and out as jansson JSON objects shaped
 * like the incident report (sensor/zoom builds it):
 *
 *   { "incident_id", "workload": {...}, "state": "open"|"closed", "opened_ns", "start_ns",
 *     "end_ns", "summary", "alerts": [alert records], "events": [...], "processes": [...],
 *     "destinations": [...], "flows": [...], "files": [...], ... }
 *
 * Writes are batched: put_* queue rows, flush writes them (SQLite: one transaction; ClickHouse:
 * one JSONEachRow INSERT per table, rows checked, retried with backoff, spooled to disk when
 * the server is down and replayed by a later flush). Not thread-safe: one thread uses a store.
 */
#ifndef VIGIL_STORE_H
#define VIGIL_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil/error.h"

struct json_t;
struct vigil_store;

#define VIGIL_STORE_DEFAULT "sqlite:/var/lib/vigil/evidence.db"

struct vigil_store_opts {
	/* Retention (SQLite; ClickHouse leaves retention to the server's administrator): the
	 * incidents that arrived first, with all their rows, are deleted past any limit; ages
	 * count from arrival. 0 = no limit. */
	uint64_t max_bytes;	/* default 1 GiB */
	uint64_t max_incidents; /* default 0 */
	uint64_t max_age_ns;	/* default 30 days */
	/* ClickHouse */
	const char *spool_dir;	  /* NULL = no spool: a failed flush returns its error */
	uint64_t spool_max_bytes; /* default 256 MiB; a batch that does not fit is counted lost */
	unsigned retries;	  /* attempts per flush before spooling, default 3 */
	uint64_t retry_base_ns;	  /* first backoff, doubled per attempt (default 100 ms) */
	uint64_t retry_cap_ns;	  /* cap of the backoff between spool replays (default 30 s) */
	uint64_t http_timeout_ns; /* per request, default 10 s */
	size_t batch_rows;	  /* flush automatically when a table queues this many (10 000) */
	bool create_schema;	  /* create tables when missing (default true via opts NULL) */
	size_t cache_bytes;	  /* SQLite page cache of this handle; 0 = SQLite's default */
	bool read_only;		  /* open for reading only (vigil evidence) */
	/* SQLite: a query statement running longer is interrupted and fails with -ETIMEDOUT
	 * (the cockpit's readers: an analyst's search must not hold a reader for minutes).
	 * 0 = no bound. ClickHouse queries are bounded by http_timeout_ns. */
	uint64_t query_timeout_ns;
	/* SQLite: a query whose rows pass this many bytes stops and fails with -E2BIG (what a
	 * reader holds for one answer). 0 = no bound. */
	size_t query_max_bytes;
	/* vigil_store__get: at most this many of an incident's alerts (the first by time), the
	 * rest counted in the report's "alerts_omitted" (the cockpit's page; an incident of a
	 * million alerts is paged through the alert list). 0 = all (vigil evidence). */
	size_t max_report_alerts;
};

struct vigil_store_stats {
	uint64_t rows_written; /* confirmed by the backend */
	uint64_t batches_written;
	uint64_t retries;
	uint64_t spooled_batches; /* written to the spool */
	uint64_t replayed_batches;
	uint64_t spool_bytes;	    /* in the spool now */
	uint64_t lost_batches;	    /* spool full */
	uint64_t retention_deleted; /* incidents deleted by retention */
};

/* Fills opts with the defaults above. */
void vigil_store_opts__init(struct vigil_store_opts *opts);

/*
 * Opens (and creates, unless read_only) the store named by spec. NULL opts = defaults.
 * On success *ret is owned by the caller (vigil_store__free).
 */
int vigil_store__open(const char *spec, const struct vigil_store_opts *opts,
		      struct vigil_store **ret, struct vigil_error *err);
/* Flushes what is queued (errors are not reported: call flush first to see them), frees. */
void vigil_store__free(struct vigil_store *s);

/* "sqlite" or "clickhouse". */
const char *vigil_store__backend(const struct vigil_store *s);

/*
 * Queues one alert of an incident (alert record as in docs/ALERTS.md; "incident_id" inside it
 * is used when incident_id is NULL). Alerts are unique by alert_id (one is derived from the
 * record's content when it has none): writing the same alert twice stores it once. Does not
 * take ownership.
 */
int vigil_store__put_alert(struct vigil_store *s, const char *incident_id,
			   const struct json_t *alert);
/*
 * Queues a whole incident report: the incident row (a newer one replaces an older one with
 * the same id) and its child rows (replacing the children stored before for that incident,
 * so a report can be written while open and again when closed). Does not take ownership.
 */
int vigil_store__put_report(struct vigil_store *s, const struct json_t *report);

/* Writes what is queued (and replays the spool). 0, or -errno (data then kept or spooled). */
int vigil_store__flush(struct vigil_store *s, struct vigil_error *err);
/* Drops what is queued and not yet written (after a failed flush whose sender will retry). */
void vigil_store__discard(struct vigil_store *s);

/*
 * Incidents, newest first, at most limit (0 = 100): a JSON array of incident rows (id,
 * workload, state, window, counts, summary). *ret owned by the caller (json_decref).
 */
int vigil_store__list(struct vigil_store *s, size_t limit, struct json_t **ret,
		      struct vigil_error *err);
/*
 * The full report of one incident, reassembled from the tables. A unique prefix of the id
 * is accepted. -ENOENT when absent. *ret owned by the caller.
 */
int vigil_store__get(struct vigil_store *s, const char *id, struct json_t **ret,
		     struct vigil_error *err);

int vigil_store__stats(const struct vigil_store *s, struct vigil_store_stats *ret);

#endif
