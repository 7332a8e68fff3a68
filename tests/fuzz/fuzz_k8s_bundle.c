// SPDX-License-Identifier: Apache-2.0
/*
 * A task bundle's config.json (containerd, CRI-O, or anything `ctr run --annotation` writes) as
 * the agent reads it. Checks: whatever is taken is a valid Kubernetes name (so it can become
 * part of a file name), the uid has the uid's shape, the image is printable without spaces,
 * and a Kubernetes container (1) always has a pod and a namespace. The same bytes go to the
 * runc state.json reader (which finds the bundle).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/k8s.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vigil_k8s_identity id;
	struct vigil_error err = { 0 };
	int rc = vigil_k8s_bundle__parse((const char *)data, size, &id, &err);
	char bundle[4096];

	/* the same bytes as runc's state.json: a bundle path found is absolute, without ".." */
	if (vigil_k8s_runc_state__bundle((const char *)data, size, bundle, sizeof(bundle)) == 0 &&
	    (bundle[0] != '/' || strstr(bundle, "/../")))
		abort();
	if (rc < 0) {
		if (rc != -EINVAL && rc != -E2BIG)
			abort();
		return 0;
	}
	if (rc == 1 && (!id.pod[0] || !id.namespace_[0]))
		abort();
	if ((id.pod[0] && !vigil_k8s_valid_subdomain(id.pod)) ||
	    (id.namespace_[0] && !vigil_k8s_valid_label(id.namespace_)) ||
	    (id.container_name[0] && !vigil_k8s_valid_label(id.container_name)))
		abort();
	if (strspn(id.pod_uid, "0123456789abcdef-") != strlen(id.pod_uid))
		abort();
	for (const char *p = id.image; *p; p++) {
		if (*p <= ' ' || *p > '~')
			abort();
	}
	if (id.hints.job_name[0] && !vigil_k8s_valid_label(id.hints.job_name))
		abort();
	return 0;
}
