// SPDX-License-Identifier: Apache-2.0
/* The sensor's DNS question parser gets whatever a workload sends to port 53. */
#include <stdint.h>
#include <string.h>

#include "sensor/sensor_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[256];
	uint16_t qtype;

	if (size > 512) /* the kernel copies at most VG_DNS_MAX bytes */
		size = 512;
	if (!vigil_dns__parse_question(data, size, name, sizeof(name), &qtype)) {
		/* a parsed name is printable, lower case and fits */
		size_t n = strlen(name);

		for (size_t i = 0; i < n; i++) {
			if (name[i] < 0x21 || name[i] > 0x7e || (name[i] >= 'A' && name[i] <= 'Z'))
				__builtin_trap();
		}
	}
	vigil_dns__parse_question(data, size, name, 8, &qtype);
	return 0;
}
