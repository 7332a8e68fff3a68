/* SPDX-License-Identifier: Apache-2.0 */
/* Private to lib/store: a node as the fleet list shows it (read_fleet.c, nodes_page.c). */
#ifndef VIGIL_STORE_NODES_INTERNAL_H
#define VIGIL_STORE_NODES_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define NODE_STALE_NS	      (300ull * 1000000000ull) /* silent this long: offline */
#define NODE_DEFAULT_INTERVAL 10
#define NODE_MAX_INTERVAL     3600 /* the agent's bound (cockpit.heartbeat_interval) */
#define NODE_HOUR_NS	      3600000000000ull

/*
 * The entry of node name from r (columns of the nodes table: last_seen_ns, time_ns,
 * interval_s, agent_version, kernel, uptime_s, drops, sink_failures, spool_dropped,
 * workloads; heartbeat when full), its credential state and its alerts of the last hour.
 */
json_t *store_node_entry(const char *name, const json_t *r, const char *cred, json_int_t a1h,
			 uint64_t now_ns, bool full);

#endif
