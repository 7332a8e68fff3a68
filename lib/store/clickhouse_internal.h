/* SPDX-License-Identifier: Apache-2.0 */
/* Private to the ClickHouse backend (clickhouse*.c). */
#ifndef VIGIL_STORE_CLICKHOUSE_INTERNAL_H
#define VIGIL_STORE_CLICKHOUSE_INTERNAL_H

#include <curl/curl.h>

#include "store/store_internal.h"

#define CH_MAX_SHARDS 16

/* One HTTP connection to the server (kept alive): the store's own, and one per table for
 * the inserts a flush sends at once (ch_flush). */
struct ch_conn {
	CURL *curl;
	char errbuf[CURL_ERROR_SIZE];
};

/* What inserts on a connection did, added to the store's stats by the flushing thread. */
struct ch_tally {
	uint64_t rows, batches, retries;
};

struct ch {
	struct ch_conn conn;	     /* queries, and inserts one at a time */
	struct ch_conn *ins[T__MAX]; /* per table: a flush's inserts, an incident's reads at once */
	char base[512];		     /* http://host:port/ : every query and insert goes here */
	char db[64];
	char cluster[64];		 /* "" = one server; else tables are Distributed */
	char shards[CH_MAX_SHARDS][512]; /* shard=... URLs where the local tables are made */
	size_t nshards;
	struct vigil_buf q[T__MAX]; /* queued JSONEachRow lines */
	size_t nrows[T__MAX];
	char batch[T__MAX][33];
	json_t *queued_keys[T__MAX]; /* PUT_IGNORE tables: keys queued and not yet flushed */
	/* prefetched for the writer's group (ch_prefetch): the keys asked, those stored */
	json_t *pf_asked, *pf_stored;
	enum store_table_id pf_table;
	/* incident ids taken over from another node: its report rows to delete, once the flush
	 * stored the take (taken_queued until then) */
	json_t *taken, *taken_queued;
	uint64_t taken_next_ns; /* no mutation for them before (clickhouse_taken.c) */
	/* incident id -> node of the incident rows queued, and of those in the spool
	 * (clickhouse_owners.c: s->pending is both) */
	json_t *queued_owners, *spool_owners;
	uint64_t seq;
	uint64_t next_replay_ns;
	uint64_t backoff_ns;
	bool schema_ok;
	bool no_db; /* the database may not exist yet: run in "system" */
};

/*
 * One request to base (or to url when not NULL): with body, sql goes in the URL and body is
 * the data (INSERT); without, sql is the body. resp (may be NULL) gets the answer.
 */
int ch_http(struct vigil_store *s, const char *url, const char *sql, const char *body, size_t len,
	    struct vigil_buf *resp, struct vigil_error *err);
/* A connection set up as the store's own (timeouts, no signals); NULL on ENOMEM. */
struct ch_conn *ch_conn_new(struct vigil_store *s);
int ch_conn_init(struct vigil_store *s, struct ch_conn *k);
void ch_conn_free(struct ch_conn *k);
/* ch_insert_retry on connection k, touching nothing of the store but reading it: what it
 * did goes to tally (so inserts of several tables may run at once, each on its own k). */
int ch_insert_retry_on(struct vigil_store *s, struct ch_conn *k, const char *table,
		       const char *batch, const char *body, size_t len, size_t nrows,
		       struct ch_tally *tally, struct vigil_error *err);
/* Rows with this batch id in table (to learn whether an insert whose answer was lost landed). */
int ch_count_batch(struct vigil_store *s, const char *table, const char *batch, long *ret);
int ch_insert_once(struct vigil_store *s, const char *table, const char *batch, const char *body,
		   size_t len, size_t nrows, struct vigil_error *err);
int ch_insert_retry(struct vigil_store *s, const char *table, const char *batch, const char *body,
		    size_t len, size_t nrows, struct vigil_error *err);
/* Inserts the queued rows of the n tables at once, each on its own connection and thread
 * (clickhouse_inserts.c); rc[table] and errs[table] (when not NULL) get each outcome. */
void ch_insert_tables(struct vigil_store *s, const enum store_table_id *tables, size_t n,
		      int rc[T__MAX], struct vigil_error *errs);
/* Appends v as a ClickHouse string literal ('...' with \ and ' escaped). */
int ch_quote(struct vigil_buf *b, const char *v);
int ch_query(struct vigil_store *s, const char *sql, const struct store_arg *args, size_t nargs,
	     json_t **ret, struct vigil_error *err);
/*
 * sql (no FORMAT) with tsv as the external table name (its columns in structure, e.g.
 * "alert_id String"), sent as multipart data the query reads by name: a set of thousands of
 * values travels as data, not as literals 18.16 parses one by one (clickhouse.c's lookups).
 */
int ch_query_external(struct vigil_store *s, const char *sql, const char *name,
		      const char *structure, const char *tsv, size_t len, json_t **ret,
		      struct vigil_error *err);
/* Appends v escaped for a TabSeparated field (\\, tab, newline, carriage return). */
int ch_tsv_escape(struct vigil_buf *b, const char *v);
/* ch_query on connection k, reading the store only (queries at once, each on its own k). */
int ch_query_on(struct vigil_store *s, struct ch_conn *k, const char *sql,
		const struct store_arg *args, size_t nargs, json_t **ret, struct vigil_error *err);

/* The alerts and newest report rows of incident id (a whole id), by table, asked at once
 * (clickhouse_incident.c); the caller releases children[T_REPORT_FIRST..T_REPORT_LAST]. */
int ch_incident_children(struct vigil_store *s, const char *id, json_t *children[T__MAX],
			 struct vigil_error *err);

int ch_create_schema(struct vigil_store *s, struct vigil_error *err);
/* The alert counters per minute and the views that keep them, on url (clickhouse_counters.c):
 * local, the tables of a server holding alerts; distributed, the tables over a cluster's. */
int ch_create_counters(struct vigil_store *s, const char *url, bool local, bool distributed,
		       struct vigil_error *err);
/* The fleet list's node_list and the views that keep it, the same way (clickhouse_node_list.c). */
int ch_create_node_list(struct vigil_store *s, const char *url, bool local, bool distributed,
			struct vigil_error *err);
/* Whether db.name exists on url (NULL: the store's server). */
int ch_table_exists(struct vigil_store *s, const char *url, const char *name, bool *ret,
		    struct vigil_error *err);

/* Deletes the report rows of the incidents in c->taken (clickhouse_taken.c): when now, or
 * when their time has come (at most one set of mutations per interval). */
int ch_drop_taken(struct vigil_store *s, bool now);

/* The spool: batches kept on disk while the server is down, replayed in order. */
uint64_t ch_spool_bytes(const char *dir);
int ch_spool_write(struct vigil_store *s, const char *table, const char *batch, const char *body,
		   size_t len, size_t nrows, const char *suffix);
int ch_spool_replay(struct vigil_store *s, struct vigil_error *err);

/* The spool's batch files (names only, malloc'ed), oldest first. */
int ch_spool_names(const char *dir, char ***names, size_t *n);

#define CH_SPOOL_SUFFIX ".jsonl"

/* Incident owners not yet visible to a lookup (clickhouse_owners.c). */
/* An incident row (with its node) was queued: its id is that node's from now on. */
int ch_owner_queued(struct vigil_store *s, const json_t *row);
/* The incidents queued were stored (spooled false) or spooled. */
int ch_owners_flushed(struct vigil_store *s, bool spooled);
/* The incidents queued were dropped. */
int ch_owners_discard(struct vigil_store *s);
/* Reads the owners of the spool's incident batches again (at open, after a replay). */
int ch_owners_scan_spool(struct vigil_store *s);
void ch_owners_release(struct vigil_store *s);

#endif
