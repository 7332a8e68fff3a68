// SPDX-License-Identifier: Apache-2.0
/*
 * Names from the node: a cgroup path (a container can create cgroups below its own) and a pod
 * name (anyone who may create pods chooses it). Input: a path, a NUL, a pod name. Checks: a
 * parsed pod uid and container id have their shapes; an owner guessed from a valid pod name
 * is a prefix of it (or it), and its profile name is a valid Kubernetes name of at most 253
 * characters.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/k8s.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vigil_k8s_cgroup c;
	struct vigil_k8s_owner o;
	char *buf, *pod, name[VIGIL_K8S_NAME_MAX + 1];
	size_t plen;

	if (size > 8192)
		return 0;
	buf = malloc(size + 2);
	if (!buf)
		abort();
	memcpy(buf, data, size);
	buf[size] = buf[size + 1] = '\0';
	plen = strlen(buf);
	pod = buf + plen + (plen < size ? 1 : 0);

	if (vigil_k8s_cgroup__parse(buf, &c) == 0) {
		size_t ul = strlen(c.pod_uid);

		if ((ul != 32 && ul != 36) || strspn(c.pod_uid, "0123456789abcdef-") != ul ||
		    (c.container_id[0] && strspn(c.container_id, "0123456789abcdef") != 64) ||
		    !c.qos[0] || !c.runtime)
			abort();
	}
	if (vigil_k8s_owner__guess(pod, NULL, &o) == 0) {
		if (strncmp(pod, o.name, strlen(o.name)) || !vigil_k8s_valid_subdomain(o.name))
			abort();
		if (vigil_k8s_profile_name(&o, name, sizeof(name)) != 0 ||
		    !vigil_k8s_valid_subdomain(name))
			abort();
	} else if (vigil_k8s_valid_subdomain(pod)) {
		abort();
	}
	free(buf);
	return 0;
}
