// SPDX-License-Identifier: Apache-2.0
/*
 * The API server's pod list and watch lines (a compromised or impersonated API server, or a
 * proxy in between, sends anything). First byte: 0 = PodList, else a watch line. Checks: every
 * pod handed over has a valid name and namespace and an owner that is a valid name, and the
 * resourceVersion kept is digits only (it goes back into a URL).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/k8s.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check(const char *type, const struct vigil_k8s_pod *p, void *ctx)
{
	if (!vigil_k8s_valid_subdomain(p->name) || !vigil_k8s_valid_label(p->namespace_) ||
	    !vigil_k8s_valid_subdomain(p->owner.name) || !p->owner.kind[0] || !type)
		abort();
	if (p->labels && strlen(p->labels) > 8192)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vigil_error err = { 0 };
	char rv[32] = "";

	if (!size)
		return 0;
	if (data[0] == 0)
		vigil_k8s_podlist__parse((const char *)data + 1, size - 1, 200, check, NULL, rv,
					 sizeof(rv), &err);
	else
		vigil_k8s_watch_line__parse((const char *)data + 1, size - 1, check, NULL, rv,
					    sizeof(rv), &err);
	if (strspn(rv, "0123456789") != strlen(rv))
		abort();
	return 0;
}
