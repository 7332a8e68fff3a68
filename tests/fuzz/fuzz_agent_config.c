// SPDX-License-Identifier: Apache-2.0
/*
 * The agent configuration parser (sensor/agent/config.c) on arbitrary bytes: it must reject or
 * accept without crashing, leaking or reading out of bounds. The loader reads a file, so each
 * input is written to a memfd and loaded through /proc/self/fd/N.
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sensor/agent/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vigil_agent_config *c = NULL;
	struct vigil_error err = { 0 };
	char path[64];
	int fd = memfd_create("agent.yaml", MFD_CLOEXEC);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (vigil_agent_config__load(path, &c, &err) == 0)
		vigil_agent_config__free(c);
	close(fd);
	return 0;
}
