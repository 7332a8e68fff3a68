/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal to sensor/out/: one sink. Local sinks (stdout, file) write in the caller's thread;
 * network sinks (webhook, alertmanager, syslog) keep a bounded FIFO of messages and deliver
 * it from their own thread (sink_queue.c) through a transport (sink_http.c, sink_syslog.c).
 */
#ifndef VIGIL_SENSOR_OUT_SINK_H
#define VIGIL_SENSOR_OUT_SINK_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil/alert.h"

/* One alert as every sink sees it: shared, reference counted, never modified after creation. */
struct vigil_alert_msg {
	atomic_uint refs;
	json_t *json; /* owned deep copy (alert_id, node filled) */
	bool health;  /* a V-rule alert: may use the queue's reserve */
	size_t len;   /* of line, without the NUL */
	char line[];  /* compact JSON, no newline */
};

struct vigil_alert_msg *vigil_alert_msg__get(struct vigil_alert_msg *m);
void vigil_alert_msg__put(struct vigil_alert_msg *m);

struct vigil_sink;

/* What a sink's address is in its spec "NAME:ADDRESS". */
enum vigil_sink_addr {
	VIGIL_SINK_ADDR_NONE,	  /* "stdout" */
	VIGIL_SINK_ADDR_REQUIRED, /* "file:PATH", "webhook:URL" */
	VIGIL_SINK_ADDR_OPTIONAL, /* "syslog", "syslog:HOST:PORT" */
};

/*
 * A kind of sink. Each is defined next to its code (sink_local.c, sink_http.c, sink_syslog.c)
 * and listed once in the registry (sink_registry.c), which parses specs and names the kinds in
 * errors and suggestions: adding a sink is a type and one line there (docs/DESIGN.md).
 */
struct vigil_sink_type {
	const char *name;  /* the spec's prefix: "webhook" */
	const char *usage; /* for messages: "webhook:URL" */
	enum vigil_sink_addr addr;
	bool queued;   /* delivered from its own thread through a transport (network sinks) */
	bool own_file; /* writes a file it opened: closed at free, reopened on SIGHUP */
	/* the ";key=value" options it takes (see sink_registry.c), NULL-terminated */
	const char *const *options;
	/* Opens s at addr ("" when none) once its options are parsed; a short reason in err. */
	int (*open)(struct vigil_sink *s, const char *addr, char *err, size_t err_size);
};

extern const struct vigil_sink_type vigil_sink_stdout, vigil_sink_file, vigil_sink_webhook,
	vigil_sink_alertmanager, vigil_sink_syslog;

/* The type named name (NULL when none), and the list of usages ("stdout, file:PATH, ...") for
 * messages. */
const struct vigil_sink_type *vigil_sink_type__find(const char *name);
/* Parses spec into a new sink's type, options (s->cfg) and address, and opens it (not yet
 * started). 0 or a negative errno with err set. */
int vigil_sink__configure(struct vigil_sink *s, const char *spec, struct vigil_error *err);

/* Outcome of one delivery attempt. */
enum vigil_deliver {
	VIGIL_DELIVER_OK,     /* acknowledged */
	VIGIL_DELIVER_RETRY,  /* transient: back off, try the same batch again */
	VIGIL_DELIVER_REJECT, /* permanent: drop the batch, count it */
};

struct vigil_transport {
	/* batch_max for this transport: syslog sends one message per datagram. */
	bool single;
	/* Delivers msgs[0..n) in order; fills err (a short reason) unless OK. */
	enum vigil_deliver (*deliver)(struct vigil_sink *s, struct vigil_alert_msg *const *msgs,
				      size_t n, char *err, size_t err_size);
	void (*destroy)(void *priv);
};

#define VIGIL_SINK_HEADERS_MAX 8

/* How a sink writes an alert (option format=): Vigil's record, or node-agent's shapes. */
enum vigil_sink_format {
	VIGIL_SINK_FORMAT_VIGIL = 0,
	VIGIL_SINK_FORMAT_KUBESCAPE,
};

/* Per-sink settings: the vigil_alerts_opts defaults, overridden by ";key=value" options. */
struct vigil_sink_cfg {
	enum vigil_sink_format format;
	int ks_names; /* enum vigil_ks_names (kubescape.h): rule names for format=kubescape */
	size_t queue_max;
	unsigned batch_max;
	uint64_t batch_wait_ns;
	unsigned retry_max;
	uint64_t retry_base_ns;
	uint64_t retry_cap_ns;
	uint64_t connect_timeout_ns;
	uint64_t timeout_ns;
	uint64_t resolve_ns;
	int facility; /* syslog */
	/* HTTP: extra request headers ("Name: value", owned) and a CA bundle path (owned). */
	char *headers[VIGIL_SINK_HEADERS_MAX];
	unsigned n_headers;
	char *cacert;
};

/* Alerts a health alert may still queue when the queue is full, so the drop is reported. */
#define VIGIL_SINK_HEALTH_RESERVE 16u
/* Largest request body a batch may make (a batch has at least one alert). */
#define VIGIL_SINK_BATCH_BYTES (4u << 20)

struct vigil_sink {
	const struct vigil_sink_type *type;
	char spec[256];
	struct vigil_sink_cfg cfg;
	pthread_mutex_t mu;
	struct vigil_sink_stats st; /* under mu */

	/* local sinks */
	int fd;
	char *path;

	/* network sinks: queue[head .. head+count) in a ring of cap slots, under mu */
	struct vigil_alert_msg **q;
	uint64_t *q_time; /* CLOCK_MONOTONIC enqueue time of each slot */
	size_t cap, head, count;
	unsigned flushers; /* vigil_alerts__flush callers waiting: send partial batches now */
	atomic_bool stop;  /* also read without mu by transports to abort a transfer */
	pthread_cond_t cv_work, cv_idle;
	pthread_t thread;
	bool thread_started;
	const struct vigil_transport *tp;
	void *priv;
};

uint64_t vigil_sink__now_mono(void);

/* sink_local.c */
int vigil_sink_local__open(struct vigil_sink *s, const char *path, char *err, size_t err_size);
int vigil_sink_local__write(struct vigil_sink *s, const struct vigil_alert_msg *m);
int vigil_sink_local__reopen(struct vigil_sink *s);

/* sink_queue.c */
int vigil_sink_queue__start(struct vigil_sink *s);
/* Enqueues (takes a new reference). -ENOBUFS when full (counted as dropped_full). */
int vigil_sink_queue__push(struct vigil_sink *s, struct vigil_alert_msg *m);
/* Waits until the queue is empty or deadline (CLOCK_MONOTONIC ns). 0 or -ETIMEDOUT. */
int vigil_sink_queue__wait_idle(struct vigil_sink *s, uint64_t deadline);
void vigil_sink_queue__flush_begin(struct vigil_sink *s);
void vigil_sink_queue__flush_end(struct vigil_sink *s);
/* Stops the thread (aborting a transfer), counts what is left as dropped, frees the queue. */
void vigil_sink_queue__stop(struct vigil_sink *s);

/* sink_http.c: url is the full target (webhook) or the base URL (alertmanager). */
int vigil_sink_http__init(struct vigil_sink *s, const char *url, char *err, size_t err_size);
/* sink_syslog.c: addr is "", "HOST:PORT", "[V6]:PORT" or "unix:PATH". */
int vigil_sink_syslog__init(struct vigil_sink *s, const char *addr, char *err, size_t err_size);
int vigil_syslog__facility(const char *name);
/*
 * Formats one RFC 5424 message for m into buf (at most size-1 bytes + NUL). Returns the
 * length. Used by the transport and by unit tests.
 */
size_t vigil_syslog__format(const struct vigil_alert_msg *m, int facility, char *buf, size_t size);
/* Vigil severity 1..10 to syslog severity 0..7. */
int vigil_syslog__severity(int vigil_severity);

/* Builds the Alertmanager v2 alert object for one alert (new reference). */
json_t *vigil_alertmanager__alert(const json_t *alert, uint64_t resolve_ns, uint64_t now_real_ns);
/* The same in a sink's format: Vigil's labels, or node-agent's (names: enum vigil_ks_names). */
json_t *vigil_alertmanager__alert_as(const json_t *alert, enum vigil_sink_format format, int names,
				     uint64_t resolve_ns, uint64_t now_real_ns);
/*
 * The text a sink writes for m: m->line, or for format=kubescape node-agent's stdout JSON
 * (*owned set: the caller frees it). NULL when out of memory.
 */
const char *vigil_sink__line(const struct vigil_sink *s, const struct vigil_alert_msg *m,
			     size_t *len, char **owned);

#endif
