/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared inside the cockpit: the server (server.c: loop, http.c: requests, conn.c:
 * connection deadlines), the credential cache (auth.c), the work queues and their threads
 * (work.c), the API handlers (api*.c), metrics (metrics.c) and assets.
 */
#ifndef VIGIL_COCKPIT_INTERNAL_H
#define VIGIL_COCKPIT_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <microhttpd.h>

#include "cockpit/cockpit.h"
#include "util/buf.h"
#include "util/clock.h"

struct vigil_store;
struct vigil_store_prepared;
struct vigil_item_result;

/* ---- metrics ----------------------------------------------------------------------------- */

enum ingest_ep {
	EP_ALERTS,
	EP_REPORTS,
	EP_HEARTBEAT,
	EP_PROFILES,
	EP_ENROLL,
	EP__MAX
};
enum ingest_result {
	RES_ACCEPTED,
	RES_DUPLICATE,
	RES_REJECTED,
	RES__MAX
};
enum reject_cause {
	REJ_UNAUTHENTICATED, /* no or unknown token */
	REJ_REVOKED,	     /* a revoked node token */
	REJ_FORBIDDEN,	     /* right token, wrong role or another node's data */
	REJ_TOO_LARGE,
	REJ_BUSY,    /* queue or memory budget full: 503 */
	REJ_TIMEOUT, /* connection cut at a deadline */
	REJ_SHED,    /* connection closed to keep room for new clients */
	REJ_PER_IP,  /* connection refused: its address holds its share already */
	REJ_BAD_REQUEST,
	REJ_STORE, /* the store failed: 503 */
	REJ_RATE,  /* a node over its write rate: 429 */
	REJ__MAX
};

#define LAT_BUCKETS 14

struct cockpit_metrics {
	atomic_ullong ingest[EP__MAX][RES__MAX];
	atomic_ullong rejected[REJ__MAX];
	atomic_ullong requests;
	/* store latency (s) histograms: [0] writes (one group commit), [1] reads */
	atomic_ullong lat_bucket[2][LAT_BUCKETS + 1];
	atomic_ullong lat_sum_us[2];
	atomic_ullong lat_count[2];
	atomic_ullong connections;
	atomic_ullong queued[2];      /* jobs waiting: writes, reads */
	atomic_ullong inflight_bytes; /* bodies held */
	atomic_ullong nodes[3];	      /* online, stale, offline (from the refresher) */
	atomic_ullong store_rows_written;
	atomic_ullong credentials_loaded;
};

void cockpit_metrics_latency(struct cockpit_metrics *m, int which, uint64_t ns);
/* Prometheus text exposition of everything above. Returns a malloc'd string. */
char *cockpit_metrics_render(const struct cockpit_metrics *m, const char *backend);

/* ---- credentials ------------------------------------------------------------------------- */

enum cred_verdict {
	CRED_NONE,    /* no Authorization header */
	CRED_UNKNOWN, /* a token nobody issued */
	CRED_REVOKED, /* a node token that was revoked */
	CRED_ANALYST,
	CRED_NODE,
	CRED_JOIN, /* a join token with uses left, not expired */
	CRED_JOIN_SPENT,
};

struct cockpit_auth;

struct cockpit_auth *cockpit_auth_new(const char *analyst_token);
void cockpit_auth_free(struct cockpit_auth *a);
/* What "Authorization: Bearer TOKEN" (header value, may be NULL) is; node name or join hash
 * into who (256 bytes). Thread-safe. */
enum cred_verdict cockpit_auth_check(struct cockpit_auth *a, const char *header, char *who,
				     size_t size);
/* Merges credential rows (vigil_store__credentials) into the cache. */
void cockpit_auth_merge(struct cockpit_auth *a, const json_t *rows);
/* The active node tokens of node (0 when none). */
size_t cockpit_auth_active_tokens(struct cockpit_auth *a, const char *node);
uint64_t cockpit_auth_last_version(struct cockpit_auth *a);

/* ---- requests and the API ---------------------------------------------------------------- */

enum route {
	R_NOT_FOUND,
	R_METHOD,  /* known path, wrong method */
	R_ASSET,   /* the page */
	R_HEALTH,  /* answered by the loop */
	R_METRICS, /* answered by the loop */
	R_READ,	   /* analyst; a reader thread */
	R_WRITE,   /* node token; the writer */
	R_ENROLL,  /* join token; the writer */
};

/* One API request as the worker threads see it. */
struct cockpit_req {
	enum route route;
	enum ingest_ep ep; /* R_WRITE, R_ENROLL */
	char method[8];
	char path[512];
	json_t *args;	/* query arguments, name -> string (owned) */
	char node[256]; /* R_WRITE: from the credential; R_ENROLL: the join token's hash */
	struct vigil_buf body;
	uint64_t now_ns;
	/* filled by write handlers: what the group commit makes durable */
	bool wrote;
	uint64_t counts[RES__MAX];
	json_t *new_cred; /* R_ENROLL: the credential row to add to the cache once durable */
	/* R_WRITE, filled by cockpit_ingest_prepare on a reader */
	bool ready;			       /* prepared: items/res/prepared are set */
	size_t nitems;			       /* items in the body */
	json_t *items;			       /* the body's items */
	struct vigil_text *texts;	       /* alerts: each item's text in body (or NULL) */
	struct vigil_item_result *res;	       /* per item */
	struct vigil_store_prepared *prepared; /* alerts' rows */
};

/*
 * The items of a write's body (an array; one object is left as it is). With spans, an array
 * gives each element's text in body too (*spans, malloc'd; NULL when the body was parsed
 * whole). NULL: err says why the body is not JSON.
 */
json_t *cockpit_batch_parse(const char *body, size_t len, size_t max, struct vigil_text **spans,
			    json_error_t *err);

/* Frees what a request holds (args, body, prepared items). */
void cockpit_req_release(struct cockpit_req *req);

struct cockpit_reply {
	unsigned status;
	unsigned retry_after; /* seconds, sent as Retry-After (0: none; 503 says 1) */
	json_t *body;	      /* owned; NULL means out of memory */
	char *text;	      /* instead of body: a text answer (metrics), owned */
	const char *type;
};

/* What a worker thread has: its store handle and the cockpit. */
struct cockpit_ctx {
	struct vigil_cockpit *c;
	struct vigil_store *store;
	bool writes_only; /* the preparer: takes only writes from the read queue */
};

/* Routes a path and method (no side effects). */
enum route cockpit_route(const char *method, const char *path, enum ingest_ep *ep);
/* Runs one request (reads, or writes without the flush: the writer flushes its group). */
void cockpit_api(struct cockpit_ctx *ctx, struct cockpit_req *req, struct cockpit_reply *r);
void cockpit_reply_error(struct cockpit_reply *r, unsigned status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The health answer (full or the probe's {"status":"ok"}). */
void cockpit_health(struct vigil_cockpit *c, bool full, struct cockpit_reply *r);

/* api_ingest.c, api_read.c, api_fleet.c */
struct vigil_query;
void cockpit_ingest(struct cockpit_ctx *ctx, struct cockpit_req *req, struct cockpit_reply *r);
bool cockpit_ingest_prepare(struct cockpit_ctx *ctx, struct cockpit_req *req,
			    struct cockpit_reply *r);
void cockpit_enroll(struct cockpit_ctx *ctx, struct cockpit_req *req, struct cockpit_reply *r);
void cockpit_read(struct cockpit_ctx *ctx, struct cockpit_req *req, struct cockpit_reply *r);
void cockpit_read_fleet(struct cockpit_ctx *ctx, struct cockpit_req *req, struct cockpit_reply *r);
/* api_nodes.c: answers one page of the fleet after the status, sort, offset and limit
 * arguments (f: the other arguments), with the fleet's summary. */
void cockpit_nodes_list(struct cockpit_ctx *ctx, struct cockpit_req *req,
			const struct vigil_query *f, struct cockpit_reply *r);
/* A query argument, or NULL. */
const char *cockpit_arg(const struct cockpit_req *req, const char *name);
struct vigil_error;
/* Fills f from the request's arguments (node, workload, namespace, rule, incident, kind, q,
 * limit, since, until); false with r answered (400) when one is malformed. */
bool cockpit_query_args(const struct cockpit_req *req, struct vigil_query *f, size_t def_limit,
			struct cockpit_reply *r);
void cockpit_store_error(struct cockpit_reply *r, const struct vigil_error *err, const char *what);
/* "2026-11-22T10:00:00Z", "15m", "24h" (back from now) or nanoseconds -> ns; -EINVAL. */
int cockpit_parse_when(const char *s, uint64_t now_ns, uint64_t *ret);

/* ---- work queues ------------------------------------------------------------------------- */

struct cockpit_job {
	struct cockpit_job *next;
	struct MHD_Connection *conn;
	void *owner; /* the HTTP layer's request (http.c) */
	struct cockpit_req req;
	struct cockpit_reply reply;
	uint64_t queued_ns;
};

struct cockpit_queue {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct cockpit_job *head, *tail;
	struct cockpit_job *last_write; /* read queue: writes wait ahead of reads, in order */
	size_t n, max;
};

/* Starts the writer, readers and credential refresher (each opens its own store). */
int cockpit_work_start(struct vigil_cockpit *c, const char *spec, struct vigil_error *err);
/* Stops them after the queued work is done. */
void cockpit_work_stop(struct vigil_cockpit *c);
/* Queues a job for the writer (write) or a reader. false when that queue is full. */
bool cockpit_work_submit(struct vigil_cockpit *c, struct cockpit_job *job, bool write);
/* Whether the queue has room (checked on headers, before the body is read); a read (read)
 * finds less room in the read queue than a write would. */
bool cockpit_work_has_room(struct vigil_cockpit *c, bool write, bool read);

/* ---- connections ------------------------------------------------------------------------- */

enum conn_phase {
	PH_HEADERS,
	PH_BODY,
	PH_WORKING,
	PH_SENDING,
	PH_IDLE
};

struct cockpit_conn {
	struct cockpit_conn *prev, *next;
	struct MHD_Connection *conn;
	int fd;
	enum conn_phase phase;
	uint64_t since_ns;
	bool cut;    /* shutdown() already done */
	char ip[48]; /* counted in per_ip */
};

struct cockpit_conns {
	struct cockpit_conn head; /* list sentinel, oldest first */
	size_t n;
	json_t *per_ip; /* address -> open connections */
};

void cockpit_conn_phase(struct vigil_cockpit *c, struct MHD_Connection *conn, enum conn_phase ph);
/* Cuts connections past their phase's deadline. Called by the loop. */
void cockpit_conns_enforce(struct vigil_cockpit *c, uint64_t now_ns);
/* MHD callbacks (conn.c). */
void cockpit_conn_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
			 enum MHD_ConnectionNotificationCode toe);
void *cockpit_uri_log(void *cls, const char *uri, struct MHD_Connection *conn);
/* MHD's accept policy: refuses an address that holds max_per_ip connections (counted). */
enum MHD_Result cockpit_conn_accept(void *cls, const struct sockaddr *addr, socklen_t len);

/* ---- per-node write rates (rate.c; loop thread only) ------------------------------------- */

struct cockpit_rates {
	json_t *buckets; /* node -> [requests left, bytes left, refilled at ns] */
	double req_rate, req_burst, byte_rate, byte_burst;
	uint64_t full_after_ns; /* quiet this long: the buckets are full again */
	/* items per node: counted once a body is parsed, on the worker threads (own lock) */
	pthread_mutex_t items_mu;
	json_t *items;	  /* node -> [items left, refilled at ns] */
	double item_rate; /* 0: not limited */
	double item_burst;
	uint64_t items_full_after_ns;
};

void cockpit_rates_init(struct cockpit_rates *r, double req_per_s, double bytes_per_s,
			size_t max_body);
void cockpit_rates_release(struct cockpit_rates *r);
/* Takes one request of bytes from node's buckets: 0, or the seconds to wait (Retry-After). */
unsigned cockpit_rates_take(struct cockpit_rates *r, const char *node, uint64_t bytes,
			    uint64_t now_ns);
/* The items of a request (any thread): 0, or the seconds to wait; then nothing is taken. */
void cockpit_rates_init_items(struct cockpit_rates *r, double items_per_s, size_t max_items);
unsigned cockpit_rates_take_items(struct cockpit_rates *r, const char *node, size_t n,
				  uint64_t now_ns);

/* ---- the cockpit ------------------------------------------------------------------------- */

#define COCKPIT_MAX_READERS 8
#define COCKPIT_MAX_ITEMS   10000 /* items in one write request */
/* An incident's report on the page holds at most this many of its alerts (its first). */
#define COCKPIT_REPORT_ALERTS 5000
/* An alert record larger than this is cut to size (alert_cut.c); an agent's is a few KiB. */
#define COCKPIT_MAX_ALERT_BYTES (64u << 10)
/* The rows one query of a reader may read (SQLite), then 400 "ask for fewer". */
#define COCKPIT_QUERY_MAX_BYTES (64u << 20)

struct vigil_cockpit {
	struct vigil_cockpit_opts o; /* defaults filled */
	char *store_spec;
	const char *backend;
	struct MHD_Daemon *daemon;
	uint16_t port;
	bool open_mode;
	char *tls_cert, *tls_key; /* PEM text */
	pthread_t loop;
	bool loop_started;
	int wake_fd, epoll_fd;
	atomic_bool stop;
	struct cockpit_conns conns; /* loop thread only */
	struct cockpit_rates rates; /* loop thread only */
	struct cockpit_auth *auth;
	struct cockpit_metrics m;
	/* work: ctxs[0] the writer's, [1] the refresher's, [2..] the readers' */
	struct cockpit_queue wq, rq;
	pthread_t writer, *readers, refresher;
	size_t nreaders;
	struct cockpit_ctx *ctxs[COCKPIT_MAX_READERS + 3];
	size_t nctx;
	unsigned threads_started;
	bool work_started;
	atomic_bool stop_work;
	pthread_mutex_t done_mu;
	struct cockpit_job *done; /* finished jobs for the loop to resume */
	pthread_mutex_t stop_mu;
	pthread_cond_t stop_cv;
	uint64_t started_ns;
};

/* Hands a finished job back to the loop (any thread). */
void cockpit_job_done(struct vigil_cockpit *c, struct cockpit_job *job);
/* http.c: libmicrohttpd's callbacks, and the loop's resumption of a finished job. */
enum MHD_Result cockpit_http_handle(void *cls, struct MHD_Connection *conn, const char *url,
				    const char *method, const char *version,
				    const char *upload_data, size_t *upload_data_size,
				    void **con_cls);
void cockpit_http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			    enum MHD_RequestTerminationCode toe);
void cockpit_http_resume(struct vigil_cockpit *c, struct cockpit_job *job);

/* ---- assets ------------------------------------------------------------------------------ */

struct cockpit_asset {
	const char *path; /* "/index.html" */
	const char *type; /* Content-Type */
	const unsigned char *data;
	size_t len;
};

/* The embedded web page's files (generated from cockpit/web/ at build time). */
const struct cockpit_asset *cockpit_asset_find(const char *path);

/*
 * Cuts an alert larger than COCKPIT_MAX_ALERT_BYTES (bytes: its size as sent, 0 = measure it)
 * in place: long strings cut, deep containers replaced, else its own fields only, and
 * "record_cut" set to the size it had. True when it was cut.
 */
bool cockpit_alert_cut(json_t *alert, size_t bytes);

#endif
