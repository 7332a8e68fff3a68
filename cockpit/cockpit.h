/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The cockpit: the central HTTP server that collects alerts and incident reports from every
 * node's agent, keeps them in an evidence store (vigil/store.h: SQLite or ClickHouse) and serves
 * the investigation page. docs/COCKPIT.md describes the API.
 *
 * One libmicrohttpd daemon with one internal polling thread: every handler runs on that thread,
 * so the store (which is not thread-safe) is only ever used from it.
 */
#ifndef VIGIL_COCKPIT_H
#define VIGIL_COCKPIT_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/error.h"

struct vigil_cockpit;

struct vigil_cockpit_opts {
	const char *listen;	  /* "127.0.0.1:7070" (default), "[::1]:7070", ":7070" (all) */
	const char *store;	  /* store spec, default VIGIL_STORE_DEFAULT */
	const char *token;	  /* when set, every /api/ request needs "Authorization: Bearer" */
	size_t max_body_bytes;	  /* per request, default 16 MiB */
	unsigned max_connections; /* default 64 */
};

/*
 * Opens the store and starts listening. Refuses a non-loopback address without a token.
 * On success *ret is owned by the caller (vigil_cockpit__free).
 */
int vigil_cockpit__start(const struct vigil_cockpit_opts *opts, struct vigil_cockpit **ret,
			 struct vigil_error *err);
/* The port actually bound (useful with port 0). */
uint16_t vigil_cockpit__port(const struct vigil_cockpit *c);
/* Stops the server, flushes and closes the store. Accepts NULL. */
void vigil_cockpit__free(struct vigil_cockpit *c);

#endif
