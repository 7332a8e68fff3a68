// SPDX-License-Identifier: Apache-2.0
/*
 * The cgroup path -> container id parser reads /proc/PID/cgroup and kernel cgroup names, which
 * a workload can shape (nested cgroups inside a container). The input is the path. Checks:
 * a found id is 64 lower-case hex digits copied from the path, the runtime is a known name,
 * doubling every '/' changes nothing, and a short output buffer is refused.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/sensor_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const runtimes[] = { "docker", "containerd", "cri-o", "podman", "kubepods" };

static void check_id(const char *path, const char *id, const char *runtime)
{
	bool known = false;

	if (strlen(id) != VIGIL_CONTAINER_ID_LEN || strspn(id, "0123456789abcdef") != 64 ||
	    !strstr(path, id) || !runtime)
		abort();
	for (size_t i = 0; i < sizeof(runtimes) / sizeof(runtimes[0]); i++)
		known |= !strcmp(runtime, runtimes[i]);
	if (!known)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char id[VIGIL_CONTAINER_ID_LEN + 1], id2[VIGIL_CONTAINER_ID_LEN + 1];
	const char *runtime = NULL, *runtime2 = NULL;
	char *path, *doubled;
	size_t j = 0;
	int rc, rc2;

	if (size > 4096) /* PATH_MAX: the kernel never hands over more */
		return 0;
	path = malloc(size + 1);
	doubled = malloc(2 * size + 1);
	if (!path || !doubled)
		abort();
	memcpy(path, data, size);
	path[size] = '\0';
	for (size_t i = 0; path[i]; i++) {
		doubled[j++] = path[i];
		if (path[i] == '/')
			doubled[j++] = '/';
	}
	doubled[j] = '\0';

	rc = vigil_cgroup__container_id(path, id, sizeof(id), &runtime);
	if (rc == 0)
		check_id(path, id, runtime);
	else if (rc != -ENOENT)
		abort();
	rc2 = vigil_cgroup__container_id(doubled, id2, sizeof(id2), &runtime2);
	if (rc2 != rc || (rc == 0 && (strcmp(id, id2) || strcmp(runtime, runtime2))))
		abort();
	if (vigil_cgroup__container_id(path, id2, VIGIL_CONTAINER_ID_LEN, NULL) != -EINVAL)
		abort();
	free(path);
	free(doubled);
	return 0;
}
