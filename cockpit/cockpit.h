/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The cockpit: the central HTTP(S) server every node's agent reports to (alerts, incident
 * reports, heartbeats, profiles), keeping everything in a store (vigil/store.h: SQLite or
 * ClickHouse) and serving the fleet API and the SOC page. docs/COCKPIT.md describes it.
 *
 * Threads: one event loop (libmicrohttpd in external epoll mode) that only accepts, checks
 * credentials on headers, reads bounded bodies and enforces per-connection deadlines; one
 * writer that owns the store for writes (group commit); reader threads with their own store
 * handles; one thread that re-reads credentials. The loop never touches the store, so health
 * answers while the store is slow.
 */
#ifndef VIGIL_COCKPIT_H
#define VIGIL_COCKPIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil/error.h"

struct vigil_cockpit;

struct vigil_cockpit_opts {
	const char *listen; /* "127.0.0.1:7070" (default), "[::1]:7070", ":7070" (all) */
	const char *store;  /* store spec, default VIGIL_STORE_DEFAULT */
	/* Reads need this bearer token. NULL: "open mode", allowed on loopback only, where
	 * reads need no token. Writes always need a node token from the store. */
	const char *analyst_token;
	const char *tls_cert_file; /* PEM; both or neither. Required off loopback. */
	const char *tls_key_file;
	size_t max_body_bytes; /* per request, default 16 MiB */
	/* bodies being received or processed and answers being sent, default 256 MiB */
	size_t max_inflight_bytes;
	unsigned max_connections;   /* default 1024 */
	unsigned max_per_ip;	    /* default 64 */
	uint64_t header_timeout_ns; /* request line and headers, default 10 s */
	uint64_t body_timeout_ns;   /* body after the headers (and sending the answer), 60 s */
	uint64_t idle_timeout_ns;   /* keep-alive wait for the next request, default 30 s */
	unsigned readers;	    /* reader threads, default 2 */
	/* one query statement of a reader (SQLite), default 5 s: then 503 "narrow it" */
	uint64_t query_timeout_ns;
	uint64_t creds_refresh_ns; /* how often credentials are re-read, default 1 s */
	/* per node: write requests per second (default 50; bursts of 10 s of it) and body bytes
	 * per second (default 8 MiB; bursts of 8 s of it, at least two largest bodies) */
	double node_rate;
	double node_bytes_rate;
	/* per node: items (alerts, reports, profiles) per second, default 20 000; bursts of
	 * 10 s of it, at least one request of the largest size (10 000 items) */
	double node_items_rate;
};

/*
 * Opens the store and starts serving. Refuses a non-loopback address without TLS and an
 * analyst token. On success *ret is owned by the caller (vigil_cockpit__free).
 */
int vigil_cockpit__start(const struct vigil_cockpit_opts *opts, struct vigil_cockpit **ret,
			 struct vigil_error *err);
/* The port actually bound (useful with port 0). */
uint16_t vigil_cockpit__port(const struct vigil_cockpit *c);
/* Stops the server, finishes the work in hand, flushes and closes the stores. Accepts NULL. */
void vigil_cockpit__free(struct vigil_cockpit *c);

/* ---- credentials (shared with `vigil cockpit token`) ------------------------------------ */

#define VIGIL_NODE_TOKEN_PREFIX "vgn_"
#define VIGIL_JOIN_TOKEN_PREFIX "vgj_"
#define VIGIL_TOKEN_LEN		(4 + 64)

/* A new random token "PREFIX<64 hex>" into out (>= VIGIL_TOKEN_LEN + 1 bytes). 0 or -EIO. */
int vigil_token__new(const char *prefix, char *out, size_t size);
/* sha256 hex of the token as the store keeps it (out: 65 bytes). */
void vigil_token__hash(const char *token, char out[65]);
/* 1..253 chars of [A-Za-z0-9._-], not starting with '.' or '-'. */
bool vigil_node_name__valid(const char *name);

#endif
