/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the two ways of preparing alerts share: from parsed JSON (ingest.c) and from the text
 * as sent (ingest_text.c). Both must make the same rows: fuzz_cockpit_api compares them.
 */
#ifndef VIGIL_STORE_INGEST_INTERNAL_H
#define VIGIL_STORE_INGEST_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil/store_fleet.h"

/* How far ahead of the cockpit's clock a node's time may be and still count as it is. */
#define FUTURE_SLACK_NS (300ull * 1000000000ull)

/* The workload's members that name it, first non-empty first (the loose incident's key). */
enum {
	WL_ID,
	WL_CONTAINER_ID,
	WL_CGROUP,
	WL_NAME,
	WL__MAX
};

struct vigil_store_prepared {
	json_t *rows;	      /* alert rows */
	json_t *placeholders; /* one incident row (version 0) per incident the rows name */
	size_t *item_of;      /* row -> the item it came from */
	size_t cap;	      /* rows item_of has room for */
	json_t *named;	      /* incident ids the items named -> true */
	json_t *loose;	      /* incident ids derived for the node's own alerts -> true */
	json_t *seen;	      /* incident ids that have their placeholder -> true */
	char *node;	      /* the writing node (NULL: no ownership check) */
	uint64_t now_ns;
};

/* An empty preparation with room for n rows (more grow it); NULL on ENOMEM. */
struct vigil_store_prepared *store_prepared_new(const struct vigil_ingest *in, size_t n);
/* Adds the row (owned) of item, and its incident's placeholder (from the workload's
 * members, each NULL when absent) when the incident has none yet. */
int store_prepared_add(struct vigil_store_prepared *p, size_t item, json_t *row, bool loose,
		       const json_t *const wl[WL__MAX]);
/* The first non-empty of the workload's naming members, or "unknown". */
const char *store_workload_key(const char *const wl[WL__MAX]);
void store_loose_incident_id(const char *node, const char *workload_key, uint64_t alert_ns,
			     char out[33]);
bool store_alert_id_valid(const char *id);
/*
 * The record of an alert that is its text as sent plus, at the end, node and incident (each
 * NULL: already in it): 0 when it does not fit in buf (size) or the text is not an object's.
 */
size_t store_record_as_sent(const struct vigil_text *text, const char *node, const char *incident,
			    char *buf, size_t size);

#endif
