/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Kubernetes API server, when the agent runs in a cluster (docs/KUBERNETES.md §5): the
 * pods of this node, listed then watched (GET /api/v1/pods?fieldSelector=spec.nodeName=NODE),
 * kept in a bounded table, so a pod's controller is its ownerReference instead of a guess.
 * Driven from the agent's loop without blocking (libcurl's multi interface); a broken
 * connection is retried with a backoff; a watch that expired (410) lists again. Internal.
 */
#ifndef VIGIL_AGENT_APISERVER_H
#define VIGIL_AGENT_APISERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "vigil/k8s.h"

struct vigil_agent_config;
struct agent_api;

/*
 * NULL (and why set) when the API server is not to be used: api_server: off, or not in a
 * cluster (no KUBERNETES_SERVICE_HOST / api_url, or no service-account token).
 */
struct agent_api *agent_api__new(const struct vigil_agent_config *c, char *why, size_t why_size);
void agent_api__free(struct agent_api *api);
/* Moves the list/watch along; never blocks. Accepts NULL. */
void agent_api__tick(struct agent_api *api);
/* The pod's controller and labels when the API server told of the pod (by uid, else by
 * namespace and name). Accepts NULL. */
bool agent_api__pod(const struct agent_api *api, const char *ns, const char *name, const char *uid,
		    struct vigil_k8s_owner *owner, struct vigil_k8s_hints *hints);
/* Pods known, and whether the first list has arrived. */
size_t agent_api__pods(const struct agent_api *api, bool *synced);

#endif
