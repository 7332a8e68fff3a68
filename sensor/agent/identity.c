// SPDX-License-Identifier: Apache-2.0
/* A container's pod identity and profile name, from the node's own files (identity.h). */
#include <stdio.h>
#include <string.h>

#include "sensor/agent/identity.h"
#include "sensor/agent/podmeta.h"
#include "util/strutil.h"

/*
 * NAMESPACE.PROFILE.CONTAINER: each part is a Kubernetes name (no '/', no leading '.'), so the
 * stem is a safe file name; namespaces and container names have no dots, so it reads back.
 */
static void make_profile(struct agent_identity *id, bool shared)
{
	struct vigil_k8s_owner self = { .kind = "Pod", .source = VIGIL_K8S_FROM_NONE };
	const struct vigil_k8s_owner *o = shared && id->owner.kind[0] ? &id->owner : &self;

	vigil_strlcpy(self.name, id->pod, sizeof(self.name));
	if (vigil_k8s_profile_name(o, id->profile_name, sizeof(id->profile_name)) < 0)
		id->profile_name[0] = '\0';
	if (id->profile_name[0] && id->container_name[0])
		snprintf(id->profile_stem, sizeof(id->profile_stem), "%s.%s.%s", id->namespace_,
			 id->profile_name, id->container_name);
	else
		id->profile_stem[0] = '\0';
}

int agent_identity__resolve(const char *host_root, const char *containerd_state, const char *cgroup,
			    const char *container_id, bool shared, struct agent_identity *ret)
{
	struct vigil_k8s_identity k;
	struct vigil_k8s_cgroup cg;
	bool in_pod;

	memset(ret, 0, sizeof(*ret));
	in_pod = vigil_k8s_cgroup__parse(cgroup, &cg) == 0;
	if (in_pod) {
		vigil_strlcpy(ret->qos, cg.qos, sizeof(ret->qos));
		vigil_strlcpy(ret->pod_uid, cg.pod_uid, sizeof(ret->pod_uid));
		vigil_strlcpy(ret->runtime, cg.runtime, sizeof(ret->runtime));
	}
	if (vigil_podmeta__lookup(host_root, containerd_state, container_id, &k, ret->bundle,
				  sizeof(ret->bundle)) != 1)
		return 0;
	ret->k8s = true;
	ret->sandbox = k.sandbox;
	vigil_strlcpy(ret->pod, k.pod, sizeof(ret->pod));
	vigil_strlcpy(ret->namespace_, k.namespace_, sizeof(ret->namespace_));
	if (k.pod_uid[0])
		vigil_strlcpy(ret->pod_uid, k.pod_uid, sizeof(ret->pod_uid));
	vigil_strlcpy(ret->container_name, k.container_name, sizeof(ret->container_name));
	vigil_strlcpy(ret->image, k.image, sizeof(ret->image));
	if (k.runtime[0])
		vigil_strlcpy(ret->runtime, k.runtime, sizeof(ret->runtime));
	ret->hints = k.hints;
	if (vigil_k8s_owner__guess(ret->pod, &ret->hints, &ret->owner) < 0)
		memset(&ret->owner, 0, sizeof(ret->owner));
	make_profile(ret, shared);
	return 1;
}

void agent_identity__set_owner(struct agent_identity *id, const struct vigil_k8s_owner *o,
			       bool shared)
{
	id->owner = *o;
	make_profile(id, shared);
}

void agent_identity__display_name(const struct agent_identity *id, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s/%s", id->namespace_, id->pod,
		 id->container_name[0] ? id->container_name : "?");
}

void agent_identity__k8s_info(const struct agent_identity *id, struct vigil_workload_k8s *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (!id->k8s)
		return;
	ret->pod = id->pod;
	ret->namespace_ = id->namespace_;
	ret->pod_uid = id->pod_uid;
	ret->container_name = id->container_name;
	ret->runtime = id->runtime;
	if (id->owner.kind[0] && strcmp(id->owner.kind, "Pod")) {
		ret->workload_kind = id->owner.kind;
		ret->workload_name = id->owner.name;
	}
}
