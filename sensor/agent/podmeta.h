/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A container's Kubernetes identity read from the node (docs/KUBERNETES.md §2): the runtime's
 * task bundle (config.json annotations), found through containerd's task directories, runc's
 * state files, or CRI-O's storage, under the host's root (/proc/1/root when the agent runs in a
 * pod with the host's pid namespace). Internal to sensor/agent.
 */
#ifndef VIGIL_AGENT_PODMETA_H
#define VIGIL_AGENT_PODMETA_H

#include "vigil/k8s.h"

/*
 * Finds the bundle of container_id (64 hex) under host_root ("" or "/" = this root; one that
 * cannot be entered, like /proc/1/root without ptrace access to pid 1, counts as "/") and reads
 * its identity into *ret. For a CRI-O container whose own annotations lack the pod's labels,
 * the sandbox's are read too. 1: a Kubernetes container; 0: found, not one; -ENOENT: no bundle
 * found; other negative errno: unreadable or malformed (the reason in *ret is empty).
 * containerd_state (may be NULL or ""): another containerd state directory to look in first
 * (its io.containerd.runtime.v2.task/), under host_root like the others.
 * bundle (may be NULL) gets the config.json path that was read.
 */
int vigil_podmeta__lookup(const char *host_root, const char *containerd_state,
			  const char *container_id, struct vigil_k8s_identity *ret, char *bundle,
			  size_t bundle_size);

#endif
