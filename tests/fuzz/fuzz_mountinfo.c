// SPDX-License-Identifier: Apache-2.0
/*
 * R1004's mount-table parser (sensor/detect/mounts.c) reads /proc/PID/mountinfo, whose mount
 * points are names a workload chose (escaped by the kernel, but any bytes). The input is the
 * table; its first line is the executable's path. Checks: nothing is read past the length
 * given (the table is copied to a buffer of exactly that size), a mount point found is not
 * empty and fits its buffer, and only an absolute path is ever found under a mount.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/detect_paths.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[512], mnt[64], *copy;
	const uint8_t *nl = memchr(data, '\n', size);
	size_t plen = nl ? (size_t)(nl - data) : 0, rest;
	bool found;

	if (!nl || plen >= sizeof(path) || size > 1 << 20)
		return 0;
	memcpy(path, data, plen);
	path[plen] = '\0';
	rest = size - plen - 1;
	copy = malloc(rest + 1); /* exact size: ASan sees any read past it */
	if (!copy)
		return 0;
	memcpy(copy, nl + 1, rest);
	found = vigil_mountinfo_volume(copy, rest, path, mnt, sizeof(mnt));
	if (found && (strlen(mnt) >= sizeof(mnt) || !mnt[0] || path[0] != '/'))
		abort();
	free(copy);
	return 0;
}
