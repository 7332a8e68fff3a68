/* SPDX-License-Identifier: Apache-2.0 */
/* Shared between the cockpit's HTTP plumbing (server.c), its API (api.c) and assets. */
#ifndef VIGIL_COCKPIT_INTERNAL_H
#define VIGIL_COCKPIT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct MHD_Connection;
struct MHD_Daemon;
struct vigil_store;

struct vigil_cockpit {
	struct MHD_Daemon *daemon;
	struct vigil_store *store; /* used only from the daemon's single polling thread */
	char *token;		   /* NULL: no authentication (loopback only) */
	size_t max_body;
	uint16_t port;
	uint64_t alerts_received, reports_received, rejected;
};

struct cockpit_reply {
	unsigned status;
	json_t *body; /* owned; NULL means out of memory */
};

/* Handles one /api/ request; fills reply. */
void cockpit_api(struct vigil_cockpit *c, struct MHD_Connection *conn, const char *method,
		 const char *url, const char *body, size_t len, struct cockpit_reply *reply);

struct cockpit_asset {
	const char *path; /* "/index.html" */
	const char *type; /* Content-Type */
	const unsigned char *data;
	size_t len;
};

/* The embedded web page's files (generated from cockpit/web/ at build time). */
const struct cockpit_asset *cockpit_asset_find(const char *path);

#endif
