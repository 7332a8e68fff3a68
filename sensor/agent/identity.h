/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the agent knows about a container beyond the kernel (docs/KUBERNETES.md §2): its pod
 * identity from the node (the kubelet's cgroup layout, the runtime's bundle annotations), the
 * controller the pod belongs to, and the profile the workload uses: Kubescape's name for the
 * controller ("replicaset-web-7c5d8bf9f7") and the container's name, so every replica of one
 * workload on the node shares one profile. Kept on each workload record (status, heartbeats).
 * Internal to sensor/agent.
 */
#ifndef VIGIL_AGENT_IDENTITY_H
#define VIGIL_AGENT_IDENTITY_H

#include <stdbool.h>

#include "vigil/detect.h"
#include "vigil/k8s.h"

struct agent_identity {
	bool k8s;     /* a Kubernetes pod's container (pod and namespace known) */
	bool sandbox; /* the pod's sandbox (pause) container: never a workload */
	char pod[VIGIL_K8S_NAME_MAX + 1];
	char namespace_[VIGIL_K8S_LABEL_MAX + 1];
	char pod_uid[VIGIL_K8S_UID_LEN + 1];
	char container_name[VIGIL_K8S_LABEL_MAX + 1];
	char image[VIGIL_K8S_IMAGE_MAX + 1];
	char runtime[16]; /* "containerd", "cri-o", "docker", "" */
	char qos[16];
	struct vigil_k8s_owner owner;
	struct vigil_k8s_hints hints;
	/* the profile: Kubescape's name of the owner, and the file stem the agent uses for it */
	char profile_name[VIGIL_K8S_NAME_MAX + 1];
	char profile_stem[VIGIL_K8S_LABEL_MAX + VIGIL_K8S_NAME_MAX + VIGIL_K8S_LABEL_MAX + 4];
	char bundle[512]; /* the config.json read, "" when none */
};

/*
 * Resolves a container's identity: cgroup is its cgroup2 path, container_id its 64-hex id,
 * host_root where the node's root is seen. shared: pods of one controller share a profile
 * (otherwise each pod is its own workload). Returns 1 for a Kubernetes container, 0 for any
 * other container (ret->k8s false; nothing else to know), never fails.
 */
int agent_identity__resolve(const char *host_root, const char *containerd_state, const char *cgroup,
			    const char *container_id, bool shared, struct agent_identity *ret);

/* The workload's display name: "NAMESPACE/POD/CONTAINER" for a pod's container. */
void agent_identity__display_name(const struct agent_identity *id, char *buf, size_t size);

/* The identity in the form the detector puts into alerts (pointers into id). */
void agent_identity__k8s_info(const struct agent_identity *id, struct vigil_workload_k8s *ret);

/* Updates the owner from the API server's view of the pod (exact); recomputes the profile. */
void agent_identity__set_owner(struct agent_identity *id, const struct vigil_k8s_owner *o,
			       bool shared);

#endif
